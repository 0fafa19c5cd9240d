#include "core/products.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/clock.h"
#include "core/database.h"
#include "core/test_producer.h"

namespace chophien::core {
namespace {

Date ymd(int y, int m, int d) { return Date{y, m, d}; }

ProductFields sample(std::string name = "Miến dong Bảo Lâm") {
  ProductFields f;
  f.name = std::move(name);
  f.description = "Đặc sản vùng cao, phơi nắng tự nhiên.";
  f.ocop_group = "G1";
  f.certificate = OcopCertificate{4, "1234/QĐ-UBND", "2023-03-15", "UBND tỉnh Cao Bằng"};
  f.unit = "gói 500 g";
  f.price_vnd = 60000;
  f.stock = 10;
  f.weight_g = 500;
  f.status = ProductStatus::active;
  return f;
}

struct ProductsTest : ::testing::Test {
  Database db_ = Database::open_in_memory().value();
  ManualClock clock_;
  ProductStore store_{db_, clock_};
  int64_t htx_ = testing_support::add_producer(db_, "HTX Nông sản Lý Bôn", "01294");
  int64_t ho_ = testing_support::add_producer(db_, "Hộ kinh doanh Đức Hạnh", "01324");

  Product create(ProductFields f, int64_t producer = 0) {
    auto p = store_.create(producer ? producer : htx_, std::move(f));
    EXPECT_TRUE(p.has_value()) << (p ? "" : p.error().field + ": " + p.error().message);
    return p ? *p : Product{};
  }
  std::string field_of(ProductFields f) {
    auto p = store_.create(htx_, std::move(f));
    if (p) return "(accepted)";
    EXPECT_EQ(p.error().code, ErrorCode::invalid_input);
    return p.error().field;
  }
  std::vector<std::string> names(const ProductQuery& q) {
    auto page = store_.search(q);
    EXPECT_TRUE(page.has_value()) << (page ? "" : page.error().message);
    std::vector<std::string> out;
    if (page) {
      for (const auto& p : page->items) out.push_back(p.fields.name);
    }
    return out;
  }
};

TEST_F(ProductsTest, CreatesAndReadsBackEveryField) {
  clock_.set(1760000000);
  auto p = create(sample());
  auto back = store_.find(p.id);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->producer_id, htx_);
  EXPECT_EQ(back->fields.name, "Miến dong Bảo Lâm");
  EXPECT_EQ(back->fields.ocop_group, "G1");
  ASSERT_TRUE(back->fields.certificate.has_value());
  EXPECT_EQ(back->fields.certificate->stars, 4);
  EXPECT_EQ(back->fields.certificate->decision_date, "2023-03-15");
  EXPECT_EQ(back->fields.unit, "gói 500 g");
  EXPECT_EQ(back->fields.price_vnd, 60000);
  EXPECT_EQ(back->fields.weight_g, 500);
  EXPECT_EQ(back->fields.status, ProductStatus::active);
  EXPECT_EQ(back->created_at, 1760000000);
  EXPECT_EQ(back->producer_name, "HTX Nông sản Lý Bôn");
  EXPECT_EQ(back->area_code, "01294");
}

TEST_F(ProductsTest, GeneratesSkuPerProducerWhenAbsent) {
  auto a = create(sample());
  auto b = create(sample("Miến dong loại 2"));
  EXPECT_EQ(a.fields.sku, "CP-" + std::to_string(htx_) + "-1");
  EXPECT_EQ(b.fields.sku, "CP-" + std::to_string(htx_) + "-2");
  EXPECT_EQ(store_.find_by_sku(b.fields.sku)->id, b.id);
}

TEST_F(ProductsTest, DuplicateSkuIsConflictNamingSku) {
  auto f = sample();
  f.sku = "MIEN-500";
  create(f);
  auto again = store_.create(ho_, f);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, ErrorCode::conflict);
  EXPECT_EQ(again.error().field, "sku");
}

TEST_F(ProductsTest, UnknownProducerIsNotFound) {
  auto p = store_.create(9999, sample());
  ASSERT_FALSE(p.has_value());
  EXPECT_EQ(p.error().code, ErrorCode::not_found);
}

