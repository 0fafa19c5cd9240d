#pragma once
// Small cryptographic helpers over OpenSSL for the notification services: HMAC in lowercase hex,
// constant-time comparison, hex and base64 codecs, random bytes.
//
// Thread-safety: pure functions; random_bytes uses OpenSSL's thread-safe generator.

#include <optional>
#include <string>
#include <string_view>

namespace chophien::integrations {

// Lowercase hex of HMAC-SHA256 / HMAC-SHA512 over the bytes of `message` with the bytes of `key`.
std::string hmac_sha256_hex(std::string_view key, std::string_view message);
std::string hmac_sha512_hex(std::string_view key, std::string_view message);
// Raw SHA-256 digest (32 bytes).
std::string sha256(std::string_view bytes);

// Equal length and equal bytes, in time independent of where they differ (CRYPTO_memcmp).
bool constant_time_equals(std::string_view a, std::string_view b);

std::string to_hex(std::string_view bytes);
// nullopt unless `hex` has an even length and only hex digits (either case).
std::optional<std::string> from_hex(std::string_view hex);
std::string to_base64(std::string_view bytes);
// Standard alphabet with padding; nullopt on anything else.
std::optional<std::string> from_base64(std::string_view text);

// `n` bytes from OpenSSL's CSPRNG. Throws std::runtime_error if the generator fails (a broken
// system, not normal traffic).
std::string random_bytes(size_t n);

}  // namespace chophien::integrations
