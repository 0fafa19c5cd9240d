// The postmart.vn / voso.vn bulk-upload file: real SQLite file, real products and photos.
#include "integrations/listing_export.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "core/clock.h"
#include "core/database.h"
#include "core/product_csv.h"
#include "core/products.h"
#include "core/test_producer.h"

namespace chophien::integrations {
namespace {

std::string temp_db() {
  std::string dir = (std::filesystem::temp_directory_path() / "chophien-listing-XXXXXX").string();
  if (::mkdtemp(dir.data()) == nullptr) throw std::runtime_error("mkdtemp");
  return dir + "/shop.db";
}

class ListingExportTest : public ::testing::Test {
 protected:
  void TearDown() override {
    std::filesystem::remove_all(std::filesystem::path(path_).parent_path());
  }

  core::Product add(const std::string& sku, bool complete,
                    core::ProductStatus status = core::ProductStatus::active) {
    core::ProductFields f;
    f.sku = sku;
    f.name = "Mật ong hoa cà phê, \"Bảo Lâm\" " + sku;
    f.description = complete ? "Mật ong nguyên chất, lọc lạnh.\nKhông pha đường." : "";
    f.ocop_group = "G1";
    f.unit = "hũ";
    f.price_vnd = 120000;
    f.stock = 30;
    if (complete) f.weight_g = 650;
    f.status = status;
    if (complete)
      f.certificate = core::OcopCertificate{4, "1234/QĐ-UBND", "2025-03-01", "UBND tỉnh Lâm Đồng"};
    auto p = products_.create(producer_, f).value();
    if (complete)
      products_
          .add_photo(p.id, "<svg xmlns='http://www.w3.org/2000/svg'/>" + sku, "image/svg+xml", 400,
                     300)
          .value();
    return p;
  }

