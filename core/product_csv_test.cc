#include "core/product_csv.h"

#include <gtest/gtest.h>

#include "core/clock.h"
#include "core/database.h"
#include "core/products.h"
#include "core/test_producer.h"

namespace chophien::core {
namespace {

constexpr std::string_view kHeader =
    "sku,name,description,ocop_group,ocop_stars,decision_no,decision_date,issuer,unit,price_vnd,"
    "stock,weight_g,status\n";

struct ProductCsvTest : ::testing::Test {
  Database db_ = Database::open_in_memory().value();
  ManualClock clock_;
  ProductStore store_{db_, clock_};
  int64_t producer_ = testing_support::add_producer(db_, "HTX Miến dong Bảo Lâm", "01290");

  ImportReport import(std::string_view csv, int64_t producer = 0) {
    auto report = import_products_csv(db_, clock_, producer ? producer : producer_, csv);
    EXPECT_TRUE(report.has_value()) << (report ? "" : report.error().message);
    return report ? *report : ImportReport{};
  }
  size_t count() { return store_.list_all()->size(); }
};

TEST(Csv, ParsesQuotesCommasNewlinesAndBom) {
  auto records = parse_csv(
      "\xEF\xBB\xBF"
      "a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"line1\nline2\"\n\n1,,3");
  ASSERT_TRUE(records.has_value());
  ASSERT_EQ(records->size(), 3u);
  EXPECT_EQ(records->at(0).cells, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(records->at(1).cells, (std::vector<std::string>{"x, y", "say \"hi\"", "line1\nline2"}));
  EXPECT_EQ(records->at(1).line, 2);
  EXPECT_EQ(records->at(2).line, 5);  // the quoted newline and the blank line count
  EXPECT_EQ(records->at(2).cells, (std::vector<std::string>{"1", "", "3"}));
}

TEST(Csv, UnterminatedQuoteNamesItsLine) {
  auto records = parse_csv("a,b\n1,\"open\n2,3\n");
  ASSERT_FALSE(records.has_value());
  EXPECT_NE(records.error().message.find("line 2"), std::string::npos);
  EXPECT_FALSE(parse_csv("a,\"b\"c\n").has_value());
}

TEST(Csv, FieldQuotingOnlyWhenNeeded) {
  EXPECT_EQ(csv_field("plain"), "plain");
  EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_field("two\nlines"), "\"two\nlines\"");
}

TEST_F(ProductCsvTest, ImportsNewRowsWithDefaultsAndGeneratedSku) {
  auto report = import(std::string(kHeader) +
                       ",Miến dong,\"Sợi dai, trong\",G1,4,12/QĐ-UBND,2023-05-10,UBND tỉnh Cao "
                       "Bằng,gói 500 g,60000,20,500,\n"
                       "MAT-01,Mật ong bạc hà,,G3,,,,,chai 500 ml,250000,,,draft\n");
  ASSERT_TRUE(report.ok()) << report.errors[0].message;
  EXPECT_EQ(report.inserted, 2);
  auto products = store_.list_all().value();
  ASSERT_EQ(products.size(), 2u);
  EXPECT_EQ(products[0].fields.sku, "CP-" + std::to_string(producer_) + "-1");
  EXPECT_EQ(products[0].fields.description, "Sợi dai, trong");
  EXPECT_EQ(products[0].fields.status, ProductStatus::active);
  EXPECT_EQ(products[0].fields.certificate->issuer, "UBND tỉnh Cao Bằng");
  EXPECT_EQ(products[1].fields.sku, "MAT-01");
  EXPECT_FALSE(products[1].fields.certificate.has_value());
  EXPECT_EQ(products[1].fields.stock, 0);
  EXPECT_EQ(products[1].fields.status, ProductStatus::draft);
}

TEST_F(ProductCsvTest, AnyBadRowWritesNothingAndEveryBadRowIsListed) {
  auto report = import(std::string(kHeader) +
                       "A1,Miến dong,,G1,,,,,gói,60000,1,,\n"          // line 2: fine
                       "A2,,,G1,,,,,gói,60000,1,,\n"                   // 3: no name
                       "A3,Chè,,G9,,,,,gói,60000,1,,\n"                // 4: group
                       "A4,Gạo,,G1,2,1/QĐ,2023-01-01,UBND,kg,1,1,,\n"  // 5: stars
                       "A5,Gạo,,G1,,,,,kg,12.000,1,,\n"                // 6: price format
                       "A6,Gạo,,G1,,,,,kg,1,1,,sold\n"                 // 7: status
                       "A7,Gạo,,G1,4,,2023-01-01,UBND,kg,1,1,,\n"      // 8: decision_no
                       "A1,Gạo,,G1,,,,,kg,1,1,,\n"                     // 9: sku twice
                       "A9,Gạo\n");                                    // 10: field count
  EXPECT_FALSE(report.ok());
  std::vector<std::pair<int, std::string>> got;
  for (const auto& e : report.errors) got.emplace_back(e.line, e.field);
  EXPECT_EQ(got, (std::vector<std::pair<int, std::string>>{{3, "name"},
                                                           {4, "ocop_group"},
                                                           {5, "ocop_stars"},
                                                           {6, "price_vnd"},
                                                           {7, "status"},
                                                           {8, "decision_no"},
                                                           {9, "sku"},
                                                           {10, ""}}));
  EXPECT_EQ(count(), 0u);
}

TEST_F(ProductCsvTest, UnknownColumnIsRejected) {
  auto report = import("name,colour\nMiến,đỏ\n");
  ASSERT_EQ(report.errors.size(), 1u);
  EXPECT_EQ(report.errors[0].line, 1);
  EXPECT_EQ(report.errors[0].field, "colour");
}

TEST_F(ProductCsvTest, ExistingSkuUpdatesOnlyGivenColumns) {
  ASSERT_TRUE(import(std::string(kHeader) + "M-1,Miến dong,Ngon,G1,,,,,gói,60000,5,500,\n").ok());
  auto report = import("sku,price_vnd,stock\nM-1,65000,7\n");
  ASSERT_TRUE(report.ok()) << report.errors[0].message;
  EXPECT_EQ(report.updated, 1);
  auto p = store_.find_by_sku("M-1").value();
  EXPECT_EQ(p.fields.price_vnd, 65000);
  EXPECT_EQ(p.fields.stock, 7);
  EXPECT_EQ(p.fields.description, "Ngon");
  EXPECT_EQ(p.fields.weight_g, 500);
  EXPECT_EQ(count(), 1u);
}

TEST_F(ProductCsvTest, SkuOfAnotherProducerIsABadRow) {
  auto other = testing_support::add_producer(db_, "Hộ kinh doanh Yên Thổ", "01318");
  ASSERT_TRUE(
      import("sku,name,ocop_group,unit,price_vnd\nX-1,Thổ cẩm,G4,tấm,300000\n", other).ok());
  auto report = import("sku,price_vnd\nX-1,1\n");
  ASSERT_EQ(report.errors.size(), 1u);
  EXPECT_EQ(report.errors[0].field, "sku");
  EXPECT_EQ(store_.find_by_sku("X-1")->fields.price_vnd, 300000);
}

TEST_F(ProductCsvTest, UnknownProducerIsNotFound) {
  auto report = import_products_csv(db_, clock_, 4242, kHeader);
  ASSERT_FALSE(report.has_value());
  EXPECT_EQ(report.error().code, ErrorCode::not_found);
}

TEST_F(ProductCsvTest, ExportThenImportRoundTrips) {
  ProductFields f;
  f.sku = "TC-1";
  f.name = "Khăn thổ cẩm \"Dao đỏ\", dệt tay";
  f.description = "Dòng 1, có dấu phẩy\nDòng 2 có \"ngoặc kép\"\n";
  f.ocop_group = "G4";
  f.certificate = OcopCertificate{3, "88/QĐ-UBND", "2024-02-29", "UBND tỉnh Cao Bằng"};
  f.unit = "chiếc";
  f.price_vnd = 350000;
  f.stock = 4;
  f.weight_g = 200;
  f.status = ProductStatus::archived;
  ASSERT_TRUE(store_.create(producer_, f).has_value());
  ProductFields g = f;
  g.sku = "";
  g.name = "Gạo nếp";
  g.description = "";
  g.certificate.reset();
  g.weight_g.reset();
  ASSERT_TRUE(store_.create(producer_, g).has_value());
  std::string csv = export_products_csv(store_.list_all().value());
  EXPECT_EQ(csv.substr(0, 3), "\xEF\xBB\xBF");

  // Into a fresh database: every field survives.
  Database db2 = Database::open_in_memory().value();
  auto p2 = testing_support::add_producer(db2, "HTX Miến dong Bảo Lâm", "01290");
  auto report = import_products_csv(db2, clock_, p2, csv);
  ASSERT_TRUE(report.has_value());
  ASSERT_TRUE(report->ok()) << report->errors[0].message;
  EXPECT_EQ(report->inserted, 2);
  ProductStore store2(db2, clock_);
  auto a = store_.list_all().value();
  auto b = store2.list_all().value();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    const auto& x = a[i].fields;
    const auto& y = b[i].fields;
    EXPECT_EQ(x.sku, y.sku);
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.description, y.description.empty() ? "" : y.description);
    EXPECT_EQ(x.ocop_group, y.ocop_group);
    EXPECT_EQ(x.certificate.has_value(), y.certificate.has_value());
    if (x.certificate && y.certificate) {
      EXPECT_EQ(x.certificate->stars, y.certificate->stars);
      EXPECT_EQ(x.certificate->decision_no, y.certificate->decision_no);
      EXPECT_EQ(x.certificate->decision_date, y.certificate->decision_date);
      EXPECT_EQ(x.certificate->issuer, y.certificate->issuer);
    }
    EXPECT_EQ(x.unit, y.unit);
    EXPECT_EQ(x.price_vnd, y.price_vnd);
    EXPECT_EQ(x.stock, y.stock);
    EXPECT_EQ(x.weight_g, y.weight_g);
    EXPECT_EQ(x.status, y.status);
  }
  // And into the same database: every row is an update, nothing changes.
  auto again = import(csv);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.updated, 2);
  EXPECT_EQ(export_products_csv(store_.list_all().value()), csv);
}

