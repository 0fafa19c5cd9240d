#pragma once
// Casso webhook v2 (integrations.md 5.2): the X-Casso-Signature check, the payload as core's
// BankNotification, and Casso's transaction list (reconciliation).
//
// Signature: header `t=<ms>,v1=<hex>`; v1 = HMAC-SHA512(secret, t + "." + json), where json is
// the parsed body with object keys sorted recursively, written compactly. Casso's PHP sample
// escapes non-ASCII as \uXXXX and '/' as \/, its JS and Python samples do not: both forms are
// tried. Timestamps more than kCassoMaxSkewSeconds from now are refused. Failures are
// unauthenticated; a body that is not JSON is invalid_input (field "body").
//
// Thread-safety: pure functions.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/payments.h"
#include "core/result.h"

namespace chophien::integrations {

inline constexpr int64_t kCassoMaxSkewSeconds = 300;

// The sorted compact JSON Casso signs; `escaped` gives the PHP form.
std::string casso_canonical_json(const nlohmann::json& body, bool escaped = false);
// The whole header value "t=<t_ms>,v1=<hex>" for `body` (what Casso sends; used by fakes).
std::string casso_signature_header(std::string_view secret, int64_t t_ms,
                                   const nlohmann::json& body);

Result<void> casso_authenticate(std::string_view secret, std::string_view signature_header,
                                std::string_view raw_body, int64_t now);

// Required: data.id, data.amount (whole; negative = money out, stored as direction out with the
// absolute amount), data.accountNumber. Description: data.description.
Result<core::BankNotification> casso_parse(std::string_view raw_body);

// Recent transactions through Casso's API (`GET {base_url}/v2/transactions?fromDate=&pageSize=
// &sort=DESC`, `Authorization: Apikey <api_key>`), with the webhook's dedup key (the id).
// Errors as sepay_list_transactions.
Result<std::vector<core::BankNotification>> casso_list_transactions(const std::string& base_url,
                                                                    const std::string& api_key,
                                                                    const std::string& from_date,
                                                                    int page_size = 100);

}  // namespace chophien::integrations
