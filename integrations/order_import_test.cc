// A seller centre's order export file into the ledger: a real SQLite file, the real ledger.
#include "integrations/order_import.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include "core/clock.h"
#include "core/database.h"
#include "core/ledger.h"
#include "core/test_producer.h"
#include "core/test_xlsx.h"

namespace chophien::integrations {
namespace {

constexpr int64_t kNow = 1764300000;  // 2025-11-28 10:20 Vietnam time

std::string temp_db() {
  std::string dir = (std::filesystem::temp_directory_path() / "chophien-orders-XXXXXX").string();
  if (::mkdtemp(dir.data()) == nullptr) throw std::runtime_error("mkdtemp");
  return dir + "/shop.db";
}

// Shopee's Vietnamese export: one row per item, the order total repeated.
const std::string kShopeeVi =
    "\xEF\xBB\xBFM\xC3\xA3 \xC4\x91\xC6\xA1n h\xC3\xA0ng,Ng\xC3\xA0y \xC4\x91\xe1\xba\xb7t "
    "h\xC3\xA0ng,Tr\xe1\xba\xa1ng Th\xC3\xA1i \xC4\x90\xC6\xA1n H\xC3\xA0ng,T\xC3\xAAn "
    "s\xe1\xba\xa3n "
    "ph\xe1\xba\xa9m,T\xe1\xbb\x95ng gi\xC3\xA1 tr\xe1\xbb\x8b \xC4\x91\xC6\xA1n h\xC3\xA0ng "
    "(VND)\r\n"
    "251120ABC001,2025-11-20 14:05,Ho\xC3\xA0n th\xC3\xA0nh,\"M\xe1\xba\xadt ong, 500 "
    "ml\",370.000\r\n"
    "251120ABC001,2025-11-20 14:05,Ho\xC3\xA0n th\xC3\xA0nh,Tr\xC3\xA0 shan "
    "tuy\xe1\xba\xbft,370.000\r\n"
    "251121ABC002,2025-11-21 09:00,\xC4\x90\xC3\xA3 h\xe1\xbb\xa7y,M\xe1\xba\xadt ong,185.000\r\n"
    "251122ABC003,22/11/2025 18:30,\xC4\x90\x61ng giao,Mi\xe1\xba\xbfn dong,99.000\r\n";

// kShopeeVi as the seller centre's XLSX export: the first order's date a real date cell, its total
// a number on one row and a text on the other; the last row without a product name.
std::string shopee_vi_xlsx() {
  return core::testing_support::write_xlsx([](lxw_workbook* book, lxw_worksheet* sheet) {
    lxw_format* when = workbook_add_format(book);
    format_set_num_format(when, "yyyy-mm-dd hh:mm");
    const char* header[] = {"Mã đơn hàng", "Ngày đặt hàng", "Trạng Thái Đơn Hàng", "Tên sản phẩm",
                            "Tổng giá trị đơn hàng (VND)"};
    for (lxw_col_t c = 0; c < 5; ++c) worksheet_write_string(sheet, 0, c, header[c], nullptr);
    lxw_datetime at = {2025, 11, 20, 14, 5, 0};
    for (lxw_row_t r : {1, 2}) {
      worksheet_write_string(sheet, r, 0, "251120ABC001", nullptr);
      worksheet_write_datetime(sheet, r, 1, &at, when);
      worksheet_write_string(sheet, r, 2, "Hoàn thành", nullptr);
    }
    worksheet_write_string(sheet, 1, 3, "Mật ong, 500 ml", nullptr);
    worksheet_write_number(sheet, 1, 4, 370000, nullptr);
    worksheet_write_string(sheet, 2, 3, "Trà shan tuyết", nullptr);
    worksheet_write_string(sheet, 2, 4, "370.000", nullptr);
    worksheet_write_string(sheet, 3, 0, "251121ABC002", nullptr);
    worksheet_write_string(sheet, 3, 1, "2025-11-21 09:00", nullptr);
    worksheet_write_string(sheet, 3, 2, "Đã hủy", nullptr);
    worksheet_write_string(sheet, 3, 3, "Mật ong", nullptr);
    worksheet_write_number(sheet, 3, 4, 185000, nullptr);
    worksheet_write_string(sheet, 4, 0, "251122ABC003", nullptr);
    worksheet_write_string(sheet, 4, 1, "22/11/2025 18:30", nullptr);
    worksheet_write_string(sheet, 4, 2, "Đang giao", nullptr);
    worksheet_write_number(sheet, 4, 4, 99000, nullptr);
  });
}

class OrderImportTest : public ::testing::Test {
 protected:
  void TearDown() override {
    std::filesystem::remove_all(std::filesystem::path(path_).parent_path());
  }
  int64_t ledger_rows(int64_t producer) {
    core::LedgerQuery q;
    q.producer_id = producer;
    return static_cast<int64_t>(ledger_.list(q).value().size());
  }
  // A producer's ledger rows, without what names the producer, in order id order.
  std::vector<std::string> ledger_lines(int64_t producer) {
    core::LedgerQuery q;
    q.producer_id = producer;
    std::vector<std::string> out;
    const auto rows = ledger_.list(q).value();
    for (const auto& row : rows) {
      const std::string own = ":" + std::to_string(producer) + ":";
      std::string ref = row.source_ref;
      if (auto at = ref.find(own); at != std::string::npos) ref.replace(at, own.size(), ":");
      out.push_back(ref + " " + row.channel + " " + row.settlement + " " +
                    std::to_string(row.amount_vnd) + " " + std::to_string(row.occurred_at) + " " +
                    row.note);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  std::string path_ = temp_db();
  core::ManualClock clock_{kNow};
  core::Database db_ = core::Database::open(path_).value();
  int64_t producer_ = core::testing_support::add_producer(db_, "HTX Mật ong Bảo Lâm", "24");
  int64_t other_ = core::testing_support::add_producer(db_, "HTX Chè Shan", "04");
  core::Ledger ledger_{db_, clock_};
};

TEST(OrderImportParsing, AmountsInTheWaysExportsWriteThem) {
  EXPECT_EQ(parse_vnd_amount("120.000"), 120000);
  EXPECT_EQ(parse_vnd_amount("120,000"), 120000);
  EXPECT_EQ(parse_vnd_amount("120000"), 120000);
  EXPECT_EQ(parse_vnd_amount("120.000 \xE2\x82\xAB"), 120000);
  EXPECT_EQ(parse_vnd_amount("\xE2\x82\xAB"
                             "1,250,000"),
            1250000);
  EXPECT_EQ(parse_vnd_amount("120000.00"), 120000);
  EXPECT_EQ(parse_vnd_amount("1.200.000 VND"), 1200000);
  EXPECT_EQ(parse_vnd_amount("99.000\xC4\x91"), 99000);
  EXPECT_EQ(parse_vnd_amount("1,200.50"), std::nullopt);  // fractional đồng
  EXPECT_EQ(parse_vnd_amount("12.00.000"), std::nullopt);
  EXPECT_EQ(parse_vnd_amount("1.200,000"), std::nullopt);
  EXPECT_EQ(parse_vnd_amount("-5000"), std::nullopt);
  EXPECT_EQ(parse_vnd_amount("abc"), std::nullopt);
  EXPECT_EQ(parse_vnd_amount(""), std::nullopt);
  EXPECT_EQ(parse_vnd_amount("99999999999999999999999"), std::nullopt);
}

TEST(OrderImportParsing, DatesAreVietnamTime) {
  EXPECT_EQ(parse_order_time("2025-11-28 10:20"), kNow);
  EXPECT_EQ(parse_order_time("28/11/2025 10:20:00"), kNow);
  EXPECT_EQ(parse_order_time("2025-11-28T10:20:00"), kNow);
  EXPECT_EQ(parse_order_time("2025-11-28"), kNow - (10 * 3600 + 20 * 60));
  EXPECT_EQ(parse_order_time("2025-02-29"), std::nullopt);
  EXPECT_EQ(parse_order_time("2024-02-29").has_value(), true);
  EXPECT_EQ(parse_order_time("31/04/2025"), std::nullopt);
  EXPECT_EQ(parse_order_time("2025-11-28 24:00"), std::nullopt);
  EXPECT_EQ(parse_order_time("2025-11-28 10:20 extra"), std::nullopt);
  EXPECT_EQ(parse_order_time("hôm qua"), std::nullopt);
}

TEST(OrderImportParsing, StatusesThatAreNotSales) {
  EXPECT_FALSE(order_file_status_counts("Đã hủy"));
  EXPECT_FALSE(order_file_status_counts("Đã huỷ"));
  EXPECT_FALSE(order_file_status_counts("Trả hàng/Hoàn tiền"));
  EXPECT_FALSE(order_file_status_counts("Canceled"));
  EXPECT_FALSE(order_file_status_counts("returned"));
  EXPECT_FALSE(order_file_status_counts("Chưa thanh toán"));
  EXPECT_FALSE(order_file_status_counts("Giao không thành công"));
  EXPECT_TRUE(order_file_status_counts("Hoàn thành"));
  EXPECT_TRUE(order_file_status_counts("Đang giao"));
  EXPECT_TRUE(order_file_status_counts("delivered"));
  EXPECT_TRUE(order_file_status_counts("Giao đến huyện Bảo Lâm"));
}

TEST_F(OrderImportTest, ShopeeExportBecomesOneLedgerRowPerOrderAndNeverTwice) {
  auto report = import_order_file(db_, clock_, producer_, "shopee", kShopeeVi).value();
  ASSERT_TRUE(report.ok()) << report.errors.front().line << " " << report.errors.front().message;
  EXPECT_EQ(report.rows, 4);
  EXPECT_EQ(report.orders, 3);
  EXPECT_EQ(report.recorded, 2);
  EXPECT_EQ(report.skipped, 1);
  auto row =
      ledger_
          .find_by_source("marketplace", marketplace_sale_ref("shopee", producer_, "251120ABC001"))
          .value();
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->amount_vnd, 370000);  // the order total once, not once per item row
  EXPECT_EQ(row->channel, "shopee");
  EXPECT_EQ(row->settlement, "marketplace");
  EXPECT_EQ(row->occurred_at, *parse_order_time("2025-11-20 14:05"));
  EXPECT_FALSE(
      ledger_
          .find_by_source("marketplace", marketplace_sale_ref("shopee", producer_, "251121ABC002"))
          .value()
          .has_value());
  EXPECT_EQ(
      ledger_
          .find_by_source("marketplace", marketplace_sale_ref("shopee", producer_, "251122ABC003"))
          .value()
          ->amount_vnd,
      99000);

  auto again = import_order_file(db_, clock_, producer_, "shopee", kShopeeVi).value();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.recorded, 0);
  EXPECT_EQ(again.already, 2);
  EXPECT_EQ(ledger_rows(producer_), 2);
}

TEST_F(OrderImportTest, LazadaItemRowsAreSummedAndEnglishHeadersFound) {
  const std::string csv =
      "orderNumber,createTime,paidPrice,status,itemName\n"
      "3001,28/11/2025 08:00,120000.00,delivered,Mật ong\n"
      "3001,28/11/2025 08:00,\"80,000.00\",delivered,Trà\n"
      "3001,28/11/2025 08:00,30000.00,canceled,Miến\n"  // one item of the order cancelled
      "3002,27/11/2025 08:00,50000.00,canceled,Miến\n";
  auto report = import_order_file(db_, clock_, producer_, "lazada", csv).value();
  ASSERT_TRUE(report.ok()) << report.errors.front().message;
  EXPECT_EQ(report.recorded, 1);
  EXPECT_EQ(report.skipped, 1);
  auto row =
      ledger_.find_by_source("marketplace", marketplace_sale_ref("lazada", producer_, "3001"))
          .value();
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->amount_vnd, 200000);
  EXPECT_EQ(row->channel, "lazada");
}

TEST_F(OrderImportTest, TiktokPostmartAndVosoUseTheirLedgerChannels) {
  const std::string csv =
      "Order ID,Created Time,Order Status,Order Amount\nT1,2025-11-27 10:00,Completed,45.000\n";
  ASSERT_TRUE(import_order_file(db_, clock_, producer_, "tiktok", csv).value().ok());
  ASSERT_TRUE(import_order_file(db_, clock_, producer_, "postmart", csv).value().ok());
  ASSERT_TRUE(import_order_file(db_, clock_, producer_, "voso", csv).value().ok());
  EXPECT_EQ(ledger_.find_by_source("marketplace", marketplace_sale_ref("tiktok", producer_, "T1"))
                .value()
                ->channel,
            "tiktok_shop");
  EXPECT_EQ(ledger_.find_by_source("marketplace", marketplace_sale_ref("postmart", producer_, "T1"))
                .value()
                ->channel,
            "postmart");
  EXPECT_EQ(ledger_.find_by_source("marketplace", marketplace_sale_ref("voso", producer_, "T1"))
                .value()
                ->channel,
            "voso");
  EXPECT_EQ(ledger_rows(producer_), 3);
}

TEST_F(OrderImportTest, EveryBadRowIsListedAndNothingIsWritten) {
  const std::string csv =
      "Mã đơn hàng,Ngày đặt hàng,Trạng thái,Tổng tiền\n"
      "A1,2025-11-20 10:00,Hoàn thành,100.000\n"     // line 2: good
      ",2025-11-20 10:00,Hoàn thành,100.000\n"       // 3: no id
      "A3,2025-13-20 10:00,Hoàn thành,100.000\n"     // 4: bad month
      "A4,2025-11-20 10:00,Hoàn thành,mười nghìn\n"  // 5: bad amount
      "A5,2026-11-20 10:00,Hoàn thành,100.000\n"     // 6: in the future
      "Đơn 6,2025-11-20 10:00,Hoàn thành,100.000\n"  // 7: unicode id
      "A7,2025-11-20 10:00,,100.000\n"               // 8: no status
      "A1,2025-11-20 10:00,Hoàn thành,120.000\n"     // 9: same order, other total
      "A9,2025-11-20 10:00,Hoàn thành,0\n";          // 10: zero
  auto report = import_order_file(db_, clock_, producer_, "shopee", csv).value();
  ASSERT_FALSE(report.ok());
  std::vector<int> lines;
  for (const auto& e : report.errors) lines.push_back(e.line);
  EXPECT_EQ(lines, (std::vector<int>{3, 4, 5, 6, 7, 8, 9, 10}));
  EXPECT_EQ(report.errors[0].field, "order_id");
  EXPECT_EQ(report.errors[2].field, "total");
  EXPECT_EQ(report.errors[3].message, "ngày đặt hàng ở tương lai");
  EXPECT_EQ(report.recorded, 0);
  EXPECT_EQ(ledger_rows(producer_), 0);
}

TEST_F(OrderImportTest, WrongColumnsAreNamedOnTheHeaderLine) {
  const std::string csv = "sku,name,price_vnd\nMO-500,Mật ong,120000\n";
  auto report = import_order_file(db_, clock_, producer_, "voso", csv).value();
  ASSERT_EQ(report.errors.size(), 3u);
  for (const auto& e : report.errors) EXPECT_EQ(e.line, 1);
  EXPECT_EQ(report.errors[0].field, "order_id");
  EXPECT_EQ(report.errors[1].field, "date");
  EXPECT_EQ(report.errors[2].field, "total");
  EXPECT_EQ(ledger_rows(producer_), 0);

  auto empty = import_order_file(db_, clock_, producer_, "voso", "").value();
  EXPECT_FALSE(empty.ok());
}

TEST_F(OrderImportTest, HostileInputIsRefusedWithoutWriting) {
  // Unterminated quote: not CSV.
  auto broken = import_order_file(db_, clock_, producer_, "shopee",
                                  "Order ID,Order Date,Order Total\n\"A1,2025-11-20,100000\n");
  ASSERT_FALSE(broken.has_value());
  EXPECT_EQ(broken.error().code, ErrorCode::invalid_input);
  // Too big.
  std::string huge = "Order ID,Order Date,Order Total\n";
  huge.append(kMaxOrderFileBytes, 'x');
  auto big = import_order_file(db_, clock_, producer_, "shopee", huge);
  ASSERT_FALSE(big.has_value());
  EXPECT_EQ(big.error().field, "file");
  // Unknown platform and producer.
  EXPECT_EQ(import_order_file(db_, clock_, producer_, "amazon", kShopeeVi).error().field,
            "platform");
  EXPECT_EQ(import_order_file(db_, clock_, 999999, "shopee", kShopeeVi).error().code,
            ErrorCode::not_found);
  // Binary garbage.
  std::string garbage = "Order ID,Order Date,Order Total\n";
  for (int i = 0; i < 4096; ++i) garbage += static_cast<char>((i * 37) % 256);
  auto g = import_order_file(db_, clock_, producer_, "shopee", garbage);
  if (g) {
    EXPECT_FALSE(g->ok());  // either not CSV at all, or every garbage row refused
  }
  EXPECT_EQ(ledger_rows(producer_), 0);
}

// The ledger key names the producer: a file another producer uploads first (by mistake, or
// naming orders that are not theirs) neither blocks nor reveals this producer's orders.
TEST_F(OrderImportTest, AnotherProducersFileCannotStandInForThisProducersOrders) {
  ASSERT_TRUE(import_order_file(db_, clock_, other_, "shopee", kShopeeVi).value().ok());
  auto report = import_order_file(db_, clock_, producer_, "shopee", kShopeeVi).value();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report.recorded, 2);
  EXPECT_EQ(report.already, 0);
  EXPECT_EQ(ledger_rows(producer_), 2);
  EXPECT_EQ(ledger_rows(other_), 2);
  EXPECT_EQ(import_order_file(db_, clock_, producer_, "shopee", kShopeeVi).value().already, 2);
}

