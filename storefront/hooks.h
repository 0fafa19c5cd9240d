#pragma once
// Bank-transfer notifications from SePay, Casso and payOS (integrations.md section 5, product.md
// flow 3), and the producer's connection settings for them.
//
//   POST /hooks/sepay?producer=ID · /hooks/casso?producer=ID · /hooks/payos?producer=ID
//
// The webhook URL names the producer whose connection authenticates it (the URL the producer
// pastes into the service, shown by GET /api/v1/producers/{id}/notifications). Each request is
// authenticated on the raw body, exactly as the service documents, before anything is parsed or
// stored. A refused request (no such connection, bad key, bad signature, stale timestamp, a body
// that cannot be read; a receiving account that is not one the producer receives on now, or a
// producer with no receiving account: core::PaymentStore::receives_into) stores nothing, is counted
// in `chophien_webhook_rejections_total{provider,reason}` and counts against its source address:
// past HooksOptions::rejections_per_minute, the address gets 429 with Retry-After until the
// minute has passed. An accepted notification belongs to the URL's producer (the connection that
// authenticated it), can pay only that producer's orders, and is a duplicate only of that
// producer's own (provider, transaction id). It is stored and matched through core::PaymentStore
// (its raw row, the match and the order update in one transaction, which it may share with the
// notifications that arrived at the same moment: storefront/payment_batch.h) and answered in the
// shape the service expects once that transaction is committed; the same delivery again gets the
// same success answer and changes nothing.
//
// Thread-safety: handlers run on many threads; each checks on its own database connection and
// the writes go through the pool's writer lock. The rate limiter is shared behind a mutex.

#include <cstddef>

#include "storefront/server.h"

namespace chophien::storefront {

struct HooksOptions {
  int rejections_per_minute = 30;     // per source address
  size_t max_body_bytes = 64 * 1024;  // larger notification bodies get 413
};
// Must be set before the server starts (tests lower the limit).
const HooksOptions& hooks_options();
void set_hooks_options(const HooksOptions& options);

// The URL a producer pastes into the service's dashboard.
std::string webhook_url(const Config& config, std::string_view provider, int64_t producer_id);

// POST /hooks/sepay, /hooks/casso, /hooks/payos.
void register_hooks_routes(Router& router, AppContext& app);

// GET /api/v1/producers/{id}/notifications, PUT /api/v1/producers/{id}/notifications/{provider}
// (storefront/routes_notifications.cc): the producer itself or an admin.
void register_notification_routes(Router& router, AppContext& app);

}  // namespace chophien::storefront
