// The JSON API: checkout and orders. The order's token (not its payment code) unlocks the items
// and the payment block; the code alone shows only the status. The owning producer, officers and
// admins see the customer's details; another producer's order is not_found.
#include <httplib.h>

#include <string>
#include <utility>

#include "core/orders.h"
#include "core/producers.h"
#include "storefront/api_support.h"
#include "storefront/auth.h"
#include "storefront/client_address.h"
#include "storefront/payment_info.h"
#include "storefront/runtime_settings.h"

namespace chophien::storefront {
namespace {

// The payment block of api.md (storefront/payment_info.h), with the QR image links when the
// caller holds the token. Null when the producer has no usable account (the order can still be
// paid in cash).
Json payment_block(ApiCall& call, const core::Order& order, const std::string& token) {
  core::ProducerStore producers(call.db, call.app.clock);
  auto producer = producers.get(order.producer_id);
  if (!producer) return nullptr;
  auto info = payment_info(order, *producer);
  if (!info) return nullptr;
  Json block = {{"bin", info->bin},
                {"bank", info->bank},
                {"account", info->account},
                {"holder", info->holder},
                {"amount_vnd", info->amount_vnd},
                {"description", info->description},
                {"vietqr", info->vietqr}};
  if (!token.empty()) {
    const std::string base = "/api/v1/orders/" + order.code;
    block["qr_png"] = base + "/qr.png?token=" + token;
    block["qr_svg"] = base + "/qr.svg?token=" + token;
  }
  return block;
}

Result<core::CheckoutRequest> read_checkout(const Json& body) {
  core::CheckoutRequest request;
  auto items = body.find("items");
  if (items == body.end() || items->is_null()) {
    return invalid_input("items is required: a list of {product_id, quantity}", "items");
  }
  if (!items->is_array()) return invalid_input("items must be a list", "items");
  if (items->empty()) return invalid_input("items must not be empty", "items");
  if (items->size() > core::kMaxCartLines) {
    return invalid_input("at most " + std::to_string(core::kMaxCartLines) + " items", "items");
  }
  for (size_t i = 0; i < items->size(); ++i) {
    const std::string prefix = "items[" + std::to_string(i) + "]";
    const Json& item = (*items)[i];
    if (!item.is_object()) return invalid_input(prefix + " must be an object", prefix);
    auto product = read_int(item, "product_id", prefix + ".product_id", 1, INT64_MAX);
    if (!product) return product.error();
    if (!*product) return invalid_input(prefix + ".product_id is required", prefix + ".product_id");
    auto quantity = read_int(item, "quantity", prefix + ".quantity", 1, core::kMaxQuantity);
    if (!quantity) return quantity.error();
    if (!*quantity) return invalid_input(prefix + ".quantity is required", prefix + ".quantity");
    request.items.push_back({**product, **quantity});
  }
  auto customer = read_object(body, "customer", "customer");
  if (!customer) return customer.error();
  if (!*customer) return invalid_input("customer is required: {name, phone}", "customer");
  for (auto [key, target] :
       {std::pair{"name", &request.customer_name}, std::pair{"phone", &request.customer_phone},
        std::pair{"address", &request.customer_address}}) {
    auto value = read_string(**customer, key, std::string("customer.") + key);
    if (!value) return value.error();
    if (*value) *target = **value;
  }
  auto delivery = read_object(body, "delivery", "delivery");
  if (!delivery) return delivery.error();
  if (*delivery) {
    auto method = read_string(**delivery, "method", "delivery.method");
    if (!method) return method.error();
    if (*method) {
      if (**method != "pickup" && **method != "delivery") {
        return invalid_input("delivery.method must be pickup or delivery", "delivery.method");
      }
      request.delivery_method = **method;
    }
    auto address = read_string(**delivery, "address", "delivery.address");
    if (!address) return address.error();
    if (*address) request.delivery_address = **address;
  }
  auto note = read_string(body, "note", "note");
  if (!note) return note.error();
  if (*note) request.note = **note;
  return request;
}

core::OrderSettings order_settings(const AppContext& app, core::Database& db) {
  core::OrderSettings settings;
  settings.payment_ttl_seconds = int64_t{order_ttl_minutes(app.config, db)} * 60;
  return settings;
}

Result<Reply> checkout(ApiCall& call) {
  auto body = body_object(call.req);
  if (!body) return body.error();
  auto request = read_checkout(*body);
  if (!request) return request.error();
  request->client_address = limited_address(call.req, call.app.config.trusted_proxies);
  // Written with the checkouts arriving beside it; the answer is built outside the writer lock.
  auto placed = call.app.checkouts->checkout(*request);
  if (!placed) {
    if (placed.error().code == ErrorCode::rate_limited) {
      call.retry_after = call.app.checkouts->retry_after(*request);
    }
    return placed.error();
  }
  call.app.metrics.counter("chophien_orders_created_total", "Orders created by checkout")
      .add(static_cast<int64_t>(placed->size()));
  Json list = Json::array();
  for (const auto& p : *placed) {
    OrderView view;
    view.items = true;
    view.payment = payment_block(call, p.order, p.token);
    view.token = p.token;
    list.push_back(order_json(p.order, view));
  }
  return Reply{201, Json{{"orders", std::move(list)}}};
}

Result<Reply> get_order(ApiCall& call) {
  const std::string code = call.req.matches[1];
  core::OrderStore orders(call.db, call.app.clock, order_settings(call.app, call.db));
  auto token = query_text(call.req, "token");
  if (!token) return token.error();
  if (*token) {
    auto order = orders.find_for_customer(code, **token);
    if (!order) return order.error();
    OrderView view;
    view.payment = payment_block(call, *order, **token);
    return Reply{200, order_json(*order, view)};
  }
  auto caller = optional_caller(call.db, call.app.clock, call.req);
  if (!caller) return caller.error();
  auto order = orders.find_by_code(code);
  if (!order) return order.error();
  if (*caller && may_act_for(**caller, order->producer_id)) {
    OrderView view;
    view.customer = true;
    view.payment = payment_block(call, *order, "");
    return Reply{200, order_json(*order, view)};
  }
  return Reply{200, order_status_json(*order)};
}

Result<Reply> list_orders(ApiCall& call) {
  auto caller = require_caller(call.db, call.app.clock, call.req);
  if (!caller) return caller.error();
  core::OrderQuery query;
  auto status = query_text(call.req, "status");
  if (!status) return status.error();
  if (*status) {
    query.status = core::parse_order_status(**status);
    if (!query.status) {
      return invalid_input("status must be pending_payment, paid, fulfilled, cancelled or expired",
                           "status");
    }
  }
  auto from = query_time(call.req, "from", false);
  if (!from) return from.error();
  query.from = *from;
  auto to = query_time(call.req, "to", true);
  if (!to) return to.error();
  query.to = *to;
  auto limit = query_int(call.req, "limit", 1, 1000);
  if (!limit) return limit.error();
  query.limit = static_cast<int>(limit->value_or(100));
  auto producer = query_int(call.req, "producer", 1, INT64_MAX);
  if (!producer) return producer.error();
  if (caller->is_producer()) {
    query.producer_id = caller->producer_id();
    if (*producer && **producer != *query.producer_id) {
      return Error{ErrorCode::forbidden, "a producer sees its own orders only", "producer"};
    }
  } else {
    query.producer_id = *producer;
  }
  core::OrderStore orders(call.db, call.app.clock, order_settings(call.app, call.db));
  auto found = orders.list(query);
  if (!found) return found.error();
  Json list = Json::array();
  for (const auto& order : *found) {
    OrderView view;
    view.items = false;
    view.customer = true;
    list.push_back(order_json(order, view));
  }
  return Reply{200, Json{{"orders", std::move(list)}}};
}

enum class Change { mark_paid, fulfil, cancel };

Result<Reply> change_order(ApiCall& call, Change change) {
  auto caller = require_caller(call.db, call.app.clock, call.req);
  if (!caller) return caller.error();
  const std::string code = call.req.matches[1];
  core::OrderStore orders(call.db, call.app.clock, order_settings(call.app, call.db));
  auto order = orders.find_by_code(code);
  if (!order) return order.error();
  if (caller->is_producer() && caller->producer_id() != order->producer_id) {
    return not_found("no such order");
  }
  if (caller->is_officer()) {
    return Error{ErrorCode::forbidden, "only the producer (or an administrator) changes an order",
                 ""};
  }
  auto body = body_object(call.req, true);
  if (!body) return body.error();
  auto note = read_string(*body, "note", "note");
  if (!note) return note.error();
  Result<core::Order> changed = not_found("no such order");
  switch (change) {
    case Change::mark_paid: {
      auto method = read_string(*body, "method", "method");
      if (!method) return method.error();
      if (!*method) return invalid_input("method is required: cash or bank_transfer", "method");
      auto amount = read_int(*body, "amount_vnd", "amount_vnd", 0, core::kMaxPriceVnd);
      if (!amount) return amount.error();
      changed = orders.mark_paid(code, caller->actor(), **method, amount->value_or(0),
                                 note->value_or(""));
      break;
    }
    case Change::fulfil:
      changed = orders.fulfil(code, caller->actor(), note->value_or(""));
      break;
    case Change::cancel:
      changed = orders.cancel(code, caller->actor(), note->value_or(""));
      break;
  }
  if (!changed) return changed.error();
  OrderView view;
  view.customer = true;
  return Reply{200, order_json(*changed, view)};
}

}  // namespace

void register_api_order_routes(Router& router, AppContext& app) {
  router.post("/api/v1/checkout", api_handler(app, checkout, DbAccess::reader));
  router.get("/api/v1/orders", api_handler(app, list_orders));
  router.get(R"(/api/v1/orders/([A-Za-z0-9]+))", api_handler(app, get_order));
  router.post(R"(/api/v1/orders/([A-Za-z0-9]+)/mark-paid)", api_handler(app, [](ApiCall& call) {
                return change_order(call, Change::mark_paid);
              }));
  router.post(R"(/api/v1/orders/([A-Za-z0-9]+)/fulfil)",
              api_handler(app, [](ApiCall& call) { return change_order(call, Change::fulfil); }));
  router.post(R"(/api/v1/orders/([A-Za-z0-9]+)/cancel)",
              api_handler(app, [](ApiCall& call) { return change_order(call, Change::cancel); }));
}

}  // namespace chophien::storefront