TEST_F(ProductsTest, EveryValidationRuleNamesItsField) {
  auto f = sample();
  f.sku = "bad sku!";
  EXPECT_EQ(field_of(f), "sku");
  f = sample();
  f.sku = std::string(65, 'A');
  EXPECT_EQ(field_of(f), "sku");
  f = sample("   ");
  EXPECT_EQ(field_of(f), "name");
  f = sample(std::string(201, 'a'));
  EXPECT_EQ(field_of(f), "name");
  f = sample(std::string(200, 'a'));
  EXPECT_EQ(field_of(f), "(accepted)");
  f = sample("Miến\x01");
  EXPECT_EQ(field_of(f), "name");
  f = sample("\xff\xfe");
  EXPECT_EQ(field_of(f), "name");
  f = sample();
  f.description = std::string(5001, 'x');
  EXPECT_EQ(field_of(f), "description");
  f = sample();
  f.ocop_group = "G7";
  EXPECT_EQ(field_of(f), "ocop_group");
  f = sample();
  f.certificate->stars = 2;
  EXPECT_EQ(field_of(f), "ocop_stars");
  f = sample();
  f.certificate->stars = 6;
  EXPECT_EQ(field_of(f), "ocop_stars");
  f = sample();
  f.certificate->decision_no = "";
  EXPECT_EQ(field_of(f), "decision_no");
  f = sample();
  f.certificate->decision_date = "2023-02-29";
  EXPECT_EQ(field_of(f), "decision_date");
  f = sample();
  f.certificate->decision_date = "15/03/2023";
  EXPECT_EQ(field_of(f), "decision_date");
  f = sample();
  f.certificate->issuer = " ";
  EXPECT_EQ(field_of(f), "issuer");
  f = sample();
  f.unit = "";
  EXPECT_EQ(field_of(f), "unit");
  f = sample();
  f.price_vnd = -1;
  EXPECT_EQ(field_of(f), "price_vnd");
  f = sample();
  f.price_vnd = kMaxPriceVnd + 1;
  EXPECT_EQ(field_of(f), "price_vnd");
  f = sample();
  f.stock = -1;
  EXPECT_EQ(field_of(f), "stock");
  f = sample();
  f.weight_g = 0;
  EXPECT_EQ(field_of(f), "weight_g");
  f = sample();
  f.certificate.reset();
  f.weight_g.reset();
  f.price_vnd = kMaxPriceVnd;
  EXPECT_EQ(field_of(f), "(accepted)");
}

TEST_F(ProductsTest, StoresNfcAndTrimmed) {
  // "Miến" with a decomposed ê + combining acute.
  auto p = create(sample("  Mie\xCC\x82\xCC\x81n dong  "));
  EXPECT_EQ(p.fields.name, "Miến dong");
}

TEST_F(ProductsTest, UpdateReplacesFieldsKeepsSkuWhenEmpty) {
  auto p = create(sample());
  clock_.advance(60);
  auto f = sample("Miến dong đặc biệt");
  f.sku = "";
  f.certificate.reset();
  auto u = store_.update(p.id, f);
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(u->fields.sku, p.fields.sku);
  EXPECT_FALSE(u->fields.certificate.has_value());
  EXPECT_EQ(u->updated_at, p.created_at + 60);
  EXPECT_EQ(names({.q = "dac biet"}), std::vector<std::string>{"Miến dong đặc biệt"});
  EXPECT_EQ(store_.update(424242, f).error().code, ErrorCode::not_found);
}

TEST_F(ProductsTest, SearchFindsWithAndWithoutDiacriticsAndCase) {
  create(sample());
  create(sample("Mật ong bạc hà"));
  EXPECT_EQ(names({.q = "mien dong"}), std::vector<std::string>{"Miến dong Bảo Lâm"});
  EXPECT_EQ(names({.q = "MIẾN"}), std::vector<std::string>{"Miến dong Bảo Lâm"});
  EXPECT_EQ(names({.q = "Miến dong"}), std::vector<std::string>{"Miến dong Bảo Lâm"});
  EXPECT_EQ(names({.q = "mie"}), std::vector<std::string>{"Miến dong Bảo Lâm"});  // prefix
  EXPECT_EQ(names({.q = "bac ha"}), std::vector<std::string>{"Mật ong bạc hà"});
  EXPECT_TRUE(names({.q = "mien hoa"}).empty());  // all words required
}

TEST_F(ProductsTest, SearchMatchesDescriptionAndProducerName) {
  create(sample());
  create(sample("Thổ cẩm"), ho_);
  EXPECT_EQ(names({.q = "phoi nang"}).size(), 2u);
  EXPECT_EQ(names({.q = "duc hanh"}), std::vector<std::string>{"Thổ cẩm"});
}

