// The marketplace worker (sync.h) on a real SQLite file with the real migrations, against the
// local fake platforms of marketplace_fake.h: product changes followed onto live listings (the
// trigger of migration 0017), passes paced by the per-shop rate limit, dry-run shops, and orders
// pulled into the ledger exactly once.
#include "integrations/sync.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "core/clock.h"
#include "core/database.h"
#include "core/ledger.h"
#include "core/products.h"
#include "core/test_producer.h"
#include "integrations/marketplace_fake.h"
#include "integrations/order_import.h"

namespace chophien::integrations {
namespace {

using testing_support::FakeMarketplace;
using testing_support::Fault;

constexpr int64_t kStart = 1764300000;

std::string temp_db() {
  std::string dir = (std::filesystem::temp_directory_path() / "chophien-sync-XXXXXX").string();
  if (::mkdtemp(dir.data()) == nullptr) throw std::runtime_error("mkdtemp");
  return dir + "/shop.db";
}

Listing listing_for(const core::Product& p) {
  Listing l = testing_support::sample_listing(p.fields.sku);
  l.name = p.fields.name;
  l.price_vnd = p.fields.price_vnd;
  l.stock = p.fields.stock;
  return l;
}

class SyncTest : public ::testing::TestWithParam<Platform> {
 protected:
  void TearDown() override {
    std::filesystem::remove_all(std::filesystem::path(path_).parent_path());
  }

  static core::Database open(const std::string& path) { return core::Database::open(path).value(); }

  int64_t connect() {
    fake_.grant("acc-0", "ref-0");
    Grant grant{"88001",
                GetParam() == Platform::tiktok ? "ROW_fake" : "",
                "Shop Mật Ong",
                "acc-0",
                "ref-0",
                kStart + 4 * 3600,
                kStart + 30 * 86400};
    return sync_.shops().connect(producer_, GetParam(), grant, "3001").value();
  }

  core::Product add_product(const std::string& sku, int64_t price, int64_t stock) {
    core::ProductFields f;
    f.sku = sku;
    f.name = "Mật ong hoa cà phê Bảo Lâm 500 ml " + sku;
    f.ocop_group = "G1";
    f.unit = "hũ";
    f.price_vnd = price;
    f.stock = stock;
    f.status = core::ProductStatus::active;
    return products_.create(producer_, f).value();
  }

  // Publishes `p` on the shop and sends it: the listing is live.
  void publish(int64_t shop, const core::Product& p) {
    ASSERT_TRUE(sync_.outbox().enqueue_create(shop, listing_for(p), clock_.now()).has_value());
    auto sent = sync_.send({}).value();
    ASSERT_EQ(sent.totals.failed, 0) << sent.totals.problems.front();
    ASSERT_EQ(sync_.outbox().listing(shop, p.fields.sku).value()->state, "live");
  }

  SendOptions paced() {
    SendOptions o;
    o.wait = [this](int64_t seconds) { clock_.set(clock_.now() + seconds); };
    return o;
  }

  std::string path_ = temp_db();
  core::ManualClock clock_{kStart};
  core::Database db_ = open(path_);
  SecretBox box_ = SecretBox::from_key(std::string(64, 'a')).value();
  FakeMarketplace fake_{GetParam(), clock_};
  int64_t producer_ = core::testing_support::add_producer(db_, "HTX Mật ong Bảo Lâm", "24");
  core::ProductStore products_{db_, clock_};
  MarketplaceSync sync_{db_, clock_, &box_, {{GetParam(), fake_.app()}}, [] {
                          OutboxSettings s;
                          s.jitter_seed = 7;
                          return s;
                        }()};
};

TEST_P(SyncTest, PriceAndStockEditsFollowTheLiveListingCoalesced) {
  const int64_t shop = connect();
  auto p = add_product("MO-500", 185000, 40);
  publish(shop, p);

  // Three edits and a checkout reserving two: one pending update row with the last values.
  auto f = p.fields;
  f.price_vnd = 190000;
  ASSERT_TRUE(products_.update(p.id, f).has_value());
  f.price_vnd = 195000;
  f.stock = 30;
  ASSERT_TRUE(products_.update(p.id, f).has_value());
  ASSERT_TRUE(products_.reserve_stock(p.id, 2).value());
  auto rows = sync_.outbox().rows(shop).value();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].kind, "update");
  EXPECT_EQ(rows[1].state, OutboxState::pending);
  EXPECT_EQ(rows[1].payload, R"({"price_vnd":195000,"stock":28})");

