#include "integrations/marketplace.h"

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "core/text.h"
#include "integrations/crypto.h"
#include "integrations/lazada.h"
#include "integrations/marketplace_http.h"
#include "integrations/shopee.h"
#include "integrations/tiktok.h"

namespace chophien::integrations {

const char* platform_name(Platform platform) {
  switch (platform) {
    case Platform::shopee:
      return "shopee";
    case Platform::lazada:
      return "lazada";
    case Platform::tiktok:
      return "tiktok";
  }
  throw std::logic_error("unknown platform");
}

std::optional<Platform> parse_platform(std::string_view name) {
  if (name == "shopee") return Platform::shopee;
  if (name == "lazada") return Platform::lazada;
  if (name == "tiktok") return Platform::tiktok;
  return std::nullopt;
}

MarketplaceApp default_app(Platform platform) {
  MarketplaceApp app;
  app.platform = platform;
  switch (platform) {
    case Platform::shopee:
      app.api_base = "https://partner.shopeemobile.com";
      app.auth_base = app.api_base;
      app.authorize_base = app.api_base;
      break;
    case Platform::lazada:
      app.api_base = "https://api.lazada.vn/rest";
      app.auth_base = "https://auth.lazada.com/rest";
      app.authorize_base = "https://auth.lazada.com";
      break;
    case Platform::tiktok:
      app.api_base = "https://open-api.tiktokglobalshop.com";
      app.auth_base = "https://auth.tiktok-shops.com";
      app.authorize_base = "";  // the app's own link from Partner Center
      break;
  }
  return app;
}

std::unique_ptr<Connector> make_connector(const MarketplaceApp& app, const core::Clock& clock) {
  switch (app.platform) {
    case Platform::shopee:
      return make_shopee_connector(app, clock);
    case Platform::lazada:
      return make_lazada_connector(app, clock);
    case Platform::tiktok:
      return make_tiktok_connector(app, clock);
  }
  throw std::logic_error("unknown platform");
}

Result<void> check_attributes(Platform platform, const Listing& listing) {
  if (listing.attributes.size() > 50) {
    return Error{ErrorCode::invalid_input, "tối đa 50 thuộc tính", "attributes"};
  }
  for (const auto& [key, value] : listing.attributes) {
    const bool lazada_name =
        !key.empty() && key.size() <= 64 && (key[0] == '_' || (key[0] >= 'a' && key[0] <= 'z')) &&
        key.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") == std::string::npos &&
        key != "name" && key != "description" && key != "brand";
    const bool id = !key.empty() && key.size() <= 18 &&
                    key.find_first_not_of("0123456789") == std::string::npos;
    if (platform == Platform::lazada ? !lazada_name : !id) {
      return Error{ErrorCode::invalid_input,
                   "thuộc tính \"" + key + "\": " +
                       (platform == Platform::lazada
                            ? "tên thuộc tính của Lazada gồm a-z, 0-9 và _, bắt đầu bằng chữ"
                            : "mã thuộc tính phải là số"),
                   "attributes"};
    }
    if (std::count_if(listing.attributes.begin(), listing.attributes.end(),
                      [&](const auto& a) { return a.first == key; }) > 1) {
      return Error{ErrorCode::invalid_input, "thuộc tính \"" + key + "\" có hai lần", "attributes"};
    }
    if (!core::is_valid_utf8(value)) {
      return Error{ErrorCode::invalid_input, "thuộc tính \"" + key + "\": chữ không hợp lệ",
                   "attributes"};
    }
    const size_t length = utf8_length(value);
    const bool control = std::any_of(value.begin(), value.end(),
                                     [](char c) { return static_cast<unsigned char>(c) < 0x20; });
    if (length == 0 || length > 255 || control) {
      return Error{ErrorCode::invalid_input,
                   "thuộc tính \"" + key + "\": giá trị phải có 1-255 ký tự trên một dòng",
                   "attributes"};
    }
  }
  return {};
}

size_t max_image_bytes(Platform platform) {
  switch (platform) {
    case Platform::shopee:
      return 10 * 1024 * 1024;
    case Platform::lazada:
      return 1024 * 1024;
    case Platform::tiktok:
      return 5 * 1024 * 1024;
  }
  throw std::logic_error("unknown platform");
}

Result<void> check_image(Platform platform, const ImageFile& image) {
  const std::string_view b = image.bytes;
  const bool jpeg = image.content_type == "image/jpeg" && b.starts_with("\xFF\xD8\xFF");
  const bool png = image.content_type == "image/png" && b.starts_with("\x89PNG\r\n\x1A\n");
  if (!jpeg && !png) {
    return Error{ErrorCode::invalid_input,
                 std::string("ảnh gửi ") + platform_name(platform) + " phải là JPEG hoặc PNG",
                 "image"};
  }
  if (b.size() > max_image_bytes(platform)) {
    return Error{ErrorCode::invalid_input,
                 std::string("ảnh quá lớn cho ") + platform_name(platform) + " (tối đa " +
                     std::to_string(max_image_bytes(platform) / (1024 * 1024)) + " MB)",
                 "image"};
  }
  return {};
}

std::string multipart_body(const std::vector<std::pair<std::string, std::string>>& fields,
                           const std::string& file_field, const ImageFile& image,
                           std::string& content_type) {
  std::string boundary = "chophien-" + to_hex(sha256(image.bytes)).substr(0, 32);
  while (image.bytes.find(boundary) != std::string::npos) boundary += "-x";
  std::string body;
  for (const auto& [name, value] : fields) {
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" +
            value + "\r\n";
  }
  body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + file_field +
          "\"; filename=\"" + image.file_name + "\"\r\nContent-Type: " + image.content_type +
          "\r\n\r\n";
  body += image.bytes;
  body += "\r\n--" + boundary + "--\r\n";
  content_type = "multipart/form-data; boundary=" + boundary;
  return body;
}

size_t utf8_length(std::string_view text) {
  size_t n = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

std::string PreparedRequest::target() const {
  std::string out = path;
  char sep = '?';
  for (const auto& [name, value] : query) {
    out += sep;
    out += url_encode(name);
    out += '=';
    out += url_encode(value);
    sep = '&';
  }
  return out;
}

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0x0F];
    }
  }
  return out;
}

