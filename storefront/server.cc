#include "storefront/server.h"

#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <strings.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <thread>

#include "core/log.h"
#include "storefront/front_answer.h"
#include "storefront/guarded_server.h"
#include "storefront/hooks.h"
#include "storefront/http_errors.h"
#include "storefront/routes.h"

namespace chophien::storefront {
namespace {

constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'; "
    "form-action 'self'; base-uri 'none'";

// What the server knows about the request a worker thread is handling. httplib runs routing,
// the handler and the logger of one request on the same thread, one request at a time.
struct RequestState {
  std::chrono::steady_clock::time_point start;
  bool started = false;
  const std::string* route = nullptr;  // points into Router::routes_, stable after start-up
  double seconds = 0;                  // routing to response ready, set before the write
};
thread_local RequestState current;

void ensure_request_id(httplib::Response& res) {
  if (!res.has_header(kRequestIdHeader)) res.set_header(kRequestIdHeader, new_request_id());
}

std::string error_message_for_status(int status, size_t max_body) {
  switch (status) {
    case 404:
      return "no such resource";
    case 405:
      return "method not allowed here";
    case 413:
      return "request body is larger than " + std::to_string(max_body) + " bytes";
    case 414:
      return "request URI is too long";
    case 400:
      return "malformed request";
    default:
      return "request failed";
  }
}

}  // namespace

std::string without_brotli(std::string_view accept_encoding) {
  std::string out;
  while (!accept_encoding.empty()) {
    const size_t comma = accept_encoding.find(',');
    std::string_view item = accept_encoding.substr(0, comma);
    accept_encoding.remove_prefix(comma == std::string_view::npos ? accept_encoding.size()
                                                                  : comma + 1);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    // httplib looks for the letters "br" anywhere in the value: any item holding them goes.
    if (item.empty() || item.find("br") != std::string_view::npos) continue;
    if (!out.empty()) out += ", ";
    out += item;
  }
  return out;
}

std::string new_request_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[16];
  std::snprintf(buf, sizeof buf, "r-%06x", static_cast<unsigned>(rng() & 0xffffff));
  return buf;
}

const std::vector<std::pair<std::string, std::string>>& security_headers() {
  static const std::vector<std::pair<std::string, std::string>> headers = {
      {"Content-Security-Policy", kContentSecurityPolicy},
      {"X-Content-Type-Options", "nosniff"},
      {"X-Frame-Options", "DENY"},
      {"Referrer-Policy", "same-origin"},
  };
  return headers;
}

std::string_view current_route() {
  return current.route != nullptr ? std::string_view(*current.route) : std::string_view();
}

void log_access(const Config& config, std::string_view method, std::string_view path, int status,
                double seconds, size_t bytes, std::string_view request_id) {
  const bool is_error = status >= 400;
  if (config.access_log == AccessLog::all || (config.access_log == AccessLog::errors && is_error)) {
    char ms[32];
    std::snprintf(ms, sizeof ms, "%.2f", seconds * 1000);
    core::log("http.request", {{"method", std::string(method)},
                               {"path", std::string(path)},
                               {"status", status},
                               {"ms", ms},
                               {"bytes", bytes},
                               {"request", std::string(request_id)}});
  }
}

// --- Router ---

Router& Router::add(const char* method, const std::string& pattern, Handler handler, bool page) {
  routes_.push_back({method, pattern});
  // The pattern string must stay put while handlers run: routes_ grows only during start-up, so
  // the wrapper keeps its own copy rather than pointing into the vector.
  auto label = std::make_shared<const std::string>(pattern);
  Handler wrapped = [label, handler = std::move(handler)](const httplib::Request& req,
                                                          httplib::Response& res) {
    current.route = label.get();
    handler(req, res);
  };
  if (page) page_routes_.push_back({std::regex(pattern), wrapped});
  std::string m = method;
  if (m == "GET") {
    server_.Get(pattern, std::move(wrapped));
  } else if (m == "POST") {
    server_.Post(pattern, std::move(wrapped));
  } else if (m == "PUT") {
    server_.Put(pattern, std::move(wrapped));
  } else if (m == "PATCH") {
    server_.Patch(pattern, std::move(wrapped));
  } else if (m == "DELETE") {
    server_.Delete(pattern, std::move(wrapped));
  } else {
    throw std::logic_error("Router: unsupported method " + m);
  }
  return *this;
}

Router& Router::get(const std::string& p, Handler h) { return add("GET", p, std::move(h)); }
Router& Router::post(const std::string& p, Handler h) { return add("POST", p, std::move(h)); }
Router& Router::put(const std::string& p, Handler h) { return add("PUT", p, std::move(h)); }
Router& Router::patch(const std::string& p, Handler h) { return add("PATCH", p, std::move(h)); }
Router& Router::del(const std::string& p, Handler h) { return add("DELETE", p, std::move(h)); }
Router& Router::page(const std::string& p, Handler h) { return add("GET", p, std::move(h), true); }

// --- Server ---

Server::~Server() { stop(); }

