#pragma once
// Marketplace publishing that survives restarts (integrations.md section 6), on the tables of
// migration 0012:
//
//   MarketplaceShops  each producer's shop connections: tokens sealed with SecretBox, refreshed
//                     ahead of expiry under a per-shop lock row (one refresher across processes),
//                     the rotated refresh token saved in the same UPDATE as the new access token,
//                     and a dead refresh token turning the shop to `needs_authorization`.
//   Outbox            every outbound write is a row (pending, in_flight, done, failed,
//                     needs_reconcile). Price and stock changes are absolute and coalesced per SKU:
//                     a change lands in the SKU's pending create or pending update row when there
//                     is one. run_once(now) sends what is due.
//
// run_once, per row: the shop's token bucket (rate limit) and any ban the platform asked for;
// the row is claimed (in_flight, lease until now + lease_seconds) before anything is sent;
// A create that carries our own photos (ListingPhoto) first uploads those the shop does not
// have yet (the references are kept per shop and photo in marketplace_images, migration 0023,
// so a retry or another product with the same photo does not upload again; a create the
// platform refuses drops them, in case it was the images it refused); each upload counts
// against the rate limit like any request, and a failed upload fails or delays the create as
// the create itself would (the create was not sent, so it is never reconciled for it).
//   success                        -> done (a create makes the listing live with the item id)
//   rate_limited / unavailable     -> pending again with exponential backoff and jitter, never
//                                     earlier than Retry-After / the ban (which holds the shop)
//   maybe sent (timeout), or a duplicate-SKU answer, on a create -> needs_reconcile
//   needs_reconcile create         -> look the SKU up first; found -> done without resending
//   unauthenticated                -> the shop's token is refreshed, the row retried
//   invalid_input / forbidden      -> failed with the platform's message (the listing too)
//   max_attempts reached           -> failed
// An in_flight row whose lease has passed (the process died mid-send) becomes needs_reconcile,
// so a create is never sent twice for one change; updates are absolute and safe to repeat.
//
// Errors: unavailable (database busy, no encryption key), not_found (unknown shop), invalid_input.
// Thread-safety: one Database connection, one thread at a time; several processes may run
// workers on the same file (claims and the refresh lock are single conditional UPDATEs).

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/database.h"
#include "core/result.h"
#include "integrations/marketplace.h"
#include "integrations/secret_box.h"

namespace chophien::integrations {

struct ShopRecord {
  int64_t ref = 0;  // marketplace_shops.id
  int64_t producer_id = 0;
  Platform platform = Platform::shopee;
  Grant grant;  // tokens opened
  std::string warehouse_id;
  int64_t grant_expires_at = 0;  // the seller's whole grant, to show the producer
  int64_t token_version = 0;
  bool needs_authorization = false;
  std::string state_reason;
  bool dry_run = false;  // build and check requests, send nothing (migration 0017)
  ShopAccess access() const {
    return ShopAccess{grant.shop_id, grant.shop_cipher, grant.access_token, warehouse_id};
  }
};

class MarketplaceShops {
 public:
  // Everything must outlive this object. `box` may be null: then nothing opens (unavailable).
  MarketplaceShops(core::Database& db, const core::Clock& clock, const SecretBox* box)
      : db_(db), clock_(clock), box_(box) {}

  // Stores (or replaces, for the same platform shop) a fresh grant; the shop is connected again.
  // Connecting again keeps the warehouse when `warehouse_id` is empty. conflict when the platform
  // shop is already another producer's (it stays theirs).
  Result<int64_t> connect(int64_t producer_id, Platform platform, const Grant& grant,
                          const std::string& warehouse_id, int64_t grant_expires_at = 0);
  Result<ShopRecord> find(int64_t shop_ref);
  Result<std::vector<int64_t>> all_refs();
  // The producer's shops for its pages, oldest first, without opening the tokens (grant's
  // tokens are left empty), so it works without the encryption key.
  Result<std::vector<ShopRecord>> of_producer(int64_t producer_id);
  // Dry-run mode of the shop: on, the worker sends nothing for it (rows stay pending).
  Result<void> set_dry_run(int64_t shop_ref, bool on);
  // The shop's warehouse (TikTok Shop) or logistics channel id (Shopee) that creates need:
  // digits only, at most 32 (invalid_input otherwise); not_found for an unknown shop.
  Result<void> set_warehouse(int64_t shop_ref, const std::string& warehouse_id);

  // The shop with an access token valid for at least `ahead_seconds`, refreshing first when
  // needed. unauthenticated when the shop needs authorizing again (also when the refresh
  // token was just refused: the shop is then marked so); unavailable when another process holds
  // the refresh lock or the platform did not answer and the old token has run out.
  Result<ShopRecord> ensure_fresh(int64_t shop_ref, Connector& connector,
                                  int64_t ahead_seconds = 20 * 60);