  auto sent = sync_.send({}).value();
  EXPECT_EQ(sent.totals.done, 1);
  EXPECT_EQ(fake_.item("MO-500")->price, 195000);
  EXPECT_EQ(fake_.item("MO-500")->stock, 28);
  EXPECT_TRUE(fake_.rejections().empty());
}

TEST_P(SyncTest, ProductsWithoutListingsAndOtherProducersQueueNothing) {
  const int64_t shop = connect();
  auto listed = add_product("MO-500", 185000, 40);
  auto unlisted = add_product("MO-250", 99000, 10);
  publish(shop, listed);
  // Another producer's product with a shop of its own and no listing.
  const int64_t other = core::testing_support::add_producer(db_, "HTX Chè", "24");
  core::ProductFields f = unlisted.fields;
  f.sku = "CHE-1";
  auto foreign = products_.create(other, f).value();

  f = unlisted.fields;
  f.stock = 5;
  ASSERT_TRUE(products_.update(unlisted.id, f).has_value());
  f = foreign.fields;
  f.stock = 5;
  ASSERT_TRUE(products_.update(foreign.id, f).has_value());
  // A name edit changes neither price nor stock.
  f = listed.fields;
  f.name = "Mật ong hoa cà phê Bảo Lâm hũ 500 ml";
  ASSERT_TRUE(products_.update(listed.id, f).has_value());
  // A price of 0 (not for sale) is never sent; the stock change is.
  f.price_vnd = 0;
  f.stock = 7;
  ASSERT_TRUE(products_.update(listed.id, f).has_value());

  auto rows = sync_.outbox().rows(shop).value();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].payload, R"({"stock":7})");
}

TEST_P(SyncTest, AnEditBeforeTheCreateIsSentGoesIntoTheCreate) {
  const int64_t shop = connect();
  auto p = add_product("MO-500", 185000, 40);
  ASSERT_TRUE(sync_.outbox().enqueue_create(shop, listing_for(p), kStart).has_value());
  auto f = p.fields;
  f.price_vnd = 170000;
  f.stock = 12;
  ASSERT_TRUE(products_.update(p.id, f).has_value());
  ASSERT_EQ(sync_.outbox().rows(shop).value().size(), 1u);
  auto sent = sync_.send({}).value();
  EXPECT_EQ(sent.totals.done, 1);
  EXPECT_EQ(fake_.item("MO-500")->price, 170000);
  EXPECT_EQ(fake_.item("MO-500")->stock, 12);
  EXPECT_EQ(fake_.creates(), 1);
}

TEST_P(SyncTest, PassesArePacedByThePerShopRateLimit) {
  const int64_t shop = connect();
  for (int i = 0; i < 12; ++i) {
    auto p = add_product("SKU-" + std::to_string(i), 100000 + i, 5);
    ASSERT_TRUE(sync_.outbox().enqueue_create(shop, listing_for(p), kStart).has_value());
  }
  // Without a wait: one pass, the burst (5) only.
  auto once = sync_.send({}).value();
  EXPECT_EQ(once.passes, 1);
  EXPECT_EQ(once.totals.done, 5);
  EXPECT_EQ(once.totals.held, 7);
  // With a wait the buckets refill (2 per second): all sent, over several passes.
  int progress_calls = 0;
  SendOptions o = paced();
  o.progress = [&](int, int) { ++progress_calls; };
  auto all = sync_.send(o).value();
  EXPECT_EQ(all.totals.done, 7);
  EXPECT_GE(all.passes, 4);
  EXPECT_EQ(all.totals.held, 0);
  EXPECT_GT(progress_calls, 7);
  EXPECT_EQ(fake_.creates(), 12);
  EXPECT_GE(clock_.now() - kStart, 3);
}

