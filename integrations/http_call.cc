#include "integrations/http_call.h"

#include <httplib.h>

#include <chrono>

namespace chophien::integrations {
namespace {

using nlohmann::json;

struct Target {
  std::string origin;  // scheme://host:port
  std::string prefix;  // "" or "/something"
};

Target split(const std::string& base_url) {
  auto scheme_end = base_url.find("://");
  size_t path_at = base_url.find('/', scheme_end == std::string::npos ? 0 : scheme_end + 3);
  if (path_at == std::string::npos) return {base_url, ""};
  std::string prefix = base_url.substr(path_at);
  while (prefix.ends_with('/')) prefix.pop_back();
  return {base_url.substr(0, path_at), prefix};
}

httplib::Headers to_headers(const HttpHeaders& headers) {
  httplib::Headers out;
  for (const auto& [k, v] : headers) out.emplace(k, v);
  return out;
}

Error failure(ErrorCode code, const char* service, const std::string& what) {
  return Error{code, std::string(service) + ": " + what, ""};
}

Result<HttpAnswer> read(const httplib::Result& res, const char* service, bool keep_4xx) {
  if (!res) {
    return failure(ErrorCode::unavailable, service,
                   "no answer (" + httplib::to_string(res.error()) + ")");
  }
  const int status = res->status;
  if (status == 408 || status == 429 || status >= 500) {
    return failure(ErrorCode::unavailable, service, "HTTP " + std::to_string(status));
  }
  if (status == 401 || status == 403) {
    return failure(ErrorCode::unauthenticated, service,
                   "HTTP " + std::to_string(status) + ": the credentials were refused");
  }
  json body = json::parse(res->body, nullptr, false);
  const bool ok = status >= 200 && status < 300;
  if (!ok && !(keep_4xx && status >= 400 && status < 500 && body.is_object())) {
    return failure(ErrorCode::invalid_input, service, "HTTP " + std::to_string(status));
  }
  if (body.is_discarded() || !body.is_object()) {
    return failure(ErrorCode::invalid_input, service, "the answer is not a JSON object");
  }
  return HttpAnswer{status, std::move(body)};
}

httplib::Client make_client(const Target& target, const HttpTimeouts& timeouts) {
  httplib::Client client(target.origin);
  client.set_connection_timeout(std::chrono::milliseconds(timeouts.connect_ms));
  client.set_read_timeout(std::chrono::milliseconds(timeouts.read_ms));
  client.set_write_timeout(std::chrono::milliseconds(timeouts.read_ms));
  return client;
}

}  // namespace

Result<json> http_get_json(const std::string& base_url, const std::string& path,
                           const HttpHeaders& headers, const char* service,
                           const HttpTimeouts& timeouts) {
  Target target = split(base_url);
  auto client = make_client(target, timeouts);
  auto answer = read(client.Get(target.prefix + path, to_headers(headers)), service, false);
  if (!answer) return answer.error();
  return std::move(answer->body);
}

Result<HttpAnswer> http_post_json(const std::string& base_url, const std::string& path,
                                  const std::string& body, const HttpHeaders& headers,
                                  const char* service, const HttpTimeouts& timeouts) {
  Target target = split(base_url);
  auto client = make_client(target, timeouts);
  return read(client.Post(target.prefix + path, to_headers(headers), body, "application/json"),
              service, true);
}

}  // namespace chophien::integrations