// Rows recorded before the producer was part of the key ("shopee:<order id>") still count as
// recorded for their own producer, and only for them.
TEST_F(OrderImportTest, RowsUnderTheEarlierKeyAreStillFoundForTheirProducer) {
  core::SaleEntry e;
  e.producer_id = producer_;
  e.channel = "shopee";
  e.settlement = "marketplace";
  e.amount_vnd = 370000;
  e.occurred_at = *parse_order_time("2025-11-20 14:05");
  e.source_kind = "marketplace";
  e.source_ref = "shopee:251120ABC001";
  ASSERT_TRUE(ledger_.append(e).has_value());
  EXPECT_TRUE(marketplace_order_recorded(ledger_, "shopee", producer_, "251120ABC001").value());
  EXPECT_FALSE(marketplace_order_recorded(ledger_, "shopee", other_, "251120ABC001").value());
  auto report = import_order_file(db_, clock_, producer_, "shopee", kShopeeVi).value();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report.already, 1);
  EXPECT_EQ(report.recorded, 1);
  EXPECT_EQ(ledger_rows(producer_), 2);
}

TEST_F(OrderImportTest, ManyRowsImportInOneGo) {
  std::string csv = "Order ID,Order Date,Order Status,Order Total\n";
  for (int i = 0; i < 5000; ++i)
    csv += "N" + std::to_string(i) + ",2025-11-2" + std::to_string(i % 8) + " 08:00,Completed," +
           std::to_string(10000 + i) + "\n";
  auto report = import_order_file(db_, clock_, producer_, "shopee", csv).value();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report.recorded, 5000);
  core::LedgerQuery q;
  q.producer_id = producer_;
  q.limit = 10000;
  EXPECT_EQ(ledger_.list(q).value().size(), 5000u);
}

