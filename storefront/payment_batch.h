#pragma once
// Group commit (group_commit.h) for bank-transfer notifications: webhook handlers that arrive
// while another handler's notifications are being written wait, and are then written together in
// one transaction (core::PaymentStore::receive_batch) by one of them, under the pool's writer lock.
// A burst of N notifications then costs one commit instead of N, and the writer connection's
// page cache stays warm, while each handler still answers only after its own notification is
// committed (the same durability as a transaction of its own: WAL, synchronous=NORMAL).
//
//   PaymentBatch batch(pool, clock);
//   auto outcome = batch.receive(notification);   // blocks until committed (or refused)
//
// There is no timer: a lone notification is written at once; batching comes only from
// notifications that arrive while a commit is running. At most kMaxBatch per transaction.
//
// Thread-safety: receive() may be called from any number of threads at once.

#include <cstddef>

#include "core/clock.h"
#include "core/payments.h"
#include "core/result.h"
#include "storefront/db_pool.h"
#include "storefront/group_commit.h"

namespace chophien::storefront {

class PaymentBatch {
 public:
  static constexpr size_t kMaxBatch = 64;

  // `pool` and `clock` must outlive this object.
  PaymentBatch(DbPool& pool, const core::Clock& clock);

  // Stores and matches `notification` as core::PaymentStore::receive() does, in a transaction
  // shared with the notifications waiting beside it. Errors: those of receive(), and unavailable
  // when the pool is closed. Must not be called while this thread holds the writer lock.
  Result<core::ReceiveOutcome> receive(const core::BankNotification& notification) {
    return group_.submit(notification);
  }

 private:
  GroupCommit<core::BankNotification, core::ReceiveOutcome> group_;
};

}  // namespace chophien::storefront
