#pragma once
// Group commit for bank-transfer notifications: webhook handlers that arrive while another
// handler's notifications are being written wait, and are then written together in one
// transaction (core::PaymentStore::receive_batch) by one of them, under the pool's writer lock.
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

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <vector>

#include "core/clock.h"
#include "core/payments.h"
#include "core/result.h"
#include "storefront/db_pool.h"

namespace chophien::storefront {

class PaymentBatch {
 public:
  static constexpr size_t kMaxBatch = 64;

  // `pool` and `clock` must outlive this object.
  PaymentBatch(DbPool& pool, const core::Clock& clock) : pool_(pool), clock_(clock) {}

  // Stores and matches `notification` as core::PaymentStore::receive() does, in a transaction
  // shared with the notifications waiting beside it. Errors: those of receive(), and unavailable
  // when the pool is closed. Must not be called while this thread holds the writer lock.
  Result<core::ReceiveOutcome> receive(const core::BankNotification& notification);

 private:
  struct Waiting {
    const core::BankNotification* notification;
    std::optional<Result<core::ReceiveOutcome>> outcome;
  };
  // Writes the notifications in one transaction; their outcomes in order (without mutex_).
  std::vector<Result<core::ReceiveOutcome>> write(
      const std::vector<const core::BankNotification*>& notifications);

  DbPool& pool_;
  const core::Clock& clock_;
  std::mutex mutex_;
  std::condition_variable done_;
  std::vector<Waiting*> queue_;
  bool writing_ = false;
};

}  // namespace chophien::storefront