TEST_F(OrderImportTest, XlsxExportGivesTheSameLedgerRowsAsTheCsv) {
  auto from_csv = import_order_file(db_, clock_, other_, "shopee", kShopeeVi).value();
  ASSERT_TRUE(from_csv.ok());
  auto from_xlsx = import_order_file(db_, clock_, producer_, "shopee", shopee_vi_xlsx()).value();
  ASSERT_TRUE(from_xlsx.ok()) << from_xlsx.errors.front().line << " "
                              << from_xlsx.errors.front().message;
  EXPECT_EQ(from_xlsx.rows, from_csv.rows);
  EXPECT_EQ(from_xlsx.orders, 3);
  EXPECT_EQ(from_xlsx.recorded, 2);
  EXPECT_EQ(from_xlsx.skipped, 1);
  EXPECT_EQ(ledger_lines(producer_), ledger_lines(other_));
  EXPECT_EQ(ledger_lines(producer_).size(), 2u);
}

TEST_F(OrderImportTest, XlsxAfterTheCsvRecordsNothingNew) {
  ASSERT_TRUE(import_order_file(db_, clock_, producer_, "shopee", kShopeeVi).value().ok());
  auto again = import_order_file(db_, clock_, producer_, "shopee", shopee_vi_xlsx()).value();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.recorded, 0);
  EXPECT_EQ(again.already, 2);
  EXPECT_EQ(again.skipped, 1);
  EXPECT_EQ(ledger_rows(producer_), 2);
}

