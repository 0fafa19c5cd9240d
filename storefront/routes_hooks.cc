// POST /hooks/sepay|casso|payos: authenticate on the raw body, store, match, answer.
#include <httplib.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <deque>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "core/log.h"
#include "core/payments.h"
#include "integrations/casso.h"
#include "integrations/notification_accounts.h"
#include "integrations/payos.h"
#include "integrations/secret_box.h"
#include "integrations/sepay.h"
#include "storefront/client_address.h"
#include "storefront/hooks.h"
#include "storefront/http_errors.h"
#include "storefront/payment_batch.h"
#include "storefront/routes.h"

namespace chophien::storefront {
namespace {

using nlohmann::json;
namespace in = integrations;

std::mutex options_mutex;
HooksOptions options_value;

constexpr const char* kJson = "application/json; charset=utf-8";

// Refused requests per producer webhook (provider and producer) within a sliding minute (the app's
// clock, so tests move it). Only requests that fail authentication count, and a request is
// authenticated before it is ever answered 429: a flood of forged notifications on a producer's
// webhook can never make the service's real ones be refused, whatever address they come from.
class RejectionLimiter {
 public:
  // Seconds until the webhook answers unauthenticated requests again; 0 when it is not limited.
  int64_t blocked_for(const std::string& webhook, int64_t now, int limit) {
    std::lock_guard lock(mutex_);
    auto it = seen_.find(webhook);
    if (it == seen_.end()) return 0;
    prune(it->second, now);
    if (static_cast<int>(it->second.size()) < limit) return 0;
    return std::max<int64_t>(1, it->second.front() + 60 - now);
  }
  void record(const std::string& webhook, int64_t now) {
    std::lock_guard lock(mutex_);
    // A hard bound on what a flood of addresses can make this table hold.
    if (seen_.size() >= kMaxEntries && !seen_.contains(webhook)) return;
    auto& times = seen_[webhook];
    prune(times, now);
    times.push_back(now);
    // Keep the table small: forget quiet entries, at most once a second.
    if (seen_.size() > 10000 && now != last_pruned_) {
      last_pruned_ = now;
      for (auto i = seen_.begin(); i != seen_.end();) {
        prune(i->second, now);
        i = i->second.empty() ? seen_.erase(i) : std::next(i);
      }
    }
  }

