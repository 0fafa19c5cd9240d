#pragma once
// Secrets at rest (API keys, webhook secrets, checksum keys): AES-256-GCM through OpenSSL with a
// random 96-bit nonce per message and a 128-bit tag. The sealed form is text, versioned:
//
//   v1:<base64(nonce[12] || ciphertext || tag[16])>
//
// `context` is authenticated but not stored (GCM additional data): a sealed value only opens with
// the same context, so a ciphertext copied to another producer's row or field fails to open.
//
// The key comes from the installation's configuration (CHOPHIEN_SECRET_KEY): 64 hex digits or
// base64 of exactly 32 bytes are used as the key itself; any other text of at least 32 characters
// is accepted as a passphrase and its SHA-256 is the key (what docs/configuration.md promises).
//
// Errors: from_key: invalid_input (field "CHOPHIEN_SECRET_KEY") for an empty or short key, and
// unavailable when none is configured (no secret can be stored then). open: invalid_input when the
// text is not a sealed value of a known version, forbidden when the tag does not verify (wrong key,
// wrong context or altered bytes). Plaintexts never appear in error messages.
//
// Thread-safety: const methods may be used from any number of threads at once.

#include <string>
#include <string_view>

#include "core/result.h"

namespace chophien::integrations {

class SecretBox {
 public:
  static constexpr size_t kKeyBytes = 32;
  static constexpr size_t kNonceBytes = 12;
  static constexpr size_t kTagBytes = 16;

  static Result<SecretBox> from_key(std::string_view configured_key);

  std::string seal(std::string_view plaintext, std::string_view context) const;
  Result<std::string> open(std::string_view sealed, std::string_view context) const;

 private:
  explicit SecretBox(std::string key) : key_(std::move(key)) {}
  std::string key_;  // 32 raw bytes
};

// The last four characters of a secret, for display ("…Ab12"); the whole string if shorter than 8
// characters would reveal too much, so then only "…" and the last one.
std::string secret_hint(std::string_view secret);

}  // namespace chophien::integrations
