#pragma once
// Calls to the services' HTTP APIs with cpp-httplib (HTTPS through OpenSSL, certificates checked
// against the system store), JSON in and out, short timeouts and errors as values:
//   unavailable      no connection, timeout, HTTP 408/429/5xx (worth retrying later)
//   unauthenticated  HTTP 401/403 (the stored credentials are wrong)
//   invalid_input    any other non-2xx status, or an answer that is not a JSON object
// Messages name the service and the status, never a credential.
//
// `base_url` is "http(s)://host[:port][/prefix]", a setting so tests point it at a local fake.
// Thread-safety: each call uses its own client.

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"

namespace chophien::integrations {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// Connection and read/write timeouts of one call.
struct HttpTimeouts {
  int connect_ms = 5000;
  int read_ms = 15000;
};

struct HttpAnswer {
  int status = 0;
  nlohmann::json body;
};

// GET; the body of a 2xx answer.
Result<nlohmann::json> http_get_json(const std::string& base_url, const std::string& path,
                                     const HttpHeaders& headers, const char* service,
                                     const HttpTimeouts& timeouts = {});

// POST `body` (sent exactly as given) as application/json. 2xx and 4xx answers with a JSON body
// are returned with their status, so callers can read a service's own error codes; other failures
// as above.
Result<HttpAnswer> http_post_json(const std::string& base_url, const std::string& path,
                                  const std::string& body, const HttpHeaders& headers,
                                  const char* service, const HttpTimeouts& timeouts = {});

}  // namespace chophien::integrations
