// The producer's money pages over real HTTP: received transfers and their match state, assigning
// an unmatched one to an order (which turns paid), connecting a notification service (keys never
// shown back), a sale entered by hand into the ledger, the printable stall QR and the shop link QR
// read back by zbarimg; and the refusals: another producer's transfer, no CSRF token, bad input,
// an officer in helper mode reaching for the keys.
#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/ledger.h"
#include "core/orders.h"
#include "core/payments.h"
#include "integrations/notification_accounts.h"
#include "integrations/secret_box.h"
#include "storefront/auth.h"
#include "storefront/workspace_fixture.h"

namespace chophien::storefront {
namespace {

using fixtures::Browser;

constexpr const char* kKey = "a-passphrase-of-more-than-32-characters-for-tests";

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// What zbarimg (an independent decoder) reads in a PNG; "" when nothing.
std::string zbar_text(const std::string& png) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("chophien-ws-qr-" + std::to_string(::getpid()) + ".png");
  std::ofstream(path, std::ios::binary) << png;
  std::string text;
  if (FILE* pipe = ::popen(("zbarimg --raw -q '" + path.string() + "' 2>/dev/null").c_str(), "r")) {
    char buf[512];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) text.append(buf, n);
    ::pclose(pipe);
  }
  std::filesystem::remove(path);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

class WorkspaceMoney : public ::testing::Test {
 protected:
  void SetUp() override {
    ApiOptions options;
    options.users.scrypt.n = 1024;
    set_api_options(options);
    Config config = TestServer::quiet_config();
    config.secret_key = kKey;
    server_ = std::make_unique<TestServer>(
        config, [this](core::Database& db) { ids_ = fixtures::prepare_workspace(db); });
    server_->clock().set(fixtures::workspace_now());
  }

  // An order of two packets of miến (240.000 ₫) from producer A, placed as a customer would.
  core::Order place_order() {
    auto db = server_->db().acquire_writer().value();
    core::CheckoutRequest request;
    request.items = {{ids_.mien, 2}};
    request.customer_name = "Nguyễn Thị Mai";
    request.customer_phone = "0912 345 678";
    return core::OrderStore(*db, server_->clock()).checkout(request).value().at(0).order;
  }

  // A transfer into producer A's account whose description carries `code` with its last
  // character (the check character) mistyped: kept as unmatched, for the producer to assign.
  core::Payment mistyped_transfer(const std::string& code, int64_t amount) {
    std::string wrong = code;
    wrong.back() = wrong.back() == 'A' ? 'B' : 'A';
    core::BankNotification n;
    n.producer_id = ids_.producer_a;
    n.provider = "sepay";
    n.provider_txn_id = "txn-" + wrong;
    n.amount_vnd = amount;
    n.account_number = "0011001234567";
    n.description = "MBVCB.123 " + wrong + " chuyen tien";
    n.raw_body = "{}";
    auto db = server_->db().acquire_writer().value();
    return core::PaymentStore(*db, server_->clock()).receive(n).value().payment;
  }

  core::Order order(const std::string& code) {
    auto db = server_->db().acquire().value();
    return core::OrderStore(*db, server_->clock()).find_by_code(code).value();
  }

  std::unique_ptr<TestServer> server_;
  fixtures::WorkspaceIds ids_;
};

TEST_F(WorkspaceMoney, ProducerAssignsAnUnmatchedTransferAndTheOrderTurnsPaid) {
  const core::Order placed = place_order();
  const core::Payment payment = mistyped_transfer(placed.code, 240000);
  ASSERT_EQ(payment.match_state, "unmatched");
  Browser browser(*server_);
  ASSERT_TRUE(browser.sign_in("nsp1"));
  auto page = browser.get("/quan-ly/thanh-toan");
  ASSERT_TRUE(page);
  ASSERT_EQ(page->status, 200);
  EXPECT_TRUE(has(page->body, "Chưa khớp"));
  EXPECT_TRUE(has(page->body, "240.000"));
  const std::string assign = "/quan-ly/thanh-toan/" + std::to_string(payment.id) + "/gan";
  EXPECT_TRUE(has(page->body, "action=\"" + assign + "\""));

  auto empty = browser.post(assign, {{"code", " "}});
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->status, 400);
  auto unknown = browser.post(assign, {{"code", "CPZZZZZZ"}});
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(order(placed.code).status, core::OrderStatus::pending_payment);

  auto done = browser.post(assign, {{"code", placed.code}});
  ASSERT_TRUE(done);
  EXPECT_EQ(done->status, 200);
  EXPECT_TRUE(has(done->body, "Đã gán giao dịch 240.000")) << done->body;
  EXPECT_EQ(order(placed.code).status, core::OrderStatus::paid);
  auto again = browser.post(assign, {{"code", placed.code}});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 409);
}