TEST_F(OrderImportTest, XlsxErrorsNameTheSheetsRowNumbers) {
  // Two empty rows above the header and one between the orders: messages point at the rows a
  // spreadsheet program shows.
  const std::string file = core::testing_support::xlsx_of_rows({
      {},
      {},
      {"Order ID", "Order Date", "Order Status", "Order Total"},  // row 3
      {"X1", "2025-11-20 10:00", "Completed", "50000"},
      {},
      {"X2", "not a date", "Completed", "50000"},     // row 6
      {"X3", "2025-11-20 10:00", "Completed", "-1"},  // row 7
  });
  auto report = import_order_file(db_, clock_, producer_, "lazada", file).value();
  ASSERT_EQ(report.errors.size(), 2u);
  EXPECT_EQ(report.errors[0].line, 6);
  EXPECT_EQ(report.errors[0].field, "date");
  EXPECT_EQ(report.errors[1].line, 7);
  EXPECT_EQ(report.errors[1].field, "total");
  EXPECT_EQ(ledger_rows(producer_), 0);

  auto columns =
      import_order_file(db_, clock_, producer_, "voso",
                        core::testing_support::xlsx_of_rows(
                            {{}, {"sku", "name", "price_vnd"}, {"MO-500", "Mật ong", "1"}}))
          .value();
  ASSERT_EQ(columns.errors.size(), 3u);
  for (const auto& e : columns.errors) EXPECT_EQ(e.line, 2);
}

