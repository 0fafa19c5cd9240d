// chophien serve: read the settings, open the database, optionally load the demo, serve; beside
// the server, a reconciliation pass (the same as `chophien reconcile`) every
// CHOPHIEN_RECONCILE_INTERVAL seconds when a secret key is configured.
#include <openssl/rand.h>
#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "app/commands.h"
#include "core/areas.h"
#include "core/clock.h"
#include "core/demo.h"
#include "core/log.h"
#include "core/users.h"
#include "integrations/reconcile.h"
#include "integrations/secret_box.h"
#include "integrations/sync.h"
#include "storefront/config.h"
#include "storefront/db_pool.h"
#include "storefront/photos.h"
#include "storefront/server.h"

namespace chophien::app {
namespace {

struct DemoLogin {
  std::string login;
  std::string role;
  std::string password;
};

std::string random_password() {
  static constexpr char kAlphabet[] = "abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY34679";
  unsigned char bytes[14];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return {};
  std::string out;
  for (unsigned char b : bytes) out += kAlphabet[b % (sizeof kAlphabet - 1)];
  return out;
}

// Demo users get a fresh random password at every start, printed once: a demo database that
// leaks never holds a password that works for long.
// The producer demo user belongs to the first demo producer.
Result<std::vector<DemoLogin>> demo_users(core::Database& db) {
  core::Users users(db, core::system_clock());
  std::optional<int64_t> first_producer;
  {
    auto stmt = db.prepare("SELECT id FROM producers ORDER BY id LIMIT 1");
    if (!stmt) return stmt.error();
    auto row = stmt->step();
    if (!row) return row.error();
    if (*row) first_producer = stmt->column_int(0);
  }
  std::vector<DemoLogin> logins;
  const std::pair<const char*, core::Role> kDemo[] = {{"admin", core::Role::admin},
                                                      {"canbo", core::Role::officer},
                                                      {"nongsan", core::Role::producer}};
  for (const auto& [login, role] : kDemo) {
    if (role == core::Role::producer && !first_producer) continue;
    std::string password = random_password();
    if (password.empty()) return Error{ErrorCode::internal, "no random bytes", ""};
    auto existing = users.find_user_by_login(login);
    if (existing) {
      auto reset = users.reset_password(existing->id, password);
      if (!reset) return reset.error();
    } else {
      core::NewUser user;
      user.login = login;
      user.password = password;
      user.role = role;
      if (role == core::Role::producer) user.producer_id = first_producer;
      auto created = users.create_user(user);
      if (!created) return created.error();
    }
    logins.push_back({login, core::role_name(role), password});
  }
  return logins;
}

// One reconciliation pass on a pooled connection; its outcome goes to the log.
void reconcile_pass(const storefront::Config& config, storefront::DbPool& pool,
                    const integrations::SecretBox& box) {
  auto db = pool.acquire();
  if (!db) {
    core::log("reconcile.failed", {{"error", db.error().message}});
    return;
  }
  integrations::ReconcileSettings settings;
  settings.sepay_api_url = config.sepay_api_url;
  settings.casso_api_url = config.casso_api_url;
  auto report = integrations::reconcile(*db, core::system_clock(), &box, settings);
  if (!report) {
    core::log("reconcile.failed", {{"error", report.error().message}});
    return;
  }
  core::log("reconcile.pass", {{"connections", report->connections},
                               {"skipped", report->skipped},
                               {"fetched", report->fetched},
                               {"recovered", report->recovered},
                               {"rematched", report->rematched},
                               {"problems", report->problems.size()}});
  for (const auto& problem : report->problems) core::log("reconcile.problem", {{"what", problem}});
}

// One marketplace worker pass on a pooled connection: sends what is due for at most
// `budget_seconds`, then pulls recent orders; the outcome goes to the log.
void sync_pass(storefront::DbPool& pool, const integrations::SecretBox& box,
               const integrations::MarketplaceApps& apps, int64_t budget_seconds) {
  auto db = pool.acquire();
  if (!db) {
    core::log("marketplace.sync_failed", {{"error", db.error().message}});
    return;
  }
  integrations::MarketplaceSync sync(*db, core::system_clock(), &box, apps);
  integrations::SendOptions options;
  options.max_seconds = budget_seconds;
  options.wait = [](int64_t s) { std::this_thread::sleep_for(std::chrono::seconds(s)); };
  auto sent = sync.send(options);
  if (!sent) {
    core::log("marketplace.sync_failed", {{"error", sent.error().message}});
    return;
  }
  auto orders = sync.pull_orders(0);
  core::log("marketplace.sync_pass", {{"due", sent->totals.due},
                                      {"done", sent->totals.done},
                                      {"retried", sent->totals.retried},
                                      {"failed", sent->totals.failed},
                                      {"held", sent->totals.held},
                                      {"orders_recorded", orders ? orders->recorded : 0}});
  for (const auto& p : sent->totals.problems) core::log("marketplace.problem", {{"what", p}});
  if (!orders) core::log("marketplace.sync_failed", {{"error", orders.error().message}});
}

}  // namespace

int serve_command(Args args) {
  for (auto arg : args) {
    if (arg == "--help" || arg == "-h") {
      std::fputs(storefront::serve_usage().data(), stdout);
      return 0;
    }
  }
  auto config = storefront::Config::load(args, [](const char* name) { return std::getenv(name); });
  if (!config) {
    std::fprintf(stderr, "chophien serve: %s\n\n%s", config.error().message.c_str(),
                 storefront::serve_usage().data());
    return 2;
  }
  auto pool = storefront::DbPool::open(config->db_file);
  if (!pool) {
    std::fprintf(stderr, "chophien serve: cannot open %s: %s\n", config->db_file.c_str(),
                 pool.error().message.c_str());
    return 1;
  }
  std::vector<DemoLogin> logins;
  {
    auto db = (*pool)->acquire();
    if (!db) {
      std::fprintf(stderr, "chophien serve: %s\n", db.error().message.c_str());
      return 1;
    }
    // The administrative units are reference data every install needs; loading is idempotent.
    auto areas = core::AreaStore(*db).load_default();
    if (!areas) {
      std::fprintf(stderr, "chophien serve: areas: %s\n", areas.error().message.c_str());
      return 1;
    }
    // Photo copies made before copies were stripped of metadata (migration 0026), once: until
    // then they are not served. Without the photo helper the server still starts.
    if (auto remade = storefront::remake_listed_photo_copies(*db, core::system_clock()); !remade) {
      std::fprintf(stderr, "chophien serve: photo copies not re-made yet: %s\n",
                   remade.error().message.c_str());
    }
    if (config->demo) {
      auto loaded = core::load_demo(*db, core::system_clock());
      if (!loaded) {
        std::fprintf(stderr, "chophien serve: demo data: %s\n", loaded.error().message.c_str());
        return 1;
      }
      auto demo = demo_users(*db);
      if (!demo) {
        std::fprintf(stderr, "chophien serve: demo users: %s\n", demo.error().message.c_str());
        return 1;
      }
      logins = std::move(*demo);
    }
  }
  // Scheduled reconciliation: needs the key that opens the stored connections.
  std::optional<integrations::SecretBox> box;
  if (!config->secret_key.empty()) {
    if (auto opened = integrations::SecretBox::from_key(config->secret_key))
      box = std::move(*opened);
  } else {
    // Without it no bank-notification service or marketplace can be connected, and webhooks of
    // connections made under an earlier key are answered 503 until the key is set again.
    core::log("server.warning",
              {{"detail",
                "CHOPHIEN_SECRET_KEY is not set: payment notifications, reconciliation and "
                "marketplaces are off"}});
  }
  std::optional<integrations::PeriodicJob> reconciler;
  if (box && config->reconcile_interval_seconds > 0) {
    // storefront::serve takes SIGTERM and SIGINT with sigwait() on one thread; the job's thread
    // must inherit them blocked, or a signal delivered to it would end the process at once.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    reconciler.emplace(std::chrono::seconds(config->reconcile_interval_seconds),
                       [&] { reconcile_pass(*config, **pool, *box); });
    reconciler->start();
  }
  // The marketplace worker: needs the key (sealed tokens) and at least one app's credentials.
  std::optional<integrations::PeriodicJob> syncer;
  const integrations::MarketplaceApps* apps = &config->marketplace_apps;
  if (box && config->sync_interval_seconds > 0 && !apps->empty()) {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    const int64_t budget = std::min<int64_t>(config->sync_interval_seconds, 30);
    syncer.emplace(std::chrono::seconds(config->sync_interval_seconds),
                   [&, budget] { sync_pass(**pool, *box, *apps, budget); });
    syncer->start();
  }
  const int status = storefront::serve(
      *config, **pool, core::system_clock(), [&](const storefront::Server& server) {
        std::printf("Chợ phiên số Bảo Lâm đang chạy tại %s://%s:%d/\n",
                    config->tls() ? "https" : "http", config->host.c_str(), server.port());
        if (!logins.empty()) {
          std::printf("Tài khoản thử (mật khẩu chỉ hiện một lần):\n");
          for (const auto& l : logins) {
            std::printf("  %-8s %-8s %s\n", l.role.c_str(), l.login.c_str(), l.password.c_str());
          }
        }
        std::fflush(stdout);
      });
  if (reconciler) reconciler->stop();
  if (syncer) syncer->stop();  // before the pool closes: a pass may hold a connection
  auto closed = (*pool)->close();
  if (!closed) {
    std::fprintf(stderr, "chophien serve: closing the database: %s\n",
                 closed.error().message.c_str());
    return status == 0 ? 1 : status;
  }
  return status;
}

}  // namespace chophien::app
