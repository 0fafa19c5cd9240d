#pragma once
// payOS (integrations.md 5.3): the data signature of webhooks and answers, the signed
// create-payment-link request, the webhook as core's BankNotification, and a small client for
// payment links.
//
// Data signature: keys of `data` sorted, `key=value` joined with '&' (null, "null" and
// "undefined" as "", arrays and objects as compact JSON with sorted keys, other values as
// written), HMAC-SHA256 with the checksum key, lowercase hex. payOS webhooks carry no timestamp,
// so there is no freshness check; deduplication on reference + orderCode makes replays harmless.
//
// Thread-safety: pure functions; a PayosClient may be used by one thread at a time.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/payments.h"
#include "core/result.h"
#include "integrations/http_call.h"

namespace chophien::integrations {

inline constexpr size_t kPayosMaxDescription = 25;
// The limit for bank accounts not linked through payOS.
inline constexpr size_t kPayosMaxUnlinkedDescription = 9;

std::string payos_data_string(const nlohmann::json& data);
std::string payos_data_signature(std::string_view checksum_key, const nlohmann::json& data);
// hex(HMAC-SHA256(key, "amount=..&cancelUrl=..&description=..&orderCode=..&returnUrl=..")).
std::string payos_link_signature(std::string_view checksum_key, int64_t amount,
                                 std::string_view cancel_url, std::string_view description,
                                 int64_t order_code, std::string_view return_url);

// Verifies `signature` over `data` in the raw body. unauthenticated on a bad or missing signature;
// invalid_input (field "body") when the body is not a JSON object with a `data` object.
Result<void> payos_authenticate(std::string_view checksum_key, std::string_view raw_body);

// Required: data.orderCode, data.amount (>= 0), data.reference, data.accountNumber; currency,
// when given, must be VND. Dedup key: reference + ":" + orderCode. The description used for
// matching is data.description.
Result<core::BankNotification> payos_parse(std::string_view raw_body);

struct PayosCredentials {
  std::string client_id;
  std::string api_key;
  std::string checksum_key;
};

struct PaymentLinkRequest {
  int64_t order_code = 0;  // unique per payment channel; we use the order's id
  int64_t amount = 0;
  std::string description;  // the transfer memo: ASCII, at most kPayosMaxDescription
  std::string cancel_url;
  std::string return_url;
  std::optional<int64_t> expired_at;  // unix seconds
};

struct PaymentLink {
  int64_t order_code = 0;
  int64_t amount = 0;
  std::string payment_link_id;
  std::string status;  // PENDING, PAID, CANCELLED, EXPIRED, ...
  std::string checkout_url;
  std::string qr_code;  // the VietQR payload text
  std::string account_number;
  std::string bin;
  bool existed = false;  // payOS answered 231: the link had been created before
};

// How hard a client tries. The defaults follow the official SDK (3 attempts); a page that must
// not wait long on payOS uses one short attempt.
struct PayosCallOptions {
  int attempts = 3;  // for unavailable answers (no connection, timeout, 408/429/5xx)
  HttpTimeouts timeouts;
};

class PayosClient {
 public:
  PayosClient(std::string base_url, PayosCredentials credentials, PayosCallOptions options = {})
      : base_url_(std::move(base_url)), credentials_(std::move(credentials)), options_(options) {}

  // Creates the link with the signed request and verifies the answer's signature. Idempotent on
  // the order code: payOS's error 231 (code exists) fetches the existing link instead.
  // Errors: invalid_input (description too long or not ASCII, payOS code 20 or another refusal,
  // with payOS's desc), unauthenticated (credentials refused, or an answer whose signature does
  // not verify), unavailable (payOS unreachable or 5xx after 3 attempts).
  Result<PaymentLink> create_link(const PaymentLinkRequest& request);
  // GET /v2/payment-requests/{order_code}; the answer's signature must verify and its orderCode
  // must be the one asked for. payOS's answer to this call may carry neither checkoutUrl nor
  // qrCode: those fields are then empty.
  Result<PaymentLink> get_link(int64_t order_code);

 private:
  std::string base_url_;
  PayosCredentials credentials_;
  PayosCallOptions options_;
};

}  // namespace chophien::integrations
