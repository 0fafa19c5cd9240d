#include "storefront/checkout_batch.h"

#include <algorithm>

#include "storefront/auth.h"
#include "storefront/runtime_settings.h"

namespace chophien::storefront {

core::OrderSettings checkout_settings(const Config& config, core::Database& db) {
  core::OrderSettings settings;
  settings.payment_ttl_seconds = int64_t{order_ttl_minutes(config, db)} * 60;
  settings.max_pending_per_phone = config.checkout_max_per_phone;
  settings.max_pending_per_address = config.checkout_max_per_address;
  settings.pending_window_seconds = config.checkout_window_seconds;
  return settings;
}

CheckoutBatch::CheckoutBatch(const Config& config, DbPool& pool, const core::Clock& clock)
    : config_(config),
      pool_(pool),
      clock_(clock),
      group_(kMaxBatch, [&config, &pool,
                         &clock](const std::vector<const core::CheckoutRequest*>& batch) {
        using Placed = Result<std::vector<core::PlacedOrder>>;
        auto db = pool.acquire_writer();
        if (!db) return std::vector<Placed>(batch.size(), Placed(db.error()));
        // The API's busy timeout, as on the connections of api_handler (auth.h).
        if (api_options().busy_timeout_ms > 0)
          (*db)->set_busy_timeout(api_options().busy_timeout_ms);
        return core::OrderStore(**db, clock, checkout_settings(config, **db)).checkout_batch(batch);
      }) {}

int CheckoutBatch::retry_after(const core::CheckoutRequest& request) {
  auto db = pool_.acquire();
  if (!db) return 60;
  auto wait =
      core::OrderStore(**db, clock_, checkout_settings(config_, **db)).pending_cap_wait(request);
  if (!wait) return 60;
  return static_cast<int>(std::clamp<int64_t>(*wait, 1, 7 * 24 * 3600));
}

}  // namespace chophien::storefront