  std::string path_ = temp_db();
  core::ManualClock clock_{1764300000};
  core::Database db_ = core::Database::open(path_).value();
  int64_t producer_ = core::testing_support::add_producer(db_, "HTX Mật ong Bảo Lâm", "24");
  core::ProductStore products_{db_, clock_};
};

TEST_F(ListingExportTest, PostmartFileHasTheLayoutsColumnsAndOneRowPerActiveProduct) {
  add("MO-500", true);
  add("MO-NHAP", true, core::ProductStatus::draft);  // not for sale: not exported
  auto items = listing_items(db_, clock_, producer_, "https://chophien.vn/").value();
  ASSERT_EQ(items.size(), 1u);
  ASSERT_EQ(items[0].photo_urls.size(), 1u);
  EXPECT_EQ(items[0].photo_urls[0].rfind("https://chophien.vn/anh/", 0), 0u);
  EXPECT_EQ(items[0].origin, "HTX Mật ong Bảo Lâm");

  auto exporter = make_listing_exporter("postmart");
  ASSERT_NE(exporter, nullptr);
  auto file = exporter->write(items);
  ASSERT_TRUE(file.ok()) << file.problems.front().column;
  EXPECT_EQ(file.file_name, "postmart-san-pham.csv");
  ASSERT_EQ(file.bytes.rfind("\xEF\xBB\xBF", 0), 0u) << "BOM for spreadsheets";
  auto records = core::parse_csv(file.bytes).value();
  ASSERT_EQ(records.size(), 2u);
  const auto& header = records[0].cells;
  ASSERT_EQ(header.size(), exporter->columns().size());
  for (size_t i = 0; i < header.size(); ++i) EXPECT_EQ(header[i], exporter->columns()[i].header);
  const auto& row = records[1].cells;
  EXPECT_EQ(row[0], "MO-500");
  EXPECT_EQ(row[1], "Mật ong hoa cà phê, \"Bảo Lâm\" MO-500");  // comma and quotes survive
  EXPECT_EQ(row[2], "Mật ong nguyên chất, lọc lạnh.\nKhông pha đường.");
  EXPECT_EQ(row[3], "Thực phẩm");
  EXPECT_EQ(row[4], "120000");
  EXPECT_EQ(row[7], "650");
  EXPECT_EQ(row[8], items[0].photo_urls[0]);
  EXPECT_EQ(row[10], "4");
  EXPECT_EQ(row[11], "1234/QĐ-UBND, 2025-03-01, UBND tỉnh Lâm Đồng");
  EXPECT_NE(file.checklist.find("postmart.vn"), std::string::npos);
  EXPECT_NE(file.checklist.find("không công bố mẫu"), std::string::npos);
  EXPECT_NE(file.checklist.find("MO-500"), std::string::npos);
  EXPECT_NE(file.checklist.find("nên có ít nhất 3 ảnh"), std::string::npos);
  EXPECT_EQ(file.checklist.find("MO-NHAP"), std::string::npos);
}

TEST_F(ListingExportTest, MissingRequiredFieldsAreListedPerProductAndNoFileIsMade) {
  add("MO-500", true);
  add("MO-THIEU", false);  // no description, weight or photo
  auto items = listing_items(db_, clock_, producer_, "https://chophien.vn").value();
  for (const char* platform : {"postmart", "voso"}) {
    auto file = make_listing_exporter(platform)->write(items);
    EXPECT_FALSE(file.ok()) << platform;
    EXPECT_TRUE(file.bytes.empty()) << platform;
    std::vector<std::string> columns;
    for (const auto& p : file.problems) {
      EXPECT_EQ(p.sku, "MO-THIEU");
      columns.push_back(p.column);
    }
    EXPECT_EQ(columns.size(), 3u) << platform;  // description, weight, main photo
    EXPECT_NE(file.checklist.find("MO-THIEU — "), std::string::npos);
    EXPECT_NE(file.checklist.find("CẦN SỬA"), std::string::npos);
    EXPECT_NE(file.checklist.find("Chưa tạo tệp"), std::string::npos);
  }
}

TEST_F(ListingExportTest, LimitsCountCharactersNotBytes) {
  auto p = add("MO-500", true);
  auto items = listing_items(db_, clock_, producer_, "https://chophien.vn").value();
  // 120 Vietnamese letters (240+ bytes) fit postmart's 120-character name; 121 do not.
  items[0].product.fields.name.clear();
  for (int i = 0; i < 120; ++i) items[0].product.fields.name += "ệ";
  EXPECT_TRUE(make_listing_exporter("postmart")->write(items).ok());
  items[0].product.fields.name += "a";
  auto file = make_listing_exporter("postmart")->write(items);
  ASSERT_EQ(file.problems.size(), 1u);
  EXPECT_EQ(file.problems[0].column, "Tên sản phẩm");
  EXPECT_EQ(file.problems[0].message, "dài quá 120 ký tự");
}

TEST_F(ListingExportTest, TextThatASpreadsheetWouldRunAsAFormulaIsWrittenAsText) {
  auto p = add("MO-500", true);
  core::ProductFields f = p.fields;
  f.name = "=HYPERLINK(\"http://x.example\",\"Mật ong\")";
  f.description = "@SUM(1+1) mật ong";
  ASSERT_TRUE(products_.update(p.id, f).has_value());
  auto items = listing_items(db_, clock_, producer_, "https://chophien.vn/").value();
  auto file = make_listing_exporter("postmart")->write(items);
  ASSERT_TRUE(file.ok());
  auto records = core::parse_csv(file.bytes).value();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1].cells[1], "'=HYPERLINK(\"http://x.example\",\"Mật ong\")");
  EXPECT_EQ(records[1].cells[2], "'@SUM(1+1) mật ong");
  EXPECT_EQ(records[1].cells[0], "MO-500");
}

TEST_F(ListingExportTest, VosoLayoutAndUnknownPlatforms) {
  add("MO-500", true);
  auto items = listing_items(db_, clock_, producer_, "https://chophien.vn").value();
  auto exporter = make_listing_exporter("voso");
  auto file = exporter->write(items);
  ASSERT_TRUE(file.ok());
  auto records = core::parse_csv(file.bytes).value();
  EXPECT_EQ(records[0].cells[0], "Tên sản phẩm (*)");
  EXPECT_EQ(records[1].cells[1], "MO-500");
  EXPECT_NE(file.checklist.find("voso.vn"), std::string::npos);
  EXPECT_EQ(make_listing_exporter("shopee"), nullptr);
  EXPECT_EQ(make_listing_exporter(""), nullptr);
  EXPECT_EQ(listing_items(db_, clock_, 9999, "https://x").error().code, ErrorCode::not_found);
}

}  // namespace
}  // namespace chophien::integrations
