// `chophien import-orders` and `chophien export-listings` run as separate processes against a real
// database file. CHOPHIEN_BINARY is the path of the built binary (a compile definition).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/database.h"
#include "core/ledger.h"
#include "core/products.h"
#include "core/test_producer.h"
#include "core/test_xlsx.h"
#include "tests/cli_run.h"

namespace {

using chophien::testing_support::chophien;
using chophien::testing_support::read_file;
using chophien::testing_support::TempDir;
using chophien::testing_support::write_file;

namespace fs = std::filesystem;
using namespace chophien;

class MarketplaceFilesCli : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = core::Database::open(db_.string()).value();
    producer_ = core::testing_support::add_producer(db, "HTX Mật ong Bảo Lâm", "24");
  }
  int64_t ledger_rows() {
    auto db = core::Database::open(db_.string()).value();
    core::Ledger ledger(db, clock_);
    core::LedgerQuery q;
    q.producer_id = producer_;
    return static_cast<int64_t>(ledger.list(q).value().size());
  }
  std::vector<std::string> import_args(const std::string& platform, const fs::path& file) {
    return {
        "import-orders",           "--db",       db_.string(), "--platform", platform, "--producer",
        std::to_string(producer_), file.string()};
  }

  TempDir dir_;
  fs::path db_ = dir_.path() / "chophien.db";
  core::SystemClock clock_;
  int64_t producer_ = 0;
};

