#include "integrations/secret_box.h"

#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

#include "integrations/crypto.h"

namespace chophien::integrations {
namespace {

constexpr std::string_view kVersion = "v1:";

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}
unsigned char* bytes(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

}  // namespace

Result<SecretBox> SecretBox::from_key(std::string_view configured_key) {
  if (configured_key.empty()) {
    return Error{ErrorCode::unavailable,
                 "no encryption key is configured (set CHOPHIEN_SECRET_KEY): provider secrets "
                 "cannot be stored",
                 "CHOPHIEN_SECRET_KEY"};
  }
  if (configured_key.size() == 2 * kKeyBytes) {
    if (auto raw = from_hex(configured_key)) return SecretBox(std::move(*raw));
  }
  if (auto raw = from_base64(configured_key); raw && raw->size() == kKeyBytes) {
    return SecretBox(std::move(*raw));
  }
  if (configured_key.size() < 32) {
    return invalid_input("CHOPHIEN_SECRET_KEY must be at least 32 characters long",
                         "CHOPHIEN_SECRET_KEY");
  }
  return SecretBox(sha256(configured_key));
}

std::string SecretBox::seal(std::string_view plaintext, std::string_view context) const {
  const std::string nonce = random_bytes(kNonceBytes);
  std::string out = nonce;
  out.resize(kNonceBytes + plaintext.size() + kTagBytes);
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  // Failures here mean a broken OpenSSL, not bad input: bugs, hence exceptions.
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) != 1 ||
      EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, bytes(key_), bytes(nonce)) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, bytes(context),
                        static_cast<int>(context.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), bytes(out) + kNonceBytes, &len, bytes(plaintext),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), bytes(out) + kNonceBytes + len, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes,
                          bytes(out) + kNonceBytes + plaintext.size()) != 1) {
    throw std::runtime_error("AES-256-GCM encryption failed");
  }
  return std::string(kVersion) + to_base64(out);
}

Result<std::string> SecretBox::open(std::string_view sealed, std::string_view context) const {
  if (!sealed.starts_with(kVersion)) {
    return invalid_input("not a sealed secret of a known version", "secret");
  }
  auto raw = from_base64(sealed.substr(kVersion.size()));
  if (!raw || raw->size() < kNonceBytes + kTagBytes) {
    return invalid_input("not a sealed secret of a known version", "secret");
  }
  const size_t text_size = raw->size() - kNonceBytes - kTagBytes;
  std::string plain(text_size, '\0');
  std::string tag = raw->substr(kNonceBytes + text_size);
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) != 1 ||
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, bytes(key_), bytes(*raw)) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, bytes(context),
                        static_cast<int>(context.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), bytes(plain), &len, bytes(*raw) + kNonceBytes,
                        static_cast<int>(text_size)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, bytes(tag)) != 1) {
    throw std::runtime_error("AES-256-GCM decryption setup failed");
  }
  if (EVP_DecryptFinal_ex(ctx.get(), bytes(plain) + len, &len) != 1) {
    return Error{ErrorCode::forbidden, "the sealed secret does not verify (wrong key or altered)",
                 "secret"};
  }
  return plain;
}

std::string secret_hint(std::string_view secret) {
  if (secret.size() < 8)
    return secret.empty() ? "" : "…" + std::string(secret.substr(secret.size() - 1));
  return "…" + std::string(secret.substr(secret.size() - 4));
}

}  // namespace chophien::integrations
