#include "storefront/payment_batch.h"

namespace chophien::storefront {

PaymentBatch::PaymentBatch(DbPool& pool, const core::Clock& clock)
    : group_(kMaxBatch, [&pool, &clock](const std::vector<const core::BankNotification*>& batch) {
        auto db = pool.acquire_writer();
        if (!db) {
          return std::vector<Result<core::ReceiveOutcome>>(
              batch.size(), Result<core::ReceiveOutcome>(db.error()));
        }
        return core::PaymentStore(*db, clock).receive_batch(batch);
      }) {}

}  // namespace chophien::storefront
