// The producer's orders in the workspace over real HTTP: the list with its filters and paging,
// one order with the customer, items, amounts and history, marking paid, fulfilling and
// cancelling (each in the action log), helper mode, bad input and the refusals: another
// producer's order by URL or by a hidden field, missing or wrong CSRF token, no session.
#include <gtest/gtest.h>
#include <httplib.h>

#include <regex>
#include <string>

#include "core/audit.h"
#include "core/orders.h"
#include "core/text.h"
#include "storefront/auth.h"
#include "storefront/workspace_fixture.h"

namespace chophien::storefront {
namespace {

using fixtures::Browser;
using fixtures::WorkspaceIds;

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class WorkspaceOrdersTest : public ::testing::Test {
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

  std::string place(int64_t product, int64_t quantity, std::string customer = "Nguyễn Thị Mai") {
    auto db = server_->db().acquire_writer().value();
    return fixtures::place_order(*db, server_->clock(), product, quantity, std::move(customer));
  }

  core::Order order(const std::string& code) {
    auto db = server_->db().acquire().value();
    return core::OrderStore(*db, server_->clock()).find_by_code(code).value();
  }

  size_t events(const std::string& code) {
    auto db = server_->db().acquire().value();
    core::OrderStore orders(*db, server_->clock());
    return orders.events(orders.find_by_code(code)->id)->size();
  }

  int64_t stock(int64_t product) {
    auto db = server_->db().acquire().value();
    auto s = db->prepare("SELECT stock FROM products WHERE id = ?1").value();
    s.bind(1, product);
    EXPECT_TRUE(s.step().value());
    return s.column_int(0);
  }

  std::vector<core::AuditEntry> log() {
    auto db = server_->db().acquire().value();
    return core::AuditLog(*db, server_->clock()).recent(100).value();
  }

  static std::string page_of(const std::string& code) { return "/quan-ly/don-hang/" + code; }

  std::unique_ptr<TestServer> server_;
  WorkspaceIds ids_;
};

TEST_F(WorkspaceOrdersTest, TheListShowsOnlyTheProducersOrdersNewestFirst) {
  const std::string first = place(ids_.mien, 2, "Nguyễn Thị Mai");
  server_->clock().advance(3600);
  const std::string second = place(ids_.mien, 1, "Trần Văn Bình");
  const std::string theirs = place(ids_.che, 1, "Lê Thị Cúc");
  Browser browser(*server_);
  ASSERT_TRUE(browser.sign_in("nsp1"));
  auto res = browser.get("/quan-ly/don-hang");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_TRUE(has(res->body, "aria-current=\"page\">Đơn hàng</a>"));
  const auto at_first = res->body.find(first), at_second = res->body.find(second);
  ASSERT_NE(at_first, std::string::npos);
  ASSERT_NE(at_second, std::string::npos);
  EXPECT_LT(at_second, at_first);  // newest first
  EXPECT_FALSE(has(res->body, theirs));
  EXPECT_FALSE(has(res->body, "Lê Thị Cúc"));
  EXPECT_TRUE(has(res->body, "Nguyễn Thị Mai"));
  EXPECT_TRUE(has(res->body, core::format_vnd(240000)));
  EXPECT_TRUE(has(res->body, "120.000\u00a0₫"));
  EXPECT_TRUE(has(res->body, "01/05/2026 09:00"));
  EXPECT_TRUE(has(res->body, "Chờ thanh toán"));
}

TEST_F(WorkspaceOrdersTest, FiltersByStatusAndByDate) {
  const std::string may1 = place(ids_.mien, 1, "Khách ngày một");
  server_->clock().advance(2 * 86400);
  const std::string may3 = place(ids_.mien, 1, "Khách ngày ba");
  {
    auto db = server_->db().acquire_writer().value();
    core::OrderStore(*db, server_->clock())
        .mark_paid(may3, core::Actor::admin(1), "cash", 0, "")
        .value();
  }
  Browser browser(*server_);
  ASSERT_TRUE(browser.sign_in("nsp1"));
  auto paid = browser.get("/quan-ly/don-hang?trang_thai=paid");
  ASSERT_TRUE(paid);
  ASSERT_EQ(paid->status, 200);
  EXPECT_TRUE(has(paid->body, may3));
  EXPECT_FALSE(has(paid->body, may1));
  EXPECT_TRUE(has(paid->body, "<option value=\"paid\" selected>Đã thanh toán</option>"));

  auto day = browser.get("/quan-ly/don-hang?tu=2026-05-01&den=2026-05-01");
  ASSERT_TRUE(day);
  ASSERT_EQ(day->status, 200);
  EXPECT_TRUE(has(day->body, may1));
  EXPECT_FALSE(has(day->body, may3));
  auto later = browser.get("/quan-ly/don-hang?tu=2026-05-02");
  ASSERT_TRUE(later);
  EXPECT_TRUE(has(later->body, may3));
  EXPECT_FALSE(has(later->body, may1));
  auto none = browser.get("/quan-ly/don-hang?trang_thai=expired");
  ASSERT_TRUE(none);
  EXPECT_TRUE(has(none->body, "Không có đơn hàng nào khớp bộ lọc."));

  for (const char* bad : {"?tu=01/05/2026", "?den=2026-02-30", "?trang_thai=<b>x</b>",
                          "?tu=2026-05-03&den=2026-05-01", "?trang=0", "?trang=abc"}) {
    auto res = browser.get(std::string("/quan-ly/don-hang") + bad);
    ASSERT_TRUE(res) << bad;
    EXPECT_EQ(res->status, 400) << bad;
    EXPECT_TRUE(has(res->body, "class=\"alert\"")) << bad;
    EXPECT_FALSE(has(res->body, "<b>x</b>")) << bad;
    EXPECT_FALSE(has(res->body, may1)) << bad;
  }
}

TEST_F(WorkspaceOrdersTest, PagesOfThirty) {
  std::vector<std::string> codes;
  for (int i = 0; i < 31; ++i) {
    codes.push_back(place(ids_.mien, 1));
    server_->clock().advance(60);
  }
  Browser browser(*server_);
  ASSERT_TRUE(browser.sign_in("nsp1"));
  auto one = browser.get("/quan-ly/don-hang");
  ASSERT_TRUE(one);
  EXPECT_TRUE(has(one->body, codes[30]));
  EXPECT_TRUE(has(one->body, codes[1]));
  EXPECT_FALSE(has(one->body, codes[0]));
  EXPECT_TRUE(has(one->body, "href=\"/quan-ly/don-hang?trang=2\" rel=\"next\""));
  auto two = browser.get("/quan-ly/don-hang?trang=2");
  ASSERT_TRUE(two);
  EXPECT_EQ(two->status, 200);
  EXPECT_TRUE(has(two->body, codes[0]));
  EXPECT_FALSE(has(two->body, codes[1]));
  EXPECT_FALSE(has(two->body, "rel=\"next\""));
  EXPECT_TRUE(has(two->body, "rel=\"prev\""));
  // The filter is kept by the paging links.
  auto filtered = browser.get("/quan-ly/don-hang?trang_thai=pending_payment");
  ASSERT_TRUE(filtered);
  EXPECT_TRUE(has(filtered->body, "?trang=2&amp;trang_thai=pending_payment"));
}

TEST_F(WorkspaceOrdersTest, TheOrderPageShowsTheCustomerItemsAndHistory) {
  const std::string code = place(ids_.mien, 2, "Nguyễn <Thị> Mai");
  Browser browser(*server_);
  ASSERT_TRUE(browser.sign_in("nsp1"));
  auto res = browser.get(page_of(code));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_TRUE(has(res->body, "Nguyễn &lt;Thị&gt; Mai"));  // escaped
  EXPECT_FALSE(has(res->body, "<Thị>"));
  EXPECT_TRUE(has(res->body, "0987 654 321"));
  EXPECT_TRUE(has(res->body, "Giao tận nơi: Thôn Nà Pồng, xã Bảo Lâm"));
  EXPECT_TRUE(has(res->body, "Gọi trước khi giao"));
  EXPECT_TRUE(has(res->body, "Miến dong Bảo Lâm"));
  EXPECT_TRUE(has(res->body, core::format_vnd(240000)));
  EXPECT_TRUE(has(res->body, "Tạo đơn → Chờ thanh toán"));
  EXPECT_TRUE(has(res->body, "khách hàng"));
  EXPECT_TRUE(has(res->body, "01/05/2026 09:00"));
  // Pending: pay and cancel, not fulfil.
  EXPECT_TRUE(has(res->body, "action=\"/quan-ly/don-hang/" + code + "/thanh-toan\""));
  EXPECT_TRUE(has(res->body, "action=\"/quan-ly/don-hang/" + code + "/huy\""));
  EXPECT_FALSE(has(res->body, "/giao-hang\""));
}

TEST_F(WorkspaceOrdersTest, MarkPaidThenFulfilEachRecordedWithWhoAndWhen) {
  const std::string code = place(ids_.mien, 2);
  Browser browser(*server_);
  ASSERT_TRUE(browser.sign_in("nsp1"));
  ASSERT_TRUE(browser.get(page_of(code)));
  server_->clock().advance(600);
  auto paid = browser.post(
      page_of(code) + "/thanh-toan",
      {{"method", "bank_transfer"}, {"amount", "240.000"}, {"note", "thấy trong app ngân hàng"}});
  ASSERT_TRUE(paid);
  EXPECT_EQ(paid->status, 303) << paid->body;
  EXPECT_EQ(paid->get_header_value("Location"), page_of(code));
  auto o = order(code);
  EXPECT_EQ(o.status, core::OrderStatus::paid);
  EXPECT_EQ(o.paid_vnd, 240000);
  EXPECT_EQ(o.payment_method, "bank_transfer");

  auto page = browser.get(page_of(code));
  ASSERT_TRUE(page);
  EXPECT_TRUE(has(page->body, "<dd id=\"status\">Đã thanh toán</dd>"));
  EXPECT_TRUE(has(page->body, "Chờ thanh toán → Đã thanh toán"));
  EXPECT_TRUE(has(page->body, "<td>Chị Lan</td>"));
  EXPECT_TRUE(has(page->body, "01/05/2026 09:10"));
  EXPECT_TRUE(has(page->body, "thấy trong app ngân hàng"));
  EXPECT_TRUE(has(page->body, "Đã trả (Chuyển khoản)"));
  EXPECT_FALSE(has(page->body, code + "/thanh-toan\""));
  EXPECT_TRUE(has(page->body, "/giao-hang\""));
  EXPECT_TRUE(has(page->body, "/huy\""));

  auto sent = browser.post(page_of(code) + "/giao-hang", {{"note", ""}});
  ASSERT_TRUE(sent);
  EXPECT_EQ(sent->status, 303);
  EXPECT_EQ(order(code).status, core::OrderStatus::fulfilled);
  auto done = browser.get(page_of(code));
  ASSERT_TRUE(done);
  EXPECT_TRUE(has(done->body, "Đã thanh toán → Đã giao"));
  EXPECT_FALSE(has(done->body, "<form method=\"post\" action=\"/quan-ly/don-hang/"));

  auto entries = log();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[1].action, "order.mark_paid");
  EXPECT_EQ(entries[0].action, "order.fulfil");
  EXPECT_EQ(entries[0].subject, code);
  EXPECT_EQ(entries[0].producer_id, ids_.producer_a);
  EXPECT_FALSE(entries[0].on_behalf);
  EXPECT_EQ(entries[0].user_name, "Chị Lan");
}

TEST_F(WorkspaceOrdersTest, APartOfTheTotalKeepsTheOrderWaitingAndEmptyMeansTheRest) {
  const std::string code = place(ids_.mien, 2);
  Browser browser(*server_);
  ASSERT_TRUE(browser.sign_in("nsp1"));
  ASSERT_TRUE(browser.get(page_of(code)));
  auto part =
      browser.post(page_of(code) + "/thanh-toan", {{"method", "cash"}, {"amount", "100 000"}});
  ASSERT_TRUE(part);
  EXPECT_EQ(part->status, 303);
  EXPECT_EQ(order(code).status, core::OrderStatus::pending_payment);
  EXPECT_EQ(order(code).paid_vnd, 100000);
  auto page = browser.get(page_of(code));
  EXPECT_TRUE(has(page->body, "Còn thiếu"));
  EXPECT_TRUE(has(page->body, core::format_vnd(140000)));
  auto rest = browser.post(page_of(code) + "/thanh-toan", {{"method", "cash"}, {"amount", ""}});
  ASSERT_TRUE(rest);
  EXPECT_EQ(rest->status, 303);
  EXPECT_EQ(order(code).status, core::OrderStatus::paid);
  EXPECT_EQ(order(code).paid_vnd, 240000);
}

TEST_F(WorkspaceOrdersTest, BadInputIsRefusedWithAMessageAndNothingChanges) {
  const std::string code = place(ids_.mien, 2);
  Browser browser(*server_);
  ASSERT_TRUE(browser.sign_in("nsp1"));
  ASSERT_TRUE(browser.get(page_of(code)));
  const std::vector<std::pair<httplib::Params, std::string>> cases = {
      {{{"method", "cash"}, {"amount", "mười nghìn"}}, "Số tiền phải là một số đồng"},
      {{{"method", "cash"}, {"amount", "-5000"}}, "Số tiền không được âm."},
      {{{"method", "cash"}, {"amount", "99999999999999999999"}}, "Số tiền quá lớn"},
      {{{"method", "cash"}, {"amount", "10.000.000.001"}}, "Số tiền quá lớn"},
      {{{"method", "cash"}, {"amount", "0"}}, "Số tiền phải lớn hơn 0"},
      {{{"method", "the-cao"}, {"amount", ""}}, "Hãy chọn hình thức thanh toán"},
      {{{"amount", "1000"}}, "Hãy chọn hình thức thanh toán"},
      {{{"method", "cash"}, {"note", std::string(501, 'a')}}, "Ghi chú tối đa 500 ký tự."},
  };
  for (const auto& [params, message] : cases) {
    auto res = browser.post(page_of(code) + "/thanh-toan", params);
    ASSERT_TRUE(res) << message;
    EXPECT_EQ(res->status, 400) << message;
    EXPECT_TRUE(has(res->body, message)) << message << "\n" << res->body;
    EXPECT_TRUE(has(res->body, "<dd id=\"status\">Chờ thanh toán</dd>"));
  }
  // The typed amount is shown again, escaped.
  auto echoed = browser.post(page_of(code) + "/thanh-toan",
                             {{"method", "bank_transfer"}, {"amount", "<script>1"}});
  ASSERT_TRUE(echoed);
  EXPECT_TRUE(has(echoed->body, "value=\"&lt;script&gt;1\""));
  EXPECT_TRUE(has(echoed->body, "value=\"bank_transfer\" checked"));

  auto no_reason = browser.post(page_of(code) + "/huy", {{"note", "  "}});
  ASSERT_TRUE(no_reason);
  EXPECT_EQ(no_reason->status, 400);
  EXPECT_TRUE(has(no_reason->body, "Hãy ghi lý do huỷ đơn"));

  auto o = order(code);
  EXPECT_EQ(o.status, core::OrderStatus::pending_payment);
  EXPECT_EQ(o.paid_vnd, 0);
  EXPECT_EQ(events(code), 1u);
  EXPECT_EQ(stock(ids_.mien), 48);
  EXPECT_TRUE(log().empty());
}

TEST_F(WorkspaceOrdersTest, CancelGivesTheStockBackAndAStaleActionIsAConflict) {
  const std::string code = place(ids_.mien, 5);
  EXPECT_EQ(stock(ids_.mien), 45);
  Browser browser(*server_);
  ASSERT_TRUE(browser.sign_in("nsp1"));
  ASSERT_TRUE(browser.get(page_of(code)));
  auto cancelled = browser.post(page_of(code) + "/huy", {{"note", "Khách đổi ý"}});
  ASSERT_TRUE(cancelled);
  EXPECT_EQ(cancelled->status, 303);
  EXPECT_EQ(order(code).status, core::OrderStatus::cancelled);
  EXPECT_EQ(stock(ids_.mien), 50);
  auto page = browser.get(page_of(code));
  EXPECT_TRUE(has(page->body, "Chờ thanh toán → Đã huỷ"));
  EXPECT_TRUE(has(page->body, "Khách đổi ý"));

  // A form from before the cancel: 409 with a message, nothing changes.
  for (const char* action : {"/thanh-toan", "/giao-hang", "/huy"}) {
    auto stale = browser.post(page_of(code) + action, {{"method", "cash"}, {"note", "lần nữa"}});
    ASSERT_TRUE(stale);
    EXPECT_EQ(stale->status, 409) << action;
    EXPECT_TRUE(has(stale->body, "đang ở trạng thái “Đã huỷ”")) << stale->body;
  }
  EXPECT_EQ(order(code).paid_vnd, 0);
  EXPECT_EQ(events(code), 2u);
  EXPECT_EQ(stock(ids_.mien), 50);
  auto entries = log();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].action, "order.cancel");
}

