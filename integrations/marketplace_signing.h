#pragma once
// Request signing of the marketplaces, exactly as integrations.md sections 1-3 describe it. Each
// platform has two steps: the base string (what is signed) and the signature over it, so a dry
// run can show both and the tests can pin each byte.
//
//   Shopee v2   base = partner_id + path + timestamp [+ access_token + shop_id]
//               sign = lowercase hex HMAC-SHA256(partner_key, base)
//   Lazada      base = api_path + name1 + value1 + ... (names sorted by byte, `sign` and empty
//               values left out); sign = UPPERCASE hex HMAC-SHA256(app_secret, base)
//   TikTok Shop base = app_secret + path + name1 + value1 + ... (sorted, without `sign` and
//               `access_token`) + body (unless multipart) + app_secret
//               sign = lowercase hex HMAC-SHA256(app_secret, base)
//
// Keys and messages are the UTF-8 bytes of the strings; values are used raw (unencoded).
// Thread-safety: pure functions.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chophien::integrations {

using SignedParams = std::vector<std::pair<std::string, std::string>>;

// Public calls (auth, token): leave access_token and shop_id empty.
std::string shopee_base_string(std::string_view partner_id, std::string_view path,
                               int64_t timestamp, std::string_view access_token = {},
                               std::string_view shop_id = {});
std::string shopee_sign(std::string_view partner_key, std::string_view base_string);

// `api_path` is the path after the /rest prefix ("/product/create").
std::string lazada_base_string(std::string_view api_path, SignedParams params);
std::string lazada_sign(std::string_view app_secret, std::string_view base_string);

// `query` holds every query parameter; `sign` and `access_token` are left out here. The body is
// appended unless `multipart` (image uploads).
std::string tiktok_base_string(std::string_view app_secret, std::string_view path,
                               SignedParams query, std::string_view body, bool multipart = false);
std::string tiktok_sign(std::string_view app_secret, std::string_view base_string);

}  // namespace chophien::integrations