 private:
  static void prune(std::deque<int64_t>& times, int64_t now) {
    while (!times.empty() && times.front() <= now - 60) times.pop_front();
  }
  static constexpr size_t kMaxEntries = 50000;
  std::mutex mutex_;
  std::map<std::string, std::deque<int64_t>> seen_;
  int64_t last_pruned_ = 0;
};

struct HookState {
  HookState(DbPool& pool, const core::Clock& clock) : batch(pool, clock) {}
  std::unique_ptr<in::SecretBox> box;  // null when no key is configured
  RejectionLimiter limiter;
  PaymentBatch batch;  // writes accepted notifications, several per transaction under load
};

void write_success(httplib::Response& res, std::string_view provider) {
  res.status = 200;
  if (provider == "sepay") {
    res.set_content(in::kSepaySuccessBody, kJson);
  } else if (provider == "casso") {
    res.set_content(R"({"error":0,"message":"ok"})", kJson);
  } else {
    res.set_content(R"({"code":"00","desc":"success"})", kJson);
  }
}

const char* reason_label(ErrorCode code) {
  switch (code) {
    case ErrorCode::unauthenticated:
    case ErrorCode::not_found:
      return "unauthenticated";
    case ErrorCode::invalid_input:
      return "invalid_input";
    case ErrorCode::too_large:
      return "too_large";
    case ErrorCode::forbidden:
      return "wrong_account";
    case ErrorCode::rate_limited:
      return "rate_limited";
    default:
      return "other";
  }
}

Result<void> authenticate(std::string_view provider, const in::Connection& connection,
                          const httplib::Request& req, int64_t now) {
  if (provider == "sepay") {
    in::SepayAuth auth;
    auth.mode = connection.summary.mode == "hmac" ? in::SepayMode::hmac : in::SepayMode::api_key;
    auth.secret = connection.secret(auth.mode == in::SepayMode::hmac ? "secret" : "api_key");
    in::SepayHeaders headers{req.get_header_value("Authorization"),
                             req.get_header_value("X-SePay-Timestamp"),
                             req.get_header_value("X-SePay-Signature")};
    return in::sepay_authenticate(auth, headers, req.body, now);
  }
  if (provider == "casso") {
    return in::casso_authenticate(connection.secret("secret"),
                                  req.get_header_value("X-Casso-Signature"), req.body, now);
  }
  return in::payos_authenticate(connection.secret("checksum_key"), req.body);
}

Result<core::BankNotification> parse(std::string_view provider, const std::string& body) {
  if (provider == "sepay") return in::sepay_parse(body);
  if (provider == "casso") return in::casso_parse(body);
  return in::payos_parse(body);
}

// How far a request got in accept(): a refusal of an authentic one is not counted by the limiter,
// and a connection whose secrets no longer open is the server's trouble, not the sender's.
enum class Reached { start, no_connection, unreadable, connection, authentic };

// Everything before storing; an error here is a rejection.
Result<core::BankNotification> accept(AppContext& app, HookState& state, std::string_view provider,
                                      core::Database& db, const httplib::Request& req,
                                      int64_t producer_id, Reached& reached) {
  if (req.body.size() > hooks_options().max_body_bytes) {
    return Error{ErrorCode::too_large, "the notification body is too large", "body"};
  }
  if (producer_id <= 0) {
    return Error{ErrorCode::unauthenticated,
                 "the webhook URL must name the producer (?producer=ID)", ""};
  }
  in::NotificationAccounts accounts(db, app.clock, state.box.get());
  auto connection = accounts.find(producer_id, provider);
  if (!connection) {
    if (connection.error().code == ErrorCode::not_found) {
      reached = Reached::no_connection;
      return Error{ErrorCode::unauthenticated, "no such connection", ""};
    }
    if (connection.error().code == ErrorCode::forbidden) {
      // The stored secrets do not open: the installation's key changed. Not the sender's fault,
      // and the service retries what is not answered 2xx: 503 until the producer connects again.
      reached = Reached::unreadable;
      return Error{ErrorCode::unavailable,
                   "this connection must be set up again on the server (its key changed)", ""};
    }
    return connection.error();
  }
  reached = Reached::connection;
  if (auto checked = authenticate(provider, *connection, req, app.clock.now()); !checked) {
    return checked.error();
  }
  reached = Reached::authentic;
  auto notification = parse(provider, req.body);
  if (!notification) return notification.error();
  // The notification belongs to this connection's producer and nobody else, and must name an
  // account that producer receives on (its registered one, or an earlier one a recent order of
  // theirs shows: PaymentStore::receives_into): without one, or naming another, it is refused and
  // nothing is stored.
  notification->producer_id = producer_id;
  auto ours =
      core::PaymentStore(db, app.clock).receives_into(producer_id, notification->account_number);
  if (!ours) return ours.error();
  if (!*ours) {
    return Error{ErrorCode::forbidden,
                 "the receiving account is not the connected producer's account", "accountNumber"};
  }
  return notification;
}

// The producer named by the webhook URL (?producer=ID); 0 when it names none.
int64_t producer_of(const httplib::Request& req) {
  const std::string param = req.get_param_value("producer");
  int64_t id = 0;
  auto [end, ec] = std::from_chars(param.data(), param.data() + param.size(), id);
  if (param.empty() || ec != std::errc() || end != param.data() + param.size() || id <= 0) {
    return 0;
  }
  return id;
}

void handle(AppContext& app, HookState& state, const std::string& provider,
            const httplib::Request& req, httplib::Response& res) {
  const std::string address = client_address(req, app.config.trusted_proxies);
  const int64_t now = app.clock.now();
  const int limit = hooks_options().rejections_per_minute;
  const int64_t producer_id = producer_of(req);
  const std::string webhook = provider + "/" + std::to_string(producer_id);
  auto reject_counter = [&](const char* reason) -> Counter& {
    return app.metrics.counter("chophien_webhook_rejections_total",
                               "Webhook requests refused (nothing stored), by provider and reason",
                               "provider=\"" + provider + "\",reason=\"" + reason + "\"");
  };
  Reached reached = Reached::start;
  auto notification = [&]() -> Result<core::BankNotification> {
    // A connection of its own for the checks; the batch writes on the writer's.
    auto db = app.db.acquire();
    if (!db) return db.error();
    return accept(app, state, provider, *db, req, producer_id, reached);
  }();
  if (!notification) {
    const Error& e = notification.error();
    if (e.code == ErrorCode::unavailable || e.code == ErrorCode::internal) {
      std::optional<int> retry;
      if (reached == Reached::unreadable) {
        core::log("hook.connection_unreadable", {{"provider", provider},
                                                 {"producer", producer_id},
                                                 {"detail", e.message},
                                                 {"request", request_id(res)}});
        retry = 600;  // until the producer connects the service again
      } else if (e.code == ErrorCode::unavailable) {
        retry = 1;  // busy
      }
      write_error(res, e, retry);
      return;
    }
    if (reached != Reached::authentic) {
      // Requests that never reached an existing connection (no such producer or service, a body
      // too large) are counted by client address instead: the ids in a URL are the sender's
      // choice and must not grow the table.
      const std::string counted =
          reached == Reached::connection
              ? webhook
              : provider + "/?/" + limited_address(req, app.config.trusted_proxies);
      if (int64_t wait = state.limiter.blocked_for(counted, now, limit); wait > 0) {
        reject_counter("rate_limited").add();
        write_error(res, Error{ErrorCode::rate_limited, "too many refused notifications", ""},
                    static_cast<int>(wait));
        return;
      }
      state.limiter.record(counted, now);
    }
    reject_counter(reason_label(e.code)).add();
    core::log("hook.rejected", {{"provider", provider},
                                {"reason", reason_label(e.code)},
                                {"detail", e.message},
                                {"from", address},
                                {"request", request_id(res)}});
    // Bad credentials all look alike from outside.
    Error shown = e.code == ErrorCode::unauthenticated
                      ? Error{ErrorCode::unauthenticated, "bad credentials", ""}
                      : e;
    write_error(res, shown);
    return;
  }
  // Stored and matched under the process's writer lock (not in SQLite's busy handler, whose
  // sleeps of up to 100 ms would dominate latency), together with the notifications that arrive
  // meanwhile; answered once committed.
  auto outcome = state.batch.receive(*notification);
  if (!outcome) {
    write_error(
        res, outcome.error(),
        outcome.error().code == ErrorCode::unavailable ? std::optional<int>(1) : std::nullopt);
    return;
  }
  const std::string result = outcome->duplicate ? "duplicate" : outcome->payment.match_state;
  app.metrics
      .counter("chophien_webhook_notifications_total",
               "Authenticated bank-transfer notifications, by provider and result",
               "provider=\"" + provider + "\",result=\"" + result + "\"")
      .add();
  if (!outcome->duplicate) {
    core::log("hook.received", {{"provider", provider},
                                {"payment", outcome->payment.id},
                                {"state", outcome->payment.match_state},
                                {"vnd", outcome->payment.amount_vnd},
                                {"request", request_id(res)}});
  }
  write_success(res, provider);
}

}  // namespace

const HooksOptions& hooks_options() {
  std::lock_guard lock(options_mutex);
  return options_value;
}

void set_hooks_options(const HooksOptions& options) {
  std::lock_guard lock(options_mutex);
  options_value = options;
}

std::string webhook_url(const Config& config, std::string_view provider, int64_t producer_id) {
  return config.base_url() + "/hooks/" + std::string(provider) +
         "?producer=" + std::to_string(producer_id);
}

void register_hooks_routes(Router& router, AppContext& app) {
  auto state = std::make_shared<HookState>(app.db, app.clock);
  if (auto box = in::SecretBox::from_key(app.config.secret_key)) {
    state->box = std::make_unique<in::SecretBox>(std::move(*box));
  }
  for (const char* provider : {"sepay", "casso", "payos"}) {
    std::string name = provider;
    router.post("/hooks/" + name,
                [&app, state, name](const httplib::Request& req, httplib::Response& res) {
                  handle(app, *state, name, req, res);
                });
  }
}

}  // namespace chophien::storefront
