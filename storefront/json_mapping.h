#pragma once
// Domain objects -> the JSON of api.md, and the typed reading of JSON request bodies.
//
// Output: times are RFC 3339 with +07:00 (core::format_rfc3339_vietnam), money whole VND, dates
// YYYY-MM-DD. Text is returned exactly as stored (HTML-looking input comes back verbatim; JSON
// escaping is the only escaping). Which fields a caller sees is chosen by the caller of these
// functions (ProducerView, OrderView); nothing here checks permissions.
//
// Input: every reader fails with invalid_input naming the API field ("bank.bin",
// "items[0].quantity") for a wrong JSON type or an out-of-range value, so handlers never see a
// half-typed body.
//
// Thread-safety: pure functions.

#include <httplib.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ledger.h"
#include "core/orders.h"
#include "core/payments.h"
#include "core/producers.h"
#include "core/products.h"
#include "core/result.h"
#include "core/users.h"

namespace chophien::storefront {

using Json = nlohmann::json;

// --- output ---

// RFC 3339 in Vietnam time, or null.
Json time_json(std::optional<int64_t> unix_seconds);

Json user_json(const core::User& user);

// Public: id, name, entity_type, area_code, social, status. Full (officers, admins, the producer
// itself) adds phone, address, bank (with the bank's short name), the officer's register fields and
// the timestamps.
enum class ProducerView { public_fields, full };
Json producer_json(const core::Producer& producer, ProducerView view);

Json product_json(const core::Product& product);

struct OrderView {
  bool items = true;       // the lines
  bool customer = false;   // customer, delivery, note (the producer, officers, admins)
  Json payment = nullptr;  // the payment block, when the caller may pay (null: left out)
  std::string token;       // only right after checkout: token, status_url, qr links
};
// With view.items false and nothing else: the code-only answer {code, status}.
Json order_json(const core::Order& order, const OrderView& view);
// {code, status} for someone who knows only the code.
Json order_status_json(const core::Order& order);

// A received transfer (GET /api/v1/payments).
Json received_payment_json(const core::Payment& payment);

// A ledger row (GET /api/v1/sales).
Json sale_json(const core::SaleRow& row);

// --- input ---

// The body as a JSON object. invalid_input (field "body") when it is not JSON, not UTF-8, or not
// an object.
Result<Json> parse_object(std::string_view body);

// Readers of one member of `object`. Absent or null: nullopt. `field` is the API name used in
// errors. Strings must be valid UTF-8 (they always are after parse_object).
Result<std::optional<std::string>> read_string(const Json& object, std::string_view key,
                                               const std::string& field);
// A JSON integer (not a fraction, not a string, not a bool) within [min, max].
Result<std::optional<int64_t>> read_int(const Json& object, std::string_view key,
                                        const std::string& field, int64_t min, int64_t max);
Result<std::optional<bool>> read_bool(const Json& object, std::string_view key,
                                      const std::string& field);
// A nested object; absent or null: nullopt; any other type: invalid_input.
Result<std::optional<Json>> read_object(const Json& object, std::string_view key,
                                        const std::string& field);

// A whole number from a query parameter within [min, max]; absent or empty: nullopt.
Result<std::optional<int64_t>> query_int(const httplib::Request& req, const char* name, int64_t min,
                                         int64_t max);
// A query parameter as text; absent or empty: nullopt. invalid_input on bad UTF-8.
Result<std::optional<std::string>> query_text(const httplib::Request& req, const char* name);
// A time bound from a query parameter: RFC 3339, or a date YYYY-MM-DD meaning its start in
// Vietnam time (`end_of_day`: the start of the next day, for `to`).
Result<std::optional<int64_t>> query_time(const httplib::Request& req, const char* name,
                                          bool end_of_day);

}  // namespace chophien::storefront
