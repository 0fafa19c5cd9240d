#include "core/indicators.h"

#include <gtest/gtest.h>

#include "core/ledger.h"

namespace chophien::core {
namespace {

Date day(const char* iso) { return parse_iso_date(iso).value(); }
// Unix time of a local (UTC+7) hour on a day.
int64_t at(const char* iso, int hour, int minute = 0) {
  return vietnam_midnight(day(iso)) + hour * 3600 + minute * 60;
}

struct Fixture : ::testing::Test {
  ManualClock clock{at("2026-11-28", 9)};
  Database db = Database::open_in_memory().value();
  Ledger ledger{db, clock};
  IndicatorEngine engine{db, clock};

  Fixture() { AreaStore(db).load_default().value(); }

  int64_t producer(const char* code, const char* valid_from, int64_t registered_at,
                   bool bank = false, const char* facebook = "", const char* status = "active",
                   std::optional<int64_t> inactive_since = {}) {
    auto s = db.prepare(
                   "INSERT INTO producers (name, area_code, area_valid_from, bank_bin, "
                   "bank_account, bank_holder, social_facebook, status, inactive_since, "
                   "registered_at) VALUES ('Hộ Nông Văn A', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")
                 .value();
    s.bind(1, code).bind(2, valid_from);
    s.bind(3, bank ? "970436" : "").bind(4, bank ? "0011001234567" : "");
    s.bind(5, bank ? "NONG VAN A" : "").bind(6, facebook).bind(7, status);
    s.bind(8, inactive_since).bind(9, registered_at);
    s.run().value();
    return db.last_insert_id();
  }

  std::string product(int64_t producer_id, const char* group, std::optional<int> stars,
                      const char* decision_date, std::optional<int64_t> revoked_at = {}) {
    static int n = 0;
    auto s = db.prepare(
                   "INSERT INTO products (producer_id, sku, name, name_key, ocop_group, "
                   "ocop_stars, decision_no, decision_date, issuer, certificate_revoked_at, unit, "
                   "price_vnd, stock, status, created_at, updated_at) VALUES (?1, ?2, 'Miến dong', "
                   "'mien dong', ?3, ?4, ?5, ?6, ?7, ?8, 'gói', 50000, 10, 'active', 0, 0)")
                 .value();
    const std::string sku = "SKU-" + std::to_string(++n);
    s.bind(1, producer_id).bind(2, sku).bind(3, group).bind(4, stars);
    s.bind(5, stars ? std::optional<std::string>("12/QĐ-UBND") : std::nullopt);
    s.bind(6, stars ? std::optional<std::string>(decision_date) : std::nullopt);
    s.bind(7, stars ? std::optional<std::string>("UBND tỉnh Cao Bằng") : std::nullopt);
    s.bind(8, revoked_at);
    s.run().value();
    return sku;
  }

  // A marketplace shop of the producer (integrations/outbox.h writes these; the figures only
  // read who owns the shop).
  int64_t shop(int64_t producer_id, const char* platform) {
    static int n = 0;
    auto s = db.prepare(
                   "INSERT INTO marketplace_shops (producer_id, platform, shop_id, tokens_sealed, "
                   "created_at, updated_at) VALUES (?1, ?2, ?3, 'sealed', 0, 0)")
                 .value();
    s.bind(1, producer_id).bind(2, platform).bind(3, "shop-" + std::to_string(++n));
    s.run().value();
    return db.last_insert_id();
  }

  // The listing's state changes at `when`, as the outbox records it.
  void listing(int64_t shop_ref, const std::string& sku, const char* state, int64_t when) {
    auto s = db.prepare(
                   "INSERT INTO marketplace_listings (shop_ref, sku, state, updated_at) "
                   "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (shop_ref, sku) DO UPDATE SET "
                   "state = excluded.state, updated_at = excluded.updated_at")
                 .value();
    s.bind(1, shop_ref).bind(2, sku).bind(3, state).bind(4, when);
    s.run().value();
  }

