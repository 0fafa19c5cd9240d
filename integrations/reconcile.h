#pragma once
// Reconciliation (integrations.md 5, rule 7): asks each connected service for the account's
// recent transactions, where the service offers a list, and feeds every one through the same
// store-then-match path as webhooks (core::PaymentStore::receive). A transfer whose webhook was
// lost therefore still pays its order; one already received is a duplicate and changes nothing.
//
//   SePay  user API transaction list, with the connection's api_token (or its api_key in apikey
//          mode)
//   Casso  transaction list, with the connection's optional api_key
//   payOS  no account-wide list: skipped (its links are looked up by order code instead)
//
// Each transaction belongs to the connection's producer (BankNotification::producer_id), is a
// duplicate only of that producer's own (provider, id), and is skipped unless it names an account
// that producer receives on (core::PaymentStore::receives_into), as on the webhook. A failing
// connection is reported and the others still run. Also retries core's matching of payments left
// 'received'.
//
// Thread-safety: one Database connection, one thread at a time.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/database.h"
#include "core/result.h"
#include "integrations/secret_box.h"

namespace chophien::integrations {

struct ReconcileSettings {
  std::string sepay_api_url = "https://my.sepay.vn";
  std::string casso_api_url = "https://oauth.casso.vn";
  int64_t lookback_days = 3;  // Casso's fromDate
};

struct ReconcileReport {
  int connections = 0;                // connections asked
  int skipped = 0;                    // connections without a list API or credentials for it
  int fetched = 0;                    // transactions seen
  int recovered = 0;                  // new payments stored (their webhook never arrived)
  int rematched = 0;                  // payments left 'received' and matched now
  std::vector<std::string> problems;  // one line per failing connection (no secrets)
};

// `box` null: nothing can be opened, so every connection is a problem.
Result<ReconcileReport> reconcile(core::Database& db, const core::Clock& clock,
                                  const SecretBox* box, const ReconcileSettings& settings);

// Runs a job (a reconciliation pass) on its own thread every `interval`, the first time one
// interval after start(), until stop(). A pass that is running when stop() is called finishes
// first; stop() wakes a waiting thread at once. The job must not throw.
// Thread-safety: start() and stop() from one owning thread; the destructor stops.
class PeriodicJob {
 public:
  PeriodicJob(std::chrono::milliseconds interval, std::function<void()> job)
      : interval_(interval), job_(std::move(job)) {}
  ~PeriodicJob() { stop(); }
  PeriodicJob(const PeriodicJob&) = delete;
  PeriodicJob& operator=(const PeriodicJob&) = delete;

  void start();
  void stop();
  int passes() const;  // passes finished so far

 private:
  std::chrono::milliseconds interval_;
  std::function<void()> job_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  int passes_ = 0;
  std::thread thread_;
};

}  // namespace chophien::integrations
