#include "integrations/outbox.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/log.h"
#include "core/products.h"

namespace chophien::integrations {
namespace {

using nlohmann::json;

std::string seal_context(Platform platform, const std::string& shop_id) {
  return std::string("marketplace_shops:") + platform_name(platform) + ":" + shop_id;
}

json listing_to_json(const Listing& l) {
  return {{"sku", l.sku},
          {"name", l.name},
          {"description", l.description},
          {"price_vnd", l.price_vnd},
          {"stock", l.stock},
          {"category_id", l.category_id},
          {"image_refs", l.image_refs},
          {"weight_grams", l.weight_grams},
          {"length_cm", l.length_cm},
          {"width_cm", l.width_cm},
          {"height_cm", l.height_cm},
          {"brand", l.brand},
          {"attributes", l.attributes}};
}

Listing listing_from_json(const json& j) {
  Listing l;
  l.sku = j.value("sku", "");
  l.name = j.value("name", "");
  l.description = j.value("description", "");
  l.price_vnd = j.value("price_vnd", int64_t{0});
  l.stock = j.value("stock", int64_t{0});
  l.category_id = j.value("category_id", "");
  l.image_refs = j.value("image_refs", std::vector<std::string>{});
  l.weight_grams = j.value("weight_grams", 0);
  l.length_cm = j.value("length_cm", 0);
  l.width_cm = j.value("width_cm", 0);
  l.height_cm = j.value("height_cm", 0);
  l.brand = j.value("brand", "");
  const json attributes = j.value("attributes", json::array());
  for (const auto& a : attributes) {
    if (a.is_array() && a.size() == 2 && a[0].is_string() && a[1].is_string()) {
      l.attributes.emplace_back(a[0].get<std::string>(), a[1].get<std::string>());
    }
  }
  return l;
}

json photos_to_json(const std::vector<ListingPhoto>& photos) {
  json out = json::array();
  for (const auto& p : photos) {
    out.push_back(
        {{"sha256", p.sha256}, {"content_type", p.content_type}, {"jpeg_width", p.jpeg_width}});
  }
  return out;
}

std::vector<ListingPhoto> photos_from_json(const json& payload) {
  std::vector<ListingPhoto> out;
  for (const auto& p : payload.value("photos", json::array())) {
    if (!p.is_object()) continue;
    out.push_back(
        ListingPhoto{p.value("sha256", ""), p.value("content_type", ""), p.value("jpeg_width", 0)});
  }
  return out;
}

bool uploadable_original(const std::string& content_type) {
  return content_type == "image/jpeg" || content_type == "image/png";
}

// The shop's reference of an uploaded photo; nullopt when it has none yet.
Result<std::optional<std::string>> uploaded_ref(core::Database& db, int64_t shop_ref,
                                                const std::string& sha256) {
  auto s = db.prepare(
      "SELECT image_ref FROM marketplace_images WHERE shop_ref = ?1 AND photo_sha256 = ?2");
  if (!s) return s.error();
  s->bind(1, shop_ref).bind(2, sha256);
  auto row = s->step();
  if (!row) return row.error();
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>(s->column_text(0));
}

// Uploads still needed for `photos` on the shop.
Result<int> missing_uploads(core::Database& db, int64_t shop_ref,
                            const std::vector<ListingPhoto>& photos) {
  int n = 0;
  for (const auto& p : photos) {
    auto ref = uploaded_ref(db, shop_ref, p.sha256);
    if (!ref) return ref.error();
    if (!*ref) ++n;
  }
  return n;
}

// The bytes to upload for photo number `n` (from 1): its stored JPEG copy, upright and without
// the original's metadata (a phone photo's EXIF carries the place it was taken); the original
// only for a photo without copies, when it is a JPEG or PNG within the platform's limit.
// invalid_input (the producer's to mend) when the photo is gone or has neither.
Result<ImageFile> image_file(core::Database& db, Platform platform, const ListingPhoto& photo,
                             int n) {
  const core::ManualClock unused_clock;
  core::ProductStore products(db, unused_clock);
  const std::string which = "Ảnh " + std::to_string(n);
  const Error gone =
      Error{ErrorCode::invalid_input, which + " của sản phẩm đã bị xoá; hãy đăng lại.", "photos"};
  ImageFile file;
  if (photo.jpeg_width > 0) {
    auto copy = products.photo_variant(photo.sha256, photo.jpeg_width, "jpg");
    if (!copy) return copy.error().code == ErrorCode::not_found ? gone : copy.error();
    file.content_type = "image/jpeg";
    file.bytes = std::move(copy->bytes);
  } else {
    if (!uploadable_original(photo.content_type)) {
      return invalid_input(which + " không phải JPEG hay PNG; sàn không nhận.", "photos");
    }
    auto data = products.photo_data(photo.sha256);
    if (!data) return data.error().code == ErrorCode::not_found ? gone : data.error();
    if (data->bytes.size() > max_image_bytes(platform)) {
      return invalid_input(which + " quá lớn cho sàn này.", "photos");
    }
    file.content_type = data->content_type;
    file.bytes = std::move(data->bytes);
  }
  file.file_name =
      photo.sha256.substr(0, 16) + (file.content_type == "image/png" ? ".png" : ".jpg");
  return file;
}

std::optional<OutboxState> parse_state(const std::string& s) {
  if (s == "pending") return OutboxState::pending;
  if (s == "in_flight") return OutboxState::in_flight;
  if (s == "done") return OutboxState::done;
  if (s == "failed") return OutboxState::failed;
  if (s == "needs_reconcile") return OutboxState::needs_reconcile;
  return std::nullopt;
}

constexpr const char* kShopColumns =
    "id, producer_id, platform, shop_id, shop_cipher, shop_name, warehouse_id, tokens_sealed, "
    "access_expires_at, refresh_expires_at, grant_expires_at, token_version, state, state_reason, "
    "dry_run";

constexpr const char* kRowColumns =
    "id, shop_ref, sku, kind, payload, state, attempts, next_attempt_at, request_id, error";

OutboxRow read_row(const core::Statement& s) {
  OutboxRow r;
  r.id = s.column_int(0);
  r.shop_ref = s.column_int(1);
  r.sku = s.column_text(2);
  r.kind = s.column_text(3);
  r.payload = s.column_text(4);
  r.state = parse_state(s.column_text(5)).value_or(OutboxState::failed);
  r.attempts = static_cast<int>(s.column_int(6));
  r.next_attempt_at = s.column_int(7);
  r.request_id = s.column_text(8);
  r.error = s.column_text(9);
  return r;
}

}  // namespace

const char* outbox_state_name(OutboxState state) {
  switch (state) {
    case OutboxState::pending:
      return "pending";
    case OutboxState::in_flight:
      return "in_flight";
    case OutboxState::done:
      return "done";
    case OutboxState::failed:
      return "failed";
    case OutboxState::needs_reconcile:
      return "needs_reconcile";
  }
  throw std::logic_error("unknown outbox state");
}

// ---- MarketplaceShops ----

Result<int64_t> MarketplaceShops::connect(int64_t producer_id, Platform platform,
                                          const Grant& grant, const std::string& warehouse_id,
                                          int64_t grant_expires_at) {
  if (box_ == nullptr) {
    return Error{ErrorCode::unavailable, "chưa cấu hình khóa mã hóa (CHOPHIEN_SECRET_KEY)", ""};
  }
  if (grant.shop_id.empty()) return invalid_input("thiếu mã cửa hàng", "shop_id");
  const std::string sealed = box_->seal(
      json{{"access_token", grant.access_token}, {"refresh_token", grant.refresh_token}}.dump(),
      seal_context(platform, grant.shop_id));
  auto s = db_.prepare(R"sql(
    INSERT INTO marketplace_shops (producer_id, platform, shop_id, shop_cipher, shop_name,
        warehouse_id, tokens_sealed, access_expires_at, refresh_expires_at, grant_expires_at,
        created_at, updated_at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)
    ON CONFLICT (platform, shop_id) DO UPDATE SET
        shop_cipher = excluded.shop_cipher, shop_name = excluded.shop_name,
        warehouse_id = CASE WHEN excluded.warehouse_id = '' THEN warehouse_id
                            ELSE excluded.warehouse_id END,
        tokens_sealed = excluded.tokens_sealed, access_expires_at = excluded.access_expires_at,
        refresh_expires_at = excluded.refresh_expires_at,
        grant_expires_at = excluded.grant_expires_at, token_version = token_version + 1,
        refreshing_until = 0, state = 'connected', state_reason = '',
        updated_at = excluded.updated_at
    WHERE marketplace_shops.producer_id = excluded.producer_id)sql");
  if (!s) return s.error();
  s->bind(1, producer_id)
      .bind(2, platform_name(platform))
      .bind(3, grant.shop_id)
      .bind(4, grant.shop_cipher)
      .bind(5, grant.shop_name)
      .bind(6, warehouse_id)
      .bind(7, sealed)
      .bind(8, grant.access_expires_at)
      .bind(9, grant.refresh_expires_at)
      .bind(10, grant_expires_at)
      .bind(11, clock_.now());
  if (auto ok = s->run(); !ok) return ok.error();
  // The shop is another producer's: it stays theirs (an administrator may move it).
  if (db_.changes() == 0) {
    return Error{ErrorCode::conflict, "cửa hàng này đã được một chủ thể khác kết nối", "shop_id"};
  }
  auto id = db_.prepare("SELECT id FROM marketplace_shops WHERE platform = ?1 AND shop_id = ?2");
  if (!id) return id.error();
  id->bind(1, platform_name(platform)).bind(2, grant.shop_id);
  auto row = id->step();
  if (!row) return row.error();
  if (!*row) return Error{ErrorCode::internal, "shop row missing after insert", ""};
  core::log("marketplace.shop_connected",
            {{"platform", platform_name(platform)}, {"producer", producer_id}});
  return id->column_int(0);
}

Result<ShopRecord> MarketplaceShops::find(int64_t shop_ref) {
  if (box_ == nullptr) {
    return Error{ErrorCode::unavailable, "chưa cấu hình khóa mã hóa (CHOPHIEN_SECRET_KEY)", ""};
  }
  auto s =
      db_.prepare(std::string("SELECT ") + kShopColumns + " FROM marketplace_shops WHERE id = ?1");
  if (!s) return s.error();
  s->bind(1, shop_ref);
  auto row = s->step();
  if (!row) return row.error();
  if (!*row) return not_found("không có kết nối cửa hàng này");
  ShopRecord r;
  r.ref = s->column_int(0);
  r.producer_id = s->column_int(1);
  auto platform = parse_platform(s->column_text(2));
  if (!platform) return Error{ErrorCode::internal, "unknown platform in marketplace_shops", ""};
  r.platform = *platform;
  r.grant.shop_id = s->column_text(3);
  r.grant.shop_cipher = s->column_text(4);
  r.grant.shop_name = s->column_text(5);
  r.warehouse_id = s->column_text(6);
  auto opened = box_->open(s->column_text(7), seal_context(r.platform, r.grant.shop_id));
  if (!opened) return opened.error();
  json tokens = json::parse(*opened, nullptr, false);
  if (!tokens.is_object()) return Error{ErrorCode::internal, "sealed tokens are not JSON", ""};
  r.grant.access_token = tokens.value("access_token", "");
  r.grant.refresh_token = tokens.value("refresh_token", "");
  r.grant.access_expires_at = s->column_int(8);
  r.grant.refresh_expires_at = s->column_int(9);
  r.grant_expires_at = s->column_int(10);
  r.token_version = s->column_int(11);
  r.needs_authorization = s->column_text(12) == "needs_authorization";
  r.state_reason = s->column_text(13);
  r.dry_run = s->column_int(14) != 0;
  return r;
}

Result<std::vector<int64_t>> MarketplaceShops::all_refs() {
  auto s = db_.prepare("SELECT id FROM marketplace_shops ORDER BY id");
  if (!s) return s.error();
  std::vector<int64_t> out;
  while (true) {
    auto row = s->step();
    if (!row) return row.error();
    if (!*row) break;
    out.push_back(s->column_int(0));
  }
  return out;
}

Result<std::vector<ShopRecord>> MarketplaceShops::of_producer(int64_t producer_id) {
  auto s = db_.prepare(R"sql(
    SELECT id, platform, shop_id, shop_cipher, shop_name, warehouse_id, access_expires_at,
        refresh_expires_at, grant_expires_at, token_version, state, state_reason, dry_run
    FROM marketplace_shops WHERE producer_id = ?1 ORDER BY id)sql");
  if (!s) return s.error();
  s->bind(1, producer_id);
  std::vector<ShopRecord> out;
  while (true) {
    auto row = s->step();
    if (!row) return row.error();
    if (!*row) break;
    ShopRecord r;
    r.ref = s->column_int(0);
    r.producer_id = producer_id;
    auto platform = parse_platform(s->column_text(1));
    if (!platform) return Error{ErrorCode::internal, "unknown platform in marketplace_shops", ""};
    r.platform = *platform;
    r.grant.shop_id = s->column_text(2);
    r.grant.shop_cipher = s->column_text(3);
    r.grant.shop_name = s->column_text(4);
    r.warehouse_id = s->column_text(5);
    r.grant.access_expires_at = s->column_int(6);
    r.grant.refresh_expires_at = s->column_int(7);
    r.grant_expires_at = s->column_int(8);
    r.token_version = s->column_int(9);
    r.needs_authorization = s->column_text(10) == "needs_authorization";
    r.state_reason = s->column_text(11);
    r.dry_run = s->column_int(12) != 0;
    out.push_back(std::move(r));
  }
  return out;
}

Result<void> MarketplaceShops::set_dry_run(int64_t shop_ref, bool on) {
  auto s = db_.prepare("UPDATE marketplace_shops SET dry_run = ?2, updated_at = ?3 WHERE id = ?1");
  if (!s) return s.error();
  s->bind(1, shop_ref).bind(2, on ? 1 : 0).bind(3, clock_.now());
  if (auto ok = s->run(); !ok) return ok.error();
  if (db_.changes() == 0) return not_found("không có kết nối cửa hàng này");
  return {};
}

Result<void> MarketplaceShops::set_warehouse(int64_t shop_ref, const std::string& warehouse_id) {
  if (warehouse_id.empty() || warehouse_id.size() > 32 ||
      warehouse_id.find_first_not_of("0123456789") != std::string::npos) {
    return invalid_input("mã kho / kênh vận chuyển phải là số", "warehouse_id");
  }
  auto s =
      db_.prepare("UPDATE marketplace_shops SET warehouse_id = ?2, updated_at = ?3 WHERE id = ?1");
  if (!s) return s.error();
  s->bind(1, shop_ref).bind(2, warehouse_id).bind(3, clock_.now());
  if (auto ok = s->run(); !ok) return ok.error();
  if (db_.changes() == 0) return not_found("không có kết nối cửa hàng này");
  return {};
}

Result<ShopRecord> MarketplaceShops::ensure_fresh(int64_t shop_ref, Connector& connector,
                                                  int64_t ahead_seconds) {
  auto shop = find(shop_ref);
  if (!shop) return shop.error();
  if (shop->needs_authorization) {
    return Error{ErrorCode::unauthenticated,
                 "cửa hàng cần được ủy quyền lại: " + shop->state_reason, ""};
  }
  const int64_t now = clock_.now();
  if (shop->grant.access_expires_at - now > ahead_seconds) return shop;

  // The per-shop refresh lock: only the process that moves refreshing_until forward, on the
  // token version it read, refreshes. Two refreshes at once could leave a dead refresh token.
  auto lock = db_.prepare(R"sql(
    UPDATE marketplace_shops SET refreshing_until = ?2
    WHERE id = ?1 AND refreshing_until <= ?3 AND token_version = ?4)sql");
  if (!lock) return lock.error();
  lock->bind(1, shop_ref).bind(2, now + 60).bind(3, now).bind(4, shop->token_version);
  if (auto ok = lock->run(); !ok) return ok.error();
  if (db_.changes() == 0) {
    if (shop->grant.access_expires_at > now) return shop;
    return Error{ErrorCode::unavailable, "đang làm mới token ở nơi khác; thử lại sau", ""};
  }
  auto answer = connector.refresh(shop->grant);
  if (!answer.result) {
    const Error& error = answer.result.error();
    const bool dead = error.code == ErrorCode::unauthenticated;
    auto release = db_.prepare(R"sql(
      UPDATE marketplace_shops SET refreshing_until = 0,
          state = CASE WHEN ?2 THEN 'needs_authorization' ELSE state END,
          state_reason = CASE WHEN ?2 THEN ?3 ELSE state_reason END, updated_at = ?4
      WHERE id = ?1)sql");
    if (!release) return release.error();
    release->bind(1, shop_ref).bind(2, dead ? 1 : 0).bind(3, error.message).bind(4, now);
    if (auto ok = release->run(); !ok) return ok.error();
    core::log("marketplace.refresh_failed", {{"platform", platform_name(shop->platform)},
                                             {"shop_ref", shop_ref},
                                             {"dead", dead},
                                             {"request_id", answer.info.request_id}});
    if (dead) {
      return Error{ErrorCode::unauthenticated, "cửa hàng cần được ủy quyền lại: " + error.message,
                   ""};
    }
    if (shop->grant.access_expires_at > now) return shop;
    return error;
  }
  Grant fresh = *answer.result;
  fresh.shop_id = shop->grant.shop_id;
  if (fresh.shop_cipher.empty()) fresh.shop_cipher = shop->grant.shop_cipher;
  // Both tokens, their expiries and the version in one statement: a crash leaves either the
  // old pair or the new pair, never a new access token beside a dead refresh token.
  const std::string sealed = box_->seal(
      json{{"access_token", fresh.access_token}, {"refresh_token", fresh.refresh_token}}.dump(),
      seal_context(shop->platform, fresh.shop_id));
  auto save = db_.prepare(R"sql(
    UPDATE marketplace_shops SET tokens_sealed = ?2, access_expires_at = ?3,
        refresh_expires_at = ?4, token_version = token_version + 1, refreshing_until = 0,
        updated_at = ?5
    WHERE id = ?1 AND token_version = ?6)sql");
  if (!save) return save.error();
  save->bind(1, shop_ref)
      .bind(2, sealed)
      .bind(3, fresh.access_expires_at)
      .bind(4, fresh.refresh_expires_at)
      .bind(5, now)
      .bind(6, shop->token_version);
  if (auto ok = save->run(); !ok) return ok.error();
  core::log("marketplace.token_refreshed",
            {{"platform", platform_name(shop->platform)}, {"shop_ref", shop_ref}});
  shop->grant = fresh;
  shop->token_version += 1;
  return shop;
}

// ---- Outbox ----

Outbox::Outbox(core::Database& db, MarketplaceShops& shops,
               std::map<Platform, Connector*> connectors, OutboxSettings settings)
    : db_(db),
      shops_(shops),
      connectors_(std::move(connectors)),
      settings_(settings),
      jitter_(settings.jitter_seed) {}

Result<int64_t> Outbox::enqueue_create(int64_t shop_ref, const Listing& listing, int64_t now,
                                       const std::vector<ListingPhoto>& photos) {
  if (listing.sku.empty()) return invalid_input("thiếu SKU", "sku");
  for (size_t i = 0; i < photos.size(); ++i) {
    const auto& p = photos[i];
    if (p.sha256.size() != 64 ||
        p.sha256.find_first_not_of("0123456789abcdef") != std::string::npos) {
      return invalid_input("ảnh " + std::to_string(i + 1) + ": mã ảnh không hợp lệ", "photos");
    }
    if (!uploadable_original(p.content_type) && p.jpeg_width <= 0) {
      return invalid_input(
          "Ảnh " + std::to_string(i + 1) + " không phải JPEG hay PNG; sàn không nhận.", "photos");
    }
  }
  auto tx = db_.begin_or_join();
  if (!tx) return tx.error();
  auto open = db_.prepare(R"sql(
    SELECT id FROM marketplace_outbox WHERE shop_ref = ?1 AND sku = ?2 AND kind = 'create'
      AND state IN ('pending', 'in_flight', 'needs_reconcile'))sql");
  if (!open) return open.error();
  open->bind(1, shop_ref).bind(2, listing.sku);
  auto existing = open->step();
  if (!existing) return existing.error();
  if (*existing) return conflict("SKU " + listing.sku + " đang chờ đăng lên cửa hàng này");
  auto insert = db_.prepare(R"sql(
    INSERT INTO marketplace_outbox (shop_ref, sku, kind, payload, next_attempt_at, created_at,
        updated_at)
    VALUES (?1, ?2, 'create', ?3, ?4, ?4, ?4))sql");
  if (!insert) return insert.error();
  json payload = listing_to_json(listing);
  if (!photos.empty()) payload["photos"] = photos_to_json(photos);
  insert->bind(1, shop_ref).bind(2, listing.sku).bind(3, payload.dump()).bind(4, now);
  if (auto ok = insert->run(); !ok) return ok.error();
  const int64_t id = db_.last_insert_id();
  auto mark = db_.prepare(R"sql(
    INSERT INTO marketplace_listings (shop_ref, sku, state, updated_at) VALUES (?1, ?2, 'pending', ?3)
    ON CONFLICT (shop_ref, sku) DO UPDATE SET
        state = CASE WHEN state = 'live' THEN 'live' ELSE 'pending' END, error = '',
        updated_at = excluded.updated_at)sql");
  if (!mark) return mark.error();
  mark->bind(1, shop_ref).bind(2, listing.sku).bind(3, now);
  if (auto ok = mark->run(); !ok) return ok.error();
  if (auto ok = tx->commit(); !ok) return ok.error();
  return id;
}

Result<int64_t> Outbox::enqueue_price_stock(int64_t shop_ref, const std::string& sku,
                                            std::optional<int64_t> price_vnd,
                                            std::optional<int64_t> stock, int64_t now) {
  if (sku.empty()) return invalid_input("thiếu SKU", "sku");
  if (!price_vnd && !stock) return invalid_input("không có giá hay tồn kho để cập nhật");
  if (price_vnd && *price_vnd <= 0) return invalid_input("giá phải lớn hơn 0", "price_vnd");
  if (stock && *stock < 0) return invalid_input("tồn kho không được âm", "stock");
  auto tx = db_.begin();
  if (!tx) return tx.error();
  // A create not sent yet carries the newest values itself; otherwise the SKU's one pending
  // update row takes them. Both hold absolute values, so merging is "last value wins".
  for (const char* kind : {"create", "update"}) {
    auto s = db_.prepare(R"sql(
      SELECT id, payload FROM marketplace_outbox
      WHERE shop_ref = ?1 AND sku = ?2 AND kind = ?3 AND state = 'pending')sql");
    if (!s) return s.error();
    s->bind(1, shop_ref).bind(2, sku).bind(3, kind);
    auto row = s->step();
    if (!row) return row.error();
    if (!*row) continue;
    const int64_t id = s->column_int(0);
    json payload = json::parse(s->column_text(1), nullptr, false);
    if (!payload.is_object()) payload = json::object();
    if (price_vnd) payload["price_vnd"] = *price_vnd;
    if (stock) payload["stock"] = *stock;
    auto update =
        db_.prepare("UPDATE marketplace_outbox SET payload = ?2, updated_at = ?3 WHERE id = ?1");
    if (!update) return update.error();
    update->bind(1, id).bind(2, payload.dump()).bind(3, now);
    if (auto ok = update->run(); !ok) return ok.error();
    if (auto ok = tx->commit(); !ok) return ok.error();
    return id;
  }
  json payload = json::object();
  if (price_vnd) payload["price_vnd"] = *price_vnd;
  if (stock) payload["stock"] = *stock;
  auto insert = db_.prepare(R"sql(
    INSERT INTO marketplace_outbox (shop_ref, sku, kind, payload, next_attempt_at, created_at,
        updated_at)
    VALUES (?1, ?2, 'update', ?3, ?4, ?4, ?4))sql");
  if (!insert) return insert.error();
  insert->bind(1, shop_ref).bind(2, sku).bind(3, payload.dump()).bind(4, now);
  if (auto ok = insert->run(); !ok) return ok.error();
  const int64_t id = db_.last_insert_id();
  if (auto ok = tx->commit(); !ok) return ok.error();
  return id;
}

bool Outbox::take_token(int64_t shop_ref, int64_t now, int cost) {
  auto [it, fresh] = buckets_.try_emplace(shop_ref, Bucket{settings_.per_shop_burst, now});
  Bucket& b = it->second;
  if (!fresh && now > b.at) {
    b.tokens = std::min(settings_.per_shop_burst,
                        b.tokens + static_cast<double>(now - b.at) * settings_.per_shop_per_second);
  }
  b.at = std::max(b.at, now);
  if (b.tokens < std::min(static_cast<double>(cost), settings_.per_shop_burst)) return false;
  b.tokens -= cost;
  return true;
}

Result<void> Outbox::forget_uploads(int64_t shop_ref, const std::vector<ListingPhoto>& photos) {
  for (const auto& photo : photos) {
    auto s =
        db_.prepare("DELETE FROM marketplace_images WHERE shop_ref = ?1 AND photo_sha256 = ?2");
    if (!s) return s.error();
    s->bind(1, shop_ref).bind(2, photo.sha256);
    if (auto ok = s->run(); !ok) return ok.error();
  }
  return {};
}

Result<bool> Outbox::row_in_flight(int64_t row_id) {
  auto s = db_.prepare("SELECT state = 'in_flight' FROM marketplace_outbox WHERE id = ?1");
  if (!s) return s.error();
  s->bind(1, row_id);
  auto row = s->step();
  if (!row) return row.error();
  return *row && s->column_int(0) == 1;
}

Result<std::vector<std::string>> Outbox::upload_photos(const ShopRecord& shop, Connector& connector,
                                                       const std::vector<ListingPhoto>& photos,
                                                       int64_t now, CallInfo& info,
                                                       OutboxReport& report) {
  std::vector<std::string> refs;
  for (size_t i = 0; i < photos.size(); ++i) {
    const ListingPhoto& photo = photos[i];
    auto known = uploaded_ref(db_, shop.ref, photo.sha256);
    if (!known) return known.error();
    if (*known) {
      refs.push_back(**known);
      continue;
    }
    auto file = image_file(db_, shop.platform, photo, static_cast<int>(i + 1));
    if (!file) return file.error();
    ++report.sent;
    auto answer = connector.upload_image(shop.access(), *file);
    info = answer.info;
    // Only an image went out: the create itself was not sent.
    info.maybe_sent = false;
    if (!answer.result) {
      Error e = answer.result.error();
      e.message = "Ảnh " + std::to_string(i + 1) + ": " + e.message;
      // Throttling, server errors and a stale token are retried as for any request; any other
      // refusal of an image (a "duplicate" included, which for a create would mean looking the
      // SKU up) is the image's, shown to the producer.
      if (e.code != ErrorCode::rate_limited && e.code != ErrorCode::unavailable &&
          e.code != ErrorCode::unauthenticated && e.code != ErrorCode::forbidden) {
        e.code = ErrorCode::invalid_input;
      }
      return e;
    }
    auto keep = db_.prepare(R"sql(
      INSERT INTO marketplace_images (shop_ref, photo_sha256, image_ref, uploaded_at)
      VALUES (?1, ?2, ?3, ?4)
      ON CONFLICT (shop_ref, photo_sha256) DO UPDATE SET image_ref = excluded.image_ref,
          uploaded_at = excluded.uploaded_at)sql");
    if (!keep) return keep.error();
    keep->bind(1, shop.ref).bind(2, photo.sha256).bind(3, *answer.result).bind(4, now);
    if (auto ok = keep->run(); !ok) return ok.error();
    refs.push_back(*answer.result);
  }
  return refs;
}

int64_t Outbox::backoff(int attempts, int64_t retry_after) {
  int64_t delay = settings_.base_backoff_seconds;
  for (int i = 1; i < attempts && delay < settings_.max_backoff_seconds; ++i) delay *= 2;
  delay = std::min(delay, settings_.max_backoff_seconds);
  // "Equal jitter": half fixed, half random, so retries of many rows spread out.
  std::uniform_int_distribution<int64_t> spread(0, std::max<int64_t>(delay / 2, 0));
  delay = delay - delay / 2 + spread(jitter_);
  return std::max(delay, retry_after);
}

namespace {

// Moves a claimed row to its next state; `only_if_in_flight` guards against a row another
// worker recovered meanwhile.
Result<void> settle(core::Database& db, int64_t id, OutboxState state, int64_t next_attempt_at,
                    const std::string& request_id, const std::string& error, int64_t now) {
  auto s = db.prepare(R"sql(
    UPDATE marketplace_outbox SET state = ?2, next_attempt_at = ?3,
        request_id = CASE WHEN ?4 = '' THEN request_id ELSE ?4 END, error = ?5, updated_at = ?6
    WHERE id = ?1 AND state = 'in_flight')sql");
  if (!s) return s.error();
  s->bind(1, id)
      .bind(2, outbox_state_name(state))
      .bind(3, next_attempt_at)
      .bind(4, request_id)
      .bind(5, error)
      .bind(6, now);
  return s->run();
}

Result<void> set_listing(core::Database& db, int64_t shop_ref, const std::string& sku,
                         const std::string& state, const ItemRef* item, const std::string& error,
                         int64_t now) {
  auto s = db.prepare(R"sql(
    INSERT INTO marketplace_listings (shop_ref, sku, state, item_id, sku_id, error, updated_at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
    ON CONFLICT (shop_ref, sku) DO UPDATE SET state = excluded.state,
        item_id = CASE WHEN excluded.item_id = '' THEN item_id ELSE excluded.item_id END,
        sku_id = CASE WHEN excluded.sku_id = '' THEN sku_id ELSE excluded.sku_id END,
        error = excluded.error, updated_at = excluded.updated_at)sql");
  if (!s) return s.error();
  s->bind(1, shop_ref)
      .bind(2, sku)
      .bind(3, state)
      .bind(4, item != nullptr ? item->item_id : "")
      .bind(5, item != nullptr ? item->sku_id : "")
      .bind(6, error)
      .bind(7, now);
  return s->run();
}

}  // namespace

Result<OutboxReport> Outbox::run_once(int64_t now,
                                      const std::function<void(int done, int total)>& progress,
                                      int64_t only_shop) {
  OutboxReport report;
  // A row left in_flight past its lease: its sender died mid-send. What it sent may have been
  // applied, so it is reconciled, never blindly resent.
  auto recover = db_.prepare(R"sql(
    UPDATE marketplace_outbox SET state = 'needs_reconcile', next_attempt_at = ?1,
        error = 'gián đoạn khi đang gửi', updated_at = ?1
    WHERE state = 'in_flight' AND next_attempt_at <= ?1)sql");
  if (!recover) return recover.error();
  recover->bind(1, now);
  if (auto ok = recover->run(); !ok) return ok.error();
  report.recovered = db_.changes();

  std::vector<OutboxRow> due;
  {
    auto s = db_.prepare(std::string("SELECT ") + kRowColumns + R"sql(
      FROM marketplace_outbox
      WHERE (state = 'pending' OR state = 'needs_reconcile') AND next_attempt_at <= ?1
        AND (?3 = 0 OR shop_ref = ?3)
        AND shop_ref NOT IN (SELECT id FROM marketplace_shops WHERE dry_run = 1)
      ORDER BY id LIMIT ?2)sql");
    if (!s) return s.error();
    s->bind(1, now).bind(2, settings_.batch).bind(3, only_shop);
    while (true) {
      auto row = s->step();
      if (!row) return row.error();
      if (!*row) break;
      due.push_back(read_row(*s));
    }
  }
  report.due = static_cast<int>(due.size());

  std::map<int64_t, Result<ShopRecord>> shops;
  std::map<int64_t, int64_t>& banned_until = banned_until_;
  int processed = 0;
  for (const OutboxRow& row : due) {
    if (progress) progress(processed, report.due);
    ++processed;
    if (auto ban = banned_until.find(row.shop_ref);
        ban != banned_until.end() && ban->second > now) {
      ++report.held;
      continue;
    }
    auto shop_it = shops.find(row.shop_ref);
    if (shop_it == shops.end()) {
      auto plain = shops_.find(row.shop_ref);
      Connector* c = plain && connectors_.count(plain->platform) != 0
                         ? connectors_.at(plain->platform)
                         : nullptr;
      Result<ShopRecord> ready =
          !plain ? Result<ShopRecord>(plain.error())
          : c == nullptr
              ? Result<ShopRecord>(Error{
                    ErrorCode::unavailable,
                    std::string("không có kết nối tới ") + platform_name(plain->platform), ""})
              : shops_.ensure_fresh(row.shop_ref, *c, settings_.refresh_ahead_seconds);
      if (!ready) report.problems.push_back(ready.error().message);
      shop_it = shops.emplace(row.shop_ref, std::move(ready)).first;
    }
    if (!shop_it->second) {
      ++report.held;
      continue;
    }
    ShopRecord& shop = *shop_it->second;
    Connector& connector = *connectors_.at(shop.platform);

    json payload = json::parse(row.payload, nullptr, false);
    if (!payload.is_object()) payload = json::object();
    ItemRef item;
    if (row.kind == "update") {
      auto listing_state = listing(row.shop_ref, row.sku);
      if (!listing_state) return listing_state.error();
      if (!*listing_state || (*listing_state)->state != "live") {
        // Nothing to update until the listing is live; the row waits for it.
        auto wait = db_.prepare(
            "UPDATE marketplace_outbox SET next_attempt_at = ?2 WHERE id = ?1 AND state = ?3");
        if (!wait) return wait.error();
        wait->bind(1, row.id).bind(2, now + 60).bind(3, outbox_state_name(row.state));
        if (auto ok = wait->run(); !ok) return ok.error();
        ++report.held;
        continue;
      }
      item = ItemRef{(*listing_state)->item_id, (*listing_state)->sku_id};
    }
    int cost = 1;
    if (row.kind == "create") {
      auto uploads = missing_uploads(db_, row.shop_ref, photos_from_json(payload));
      if (!uploads) return uploads.error();
      cost += *uploads;
    }
    if (!take_token(row.shop_ref, now, cost)) {
      ++report.held;
      continue;
    }
    // Claim before sending: from here a crash leaves an in_flight row with a lease.
    auto claim = db_.prepare(R"sql(
      UPDATE marketplace_outbox SET state = 'in_flight', attempts = attempts + 1,
          next_attempt_at = ?2, updated_at = ?3
      WHERE id = ?1 AND state = ?4)sql");
    if (!claim) return claim.error();
    claim->bind(1, row.id)
        .bind(2, now + settings_.lease_seconds)
        .bind(3, now)
        .bind(4, outbox_state_name(row.state));
    if (auto ok = claim->run(); !ok) return ok.error();
    if (db_.changes() == 0) continue;  // another worker took it
    const int attempts = row.attempts + 1;
    const ShopAccess access = shop.access();

    Result<void> outcome;
    CallInfo info;
    std::optional<ItemRef> created;
    bool reconciled = false;
    if (row.kind == "create") {
      if (row.state == OutboxState::needs_reconcile) {
        auto found = connector.find_by_sku(access, row.sku);
        info = found.info;
        if (!found.result) {
          outcome = found.result.error();
        } else if (*found.result) {
          created = **found.result;
          reconciled = true;
        }
      }
      if (outcome && !created) {
        Listing listing = listing_from_json(payload);
        auto uploaded =
            upload_photos(shop, connector, photos_from_json(payload), now, info, report);
        // Before the create, the row must still be this worker's: uploads take time, and a
        // lease that ran out meanwhile lets another worker recover the row and look it up.
        auto still_mine = uploaded ? row_in_flight(row.id) : Result<bool>(true);
        if (!still_mine) return still_mine.error();
        if (!*still_mine) continue;
        if (!uploaded) {
          outcome = uploaded.error();
        } else {
          listing.image_refs.insert(listing.image_refs.begin(), uploaded->begin(), uploaded->end());
          ++report.sent;
          auto answer = connector.create_listing(access, listing);
          info = answer.info;
          if (answer.result) {
            created = *answer.result;
          } else {
            outcome = answer.result.error();
          }
        }
      }
    } else {
      PriceStock update;
      update.sku = row.sku;
      update.item = item;
      if (payload.contains("price_vnd")) update.price_vnd = payload["price_vnd"].get<int64_t>();
      if (payload.contains("stock")) update.stock = payload["stock"].get<int64_t>();
      ++report.sent;
      auto answer = connector.update_price_stock(access, update);
      info = answer.info;
      if (!answer.result) outcome = answer.result.error();
    }

    if (outcome) {
      if (auto ok = settle(db_, row.id, OutboxState::done, now, info.request_id, "", now); !ok) {
        return ok.error();
      }
      if (created) {
        if (auto ok = set_listing(db_, row.shop_ref, row.sku, "live", &*created, "", now); !ok) {
          return ok.error();
        }
      }
      ++report.done;
      if (reconciled) ++report.reconciled;
      core::log("marketplace.sent", {{"platform", platform_name(shop.platform)},
                                     {"shop_ref", row.shop_ref},
                                     {"kind", row.kind},
                                     {"row", row.id},
                                     {"request_id", info.request_id},
                                     {"reconciled", reconciled}});
      continue;
    }

    const Error& error = outcome.error();
    const bool is_create = row.kind == "create";
    OutboxState next = OutboxState::pending;
    int64_t next_at = now;
    bool give_up = false;
    bool drop_shop = false;
    switch (error.code) {
      case ErrorCode::rate_limited:
      case ErrorCode::unavailable:
        next = is_create && (info.maybe_sent || row.state == OutboxState::needs_reconcile)
                   ? OutboxState::needs_reconcile
                   : OutboxState::pending;
        next_at = now + backoff(attempts, info.retry_after);
        if (info.retry_after > 0) banned_until[row.shop_ref] = now + info.retry_after;
        give_up = attempts >= settings_.max_attempts;
        break;
      case ErrorCode::conflict:
        next = OutboxState::needs_reconcile;
        give_up = attempts >= settings_.max_attempts;
        break;
      case ErrorCode::unauthenticated:
        // The token was refused early: refresh it on the next pass, then retry this row.
        drop_shop = true;  // erased after the last use of `shop` below
        {
          auto expire =
              db_.prepare("UPDATE marketplace_shops SET access_expires_at = 0 WHERE id = ?1");
          if (!expire) return expire.error();
          expire->bind(1, row.shop_ref);
          if (auto ok = expire->run(); !ok) return ok.error();
        }
        next = row.state == OutboxState::needs_reconcile ? OutboxState::needs_reconcile
                                                         : OutboxState::pending;
        give_up = attempts >= settings_.max_attempts;
        break;
      default:
        give_up = true;
    }
    if (give_up) {
      std::string message =
          error.code == ErrorCode::invalid_input || error.code == ErrorCode::forbidden
              ? error.message
              : "dừng sau " + std::to_string(attempts) + " lần: " + error.message;
      if (auto ok = settle(db_, row.id, OutboxState::failed, now, info.request_id, message, now);
          !ok) {
        return ok.error();
      }
      if (is_create) {
        if (auto ok = set_listing(db_, row.shop_ref, row.sku, "failed", nullptr, message, now);
            !ok) {
          return ok.error();
        }
        // The platform may have refused the images it holds for us (purged, or another
        // environment's): a retry uploads this listing's photos again rather than name them.
        if (error.code == ErrorCode::invalid_input) {
          if (auto ok = forget_uploads(row.shop_ref, photos_from_json(payload)); !ok) {
            return ok.error();
          }
        }
      }
      ++report.failed;
      report.problems.push_back(row.sku + ": " + message);
    } else {
      if (auto ok = settle(db_, row.id, next, next_at, info.request_id, error.message, now); !ok) {
        return ok.error();
      }
      if (next == OutboxState::needs_reconcile) {
        ++report.reconciling;
      } else {
        ++report.retried;
      }
    }
    core::log("marketplace.send_failed", {{"platform", platform_name(shop.platform)},
                                          {"shop_ref", row.shop_ref},
                                          {"kind", row.kind},
                                          {"row", row.id},
                                          {"request_id", info.request_id},
                                          {"code", error_code_name(error.code)},
                                          {"next", give_up ? "failed" : outbox_state_name(next)}});
    if (drop_shop) shops.erase(row.shop_ref);
  }
  if (progress) progress(processed, report.due);
  return report;
}

Result<std::vector<PreparedRequest>> Outbox::dry_run_create(const ShopRecord& shop,
                                                            Connector& connector,
                                                            const json& payload) {
  std::vector<PreparedRequest> requests;
  Listing listing = listing_from_json(payload);
  const auto photos = photos_from_json(payload);
  std::vector<std::string> refs;
  for (size_t i = 0; i < photos.size(); ++i) {
    auto known = uploaded_ref(db_, shop.ref, photos[i].sha256);
    if (!known) return known.error();
    if (*known) {
      refs.push_back(**known);
      continue;
    }
    auto file = image_file(db_, shop.platform, photos[i], static_cast<int>(i + 1));
    if (!file) return file.error();
    auto upload = connector.prepare_upload(shop.access(), *file);
    if (!upload) return upload.error();
    requests.push_back(std::move(*upload));
    // The create shows where the platform's reference will go once the upload answers.
    refs.push_back("(mã ảnh " + std::to_string(i + 1) + " sau khi tải lên)");
  }
  listing.image_refs.insert(listing.image_refs.begin(), refs.begin(), refs.end());
  auto create = connector.prepare_create(shop.access(), listing);
  if (!create) return create.error();
  requests.push_back(std::move(*create));
  return requests;
}

Result<std::vector<DryRunItem>> Outbox::dry_run(int64_t shop_ref) {
  auto shop = shops_.find(shop_ref);
  if (!shop) return shop.error();
  auto c = connectors_.find(shop->platform);
  if (c == connectors_.end()) {
    return Error{ErrorCode::unavailable,
                 std::string("không có kết nối tới ") + platform_name(shop->platform), ""};
  }
  auto all = rows(shop_ref);
  if (!all) return all.error();
  std::vector<DryRunItem> out;
  for (const auto& row : *all) {
    if (row.state != OutboxState::pending && row.state != OutboxState::needs_reconcile) continue;
    json payload = json::parse(row.payload, nullptr, false);
    if (!payload.is_object()) payload = json::object();
    if (row.kind == "create") {
      out.push_back(DryRunItem{row, dry_run_create(*shop, *c->second, payload)});
      continue;
    }
    auto state = listing(shop_ref, row.sku);
    if (!state) return state.error();
    PriceStock update;
    update.sku = row.sku;
    if (*state) update.item = ItemRef{(*state)->item_id, (*state)->sku_id};
    if (payload.contains("price_vnd")) update.price_vnd = payload["price_vnd"].get<int64_t>();
    if (payload.contains("stock")) update.stock = payload["stock"].get<int64_t>();
    out.push_back(DryRunItem{row, c->second->prepare_update(shop->access(), update)});
  }
  return out;
}

Result<int64_t> Outbox::retry_failed_create(int64_t shop_ref, const std::string& sku, int64_t now) {
  auto tx = db_.begin_or_join();
  if (!tx) return tx.error();
  auto open = db_.prepare(R"sql(
    SELECT 1 FROM marketplace_outbox WHERE shop_ref = ?1 AND sku = ?2 AND kind = 'create'
      AND state IN ('pending', 'in_flight', 'needs_reconcile'))sql");
  if (!open) return open.error();
  open->bind(1, shop_ref).bind(2, sku);
  auto busy = open->step();
  if (!busy) return busy.error();
  if (*busy) return conflict("SKU " + sku + " đang chờ đăng lên cửa hàng này");
  auto last = db_.prepare(R"sql(
    SELECT id FROM marketplace_outbox
    WHERE shop_ref = ?1 AND sku = ?2 AND kind = 'create' AND state = 'failed'
    ORDER BY id DESC LIMIT 1)sql");
  if (!last) return last.error();
  last->bind(1, shop_ref).bind(2, sku);
  auto found = last->step();
  if (!found) return found.error();
  if (!*found) return not_found("SKU " + sku + " không có lần đăng nào bị lỗi trên cửa hàng này");
  const int64_t id = last->column_int(0);
  auto again = db_.prepare(R"sql(
    UPDATE marketplace_outbox SET state = 'pending', attempts = 0, next_attempt_at = ?2,
        error = '', updated_at = ?2
    WHERE id = ?1 AND state = 'failed')sql");
  if (!again) return again.error();
  again->bind(1, id).bind(2, now);
  if (auto ok = again->run(); !ok) return ok.error();
  auto mark = db_.prepare(R"sql(
    UPDATE marketplace_listings SET state = 'pending', error = '', updated_at = ?3
    WHERE shop_ref = ?1 AND sku = ?2 AND state = 'failed')sql");
  if (!mark) return mark.error();
  mark->bind(1, shop_ref).bind(2, sku).bind(3, now);
  if (auto ok = mark->run(); !ok) return ok.error();
  if (auto ok = tx->commit(); !ok) return ok.error();
  return id;
}

Result<std::vector<OutboxRow>> Outbox::rows(int64_t shop_ref) {
  auto s = db_.prepare(std::string("SELECT ") + kRowColumns +
                       " FROM marketplace_outbox WHERE shop_ref = ?1 ORDER BY id");
  if (!s) return s.error();
  s->bind(1, shop_ref);
  std::vector<OutboxRow> out;
  while (true) {
    auto row = s->step();
    if (!row) return row.error();
    if (!*row) break;
    out.push_back(read_row(*s));
  }
  return out;
}

Result<std::optional<ListingState>> Outbox::listing(int64_t shop_ref, const std::string& sku) {
  auto s = db_.prepare(
      "SELECT state, item_id, sku_id, error FROM marketplace_listings "
      "WHERE shop_ref = ?1 AND sku = ?2");
  if (!s) return s.error();
  s->bind(1, shop_ref).bind(2, sku);
  auto row = s->step();
  if (!row) return row.error();
  if (!*row) return std::optional<ListingState>();
  return std::optional<ListingState>(
      ListingState{s->column_text(0), s->column_text(1), s->column_text(2), s->column_text(3)});
}

Result<std::vector<ShopListing>> Outbox::listings(int64_t shop_ref) {
  auto s = db_.prepare(
      "SELECT sku, state, item_id, sku_id, error FROM marketplace_listings "
      "WHERE shop_ref = ?1 ORDER BY sku");
  if (!s) return s.error();
  s->bind(1, shop_ref);
  std::vector<ShopListing> out;
  while (true) {
    auto row = s->step();
    if (!row) return row.error();
    if (!*row) break;
    out.push_back(ShopListing{
        s->column_text(0),
        ListingState{s->column_text(1), s->column_text(2), s->column_text(3), s->column_text(4)}});
  }
  return out;
}

}  // namespace chophien::integrations
