#include "storefront/payment_batch.h"

#include <algorithm>
#include <utility>

namespace chophien::storefront {

std::vector<Result<core::ReceiveOutcome>> PaymentBatch::write(
    const std::vector<const core::BankNotification*>& notifications) {
  auto db = pool_.acquire_writer();
  if (!db) {
    return std::vector<Result<core::ReceiveOutcome>>(notifications.size(),
                                                     Result<core::ReceiveOutcome>(db.error()));
  }
  return core::PaymentStore(*db, clock_).receive_batch(notifications);
}

Result<core::ReceiveOutcome> PaymentBatch::receive(const core::BankNotification& notification) {
  Waiting me{&notification, std::nullopt};
  std::unique_lock lock(mutex_);
  queue_.push_back(&me);
  while (!me.outcome) {
    if (writing_) {
      done_.wait(lock);
      continue;
    }
    // Nobody is writing: this thread writes what is queued (its own notification among them,
    // unless kMaxBatch earlier ones come first; then it writes again after).
    writing_ = true;
    const auto n = static_cast<std::ptrdiff_t>(std::min(queue_.size(), kMaxBatch));
    std::vector<Waiting*> batch(queue_.begin(), queue_.begin() + n);
    queue_.erase(queue_.begin(), queue_.begin() + n);
    std::vector<const core::BankNotification*> notifications;
    notifications.reserve(batch.size());
    for (const Waiting* w : batch) notifications.push_back(w->notification);
    lock.unlock();
    // Outcomes are handed over under the mutex, where the waiting threads look for them.
    struct Finish {  // even if write() throws (a bug), nobody is left waiting for this batch
      PaymentBatch& self;
      std::unique_lock<std::mutex>& lock;
      const std::vector<Waiting*>& batch;
      ~Finish() {
        if (!lock.owns_lock()) lock.lock();
        for (Waiting* w : batch)
          if (!w->outcome) w->outcome = Error{ErrorCode::internal, "internal error", ""};
        self.writing_ = false;
        self.done_.notify_all();
      }
    } finish{*this, lock, batch};
    auto outcomes = write(notifications);
    lock.lock();
    for (size_t i = 0; i < batch.size() && i < outcomes.size(); ++i)
      batch[i]->outcome = std::move(outcomes[i]);
  }
  return std::move(*me.outcome);
}

}  // namespace chophien::storefront