TEST_F(WorkspaceMoney, AnotherProducerNeitherSeesNorAssignsTheTransfer) {
  const core::Order placed = place_order();
  const core::Payment payment = mistyped_transfer(placed.code, 240000);
  Browser browser(*server_);
  ASSERT_TRUE(browser.sign_in("nsp2"));
  auto page = browser.get("/quan-ly/thanh-toan");
  ASSERT_TRUE(page);
  EXPECT_FALSE(has(page->body, "240.000"));
  auto res = browser.post("/quan-ly/thanh-toan/" + std::to_string(payment.id) + "/gan",
                          {{"code", placed.code}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_EQ(order(placed.code).status, core::OrderStatus::pending_payment);
  // Without the CSRF token, even the owner changes nothing.
  Browser owner(*server_);
  ASSERT_TRUE(owner.sign_in("nsp1"));
  auto forged = owner.post("/quan-ly/thanh-toan/" + std::to_string(payment.id) + "/gan",
                           {{"code", placed.code}, {"csrf_token", "00"}});
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 403);
  EXPECT_EQ(order(placed.code).status, core::OrderStatus::pending_payment);
}

TEST_F(WorkspaceMoney, ConnectingAServiceKeepsTheKeySealedAndShowsTheWebhookUrl) {
  Browser browser(*server_);
  ASSERT_TRUE(browser.sign_in("nsp1"));
  auto page = browser.get("/quan-ly/thanh-toan");
  ASSERT_TRUE(page);
  EXPECT_TRUE(has(page->body, "/hooks/sepay")) << page->body;
  auto bad = browser.post("/quan-ly/thanh-toan/ket-noi/casso",
                          {{"secret", "short"}, {"password", fixtures::kWorkspacePassword}});
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  const std::string secret = "casso-webhook-secret-Xy12";
  auto res = browser.post("/quan-ly/thanh-toan/ket-noi/casso",
                          {{"secret", secret}, {"password", fixtures::kWorkspacePassword}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_TRUE(has(res->body, "Đã lưu kết nối casso"));
  EXPECT_TRUE(has(res->body, "Xy12"));   // the last four, as a hint
  EXPECT_FALSE(has(res->body, secret));  // never the whole key
  auto stored = server_->db().acquire().value();
  auto s = stored->prepare("SELECT count(*) FROM notification_connections").value();
  ASSERT_TRUE(s.step().value());
  EXPECT_EQ(s.column_int(0), 1);
}

// After the installation's key changed, a stored connection no longer opens: the payments page
// says so and asks for the keys again, instead of showing it as connected.
TEST_F(WorkspaceMoney, ThePaymentsPageAsksToConnectAgainAfterTheKeyChanged) {
  {
    auto other = integrations::SecretBox::from_key(std::string(64, 'd')).value();
    auto db = server_->db().acquire_writer().value();
    integrations::NotificationAccounts accounts(*db, server_->clock(), &other);
    ASSERT_TRUE(accounts.connect(ids_.producer_a, "casso", {{"secret", "casso-secret-Ab12"}}));
  }
  Browser browser(*server_);
  ASSERT_TRUE(browser.sign_in("nsp1"));
  auto page = browser.get("/quan-ly/thanh-toan");
  ASSERT_TRUE(page);
  ASSERT_EQ(page->status, 200);
  EXPECT_TRUE(has(page->body, "Cần kết nối lại")) << page->body;
  EXPECT_FALSE(has(page->body, "Đã kết nối lúc"));
  ASSERT_EQ(browser
                .post("/quan-ly/thanh-toan/ket-noi/casso",
                      {{"secret", "casso-secret-Ab12"}, {"password", fixtures::kWorkspacePassword}})
                ->status,
            200);
  page = browser.get("/quan-ly/thanh-toan");
  EXPECT_FALSE(has(page->body, "Cần kết nối lại"));
  EXPECT_TRUE(has(page->body, "Đã kết nối lúc"));
}

TEST_F(WorkspaceMoney, ConnectingAServiceAsksForTheProducersPassword) {
  Browser browser(*server_);
  ASSERT_TRUE(browser.sign_in("nsp1"));
  auto page = browser.get("/quan-ly/thanh-toan");
  ASSERT_TRUE(page);
  EXPECT_TRUE(has(page->body, "Mật khẩu của bạn (để xác nhận)"));
  auto missing =
      browser.post("/quan-ly/thanh-toan/ket-noi/casso", {{"secret", "casso-secret-Xy12"}});
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 400);
  EXPECT_TRUE(has(missing->body, "Hãy nhập mật khẩu của bạn để xác nhận kết nối casso."));
  auto wrong = browser.post("/quan-ly/thanh-toan/ket-noi/casso",
                            {{"secret", "casso-secret-Xy12"}, {"password", "doan-bua"}});
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 403);
  EXPECT_TRUE(has(wrong->body, "Mật khẩu không đúng. Kết nối casso chưa đổi."));
  auto stored = server_->db().acquire().value();
  auto s = stored->prepare("SELECT count(*) FROM notification_connections").value();
  ASSERT_TRUE(s.step().value());
  EXPECT_EQ(s.column_int(0), 0);
}

TEST_F(WorkspaceMoney, AnOfficerHelpingAProducerDoesNotTouchTheKeys) {
  Browser browser(*server_);
  ASSERT_TRUE(browser.sign_in("canbo"));
  ASSERT_EQ(browser.post("/quan-ly/ho-tro/" + std::to_string(ids_.producer_a), {})->status, 303);
  auto page = browser.get("/quan-ly/thanh-toan");
  ASSERT_TRUE(page);
  ASSERT_EQ(page->status, 200);
  EXPECT_FALSE(has(page->body, "/quan-ly/thanh-toan/ket-noi/"));
  auto res =
      browser.post("/quan-ly/thanh-toan/ket-noi/casso", {{"secret", "casso-webhook-secret-Xy12"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
}

TEST_F(WorkspaceMoney, ASaleEnteredByHandGoesIntoTheLedgerOnce) {
  Browser browser(*server_);
  ASSERT_TRUE(browser.sign_in("nsp1"));
  browser.get("/quan-ly/ban-hang");
  for (const auto& [field, value] :
       std::vector<std::pair<std::string, std::string>>{{"amount", "0"},
                                                        {"amount", "abc"},
                                                        {"date", "2026-05-02"},
                                                        {"date", "2026-13-01"},
                                                        {"channel", "storefront"},
                                                        {"settlement", "gold"}}) {
    httplib::Params form = {{"date", "2026-04-30"},
                            {"channel", "cash"},
                            {"settlement", "cash"},
                            {"amount", "240.000"},
                            {"note", "Chợ phiên Pác Miầu"}};
    form.erase(field);
    form.emplace(field, value);
    auto res = browser.post("/quan-ly/ban-hang", form);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400) << field << "=" << value;
  }
  auto res = browser.post("/quan-ly/ban-hang", {{"date", "2026-04-30"},
                                                {"channel", "cash"},
                                                {"settlement", "cash"},
                                                {"amount", "240.000"},
                                                {"note", "Chợ phiên Pác Miầu"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 303);
  auto db = server_->db().acquire().value();
  core::LedgerQuery query;
  query.producer_id = ids_.producer_a;
  auto rows = core::Ledger(*db, server_->clock()).list(query).value();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].amount_vnd, 240000);
  EXPECT_EQ(rows[0].channel, "cash");
  EXPECT_EQ(rows[0].source_kind, "hand_entry");
  auto page = browser.get("/quan-ly/ban-hang");
  ASSERT_TRUE(page);
  EXPECT_TRUE(has(page->body, "Chợ phiên Pác Miầu"));
  EXPECT_TRUE(has(page->body, "30/04/2026"));
}

TEST_F(WorkspaceMoney, StallQrAndShopLinkQrReadBack) {
  Browser browser(*server_);
  ASSERT_TRUE(browser.sign_in("nsp1"));
  auto page = browser.get("/quan-ly/ma-qr");
  ASSERT_TRUE(page);
  ASSERT_EQ(page->status, 200);
  const std::string src = "/image/970436-0011001234567-print.png?accountName=HTX+NONG+SAN+BAO+LAM";
  EXPECT_TRUE(has(page->body, "src=\"" + src + "\"")) << page->body;
  httplib::Client client = server_->client();
  auto stall = client.Get(src);
  ASSERT_TRUE(stall);
  ASSERT_EQ(stall->status, 200);
  const std::string payload = zbar_text(stall->body);
  EXPECT_TRUE(has(payload, "0011001234567")) << payload;
  EXPECT_TRUE(has(payload, "970436")) << payload;

  auto link = browser.get("/quan-ly/ma-qr/cua-hang.png");
  ASSERT_TRUE(link);
  ASSERT_EQ(link->status, 200);
  EXPECT_EQ(zbar_text(link->body),
            server_->config().base_url() + "/nha-san-xuat/" + std::to_string(ids_.producer_a));
}

}  // namespace
}  // namespace chophien::storefront