 private:
  core::Database& db_;
  const core::Clock& clock_;
  const SecretBox* box_;
};

// One of our stored product photos (core/products.h) to upload before a create: its JPEG copy
// (upright, without the original's EXIF metadata such as the place it was taken); the original
// only for a photo without copies, when it is a JPEG or PNG within the platform's limit.
struct ListingPhoto {
  std::string sha256;
  std::string content_type;  // of the original
  int jpeg_width = 0;        // width of the stored JPEG copy; 0 = none (the demo's SVG tiles)
};

struct OutboxSettings {
  int max_attempts = 8;
  int64_t base_backoff_seconds = 30;
  int64_t max_backoff_seconds = 3600;
  int64_t lease_seconds = 300;
  double per_shop_per_second = 2.0;  // token bucket refill
  double per_shop_burst = 5.0;
  int64_t refresh_ahead_seconds = 20 * 60;
  int batch = 500;
  uint32_t jitter_seed = std::random_device{}();
};

enum class OutboxState { pending, in_flight, done, failed, needs_reconcile };
const char* outbox_state_name(OutboxState state);

struct OutboxRow {
  int64_t id = 0;
  int64_t shop_ref = 0;
  std::string sku;
  std::string kind;  // "create" | "update"
  std::string payload;
  OutboxState state = OutboxState::pending;
  int attempts = 0;
  int64_t next_attempt_at = 0;
  std::string request_id;
  std::string error;
};

struct ListingState {
  std::string state;  // pending | live | failed
  std::string item_id;
  std::string sku_id;
  std::string error;
};

struct ShopListing {
  std::string sku;
  ListingState state;
};

struct OutboxReport {
  int due = 0;
  int sent = 0;  // requests that reached a connector call
  int done = 0;
  int retried = 0;      // back to pending with backoff
  int reconciling = 0;  // moved to needs_reconcile
  int reconciled = 0;   // creates found by SKU and finished without resending
  int failed = 0;
  int recovered = 0;  // in_flight rows whose lease had passed
  int held = 0;       // left for later: rate limit, ban, waiting for the listing, no token
  std::vector<std::string> problems;  // one line per failure, for the producer
};

// One row's requests as they would be sent (dry run).
struct DryRunItem {
  OutboxRow row;
  Result<std::vector<PreparedRequest>> requests;
};

class Outbox {
 public:
  // `connectors` maps each platform to its connector; everything must outlive the Outbox.
  Outbox(core::Database& db, MarketplaceShops& shops, std::map<Platform, Connector*> connectors,
         OutboxSettings settings = {});

  // Queues the creation of `listing` on the shop (once per SKU and shop while one is open).
  // `photos` are uploaded when the row is sent, and their references put before
  // listing.image_refs; invalid_input for a photo with neither a JPEG/PNG original nor a JPEG
  // copy. Joins the caller's open transaction, if any (a page writing its action-log entry).
  Result<int64_t> enqueue_create(int64_t shop_ref, const Listing& listing, int64_t now,
                                 const std::vector<ListingPhoto>& photos = {});
  // Queues absolute values for the SKU, merged into its pending create or pending update.
  Result<int64_t> enqueue_price_stock(int64_t shop_ref, const std::string& sku,
                                      std::optional<int64_t> price_vnd,
                                      std::optional<int64_t> stock, int64_t now);

  // Sends what is due at `now`: of shop `only_shop`, or of every shop when 0; rows of shops in
  // dry-run mode (MarketplaceShops::set_dry_run) are left pending. `progress` (may be empty) is
  // called after each row. A ban the platform asked for holds the shop across calls.
  Result<OutboxReport> run_once(int64_t now,
                                const std::function<void(int done, int total)>& progress = {},
                                int64_t only_shop = 0);

  // Builds every open row of the shop as it would be sent, without sending or changing anything.
  Result<std::vector<DryRunItem>> dry_run(int64_t shop_ref);

  // Queues the SKU's last failed create on the shop again, unchanged: the row goes back to
  // pending (attempts from zero, due at `now`) and the listing to pending. not_found when the
  // SKU has no failed create there; conflict when a create of it is already open. Joins the
  // caller's open transaction, if any.
  Result<int64_t> retry_failed_create(int64_t shop_ref, const std::string& sku, int64_t now);

  Result<std::vector<OutboxRow>> rows(int64_t shop_ref);
  Result<std::optional<ListingState>> listing(int64_t shop_ref, const std::string& sku);
  // Every listing of the shop, by SKU.
  Result<std::vector<ShopListing>> listings(int64_t shop_ref);

 private:
  struct Bucket {
    double tokens = 0;
    int64_t at = 0;
  };
  // Takes `cost` tokens when at least min(cost, burst) are there (a create with photos may
  // leave the bucket in debt, which the refill pays back).
  bool take_token(int64_t shop_ref, int64_t now, int cost = 1);
  // The platform's references of `photos` in order, uploading those the shop lacks.
  Result<std::vector<std::string>> upload_photos(const ShopRecord& shop, Connector& connector,
                                                 const std::vector<ListingPhoto>& photos,
                                                 int64_t now, CallInfo& info, OutboxReport& report);
  // Drops the shop's kept references of `photos`, so the next create uploads them again.
  Result<void> forget_uploads(int64_t shop_ref, const std::vector<ListingPhoto>& photos);
  // Whether the row is still in_flight (nobody recovered it).
  Result<bool> row_in_flight(int64_t row_id);
  // A create's requests as they would be sent: the uploads still needed, then the create.
  Result<std::vector<PreparedRequest>> dry_run_create(const ShopRecord& shop, Connector& connector,
                                                      const nlohmann::json& payload);
  int64_t backoff(int attempts, int64_t retry_after);

  core::Database& db_;
  MarketplaceShops& shops_;
  std::map<Platform, Connector*> connectors_;
  OutboxSettings settings_;
  std::mt19937 jitter_;
  std::map<int64_t, Bucket> buckets_;
  std::map<int64_t, int64_t> banned_until_;  // shop ref -> unix seconds
};

}  // namespace chophien::integrations