TEST_F(ProductsTest, SearchNeverInterpretsUserInputAsFtsSyntax) {
  create(sample());
  for (const char* q : {"\"", "mien\" OR \"", "NEAR(", "*", "mien AND", "-dong", "dong:", "^mien",
                        "(mien) NOT", "'; DROP TABLE products; --"}) {
    auto page = store_.search({.q = q});
    ASSERT_TRUE(page.has_value()) << q << ": " << page.error().message;
  }
  EXPECT_EQ(names({.q = "mien\" OR \"zzz"}).size(), 0u);  // OR is a word here, ANDed
  EXPECT_EQ(names({.q = "mien AND dong"}).size(), 0u);
  EXPECT_EQ(names({.q = "(mien) -dong"}).size(), 1u);
}

TEST_F(ProductsTest, PublicListingShowsActiveOnly) {
  create(sample("A hoạt động"));
  auto d = sample("B nháp");
  d.status = ProductStatus::draft;
  create(d);
  auto a = sample("C lưu trữ");
  a.status = ProductStatus::archived;
  create(a);
  EXPECT_EQ(names({.order = ProductOrder::name}), std::vector<std::string>{"A hoạt động"});
  EXPECT_EQ(names({.status = std::nullopt, .order = ProductOrder::name}).size(), 3u);
  EXPECT_EQ(names({.status = ProductStatus::draft}), std::vector<std::string>{"B nháp"});
}

TEST_F(ProductsTest, FiltersByAreaGroupStarsAndProducer) {
  create(sample("Miến"));
  auto honey = sample("Mật ong");
  honey.ocop_group = "G3";
  honey.certificate->stars = 3;
  create(honey, ho_);
  auto tea = sample("Chè");
  tea.ocop_group = "G2";
  tea.certificate.reset();
  create(tea, ho_);
  EXPECT_EQ(names({.area_code = "01324", .order = ProductOrder::name}),
            (std::vector<std::string>{"Chè", "Mật ong"}));
  EXPECT_EQ(names({.area_code = "01294"}), std::vector<std::string>{"Miến"});
  EXPECT_EQ(names({.ocop_group = "G3"}), std::vector<std::string>{"Mật ong"});
  EXPECT_EQ(names({.stars = 4}), std::vector<std::string>{"Miến"});
  EXPECT_EQ(names({.stars = 3}), std::vector<std::string>{"Mật ong"});
  EXPECT_EQ(names({.producer_id = ho_, .order = ProductOrder::name}),
            (std::vector<std::string>{"Chè", "Mật ong"}));
  EXPECT_EQ(names({.q = "mat", .area_code = "01324", .ocop_group = "G3"}),
            std::vector<std::string>{"Mật ong"});
  EXPECT_TRUE(names({.q = "mat", .area_code = "01294"}).empty());
  EXPECT_EQ(store_.search({.ocop_group = "G9"}).error().field, "group");
  EXPECT_EQ(store_.search({.stars = 2}).error().field, "stars");
}

TEST_F(ProductsTest, PagesAndOrders) {
  for (int i = 0; i < 25; ++i) {
    clock_.advance(1);
    char name[32];
    std::snprintf(name, sizeof name, "Gạo nếp %02d", i);
    create(sample(name));
  }
  auto first = store_.search({.per_page = 10});
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->total, 25);
  ASSERT_EQ(first->items.size(), 10u);
  EXPECT_EQ(first->items[0].fields.name, "Gạo nếp 24");  // newest first without q
  auto third = store_.search({.page = 3, .per_page = 10, .order = ProductOrder::name});
  ASSERT_TRUE(third.has_value());
  ASSERT_EQ(third->items.size(), 5u);
  EXPECT_EQ(third->items[0].fields.name, "Gạo nếp 20");
  EXPECT_TRUE(store_.search({.page = 4, .per_page = 10})->items.empty());
  EXPECT_EQ(store_.search({.per_page = 101}).error().field, "per_page");
  EXPECT_EQ(store_.search({.per_page = 0}).error().field, "per_page");
  EXPECT_EQ(store_.search({.page = 0}).error().field, "page");
  EXPECT_EQ(store_.search({.q = "gao nep", .per_page = 100})->total, 25);
}