TEST_F(WorkspaceOrdersTest, AnotherProducersOrderIsNotFoundAndNothingChanges) {
  const std::string mine = place(ids_.mien, 1);
  Browser other(*server_);
  ASSERT_TRUE(other.sign_in("nsp2"));
  auto unknown = other.get("/quan-ly/don-hang/CPZZZZZZZ");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  auto look = other.get(page_of(mine));
  ASSERT_TRUE(look);
  EXPECT_EQ(look->status, 404);
  // The same answer as for a code that does not exist (but for the request's id).
  static const std::regex request_id("r-[0-9a-f]+");
  EXPECT_EQ(std::regex_replace(look->body, request_id, ""),
            std::regex_replace(unknown->body, request_id, ""));
  EXPECT_FALSE(has(look->body, "Nguyễn Thị Mai"));
  for (const char* action : {"/thanh-toan", "/giao-hang", "/huy"}) {
    auto res = other.post(page_of(mine) + action, {{"method", "cash"}, {"note", "của tôi"}});
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 404) << action;
  }
  auto list = other.get("/quan-ly/don-hang");
  ASSERT_TRUE(list);
  EXPECT_FALSE(has(list->body, mine));
  EXPECT_EQ(order(mine).status, core::OrderStatus::pending_payment);
  EXPECT_EQ(events(mine), 1u);
  EXPECT_EQ(stock(ids_.mien), 49);
  EXPECT_TRUE(log().empty());
}

