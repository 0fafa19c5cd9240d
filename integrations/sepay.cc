#include "integrations/sepay.h"

#include <httplib.h>

#include <charconv>
#include <nlohmann/json.hpp>

#include "integrations/crypto.h"
#include "integrations/http_call.h"
#include "integrations/json_fields.h"

namespace chophien::integrations {
namespace {

using nlohmann::json;

Error unauthenticated(std::string message) {
  return Error{ErrorCode::unauthenticated, std::move(message), ""};
}

}  // namespace

std::string sepay_signature(std::string_view secret, std::string_view timestamp,
                            std::string_view raw_body) {
  std::string message;
  message.reserve(timestamp.size() + 1 + raw_body.size());
  message.append(timestamp).append(".").append(raw_body);
  return "sha256=" + hmac_sha256_hex(secret, message);
}

Result<void> sepay_authenticate(const SepayAuth& auth, const SepayHeaders& headers,
                                std::string_view raw_body, int64_t now) {
  if (auth.secret.empty()) return unauthenticated("no SePay key is connected");
  if (auth.mode == SepayMode::api_key) {
    constexpr std::string_view kScheme = "Apikey ";
    std::string_view presented = headers.authorization;
    if (presented.size() < kScheme.size() ||
        !std::equal(kScheme.begin(), kScheme.end(), presented.begin(),
                    [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
      return unauthenticated("missing Authorization: Apikey header");
    }
    presented.remove_prefix(kScheme.size());
    if (!constant_time_equals(presented, auth.secret)) return unauthenticated("bad API key");
    return {};
  }
  if (headers.timestamp.empty() || headers.signature.empty()) {
    return unauthenticated("missing X-SePay-Timestamp or X-SePay-Signature");
  }
  int64_t ts = 0;
  const std::string& t = headers.timestamp;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), ts);
  if (ec != std::errc() || end != t.data() + t.size()) {
    return unauthenticated("bad X-SePay-Timestamp");
  }
  // The signature is checked first, so that a forged request learns nothing about the clock.
  if (!constant_time_equals(headers.signature, sepay_signature(auth.secret, t, raw_body))) {
    return unauthenticated("bad signature");
  }
  if (ts < now - kSepayMaxSkewSeconds || ts > now + kSepayMaxSkewSeconds) {
    return unauthenticated("stale timestamp");
  }
  return {};
}

Result<core::BankNotification> sepay_parse(std::string_view raw_body) {
  json body = json::parse(raw_body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return invalid_input("the body is not a JSON object", "body");
  }
  core::BankNotification n;
  n.provider = "sepay";
  auto id = text_field(body, "id", true);
  if (!id) return id.error();
  n.provider_txn_id = *id;
  auto type = text_field(body, "transferType", true);
  if (!type) return type.error();
  if (*type != "in" && *type != "out") {
    return invalid_input("transferType must be in or out", "transferType");
  }
  n.direction = *type;
  auto amount = whole_number(body, "transferAmount");
  if (!amount) return amount.error();
  if (*amount < 0) return invalid_input("transferAmount must not be negative", "transferAmount");
  n.amount_vnd = *amount;
  auto account = text_field(body, "accountNumber", true);
  if (!account) return account.error();
  n.account_number = *account;
  auto content = text_field(body, "content");
  if (!content) return content.error();
  auto code = text_field(body, "code");
  if (!code) return code.error();
  n.description = *content;
  if (!code->empty() && content->find(*code) == std::string::npos) {
    n.description += n.description.empty() ? *code : " " + *code;
  }
  auto date = text_field(body, "transactionDate");
  if (date && !date->empty()) n.transaction_at = parse_vietnam_datetime(*date);
  n.raw_body = std::string(raw_body);
  return n;
}

Result<std::vector<core::BankNotification>> sepay_list_transactions(const std::string& base_url,
                                                                    const std::string& token,
                                                                    const std::string& account,
                                                                    int limit) {
  httplib::Params params{{"account_number", account}, {"limit", std::to_string(limit)}};
  std::string path = "/userapi/transactions/list?" + httplib::detail::params_to_query_str(params);
  auto answer = http_get_json(base_url, path, {{"Authorization", "Bearer " + token}}, "SePay");
  if (!answer) return answer.error();
  const json& list = (*answer)["transactions"];
  if (!list.is_array()) return invalid_input("SePay answered without transactions", "transactions");
  std::vector<core::BankNotification> out;
  for (const json& t : list) {
    core::BankNotification n;
    n.provider = "sepay";
    auto id = text_field(t, "id", true);
    auto in = whole_number(t, "amount_in", false);
    auto out_amount = whole_number(t, "amount_out", false);
    auto acc = text_field(t, "account_number", true);
    auto content = text_field(t, "transaction_content");
    auto code = text_field(t, "code");
    if (!id || !in || !out_amount || !acc || !content || !code) {
      return invalid_input("SePay answered a transaction we cannot read", "transactions");
    }
    n.provider_txn_id = *id;
    n.direction = *in > 0 ? "in" : "out";
    n.amount_vnd = *in > 0 ? *in : *out_amount;
    if (n.amount_vnd < 0) continue;
    n.account_number = *acc;
    n.description = *content;
    if (!code->empty() && content->find(*code) == std::string::npos) n.description += " " + *code;
    auto date = text_field(t, "transaction_date");
    if (date && !date->empty()) n.transaction_at = parse_vietnam_datetime(*date);
    n.raw_body = t.dump();
    out.push_back(std::move(n));
  }
  return out;
}

}  // namespace chophien::integrations
