#include "storefront/json_mapping.h"

#include <charconv>

#include "core/text.h"
#include "qr/banks.h"

namespace chophien::storefront {
namespace {

Json optional_int(const std::optional<int64_t>& value) {
  return value ? Json(*value) : Json(nullptr);
}

Json optional_text(const std::optional<std::string>& value) {
  return value ? Json(*value) : Json(nullptr);
}

const char* type_name(const Json& value) {
  if (value.is_string()) return "a string";
  if (value.is_boolean()) return "true or false";
  if (value.is_number_integer() || value.is_number_unsigned()) return "a whole number";
  if (value.is_number()) return "a number";
  if (value.is_array()) return "a list";
  if (value.is_object()) return "an object";
  return "null";
}

Error wrong_type(const std::string& field, const char* expected, const Json& got) {
  return invalid_input(field + " must be " + expected + ", not " + type_name(got), field);
}

}  // namespace

Json time_json(std::optional<int64_t> unix_seconds) {
  if (!unix_seconds) return nullptr;
  return core::format_rfc3339_vietnam(*unix_seconds);
}

Json user_json(const core::User& user) {
  return Json{{"id", user.id},
              {"login", user.login},
              {"display_name", user.display_name},
              {"role", core::role_name(user.role)},
              {"producer_id", optional_int(user.producer_id)},
              {"status", core::user_status_name(user.status)},
              {"must_change_password", user.must_change_password},
              {"created_at", time_json(user.created_at)}};
}

Json producer_json(const core::Producer& producer, ProducerView view) {
  const core::ProducerFields& f = producer.fields;
  Json out = {
      {"id", producer.id},
      {"name", f.name},
      {"entity_type", std::string(core::entity_type_name(f.entity_type))},
      {"area_code", f.area_code},
      {"social",
       {{"zalo", f.social.zalo}, {"facebook", f.social.facebook}, {"tiktok", f.social.tiktok}}},
      {"status", std::string(core::producer_status_name(f.status))}};
  if (view == ProducerView::public_fields) return out;
  out["area_valid_from"] = f.area_valid_from;
  out["phone"] = f.phone;
  out["address"] = f.address;
  const qr::Bank* bank = f.bank.bin.empty() ? nullptr : qr::find_bank_by_bin(f.bank.bin);
  out["bank"] = {{"bin", f.bank.bin},
                 {"bank", bank ? Json(bank->short_name) : Json(nullptr)},
                 {"account", f.bank.account},
                 {"holder", f.bank.holder}};
  out["social"]["source"] = std::string(core::declared_by_name(f.social.source));
  out["registration_no"] = f.registration_no;
  out["representative"] = f.representative;
  out["ocop_registered_year"] =
      f.ocop_registered_year ? Json(*f.ocop_registered_year) : Json(nullptr);
  out["notes"] = f.notes;
  out["registered_at"] = time_json(f.registered_at);
  out["inactive_since"] = time_json(producer.inactive_since);
  out["created_at"] = time_json(producer.created_at);
  out["updated_at"] = time_json(producer.updated_at);
  return out;
}

Json product_json(const core::Product& product) {
  const core::ProductFields& f = product.fields;
  Json ocop = {{"group", f.ocop_group}};
  if (f.certificate) {
    ocop["stars"] = f.certificate->stars;
    ocop["decision_no"] = f.certificate->decision_no;
    ocop["decision_date"] = f.certificate->decision_date;
    ocop["issuer"] = f.certificate->issuer;
    auto expires = core::certificate_expires(product);
    ocop["valid_until"] = expires ? Json(core::format_iso_date(*expires)) : Json(nullptr);
    ocop["revoked_at"] = time_json(product.certificate_revoked_at);
  } else {
    ocop["stars"] = nullptr;
    ocop["decision_no"] = nullptr;
    ocop["decision_date"] = nullptr;
    ocop["issuer"] = nullptr;
    ocop["valid_until"] = nullptr;
    ocop["revoked_at"] = nullptr;
  }
  return Json{{"id", product.id},
              {"producer_id", product.producer_id},
              {"producer_name", product.producer_name},
              {"area_code", product.area_code},
              {"sku", f.sku},
              {"name", f.name},
              {"description", f.description},
              {"ocop", std::move(ocop)},
              {"unit", f.unit},
              {"price_vnd", f.price_vnd},
              {"stock", f.stock},
              {"weight_g", optional_int(f.weight_g)},
              {"status", core::product_status_name(f.status)},
              {"created_at", time_json(product.created_at)},
              {"updated_at", time_json(product.updated_at)}};
}

Json order_status_json(const core::Order& order) {
  return Json{{"code", order.code}, {"status", core::order_status_name(order.status)}};
}

Json order_json(const core::Order& order, const OrderView& view) {
  Json out = order_status_json(order);
  if (!view.items && !view.customer && view.payment.is_null() && view.token.empty()) return out;
  out["producer_id"] = order.producer_id;
  out["total_vnd"] = order.total_vnd;
  out["paid_vnd"] = order.paid_vnd;
  out["created_at"] = time_json(order.created_at);
  out["expires_at"] = time_json(order.expires_at);
  out["paid_at"] = time_json(order.paid_at);
  if (view.items) {
    Json items = Json::array();
    for (const auto& item : order.items) {
      items.push_back({{"product_id", item.product_id},
                       {"name", item.name},
                       {"unit", item.unit},
                       {"quantity", item.quantity},
                       {"unit_price_vnd", item.unit_price_vnd}});
    }
    out["items"] = std::move(items);
  }
  if (!view.payment.is_null()) out["payment"] = view.payment;
  if (view.customer) {
    out["customer"] = {{"name", order.customer_name},
                       {"phone", order.customer_phone},
                       {"address", order.customer_address}};
    out["delivery"] = {{"method", order.delivery_method}, {"address", order.delivery_address}};
    out["note"] = order.note;
    out["payment_method"] = order.payment_method;
    out["overpaid"] = order.overpaid;
    out["updated_at"] = time_json(order.updated_at);
  }
  if (!view.token.empty()) {
    out["token"] = view.token;
    out["status_url"] = "/don-hang/" + order.code + "?token=" + view.token;
  }
  return out;
}

Json received_payment_json(const core::Payment& p) {
  return Json{{"id", p.id},
              {"provider", p.provider},
              {"provider_txn_id", p.provider_txn_id},
              {"direction", p.direction},
              {"amount_vnd", p.amount_vnd},
              {"account", p.account_number},
              {"description", p.description},
              {"transaction_at", time_json(p.transaction_at)},
              {"received_at", time_json(p.received_at)},
              {"match", p.match_state},
              {"producer_id", optional_int(p.producer_id)},
              {"order_code", optional_text(p.matched_code)},
              {"matched_at", time_json(p.matched_at)},
              {"matched_by_user", optional_int(p.matched_by_user)},
              {"note", p.note}};
}

Json sale_json(const core::SaleRow& row) {
  return Json{{"id", row.id},
              {"producer_id", row.producer_id},
              {"area_code", optional_text(row.area_code)},
              {"channel", row.channel},
              {"settlement", row.settlement},
              {"amount_vnd", row.amount_vnd},
              {"occurred_at", time_json(row.occurred_at)},
              {"source_kind", row.source_kind},
              {"source_ref", row.source_ref},
              {"entered_by", optional_int(row.entered_by)},
              {"refund_of", optional_int(row.refund_of)},
              {"note", row.note},
              {"recorded_at", time_json(row.recorded_at)}};
}

Result<Json> parse_object(std::string_view body) {
  if (!core::is_valid_utf8(body)) return invalid_input("the body is not valid UTF-8", "body");
  Json parsed = Json::parse(body, nullptr, false);
  if (parsed.is_discarded()) return invalid_input("the body is not valid JSON", "body");
  if (!parsed.is_object()) return invalid_input("the body must be a JSON object", "body");
  return parsed;
}

Result<std::optional<std::string>> read_string(const Json& object, std::string_view key,
                                               const std::string& field) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::optional<std::string>{};
  if (!it->is_string()) return wrong_type(field, "a string", *it);
  const auto& text = it->get_ref<const std::string&>();
  if (!core::is_valid_utf8(text)) return invalid_input(field + " is not valid UTF-8", field);
  return std::optional<std::string>{text};
}

