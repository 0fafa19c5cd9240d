#include "integrations/sync.h"

#include <algorithm>
#include <cctype>

#include "core/ledger.h"
#include "core/log.h"
#include "integrations/marketplace_signing.h"
#include "integrations/order_import.h"

namespace chophien::integrations {
namespace {

constexpr Platform kPlatforms[] = {Platform::shopee, Platform::lazada, Platform::tiktok};

std::string env_prefix(Platform p) {
  std::string name = platform_name(p);
  for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return "CHOPHIEN_" + name + "_";
}

// Replaces every occurrence of each non-empty secret in `text` by "***".
std::string redact(std::string text, const std::vector<std::string>& secrets) {
  for (const auto& secret : secrets) {
    if (secret.empty()) continue;
    for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3)) {
      text.replace(at, secret.size(), "***");
    }
  }
  return text;
}

bool signature_matches(Platform platform, const std::string& secret, const PreparedRequest& r) {
  switch (platform) {
    case Platform::shopee:
      return shopee_sign(secret, r.base_string) == r.signature;
    case Platform::lazada:
      return lazada_sign(secret, r.base_string) == r.signature;
    case Platform::tiktok:
      return tiktok_sign(secret, r.base_string) == r.signature;
  }
  return false;
}

}  // namespace

Result<MarketplaceApps> marketplace_apps_from_env(
    const std::function<const char*(const char*)>& getenv) {
  auto read = [&](const std::string& name) {
    const char* value = getenv(name.c_str());
    return value != nullptr ? std::string(value) : std::string();
  };
  MarketplaceApps apps;
  for (Platform p : kPlatforms) {
    const std::string prefix = env_prefix(p);
    MarketplaceApp app = default_app(p);
    app.key = read(prefix + "APP_KEY");
    app.secret = read(prefix + "APP_SECRET");
    if (app.key.empty() && app.secret.empty()) continue;
    if (app.key.empty() || app.secret.empty()) {
      return invalid_input(prefix + "APP_KEY and " + prefix + "APP_SECRET must be set together",
                           prefix + (app.key.empty() ? "APP_KEY" : "APP_SECRET"));
    }
    if (p == Platform::shopee && !std::all_of(app.key.begin(), app.key.end(),
                                              [](unsigned char c) { return std::isdigit(c); })) {
      return invalid_input(prefix + "APP_KEY (Shopee partner_id) must be digits",
                           prefix + "APP_KEY");
    }
    // Shopee's consent page is on its API host, so it follows API_URL unless set apart.
    if (p == Platform::shopee) app.authorize_base.clear();
    for (const char* which : {"API_URL", "AUTH_URL", "AUTHORIZE_URL"}) {
      std::string url = read(prefix + which);
      if (url.empty()) continue;
      if (!url.starts_with("http://") && !url.starts_with("https://")) {
        return invalid_input(prefix + which + " must start with http:// or https://",
                             prefix + which);
      }
      while (url.ends_with('/')) url.pop_back();
      const std::string_view w = which;
      (w == "API_URL" ? app.api_base : w == "AUTH_URL" ? app.auth_base : app.authorize_base) = url;
    }
    if (p == Platform::shopee && app.authorize_base.empty()) app.authorize_base = app.api_base;
    if (p == Platform::shopee) {
      const std::string signing = read(prefix + "UPLOAD_SIGNING");
      if (!signing.empty() && signing != "public" && signing != "shop") {
        return invalid_input(prefix + "UPLOAD_SIGNING must be public or shop",
                             prefix + "UPLOAD_SIGNING");
      }
      app.shop_signed_uploads = signing == "shop";
    }
    apps[p] = app;
  }
  return apps;
}

std::vector<std::string> marketplace_env_variables() {
  std::vector<std::string> out;
  for (Platform p : kPlatforms) {
    for (const char* which : {"APP_KEY", "APP_SECRET", "API_URL", "AUTH_URL", "AUTHORIZE_URL"}) {
      out.push_back(env_prefix(p) + which);
    }
  }
  out.push_back(env_prefix(Platform::shopee) + "UPLOAD_SIGNING");
  return out;
}