TEST_F(MarketplaceFilesCli, ImportOrdersRecordsOnceAndReportsEveryBadRow) {
  const auto good = dir_.path() / "shopee.csv";
  write_file(
      good,
      "\xEF\xBB\xBFMã đơn hàng,Ngày đặt hàng,Trạng Thái Đơn Hàng,Tổng giá trị đơn hàng (VND)\r\n"
      "251120ABC001,2025-11-20 14:05,Hoàn thành,370.000\r\n"
      "251121ABC002,2025-11-21 09:00,Đã hủy,185.000\r\n");
  auto first = chophien(import_args("shopee", good));
  ASSERT_EQ(first.status, 0) << first.err;
  EXPECT_NE(first.out.find("1 đơn ghi vào sổ"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("1 đơn hủy/trả hàng bỏ qua"), std::string::npos) << first.out;
  auto second = chophien(import_args("shopee", good));
  ASSERT_EQ(second.status, 0) << second.err;
  EXPECT_NE(second.out.find("0 đơn ghi vào sổ, 1 đơn đã có"), std::string::npos) << second.out;
  EXPECT_EQ(ledger_rows(), 1);

  const auto bad = dir_.path() / "bad.csv";
  write_file(bad,
             "Order ID,Order Date,Order Status,Order Total\n"
             "X1,2025-11-20 10:00,Completed,50000\n"
             "X2,not a date,Completed,50000\n"
             "X3,2025-11-20 10:00,Completed,-1\n");
  auto refused = chophien(import_args("lazada", bad));
  EXPECT_EQ(refused.status, 1);
  EXPECT_NE(refused.err.find("2 dòng sai, không ghi gì"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("dòng 3, cột date"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("dòng 4, cột total"), std::string::npos) << refused.err;
  EXPECT_EQ(ledger_rows(), 1);
}

// A seller centre's XLSX export, recognised by its content whatever its name.
TEST_F(MarketplaceFilesCli, ImportOrdersReadsXlsxExports) {
  const std::string header[] = {"Mã đơn hàng", "Ngày đặt hàng", "Trạng Thái Đơn Hàng",
                                "Tổng giá trị đơn hàng (VND)"};
  const std::vector<std::string> titles(std::begin(header), std::end(header));
  const std::string workbook = core::testing_support::xlsx_of_rows(
      {titles,
       {"251120ABC001", "2025-11-20 14:05", "Hoàn thành", "370.000"},
       {"251121ABC002", "2025-11-21 09:00", "Đã hủy", "185.000"}});
  const auto xlsx = dir_.path() / "shopee.xlsx";
  write_file(xlsx, workbook);
  auto first = chophien(import_args("shopee", xlsx));
  ASSERT_EQ(first.status, 0) << first.err;
  EXPECT_NE(first.out.find("Đã đọc 2 dòng, 2 đơn: 1 đơn ghi vào sổ"), std::string::npos)
      << first.out;
  const auto unnamed = dir_.path() / "orders-export";  // no extension: the content decides
  write_file(unnamed, workbook);
  auto second = chophien(import_args("shopee", unnamed));
  ASSERT_EQ(second.status, 0) << second.err;
  EXPECT_NE(second.out.find("0 đơn ghi vào sổ, 1 đơn đã có"), std::string::npos) << second.out;
  EXPECT_EQ(ledger_rows(), 1);

  const auto bad = dir_.path() / "bad.xlsx";
  write_file(bad, core::testing_support::xlsx_of_rows(
                      {titles,
                       {"251122ABC003", "2025-11-22 10:00", "Hoàn thành", "99.000"},
                       {"251122ABC004", "hôm qua", "Hoàn thành", "99.000"}}));
  auto refused = chophien(import_args("shopee", bad));
  EXPECT_EQ(refused.status, 1);
  EXPECT_NE(refused.err.find("1 dòng sai, không ghi gì"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("dòng 3, cột date"), std::string::npos) << refused.err;

  const auto truncated = dir_.path() / "truncated.xlsx";
  write_file(truncated, workbook.substr(0, workbook.size() / 2));
  auto broken = chophien(import_args("shopee", truncated));
  EXPECT_EQ(broken.status, 1);
  EXPECT_NE(broken.err.find("tệp XLSX hỏng"), std::string::npos) << broken.err;
  EXPECT_NE(broken.err.find("không ghi gì"), std::string::npos) << broken.err;
  EXPECT_EQ(ledger_rows(), 1);
}

TEST_F(MarketplaceFilesCli, ImportOrdersUsageAndHugeFiles) {
  const auto file = dir_.path() / "o.csv";
  write_file(file, "Order ID,Order Date,Order Total\n");
  EXPECT_EQ(chophien({"import-orders", "--db", db_.string(), "--platform", "amazon", "--producer",
                      "1", file.string()})
                .status,
            2);
  EXPECT_EQ(
      chophien({"import-orders", "--db", db_.string(), "--platform", "voso", file.string()}).status,
      2);
  EXPECT_EQ(chophien({"import-orders", "--help"}).status, 0);
  const auto huge = dir_.path() / "huge.csv";
  {
    std::ofstream out(huge, std::ios::binary);
    out << "Order ID,Order Date,Order Total\n";
    const std::string line = "A1,2025-11-20 10:00,50000\n";
    for (size_t written = 0; written < 21u * 1024 * 1024; written += line.size()) out << line;
  }
  auto run = chophien(import_args("voso", huge));
  EXPECT_EQ(run.status, 1);
  EXPECT_NE(run.err.find("tệp quá lớn"), std::string::npos) << run.err;
  EXPECT_EQ(ledger_rows(), 0);
}

TEST_F(MarketplaceFilesCli, ExportListingsWritesTheFileOrListsWhatToFix) {
  {
    auto db = core::Database::open(db_.string()).value();
    core::ProductStore products(db, clock_);
    core::ProductFields f;
    f.sku = "MO-500";
    f.name = "Mật ong hoa cà phê 500 ml";
    f.description = "Mật ong nguyên chất, lọc lạnh.";
    f.ocop_group = "G1";
    f.unit = "hũ";
    f.price_vnd = 120000;
    f.stock = 30;
    f.weight_g = 650;
    f.status = core::ProductStatus::active;
    auto p = products.create(producer_, f).value();
    products.add_photo(p.id, "<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml", 400, 300)
        .value();
  }
  const auto out = dir_.path() / "postmart.csv";
  const auto checklist = dir_.path() / "checklist.txt";
  std::vector<std::string> args = {"export-listings",
                                   "--db",
                                   db_.string(),
                                   "--platform",
                                   "postmart",
                                   "--producer",
                                   std::to_string(producer_),
                                   "--out",
                                   out.string(),
                                   "--checklist",
                                   checklist.string(),
                                   "--public-url",
                                   "https://chophien.vn"};
  auto run = chophien(args);
  ASSERT_EQ(run.status, 0) << run.err;
  const std::string csv = read_file(out);
  EXPECT_EQ(csv.rfind("\xEF\xBB\xBFMã SKU,Tên sản phẩm", 0), 0u) << csv;
  EXPECT_NE(csv.find("MO-500,Mật ong hoa cà phê 500 ml"), std::string::npos);
  EXPECT_NE(csv.find("https://chophien.vn/anh/"), std::string::npos);
  EXPECT_NE(read_file(checklist).find("MO-500"), std::string::npos);

  // A product without weight: listed, and no file.
  {
    auto db = core::Database::open(db_.string()).value();
    core::ProductStore products(db, clock_);
    core::ProductFields f;
    f.sku = "CHE-100";
    f.name = "Chè Shan tuyết";
    f.ocop_group = "G2";
    f.unit = "gói";
    f.price_vnd = 80000;
    f.status = core::ProductStatus::active;
    products.create(producer_, f).value();
  }
  const auto out2 = dir_.path() / "voso.csv";
  auto refused = chophien({"export-listings", "--db", db_.string(), "--platform", "voso",
                           "--producer", std::to_string(producer_), "--out", out2.string(),
                           "--public-url", "https://chophien.vn"});
  EXPECT_EQ(refused.status, 1);
  EXPECT_FALSE(fs::exists(out2));
  EXPECT_NE(refused.err.find("CHE-100, cột Cân nặng (g) (*): thiếu"), std::string::npos)
      << refused.err;
  EXPECT_NE(refused.out.find("CẦN SỬA"), std::string::npos) << refused.out;
  EXPECT_EQ(chophien({"export-listings", "--platform", "shopee"}).status, 2);
}

}  // namespace
