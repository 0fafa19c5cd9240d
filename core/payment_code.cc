#include "core/payment_code.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <stdexcept>

namespace chophien::core {
namespace {

constexpr int kModulus = 31;
static_assert(kPaymentCodeAlphabet.size() == kModulus);

// Value of an alphabet character, -1 for anything else (including lower case).
constexpr std::array<int, 256> make_values() {
  std::array<int, 256> values{};
  for (auto& v : values) v = -1;
  for (size_t i = 0; i < kPaymentCodeAlphabet.size(); ++i)
    values[static_cast<unsigned char>(kPaymentCodeAlphabet[i])] = static_cast<int>(i);
  return values;
}
constexpr std::array<int, 256> kValues = make_values();

int value_of(char c) { return kValues[static_cast<unsigned char>(c)]; }

// Weighted sum of the body characters with weights 1, 2, ...; -1 if one is not in the alphabet.
int weighted_sum(std::string_view chars) {
  int sum = 0;
  for (size_t i = 0; i < chars.size(); ++i) {
    int v = value_of(chars[i]);
    if (v < 0) return -1;
    sum = (sum + static_cast<int>(i + 1) * v) % kModulus;
  }
  return sum;
}

// Inverse of w modulo 31 (w in 1..30), by Fermat: w^(31-2).
int inverse_mod(int w) {
  int result = 1;
  for (int i = 0; i < kModulus - 2; ++i) result = (result * w) % kModulus;
  return result;
}

std::string alnum_upper(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c >= 'a' && c <= 'z')
      out.push_back(static_cast<char>(c - 'a' + 'A'));
    else if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
      out.push_back(c);
  }
  return out;
}

// Candidates "CP" + 7 alphabet characters in the normalised description; `valid` selects
// those with a correct check (true) or a wrong one (false).
std::vector<std::string> candidates(std::string_view description, bool valid) {
  const std::string text = alnum_upper(description);
  const size_t body = kPaymentCodeLength - kPaymentCodePrefix.size();
  std::vector<std::string> found;
  for (size_t pos = text.find(kPaymentCodePrefix); pos != std::string::npos;
       pos = text.find(kPaymentCodePrefix, pos + 1)) {
    if (pos + kPaymentCodeLength > text.size()) break;
    std::string_view chars(text.data() + pos + kPaymentCodePrefix.size(), body);
    int sum = weighted_sum(chars);
    if (sum < 0 || (sum == 0) != valid) continue;
    std::string code = text.substr(pos, kPaymentCodeLength);
    if (std::find(found.begin(), found.end(), code) == found.end()) found.push_back(code);
  }
  return found;
}

std::string base64url(std::string_view bytes) {
  static constexpr char kChars[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char b : bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kChars[(acc >> bits) & 0x3F]);
    }
  }
  if (bits > 0) out.push_back(kChars[(acc << (6 - bits)) & 0x3F]);
  return out;
}

}  // namespace

std::string random_bytes(size_t n) {
  std::string out(n, '\0');
  if (n > 0 && RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1)
    throw std::runtime_error("RAND_bytes failed");
  return out;
}

char payment_code_check_char(std::string_view body) {
  int sum = weighted_sum(body);
  if (sum < 0) return '\0';
  // Solve sum + w * c = 0 (mod 31) for c, with w the weight of the check position.
  const int w = static_cast<int>(body.size() + 1) % kModulus;
  const int c = ((kModulus - sum) % kModulus) * inverse_mod(w) % kModulus;
  return kPaymentCodeAlphabet[static_cast<size_t>(c)];
}

std::string new_payment_code() {
  std::string code(kPaymentCodePrefix);
  // Rejection sampling keeps every character equally likely: 248 = 8 * 31.
  while (code.size() < kPaymentCodePrefix.size() + kPaymentCodeRandomChars) {
    for (unsigned char b : random_bytes(16)) {
      if (b >= 248) continue;
      code.push_back(kPaymentCodeAlphabet[b % kModulus]);
      if (code.size() == kPaymentCodePrefix.size() + kPaymentCodeRandomChars) break;
    }
  }
  code.push_back(payment_code_check_char(std::string_view(code).substr(kPaymentCodePrefix.size())));
  return code;
}

bool is_valid_payment_code(std::string_view code) {
  if (code.size() != kPaymentCodeLength || !code.starts_with(kPaymentCodePrefix)) return false;
  return weighted_sum(code.substr(kPaymentCodePrefix.size())) == 0;
}

std::vector<std::string> find_codes_in(std::string_view description) {
  return candidates(description, true);
}

std::vector<std::string> find_mistyped_codes_in(std::string_view description) {
  return candidates(description, false);
}

std::string new_access_token() { return base64url(random_bytes(24)); }

std::string hash_access_token(std::string_view token) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(token.data(), token.size(), digest, &length, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("SHA-256 failed");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0x0F]);
  }
  return hex;
}

bool access_token_matches(std::string_view token, std::string_view stored_hash) {
  const std::string hash = hash_access_token(token);
  if (hash.size() != stored_hash.size()) return false;
  return CRYPTO_memcmp(hash.data(), stored_hash.data(), hash.size()) == 0;
}

}  // namespace chophien::core