bool order_status_counts(Platform, const std::string& status) {
  std::string s = status;
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  // Shopee: UNPAID, IN_CANCEL, CANCELLED, TO_RETURN; Lazada: unpaid, canceled, returned, failed
  // and the parcel coming back or lost (shipped_back..., package_returned, lost_by_3pl,
  // damaged_by_3pl); TikTok Shop: UNPAID, CANCELLED. Everything else (Lazada's pending,
  // ready_to_ship, shipped, delivered; TikTok's ON_HOLD, AWAITING_SHIPMENT, AWAITING_COLLECTION,
  // IN_TRANSIT, DELIVERED, COMPLETED) is a paid order on its way or delivered.
  static const char* const kNotSales[] = {"unpaid",
                                          "in_cancel",
                                          "cancelled",
                                          "canceled",
                                          "to_return",
                                          "returned",
                                          "failed",
                                          "shipped_back",
                                          "shipped_back_success",
                                          "shipped_back_failed",
                                          "package_returned",
                                          "lost_by_3pl",
                                          "damaged_by_3pl",
                                          ""};
  return std::none_of(std::begin(kNotSales), std::end(kNotSales),
                      [&](const char* n) { return s == n; });
}

const char* ledger_channel(Platform platform) {
  return platform == Platform::tiktok ? "tiktok_shop" : platform_name(platform);
}

MarketplaceSync::MarketplaceSync(core::Database& db, const core::Clock& clock, const SecretBox* box,
                                 const MarketplaceApps& apps, OutboxSettings settings)
    : db_(db), clock_(clock), apps_(apps), shops_(db, clock, box) {
  std::map<Platform, Connector*> connectors;
  for (const auto& [platform, app] : apps_) {
    owned_[platform] = make_connector(app, clock_);
    connectors[platform] = owned_[platform].get();
  }
  outbox_ = std::make_unique<Outbox>(db_, shops_, connectors, settings);
}

Result<SendReport> MarketplaceSync::send(const SendOptions& options) {
  SendReport report;
  {
    auto s = db_.prepare(
        "SELECT count(*) FROM marketplace_shops WHERE dry_run = 1 AND (?1 = 0 OR id = ?1)");
    if (!s) return s.error();
    s->bind(1, options.shop_ref);
    auto row = s->step();
    if (!row) return row.error();
    report.dry_run_shops = *row ? static_cast<int>(s->column_int(0)) : 0;
  }
  const int64_t started = clock_.now();
  int idle = 0;
  while (true) {
    auto pass = outbox_->run_once(clock_.now(), options.progress, options.shop_ref);
    if (!pass) return pass.error();
    OutboxReport& t = report.totals;
    if (report.passes == 0) t.due = pass->due;
    ++report.passes;
    t.sent += pass->sent;
    t.done += pass->done;
    t.retried += pass->retried;
    t.reconciling += pass->reconciling;
    t.reconciled += pass->reconciled;
    t.failed += pass->failed;
    t.recovered += pass->recovered;
    t.held = pass->held;  // what the last pass left
    for (auto& p : pass->problems) {
      if (std::find(t.problems.begin(), t.problems.end(), p) == t.problems.end()) {
        t.problems.push_back(std::move(p));
      }
    }
    // Another pass only helps when this one made progress and rows are still held (by the rate
    // limit); a pass that sent nothing would send nothing again.
    // A pass may find the buckets empty (the previous call took them); two passes in a row that
    // sent nothing would send nothing again.
    idle = pass->sent + pass->reconciled == 0 ? idle + 1 : 0;
    if (!options.wait || pass->held == 0 || idle >= 2) break;
    if (clock_.now() - started >= options.max_seconds) break;
    options.wait(1);
  }
  return report;
}

Result<std::vector<ShopPreview>> MarketplaceSync::preview(int64_t shop_ref, bool all_shops) {
  std::vector<int64_t> refs;
  {
    auto s = db_.prepare(
        "SELECT id FROM marketplace_shops WHERE (?1 = 0 OR id = ?1) AND (?2 OR dry_run = 1) "
        "ORDER BY id");
    if (!s) return s.error();
    s->bind(1, shop_ref).bind(2, all_shops ? 1 : 0);
    while (true) {
      auto row = s->step();
      if (!row) return row.error();
      if (!*row) break;
      refs.push_back(s->column_int(0));
    }
  }
  std::vector<ShopPreview> out;
  for (int64_t ref : refs) {
    auto shop = shops_.find(ref);
    if (!shop) return shop.error();
    ShopPreview p;
    p.shop_ref = ref;
    p.platform = shop->platform;
    p.shop_name = shop->grant.shop_name;
    p.dry_run_mode = shop->dry_run;
    auto app = apps_.find(shop->platform);
    if (app == apps_.end()) {
      p.problem = std::string("chưa cấu hình ứng dụng ") + platform_name(shop->platform) + " (" +
                  env_prefix(shop->platform) + "APP_KEY)";
      out.push_back(std::move(p));
      continue;
    }
    auto items = outbox_->dry_run(ref);
    if (!items) return items.error();
    const std::vector<std::string> secrets = {app->second.secret, shop->grant.access_token,
                                              shop->grant.refresh_token};
    for (auto& item : *items) {
      PreviewRow row;
      row.row = item.row;
      if (!item.requests) {
        row.problem = item.requests.error().message;
        p.rows.push_back(std::move(row));
        continue;
      }
      for (auto& r : *item.requests) {
        PreviewRequest shown;
        shown.signature_ok = signature_matches(shop->platform, app->second.secret, r);
        r.base_string = redact(r.base_string, secrets);
        // An image upload's body is the photo's bytes: shown as its size, not as text.
        r.body = r.content_type.starts_with("multipart/")
                     ? "(" + std::to_string(r.body.size()) + " byte " + r.content_type + ")"
                     : redact(r.body, secrets);
        for (auto& q : r.query) q.second = redact(q.second, secrets);
        for (auto& h : r.headers) h.second = redact(h.second, secrets);
        shown.request = std::move(r);
        row.requests.push_back(std::move(shown));
      }
      p.rows.push_back(std::move(row));
    }
    out.push_back(std::move(p));
  }
  return out;
}