TEST_F(WorkspaceOrdersTest, AHiddenFieldNamingAnotherOrderChangesNothingOfIt) {
  const std::string theirs = place(ids_.che, 1);
  const std::string mine = place(ids_.mien, 1);
  Browser browser(*server_);
  ASSERT_TRUE(browser.sign_in("nsp1"));
  ASSERT_TRUE(browser.get(page_of(mine)));
  auto res = browser.post(page_of(mine) + "/thanh-toan",
                          {{"method", "cash"},
                           {"code", theirs},
                           {"order", theirs},
                           {"producer_id", std::to_string(ids_.producer_b)}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 303);
  EXPECT_EQ(order(mine).status, core::OrderStatus::paid);  // the order of the URL, its own
  EXPECT_EQ(order(theirs).status, core::OrderStatus::pending_payment);
  EXPECT_EQ(events(theirs), 1u);
  auto entries = log();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].subject, mine);
  EXPECT_EQ(entries[0].producer_id, ids_.producer_a);
}

TEST_F(WorkspaceOrdersTest, WithoutOrWithAWrongCsrfTokenNothingChanges) {
  const std::string code = place(ids_.mien, 1);
  Browser browser(*server_);
  ASSERT_TRUE(browser.sign_in("nsp1"));
  for (const char* action : {"/thanh-toan", "/giao-hang", "/huy"}) {
    for (const char* token : {"", "sai-ma"}) {
      httplib::Client client = server_->client();
      httplib::Params params{{"method", "cash"}, {"note", "x"}};
      if (*token) params.emplace("csrf_token", token);
      auto res = client.Post(page_of(code) + action,
                             {{"Cookie", "session=" + browser.cookies().at("session")}}, params);
      ASSERT_TRUE(res);
      EXPECT_EQ(res->status, 403) << action << " " << token;
    }
  }
  EXPECT_EQ(order(code).status, core::OrderStatus::pending_payment);
  EXPECT_EQ(events(code), 1u);
  EXPECT_TRUE(log().empty());
}

