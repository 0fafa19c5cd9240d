#include "integrations/payos.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "integrations/crypto.h"
#include "integrations/http_call.h"
#include "integrations/json_fields.h"

namespace chophien::integrations {
namespace {

using nlohmann::json;

Error unauthenticated(std::string message) {
  return Error{ErrorCode::unauthenticated, std::move(message), ""};
}

std::string value_text(const json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    if (s == "null" || s == "undefined") return "";
    return s;
  }
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  // Numbers, arrays and objects: compact JSON, keys sorted (nlohmann keeps them sorted).
  return v.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<PaymentLink> link_from(const json& answer, std::string_view checksum_key) {
  auto data_it = answer.find("data");
  if (data_it == answer.end() || !data_it->is_object()) {
    return invalid_input("payOS answered without data", "data");
  }
  auto sig = answer.find("signature");
  if (sig == answer.end() || !sig->is_string() ||
      !constant_time_equals(sig->get_ref<const std::string&>(),
                            payos_data_signature(checksum_key, *data_it))) {
    return unauthenticated("payOS: the answer's signature does not verify");
  }
  const json& d = *data_it;
  PaymentLink link;
  auto code = whole_number(d, "orderCode");
  auto amount = whole_number(d, "amount");
  if (!code || !amount) return invalid_input("payOS answered data we cannot read", "data");
  link.order_code = *code;
  link.amount = *amount;
  auto text = [&](const char* key) {
    auto t = text_field(d, key);
    return t ? *t : std::string();
  };
  link.payment_link_id = text("paymentLinkId");
  if (link.payment_link_id.empty()) link.payment_link_id = text("id");
  link.status = text("status");
  link.checkout_url = text("checkoutUrl");
  link.qr_code = text("qrCode");
  link.account_number = text("accountNumber");
  link.bin = text("bin");
  return link;
}

}  // namespace

std::string payos_data_string(const json& data) {
  std::string out;
  if (!data.is_object()) return out;
  for (auto it = data.begin(); it != data.end(); ++it) {
    if (!out.empty()) out += '&';
    out += it.key();
    out += '=';
    out += value_text(it.value());
  }
  return out;
}

std::string payos_data_signature(std::string_view checksum_key, const json& data) {
  return hmac_sha256_hex(checksum_key, payos_data_string(data));
}

std::string payos_link_signature(std::string_view checksum_key, int64_t amount,
                                 std::string_view cancel_url, std::string_view description,
                                 int64_t order_code, std::string_view return_url) {
  std::string message =
      "amount=" + std::to_string(amount) + "&cancelUrl=" + std::string(cancel_url) +
      "&description=" + std::string(description) + "&orderCode=" + std::to_string(order_code) +
      "&returnUrl=" + std::string(return_url);
  return hmac_sha256_hex(checksum_key, message);
}

Result<void> payos_authenticate(std::string_view checksum_key, std::string_view raw_body) {
  if (checksum_key.empty()) return unauthenticated("no payOS checksum key is connected");
  json body = json::parse(raw_body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return invalid_input("the body is not a JSON object", "body");
  }
  auto data = body.find("data");
  auto sig = body.find("signature");
  if (sig == body.end() || !sig->is_string()) return unauthenticated("missing signature");
  if (data == body.end() || !data->is_object()) return invalid_input("data is required", "data");
  if (!constant_time_equals(sig->get_ref<const std::string&>(),
                            payos_data_signature(checksum_key, *data))) {
    return unauthenticated("bad signature");
  }
  return {};
}

Result<core::BankNotification> payos_parse(std::string_view raw_body) {
  json body = json::parse(raw_body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return invalid_input("the body is not a JSON object", "body");
  }
  auto it = body.find("data");
  if (it == body.end() || !it->is_object()) return invalid_input("data is required", "data");
  const json& d = *it;
  auto order_code = whole_number(d, "orderCode");
  if (!order_code) return order_code.error();
  auto amount = whole_number(d, "amount");
  if (!amount) return amount.error();
  if (*amount < 0) return invalid_input("amount must not be negative", "amount");
  auto reference = text_field(d, "reference", true);
  if (!reference) return reference.error();
  auto account = text_field(d, "accountNumber", true);
  if (!account) return account.error();
  auto currency = text_field(d, "currency");
  if (!currency) return currency.error();
  if (!currency->empty() && *currency != "VND") {
    return invalid_input("currency must be VND", "currency");
  }
  auto description = text_field(d, "description");
  if (!description) return description.error();
  core::BankNotification n;
  n.provider = "payos";
  n.provider_txn_id = *reference + ":" + std::to_string(*order_code);
  n.direction = "in";
  n.amount_vnd = *amount;
  n.account_number = *account;
  n.description = *description;
  auto when = text_field(d, "transactionDateTime");
  if (when && !when->empty()) n.transaction_at = parse_vietnam_datetime(*when);
  n.raw_body = std::string(raw_body);
  return n;
}

Result<PaymentLink> PayosClient::create_link(const PaymentLinkRequest& request) {
  if (request.description.empty() || request.description.size() > kPayosMaxDescription) {
    return invalid_input("description must be 1 to 25 characters", "description");
  }
  for (unsigned char c : request.description) {
    if (c < 0x20 || c > 0x7e) return invalid_input("description must be ASCII", "description");
  }
  if (request.amount <= 0) return invalid_input("amount must be positive", "amount");
  json body = {{"orderCode", request.order_code},
               {"amount", request.amount},
               {"description", request.description},
               {"cancelUrl", request.cancel_url},
               {"returnUrl", request.return_url},
               {"signature",
                payos_link_signature(credentials_.checksum_key, request.amount, request.cancel_url,
                                     request.description, request.order_code, request.return_url)}};
  if (request.expired_at) body["expiredAt"] = *request.expired_at;
  // Serialised once; these exact bytes are sent (and retried).
  const std::string text = body.dump();
  const HttpHeaders headers = {{"x-client-id", credentials_.client_id},
                               {"x-api-key", credentials_.api_key}};
  Result<HttpAnswer> answer = Error{ErrorCode::unavailable, "payOS: not called", ""};
  for (int attempt = 0; attempt < std::max(1, options_.attempts); ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(200 << attempt));
    answer = http_post_json(base_url_, "/v2/payment-requests", text, headers, "payOS",
                            options_.timeouts);
    if (answer || answer.error().code != ErrorCode::unavailable) break;
  }
  if (!answer) return answer.error();
  auto code = text_field(answer->body, "code");
  if (code && *code == "231") {
    auto existing = get_link(request.order_code);
    if (!existing) return existing.error();
    existing->existed = true;
    return existing;
  }
  if (!code || *code != "00") {
    auto desc = text_field(answer->body, "desc");
    return invalid_input("payOS refused the link (code " + (code ? *code : std::string("?")) +
                             "): " + (desc ? *desc : std::string()),
                         "payos");
  }
  return link_from(answer->body, credentials_.checksum_key);
}

Result<PaymentLink> PayosClient::get_link(int64_t order_code) {
  auto answer =
      http_get_json(base_url_, "/v2/payment-requests/" + std::to_string(order_code),
                    {{"x-client-id", credentials_.client_id}, {"x-api-key", credentials_.api_key}},
                    "payOS", options_.timeouts);
  if (!answer) return answer.error();
  auto code = text_field(*answer, "code");
  if (!code || *code != "00") {
    return invalid_input(
        "payOS could not find the link for order code " + std::to_string(order_code), "payos");
  }
  auto link = link_from(*answer, credentials_.checksum_key);
  if (link && link->order_code != order_code) {
    return invalid_input("payOS answered for another order code", "orderCode");
  }
  return link;
}

}  // namespace chophien::integrations