TEST_F(ProductsTest, CountingStopsPastTheCap) {
  auto tx = db_.begin().value();
  for (int64_t i = 0; i <= kMaxCounted; ++i) create(sample("Gạo nếp " + std::to_string(i)));
  ASSERT_TRUE(tx.commit().has_value());
  auto page = store_.search({.q = "gao"});
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->total, kMaxCounted);
  EXPECT_TRUE(page->total_is_lower_bound);
  EXPECT_EQ(page->items.size(), 20u);
  auto last = store_.search({.page = 51, .per_page = 20});  // past the counted 1000
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->items.size(), 1u);
  auto narrow = store_.search({.q = "gao nep 1000"});
  EXPECT_EQ(narrow->total, 1);
  EXPECT_FALSE(narrow->total_is_lower_bound);
}

TEST_F(ProductsTest, RelevanceRanksNameMatchesFirst) {
  auto other = sample("Chè shan tuyết");
  other.description = "Uống kèm mật ong rất ngon.";
  create(other);
  create(sample("Mật ong bạc hà"));
  auto found = names({.q = "mat ong"});
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0], "Mật ong bạc hà");
}

TEST_F(ProductsTest, BroadSearchListsNameMatchesFirstNewestFirstAcrossPages) {
  // More matches than kRankedMatches: name matches first, then the rest, newest first in each.
  // Created interleaved, so id order alone would mix them.
  constexpr int kTotal = 230, kNamed = kTotal / 2;
  static_assert(kTotal > kRankedMatches);
  auto tx = db_.begin().value();
  for (int i = 0; i < kTotal; ++i) {
    clock_.advance(1);
    auto f = sample((i % 2 == 0 ? "Mật ong " : "Chè ") + std::to_string(i));
    f.description = "Uống kèm mật ong rừng.";
    create(f);
  }
  ASSERT_TRUE(tx.commit().has_value());
  std::vector<std::string> all;
  for (int page = 1; page <= 13; ++page) {
    auto got = names({.q = "mat ong", .page = page});
    all.insert(all.end(), got.begin(), got.end());
  }
  ASSERT_EQ(all.size(), static_cast<size_t>(kTotal));
  EXPECT_EQ(all.front(), "Mật ong 228");
  EXPECT_EQ(all[kNamed - 1], "Mật ong 0");
  EXPECT_EQ(all[kNamed], "Chè 229");
  EXPECT_EQ(all.back(), "Chè 1");
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].starts_with("Mật ong"), i < static_cast<size_t>(kNamed)) << i << all[i];
  }
  auto page = store_.search({.q = "mat ong", .page = 12, .per_page = 20});
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->total, kTotal);
  EXPECT_EQ(page->items.size(), 10u);
}

TEST(Certificate, ValidForThirtySixMonthsFromDecisionDate) {
  Product p;
  p.fields.certificate = OcopCertificate{4, "1/QĐ", "2023-03-15", "UBND"};
  EXPECT_EQ(format_iso_date(*certificate_expires(p)), "2026-03-15");
  EXPECT_FALSE(certificate_valid_on(p, ymd(2023, 3, 14)));
  EXPECT_TRUE(certificate_valid_on(p, ymd(2023, 3, 15)));
  EXPECT_TRUE(certificate_valid_on(p, ymd(2024, 12, 31)));
  EXPECT_TRUE(certificate_valid_on(p, ymd(2026, 3, 14)));
  EXPECT_FALSE(certificate_valid_on(p, ymd(2026, 3, 15)));
  EXPECT_FALSE(certificate_valid_on(p, ymd(2027, 1, 1)));
}

TEST(Certificate, LeapDayClampsToEndOfFebruary) {
  Product p;
  p.fields.certificate = OcopCertificate{3, "1/QĐ", "2024-02-29", "UBND"};
  EXPECT_EQ(format_iso_date(*certificate_expires(p)), "2027-02-28");
}

TEST(Certificate, NoCertificateIsNeverValid) {
  Product p;
  EXPECT_FALSE(certificate_expires(p).has_value());
  EXPECT_FALSE(certificate_valid_on(p, ymd(2024, 1, 1)));
}