// A product name such as =HYPERLINK(...) must reach a spreadsheet as text, and the file must
// still come back to exactly the same products.
TEST_F(ProductCsvTest, FormulaLikeCellsAreWrittenAsTextAndReadBackExactly) {
  const std::vector<std::string> names = {"=HYPERLINK(\"http://x.example\",\"Mật ong\")",
                                          "+84 Mật ong",
                                          "-5 độ: miến dong",
                                          "@SUM(1+1) mật ong",
                                          "'=1+1 giữ dấu nháy",
                                          "''hai dấu nháy",
                                          "'chỉ một dấu nháy",
                                          "Miến dong = ngon"};
  for (size_t i = 0; i < names.size(); ++i) {
    ProductFields f;
    f.sku = "F-" + std::to_string(i + 1);
    f.name = names[i];
    f.description = i == 0 ? "- Trọng lượng 500 g\n- Hạn dùng 12 tháng" : "\tcmd|' /C calc'!A0";
    f.ocop_group = "G1";
    f.unit = i == 1 ? "@gói" : "gói";
    f.price_vnd = 1000;
    f.stock = 1;
    f.status = ProductStatus::active;
    ASSERT_TRUE(store_.create(producer_, f).has_value()) << names[i];
  }
  const auto before = store_.list_all().value();
  const std::string csv = export_products_csv(before);
  auto records = parse_csv(csv).value();
  ASSERT_EQ(records.size(), names.size() + 1);
  const std::string dangerous = "=+-@\t\r";
  for (size_t r = 1; r < records.size(); ++r) {
    for (const auto& cell : records[r].cells) {
      ASSERT_FALSE(!cell.empty() && dangerous.find(cell.front()) != std::string::npos)
          << "line " << records[r].line << ": " << cell;
    }
  }
  EXPECT_EQ(records[1].cells[1], "'=HYPERLINK(\"http://x.example\",\"Mật ong\")");
  EXPECT_EQ(records[1].cells[2], "'- Trọng lượng 500 g\n- Hạn dùng 12 tháng");
  EXPECT_EQ(records[2].cells[8], "'@gói");
  EXPECT_EQ(records[5].cells[1], "''=1+1 giữ dấu nháy");
  EXPECT_EQ(records[6].cells[1], "'''hai dấu nháy");
  EXPECT_EQ(records[7].cells[1], "'chỉ một dấu nháy");  // nothing to protect: unchanged
  EXPECT_EQ(records[8].cells[1], "Miến dong = ngon");

  Database db2 = Database::open_in_memory().value();
  auto p2 = testing_support::add_producer(db2, "HTX Miến dong Bảo Lâm", "01290");
  auto report = import_products_csv(db2, clock_, p2, csv);
  ASSERT_TRUE(report.has_value());
  ASSERT_TRUE(report->ok()) << report->errors[0].message;
  auto after = ProductStore(db2, clock_).list_all().value();
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < before.size(); ++i) {
    EXPECT_EQ(after[i].fields.name, before[i].fields.name);
    EXPECT_EQ(after[i].fields.description, before[i].fields.description);
    EXPECT_EQ(after[i].fields.unit, before[i].fields.unit);
  }
  EXPECT_EQ(export_products_csv(after), csv);
}

