#include "integrations/marketplace_signing.h"

#include <algorithm>
#include <cctype>

#include "integrations/crypto.h"

namespace chophien::integrations {
namespace {

// Byte order of names (std::string compares as unsigned char); equal names keep their order.
void sort_by_name(SignedParams& params) {
  std::stable_sort(params.begin(), params.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
}

}  // namespace

std::string shopee_base_string(std::string_view partner_id, std::string_view path,
                               int64_t timestamp, std::string_view access_token,
                               std::string_view shop_id) {
  std::string base;
  base.append(partner_id).append(path).append(std::to_string(timestamp));
  base.append(access_token).append(shop_id);
  return base;
}

std::string shopee_sign(std::string_view partner_key, std::string_view base_string) {
  return hmac_sha256_hex(partner_key, base_string);
}

std::string lazada_base_string(std::string_view api_path, SignedParams params) {
  // integrations.md: empty values are not sent, so they are not signed either.
  std::erase_if(params, [](const auto& p) { return p.first == "sign" || p.second.empty(); });
  sort_by_name(params);
  std::string base(api_path);
  for (const auto& [name, value] : params) base.append(name).append(value);
  return base;
}

std::string lazada_sign(std::string_view app_secret, std::string_view base_string) {
  std::string hex = hmac_sha256_hex(app_secret, base_string);
  for (char& c : hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return hex;
}

std::string tiktok_base_string(std::string_view app_secret, std::string_view path,
                               SignedParams query, std::string_view body, bool multipart) {
  std::erase_if(query,
                [](const auto& p) { return p.first == "sign" || p.first == "access_token"; });
  sort_by_name(query);
  std::string base(app_secret);
  base.append(path);
  for (const auto& [name, value] : query) base.append(name).append(value);
  if (!multipart) base.append(body);
  base.append(app_secret);
  return base;
}

std::string tiktok_sign(std::string_view app_secret, std::string_view base_string) {
  return hmac_sha256_hex(app_secret, base_string);
}

}  // namespace chophien::integrations