Result<std::optional<int64_t>> read_int(const Json& object, std::string_view key,
                                        const std::string& field, int64_t min, int64_t max) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::optional<int64_t>{};
  const std::string range = " from " + std::to_string(min) + " to " + std::to_string(max);
  if (it->is_number_unsigned()) {
    const uint64_t v = it->get<uint64_t>();
    if (v > static_cast<uint64_t>(max)) {
      return invalid_input(field + " must be a whole number" + range, field);
    }
    return std::optional<int64_t>{static_cast<int64_t>(v)};
  }
  if (!it->is_number_integer()) return wrong_type(field, "a whole number", *it);
  const int64_t v = it->get<int64_t>();
  if (v < min || v > max) return invalid_input(field + " must be a whole number" + range, field);
  return std::optional<int64_t>{v};
}

Result<std::optional<bool>> read_bool(const Json& object, std::string_view key,
                                      const std::string& field) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::optional<bool>{};
  if (!it->is_boolean()) return wrong_type(field, "true or false", *it);
  return std::optional<bool>{it->get<bool>()};
}

Result<std::optional<Json>> read_object(const Json& object, std::string_view key,
                                        const std::string& field) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::optional<Json>{};
  if (!it->is_object()) return wrong_type(field, "an object", *it);
  return std::optional<Json>{*it};
}

Result<std::optional<int64_t>> query_int(const httplib::Request& req, const char* name, int64_t min,
                                         int64_t max) {
  if (!req.has_param(name)) return std::optional<int64_t>{};
  const std::string text = req.get_param_value(name);
  if (text.empty()) return std::optional<int64_t>{};
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    return invalid_input(std::string(name) + " must be a whole number from " + std::to_string(min) +
                             " to " + std::to_string(max),
                         name);
  }
  return std::optional<int64_t>{value};
}

Result<std::optional<std::string>> query_text(const httplib::Request& req, const char* name) {
  if (!req.has_param(name)) return std::optional<std::string>{};
  std::string text = req.get_param_value(name);
  if (text.empty()) return std::optional<std::string>{};
  if (!core::is_valid_utf8(text)) {
    return invalid_input(std::string(name) + " is not valid UTF-8", name);
  }
  return std::optional<std::string>{std::move(text)};
}

Result<std::optional<int64_t>> query_time(const httplib::Request& req, const char* name,
                                          bool end_of_day) {
  auto text = query_text(req, name);
  if (!text) return text.error();
  if (!*text) return std::optional<int64_t>{};
  if ((*text)->size() == 10) {
    auto date = core::parse_iso_date(**text);
    if (date) {
      int64_t days = core::days_since_epoch(*date) + (end_of_day ? 1 : 0);
      return std::optional<int64_t>{core::vietnam_midnight(core::date_from_days(days))};
    }
  }
  auto at = core::parse_rfc3339(**text);
  if (!at) {
    return invalid_input(std::string(name) + " must be a date YYYY-MM-DD or an RFC 3339 time",
                         name);
  }
  return std::optional<int64_t>{*at};
}

}  // namespace chophien::storefront
