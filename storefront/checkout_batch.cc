#include "storefront/checkout_batch.h"

#include "storefront/auth.h"
#include "storefront/runtime_settings.h"

namespace chophien::storefront {

CheckoutBatch::CheckoutBatch(const Config& config, DbPool& pool, const core::Clock& clock)
    : group_(kMaxBatch,
             [&config, &pool, &clock](const std::vector<const core::CheckoutRequest*>& batch) {
               using Placed = Result<std::vector<core::PlacedOrder>>;
               auto db = pool.acquire_writer();
               if (!db) return std::vector<Placed>(batch.size(), Placed(db.error()));
               // The API's busy timeout, as on the connections of api_handler (auth.h).
               if (api_options().busy_timeout_ms > 0)
                 (*db)->set_busy_timeout(api_options().busy_timeout_ms);
               core::OrderSettings settings;
               settings.payment_ttl_seconds = int64_t{order_ttl_minutes(config, **db)} * 60;
               return core::OrderStore(**db, clock, settings).checkout_batch(batch);
             }) {}

}  // namespace chophien::storefront