Result<OrdersReport> MarketplaceSync::pull_orders(int64_t shop_ref) {
  OrdersReport report;
  auto refs = shops_.all_refs();
  if (!refs) return refs.error();
  core::Ledger ledger(db_, clock_);
  for (int64_t ref : *refs) {
    if (shop_ref != 0 && ref != shop_ref) continue;
    auto plain = shops_.find(ref);
    if (!plain) return plain.error();
    auto c = owned_.find(plain->platform);
    // No app credentials, or a connector without order pull (the seller centre's order export
    // file is the way there: order_import.h).
    if (c == owned_.end() || !c->second->pulls_orders()) {
      ++report.skipped;
      continue;
    }
    ++report.shops;
    auto shop = shops_.ensure_fresh(ref, *c->second);
    if (!shop) {
      report.problems.push_back("cửa hàng " + std::to_string(ref) + ": " + shop.error().message);
      continue;
    }
    int64_t pulled_at = 0;
    {
      auto s = db_.prepare("SELECT orders_pulled_at FROM marketplace_shops WHERE id = ?1");
      if (!s) return s.error();
      s->bind(1, ref);
      auto row = s->step();
      if (!row) return row.error();
      if (*row) pulled_at = s->column_int(0);
    }
    const int64_t now = clock_.now();
    // A day of overlap: orders created just before the last pull may have been listed late.
    const int64_t since = pulled_at > 0 ? pulled_at - 86400 : now - 15 * 86400;
    auto answer = c->second->recent_orders(shop->access(), since);
    if (!answer.result) {
      report.problems.push_back(std::string(platform_name(shop->platform)) + " cửa hàng " +
                                std::to_string(ref) + ": " + answer.result.error().message);
      continue;
    }
    for (const auto& order : *answer.result) {
      ++report.fetched;
      if (!order_status_counts(shop->platform, order.status) || order.total_vnd <= 0 ||
          order.order_id.empty()) {
        ++report.ignored;
        continue;
      }
      core::SaleEntry e;
      e.producer_id = shop->producer_id;
      e.channel = ledger_channel(shop->platform);
      e.settlement = "marketplace";
      e.amount_vnd = order.total_vnd;
      e.occurred_at = order.created_at > 0 ? order.created_at : now;
      e.source_kind = "marketplace";
      e.source_ref =
          marketplace_sale_ref(platform_name(shop->platform), shop->producer_id, order.order_id);
      e.note = "đơn " + order.order_id;
      auto recorded = marketplace_order_recorded(ledger, platform_name(shop->platform),
                                                 shop->producer_id, order.order_id);
      if (!recorded) return recorded.error();
      if (*recorded) {
        ++report.already;
        continue;
      }
      auto tx = db_.begin();
      if (!tx) return tx.error();
      auto row = ledger.append(e);
      if (!row) {
        if (row.error().code == ErrorCode::conflict) {
          ++report.already;
          continue;  // the transaction rolls back
        }
        report.problems.push_back(e.source_ref + ": " + row.error().message);
        continue;
      }
      if (auto ok = tx->commit(); !ok) return ok.error();
      ++report.recorded;
    }
    auto mark = db_.prepare("UPDATE marketplace_shops SET orders_pulled_at = ?2 WHERE id = ?1");
    if (!mark) return mark.error();
    mark->bind(1, ref).bind(2, now);
    if (auto ok = mark->run(); !ok) return ok.error();
    core::log("marketplace.orders_pulled",
              {{"platform", platform_name(shop->platform)},
               {"shop_ref", ref},
               {"fetched", static_cast<int64_t>(answer.result->size())},
               {"request_id", answer.info.request_id}});
  }
  return report;
}

}  // namespace chophien::integrations
