// Hand entry by officers over real HTTP (/quan-ly/tu-khai): a reported sale goes into the ledger
// as hand_entry with the officer as entered_by and makes the figures it enters self-declared in
// the exports; a reversal is a new negative row, never an edit; training events; refusals
// (producer 403, missing CSRF token 403, bad input 400 with nothing changed); the action log.
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <string>

#include "core/audit.h"
#include "storefront/auth.h"
#include "storefront/workspace_fixture.h"

namespace chophien::storefront {
namespace {

using fixtures::Browser;
using nlohmann::json;

constexpr const char* kApril =
    "/api/v1/indicators?from=2026-04-01&to=2026-04-30&area=04&basis=as_dated&by=commune";

class Declared : public ::testing::Test {
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

  int64_t scalar(const std::string& sql) {
    auto db = server_->db().acquire().value();
    auto s = db->prepare(sql).value();
    EXPECT_TRUE(s.step().value());
    return s.column_int(0);
  }

  std::vector<core::AuditEntry> log() {
    auto db = server_->db().acquire().value();
    return core::AuditLog(*db, server_->clock()).recent(100).value();
  }

  // The figure `code` of the reported area (first row) in the JSON export.
  json figure(Browser& browser, const std::string& code) {
    auto res = browser.get(std::string(kApril) + "&format=json");
    EXPECT_TRUE(res && res->status == 200);
    if (!res) return {};
    const json doc = json::parse(res->body, nullptr, false);
    for (const auto& f : doc["rows"][0]["figures"])
      if (f["code"] == code) return f;
    return {};
  }

  httplib::Params sale(const std::string& amount) {
    return {{"producer", std::to_string(ids_.producer_b)},
            {"date", "2026-04-20"},
            {"channel", "cash"},
            {"settlement", "cash"},
            {"amount", amount},
            {"note", "bán ở chợ phiên"}};
  }

  std::unique_ptr<TestServer> server_;
  fixtures::WorkspaceIds ids_;
};

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_F(Declared, ReportedSaleIsInTheLedgerAndSelfDeclaredInTheExports) {
  Browser browser(*server_);
  ASSERT_TRUE(browser.sign_in("canbo"));
  auto form = browser.get("/quan-ly/tu-khai/ban-hang");
  ASSERT_TRUE(form);
  ASSERT_EQ(form->status, 200);
  EXPECT_TRUE(has(form->body, "<label for=\"amount\">"));
  EXPECT_TRUE(has(form->body, "Hộ Lương Thị Hoa"));
  EXPECT_FALSE(has(form->body, "value=\"storefront\""));  // the storefront records its own
  EXPECT_TRUE(figure(browser, "revenue_vnd")["numerator"].is_number());
  EXPECT_EQ(figure(browser, "revenue_vnd")["source"], "system");

  auto res = browser.post("/quan-ly/tu-khai/ban-hang", sale("150.000"));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 303) << res->body;
  EXPECT_EQ(res->get_header_value("Location"), "/quan-ly/tu-khai?da-luu=1");
  const int64_t officer = scalar("SELECT id FROM users WHERE login = 'canbo'");
  EXPECT_EQ(scalar("SELECT count(*) FROM sales_ledger WHERE source_kind = 'hand_entry' AND "
                   "amount_vnd = 150000 AND channel = 'cash' AND entered_by = " +
                   std::to_string(officer) + " AND producer_id = " +
                   std::to_string(ids_.producer_b) + " AND area_code = '01294'"),
            1);
  auto list = browser.get("/quan-ly/tu-khai");
  ASSERT_TRUE(list);
  EXPECT_TRUE(has(list->body, "150.000\xC2\xA0₫")) << list->body;
  EXPECT_TRUE(has(list->body, "Cán bộ Hà · bán ở chợ phiên"));

