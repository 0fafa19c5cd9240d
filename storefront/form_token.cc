#include "storefront/form_token.h"

#include <httplib.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <stdexcept>

namespace chophien::storefront {
namespace {

constexpr size_t kTokenBytes = 16;

bool well_formed(std::string_view token) {
  if (token.size() != kTokenBytes * 2) return false;
  for (char c : token) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string new_form_token() {
  unsigned char bytes[kTokenBytes];
  // Without randomness there is no safe token; that is a broken machine, not traffic.
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("RAND_bytes failed");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(kTokenBytes * 2);
  for (unsigned char b : bytes) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xF]);
  }
  return out;
}

std::optional<std::string> cookie_in(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const size_t semi = header.find(';');
    const std::string_view pair = trim(header.substr(0, semi));
    const size_t eq = pair.find('=');
    if (eq != std::string_view::npos && trim(pair.substr(0, eq)) == name) {
      std::string_view value = trim(pair.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      return std::string(value);
    }
    if (semi == std::string_view::npos) break;
    header.remove_prefix(semi + 1);
  }
  return std::nullopt;
}

std::optional<std::string> cookie_value(const httplib::Request& req, std::string_view name) {
  auto range = req.headers.equal_range("Cookie");
  for (auto it = range.first; it != range.second; ++it) {
    if (auto value = cookie_in(it->second, name)) return value;
  }
  return std::nullopt;
}

bool well_formed_form_token(std::string_view token) { return well_formed(token); }

std::string form_token_cookie(std::string_view token, bool tls) {
  std::string cookie = std::string(kFormTokenCookie) + "=" + std::string(token) +
                       "; Path=/; HttpOnly; SameSite=Lax; Max-Age=86400";
  if (tls) cookie += "; Secure";
  return cookie;
}

std::string form_token_for(const httplib::Request& req, httplib::Response& res, bool tls) {
  if (auto existing = cookie_value(req, kFormTokenCookie); existing && well_formed(*existing)) {
    return *existing;
  }
  std::string token = new_form_token();
  res.set_header("Set-Cookie", form_token_cookie(token, tls));
  return token;
}

bool form_token_ok(const httplib::Request& req) {
  auto cookie = cookie_value(req, kFormTokenCookie);
  if (!cookie || !well_formed(*cookie) || !req.has_param(kFormTokenField)) return false;
  const std::string field = req.get_param_value(kFormTokenField);
  return field.size() == cookie->size() &&
         CRYPTO_memcmp(field.data(), cookie->data(), field.size()) == 0;
}

}  // namespace chophien::storefront