TEST_F(WorkspaceOrdersTest, WithoutASessionGetGoesToSignInAndPostIsRefused) {
  const std::string code = place(ids_.mien, 1);
  Browser browser(*server_);
  auto list = browser.get("/quan-ly/don-hang?trang_thai=paid");
  ASSERT_TRUE(list);
  EXPECT_EQ(list->status, 303);
  EXPECT_EQ(list->get_header_value("Location").rfind("/dang-nhap?next=/quan-ly/don-hang", 0), 0u);
  auto page = browser.get(page_of(code));
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 303);
  auto post = browser.post(page_of(code) + "/thanh-toan", {{"method", "cash"}});
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 401);
  EXPECT_EQ(order(code).status, core::OrderStatus::pending_payment);
}

TEST_F(WorkspaceOrdersTest, AnOfficerHelpingTheProducerMarksPaidAndTheHistoryNamesTheOfficer) {
  const std::string code = place(ids_.mien, 1);
  const std::string theirs = place(ids_.che, 1);
  Browser officer(*server_);
  ASSERT_TRUE(officer.sign_in("canbo"));
  // Not helping anyone: sent to pick a producer.
  auto not_yet = officer.get("/quan-ly/don-hang");
  ASSERT_TRUE(not_yet);
  EXPECT_EQ(not_yet->status, 303);
  EXPECT_EQ(not_yet->get_header_value("Location"), "/quan-ly");

  ASSERT_EQ(officer.post("/quan-ly/ho-tro/" + std::to_string(ids_.producer_a), {})->status, 303);
  auto list = officer.get("/quan-ly/don-hang");
  ASSERT_TRUE(list);
  ASSERT_EQ(list->status, 200);
  EXPECT_TRUE(has(list->body, code));
  EXPECT_FALSE(has(list->body, theirs));
  // Producer B's order stays out of reach while helping A.
  auto other = officer.get(page_of(theirs));
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 404);
  auto other_post = officer.post(page_of(theirs) + "/thanh-toan", {{"method", "cash"}});
  ASSERT_TRUE(other_post);
  EXPECT_EQ(other_post->status, 404);
  EXPECT_EQ(order(theirs).status, core::OrderStatus::pending_payment);

  auto paid = officer.post(page_of(code) + "/thanh-toan",
                           {{"method", "cash"}, {"note", "nhận tiền mặt giúp"}});
  ASSERT_TRUE(paid);
  EXPECT_EQ(paid->status, 303) << paid->body;
  EXPECT_EQ(order(code).status, core::OrderStatus::paid);
  auto page = officer.get(page_of(code));
  ASSERT_TRUE(page);
  EXPECT_TRUE(has(page->body, "<td>Cán bộ Hà (cán bộ)</td>")) << page->body;
  auto entries = log();
  ASSERT_EQ(entries.size(), 2u);  // helper.start, then the payment
  EXPECT_EQ(entries[0].action, "order.mark_paid");
  EXPECT_EQ(entries[0].subject, code);
  EXPECT_TRUE(entries[0].on_behalf);
  EXPECT_EQ(entries[0].producer_id, ids_.producer_a);
  EXPECT_EQ(entries[0].user_name, "Cán bộ Hà");

  // The producer sees the officer in the history too.
  Browser producer(*server_);
  ASSERT_TRUE(producer.sign_in("nsp1"));
  EXPECT_TRUE(has(producer.get(page_of(code))->body, "Cán bộ Hà (cán bộ)"));
}

