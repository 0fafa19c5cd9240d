#pragma once
// The marketplace worker behind `chophien sync` and the periodic job of `chophien serve`
// (integrations.md section 6): sends the outbox's due rows (outbox.h) until nothing more can go
// now, shows shops in dry-run mode the requests they would send, and pulls recent marketplace
// orders into the sales ledger.
//
//   send()         passes of Outbox::run_once while a pass still sent something and time is
//                  left: the per-shop token bucket refills between passes (`wait`), so the
//                  rate limit, not the worker, decides the pace. Shops in dry-run mode are left
//                  out.
//   preview()      every open row of each dry-run shop (or of every shop with `all_shops`) built
//                  exactly as it would be sent: field limits checked by the connector, the
//                  signature recomputed from the base string; tokens and secrets shown as "***".
//   pull_orders()  each connected shop's orders since its last pull (overlapping by a day),
//                  recorded as ledger rows: channel shopee / lazada / tiktok_shop, settlement
//                  marketplace, source "marketplace" + "<platform>:<order id>". The ledger's unique
//                  source key makes a second pull of the same order a no-op. Cancelled, unpaid
//                  and returned orders are not sales and are skipped.
//
// App credentials come from the environment (marketplace_apps_from_env); a platform without
// them has no connector, and its shops' rows wait.
// Errors: unavailable (no encryption key, database busy), invalid_input (settings).
// Thread-safety: one object per thread (it holds a Database connection's Outbox).

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/database.h"
#include "core/result.h"
#include "integrations/marketplace.h"
#include "integrations/outbox.h"
#include "integrations/secret_box.h"

namespace chophien::integrations {

using MarketplaceApps = std::map<Platform, MarketplaceApp>;

// CHOPHIEN_{SHOPEE,LAZADA,TIKTOK}_APP_KEY and _APP_SECRET (Shopee: partner_id and partner_key),
// and optionally _API_URL, _AUTH_URL and _AUTHORIZE_URL (the seller's consent page; default: the
// live hosts of integrations.md; TikTok Shop has no default: its link comes from the app's
// Partner Center page; Shopee's follows _API_URL). A platform
// with neither key nor secret is left out; one without the other is an invalid_input error.
Result<MarketplaceApps> marketplace_apps_from_env(
    const std::function<const char*(const char*)>& getenv);

// The variables marketplace_apps_from_env reads, for usage texts.
std::vector<std::string> marketplace_env_variables();

struct SendOptions {
  int64_t shop_ref = 0;      // 0 = every shop
  int64_t max_seconds = 60;  // stop starting passes after this long
  // Called between passes to let the token buckets refill (sleeps in production; tests advance a
  // ManualClock). May be empty: then one pass only.
  std::function<void(int64_t seconds)> wait;
  std::function<void(int done, int total)> progress;  // per row, within a pass
};

struct SendReport {
  int passes = 0;
  OutboxReport totals;    // summed over passes (due: rows seen in the first pass)
  int dry_run_shops = 0;  // shops left out because they are in dry-run mode
};

// One request as a dry run shows it.
struct PreviewRequest {
  PreparedRequest request;    // tokens and secrets replaced by "***"
  bool signature_ok = false;  // recomputed from the (unredacted) base string
};

struct PreviewRow {
  OutboxRow row;
  std::vector<PreviewRequest> requests;
  std::string problem;  // the connector's refusal (field limits...), "" when it builds
};

struct ShopPreview {
  int64_t shop_ref = 0;
  Platform platform = Platform::shopee;
  std::string shop_name;
  bool dry_run_mode = false;
  std::string problem;  // the shop cannot be previewed (no connector, no key)
  std::vector<PreviewRow> rows;
};

struct OrdersReport {
  int shops = 0;
  int skipped = 0;  // platform without order pull or without app credentials
  int fetched = 0;
  int recorded = 0;  // new ledger rows
  int already = 0;   // already in the ledger
  int ignored = 0;   // cancelled / unpaid / returned
  std::vector<std::string> problems;
};

// Whether a platform order status is a sale (not cancelled, unpaid or returned).
bool order_status_counts(Platform platform, const std::string& status);
// The ledger channel of a platform ("tiktok" -> "tiktok_shop").
const char* ledger_channel(Platform platform);

class MarketplaceSync {
 public:
  // Everything must outlive this object; `box` may be null (then nothing opens: unavailable).
  MarketplaceSync(core::Database& db, const core::Clock& clock, const SecretBox* box,
                  const MarketplaceApps& apps, OutboxSettings settings = {});

  Result<SendReport> send(const SendOptions& options);
  Result<std::vector<ShopPreview>> preview(int64_t shop_ref, bool all_shops);
  Result<OrdersReport> pull_orders(int64_t shop_ref);

  MarketplaceShops& shops() { return shops_; }
  Outbox& outbox() { return *outbox_; }

 private:
  core::Database& db_;
  const core::Clock& clock_;
  MarketplaceApps apps_;
  std::map<Platform, std::unique_ptr<Connector>> owned_;
  MarketplaceShops shops_;
  std::unique_ptr<Outbox> outbox_;
};

}  // namespace chophien::integrations
