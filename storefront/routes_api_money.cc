// The JSON API: received transfers (and assigning an unmatched one to an order) and the sales
// ledger with hand-entered sales. A producer user sees and changes its own only; officers (and
// admins) see everyone's.
#include <httplib.h>

#include <string>
#include <utility>

#include "core/ledger.h"
#include "core/payments.h"
#include "storefront/api_support.h"
#include "storefront/auth.h"

namespace chophien::storefront {
namespace {

constexpr const char* kMatchStates[] = {"matched", "partial",       "overpaid",
                                        "late",    "wrong_account", "stall",
                                        "ignored", "unmatched",     "received"};

Result<Caller> money_caller(ApiCall& call) {
  auto caller = require_caller(call.db, call.app.clock, call.req);
  if (!caller) return caller.error();
  if (auto ok =
          require_role(*caller, {core::Role::producer, core::Role::officer, core::Role::admin});
      !ok) {
    return ok.error();
  }
  return caller;
}

// The producer a listing is limited to: a producer user's own (asking for another is forbidden),
// or the `producer` parameter of an officer.
Result<std::optional<int64_t>> listing_scope(ApiCall& call, const Caller& caller) {
  auto producer = query_int(call.req, "producer", 1, INT64_MAX);
  if (!producer) return producer.error();
  if (!caller.is_producer()) return *producer;
  if (*producer && **producer != caller.producer_id()) {
    return Error{ErrorCode::forbidden, "a producer sees its own records only", "producer"};
  }
  return std::optional<int64_t>{caller.producer_id()};
}

Result<Reply> list_payments(ApiCall& call) {
  auto caller = money_caller(call);
  if (!caller) return caller.error();
  core::PaymentQuery query;
  auto scope = listing_scope(call, *caller);
  if (!scope) return scope.error();
  query.producer_id = *scope;
  auto match = query_text(call.req, "match");
  if (!match) return match.error();
  if (*match) {
    bool known = false;
    for (const char* state : kMatchStates) known = known || **match == state;
    if (!known) {
      return invalid_input(
          "match must be matched, partial, overpaid, late, wrong_account, stall, ignored, "
          "unmatched or received",
          "match");
    }
    query.match_state = *match;
  }
  auto limit = query_int(call.req, "limit", 1, 1000);
  if (!limit) return limit.error();
  query.limit = static_cast<int>(limit->value_or(100));
  core::PaymentStore payments(call.db, call.app.clock);
  auto found = payments.list(query);
  if (!found) return found.error();
  Json list = Json::array();
  for (const auto& p : *found) list.push_back(received_payment_json(p));
  return Reply{200, Json{{"payments", std::move(list)}}};
}

Result<Reply> assign_payment(ApiCall& call) {
  auto caller = money_caller(call);
  if (!caller) return caller.error();
  auto id = path_id(call.req, 1);
  if (!id) return id.error();
  core::PaymentStore payments(call.db, call.app.clock);
  auto payment = payments.find(*id);
  if (!payment) return payment.error();
  if (caller->is_producer() && payment->producer_id != caller->producer_id()) {
    return not_found("no such payment");
  }
  auto body = body_object(call.req);
  if (!body) return body.error();
  auto code = read_string(*body, "order_code", "order_code");
  if (!code) return code.error();
  if (!*code || (*code)->empty()) return invalid_input("order_code is required", "order_code");
  auto assigned = payments.assign(*id, **code, caller->actor());
  if (!assigned) {
    Error e = assigned.error();
    if (e.code == ErrorCode::not_found) e.field = "order_code";
    return e;
  }
  return Reply{200, received_payment_json(*assigned)};
}

Result<Reply> record_sale(ApiCall& call) {
  auto caller = money_caller(call);
  if (!caller) return caller.error();
  auto body = body_object(call.req);
  if (!body) return body.error();
  core::ManualSale sale;
  auto producer = read_int(*body, "producer_id", "producer_id", 1, INT64_MAX);
  if (!producer) return producer.error();
  if (caller->is_producer()) {
    sale.producer_id = caller->producer_id().value_or(0);
    if (*producer && **producer != sale.producer_id) {
      return Error{ErrorCode::forbidden, "a producer records its own sales only", "producer_id"};
    }
  } else {
    if (!*producer) return invalid_input("producer_id is required", "producer_id");
    sale.producer_id = **producer;
  }
  for (auto [key, target] :
       {std::pair{"channel", &sale.channel}, std::pair{"settlement", &sale.settlement},
        std::pair{"reference", &sale.reference}, std::pair{"note", &sale.note}}) {
    auto value = read_string(*body, key, key);
    if (!value) return value.error();
    if (*value) *target = **value;
  }
  auto amount = read_int(*body, "amount_vnd", "amount_vnd", 1, core::kMaxPriceVnd);
  if (!amount) return amount.error();
  if (!*amount) return invalid_input("amount_vnd is required", "amount_vnd");
  sale.amount_vnd = **amount;
  auto occurred = read_string(*body, "occurred_at", "occurred_at");
  if (!occurred) return occurred.error();
  sale.occurred_at = call.app.clock.now();
  if (*occurred) {
    auto at = core::parse_rfc3339(**occurred);
    if (!at) return invalid_input("occurred_at must be an RFC 3339 time", "occurred_at");
    sale.occurred_at = *at;
  }
  core::Ledger ledger(call.db, call.app.clock);
  auto row = ledger.record_manual_sale(sale, caller->user().id);
  if (!row) return row.error();
  return Reply{201, sale_json(*row)};
}

Result<Reply> list_sales(ApiCall& call) {
  auto caller = money_caller(call);
  if (!caller) return caller.error();
  core::LedgerQuery query;
  auto scope = listing_scope(call, *caller);
  if (!scope) return scope.error();
  query.producer_id = *scope;
  auto from = query_time(call.req, "from", false);
  if (!from) return from.error();
  query.from = *from;
  auto to = query_time(call.req, "to", true);
  if (!to) return to.error();
  query.to = *to;
  auto channel = query_text(call.req, "channel");
  if (!channel) return channel.error();
  if (*channel && !core::is_sales_channel(**channel)) {
    return invalid_input("unknown channel", "channel");
  }
  query.channel = *channel;
  auto limit = query_int(call.req, "limit", 1, 10000);
  if (!limit) return limit.error();
  query.limit = static_cast<int>(limit->value_or(1000));
  core::Ledger ledger(call.db, call.app.clock);
  auto rows = ledger.list(query);
  if (!rows) return rows.error();
  Json list = Json::array();
  int64_t total = 0;
  for (const auto& row : *rows) {
    total += row.amount_vnd;
    list.push_back(sale_json(row));
  }
  return Reply{200, Json{{"sales", std::move(list)}, {"total_vnd", total}}};
}

}  // namespace

void register_api_money_routes(Router& router, AppContext& app) {
  router.get("/api/v1/payments", api_handler(app, list_payments));
  router.post(R"(/api/v1/payments/(\d+)/assign)", api_handler(app, assign_payment));
  router.post("/api/v1/sales", api_handler(app, record_sale));
  router.get("/api/v1/sales", api_handler(app, list_sales));
}

}  // namespace chophien::storefront