TEST_F(OrderImportTest, HostileXlsxIsRefusedWithoutWriting) {
  using core::testing_support::minimal_xlsx;
  const std::string good = shopee_vi_xlsx();
  const std::string order_rows =
      R"(<row><c t="inlineStr"><is><t>Order ID</t></is></c><c t="inlineStr"><is><t>Order Date)"
      R"(</t></is></c><c t="inlineStr"><is><t>Order Total</t></is></c></row>)";
  auto order = [](int i) {
    return R"(<row><c t="inlineStr"><is><t>N)" + std::to_string(i) +
           R"(</t></is></c><c t="inlineStr"><is><t>2025-11-20 08:00</t></is></c><c><v>10000</v>)"
           "</c></row>";
  };
  std::string too_many = "<sheetData>" + order_rows;
  for (int i = 0; i <= static_cast<int>(kMaxOrderFileRows); ++i) too_many += order(i);
  too_many += "</sheetData>";
  const std::string valid_sheet = "<sheetData>" + order_rows + order(1) + "</sheetData>";
  const struct {
    const char* what;
    std::string file;
    const char* message;
  } cases[] = {
      {"garbage", std::string("PK\x03\x04") + std::string(2048, '\x01'), "hỏng"},
      {"truncated", good.substr(0, good.size() * 2 / 3), "hỏng"},
      {"not a workbook", core::testing_support::make_zip({{"mimetype", "x"}}), "xl/workbook.xml"},
      {"zip bomb",
       core::testing_support::with_declared_size(minimal_xlsx(valid_sheet),
                                                 "xl/worksheets/sheet1.xml", 4'000'000'000u),
       "quá lớn khi giải nén"},
      {"doctype",
       minimal_xlsx(valid_sheet, {{"xl/styles.xml", R"(<!DOCTYPE s [<!ENTITY a "b">]><s/>)"}}),
       "DOCTYPE"},
      {"shared string",
       minimal_xlsx("<sheetData>" + order_rows + R"(<row><c t="s"><v>7</v></c></row></sheetData>)"),
       "chuỗi dùng chung"},
      {"too many rows", minimal_xlsx(too_many), "quá nhiều dòng (tối đa 100.000)"},
  };
  for (const auto& c : cases) {
    auto result = import_order_file(db_, clock_, producer_, "shopee", c.file);
    ASSERT_FALSE(result.has_value()) << c.what;
    EXPECT_EQ(result.error().code, ErrorCode::invalid_input) << c.what;
    EXPECT_EQ(result.error().field, "file") << c.what;
    EXPECT_NE(result.error().message.find(c.message), std::string::npos)
        << c.what << ": " << result.error().message;
  }
  EXPECT_EQ(ledger_rows(producer_), 0);
  // The same orders in a sound workbook are recorded.
  EXPECT_EQ(import_order_file(db_, clock_, producer_, "shopee", minimal_xlsx(valid_sheet))
                .value()
                .recorded,
            1);
}

}  // namespace
}  // namespace chophien::integrations