TEST_F(ProductsTest, RevocationEndsValidityOnItsLocalDay) {
  auto p = create(sample());
  // 2024-06-09T18:00:00Z is 2024-06-10 01:00 in Vietnam.
  ASSERT_TRUE(store_.revoke_certificate(p.id, 1717956000).has_value());
  auto back = store_.find(p.id).value();
  EXPECT_TRUE(certificate_valid_on(back, ymd(2024, 6, 9)));
  EXPECT_FALSE(certificate_valid_on(back, ymd(2024, 6, 10)));
  EXPECT_FALSE(certificate_valid_on(back, ymd(2025, 1, 1)));
  auto plain = sample("Không OCOP");
  plain.certificate.reset();
  auto q = create(plain);
  EXPECT_EQ(store_.revoke_certificate(q.id, 1717956000).error().field, "certificate");
}

TEST_F(ProductsTest, ReserveNeverGoesBelowZeroAndReleaseGivesBack) {
  auto f = sample();
  f.stock = 3;
  auto p = create(f);
  EXPECT_TRUE(store_.reserve_stock(p.id, 2).value());
  EXPECT_FALSE(store_.reserve_stock(p.id, 2).value());
  EXPECT_TRUE(store_.reserve_stock(p.id, 1).value());
  EXPECT_FALSE(store_.reserve_stock(p.id, 1).value());
  EXPECT_EQ(store_.find(p.id)->fields.stock, 0);
  ASSERT_TRUE(store_.release_stock(p.id, 2).has_value());
  EXPECT_EQ(store_.find(p.id)->fields.stock, 2);
  EXPECT_EQ(store_.reserve_stock(777, 1).error().code, ErrorCode::not_found);
  EXPECT_EQ(store_.reserve_stock(p.id, 0).error().code, ErrorCode::invalid_input);
}

