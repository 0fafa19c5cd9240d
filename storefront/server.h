#pragma once
// The HTTP server: cpp-httplib behind the request limits of guarded_server.h (which also speaks
// HTTPS when a certificate is configured), with a fixed thread pool, TCP_NODELAY, a raised listen
// backlog, keep-alive, timeouts and a body size limit; every request gets an id (X-Request-Id, also
// in error bodies), one access-log line, a place in /metrics and the security headers. Unhandled
// exceptions become a 500 with the request id; the what() is logged, never shown.
//
// Without TLS, a front door (front_door.h, front_answer.h) takes the connections first and answers
// the public pages itself; httplib's workers get every connection at its first other request.
//
// Routes are added by register_*_routes(Router&, AppContext&) functions (storefront/routes.h),
// called from one short list in server.cc.
//
// Lifecycle: Server::create() -> bind() -> run() (blocks) ; stop() from any thread makes run()
// return once the requests in flight are answered. serve() wraps this for the command line and
// turns SIGTERM/SIGINT into stop().

#include <httplib.h>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "storefront/checkout_batch.h"
#include "storefront/config.h"
#include "storefront/db_pool.h"
#include "storefront/front_door.h"
#include "storefront/guarded_server.h"
#include "storefront/metrics.h"
#include "storefront/page_cache.h"
#include "storefront/render.h"

namespace chophien::storefront {

// What route handlers get. Everything outlives the Server. Handlers run on many threads at once:
// take a connection with db.acquire() per request.
struct AppContext {
  const Config& config;
  DbPool& db;
  const core::Clock& clock;
  Metrics& metrics;
  const Renderer& render;
  // Hook for the admin check of /metrics (and later admin-only pages): true when the request
  // carries an administrator's session. Until the sessions code sets it, only 127.0.0.1 and ::1
  // may read /metrics.
  std::function<bool(const httplib::Request&)> is_admin_request;
  // Checkouts of the shop's form and of the API, written together under load (checkout_batch.h).
  CheckoutBatch* checkouts = nullptr;
  // Rendered public pages (page_cache.h), shared with the front door.
  PageCache* pages = nullptr;
};

using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;

struct RouteInfo {
  std::string method;   // "GET", "POST", ...
  std::string pattern;  // httplib regex, e.g. R"(/api/v1/orders/([A-Z0-9]+))"
};

// Registers handlers and remembers each route pattern, which /metrics uses as the route label
// (and a test compares with docs/openapi.yaml).
class Router {
 public:
  explicit Router(httplib::Server& server) : server_(server) {}
  Router& get(const std::string& pattern, Handler handler);
  Router& post(const std::string& pattern, Handler handler);
  Router& put(const std::string& pattern, Handler handler);
  Router& patch(const std::string& pattern, Handler handler);
  Router& del(const std::string& pattern, Handler handler);
  // A GET route whose handler answers through the page cache (home, product and producer pages):
  // the front door may run it too, on its render threads (front_answer.h).
  Router& page(const std::string& pattern, Handler handler);

  struct PageRoute {
    std::regex pattern;
    Handler handler;  // sets current_route() and runs the handler
  };
  const std::vector<RouteInfo>& routes() const { return routes_; }
  const std::vector<PageRoute>& page_routes() const { return page_routes_; }
  httplib::Server& server() { return server_; }

 private:
  Router& add(const char* method, const std::string& pattern, Handler handler, bool page = false);
  httplib::Server& server_;
  std::vector<RouteInfo> routes_;
  std::vector<PageRoute> page_routes_;
};

// The headers every response carries: Content-Security-Policy, X-Content-Type-Options,
// X-Frame-Options, Referrer-Policy.
const std::vector<std::pair<std::string, std::string>>& security_headers();

// An Accept-Encoding value without brotli (every item holding the letters "br"), for httplib,
// which otherwise compresses with brotli at quality 11: "gzip, deflate, br" -> "gzip, deflate".
std::string without_brotli(std::string_view accept_encoding);

// A new request id ("r-" and 6 hex digits), for X-Request-Id and the logs.
std::string new_request_id();

// The pattern of the route whose handler runs on this thread; empty outside a handler.
std::string_view current_route();

// The access-log line of one request, when config.access_log asks for it. `path` without the
// query, which may carry an order's token.
void log_access(const Config& config, std::string_view method, std::string_view path, int status,
                double seconds, size_t bytes, std::string_view request_id);

class Server {
 public:
  // Builds the server and registers every route. `config`, `db` and `clock` must outlive it.
  // Errors: invalid_input when the TLS certificate or key cannot be loaded (field names it);
  // internal when a template does not compile.
  // `extra_routes` (tests) registers more routes after the standard ones.
  static Result<std::unique_ptr<Server>> create(
      const Config& config, DbPool& db, const core::Clock& clock,
      const std::function<void(Router&, AppContext&)>& extra_routes = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds config.host:config.port (port 0: any free port) and raises the listen backlog.
  // Returns the bound port. unavailable when the address is taken or not local.
  Result<int> bind();
  // Serves until stop(), with the front door in front of httplib unless it is off (TLS, or
  // config.front_threads 0). Returns when every worker has finished its request.
  Result<void> run();
  // Stops accepting; run() then returns after the requests in flight. Any thread; idempotent.
  void stop();
  bool is_running() const;

  int port() const { return port_; }
  // What the front door did so far; nullopt when it is off.
  std::optional<FrontDoor::Stats> front_stats() const;
  Metrics& metrics() { return metrics_; }
  const Renderer& renderer() const { return *renderer_; }
  AppContext& context() { return *context_; }
  const std::vector<RouteInfo>& routes() const { return router_->routes(); }

 private:
  explicit Server(const Config& config) : config_(config) {}
  void install_hooks();

  const Config& config_;
  Metrics metrics_;
  std::unique_ptr<Renderer> renderer_;
  std::unique_ptr<CheckoutBatch> checkouts_;
  std::unique_ptr<AppContext> context_;
  std::unique_ptr<httplib::Server> http_;
  GuardedServer* guarded_ = nullptr;  // http_, as its own type
  std::unique_ptr<Router> router_;
  PageCache pages_;
  std::unique_ptr<FrontDoor> front_;  // null when off (TLS, or front_threads 0)
  std::atomic<int> listen_socket_{-1};
  int port_ = 0;
};

// The whole life of `chophien serve` after the database is open: builds and binds the server,
// logs the address, serves until SIGTERM or SIGINT, then waits for requests in flight. The caller
// closes `db` afterwards. Returns the process exit status (0 after a signal-driven stop).
int serve(const Config& config, DbPool& db, const core::Clock& clock,
          const std::function<void(const Server&)>& on_listening = {});

}  // namespace chophien::storefront
