#pragma once
// Shared plumbing of the JSON API routes (routes_api*.cc): one database connection per request,
// Result-returning handlers, and the JSON answer. Errors go through http_errors.h.
//
//   router.get(R"(/api/v1/things/(\d+))", api_handler(app, [](ApiCall& call) -> Result<Reply> {
//     auto id = path_id(call.req, 1, "id");
//     ...
//     return Reply{200, thing_json(*thing)};
//   }));
//
// Thread-safety: a handler runs on one server thread with its own connection.

#include <httplib.h>

#include <cstdint>
#include <functional>
#include <optional>

#include "core/database.h"
#include "core/result.h"
#include "storefront/json_mapping.h"
#include "storefront/server.h"

namespace chophien::storefront {

struct ApiCall {
  AppContext& app;
  core::Database& db;
  const httplib::Request& req;
  httplib::Response& res;
  std::optional<int> retry_after;  // set by a handler before returning rate_limited
};

struct Reply {
  int status = 200;
  Json body;
};

using ApiFunction = std::function<Result<Reply>(ApiCall&)>;

// Which connection a handler gets: by_method takes the writer lock (DbPool::acquire_writer) for
// every method but GET and HEAD; reader is a plain connection whatever the method, for a handler
// that hands its write to a group commit (checkout_batch.h) and only reads itself.
enum class DbAccess { by_method, reader };

// Takes a connection (unavailable -> 503 with Retry-After), runs `fn`, writes its Reply as JSON
// or its Error through write_error. Answers are never cached (Cache-Control: no-store).
Handler api_handler(AppContext& app, ApiFunction fn, DbAccess access = DbAccess::by_method);

// The number in regex group `group` of the path (e.g. a product id). not_found when it does not
// fit an int64 (a path no resource can have).
Result<int64_t> path_id(const httplib::Request& req, size_t group);

// The body as a JSON object; an empty body is {} when `empty_ok`.
Result<Json> body_object(const httplib::Request& req, bool empty_ok = false);

// Registration of the parts of the API; register_api_routes (routes.h) calls each.
void register_api_account_routes(Router& router, AppContext& app);  // auth, users, producers
void register_api_product_routes(Router& router, AppContext& app);
void register_api_order_routes(Router& router, AppContext& app);  // checkout, orders
void register_api_money_routes(Router& router, AppContext& app);  // payments, sales

}  // namespace chophien::storefront
