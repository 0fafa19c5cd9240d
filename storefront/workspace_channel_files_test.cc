// Marketplace files in the workspace over real HTTP: the postmart/voso file refused with what to
// fix, then downloaded once the products are complete (only the producer's own); the checklist;
// the order export upload into the ledger (all or nothing, never twice, CSRF checked).
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <future>
#include <optional>
#include <string>

#include "core/ledger.h"
#include "core/products.h"
#include "core/test_xlsx.h"
#include "storefront/auth.h"
#include "storefront/workspace_fixture.h"

namespace chophien::storefront {
namespace {

using fixtures::Browser;

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class WorkspaceChannelFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    ApiOptions options;
    options.users.scrypt.n = 1024;
    set_api_options(options);
    server_ = std::make_unique<TestServer>(TestServer::quiet_config(), [this](core::Database& db) {
      ids_ = fixtures::prepare_workspace(db);
    });
    server_->clock().set(fixtures::workspace_now());
  }

  // Weight and a photo: what the fixture's products lack for a bulk-upload file.
  void complete(int64_t product_id) {
    auto db = server_->db().acquire_writer().value();
    core::ProductStore store(*db, server_->clock());
    auto p = store.find(product_id).value();
    p.fields.weight_g = 550;
    store.update(product_id, p.fields).value();
    store
        .add_photo(product_id, "<svg xmlns='http://www.w3.org/2000/svg'/>" + p.fields.sku,
                   "image/svg+xml", 400, 300)
        .value();
  }

  size_t ledger_rows(int64_t producer) {
    auto db = server_->db().acquire().value();
    core::LedgerQuery q;
    q.producer_id = producer;
    return core::Ledger(*db, server_->clock()).list(q).value().size();
  }

  httplib::Result upload(Browser& browser, const std::string& platform, const std::string& content,
                         const std::string& token, const std::string& file_name = "don-hang.csv",
                         const std::string& content_type = "text/csv") {
    httplib::Client client = server_->client();
    std::string cookie;
    for (const auto& [name, value] : browser.cookies()) cookie += name + "=" + value + "; ";
    httplib::MultipartFormDataItems items = {{"csrf_token", token, "", ""},
                                             {"platform", platform, "", ""},
                                             {"file", content, file_name, content_type}};
    return client.Post("/quan-ly/tep-san/nhap-don", {{"Cookie", cookie}}, items);
  }

  std::unique_ptr<TestServer> server_;
  fixtures::WorkspaceIds ids_;
};

TEST_F(WorkspaceChannelFiles, BulkUploadFileIsRefusedUntilProductsAreCompleteThenDownloads) {
  Browser browser(*server_);
  ASSERT_TRUE(browser.sign_in("nsp1"));
  auto page = browser.get("/quan-ly/tep-san");
  ASSERT_TRUE(page);
  ASSERT_EQ(page->status, 200);
  EXPECT_TRUE(has(page->body, "href=\"/quan-ly/tep-san\"")) << "nav link";
  EXPECT_TRUE(has(page->body, "/quan-ly/tep-san/postmart.csv"));

  auto refused = browser.get("/quan-ly/tep-san/postmart.csv");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 422);
  EXPECT_TRUE(has(refused->body, "Khối lượng (gram)")) << refused->body;
  EXPECT_TRUE(has(refused->body, "Ảnh chính (URL)"));

  auto checklist = browser.get("/quan-ly/tep-san/voso.txt");
  ASSERT_TRUE(checklist);
  EXPECT_EQ(checklist->status, 200);
  EXPECT_TRUE(has(checklist->body, "voso.vn"));
  EXPECT_TRUE(has(checklist->body, "CẦN SỬA"));
  EXPECT_TRUE(has(checklist->body, "Miến dong Bảo Lâm"));
  EXPECT_FALSE(has(checklist->body, "Chè Shan tuyết")) << "another producer's product";

  complete(ids_.mien);
  complete(ids_.mat_ong);
  auto file = browser.get("/quan-ly/tep-san/postmart.csv");
  ASSERT_TRUE(file);
  ASSERT_EQ(file->status, 200) << file->body;
  EXPECT_EQ(file->get_header_value("Content-Type"), "text/csv; charset=utf-8");
  EXPECT_TRUE(has(file->get_header_value("Content-Disposition"), "postmart-san-pham.csv"));
  EXPECT_EQ(file->body.rfind("\xEF\xBB\xBFMã SKU", 0), 0u);
  EXPECT_TRUE(has(file->body, "Miến dong Bảo Lâm"));
  EXPECT_TRUE(has(file->body, "Mật ong bạc hà"));
  EXPECT_FALSE(has(file->body, "Chè Shan tuyết"));
  EXPECT_TRUE(has(file->body, "/anh/"));

  auto unknown = browser.get("/quan-ly/tep-san/tiki.csv");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
}

TEST_F(WorkspaceChannelFiles, SignedOutGetsTheSignInPage) {
  httplib::Client client = server_->client();
  auto res = client.Get("/quan-ly/tep-san/postmart.csv");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 303);
}

