#pragma once
// SePay bank-account webhooks (integrations.md 5.1): authentication on the raw body, the payload
// as core's BankNotification, the answer SePay expects, and its transaction list (reconciliation).
//
// Authentication, one mode per connection:
//   api_key  `Authorization: Apikey <key>`, compared in constant time;
//   hmac     `X-SePay-Timestamp: <unix s>` and `X-SePay-Signature: sha256=<hex>`, hex =
//            HMAC-SHA256(secret, timestamp + "." + raw_body); timestamps more than
//            kSepayMaxSkewSeconds from now are refused.
// Failures are unauthenticated (the message says which check failed, never the secret).
//
// Thread-safety: pure functions; SepayClient is one HTTP client, one thread at a time.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/payments.h"
#include "core/result.h"

namespace chophien::integrations {

inline constexpr int64_t kSepayMaxSkewSeconds = 300;
inline constexpr const char* kSepaySuccessBody = R"({"success":true})";

enum class SepayMode { api_key, hmac };

struct SepayAuth {
  SepayMode mode = SepayMode::api_key;
  std::string secret;  // the API key or the HMAC secret
};

// The headers of the request as received ("" when absent).
struct SepayHeaders {
  std::string authorization;
  std::string timestamp;
  std::string signature;
};

// "sha256=<hex>" over `timestamp + "." + body`.
std::string sepay_signature(std::string_view secret, std::string_view timestamp,
                            std::string_view raw_body);

Result<void> sepay_authenticate(const SepayAuth& auth, const SepayHeaders& headers,
                                std::string_view raw_body, int64_t now);

// Parses a webhook body. Required: id, transferType ("in" or "out"), transferAmount (a whole
// number >= 0), accountNumber. The description used for matching is `content`, followed by
// `code` when SePay extracted one that `content` does not already contain. Errors: invalid_input
// naming the field (malformed JSON is field "body").
Result<core::BankNotification> sepay_parse(std::string_view raw_body);

// The account's recent transactions through SePay's user API
// (`GET {base_url}/userapi/transactions/list?account_number=&limit=`, `Authorization: Bearer
// <token>`), each as a BankNotification with the same dedup key as its webhook (the SePay id).
// Errors: unavailable (no answer, HTTP 5xx/429), unauthenticated (401/403), invalid_input (an
// answer we cannot read).
Result<std::vector<core::BankNotification>> sepay_list_transactions(const std::string& base_url,
                                                                    const std::string& token,
                                                                    const std::string& account,
                                                                    int limit = 100);

}  // namespace chophien::integrations