  const json revenue = figure(browser, "revenue_vnd");
  EXPECT_EQ(revenue["numerator"], 150000);
  EXPECT_EQ(revenue["source"], "self_declared");
  auto csv = browser.get(std::string(kApril) + "&format=csv");
  ASSERT_TRUE(csv);
  ASSERT_EQ(csv->status, 200);
  // The province's row of revenue_vnd: 150000, self-declared.
  const auto line = csv->body.find(",revenue_vnd,");
  ASSERT_NE(line, std::string::npos);
  const std::string row = csv->body.substr(line, csv->body.find('\n', line) - line);
  EXPECT_TRUE(has(row, ",150000,")) << row;
  EXPECT_TRUE(has(row, ",self_declared,")) << row;

  const auto entries = log();
  ASSERT_FALSE(entries.empty());
  EXPECT_EQ(entries.front().action, "sale.hand_entry");
  EXPECT_EQ(entries.front().producer_id, ids_.producer_b);
  EXPECT_TRUE(has(entries.front().subject, "150.000"));
}

TEST_F(Declared, ReversalIsANewRowAndHappensOnce) {
  Browser browser(*server_);
  ASSERT_TRUE(browser.sign_in("canbo"));
  ASSERT_EQ(browser.post("/quan-ly/tu-khai/ban-hang", sale("150000"))->status, 303);
  const int64_t id = scalar("SELECT id FROM sales_ledger WHERE source_kind = 'hand_entry'");
  const std::string path = "/quan-ly/tu-khai/ban-hang/" + std::to_string(id) + "/huy";
  auto no_reason = browser.post(path, {{"reason", ""}});
  ASSERT_TRUE(no_reason);
  EXPECT_EQ(no_reason->status, 400);
  EXPECT_TRUE(has(no_reason->body, "Hãy ghi lý do huỷ"));
  EXPECT_EQ(scalar("SELECT count(*) FROM sales_ledger"), 1);

  auto res = browser.post(path, {{"reason", "nhập nhầm số tiền"}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 303) << res->body;
  // The original is untouched; the reversal refers to it with the full negative amount.
  EXPECT_EQ(scalar("SELECT amount_vnd FROM sales_ledger WHERE id = " + std::to_string(id)), 150000);
  EXPECT_EQ(scalar("SELECT count(*) FROM sales_ledger WHERE refund_of = " + std::to_string(id) +
                   " AND amount_vnd = -150000"),
            1);
  EXPECT_EQ(figure(browser, "revenue_vnd")["numerator"], 0);
  auto list = browser.get("/quan-ly/tu-khai");
  ASSERT_TRUE(list);
  EXPECT_TRUE(has(list->body, "Đã huỷ: Huỷ nhập tay: nhập nhầm số tiền")) << list->body;
  auto again = browser.post(path, {{"reason", "lần nữa"}});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 409);
  EXPECT_EQ(scalar("SELECT count(*) FROM sales_ledger"), 2);
  auto unknown = browser.post("/quan-ly/tu-khai/ban-hang/999/huy", {{"reason", "x"}});
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(log().front().action, "sale.hand_entry.reverse");
}

TEST_F(Declared, BadInputIsRefusedWithAMessageAndNothingChanges) {
  Browser browser(*server_);
  ASSERT_TRUE(browser.sign_in("canbo"));
  const size_t logged = log().size();
  struct Case {
    const char* field;
    const char* value;
    const char* message;
  };
  for (const Case& c : {Case{"amount", "mười nghìn", "Số tiền phải là số nguyên"},
                        Case{"amount", "0", "Số tiền phải là số nguyên"},
                        Case{"amount", "99999999999", "Số tiền phải là số nguyên"},
                        Case{"date", "2026-05-02", "Ngày bán không được ở tương lai."},
                        Case{"date", "20/04/2026", "Ngày bán phải có dạng YYYY-MM-DD"},
                        Case{"channel", "storefront", "Hãy chọn kênh bán"},
                        Case{"settlement", "vàng", "Hãy chọn hình thức thanh toán."},
                        Case{"producer", "999", "Không có nhà sản xuất này."},
                        Case{"producer", "1; DROP TABLE sales_ledger", "Hãy chọn nhà sản xuất."}}) {
    auto params = sale("150.000");
    params.erase(c.field);
    params.emplace(c.field, c.value);
    auto res = browser.post("/quan-ly/tu-khai/ban-hang", params);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400) << c.field << " " << c.value;
    EXPECT_TRUE(has(res->body, c.message)) << c.field << " " << c.value;
    EXPECT_TRUE(has(res->body, "value=\"bán ở chợ phiên\"") ||
                has(res->body, "bán ở chợ phiên</textarea>"));
  }
  auto training = browser.post("/quan-ly/tu-khai/tap-huan", {{"held_on", "2026-04-10"},
                                                             {"area", "01294"},
                                                             {"title", "Bán hàng qua Zalo"},
                                                             {"participants", "-3"}});
  ASSERT_TRUE(training);
  EXPECT_EQ(training->status, 400);
  EXPECT_TRUE(has(training->body, "Số người tham gia phải là số nguyên"));
  auto area = browser.post("/quan-ly/tu-khai/tap-huan", {{"held_on", "2026-04-10"},
                                                         {"area", "99999"},
                                                         {"title", "Bán hàng qua Zalo"},
                                                         {"participants", "12"}});
  ASSERT_TRUE(area);
  EXPECT_EQ(area->status, 400);
  EXPECT_TRUE(has(area->body, "Không có địa bàn này vào ngày tập huấn.")) << area->body;
  EXPECT_EQ(scalar("SELECT count(*) FROM sales_ledger"), 0);
  EXPECT_EQ(scalar("SELECT count(*) FROM training_events"), 0);
  EXPECT_EQ(log().size(), logged);
}