TEST_F(WorkspaceChannelFiles, OrderExportUploadIsAllOrNothingAndNeverTwice) {
  Browser browser(*server_);
  ASSERT_TRUE(browser.sign_in("nsp1"));
  ASSERT_TRUE(browser.get("/quan-ly/tep-san"));
  const std::string header = "Mã đơn hàng,Ngày đặt hàng,Trạng thái,Tổng tiền\r\n";
  const std::string good = header + "PM0001,2026-04-30 10:00,Hoàn thành,240.000\r\n" +
                           "PM0002,2026-04-30 11:00,Đã hủy,120.000\r\n";
  const std::string bad = good + "PM0003,30/04/2026,Hoàn thành,<script>\r\n";

  auto refused = upload(browser, "postmart", bad, browser.csrf());
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 400);
  EXPECT_TRUE(has(refused->body, "Không ghi đơn nào")) << refused->body;
  EXPECT_TRUE(has(refused->body, "<td class=\"num\">4</td>"));
  EXPECT_FALSE(has(refused->body, "<script>"));
  EXPECT_EQ(ledger_rows(ids_.producer_a), 0u);

  auto forged = upload(browser, "postmart", good, "0000");
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 403);
  EXPECT_EQ(ledger_rows(ids_.producer_a), 0u);

  auto first = upload(browser, "postmart", good, browser.csrf());
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200) << first->body;
  EXPECT_TRUE(has(first->body, "1 đơn mới, 0 đơn đã có, 1 đơn hủy/trả hàng")) << first->body;
  auto again = upload(browser, "postmart", good, browser.csrf());
  ASSERT_TRUE(again);
  EXPECT_TRUE(has(again->body, "0 đơn mới, 1 đơn đã có")) << again->body;
  EXPECT_EQ(ledger_rows(ids_.producer_a), 1u);
  EXPECT_EQ(ledger_rows(ids_.producer_b), 0u);

  auto no_platform = upload(browser, "amazon", good, browser.csrf());
  ASSERT_TRUE(no_platform);
  EXPECT_EQ(no_platform->status, 400);
}

// The seller centre's XLSX as it comes, over real HTTP: recorded once, after the same orders as
// CSV nothing new; a bad row named by its sheet row; a broken workbook refused, nothing written.
TEST_F(WorkspaceChannelFiles, OrderExportUploadReadsXlsx) {
  Browser browser(*server_);
  ASSERT_TRUE(browser.sign_in("nsp1"));
  auto page = browser.get("/quan-ly/tep-san");
  ASSERT_TRUE(page);
  EXPECT_TRUE(has(page->body, "accept=\".xlsx,.csv")) << page->body;
  const std::string xlsx_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  const std::vector<std::string> header = {"Mã đơn hàng", "Ngày đặt hàng", "Trạng thái",
                                           "Tổng tiền"};
  const std::string workbook =
      core::testing_support::write_xlsx([](lxw_workbook* book, lxw_worksheet* sheet) {
        lxw_format* when = workbook_add_format(book);
        format_set_num_format(when, "dd/mm/yyyy hh:mm");
        const char* titles[] = {"Mã đơn hàng", "Ngày đặt hàng", "Trạng thái", "Tổng tiền"};
        for (lxw_col_t c = 0; c < 4; ++c) worksheet_write_string(sheet, 0, c, titles[c], nullptr);
        lxw_datetime at = {2026, 4, 30, 10, 0, 0};
        worksheet_write_string(sheet, 1, 0, "PM0001", nullptr);
        worksheet_write_datetime(sheet, 1, 1, &at, when);
        worksheet_write_string(sheet, 1, 2, "Hoàn thành", nullptr);
        worksheet_write_number(sheet, 1, 3, 240000, nullptr);
        at.hour = 11;
        worksheet_write_string(sheet, 2, 0, "PM0002", nullptr);
        worksheet_write_datetime(sheet, 2, 1, &at, when);
        worksheet_write_string(sheet, 2, 2, "Đã hủy", nullptr);
        worksheet_write_number(sheet, 2, 3, 120000, nullptr);
      });

  auto broken = upload(browser, "postmart", workbook.substr(0, workbook.size() / 2), browser.csrf(),
                       "don-hang.xlsx", xlsx_type);
  ASSERT_TRUE(broken);
  EXPECT_EQ(broken->status, 400);
  EXPECT_TRUE(has(broken->body, "Không đọc được tệp: tệp XLSX hỏng")) << broken->body;
  const std::string bad = core::testing_support::xlsx_of_rows(
      {header, {}, {"PM0003", "30/04/2026", "Hoàn thành", "<script>"}});
  auto refused = upload(browser, "postmart", bad, browser.csrf(), "don-hang.xlsx", xlsx_type);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 400);
  EXPECT_TRUE(has(refused->body, "<td class=\"num\">3</td>")) << refused->body;
  EXPECT_FALSE(has(refused->body, "<script>"));
  EXPECT_EQ(ledger_rows(ids_.producer_a), 0u);

  // Named .csv, sent as text/csv: the content still says XLSX.
  auto first = upload(browser, "postmart", workbook, browser.csrf(), "don-hang.csv", "text/csv");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200) << first->body;
  EXPECT_TRUE(has(first->body, "1 đơn mới, 0 đơn đã có, 1 đơn hủy/trả hàng")) << first->body;
  const std::string csv =
      "Mã đơn hàng,Ngày đặt hàng,Trạng thái,Tổng tiền\r\n"
      "PM0001,2026-04-30 10:00,Hoàn thành,240.000\r\n"
      "PM0002,2026-04-30 11:00,Đã hủy,120.000\r\n";
  auto again = upload(browser, "postmart", csv, browser.csrf());
  ASSERT_TRUE(again);
  EXPECT_TRUE(has(again->body, "0 đơn mới, 1 đơn đã có")) << again->body;
  auto once_more =
      upload(browser, "postmart", workbook, browser.csrf(), "don-hang.xlsx", xlsx_type);
  ASSERT_TRUE(once_more);
  EXPECT_TRUE(has(once_more->body, "0 đơn mới, 1 đơn đã có")) << once_more->body;
  EXPECT_EQ(ledger_rows(ids_.producer_a), 1u);
  EXPECT_EQ(ledger_rows(ids_.producer_b), 0u);
}