// The core lets an administrator change any order; the page keeps one helping producer B to B's.
TEST_F(WorkspaceOrdersTest, AnAdministratorHelpingOneProducerCannotReachAnothersOrder) {
  const std::string code = place(ids_.mien, 1);
  Browser admin(*server_);
  ASSERT_TRUE(admin.sign_in("admin"));
  ASSERT_EQ(admin.post("/quan-ly/ho-tro/" + std::to_string(ids_.producer_b), {})->status, 303);
  auto page = admin.get(page_of(code));
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 404);
  for (const char* action : {"/thanh-toan", "/huy"}) {
    auto res = admin.post(page_of(code) + action, {{"method", "cash"}, {"note", "nhầm"}});
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 404) << action;
  }
  EXPECT_EQ(order(code).status, core::OrderStatus::pending_payment);
  EXPECT_EQ(stock(ids_.mien), 49);
  EXPECT_EQ(log().size(), 1u);  // helper.start only
}

TEST_F(WorkspaceOrdersTest, PagesStayUnderThirtyKilobytesWithTheCss) {
  std::vector<std::string> codes;
  for (int i = 0; i < 30; ++i) codes.push_back(place(ids_.mien, 1, "Nguyễn Thị Mai Anh"));
  Browser browser(*server_);
  ASSERT_TRUE(browser.sign_in("nsp1"));
  // A long history: partial payments, then paid.
  for (int i = 0; i < 5; ++i)
    browser.post(page_of(codes[0]) + "/thanh-toan", {{"method", "cash"}, {"amount", "10000"}});
  auto list = browser.get("/quan-ly/don-hang");
  ASSERT_TRUE(list);
  std::smatch m;
  static const std::regex css_re(R"re(href="(/static/style\.[0-9a-f]+\.css)")re");
  ASSERT_TRUE(std::regex_search(list->body, m, css_re));
  httplib::Client plain = server_->client();
  auto css = plain.Get(m[1].str());
  ASSERT_TRUE(css);
  EXPECT_LT(list->body.size() + css->body.size(), 30u * 1024);
  auto page = browser.get(page_of(codes[0]));
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_LT(page->body.size() + css->body.size(), 30u * 1024);
}

}  // namespace
}  // namespace chophien::storefront