Result<std::unique_ptr<Server>> Server::create(
    const Config& config, DbPool& db, const core::Clock& clock,
    const std::function<void(Router&, AppContext&)>& extra_routes) {
  std::unique_ptr<Server> s(new Server(config));
  auto renderer = Renderer::create(config.base_url());
  if (!renderer) return renderer.error();
  s->renderer_ = std::move(*renderer);
  s->checkouts_ = std::make_unique<CheckoutBatch>(config, db, clock);
  s->context_ = std::unique_ptr<AppContext>(new AppContext{
      config, db, clock, s->metrics_, *s->renderer_, nullptr, s->checkouts_.get(), &s->pages_});
  auto guarded = std::make_unique<GuardedServer>(
      RequestLimits{static_cast<size_t>(config.max_header_lines),
                    static_cast<size_t>(config.max_head_bytes),
                    std::chrono::seconds(config.request_deadline_seconds),
                    static_cast<size_t>(config.threads)},
      config.tls_cert, config.tls_key);
  if (!guarded->is_valid()) {
    return invalid_input("cannot load the TLS certificate or key (PEM files expected)",
                         "--tls-cert");
  }
  s->guarded_ = guarded.get();
  s->http_ = std::move(guarded);
  s->install_hooks();
  s->router_ = std::make_unique<Router>(*s->http_);

  // --- Route registration: one line per routes_*.cc, declared in storefront/routes.h. ---
  register_public_routes(*s->router_, *s->context_);
  register_hooks_routes(*s->router_, *s->context_);
  register_notification_routes(*s->router_, *s->context_);
  register_api_routes(*s->router_, *s->context_);
  register_shop_routes(*s->router_, *s->context_);
  register_api_indicator_routes(*s->router_, *s->context_);
  register_dashboard_routes(*s->router_, *s->context_);
  register_workspace_routes(*s->router_, *s->context_);
  register_workspace_product_routes(*s->router_, *s->context_);
  register_workspace_money_routes(*s->router_, *s->context_);
  register_workspace_marketplace_routes(*s->router_, *s->context_);
  register_workspace_order_routes(*s->router_, *s->context_);
  register_workspace_register_routes(*s->router_, *s->context_);
  register_workspace_admin_routes(*s->router_, *s->context_);
  register_declared_routes(*s->router_, *s->context_);
  register_workspace_channel_file_routes(*s->router_, *s->context_);
  // --- end of route registration ---
  if (extra_routes) extra_routes(*s->router_, *s->context_);

  return s;
}

void Server::install_hooks() {
  httplib::Server& http = *http_;
  const int threads = config_.threads;
  http.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  http.set_keep_alive_max_count(static_cast<size_t>(config_.keep_alive_max_requests));
  http.set_keep_alive_timeout(config_.keep_alive_timeout_seconds);
  http.set_read_timeout(config_.read_timeout_seconds, 0);
  http.set_write_timeout(config_.write_timeout_seconds, 0);
  http.set_payload_max_length(config_.max_body_bytes);
  http.set_tcp_nodelay(true);
  // Replaces httplib's default options (SO_REUSEADDR), and keeps the listening socket so that
  // bind() can raise its backlog: Debian's compiled httplib listens with a backlog of 5.
  http.set_socket_options([this](int sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    ::setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
    listen_socket_.store(sock);
  });

  httplib::Headers defaults;
  for (const auto& [name, value] : security_headers()) defaults.emplace(name, value);
  http.set_default_headers(std::move(defaults));

  http.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    current = RequestState{std::chrono::steady_clock::now(), true, nullptr};
    ensure_request_id(res);
    // Debian's httplib compresses text with brotli whenever Accept-Encoding names it, at quality
    // 11: milliseconds of CPU per page. Its choice reads only this header, so `br` is taken out
    // of it and gzip (a fraction of the cost) answers instead. httplib owns the Request as a
    // non-const object for the whole exchange; only this header is touched, before any handler.
    for (auto& [name, value] : const_cast<httplib::Request&>(req).headers) {
      if (name.size() == 15 && ::strncasecmp(name.c_str(), "Accept-Encoding", 15) == 0) {
        value = without_brotli(value);
      }
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });

  // Called for every status >= 400 before the response is written. Handlers that wrote their own
  // error body are left alone; statuses from the HTTP layer (404, 405, 413, 400) get ours.
  const size_t max_body = config_.max_body_bytes;
  http.set_error_handler(httplib::Server::HandlerWithResponse(
      [max_body](const httplib::Request& req, httplib::Response& res) {
        ensure_request_id(res);
        if (!res.body.empty() || res.content_length_ > 0) {
          return httplib::Server::HandlerResponse::Unhandled;
        }
        const int status = res.status;
        write_error(
            req, res,
            Error{error_code_for_status(status), error_message_for_status(status, max_body), ""});
        res.status = status;
        return httplib::Server::HandlerResponse::Handled;
      }));

  http.set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
        ensure_request_id(res);
        std::string what = "unknown exception";
        try {
          std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        core::log("http.exception", {{"request", request_id(res)}, {"what", what}});
        res.headers.erase("Content-Type");
        write_error(req, res, Error{ErrorCode::internal, "internal error", ""});
      });

  // Runs when the response is complete (error bodies included) and before httplib writes it, so
  // a client that has its answer also finds it counted in /metrics.
  http.set_post_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    double seconds = 0;
    if (current.started) {
      seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - current.start).count();
    }
    current.seconds = seconds;
    static const std::string kUnmatched = "unmatched";
    const std::string& route = current.route != nullptr ? *current.route : kUnmatched;
    metrics_.record_request(route, req.method, res.status, seconds);
  });

  http.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
    const size_t bytes = res.body.empty() ? res.content_length_ : res.body.size();
    // req.path never holds the query string, which may carry an order's token.
    log_access(config_, req.method, req.path, res.status, current.seconds, bytes,
               res.get_header_value(kRequestIdHeader));
    current = RequestState{};
  });
}