TEST_P(SyncTest, ADryRunShopSendsNothingAndShowsSignedRequestsWithoutSecrets) {
  const int64_t shop = connect();
  auto p = add_product("MO-500", 185000, 40);
  ASSERT_TRUE(sync_.shops().set_dry_run(shop, true).has_value());
  EXPECT_TRUE(sync_.shops().find(shop).value().dry_run);
  ASSERT_TRUE(sync_.outbox().enqueue_create(shop, listing_for(p), kStart).has_value());
  Listing too_short = listing_for(add_product("MO-1", 50000, 1));
  too_short.name = "";
  ASSERT_TRUE(sync_.outbox().enqueue_create(shop, too_short, kStart).has_value());

  auto sent = sync_.send({}).value();
  EXPECT_EQ(sent.totals.due, 0);
  EXPECT_EQ(sent.dry_run_shops, 1);
  EXPECT_EQ(fake_.creates(), 0);

  auto previews = sync_.preview(0, false).value();
  ASSERT_EQ(previews.size(), 1u);
  EXPECT_TRUE(previews[0].dry_run_mode);
  ASSERT_EQ(previews[0].rows.size(), 2u);
  const PreviewRow& good = previews[0].rows[0];
  ASSERT_EQ(good.requests.size(), 1u) << good.problem;
  EXPECT_TRUE(good.requests[0].signature_ok);
  EXPECT_FALSE(good.requests[0].request.signature.empty());
  const PreparedRequest& r = good.requests[0].request;
  std::string shown = r.base_string + r.body + r.target();
  for (const auto& h : r.headers) shown += h.second;
  EXPECT_EQ(shown.find("acc-0"), std::string::npos);
  EXPECT_EQ(shown.find("fake-secret"), std::string::npos);
  EXPECT_NE(r.body.find("MO-500"), std::string::npos);
  EXPECT_TRUE(previews[0].rows[1].requests.empty());
  EXPECT_FALSE(previews[0].rows[1].problem.empty());

  // Back to live: the same rows go out, once.
  ASSERT_TRUE(sync_.shops().set_dry_run(shop, false).has_value());
  EXPECT_TRUE(sync_.preview(0, false).value().empty());
  auto live = sync_.send({}).value();
  EXPECT_EQ(live.totals.done, 1);
  EXPECT_EQ(live.totals.failed, 1);
  EXPECT_EQ(fake_.creates(), 1);
  EXPECT_TRUE(fake_.rejections().empty());
  EXPECT_FALSE(sync_.shops().set_dry_run(9999, true).has_value());
}

TEST_P(SyncTest, OnlyTheChosenShopIsSent) {
  const int64_t shop = connect();
  Grant second{"88002",
               GetParam() == Platform::tiktok ? "ROW_fake" : "",
               "Shop 2",
               "acc-0",
               "ref-0",
               kStart + 4 * 3600,
               kStart + 30 * 86400};
  const int64_t shop2 = sync_.shops().connect(producer_, GetParam(), second, "3001").value();
  ASSERT_TRUE(sync_.outbox()
                  .enqueue_create(shop, listing_for(add_product("A-1", 1000, 1)), kStart)
                  .has_value());
  ASSERT_TRUE(sync_.outbox()
                  .enqueue_create(shop2, listing_for(add_product("B-1", 1000, 1)), kStart)
                  .has_value());
  SendOptions o;
  o.shop_ref = shop2;
  EXPECT_EQ(sync_.send(o).value().totals.done, 1);
  EXPECT_EQ(sync_.outbox().rows(shop).value()[0].state, OutboxState::pending);
  EXPECT_FALSE(fake_.item("A-1").has_value());
  EXPECT_TRUE(fake_.item("B-1").has_value());
}

INSTANTIATE_TEST_SUITE_P(Platforms, SyncTest,
                         ::testing::Values(Platform::shopee, Platform::lazada, Platform::tiktok),
                         [](const auto& p) { return std::string(platform_name(p.param)); });

// Orders pulled from Shopee's order endpoints.
class OrdersTest : public ::testing::Test {
 protected:
  void TearDown() override {
    std::filesystem::remove_all(std::filesystem::path(path_).parent_path());
  }
  std::string path_ = temp_db();
  core::ManualClock clock_{kStart};
  core::Database db_ = core::Database::open(path_).value();
  SecretBox box_ = SecretBox::from_key(std::string(64, 'a')).value();
  FakeMarketplace fake_{Platform::shopee, clock_};
  int64_t producer_ = core::testing_support::add_producer(db_, "HTX Mật ong Bảo Lâm", "24");
  MarketplaceSync sync_{db_, clock_, &box_, {{Platform::shopee, fake_.app()}}};
};

