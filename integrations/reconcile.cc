#include "integrations/reconcile.h"

#include "core/log.h"
#include "core/payments.h"
#include "core/text.h"
#include "integrations/casso.h"
#include "integrations/notification_accounts.h"
#include "integrations/sepay.h"

namespace chophien::integrations {

Result<ReconcileReport> reconcile(core::Database& db, const core::Clock& clock,
                                  const SecretBox* box, const ReconcileSettings& settings) {
  ReconcileReport report;
  NotificationAccounts accounts(db, clock, box);
  int unreadable = 0;
  auto connections = accounts.all(&unreadable);
  if (!connections) return connections.error();
  if (unreadable > 0) {
    report.problems.push_back(std::to_string(unreadable) +
                              " connection(s) could not be opened with the configured key");
  }
  core::PaymentStore payments(db, clock);
  for (const Connection& c : *connections) {
    const std::string& provider = c.summary.provider;
    Result<std::vector<core::BankNotification>> list = std::vector<core::BankNotification>{};
    if (provider == "sepay") {
      std::string token = c.secret("api_token");
      if (token.empty() && c.summary.mode == "apikey") token = c.secret("api_key");
      if (token.empty() || c.account_number.empty()) {
        ++report.skipped;
        continue;
      }
      list = sepay_list_transactions(settings.sepay_api_url, token, c.account_number);
    } else if (provider == "casso") {
      const std::string key = c.secret("api_key");
      if (key.empty() || c.account_number.empty()) {
        ++report.skipped;
        continue;
      }
      const core::Date from = core::vietnam_date(clock.now() - settings.lookback_days * 86400);
      list = casso_list_transactions(settings.casso_api_url, key, core::format_iso_date(from));
    } else {
      ++report.skipped;
      continue;
    }
    ++report.connections;
    if (!list) {
      report.problems.push_back(provider + " for producer " +
                                std::to_string(c.summary.producer_id) + ": " +
                                list.error().message);
      continue;
    }
    for (core::BankNotification& n : *list) {
      ++report.fetched;
      // As on the webhook: the connection's producer, and only into an account it receives on.
      n.producer_id = c.summary.producer_id;
      auto ours = payments.receives_into(c.summary.producer_id, n.account_number);
      if (!ours) {
        report.problems.push_back(provider + " transaction " + n.provider_txn_id + ": " +
                                  ours.error().message);
        continue;
      }
      if (!*ours) continue;
      auto outcome = payments.receive(n);
      if (!outcome) {
        report.problems.push_back(provider + " transaction " + n.provider_txn_id + ": " +
                                  outcome.error().message);
        continue;
      }
      if (!outcome->duplicate) {
        ++report.recovered;
        core::log("reconcile.recovered", {{"provider", provider},
                                          {"payment", outcome->payment.id},
                                          {"state", outcome->payment.match_state}});
      }
    }
  }
  auto rematched = payments.match_pending();
  if (rematched) {
    report.rematched = *rematched;
  } else {
    report.problems.push_back("matching pending payments: " + rematched.error().message);
  }
  return report;
}

void PeriodicJob::start() {
  if (thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stopping_ = false;
  }
  thread_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
      lock.unlock();
      job_();
      lock.lock();
      ++passes_;
    }
  });
}

void PeriodicJob::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

int PeriodicJob::passes() const {
  std::lock_guard lock(mutex_);
  return passes_;
}

}  // namespace chophien::integrations