// A large order file is read and checked before the writer lock is taken, so checkouts and
// payments never wait for it: with the lock held elsewhere the whole file is still read, and a
// bad last row still answered, without waiting. Only the ledger writes wait for the lock.
TEST_F(WorkspaceChannelFiles, OrderExportIsReadAndCheckedWithoutHoldingTheWriterLock) {
  Browser browser(*server_);
  ASSERT_TRUE(browser.sign_in("nsp1"));
  ASSERT_TRUE(browser.get("/quan-ly/tep-san"));
  const std::string xlsx_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  constexpr int kRows = 5000;  // kept small for the sanitizer build; the lock is what counts
  auto workbook = [&](bool bad_last_row) {
    return core::testing_support::write_xlsx([&](lxw_workbook*, lxw_worksheet* sheet) {
      const char* titles[] = {"Mã đơn hàng", "Ngày đặt hàng", "Trạng thái", "Tổng tiền"};
      for (lxw_col_t c = 0; c < 4; ++c) worksheet_write_string(sheet, 0, c, titles[c], nullptr);
      for (lxw_row_t r = 1; r <= kRows; ++r) {
        const std::string id = "PM" + std::to_string(100000 + r);
        worksheet_write_string(sheet, r, 0, id.c_str(), nullptr);
        worksheet_write_string(sheet, r, 1, "2026-04-30 10:00", nullptr);
        worksheet_write_string(sheet, r, 2, "Hoàn thành", nullptr);
        if (bad_last_row && r == kRows) {
          worksheet_write_string(sheet, r, 3, "không rõ", nullptr);
        } else {
          worksheet_write_number(sheet, r, 3, 120000, nullptr);
        }
      }
    });
  };
  const std::string bad = workbook(true);
  const std::string good = workbook(false);
  const std::string token = browser.csrf();

  auto held = server_->db().acquire_writer();  // a checkout's commit, held
  ASSERT_TRUE(held);
  std::optional<DbPool::Lease> writer(std::move(*held));
  auto refused = std::async(std::launch::async, [&] {
    return upload(browser, "postmart", bad, token, "don-hang.xlsx", xlsx_type);
  });
  if (refused.wait_for(std::chrono::seconds(60)) != std::future_status::ready) {
    writer.reset();
    refused.wait();
    FAIL() << "the upload waited for the writer lock";
  }
  // Answered while the lock is still held.
  auto bad_answer = refused.get();
  ASSERT_TRUE(bad_answer) << "no answer while the writer lock was held";
  EXPECT_EQ(bad_answer->status, 400);
  EXPECT_TRUE(has(bad_answer->body, "<td class=\"num\">" + std::to_string(kRows + 1) + "</td>"))
      << bad_answer->body.substr(0, 2000);
  // The recorded upload needs the lock for its writes only: it waits for it, then records.
  auto recorded = std::async(std::launch::async, [&] {
    return upload(browser, "postmart", good, token, "don-hang.xlsx", xlsx_type);
  });
  EXPECT_EQ(ledger_rows(ids_.producer_a), 0u);
  writer.reset();
  auto good_answer = recorded.get();
  ASSERT_TRUE(good_answer);
  EXPECT_EQ(good_answer->status, 200) << good_answer->body.substr(0, 2000);
  EXPECT_TRUE(has(good_answer->body, std::to_string(kRows) + " đơn mới"));
  auto db = server_->db().acquire().value();
  auto rows = db->prepare("SELECT COUNT(*) FROM sales_ledger WHERE producer_id = ?1").value();
  rows.bind(1, ids_.producer_a);
  ASSERT_TRUE(rows.step().value());
  EXPECT_EQ(rows.column_int(0), kRows);
}

}  // namespace
}  // namespace chophien::storefront