TEST_F(OrdersTest, RecentOrdersBecomeLedgerRowsOnce) {
  fake_.grant("acc-0", "ref-0");
  const int64_t shop =
      sync_.shops()
          .connect(producer_, Platform::shopee,
                   Grant{"88001", "", "Shop", "acc-0", "ref-0", kStart + 4 * 3600, 0}, "3001")
          .value();
  fake_.add_order("2611280001", kStart - 3600, 370000, "COMPLETED");
  fake_.add_order("2611280002", kStart - 7200, 185000, "READY_TO_SHIP");
  fake_.add_order("2611280003", kStart - 600, 99000, "CANCELLED");
  fake_.add_order("2610010009", kStart - 40 * 86400, 50000, "COMPLETED");  // too old

  auto first = sync_.pull_orders(0).value();
  EXPECT_EQ(first.shops, 1);
  EXPECT_EQ(first.fetched, 3);
  EXPECT_EQ(first.recorded, 2);
  EXPECT_EQ(first.ignored, 1);
  EXPECT_TRUE(first.problems.empty());
  EXPECT_TRUE(fake_.rejections().empty()) << fake_.rejections().front();

  core::Ledger ledger(db_, clock_);
  auto row =
      ledger.find_by_source("marketplace", marketplace_sale_ref("shopee", producer_, "2611280001"))
          .value();
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->channel, "shopee");
  EXPECT_EQ(row->settlement, "marketplace");
  EXPECT_EQ(row->amount_vnd, 370000);
  EXPECT_EQ(row->occurred_at, kStart - 3600);
  EXPECT_EQ(row->producer_id, producer_);

  // A later pull overlaps the first: nothing twice, the new order recorded.
  clock_.set(kStart + 3600);
  fake_.add_order("2611280004", kStart + 60, 120000, "SHIPPED");
  auto second = sync_.pull_orders(shop).value();
  EXPECT_EQ(second.recorded, 1);
  EXPECT_EQ(second.already, 2);
  core::LedgerQuery q;
  q.producer_id = producer_;
  EXPECT_EQ(ledger.list(q).value().size(), 3u);
}

TEST_F(OrdersTest, PulledAndImportedOrdersMeetInTheLedgerOnce) {
  fake_.grant("acc-0", "ref-0");
  ASSERT_TRUE(sync_.shops()
                  .connect(producer_, Platform::shopee,
                           Grant{"88001", "", "Shop", "acc-0", "ref-0", kStart + 4 * 3600, 0},
                           "3001")
                  .has_value());
  fake_.add_order("2611280001", kStart - 3600, 370000, "COMPLETED");
  // The seller centre's export, taken before the pull: one order the pull will also see.
  const std::string file =
      "Order ID,Order Creation Date,Order Status,Order Total\n"
      "2611280001,2025-11-28 09:20,Completed,370.000\n"
      "2611270007,2025-11-27 16:00,Completed,58.000\n";
  auto imported = import_order_file(db_, clock_, producer_, "shopee", file).value();
  ASSERT_TRUE(imported.ok());
  EXPECT_EQ(imported.recorded, 2);
  auto pulled = sync_.pull_orders(0).value();
  EXPECT_EQ(pulled.recorded, 0);
  EXPECT_EQ(pulled.already, 1);
  // And the other way round: the file again after the pull.
  auto again = import_order_file(db_, clock_, producer_, "shopee", file).value();
  EXPECT_EQ(again.recorded, 0);
  EXPECT_EQ(again.already, 2);
  core::Ledger ledger(db_, clock_);
  core::LedgerQuery q;
  q.producer_id = producer_;
  EXPECT_EQ(ledger.list(q).value().size(), 2u);
}

TEST_F(OrdersTest, ShopsWithoutAppCredentialsAreSkipped) {
  FakeMarketplace lazada(Platform::lazada, clock_);
  lazada.grant("acc-0", "ref-0");
  MarketplaceSync sync(db_, clock_, &box_, {{Platform::lazada, lazada.app()}});
  sync.shops()
      .connect(producer_, Platform::lazada,
               Grant{"900100", "", "Shop", "acc-0", "ref-0", kStart + 4 * 3600, 0}, "")
      .value();
  sync.shops()
      .connect(producer_, Platform::tiktok,
               Grant{"7495", "ROW_fake", "Shop", "acc-0", "ref-0", kStart + 4 * 3600, 0}, "")
      .value();
  auto report = sync.pull_orders(0).value();
  EXPECT_EQ(report.shops, 1);    // Lazada, pulled
  EXPECT_EQ(report.skipped, 1);  // TikTok Shop: no app credentials
  EXPECT_EQ(lazada.calls("/orders/get"), 1);
  EXPECT_TRUE(report.problems.empty()) << report.problems.front();
}