TEST(ProductsFile, TwoConnectionsRacingNeverOversell) {
  auto path = std::filesystem::temp_directory_path() /
              ("chophien_products_race_" + std::to_string(::getpid()) + ".db");
  std::filesystem::remove(path);
  ManualClock clock;
  int64_t product_id = 0;
  {
    auto db = Database::open(path.string()).value();
    ProductStore store(db, clock);
    auto producer = testing_support::add_producer(db, "HTX Chè Quảng Lâm", "01304");
    auto f = sample();
    f.stock = 500;
    product_id = store.create(producer, f).value().id;
  }
  std::atomic<int> taken{0};
  auto worker = [&] {
    auto db = Database::open(path.string()).value();
    ProductStore store(db, clock);
    for (int i = 0; i < 400; ++i) {
      auto ok = store.reserve_stock(product_id, 1);
      ASSERT_TRUE(ok.has_value()) << ok.error().message;
      if (*ok) ++taken;
    }
  };
  std::thread a(worker), b(worker);
  a.join();
  b.join();
  auto db = Database::open(path.string()).value();
  ProductStore store(db, clock);
  EXPECT_EQ(taken.load(), 500);
  EXPECT_EQ(store.find(product_id)->fields.stock, 0);
  for (auto suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
}

TEST_F(ProductsTest, PhotoBytesAreStoredOnceAndReadBack) {
  auto a = create(sample());
  auto b = create(sample("Miến 2"));
  std::string png("\x89PNG\r\n\x1a\n\0\0binary", 16);
  auto pa = store_.add_photo(a.id, png, "image/png", 64, 48);
  ASSERT_TRUE(pa.has_value()) << pa.error().message;
  auto pa2 = store_.add_photo(a.id, "<svg/>", "image/svg+xml", 0, 0);
  auto pb = store_.add_photo(b.id, png, "image/png", 64, 48);
  ASSERT_TRUE(pb.has_value());
  EXPECT_EQ(pa->sha256, pb->sha256);
  EXPECT_EQ(pa->sha256.size(), 64u);
  EXPECT_EQ(pa->position, 0);
  EXPECT_EQ(pa2->position, 1);
  auto blobs = db_.prepare("SELECT COUNT(*) FROM photo_blobs").value();
  ASSERT_TRUE(blobs.step().value());
  EXPECT_EQ(blobs.column_int(0), 2);
  auto data = store_.photo_data(pa->sha256);
  ASSERT_TRUE(data.has_value());
  EXPECT_EQ(data->bytes, png);
  EXPECT_EQ(data->content_type, "image/png");
  EXPECT_EQ(store_.photos(a.id)->size(), 2u);
  ASSERT_TRUE(store_.remove_photo(pa->id).has_value());
  EXPECT_TRUE(store_.photo_data(pa->sha256).has_value());  // still used by b
  ASSERT_TRUE(store_.remove_photo(pb->id).has_value());
  EXPECT_EQ(store_.photo_data(pa->sha256).error().code, ErrorCode::not_found);
  EXPECT_EQ(store_.add_photo(a.id, "GIF89a", "image/gif", 1, 1).error().field, "content_type");
  EXPECT_EQ(
      store_.add_photo(a.id, std::string(kMaxPhotoBytes + 1, 'x'), "image/png", 1, 1).error().code,
      ErrorCode::too_large);
  EXPECT_EQ(store_.add_photo(999, png, "image/png", 1, 1).error().code, ErrorCode::not_found);
}

TEST_F(ProductsTest, ReindexAfterProducerRenameFindsNewName) {
  create(sample());
  auto s = db_.prepare("UPDATE producers SET name = ?1 WHERE id = ?2").value();
  s.bind(1, "HTX Dong Riềng Xanh").bind(2, htx_);
  ASSERT_TRUE(s.run().has_value());
  EXPECT_TRUE(names({.q = "rieng xanh"}).empty());
  ASSERT_TRUE(store_.reindex_producer(htx_).has_value());
  EXPECT_EQ(names({.q = "rieng xanh"}).size(), 1u);
}

TEST_F(ProductsTest, PrefixIndexMigrationKeepsEveryProductFindable) {
  // The table as migrations run it today has prefix indexes (migration 0020).
  {
    auto schema =
        db_.prepare("SELECT sql FROM sqlite_schema WHERE name = 'product_search'").value();
    ASSERT_TRUE(schema.step().value());
    EXPECT_NE(schema.column_text(0).find("prefix = '1 2 3 4'"), std::string::npos);
  }
  create(sample());
  create(sample("Mật ong bạc hà"), ho_);
  auto draft = sample("Miến dong nháp");
  draft.status = ProductStatus::draft;
  create(draft);
  const std::vector<ProductQuery> queries = {{.q = "mien dong"}, {.q = "MIẾN"},    {.q = "m"},
                                             {.q = "duc hanh"},  {.q = "bac ha"},  {.q = "mie do"},
                                             {.q = "phoi nang"}, {.q = "mien hoa"}};
  std::vector<std::vector<std::string>> expected;
  for (const auto& q : queries) expected.push_back(names(q));
  EXPECT_EQ(expected[0], std::vector<std::string>{"Miến dong Bảo Lâm"});
  EXPECT_EQ(expected[1], std::vector<std::string>{"Miến dong Bảo Lâm"});

  // As a database from before migration 0020: the table of migration 0004 with the same rows.
  db_.exec(
         "CREATE VIRTUAL TABLE old_search USING fts5 (name, body, tokenize = 'unicode61 "
         "remove_diacritics 2');"
         "INSERT INTO old_search (rowid, name, body) SELECT rowid, name, body FROM product_search;"
         "DROP TABLE product_search;"
         "ALTER TABLE old_search RENAME TO product_search;")
      .value();
  std::string sql;
  {
    const char* root = std::getenv("CHOPHIEN_SOURCE_DIR");  // set by CTest
    ASSERT_NE(root, nullptr) << "CHOPHIEN_SOURCE_DIR";
    std::ifstream in(std::string(root) + "/core/sql/0020_search_prefix_outbox_sku.sql");
    ASSERT_TRUE(in) << "core/sql/0020_search_prefix_outbox_sku.sql";
    std::stringstream text;
    text << in.rdbuf();
    sql = text.str();
  }
  // The migration's product_search part (the rest of the file adds an outbox index).
  sql = sql.substr(0, sql.find("CREATE INDEX marketplace_outbox_sku"));
  ASSERT_NE(sql.find("ALTER TABLE product_search_prefixed RENAME TO product_search"),
            std::string::npos);
  db_.exec(sql).value();
  ProductStore fresh(db_, clock_);  // statements prepared against the new table
  for (size_t i = 0; i < queries.size(); ++i) {
    auto page = fresh.search(queries[i]);
    ASSERT_TRUE(page.has_value()) << queries[i].q;
    std::vector<std::string> got;
    for (const auto& p : page->items) got.push_back(p.fields.name);
    EXPECT_EQ(got, expected[i]) << queries[i].q;
  }
  // Products saved afterwards are indexed in the new table.
  create(sample("Khoai sọ nương"));
  auto after = fresh.search({.q = "khoai so"});
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->items.size(), 1u);
  EXPECT_EQ(after->items.at(0).fields.name, "Khoai sọ nương");
}

}  // namespace
}  // namespace chophien::core