Result<int> Server::bind() {
  int port = 0;
  if (config_.port == 0) {
    port = http_->bind_to_any_port(config_.host);
    if (port < 0) port = 0;
  } else {
    port = http_->bind_to_port(config_.host, config_.port) ? config_.port : 0;
  }
  if (port <= 0) {
    return Error{ErrorCode::unavailable,
                 "cannot listen on " + config_.host + ":" + std::to_string(config_.port) +
                     " (address in use, or not an address of this machine)",
                 "--listen"};
  }
  const int sock = listen_socket_.load();
  if (sock >= 0 && ::listen(sock, config_.listen_backlog) != 0) {
    core::log("server.backlog_failed", {{"backlog", config_.listen_backlog}});
  }
  port_ = port;
  if (config_.front_threads > 0 && !config_.tls() && sock >= 0 && !front_) {
    FrontDoor::Options options;
    options.threads = config_.front_threads;
    options.idle_timeout = std::chrono::seconds(config_.keep_alive_timeout_seconds);
    options.read_timeout = std::chrono::seconds(config_.read_timeout_seconds);
    options.write_timeout = std::chrono::seconds(config_.write_timeout_seconds);
    options.max_requests = static_cast<size_t>(config_.keep_alive_max_requests);
    options.max_header_lines = static_cast<size_t>(config_.max_header_lines);
    options.max_head_bytes = static_cast<size_t>(config_.max_head_bytes);
    auto pages = std::make_shared<FrontPages>(config_, context_->db, pages_, metrics_,
                                              router_->page_routes());
    front_ = std::make_unique<FrontDoor>(
        options,
        [pages](const RequestHead& head, bool close, std::string& out) {
          return pages->answer(head, close, out);
        },
        [pages](const RequestHead& head, bool close) { return pages->render(head, close); });
  }
  return port;
}

Result<void> Server::run() {
  if (front_) {
    if (auto started = front_->start(listen_socket_.load()); !started) {
      core::log("server.front_door_off", {{"error", started.error().message}});
    }
  }
  const bool ok = http_->listen_after_bind();
  if (front_) front_->stop();
  if (!ok) return Error{ErrorCode::unavailable, "the server stopped with an error", ""};
  return {};
}

void Server::stop() {
  // httplib first: its listening loop, waiting for the front door's next connection, must find
  // the server stopped when the front door then wakes it.
  if (http_) http_->stop();
  if (guarded_) guarded_->wake();
  if (front_) front_->stop();
}

std::optional<FrontDoor::Stats> Server::front_stats() const {
  if (!front_) return std::nullopt;
  return front_->stats();
}

bool Server::is_running() const { return http_ && http_->is_running(); }

// --- serve ---

int serve(const Config& config, DbPool& db, const core::Clock& clock,
          const std::function<void(const Server&)>& on_listening) {
  // Signals are taken by one thread with sigwait(): blocked here, before any other thread exists,
  // so every thread inherits the mask and no handler runs in the middle of a request.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto server = Server::create(config, db, clock);
  if (!server) {
    std::fprintf(stderr, "chophien serve: %s\n", server.error().message.c_str());
    return server.error().code == ErrorCode::invalid_input ? 2 : 1;
  }
  auto port = (*server)->bind();
  if (!port) {
    std::fprintf(stderr, "chophien serve: %s\n", port.error().message.c_str());
    return 1;
  }
  core::log("server.listening", {{"host", config.host},
                                 {"port", *port},
                                 {"threads", config.threads},
                                 {"tls", config.tls()},
                                 {"db", config.db_file}});
  if (on_listening) on_listening(**server);

  std::atomic<bool> done{false};
  Server* raw = server->get();
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    if (!done.load()) {
      core::log("server.stopping", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
      raw->stop();
    }
  });
  auto ran = (*server)->run();
  done.store(true);
  pthread_kill(waiter.native_handle(), SIGTERM);  // wakes the waiter if no signal came
  waiter.join();
  server->reset();
  if (!ran) {
    std::fprintf(stderr, "chophien serve: %s\n", ran.error().message.c_str());
    return 1;
  }
  core::log("server.stopped");
  return 0;
}

}  // namespace chophien::storefront