// Lazada's and TikTok Shop's order lists: paged, checked by the fake (signature, timestamp, token,
// parameters).
class PullTest : public ::testing::TestWithParam<Platform> {
 protected:
  void TearDown() override {
    std::filesystem::remove_all(std::filesystem::path(path_).parent_path());
  }

  int64_t connect(MarketplaceSync& sync) {
    fake_.grant("acc-0", "ref-0");
    const bool tiktok = GetParam() == Platform::tiktok;
    return sync.shops()
        .connect(producer_, GetParam(),
                 Grant{tiktok ? "7495" : "900100", tiktok ? "ROW_fake" : "", "Shop", "acc-0",
                       "ref-0", kStart + 4 * 3600, 0},
                 "")
        .value();
  }

  // The platform's spelling of an order state.
  std::string status(const std::string& upper) const {
    if (GetParam() == Platform::tiktok) return upper;
    std::string s = upper;
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }

  std::string endpoint() const {
    return GetParam() == Platform::tiktok ? "/order/202309/orders/search" : "/orders/get";
  }

  std::string ref(const std::string& order_id) const {
    return marketplace_sale_ref(platform_name(GetParam()), producer_, order_id);
  }

  std::string path_ = temp_db();
  core::ManualClock clock_{kStart};
  core::Database db_ = core::Database::open(path_).value();
  SecretBox box_ = SecretBox::from_key(std::string(64, 'a')).value();
  FakeMarketplace fake_{GetParam(), clock_};
  int64_t producer_ = core::testing_support::add_producer(db_, "HTX Mật ong Bảo Lâm", "24");
  MarketplaceSync sync_{db_, clock_, &box_, {{GetParam(), fake_.app()}}};
};

TEST_P(PullTest, OrdersAcrossPagesBecomeLedgerRowsOnce) {
  const int64_t shop = connect(sync_);
  fake_.set_order_page_size(2);
  fake_.add_order("2611280001", kStart - 3600, 370000,
                  status(GetParam() == Platform::tiktok ? "COMPLETED" : "DELIVERED"));
  fake_.add_order("2611280002", kStart - 7200, 185000,
                  status(GetParam() == Platform::tiktok ? "AWAITING_SHIPMENT" : "READY_TO_SHIP"));
  fake_.add_order("2611280003", kStart - 600, 99000,
                  GetParam() == Platform::tiktok ? "CANCELLED" : "canceled");
  fake_.add_order("2611280005", kStart - 500, 45000, status("UNPAID"));
  fake_.add_order("2611280006", kStart - 400, 64000,
                  status(GetParam() == Platform::tiktok ? "IN_TRANSIT" : "SHIPPED"));
  fake_.add_order("2610010009", kStart - 40 * 86400, 50000, status("DELIVERED"));  // too old

  auto first = sync_.pull_orders(0).value();
  EXPECT_TRUE(fake_.rejections().empty()) << fake_.rejections().front();
  EXPECT_TRUE(first.problems.empty()) << first.problems.front();
  EXPECT_EQ(first.shops, 1);
  EXPECT_EQ(first.fetched, 5);
  EXPECT_EQ(first.recorded, 3);
  EXPECT_EQ(first.ignored, 2);
  EXPECT_EQ(fake_.calls(endpoint()), 3);  // pages of 2, 2 and 1

  core::Ledger ledger(db_, clock_);
  auto row = ledger.find_by_source("marketplace", ref("2611280001")).value();
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->channel, ledger_channel(GetParam()));
  EXPECT_EQ(row->settlement, "marketplace");
  EXPECT_EQ(row->amount_vnd, 370000);
  EXPECT_EQ(row->occurred_at, kStart - 3600);
  EXPECT_EQ(row->producer_id, producer_);
  EXPECT_TRUE(ledger.find_by_source("marketplace", ref("2611280006")).value().has_value());
  EXPECT_FALSE(ledger.find_by_source("marketplace", ref("2611280003")).value().has_value());
  EXPECT_FALSE(ledger.find_by_source("marketplace", ref("2611280005")).value().has_value());

  // A later pull overlaps the first: nothing twice, the new order recorded.
  clock_.set(kStart + 3600);
  fake_.add_order("2611280007", kStart + 60, 120000, status("DELIVERED"));
  auto second = sync_.pull_orders(shop).value();
  EXPECT_TRUE(fake_.rejections().empty()) << fake_.rejections().front();
  EXPECT_EQ(second.recorded, 1);
  EXPECT_EQ(second.already, 3);
  EXPECT_EQ(second.ignored, 2);
  auto third = sync_.pull_orders(shop).value();
  EXPECT_EQ(third.recorded, 0);
  EXPECT_EQ(third.already, 4);
  core::LedgerQuery q;
  q.producer_id = producer_;
  EXPECT_EQ(ledger.list(q).value().size(), 4u);
}