Error platform_error(ErrorCode code, Platform platform, std::string_view endpoint,
                     std::string_view what, std::string field) {
  std::string message = platform_name(platform);
  message.append(" ").append(endpoint).append(": ").append(what);
  return Error{code, std::move(message), std::move(field)};
}

int64_t seconds_in_message(std::string_view message) {
  // The number right before "second"/"seconds" (Lazada: "This ban will last 37 more seconds").
  size_t at = 0;
  while ((at = message.find("second", at)) != std::string_view::npos) {
    size_t end = at;
    while (end > 0 && message[end - 1] == ' ') --end;
    if (end >= 5 && message.substr(end - 4, 4) == "more") {
      end -= 4;
      while (end > 0 && message[end - 1] == ' ') --end;
    }
    size_t begin = end;
    while (begin > 0 && std::isdigit(static_cast<unsigned char>(message[begin - 1]))) --begin;
    int64_t value = 0;
    if (begin < end &&
        std::from_chars(message.data() + begin, message.data() + end, value).ec == std::errc()) {
      return value;
    }
    at += 6;
  }
  return 0;
}

bool contains_ci(std::string_view text, std::string_view needle) {
  if (needle.empty()) return true;
  if (text.size() < needle.size()) return false;
  for (size_t i = 0; i + needle.size() <= text.size(); ++i) {
    size_t j = 0;
    while (j < needle.size() && std::tolower(static_cast<unsigned char>(text[i + j])) ==
                                    std::tolower(static_cast<unsigned char>(needle[j]))) {
      ++j;
    }
    if (j == needle.size()) return true;
  }
  return false;
}

int64_t json_int(const nlohmann::json& value, int64_t fallback) {
  if (value.is_number_integer()) return value.get<int64_t>();
  if (value.is_number_unsigned()) return static_cast<int64_t>(value.get<uint64_t>());
  if (value.is_number_float()) return static_cast<int64_t>(value.get<double>());
  if (value.is_string()) {
    const auto& s = value.get_ref<const std::string&>();
    int64_t out = 0;
    if (!s.empty() && std::from_chars(s.data(), s.data() + s.size(), out).ec == std::errc()) {
      return out;
    }
  }
  return fallback;
}

std::string json_text(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_integer() || value.is_number_unsigned()) return value.dump();
  return "";
}

Result<RawAnswer> send_request(const PreparedRequest& request, int read_timeout_ms,
                               CallInfo& info) {
  const std::string& base = request.base;
  auto scheme_end = base.find("://");
  size_t path_at = base.find('/', scheme_end == std::string::npos ? 0 : scheme_end + 3);
  std::string origin = path_at == std::string::npos ? base : base.substr(0, path_at);
  std::string prefix = path_at == std::string::npos ? "" : base.substr(path_at);
  while (prefix.ends_with('/')) prefix.pop_back();

  httplib::Client client(origin);
  client.set_connection_timeout(5, 0);
  client.set_read_timeout(read_timeout_ms / 1000, (read_timeout_ms % 1000) * 1000);
  client.set_write_timeout(15, 0);
  httplib::Headers headers;
  for (const auto& [k, v] : request.headers) headers.emplace(k, v);
  const std::string target = prefix + request.target();
  httplib::Result res = request.method == "GET" ? client.Get(target, headers)
                                                : client.Post(target, headers, request.body,
                                                              request.content_type.empty()
                                                                  ? "application/json"
                                                                  : request.content_type.c_str());
  if (!res) {
    const auto error = res.error();
    // Read/Write/Unknown: the connection was open and (part of) the request went out.
    info.maybe_sent = error == httplib::Error::Read || error == httplib::Error::Write ||
                      error == httplib::Error::Unknown;
    return Error{ErrorCode::unavailable,
                 std::string(info.maybe_sent ? "no answer after sending (" : "not sent (") +
                     httplib::to_string(error) + ")",
                 ""};
  }
  if (res->has_header("Retry-After")) {
    int64_t seconds = 0;
    const std::string value = res->get_header_value("Retry-After");
    if (std::from_chars(value.data(), value.data() + value.size(), seconds).ec == std::errc()) {
      info.retry_after = seconds;
    }
  }
  RawAnswer answer;
  answer.status = res->status;
  answer.body = res->body;
  answer.json = nlohmann::json::parse(answer.body, nullptr, false);
  return answer;
}

}  // namespace chophien::integrations
