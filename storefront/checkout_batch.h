#pragma once
// Group commit (group_commit.h) for checkouts: the shop's checkout form and POST /api/v1/checkout
// hand their checked request to one CheckoutBatch; checkouts that arrive while another is being
// written wait, and are then written together in one transaction (core::OrderStore::
// checkout_batch, one savepoint each) under the pool's writer lock. Under load N checkouts then
// cost one commit instead of N, and the time spent holding the writer lock is the database work
// alone: reading the request, rendering the answer and the VietQR payload happen outside it.
//
//   auto placed = app.checkouts->checkout(request);   // blocks until committed (or refused)
//
// The payment window of new orders is the run-time setting (runtime_settings.h), read once per
// batch, and so are the caps on unpaid orders per phone number and client address (Config's
// checkout_max_*; core/orders.h), counted inside the batch's transaction. A refused checkout (bad
// input, a product short of stock, a cap) changes nothing and does not affect the others of its
// batch.
//
// Thread-safety: checkout() may be called from any number of threads at once.

#include <cstddef>
#include <vector>

#include "core/clock.h"
#include "core/orders.h"
#include "core/result.h"
#include "storefront/config.h"
#include "storefront/db_pool.h"
#include "storefront/group_commit.h"

namespace chophien::storefront {

// The OrderSettings new orders are placed with: the payment window (run-time setting) and the
// caps of `config`.
core::OrderSettings checkout_settings(const Config& config, core::Database& db);

class CheckoutBatch {
 public:
  static constexpr size_t kMaxBatch = 32;

  // `config`, `pool` and `clock` must outlive this object.
  CheckoutBatch(const Config& config, DbPool& pool, const core::Clock& clock);

  // core::OrderStore::checkout()'s result, written in a transaction shared with the checkouts
  // waiting beside it. Errors: those of checkout(), and unavailable when the pool is closed. Must
  // not be called while this thread holds the writer lock.
  Result<std::vector<core::PlacedOrder>> checkout(const core::CheckoutRequest& request) {
    return group_.submit(request);
  }

  // Seconds for Retry-After after checkout() met a cap (rate_limited): until the first counted
  // checkout stops counting; at least 1 (60 when the database cannot be read).
  int retry_after(const core::CheckoutRequest& request);

 private:
  const Config& config_;
  DbPool& pool_;
  const core::Clock& clock_;
  GroupCommit<core::CheckoutRequest, std::vector<core::PlacedOrder>> group_;
};

}  // namespace chophien::storefront
