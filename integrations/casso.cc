#include "integrations/casso.h"

#include <charconv>

#include "integrations/crypto.h"
#include "integrations/http_call.h"
#include "integrations/json_fields.h"

namespace chophien::integrations {
namespace {

using nlohmann::json;

Error unauthenticated(std::string message) {
  return Error{ErrorCode::unauthenticated, std::move(message), ""};
}

// nlohmann::json keeps object keys in a std::map, so dump() is already sorted recursively.
std::string escape_slashes(std::string text) {
  std::string out;
  out.reserve(text.size() + 8);
  for (char c : text) {
    if (c == '/') out += '\\';
    out += c;
  }
  return out;
}

// Casso writes money out as a negative amount. The magnitude is checked before it is negated:
// -INT64_MIN does not exist.
Result<core::BankNotification> from_amount(int64_t amount, std::string id) {
  if (amount > kMaxWholeNumber || amount < -kMaxWholeNumber) {
    return invalid_input("amount is out of range", "amount");
  }
  core::BankNotification n;
  n.provider = "casso";
  n.provider_txn_id = std::move(id);
  n.direction = amount < 0 ? "out" : "in";
  n.amount_vnd = amount < 0 ? -amount : amount;
  return n;
}

}  // namespace

std::string casso_canonical_json(const json& body, bool escaped) {
  if (!escaped) return body.dump(-1, ' ', false, json::error_handler_t::replace);
  return escape_slashes(body.dump(-1, ' ', true, json::error_handler_t::replace));
}

std::string casso_signature_header(std::string_view secret, int64_t t_ms, const json& body) {
  std::string t = std::to_string(t_ms);
  return "t=" + t + ",v1=" + hmac_sha512_hex(secret, t + "." + casso_canonical_json(body));
}

Result<void> casso_authenticate(std::string_view secret, std::string_view header,
                                std::string_view raw_body, int64_t now) {
  if (secret.empty()) return unauthenticated("no Casso secret is connected");
  std::string_view t, v1;
  while (!header.empty()) {
    size_t comma = header.find(',');
    std::string_view part = header.substr(0, comma);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.starts_with("t=")) t = part.substr(2);
    if (part.starts_with("v1=")) v1 = part.substr(3);
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  if (t.empty() || v1.empty()) return unauthenticated("missing or malformed X-Casso-Signature");
  int64_t t_ms = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), t_ms);
  if (ec != std::errc() || end != t.data() + t.size()) {
    return unauthenticated("malformed X-Casso-Signature");
  }
  json body = json::parse(raw_body, nullptr, false);
  if (body.is_discarded()) return invalid_input("the body is not JSON", "body");
  const std::string prefix = std::string(t) + ".";
  bool ok = constant_time_equals(v1, hmac_sha512_hex(secret, prefix + casso_canonical_json(body)));
  if (!ok) {
    ok = constant_time_equals(v1,
                              hmac_sha512_hex(secret, prefix + casso_canonical_json(body, true)));
  }
  if (!ok) return unauthenticated("bad signature");
  const int64_t t_s = t_ms / 1000;
  if (t_s < now - kCassoMaxSkewSeconds || t_s > now + kCassoMaxSkewSeconds) {
    return unauthenticated("stale timestamp");
  }
  return {};
}

Result<core::BankNotification> casso_parse(std::string_view raw_body) {
  json body = json::parse(raw_body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return invalid_input("the body is not a JSON object", "body");
  }
  auto it = body.find("data");
  if (it == body.end() || !it->is_object()) return invalid_input("data is required", "data");
  const json& data = *it;
  auto id = text_field(data, "id", true);
  if (!id) return id.error();
  auto amount = whole_number(data, "amount");
  if (!amount) return amount.error();
  auto account = text_field(data, "accountNumber", true);
  if (!account) return account.error();
  auto description = text_field(data, "description");
  if (!description) return description.error();
  auto parsed = from_amount(*amount, *id);
  if (!parsed) return parsed.error();
  core::BankNotification n = std::move(*parsed);
  n.account_number = *account;
  n.description = *description;
  auto when = text_field(data, "transactionDateTime");
  if (when && !when->empty()) n.transaction_at = parse_vietnam_datetime(*when);
  n.raw_body = std::string(raw_body);
  return n;
}

Result<std::vector<core::BankNotification>> casso_list_transactions(const std::string& base_url,
                                                                    const std::string& api_key,
                                                                    const std::string& from_date,
                                                                    int page_size) {
  std::string path = "/v2/transactions?fromDate=" + from_date +
                     "&pageSize=" + std::to_string(page_size) + "&sort=DESC";
  auto answer = http_get_json(base_url, path, {{"Authorization", "Apikey " + api_key}}, "Casso");
  if (!answer) return answer.error();
  const json& data = (*answer)["data"];
  const json* records = data.is_object() && data.contains("records") ? &data["records"] : nullptr;
  if (records == nullptr || !records->is_array()) {
    return invalid_input("Casso answered without records", "records");
  }
  std::vector<core::BankNotification> out;
  for (const json& r : *records) {
    auto id = text_field(r, "id", true);
    auto amount = whole_number(r, "amount");
    auto account = text_field(r, "bankSubAccId");
    if (account && account->empty()) account = text_field(r, "accountNumber");
    auto description = text_field(r, "description");
    if (!id || !amount || !account || !description) {
      return invalid_input("Casso answered a record we cannot read", "records");
    }
    auto parsed = from_amount(*amount, *id);
    if (!parsed) return invalid_input("Casso answered a record we cannot read", "records");
    core::BankNotification n = std::move(*parsed);
    n.account_number = *account;
    n.description = *description;
    auto when = text_field(r, "when");
    if (when && !when->empty()) n.transaction_at = parse_vietnam_datetime(*when);
    n.raw_body = r.dump();
    out.push_back(std::move(n));
  }
  return out;
}

}  // namespace chophien::integrations