TEST(Csv, EveryFormulaStartGetsAnApostropheAndComesBackOff) {
  for (std::string_view v : {"=1+1", "+1", "-1", "-5000", "@A1", "\t=1", "\r=1", "''", "'-"}) {
    const std::string safe = spreadsheet_safe(v);
    EXPECT_EQ(safe, "'" + std::string(v)) << v;
    EXPECT_EQ(csv_cell_value(safe), v) << v;
  }
  for (std::string_view v : {"", "'", "'a", "a=1", "5000", " -1", "Mật ong"}) {
    EXPECT_EQ(spreadsheet_safe(v), v) << v;
    EXPECT_EQ(csv_cell_value(v), v) << v;
  }
  EXPECT_EQ(csv_field("-1"), "'-1");
  EXPECT_EQ(csv_field("=A1,B1"), "\"'=A1,B1\"");
  EXPECT_EQ(csv_field("\r=1"), "\"'\r=1\"");
}

TEST_F(ProductCsvTest, ProgressIsReportedPerRow) {
  std::vector<int64_t> seen;
  auto report = import_products_csv(db_, clock_, producer_,
                                    "name,ocop_group,unit,price_vnd\nA,G1,kg,1\nB,G1,kg,2\n",
                                    [&](int64_t done, int64_t total) {
                                      EXPECT_EQ(total, 2);
                                      seen.push_back(done);
                                    });
  ASSERT_TRUE(report.has_value() && report->ok());
  EXPECT_EQ(seen, (std::vector<int64_t>{1, 2}));
}

}  // namespace
}  // namespace chophien::core