  int64_t sale(int64_t producer_id, const char* channel, const char* settlement, int64_t vnd,
               int64_t when) {
    static int n = 0;
    SaleEntry e;
    e.producer_id = producer_id;
    e.channel = channel;
    e.settlement = settlement;
    e.amount_vnd = vnd;
    e.occurred_at = when;
    e.source_kind = std::string_view(settlement) == "marketplace" ? "marketplace" : "order";
    e.source_ref = "REF" + std::to_string(++n);
    return ledger.append(e).value().id;
  }

  void hand_sale(int64_t producer_id, const char* channel, const char* settlement, int64_t vnd,
                 int64_t when) {
    ManualSale m;
    m.producer_id = producer_id;
    m.channel = channel;
    m.settlement = settlement;
    m.amount_vnd = vnd;
    m.occurred_at = when;
    ledger.record_manual_sale(m, 7).value();
  }

  Report compute(const char* from, const char* to, const char* area, const char* by, Basis basis) {
    auto r = engine.compute(day(from), day(to), area, by, basis);
    EXPECT_TRUE(r) << r.error().message;
    return std::move(r).value();
  }
};

const Figure& fig(const Report& r, const char* area, const char* code) {
  const AreaFigures* row = r.find(area);
  if (!row) throw std::logic_error(std::string("no row ") + area);
  const Figure* f = row->find(code);
  if (!f) throw std::logic_error(std::string("no figure ") + code);
  return *f;
}

void expect_rate(const Figure& f, std::optional<int64_t> num, int64_t den,
                 FigureSource source = FigureSource::system) {
  SCOPED_TRACE(f.code);
  EXPECT_EQ(f.unit, FigureUnit::ratio);
  EXPECT_EQ(f.numerator, num);
  EXPECT_EQ(f.denominator, den);
  if (num && den > 0) {
    ASSERT_TRUE(f.value.has_value());
    EXPECT_DOUBLE_EQ(*f.value, static_cast<double>(*num) / static_cast<double>(den));
  } else {
    EXPECT_FALSE(f.value.has_value());
  }
  EXPECT_EQ(f.source, source);
}

void expect_amount(const Figure& f, int64_t n, FigureSource source = FigureSource::system) {
  SCOPED_TRACE(f.code);
  EXPECT_EQ(f.numerator, n);
  EXPECT_FALSE(f.denominator.has_value());
  ASSERT_TRUE(f.value.has_value());
  EXPECT_DOUBLE_EQ(*f.value, static_cast<double>(n));
  EXPECT_EQ(f.source, source);
}

constexpr auto kHand = FigureSource::self_declared;

TEST_F(Fixture, ASaleOnTheLastDayBeforeTheReformReportsUnderTheDistrictAsDated) {
  const int64_t vinh_quang = producer("01300", "1900-01-01", at("2024-01-01", 8));
  sale(vinh_quang, "storefront", "bank_transfer", 100000, at("2025-06-30", 23, 30));
  const Report r = compute("2025-06-01", "2025-07-31", "04", "district", Basis::as_dated);
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[1].area.key, (AreaKey{"042", "1900-01-01"}));
  expect_amount(fig(r, "042", "revenue_vnd"), 100000);
  expect_amount(fig(r, "04", "revenue_vnd"), 100000);
  const Report by_commune = compute("2025-06-01", "2025-07-31", "04", "commune", Basis::as_dated);
  expect_amount(fig(by_commune, "01300", "revenue_vnd"), 100000);
}

TEST_F(Fixture, ASaleOnTheLastDayBeforeTheReformReportsUnderLyBonRebased) {
  const int64_t vinh_quang = producer("01300", "1900-01-01", at("2024-01-01", 8));
  sale(vinh_quang, "storefront", "bank_transfer", 100000, at("2025-06-30", 23, 30));
  const Report r = compute("2025-06-01", "2025-07-31", "04", "commune", Basis::rebased);
  ASSERT_EQ(r.rows.size(), 7u);  // the province and its 6 communes of today
  EXPECT_EQ(r.find("01300"), nullptr);
  const AreaFigures* ly_bon = r.find("01294");
  ASSERT_NE(ly_bon, nullptr);
  EXPECT_EQ(ly_bon->area.key.valid_from, "2025-07-01");
  EXPECT_EQ(ly_bon->area.name_vi, "Lý Bôn");
  expect_amount(fig(r, "01294", "revenue_vnd"), 100000);
  expect_amount(fig(r, "01290", "revenue_vnd"), 0);
}

TEST_F(Fixture, ASaleOnTheFirstDayAfterTheReformIn01290IsBaoLamCommune) {
  const int64_t pac_miau = producer("01290", "1900-01-01", at("2024-01-01", 8));
  sale(pac_miau, "storefront", "bank_transfer", 200000, at("2025-07-01", 0, 10));
  const Report r = compute("2025-06-01", "2025-07-31", "04", "commune", Basis::as_dated);
  // Both versions of 01290 are rows; the sale is in the commune, not the former township.
  const AreaFigures* township = nullptr;
  const AreaFigures* commune = nullptr;
  for (const auto& row : r.rows) {
    if (row.area.key == AreaKey{"01290", "1900-01-01"}) township = &row;
    if (row.area.key == AreaKey{"01290", "2025-07-01"}) commune = &row;
  }
  ASSERT_NE(township, nullptr);
  ASSERT_NE(commune, nullptr);
  EXPECT_EQ(commune->area.full_name_vi, "Xã Bảo Lâm");
  EXPECT_EQ(*commune->find("revenue_vnd")->numerator, 200000);
  EXPECT_EQ(*township->find("revenue_vnd")->numerator, 0);
  const Report district = compute("2025-06-01", "2025-07-31", "04", "district", Basis::as_dated);
  expect_amount(fig(district, "042", "revenue_vnd"), 0);
  expect_amount(fig(district, "04", "revenue_vnd"), 200000);
}

// The hand-computed ledger of docs/indicators.md's figures, first half of 2026.
struct HalfYear : Fixture {
  int64_t a, b, c, d, e, f;
  HalfYear() {
    a = producer("01294", "2025-07-01", at("2025-08-01", 8), true, "fb.com/honglybon");
    b = producer("01300", "1900-01-01", at("2024-03-01", 8));  // Vĩnh Quang: now Lý Bôn
    c = producer("01290", "2025-07-01", at("2025-09-01", 8), true);
    d = producer("01290", "2025-07-01", at("2025-09-01", 8), true, "zalo", "inactive",
                 at("2025-12-01", 8));
    e = producer("01297", "2025-07-01", at("2026-07-15", 8), true);
    f = producer("01290", "2025-07-01", at("2025-10-01", 8), false, "", "inactive",
                 at("2026-03-01", 8));
    product(a, "G1", 4, "2024-01-10");                        // valid until 2027-01-09
    product(a, "G3", 3, "2023-06-01");                        // expired 2026-06-01
    product(c, "G1", 5, "2025-09-01", at("2026-06-30", 10));  // revoked on the last day
    product(c, "G2", 3, "2025-01-01");                        // valid
    product(c, "G2", std::nullopt, "");                       // no certificate
    product(d, "G4", 3, "2025-01-01");                        // inactive producer's: counted

    sale(a, "storefront", "bank_transfer", 999000, at("2025-12-31", 23, 59));  // before
    sale(a, "storefront", "bank_transfer", 999000, at("2026-07-01", 0, 0));    // after
    sale(a, "storefront", "bank_transfer", 300000, at("2026-02-10", 10));
    sale(a, "shopee", "marketplace", 150000, at("2026-03-05", 10));
    hand_sale(a, "cash", "cash", 50000, at("2026-03-06", 10));
    hand_sale(b, "social", "cash", 80000, at("2026-04-01", 10));
    sale(c, "stall_qr", "bank_transfer", 120000, at("2026-05-20", 10));
    sale(c, "voso", "marketplace", 200000, at("2026-06-30", 23));
    const int64_t refunded = sale(c, "storefront", "bank_transfer", 400000, at("2026-01-15", 10));
    sale(f, "lazada", "marketplace", 70000, at("2026-02-01", 10));
    clock.set(at("2026-01-20", 10));
    ledger.record_refund(refunded, 100000, 7, "thiếu hàng").value();
    clock.set(at("2026-11-28", 9));

    TrainingLog training(db, clock);
    TrainingEvent ev;
    ev.area = {"01294", ""};
    ev.held_on = day("2026-03-10");
    ev.title = "Bán hàng trên sàn TMĐT";
    ev.participants = 25;
    training.record(ev).value();
    ev.held_on = day("2026-08-10");
    training.record(ev).value();
  }
};

TEST_F(HalfYear, EveryIndicatorMatchesTheHandComputedLedger) {
  for (Basis basis : {Basis::rebased, Basis::as_dated}) {
    SCOPED_TRACE(basis_name(basis));
    const Report r = compute("2026-01-01", "2026-06-30", "04", "commune", basis);
    ASSERT_EQ(r.rows.size(), 7u);
    EXPECT_TRUE(r.rows[0].total);
    EXPECT_EQ(r.rows[0].area.key.code, "04");
    EXPECT_EQ(r.generated_at, clock.now());

    // Lý Bôn: A and B (registered in Vĩnh Quang before the reform).
    expect_amount(fig(r, "01294", "producers"), 2);
    expect_amount(fig(r, "01294", "ocop_products_valid"), 1);
    expect_amount(fig(r, "01294", "ocop_products_valid.stars_4"), 1);
    expect_amount(fig(r, "01294", "ocop_products_valid.stars_3"), 0);
    expect_amount(fig(r, "01294", "ocop_products_valid.g1"), 1);
    expect_amount(fig(r, "01294", "ocop_products_valid.g3"), 0);
    expect_rate(fig(r, "01294", "ecom_producer_rate"), 1, 2);
    expect_rate(fig(r, "01294", "ocop_ecom_product_rate"), 0, 1);
    expect_rate(fig(r, "01294", "social_selling_rate"), 2, 2, kHand);
    expect_rate(fig(r, "01294", "qr_acceptance_rate"), 1, 2);
    expect_rate(fig(r, "01294", "cashless_order_rate"), 2, 4, kHand);
    expect_rate(fig(r, "01294", "cashless_value_rate"), 450000, 580000, kHand);
    expect_amount(fig(r, "01294", "online_revenue_vnd"), 450000);
    expect_amount(fig(r, "01294", "online_revenue_vnd.storefront"), 300000);
    expect_amount(fig(r, "01294", "online_revenue_vnd.shopee"), 150000);
    expect_amount(fig(r, "01294", "marketplace_orders"), 1);
    expect_amount(fig(r, "01294", "marketplace_orders.shopee"), 1);
    expect_amount(fig(r, "01294", "marketplace_orders.voso"), 0);
    expect_amount(fig(r, "01294", "revenue_vnd"), 580000, kHand);
    expect_amount(fig(r, "01294", "revenue_vnd.storefront"), 300000);
    expect_amount(fig(r, "01294", "revenue_vnd.cash"), 50000, kHand);
    expect_amount(fig(r, "01294", "revenue_vnd.social"), 80000, kHand);
    expect_amount(fig(r, "01294", "training_events"), 1, kHand);
    expect_amount(fig(r, "01294", "training_participants"), 25, kHand);

    // Bảo Lâm: C and F (inactive from March, so active during the period); D left before it.
    expect_amount(fig(r, "01290", "producers"), 2);
    expect_amount(fig(r, "01290", "ocop_products_valid"), 2);  // C's G2 and D's G4
    expect_amount(fig(r, "01290", "ocop_products_valid.stars_3"), 2);
    expect_amount(fig(r, "01290", "ocop_products_valid.stars_5"), 0);
    expect_amount(fig(r, "01290", "ocop_products_valid.g2"), 1);
    expect_amount(fig(r, "01290", "ocop_products_valid.g4"), 1);
    expect_rate(fig(r, "01290", "ecom_producer_rate"), 2, 2);
    expect_rate(fig(r, "01290", "ocop_ecom_product_rate"), 0, 2);
    expect_rate(fig(r, "01290", "social_selling_rate"), 0, 2);
    expect_rate(fig(r, "01290", "qr_acceptance_rate"), 1, 2);
    expect_rate(fig(r, "01290", "cashless_order_rate"), 4, 4);
    expect_rate(fig(r, "01290", "cashless_value_rate"), 690000, 690000);
    expect_amount(fig(r, "01290", "online_revenue_vnd"), 570000);
    expect_amount(fig(r, "01290", "online_revenue_vnd.storefront"), 300000);
    expect_amount(fig(r, "01290", "online_revenue_vnd.voso"), 200000);
    expect_amount(fig(r, "01290", "online_revenue_vnd.lazada"), 70000);
    expect_amount(fig(r, "01290", "marketplace_orders"), 2);
    expect_amount(fig(r, "01290", "marketplace_orders.voso"), 1);
    expect_amount(fig(r, "01290", "marketplace_orders.lazada"), 1);
    expect_amount(fig(r, "01290", "revenue_vnd"), 690000);
    expect_amount(fig(r, "01290", "revenue_vnd.stall_qr"), 120000);
    expect_amount(fig(r, "01290", "training_events"), 0);

    // Nam Quang: E registered after the period. Every rate is empty.
    expect_amount(fig(r, "01297", "producers"), 0);
    expect_rate(fig(r, "01297", "ecom_producer_rate"), 0, 0);
    expect_rate(fig(r, "01297", "qr_acceptance_rate"), 0, 0);
    expect_rate(fig(r, "01297", "cashless_order_rate"), 0, 0);
    expect_rate(fig(r, "01297", "cashless_value_rate"), 0, 0);
    expect_amount(fig(r, "01297", "revenue_vnd"), 0);

    // The province.
    expect_amount(fig(r, "04", "producers"), 4);
    expect_amount(fig(r, "04", "ocop_products_valid"), 3);
    expect_rate(fig(r, "04", "ecom_producer_rate"), 3, 4);
    expect_rate(fig(r, "04", "social_selling_rate"), 2, 4, kHand);
    expect_rate(fig(r, "04", "qr_acceptance_rate"), 2, 4);
    expect_rate(fig(r, "04", "cashless_order_rate"), 6, 8, kHand);
    expect_rate(fig(r, "04", "cashless_value_rate"), 1140000, 1270000, kHand);
    expect_amount(fig(r, "04", "online_revenue_vnd"), 1020000);
    expect_amount(fig(r, "04", "marketplace_orders"), 3);
    expect_amount(fig(r, "04", "revenue_vnd"), 1270000, kHand);
    expect_amount(fig(r, "04", "training_participants"), 25, kHand);
  }
}

TEST_F(HalfYear, AsDatedByCommuneListsTheUnitsOfThePeriod) {
  const Report r = compute("2026-01-01", "2026-06-30", "04", "commune", Basis::as_dated);
  for (const auto& row : r.rows) EXPECT_TRUE(row.total || row.area.valid_on(day("2026-06-30")));
  const Report spanning = compute("2025-01-01", "2026-06-30", "04", "commune", Basis::as_dated);
  EXPECT_EQ(spanning.rows.size(), 1u + 13u + 6u);
}

TEST_F(HalfYear, TheFiguresOfOneCommuneAreItsRowInTheProvince) {
  const Report r = compute("2026-01-01", "2026-06-30", "01294", "", Basis::rebased);
  ASSERT_EQ(r.rows.size(), 1u);
  expect_amount(fig(r, "01294", "revenue_vnd"), 580000, kHand);
  expect_rate(fig(r, "01294", "cashless_order_rate"), 2, 4, kHand);
}

TEST_F(HalfYear, AnEmptyPeriodHasZeroSumsAndEmptySalesRates) {
  const Report r = compute("2026-09-01", "2026-09-30", "04", "commune", Basis::rebased);
  expect_amount(fig(r, "04", "producers"), 4);  // A, B, C and E (registered in July)
  expect_amount(fig(r, "04", "revenue_vnd"), 0);
  expect_amount(fig(r, "04", "marketplace_orders"), 0);
  expect_rate(fig(r, "04", "cashless_order_rate"), 0, 0);
  expect_rate(fig(r, "04", "cashless_value_rate"), 0, 0);
  expect_rate(fig(r, "04", "ecom_producer_rate"), 0, 4);
}

// indicators.md: producers "with at least one live marketplace listing during the period", and
// valid OCOP products with one; a listing counts when any stretch of its live time overlaps the
// period, whatever its state now.
TEST_F(Fixture, ListingsLiveDuringThePeriodCountForTheMarketplaceRates) {
  const int64_t listed_twice = producer("01290", "2025-07-01", at("2025-08-01", 8));
  const int64_t ended_in_period = producer("01290", "2025-07-01", at("2025-08-01", 8));
  const int64_t live_after = producer("01290", "2025-07-01", at("2025-08-01", 8));
  const int64_t pending_only = producer("01290", "2025-07-01", at("2025-08-01", 8));
  const int64_t failed_then_live = producer("01294", "2025-07-01", at("2025-08-01", 8));
  const std::string honey = product(listed_twice, "G1", 4, "2025-01-10");
  product(listed_twice, "G1", 3, "2025-01-10");  // valid, never listed
  const std::string tea = product(ended_in_period, "G1", 3, "2025-02-01");
  const std::string rice = product(live_after, "G1", 5, "2025-02-01");
  const std::string meat = product(pending_only, "G3", 3, "2025-02-01");
  const std::string uncertified = product(failed_then_live, "G2", std::nullopt, "");

  // The same product live on two shops: one producer, one product.
  listing(shop(listed_twice, "shopee"), honey, "live", at("2026-02-01", 10));
  const int64_t lazada = shop(listed_twice, "lazada");
  listing(lazada, honey, "pending", at("2026-02-01", 10));
  listing(lazada, honey, "live", at("2026-02-03", 10));
  // Live in December, failed (taken down) on 10 January: live during the first days of 2026.
  const int64_t tiktok = shop(ended_in_period, "tiktok");
  listing(tiktok, tea, "live", at("2025-12-01", 10));
  listing(tiktok, tea, "failed", at("2026-01-10", 10));
  listing(shop(live_after, "shopee"), rice, "live", at("2026-07-05", 10));
  listing(shop(pending_only, "shopee"), meat, "pending", at("2026-02-01", 10));
  // Failed first, live later; the product has no certificate: the producer counts, no product.
  const int64_t shopee = shop(failed_then_live, "shopee");
  listing(shopee, uncertified, "failed", at("2026-03-01", 10));
  listing(shopee, uncertified, "live", at("2026-03-02", 10));

  for (Basis basis : {Basis::rebased, Basis::as_dated}) {
    SCOPED_TRACE(basis_name(basis));
    const Report half = compute("2026-01-01", "2026-06-30", "04", "commune", basis);
    expect_amount(fig(half, "01290", "producers"), 4);
    expect_rate(fig(half, "01290", "ecom_producer_rate"), 2, 4);
    expect_amount(fig(half, "01290", "ocop_products_valid"), 5);
    expect_rate(fig(half, "01290", "ocop_ecom_product_rate"), 2, 5);
    expect_rate(fig(half, "01294", "ecom_producer_rate"), 1, 1);
    expect_rate(fig(half, "01294", "ocop_ecom_product_rate"), 0, 0);
    expect_rate(fig(half, "04", "ecom_producer_rate"), 3, 5);
    expect_rate(fig(half, "04", "ocop_ecom_product_rate"), 2, 5);
  }
  // July: the rice goes live, the tea stays down, the honey is still live.
  const Report july = compute("2026-07-01", "2026-07-31", "01290", "", Basis::rebased);
  expect_rate(fig(july, "01290", "ecom_producer_rate"), 2, 4);
  expect_rate(fig(july, "01290", "ocop_ecom_product_rate"), 2, 5);
  // Before anything went live.
  const Report november = compute("2025-11-01", "2025-11-30", "01290", "", Basis::rebased);
  expect_rate(fig(november, "01290", "ecom_producer_rate"), 0, 4);
  // Live, failed and live again within one second: still live (one stretch, open).
  const int64_t flicker = shop(live_after, "lazada");
  listing(flicker, rice, "live", at("2026-08-01", 10));
  listing(flicker, rice, "failed", at("2026-08-01", 10));
  listing(flicker, rice, "live", at("2026-08-01", 10));
  {
    auto open = db.prepare(
                      "SELECT COUNT(*), SUM(live_until IS NULL) FROM marketplace_listing_periods "
                      "WHERE shop_ref = ?1")
                    .value();
    open.bind(1, flicker);
    ASSERT_TRUE(open.step().value());
    EXPECT_EQ(open.column_int(0), 1);
    EXPECT_EQ(open.column_int(1), 1);
  }
  // A live listing removed outright stops counting from then on; one still live counts for
  // any later period.
  db.exec("DELETE FROM marketplace_listings WHERE sku = '" + rice + "'").value();
  const Report later = compute("2090-06-01", "2090-06-30", "01290", "", Basis::rebased);
  expect_rate(fig(later, "01290", "ecom_producer_rate"), 1, 4);
}

TEST_F(Fixture, AnEmptyDatabaseGivesZerosAndEmptyRates) {
  const Report r = compute("2026-01-01", "2026-12-31", "04", "commune", Basis::as_dated);
  for (const auto& row : r.rows) {
    ASSERT_EQ(row.figures.size(), indicator_definitions().size());
    for (const auto& f : row.figures) {
      SCOPED_TRACE(f.code);
      if (f.unit == FigureUnit::ratio) {
        EXPECT_FALSE(f.value.has_value());
      } else {
        EXPECT_EQ(f.numerator, 0);
      }
    }
  }
}

TEST_F(Fixture, BadQueriesAreInvalidInputOrNotFound) {
  EXPECT_EQ(
      engine.compute(day("2026-02-01"), day("2026-01-01"), "04", "", Basis::as_dated).error().field,
      "to");
  EXPECT_EQ(
      engine.compute(day("2026-01-01"), day("2026-02-01"), "99", "", Basis::as_dated).error().code,
      ErrorCode::not_found);
  EXPECT_EQ(engine.compute(day("2026-01-01"), day("2026-02-01"), "04", "hamlet", Basis::as_dated)
                .error()
                .field,
            "by");
  // The district no longer exists: it cannot be re-based onto today's units.
  EXPECT_EQ(
      engine.compute(day("2024-01-01"), day("2024-12-31"), "042", "", Basis::rebased).error().field,
      "area");
}

TEST(IndicatorDefinitions, CoverEveryCodeOfIndicatorsMdInOrder) {
  std::vector<std::string> base;
  for (const auto& d : indicator_definitions())
    if (d.code.find('.') == std::string::npos) base.push_back(d.code);
  const std::vector<std::string> expected = {"producers",
                                             "ocop_products_valid",
                                             "ecom_producer_rate",
                                             "ocop_ecom_product_rate",
                                             "social_selling_rate",
                                             "qr_acceptance_rate",
                                             "cashless_order_rate",
                                             "cashless_value_rate",
                                             "online_revenue_vnd",
                                             "marketplace_orders",
                                             "revenue_vnd",
                                             "training_events",
                                             "training_participants"};
  EXPECT_EQ(base, expected);
  EXPECT_EQ(parse_basis("re-based"), Basis::rebased);
  EXPECT_FALSE(parse_basis("today").has_value());
}

}  // namespace
}  // namespace chophien::core
