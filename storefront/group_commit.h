#pragma once
// Group commit: requests that arrive while another thread is writing wait, and are then written
// together by one of them, in one call of `write` (one transaction). A burst of N requests then
// costs one commit instead of N and the writer's page cache stays warm, while each caller still
// returns only after its own request is committed (or refused).
//
//   GroupCommit<Request, Outcome> group(64, [&](const std::vector<const Request*>& batch) {
//     return ...;  // one Result<Outcome> per request, in order, written in one transaction
//   });
//   Result<Outcome> outcome = group.submit(request);   // blocks until written
//
// There is no timer: a lone request is written at once; batching comes only from requests that
// arrive while a write is running. At most `max_batch` per call of `write`. Used by
// payment_batch.h (bank notifications) and checkout_batch.h (checkouts).
//
// Thread-safety: submit() may be called from any number of threads at once; `write` runs on one
// of them at a time, without the internal mutex held.

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "core/result.h"

namespace chophien::storefront {

template <typename Request, typename Outcome>
class GroupCommit {
 public:
  using Write = std::function<std::vector<Result<Outcome>>(const std::vector<const Request*>&)>;

  GroupCommit(size_t max_batch, Write write) : max_batch_(max_batch), write_(std::move(write)) {}

  Result<Outcome> submit(const Request& request) {
    Waiting me{&request, std::nullopt};
    std::unique_lock lock(mutex_);
    queue_.push_back(&me);
    while (!me.outcome) {
      if (writing_) {
        done_.wait(lock);
        continue;
      }
      // Nobody is writing: this thread writes what is queued (its own request among them, unless
      // max_batch earlier ones come first; then it writes again after).
      writing_ = true;
      const auto n = static_cast<std::ptrdiff_t>(std::min(queue_.size(), max_batch_));
      std::vector<Waiting*> batch(queue_.begin(), queue_.begin() + n);
      queue_.erase(queue_.begin(), queue_.begin() + n);
      std::vector<const Request*> requests;
      requests.reserve(batch.size());
      for (const Waiting* w : batch) requests.push_back(w->request);
      lock.unlock();
      std::vector<Result<Outcome>> outcomes;
      try {
        outcomes = write_(requests);
      } catch (...) {
        // A bug in write_ (failures are values): every request of this batch is answered with an
        // internal error below, and this thread and the waiting ones carry on.
        outcomes.clear();
      }
      // Outcomes are handed over under the mutex, where the waiting threads look for them.
      lock.lock();
      for (size_t i = 0; i < batch.size(); ++i)
        batch[i]->outcome = i < outcomes.size()
                                ? std::move(outcomes[i])
                                : Result<Outcome>(Error{ErrorCode::internal, "internal error", ""});
      writing_ = false;
      done_.notify_all();
    }
    return std::move(*me.outcome);
  }

 private:
  struct Waiting {
    const Request* request;
    std::optional<Result<Outcome>> outcome;
  };

  const size_t max_batch_;
  const Write write_;
  std::mutex mutex_;
  std::condition_variable done_;
  std::vector<Waiting*> queue_;
  bool writing_ = false;
};

}  // namespace chophien::storefront