TEST_F(Declared, TrainingEventIsRecordedAndSelfDeclared) {
  Browser browser(*server_);
  ASSERT_TRUE(browser.sign_in("admin"));
  auto form = browser.get("/quan-ly/tu-khai/tap-huan");
  ASSERT_TRUE(form);
  ASSERT_EQ(form->status, 200);
  EXPECT_TRUE(has(form->body, "<label for=\"participants\">"));
  auto res = browser.post("/quan-ly/tu-khai/tap-huan", {{"held_on", "2026-04-10"},
                                                        {"area", "01294"},
                                                        {"title", "Bán hàng qua Zalo"},
                                                        {"participants", "12"},
                                                        {"note", "nhà văn hoá xã"}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 303) << res->body;
  EXPECT_EQ(scalar("SELECT participants FROM training_events WHERE area_code = '01294' AND "
                   "held_on = '2026-04-10' AND entered_by IS NOT NULL"),
            12);
  auto list = browser.get("/quan-ly/tu-khai");
  ASSERT_TRUE(list);
  EXPECT_TRUE(has(list->body, "Bán hàng qua Zalo"));
  const json events = figure(browser, "training_events");
  EXPECT_EQ(events["numerator"], 1);
  EXPECT_EQ(events["source"], "self_declared");
  EXPECT_EQ(figure(browser, "training_participants")["numerator"], 12);
  EXPECT_EQ(log().front().action, "training.record");
}

TEST_F(Declared, ProducersAndFormsWithoutTokenAreRefused) {
  Browser producer(*server_);
  ASSERT_TRUE(producer.sign_in("nsp1"));
  for (const char* path :
       {"/quan-ly/tu-khai", "/quan-ly/tu-khai/ban-hang", "/quan-ly/tu-khai/tap-huan"}) {
    auto res = producer.get(path);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 403) << path;
  }
  auto post = producer.post("/quan-ly/tu-khai/ban-hang", sale("150000"));
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 403);
  Browser officer(*server_);
  ASSERT_TRUE(officer.sign_in("canbo"));
  auto forged = officer.post("/quan-ly/tu-khai/ban-hang", [&] {
    auto p = sale("150000");
    p.emplace("csrf_token", "khong-dung");
    return p;
  }());
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 403);
  EXPECT_EQ(scalar("SELECT count(*) FROM sales_ledger"), 0);
  Browser nobody(*server_);
  auto anon = nobody.get("/quan-ly/tu-khai");
  ASSERT_TRUE(anon);
  EXPECT_EQ(anon->status, 303);
}

}  // namespace
}  // namespace chophien::storefront