TEST_P(PullTest, AWrongSignatureIsRefusedAndRecordsNothing) {
  MarketplaceApp app = fake_.app();
  app.secret = "not-the-app-secret";
  MarketplaceSync sync(db_, clock_, &box_, {{GetParam(), app}});
  connect(sync);
  fake_.add_order("2611280001", kStart - 3600, 370000, status("DELIVERED"));
  auto report = sync.pull_orders(0).value();
  EXPECT_EQ(report.shops, 1);
  EXPECT_EQ(report.recorded, 0);
  ASSERT_EQ(report.problems.size(), 1u);
  ASSERT_FALSE(fake_.rejections().empty());
  EXPECT_EQ(fake_.rejections().front(), std::string(platform_name(GetParam())) + " sign");
  core::LedgerQuery q;
  q.producer_id = producer_;
  EXPECT_TRUE(core::Ledger(db_, clock_).list(q).value().empty());
}

TEST_P(PullTest, PulledAndImportedOrdersMeetInTheLedgerOnce) {
  connect(sync_);
  fake_.add_order("2611280001", kStart - 3600, 370000, status("DELIVERED"));
  const std::string file =
      "Order ID,Order Creation Date,Order Status,Order Total\n"
      "2611280001,2025-11-28 09:20,Delivered,370.000\n"
      "2611270007,2025-11-27 16:00,Delivered,58.000\n";
  const std::string platform = platform_name(GetParam());
  auto imported = import_order_file(db_, clock_, producer_, platform, file).value();
  ASSERT_TRUE(imported.ok());
  EXPECT_EQ(imported.recorded, 2);
  auto pulled = sync_.pull_orders(0).value();
  EXPECT_TRUE(fake_.rejections().empty()) << fake_.rejections().front();
  EXPECT_EQ(pulled.fetched, 1);
  EXPECT_EQ(pulled.recorded, 0);
  EXPECT_EQ(pulled.already, 1);
  // And the other way round: a new order pulled first, then a file carrying it.
  clock_.set(kStart + 3600);
  fake_.add_order("2611280008", kStart + 60, 80000, status("DELIVERED"));
  EXPECT_EQ(sync_.pull_orders(0).value().recorded, 1);
  auto again = import_order_file(db_, clock_, producer_, platform,
                                 file + "2611280008,2025-11-28 10:21,Delivered,80.000\n")
                   .value();
  EXPECT_EQ(again.recorded, 0);
  EXPECT_EQ(again.already, 3);
  core::LedgerQuery q;
  q.producer_id = producer_;
  EXPECT_EQ(core::Ledger(db_, clock_).list(q).value().size(), 3u);
}

// Lazada gives one status per item: an order is a sale when any of its items is.
class LazadaPullTest : public PullTest {};

TEST_P(LazadaPullTest, AnOrderWithOneItemDeliveredIsASale) {
  connect(sync_);
  fake_.add_order("2611280011", kStart - 3600, 240000, "canceled,delivered");
  fake_.add_order("2611280012", kStart - 3000, 90000, "canceled,returned");
  auto report = sync_.pull_orders(0).value();
  EXPECT_TRUE(fake_.rejections().empty()) << fake_.rejections().front();
  EXPECT_EQ(report.fetched, 2);
  EXPECT_EQ(report.recorded, 1);
  EXPECT_EQ(report.ignored, 1);
  auto row =
      core::Ledger(db_, clock_)
          .find_by_source("marketplace", marketplace_sale_ref("lazada", producer_, "2611280011"))
          .value();
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->amount_vnd, 240000);
}

INSTANTIATE_TEST_SUITE_P(Lazada, LazadaPullTest, ::testing::Values(Platform::lazada),
                         [](const auto& p) { return std::string(platform_name(p.param)); });

INSTANTIATE_TEST_SUITE_P(Platforms, PullTest, ::testing::Values(Platform::lazada, Platform::tiktok),
                         [](const auto& p) { return std::string(platform_name(p.param)); });

TEST(MarketplaceApps, ReadFromTheEnvironment) {
  std::map<std::string, std::string> env = {{"CHOPHIEN_SHOPEE_APP_KEY", "2000001"},
                                            {"CHOPHIEN_SHOPEE_APP_SECRET", "k"},
                                            {"CHOPHIEN_SHOPEE_API_URL", "http://127.0.0.1:9/"},
                                            {"CHOPHIEN_TIKTOK_APP_KEY", "demoapp"},
                                            {"CHOPHIEN_TIKTOK_APP_SECRET", "s"}};
  auto get = [&](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  auto apps = marketplace_apps_from_env(get).value();
  ASSERT_EQ(apps.size(), 2u);
  EXPECT_EQ(apps[Platform::shopee].api_base, "http://127.0.0.1:9");
  EXPECT_EQ(apps[Platform::shopee].key, "2000001");
  EXPECT_EQ(apps[Platform::tiktok].auth_base, "https://auth.tiktok-shops.com");
  EXPECT_EQ(apps[Platform::shopee].authorize_base, "http://127.0.0.1:9");
  EXPECT_EQ(apps[Platform::tiktok].authorize_base, "");
  env["CHOPHIEN_TIKTOK_AUTHORIZE_URL"] = "https://services.tiktokshop.com/open/authorize/";
  EXPECT_EQ(marketplace_apps_from_env(get).value()[Platform::tiktok].authorize_base,
            "https://services.tiktokshop.com/open/authorize");
  env.erase("CHOPHIEN_TIKTOK_AUTHORIZE_URL");

  env["CHOPHIEN_LAZADA_APP_KEY"] = "100001";
  auto half = marketplace_apps_from_env(get);
  ASSERT_FALSE(half.has_value());
  EXPECT_EQ(half.error().field, "CHOPHIEN_LAZADA_APP_SECRET");
  env.erase("CHOPHIEN_LAZADA_APP_KEY");
  env["CHOPHIEN_SHOPEE_APP_KEY"] = "partner";
  EXPECT_FALSE(marketplace_apps_from_env(get).has_value());
  env["CHOPHIEN_SHOPEE_APP_KEY"] = "2000001";
  env["CHOPHIEN_TIKTOK_API_URL"] = "ftp://x";
  EXPECT_FALSE(marketplace_apps_from_env(get).has_value());
}

TEST(OrderStatus, CancelledUnpaidAndReturnedAreNotSales) {
  EXPECT_TRUE(order_status_counts(Platform::shopee, "COMPLETED"));
  EXPECT_TRUE(order_status_counts(Platform::lazada, "delivered"));
  EXPECT_FALSE(order_status_counts(Platform::shopee, "IN_CANCEL"));
  EXPECT_FALSE(order_status_counts(Platform::lazada, "canceled"));
  EXPECT_FALSE(order_status_counts(Platform::tiktok, "UNPAID"));
  EXPECT_FALSE(order_status_counts(Platform::tiktok, "CANCELLED"));
  EXPECT_TRUE(order_status_counts(Platform::tiktok, "AWAITING_COLLECTION"));
  EXPECT_TRUE(order_status_counts(Platform::lazada, "ready_to_ship"));
  EXPECT_TRUE(order_status_counts(Platform::lazada, "pending"));
  EXPECT_FALSE(order_status_counts(Platform::lazada, "shipped_back_success"));
  EXPECT_FALSE(order_status_counts(Platform::lazada, "lost_by_3pl"));
  EXPECT_FALSE(order_status_counts(Platform::shopee, ""));
  EXPECT_STREQ(ledger_channel(Platform::tiktok), "tiktok_shop");
}

}  // namespace
}  // namespace chophien::integrations
