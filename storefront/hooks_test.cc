// POST /hooks/sepay|casso|payos end to end over real HTTP on 127.0.0.1: each service's signed
// notifications (built here exactly as the service documents, so a wrong signature fails) pay
// orders made through checkout; every refusal stores nothing; reconciliation against a local fake
// transaction list recovers a lost webhook; payOS links against a local fake payOS.
#include "storefront/hooks.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/orders.h"
#include "core/payments.h"
#include "core/users.h"
#include "integrations/casso.h"
#include "integrations/notification_accounts.h"
#include "integrations/payos.h"
#include "integrations/reconcile.h"
#include "integrations/secret_box.h"
#include "integrations/sepay.h"
#include "storefront/auth.h"
#include "storefront/test_server.h"

namespace chophien::storefront {
namespace {

using nlohmann::json;
namespace in = integrations;

const std::string kKey(64, 'c');
constexpr const char* kAccount = "0071000888888";
constexpr const char* kOtherAccount = "1903555666777";
constexpr int64_t kPrice = 150000;

void seed(core::Database& db) {
  db.exec(
        "INSERT OR IGNORE INTO areas (code, valid_from, valid_to, level, name_vi, full_name_vi) "
        "VALUES ('01290', '2025-07-01', NULL, 'commune', 'Bảo Lâm', 'Xã Bảo Lâm')")
      .value();
  for (const char* account : {kAccount, kOtherAccount}) {
    auto s = db.prepare(
        "INSERT INTO producers (name, entity_type, area_code, area_valid_from, phone, address, "
        "bank_bin, bank_account, bank_holder, created_at, status) VALUES ('HTX ' || ?1, "
        "'cooperative', '01290', '2025-07-01', '0912345678', '', '970436', ?1, 'HTX NONG SAN', "
        "0, 'active')");
    s->bind(1, account);
    s->run().value();
    auto p = db.prepare(
        "INSERT INTO products (producer_id, sku, name, name_key, ocop_group, unit, price_vnd, "
        "stock, status, created_at, updated_at) VALUES (?1, 'SKU-' || ?1, 'Miến dong', 'mien "
        "dong', 'G1', 'gói', ?2, 1000, 'active', 0, 0)");
    p->bind(1, db.last_insert_id()).bind(2, kPrice);
    p->run().value();
  }
}

class Hooks : public ::testing::Test {
 protected:
  void SetUp() override {
    HooksOptions options;
    options.rejections_per_minute = 1000;
    set_hooks_options(options);
    Config config = TestServer::quiet_config();
    config.secret_key = kKey;
    server_ = std::make_unique<TestServer>(config, seed);
    box_ = std::make_unique<in::SecretBox>(in::SecretBox::from_key(kKey).value());
  }

  int64_t now() { return server_->clock().now(); }

  void connect(const char* provider, const json& settings, int64_t producer = 1) {
    auto db = server_->db().acquire().value();
    in::NotificationAccounts accounts(db, server_->clock(), box_.get());
    ASSERT_TRUE(accounts.connect(producer, provider, settings).has_value());
  }

  core::PlacedOrder place(int64_t product = 1, int64_t quantity = 1) {
    auto db = server_->db().acquire().value();
    core::OrderStore orders(db, server_->clock());
    core::CheckoutRequest request;
    request.items = {{product, quantity}};
    request.customer_name = "Nguyễn Thị Mai";
    request.customer_phone = "0912345678";
    auto placed = orders.checkout(request);
    EXPECT_TRUE(placed.has_value()) << placed.error().message;
    return placed.value().front();
  }

  core::Order order(const std::string& code) {
    auto db = server_->db().acquire().value();
    return core::OrderStore(db, server_->clock()).find_by_code(code).value();
  }

  std::vector<core::Payment> payments() {
    auto db = server_->db().acquire().value();
    return core::PaymentStore(db, server_->clock()).list({}).value();
  }

  int64_t ledger_rows() {
    auto db = server_->db().acquire().value();
    auto s = db->prepare("SELECT COUNT(*) FROM sales_ledger");
    if (!s) return -1;
    return s->step().value() ? s->column_int(0) : -1;
  }

  httplib::Result post(const std::string& path, const std::string& body,
                       const httplib::Headers& headers = {}) {
    return server_->client().Post(path, headers, body, "application/json");
  }

  // SePay in HMAC mode, signed as SePay documents.
  httplib::Result sepay_hmac(const std::string& body, const std::string& secret = "sepay-hmac-1",
                             std::optional<int64_t> ts = {}, int64_t producer = 1) {
    std::string t = std::to_string(ts.value_or(now()));
    return post(
        "/hooks/sepay?producer=" + std::to_string(producer), body,
        {{"X-SePay-Timestamp", t}, {"X-SePay-Signature", in::sepay_signature(secret, t, body)}});
  }

  static std::string sepay_body(int64_t id, const std::string& content, int64_t amount,
                                const std::string& type = "in",
                                const std::string& account = kAccount) {
    return json{{"id", id},
                {"gateway", "Vietcombank"},
                {"transactionDate", "2025-07-01 07:10:00"},
                {"accountNumber", account},
                {"subAccount", nullptr},
                {"code", nullptr},
                {"content", content},
                {"transferType", type},
                {"transferAmount", amount},
                {"accumulated", 9000000},
                {"referenceCode", "FT" + std::to_string(id)},
                {"description", "BIDV " + content}}
        .dump();
  }

  std::string metrics() { return server_->client().Get("/metrics")->body; }

  std::unique_ptr<TestServer> server_;
  std::unique_ptr<in::SecretBox> box_;
};

TEST_F(Hooks, SepayApiKeyNotificationPaysTheOrder) {
  connect("sepay", {{"mode", "apikey"}, {"api_key", "SEPAYKEY-abc-12345"}});
  auto placed = place();
  auto res = post("/hooks/sepay?producer=1",
                  sepay_body(501, "MBVCB.123." + placed.order.code + ".CT tu 0123", kPrice),
                  {{"Authorization", "Apikey SEPAYKEY-abc-12345"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(json::parse(res->body), json::parse(R"({"success":true})"));
  EXPECT_EQ(order(placed.order.code).status, core::OrderStatus::paid);
  auto list = payments();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].match_state, "matched");
  EXPECT_EQ(list[0].provider_txn_id, "501");
}

TEST_F(Hooks, SepayHmacCassoAndPayosNotificationsPayTheirOrders) {
  connect("sepay", {{"mode", "hmac"}, {"secret", "sepay-hmac-1"}});
  connect("casso", {{"secret", "casso-secret-1"}});
  connect("payos", {{"client_id", "client-1"},
                    {"api_key", "payos-api-key-1"},
                    {"checksum_key", "payos-checksum-1"}});
  auto a = place(), b = place(), c = place();

  auto r1 = sepay_hmac(sepay_body(601, "thanh toan " + a.order.code, kPrice));
  ASSERT_TRUE(r1);
  EXPECT_EQ(r1->status, 200) << r1->body;

  json casso = {{"error", 0},
                {"data",
                 {{"id", 7001},
                  {"reference", "FT7001"},
                  {"description", "CT DEN:0123 " + b.order.code + " chuyen tien"},
                  {"amount", kPrice},
                  {"runningBalance", 1000000},
                  {"transactionDateTime", "2025-07-01 07:11:00"},
                  {"accountNumber", kAccount},
                  {"bankName", "Vietcombank"},
                  {"counterAccountName", "NGUYEN THI MAI"}}}};
  // Casso's serializer order differs from ours; the signature is over the sorted form.
  auto r2 = post("/hooks/casso?producer=1", casso.dump(2),
                 {{"X-Casso-Signature",
                   in::casso_signature_header("casso-secret-1", now() * 1000 + 123, casso)}});
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->status, 200) << r2->body;

  json data = {{"orderCode", c.order.id},
               {"amount", kPrice},
               {"description", c.order.code},
               {"accountNumber", kAccount},
               {"reference", "TF2507010001"},
               {"transactionDateTime", "2025-07-01 07:12:00"},
               {"currency", "VND"},
               {"paymentLinkId", "plink-1"},
               {"code", "00"},
               {"desc", "success"},
               {"counterAccountBankId", nullptr},
               {"counterAccountBankName", nullptr},
               {"counterAccountName", nullptr},
               {"counterAccountNumber", nullptr},
               {"virtualAccountName", nullptr},
               {"virtualAccountNumber", nullptr}};
  json payos = {{"code", "00"},
                {"desc", "success"},
                {"success", true},
                {"data", data},
                {"signature", in::payos_data_signature("payos-checksum-1", data)}};
  auto r3 = post("/hooks/payos?producer=1", payos.dump());
  ASSERT_TRUE(r3);
  EXPECT_EQ(r3->status, 200) << r3->body;

  for (const auto& placed : {a, b, c}) {
    EXPECT_EQ(order(placed.order.code).status, core::OrderStatus::paid) << placed.order.code;
  }
  EXPECT_EQ(payments().size(), 3u);
  EXPECT_NE(metrics().find(
                R"(chophien_webhook_notifications_total{provider="casso",result="matched"} 1)"),
            std::string::npos);
}

TEST_F(Hooks, EveryRefusalStoresNothing) {
  connect("sepay", {{"mode", "hmac"}, {"secret", "sepay-hmac-1"}});
  connect("casso", {{"secret", "casso-secret-1"}});
  connect("payos", {{"client_id", "client-1"},
                    {"api_key", "payos-api-key-1"},
                    {"checksum_key", "payos-checksum-1"}});
  connect("sepay", {{"mode", "apikey"}, {"api_key", "SEPAYKEY-of-two"}}, 2);
  auto placed = place();
  const std::string good = sepay_body(701, placed.order.code, kPrice);
  auto status_of = [](const httplib::Result& r) { return r ? r->status : -1; };

  // Wrong key, wrong signature, changed body, old timestamp, a timestamp from the future.
  EXPECT_EQ(status_of(post("/hooks/sepay?producer=2", sepay_body(702, "x", 1, "in", kOtherAccount),
                           {{"Authorization", "Apikey SEPAYKEY-of-one"}})),
            401);
  EXPECT_EQ(status_of(sepay_hmac(good, "sepay-hmac-2")), 401);
  {
    std::string t = std::to_string(now());
    std::string changed = good;
    changed.replace(changed.find("150000"), 6, "150001");
    EXPECT_EQ(
        status_of(post("/hooks/sepay?producer=1", changed,
                       {{"X-SePay-Timestamp", t},
                        {"X-SePay-Signature", in::sepay_signature("sepay-hmac-1", t, good)}})),
        401);
  }
  EXPECT_EQ(status_of(sepay_hmac(good, "sepay-hmac-1", now() - 301)), 401);
  EXPECT_EQ(status_of(sepay_hmac(good, "sepay-hmac-1", now() + 3600)), 401);
  // No producer in the URL, an unknown producer, a service that producer did not connect.
  EXPECT_EQ(status_of(post("/hooks/sepay", good)), 401);
  EXPECT_EQ(status_of(sepay_hmac(good, "sepay-hmac-1", {}, 99)), 401);
  EXPECT_EQ(status_of(post("/hooks/casso?producer=2", "{}", {{"X-Casso-Signature", "t=1,v1=00"}})),
            401);
  // Correctly signed, but malformed, missing fields, negative, or not VND.
  EXPECT_EQ(status_of(sepay_hmac("{\"id\": 703, ")), 400);
  EXPECT_EQ(
      status_of(sepay_hmac(R"({"id":704,"transferType":"in","accountNumber":"0071000888888"})")),
      400);
  EXPECT_EQ(status_of(sepay_hmac(sepay_body(705, placed.order.code, -kPrice))), 400);
  {
    json data = {
        {"orderCode", placed.order.id}, {"amount", kPrice},      {"description", placed.order.code},
        {"accountNumber", kAccount},    {"reference", "TF-USD"}, {"currency", "USD"}};
    json body = {{"code", "00"},
                 {"data", data},
                 {"signature", in::payos_data_signature("payos-checksum-1", data)}};
    EXPECT_EQ(status_of(post("/hooks/payos?producer=1", body.dump())), 400);
    body["signature"] = in::payos_data_signature("payos-checksum-2", data);
    EXPECT_EQ(status_of(post("/hooks/payos?producer=1", body.dump())), 401);
  }
  {
    json casso = {{"error", 0},
                  {"data",
                   {{"id", 7002},
                    {"description", placed.order.code},
                    {"amount", kPrice},
                    {"accountNumber", kAccount}}}};
    auto header = in::casso_signature_header("casso-secret-1", (now() - 600) * 1000, casso);
    EXPECT_EQ(
        status_of(post("/hooks/casso?producer=1", casso.dump(), {{"X-Casso-Signature", header}})),
        401);
  }
  // Signed, but into another producer's account.
  EXPECT_EQ(status_of(sepay_hmac(sepay_body(706, placed.order.code, kPrice, "in", kOtherAccount))),
            403);
  // A huge body (over the hooks limit, under the server's).
  std::string huge = sepay_body(707, placed.order.code + std::string(100 * 1024, ' '), kPrice);
  EXPECT_EQ(status_of(sepay_hmac(huge)), 413);

  EXPECT_TRUE(payments().empty());
  EXPECT_EQ(order(placed.order.code).status, core::OrderStatus::pending_payment);
  EXPECT_EQ(order(placed.order.code).paid_vnd, 0);
  const std::string m = metrics();
  EXPECT_NE(
      m.find(R"(chophien_webhook_rejections_total{provider="sepay",reason="unauthenticated"})"),
      std::string::npos);
  EXPECT_NE(
      m.find(R"(chophien_webhook_rejections_total{provider="sepay",reason="invalid_input"} 3)"),
      std::string::npos)
      << m;
}

// Forgeries on a producer's webhook are limited there; the service's authentic notification is
// checked before any 429 and always gets through, even while the forgeries are limited.
TEST_F(Hooks, RefusalsOnOneWebhookAreRateLimitedButNeverAnAuthenticNotification) {
  HooksOptions options;
  options.rejections_per_minute = 3;
  set_hooks_options(options);
  connect("sepay", {{"mode", "hmac"}, {"secret", "sepay-hmac-1"}});
  auto placed = place();
  const std::string good = sepay_body(801, placed.order.code, kPrice);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(sepay_hmac(good, "wrong-secret-x")->status, 401);
  auto limited = sepay_hmac(good, "wrong-secret-x");
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->status, 429);
  EXPECT_FALSE(limited->get_header_value("Retry-After").empty());
  EXPECT_TRUE(payments().empty());
  auto real = sepay_hmac(good);
  ASSERT_TRUE(real);
  EXPECT_EQ(real->status, 200) << real->body;
  EXPECT_EQ(order(placed.order.code).status, core::OrderStatus::paid);
  EXPECT_EQ(sepay_hmac(good, "wrong-secret-x")->status, 429);  // still limited for forgeries
  server_->clock().advance(61);
  EXPECT_EQ(sepay_hmac(good, "wrong-secret-x")->status, 401);
}

// The limit is per producer's webhook: forgeries against one producer, from the same address, do
// not limit another producer's webhook.
TEST_F(Hooks, ForgeriesOnOneProducersWebhookDoNotLimitAnothers) {
  HooksOptions options;
  options.rejections_per_minute = 3;
  set_hooks_options(options);
  connect("sepay", {{"mode", "hmac"}, {"secret", "sepay-hmac-1"}}, 1);
  connect("sepay", {{"mode", "hmac"}, {"secret", "sepay-hmac-2"}}, 2);
  const std::string body = sepay_body(802, "ban hang", 50000, "in", kOtherAccount);
  for (int i = 0; i < 5; ++i) sepay_hmac(body, "forged-secret", std::nullopt, 1);
  EXPECT_EQ(sepay_hmac(body, "forged-secret", std::nullopt, 1)->status, 429);
  EXPECT_EQ(sepay_hmac(body, "forged-secret", std::nullopt, 2)->status, 401);
  EXPECT_EQ(sepay_hmac(body, "sepay-hmac-2", std::nullopt, 2)->status, 200);
}

// Producer ids in a URL are the sender's choice: requests for connections that do not exist are
// counted by the sender's address, not one entry per id, and do not limit a real webhook.
TEST_F(Hooks, RequestsForConnectionsThatDoNotExistAreCountedByAddress) {
  HooksOptions options;
  options.rejections_per_minute = 3;
  set_hooks_options(options);
  connect("sepay", {{"mode", "hmac"}, {"secret", "sepay-hmac-1"}});
  const std::string body = sepay_body(804, "ban hang", 50000);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(sepay_hmac(body, "x", std::nullopt, 1000 + i)->status, 401);
  }
  EXPECT_EQ(sepay_hmac(body, "x", std::nullopt, 2000)->status, 429);
  EXPECT_EQ(sepay_hmac(body, "x", std::nullopt, 1)->status, 401);  // the real webhook's count
  EXPECT_EQ(sepay_hmac(body)->status, 200);
}

TEST_F(Hooks, TheSameNotificationTwiceAtOnceMakesOnePayment) {
  connect("sepay", {{"mode", "hmac"}, {"secret", "sepay-hmac-1"}});
  auto placed = place();
  const std::string body = sepay_body(901, placed.order.code, kPrice);
  const int64_t ledger_before = ledger_rows();
  std::atomic<bool> go{false};
  std::vector<int> statuses(2);
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([&, i] {
      while (!go.load()) std::this_thread::yield();
      auto r = sepay_hmac(body);
      statuses[i] = r ? r->status : -1;
    });
  }
  go = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(statuses[0], 200);
  EXPECT_EQ(statuses[1], 200);
  // And once more, later: the success answer, nothing changed.
  EXPECT_EQ(sepay_hmac(body)->status, 200);
  EXPECT_EQ(payments().size(), 1u);
  auto o = order(placed.order.code);
  EXPECT_EQ(o.status, core::OrderStatus::paid);
  EXPECT_EQ(o.paid_vnd, kPrice);
  EXPECT_EQ(ledger_rows(), ledger_before + 1);
}

TEST_F(Hooks, PartialThenCompletingOverpaidLateStallAndOutgoing) {
  connect("sepay", {{"mode", "hmac"}, {"secret", "sepay-hmac-1"}});
  auto partial = place(), over = place(), late = place();

  EXPECT_EQ(sepay_hmac(sepay_body(1001, partial.order.code, 100000))->status, 200);
  EXPECT_EQ(order(partial.order.code).status, core::OrderStatus::pending_payment);
  EXPECT_EQ(order(partial.order.code).paid_vnd, 100000);
  EXPECT_EQ(sepay_hmac(sepay_body(1002, partial.order.code, 50000))->status, 200);
  EXPECT_EQ(order(partial.order.code).status, core::OrderStatus::paid);

  EXPECT_EQ(sepay_hmac(sepay_body(1003, over.order.code, 200000))->status, 200);
  EXPECT_EQ(order(over.order.code).status, core::OrderStatus::paid);
  EXPECT_TRUE(order(over.order.code).overpaid);

  EXPECT_EQ(sepay_hmac(sepay_body(1004, "ung ho ba con", 70000))->status, 200);
  EXPECT_EQ(sepay_hmac(sepay_body(1005, "chuyen tien dien", 300000, "out"))->status, 200);

  server_->clock().advance(3 * 3600);
  {
    auto db = server_->db().acquire().value();
    ASSERT_GE(core::OrderStore(db, server_->clock()).expire_due().value(), 1);
  }
  EXPECT_EQ(sepay_hmac(sepay_body(1006, late.order.code, kPrice))->status, 200);
  EXPECT_EQ(order(late.order.code).status, core::OrderStatus::expired);

  std::map<std::string, std::string> state_of;
  for (const auto& p : payments()) state_of[p.provider_txn_id] = p.match_state;
  EXPECT_EQ(state_of["1001"], "partial");
  EXPECT_EQ(state_of["1002"], "matched");
  EXPECT_EQ(state_of["1003"], "overpaid");
  EXPECT_EQ(state_of["1004"], "stall");
  EXPECT_EQ(state_of["1005"], "ignored");
  EXPECT_EQ(state_of["1006"], "late");
}

// A local fake of SePay's transaction list, answering with the Bearer token it expects.
class FakeSepay {
 public:
  FakeSepay(std::string token, json transactions)
      : token_(std::move(token)), transactions_(std::move(transactions)) {
    server_.Get("/userapi/transactions/list", [this](const httplib::Request& req,
                                                     httplib::Response& res) {
      ++calls;
      if (req.get_header_value("Authorization") != "Bearer " + token_) {
        res.status = 401;
        res.set_content(R"({"status":401,"error":"unauthorized"})", "application/json");
        return;
      }
      json out = json::array();
      for (const auto& t : transactions_) {
        if (t["account_number"] == req.get_param_value("account_number")) out.push_back(t);
      }
      res.set_content(
          json{{"status", 200}, {"messages", {{"success", true}}}, {"transactions", out}}.dump(),
          "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~FakeSepay() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::atomic<int> calls{0};

 private:
  std::string token_;
  json transactions_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

TEST_F(Hooks, ReconciliationRecoversALostWebhook) {
  connect(
      "sepay",
      {{"mode", "apikey"}, {"api_key", "SEPAYKEY-abc-12345"}, {"api_token", "TOKEN-reconcile-1"}});
  auto delivered = place(), lost = place();
  auto r = post("/hooks/sepay?producer=1", sepay_body(1101, delivered.order.code, kPrice),
                {{"Authorization", "Apikey SEPAYKEY-abc-12345"}});
  ASSERT_EQ(r->status, 200);
  auto tx = [](int id, const std::string& content, const char* account) {
    return json{{"id", std::to_string(id)},
                {"bank_brand_name", "Vietcombank"},
                {"account_number", account},
                {"transaction_date", "2025-07-01 07:30:00"},
                {"amount_out", "0.00"},
                {"amount_in", "150000.00"},
                {"accumulated", "9150000.00"},
                {"transaction_content", content},
                {"reference_number", "FT" + std::to_string(id)},
                {"code", nullptr},
                {"sub_account", nullptr},
                {"bank_account_id", "19"}};
  };
  FakeSepay fake("TOKEN-reconcile-1",
                 json::array({tx(1101, delivered.order.code, kAccount),
                              tx(1102, "CK " + lost.order.code, kAccount),
                              tx(1103, "CK " + lost.order.code, kOtherAccount)}));
  EXPECT_EQ(order(lost.order.code).status, core::OrderStatus::pending_payment);
  in::ReconcileSettings settings;
  settings.sepay_api_url = fake.url();
  auto db = server_->db().acquire().value();
  auto report = in::reconcile(db, server_->clock(), box_.get(), settings);
  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_EQ(report->connections, 1);
  EXPECT_EQ(report->fetched, 2);
  EXPECT_EQ(report->recovered, 1);
  EXPECT_TRUE(report->problems.empty());
  EXPECT_EQ(order(lost.order.code).status, core::OrderStatus::paid);
  EXPECT_EQ(order(delivered.order.code).paid_vnd, kPrice);  // not counted twice
  // Running it again changes nothing.
  auto again = in::reconcile(db, server_->clock(), box_.get(), settings);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->recovered, 0);
  EXPECT_EQ(payments().size(), 2u);
}

TEST_F(Hooks, ReconciliationReportsRefusedCredentials) {
  connect("sepay", {{"mode", "apikey"}, {"api_key", "SEPAYKEY-abc-12345"}});
  FakeSepay fake("ANOTHER-token", json::array());
  in::ReconcileSettings settings;
  settings.sepay_api_url = fake.url();
  auto db = server_->db().acquire().value();
  auto report = in::reconcile(db, server_->clock(), box_.get(), settings);
  ASSERT_TRUE(report.has_value());
  ASSERT_EQ(report->problems.size(), 1u);
  EXPECT_NE(report->problems[0].find("HTTP 401"), std::string::npos);
  EXPECT_EQ(report->problems[0].find("SEPAYKEY"), std::string::npos);
  EXPECT_EQ(fake.calls.load(), 1);
}

// --- The producer's connection settings over the API ---

std::string token_for(TestServer& server, const char* login, core::Role role,
                      std::optional<int64_t> producer) {
  auto db = server.db().acquire().value();
  core::UsersOptions options;
  options.scrypt.n = 1024;
  core::Users users(db, server.clock(), options);
  core::NewUser u;
  u.login = login;
  u.password = "mat-khau-dai-du-12";
  u.role = role;
  u.producer_id = producer;
  users.create_user(u).value();
  return users.authenticate(login, "mat-khau-dai-du-12", "127.0.0.1").value().token;
}

// After CHOPHIEN_SECRET_KEY changes, a stored connection no longer opens: its webhooks answer 503
// (the service retries) instead of a refusal, nothing is counted against the webhook, and the
// API says the service must be connected again (the page: workspace_money_test.cc).
TEST_F(Hooks, AfterTheKeyChangesWebhooksAnswer503AndTheProducerIsToldToConnectAgain) {
  HooksOptions options;
  options.rejections_per_minute = 2;
  set_hooks_options(options);
  {
    // Stored under another installation key than the server's.
    auto other = in::SecretBox::from_key(std::string(64, 'd')).value();
    auto db = server_->db().acquire().value();
    in::NotificationAccounts accounts(db, server_->clock(), &other);
    ASSERT_TRUE(accounts.connect(1, "sepay", {{"mode", "hmac"}, {"secret", "sepay-hmac-1"}}));
  }
  auto placed = place();
  const std::string body = sepay_body(803, placed.order.code, kPrice);
  for (int i = 0; i < 4; ++i) {
    auto res = sepay_hmac(body);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 503) << i << ": " << res->body;  // never 403, never 429
    EXPECT_FALSE(res->get_header_value("Retry-After").empty());
  }
  EXPECT_TRUE(payments().empty());
  const std::string m = metrics();
  EXPECT_EQ(m.find(R"(reason="wrong_account")"), std::string::npos) << m;
  EXPECT_EQ(m.find(R"(reason="rate_limited")"), std::string::npos) << m;

  ApiOptions api;
  api.users.scrypt.n = 1024;
  set_api_options(api);
  const std::string mine = token_for(*server_, "nsp1", core::Role::producer, 1);
  auto client = server_->client();
  auto listed =
      client.Get("/api/v1/producers/1/notifications", {{"Authorization", "Bearer " + mine}});
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->status, 200) << listed->body;
  EXPECT_EQ(json::parse(listed->body)["connections"][0]["needs_reconnect"], true);

  // Connected again under the server's key: the next retry pays the order.
  connect("sepay", {{"mode", "hmac"}, {"secret", "sepay-hmac-1"}});
  EXPECT_EQ(sepay_hmac(body)->status, 200);
  EXPECT_EQ(order(placed.order.code).status, core::OrderStatus::paid);
  listed = client.Get("/api/v1/producers/1/notifications", {{"Authorization", "Bearer " + mine}});
  EXPECT_EQ(json::parse(listed->body)["connections"][0]["needs_reconnect"], false);
}

TEST_F(Hooks, AProducerConnectsSepayAndSeesOnlyTheLastFourCharacters) {
  ApiOptions api;
  api.users.scrypt.n = 1024;
  set_api_options(api);
  const std::string mine = token_for(*server_, "nsp1", core::Role::producer, 1);
  const std::string theirs = token_for(*server_, "nsp2", core::Role::producer, 2);
  const std::string officer = token_for(*server_, "canbo", core::Role::officer, std::nullopt);
  auto client = server_->client();
  auto put = [&](const std::string& token, const std::string& path, const json& body) {
    return client.Put(path, {{"Authorization", "Bearer " + token}}, body.dump(),
                      "application/json");
  };
  const json settings = {
      {"mode", "apikey"}, {"api_key", "SEPAYKEY-visible-Zx9Q"}, {"password", "mat-khau-dai-du-12"}};
  auto res = put(mine, "/api/v1/producers/1/notifications/sepay", settings);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(res->body.find("SEPAYKEY"), std::string::npos);
  auto body = json::parse(res->body);
  EXPECT_EQ(body["secrets"]["api_key"], "…Zx9Q");
  // The configured public address (tests listen on port 0, so only the path is checked).
  EXPECT_TRUE(body["webhook_url"].get<std::string>().ends_with("/hooks/sepay?producer=1"))
      << body["webhook_url"];

  auto listed =
      client.Get("/api/v1/producers/1/notifications", {{"Authorization", "Bearer " + mine}});
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->status, 200);
  EXPECT_EQ(listed->body.find("SEPAYKEY"), std::string::npos);
  EXPECT_EQ(json::parse(listed->body)["connections"][0]["mode"], "apikey");

  // Another producer, an officer, nobody: refused, nothing changed.
  EXPECT_EQ(put(theirs, "/api/v1/producers/1/notifications/sepay", settings)->status, 403);
  EXPECT_EQ(put(officer, "/api/v1/producers/1/notifications/sepay", settings)->status, 403);
  EXPECT_EQ(client.Get("/api/v1/producers/1/notifications")->status, 401);
  EXPECT_EQ(put(mine, "/api/v1/producers/1/notifications/sepay",
                {{"mode", "apikey"}, {"password", "mat-khau-dai-du-12"}})
                ->status,
            400);
  EXPECT_EQ(put(mine, "/api/v1/producers/1/notifications/tiki", settings)->status, 404);

  // The stored key authenticates webhooks.
  auto placed = place();
  auto hook = post("/hooks/sepay?producer=1", sepay_body(1201, placed.order.code, kPrice),
                   {{"Authorization", "Apikey SEPAYKEY-visible-Zx9Q"}});
  EXPECT_EQ(hook->status, 200);
  EXPECT_EQ(order(placed.order.code).status, core::OrderStatus::paid);
}

// Whoever holds a connection's keys decides which transfers pay the producer's orders: a stolen
// session alone cannot replace them. The producer confirms with its password; an administrator
// needs none; nothing is stored without it.
TEST_F(Hooks, ConnectingAServiceNeedsTheProducersPassword) {
  ApiOptions api;
  api.users.scrypt.n = 1024;
  set_api_options(api);
  const std::string mine = token_for(*server_, "nsp1", core::Role::producer, 1);
  const std::string admin = token_for(*server_, "quantri", core::Role::admin, std::nullopt);
  auto client = server_->client();
  auto put = [&](const std::string& token, const json& body) {
    return client.Put("/api/v1/producers/1/notifications/casso",
                      {{"Authorization", "Bearer " + token}}, body.dump(), "application/json");
  };
  const json keys = {{"secret", "attacker-secret-1"}};
  auto missing = put(mine, keys);
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 400);
  EXPECT_EQ(json::parse(missing->body)["error"]["field"], "password");
  json wrong = keys;
  wrong["password"] = "doan-bua";
  auto refused = put(mine, wrong);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403);
  EXPECT_EQ(json::parse(refused->body)["error"]["field"], "password");
  {
    auto db = server_->db().acquire().value();
    auto s = db->prepare("SELECT count(*) FROM notification_connections").value();
    ASSERT_TRUE(s.step().value());
    EXPECT_EQ(s.column_int(0), 0);
  }
  json right = keys;
  right["password"] = "mat-khau-dai-du-12";
  EXPECT_EQ(put(mine, right)->status, 200);
  EXPECT_EQ(put(admin, {{"secret", "admin-sets-it-1"}})->status, 200);
}

TEST(HooksWithoutKey, ConnectingIsRefusedWithAClearMessage) {
  ApiOptions api;
  api.users.scrypt.n = 1024;
  set_api_options(api);
  TestServer server(TestServer::quiet_config(), seed);
  const std::string token = token_for(server, "nsp1", core::Role::producer, 1);
  auto res = server.client().Put(
      "/api/v1/producers/1/notifications/casso", {{"Authorization", "Bearer " + token}},
      R"({"secret":"casso-secret-1","password":"mat-khau-dai-du-12"})", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  EXPECT_NE(res->body.find("CHOPHIEN_SECRET_KEY"), std::string::npos);
}

// --- payOS payment links against a local fake payOS ---

class FakePayos {
 public:
  explicit FakePayos(std::string checksum_key) : key_(std::move(checksum_key)) {
    server_.Post("/v2/payment-requests", [this](const httplib::Request& req,
                                                httplib::Response& res) {
      ++creates;
      json body = json::parse(req.body, nullptr, false);
      auto answer = [&](json out) { res.set_content(out.dump(), "application/json"); };
      if (req.get_header_value("x-client-id") != "client-1" ||
          req.get_header_value("x-api-key") != "payos-api-key-1") {
        res.status = 401;
        return answer({{"code", "401"}, {"desc", "Unauthorized"}});
      }
      if (body.is_discarded() ||
          body.value("signature", "") !=
              in::payos_link_signature(key_, body["amount"], body["cancelUrl"].get<std::string>(),
                                       body["description"].get<std::string>(), body["orderCode"],
                                       body["returnUrl"].get<std::string>())) {
        return answer({{"code", "20"}, {"desc", "Chữ ký không hợp lệ"}});
      }
      int64_t code = body["orderCode"];
      if (links_.contains(code))
        return answer({{"code", "231"}, {"desc", "Đơn thanh toán đã tồn tại"}});
      json data = {{"bin", "970436"},
                   {"accountNumber", kAccount},
                   {"accountName", "HTX NONG SAN"},
                   {"amount", body["amount"]},
                   {"description", body["description"]},
                   {"orderCode", code},
                   {"currency", "VND"},
                   {"paymentLinkId", "plink-" + std::to_string(code)},
                   {"status", "PENDING"},
                   {"checkoutUrl", "https://pay.payos.vn/web/plink-" + std::to_string(code)},
                   {"qrCode", "00020101021238570010A000000727"}};
      links_[code] = data;
      answer({{"code", "00"},
              {"desc", "success"},
              {"data", data},
              {"signature", in::payos_data_signature(key_, data)}});
    });
    server_.Get(R"(/v2/payment-requests/(\d+))", [this](const httplib::Request& req,
                                                        httplib::Response& res) {
      int64_t code = std::stoll(req.matches[1].str());
      if (!links_.contains(code)) {
        res.set_content(R"({"code":"101","desc":"not found"})", "application/json");
        return;
      }
      const json& data = links_[code];
      res.set_content(json{{"code", "00"},
                           {"desc", "success"},
                           {"data", data},
                           {"signature", in::payos_data_signature(forged ? "forged" : key_, data)}}
                          .dump(),
                      "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~FakePayos() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::atomic<int> creates{0};
  bool forged = false;

 private:
  std::string key_;
  std::map<int64_t, json> links_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

TEST(PayosLinks, CreatingTwiceFetchesTheExistingLinkAndWrongKeysFail) {
  FakePayos fake("payos-checksum-1");
  in::PayosClient client(fake.url(), {"client-1", "payos-api-key-1", "payos-checksum-1"});
  in::PaymentLinkRequest request{
      42,          150000, "CPK7Q2M9X", "https://shop.test/cancel", "https://shop.test/return",
      std::nullopt};
  auto first = client.create_link(request);
  ASSERT_TRUE(first.has_value()) << first.error().message;
  EXPECT_FALSE(first->existed);
  EXPECT_EQ(first->checkout_url, "https://pay.payos.vn/web/plink-42");
  auto second = client.create_link(request);
  ASSERT_TRUE(second.has_value()) << second.error().message;
  EXPECT_TRUE(second->existed);
  EXPECT_EQ(second->payment_link_id, first->payment_link_id);
  EXPECT_EQ(fake.creates.load(), 2);

  in::PayosClient wrong_checksum(fake.url(), {"client-1", "payos-api-key-1", "other-checksum"});
  auto refused = wrong_checksum.create_link({43, 1000, "CPK7Q2M9X", "a", "b", std::nullopt});
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::invalid_input);
  in::PayosClient wrong_key(fake.url(), {"client-1", "wrong", "payos-checksum-1"});
  EXPECT_EQ(wrong_key.create_link({44, 1000, "CPK7Q2M9X", "a", "b", std::nullopt}).error().code,
            ErrorCode::unauthenticated);
  EXPECT_EQ(client.create_link({45, 1000, "A DESCRIPTION LONGER THAN 25", "a", "b", std::nullopt})
                .error()
                .field,
            "description");
  // An answer whose signature does not verify is refused.
  fake.forged = true;
  EXPECT_EQ(client.get_link(42).error().code, ErrorCode::unauthenticated);
}

// --- Issue 17: a notification belongs to the connection it arrived on ---

class PaymentTenancy : public Hooks {
 protected:
  void SetUp() override {
    Hooks::SetUp();
    connect("sepay", {{"mode", "apikey"}, {"api_key", "SEPAYKEY-of-one-1"}}, 1);
    connect("sepay", {{"mode", "apikey"}, {"api_key", "SEPAYKEY-of-two-2"}}, 2);
  }
  // Producer `producer` (1 or 2) sends through its own, authentic connection.
  httplib::Result send(int64_t producer, const std::string& body) {
    return post("/hooks/sepay?producer=" + std::to_string(producer), body,
                {{"Authorization",
                  std::string("Apikey SEPAYKEY-of-") + (producer == 1 ? "one-1" : "two-2")}});
  }
  // Hand-written SQL for what the register no longer allows (a copied or cleared account), as a
  // database from before these rules may hold.
  void sql(const std::string& statement) {
    auto db = server_->db().acquire_writer().value();
    db->exec(statement).value();
  }
  static int status_of(const httplib::Result& r) { return r ? r->status : -1; }
};

TEST_F(PaymentTenancy, ANotificationOnOneProducersConnectionNeverPaysAnothersOrder) {
  auto victim = place(1);  // producer 1's order
  // Producer 2 names producer 1's payment code, into its own account: flagged for producer 2
  // only, and producer 1's order is neither paid nor linked.
  auto r = send(2, sepay_body(3001, "CK " + victim.order.code, kPrice, "in", kOtherAccount));
  ASSERT_EQ(status_of(r), 200);
  auto list = payments();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].match_state, "wrong_account");
  EXPECT_EQ(list[0].producer_id, 2);
  EXPECT_FALSE(list[0].order_id.has_value());
  // Producer 2 copies producer 1's account (possible before these rules) and names it.
  sql("UPDATE producers SET bank_account = '" + std::string(kAccount) + "' WHERE id = 2");
  r = send(2, sepay_body(3002, "CK " + victim.order.code, kPrice, "in", kAccount));
  ASSERT_EQ(status_of(r), 200);
  // ... or with no code: a stall sale for producer 2, never for the account's first holder.
  r = send(2, sepay_body(3003, "ban hang tai quay", 50000, "in", kAccount));
  ASSERT_EQ(status_of(r), 200);
  list = payments();
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[1].match_state, "wrong_account");
  EXPECT_EQ(list[0].match_state, "stall");
  for (const auto& p : list) EXPECT_EQ(p.producer_id, 2);
  EXPECT_EQ(order(victim.order.code).status, core::OrderStatus::pending_payment);
  EXPECT_EQ(order(victim.order.code).paid_vnd, 0);
  auto db = server_->db().acquire().value();
  auto s = db->prepare("SELECT COUNT(*) FROM sales_ledger WHERE producer_id = 1");
  ASSERT_TRUE(s->step().value());
  EXPECT_EQ(s->column_int(0), 0);
}

TEST_F(PaymentTenancy, AnotherProducersTransactionIdNeverHidesMine) {
  auto mine = place(1);
  // Producer 2 sends SePay id 4001 first, on its own connection.
  ASSERT_EQ(status_of(send(2, sepay_body(4001, "ban hang", 1000, "in", kOtherAccount))), 200);
  // Producer 1's real transfer with the same id is a payment of its own, not a repeat.
  ASSERT_EQ(status_of(send(1, sepay_body(4001, "CK " + mine.order.code, kPrice))), 200);
  EXPECT_EQ(order(mine.order.code).status, core::OrderStatus::paid);
  EXPECT_EQ(payments().size(), 2u);
  // Each one's repeat is still a duplicate of its own.
  ASSERT_EQ(status_of(send(1, sepay_body(4001, "CK " + mine.order.code, kPrice))), 200);
  ASSERT_EQ(status_of(send(2, sepay_body(4001, "ban hang", 1000, "in", kOtherAccount))), 200);
  EXPECT_EQ(payments().size(), 2u);
  EXPECT_EQ(order(mine.order.code).paid_vnd, kPrice);
  EXPECT_EQ(ledger_rows(), 2);  // producer 1's order, producer 2's stall sale
}

TEST_F(PaymentTenancy, ANotificationWhileTheProducerHasNoAccountIsRefused) {
  auto other = place(2);  // producer 2's order, into kOtherAccount
  sql("UPDATE producers SET bank_bin = '', bank_account = '', bank_holder = '' WHERE id = 1");
  // Its former account, another producer's account, with or without a code: refused.
  EXPECT_EQ(status_of(send(1, sepay_body(5001, "ban hang", 50000, "in", kAccount))), 403);
  EXPECT_EQ(status_of(send(1, sepay_body(5002, "ban hang", 50000, "in", kOtherAccount))), 403);
  EXPECT_EQ(
      status_of(send(1, sepay_body(5003, "CK " + other.order.code, kPrice, "in", kOtherAccount))),
      403);
  EXPECT_EQ(status_of(send(1, sepay_body(5004, "ban hang", 50000, "in", ""))), 400);
  EXPECT_TRUE(payments().empty());
  EXPECT_EQ(ledger_rows(), 0);
  EXPECT_EQ(order(other.order.code).status, core::OrderStatus::pending_payment);
}

TEST_F(PaymentTenancy, ANotificationNamingAnotherAccountIsRefused) {
  auto other = place(2);
  connect("casso", {{"secret", "casso-secret-1"}}, 1);
  // Producer 1 names producer 2's account or an account nobody holds: refused, nothing stored.
  EXPECT_EQ(
      status_of(send(1, sepay_body(6001, "CK " + other.order.code, kPrice, "in", kOtherAccount))),
      403);
  EXPECT_EQ(status_of(send(1, sepay_body(6002, "ban hang", 50000, "in", "999999999"))), 403);
  json casso = {{"error", 0},
                {"data",
                 {{"id", 6003},
                  {"description", "CK " + other.order.code},
                  {"amount", kPrice},
                  {"accountNumber", kOtherAccount}}}};
  auto header = in::casso_signature_header("casso-secret-1", now() * 1000, casso);
  EXPECT_EQ(
      status_of(post("/hooks/casso?producer=1", casso.dump(), {{"X-Casso-Signature", header}})),
      403);
  // The same while producer 1 has cleared its account (the check used to be skipped then).
  sql("UPDATE producers SET bank_bin = '', bank_account = '', bank_holder = '' WHERE id = 1");
  EXPECT_EQ(
      status_of(send(1, sepay_body(6004, "CK " + other.order.code, kPrice, "in", kOtherAccount))),
      403);
  EXPECT_EQ(status_of(send(1, sepay_body(6005, "ban hang tai quay", 50000, "in", kOtherAccount))),
            403);
  EXPECT_TRUE(payments().empty());
  EXPECT_EQ(ledger_rows(), 0);
  EXPECT_EQ(order(other.order.code).paid_vnd, 0);
}

TEST_F(PaymentTenancy, ReconciliationDeduplicatesPerProducer) {
  connect("sepay",
          {{"mode", "apikey"}, {"api_key", "SEPAYKEY-of-one-1"}, {"api_token", "TOKEN-one-1"}}, 1);
  auto lost = place(1);
  // Producer 2 sends SePay id 7001 first; producer 1's real transfer 7001 lost its webhook.
  ASSERT_EQ(status_of(send(2, sepay_body(7001, "ban hang", 1000, "in", kOtherAccount))), 200);
  json tx = {{"id", "7001"},
             {"bank_brand_name", "Vietcombank"},
             {"account_number", kAccount},
             {"transaction_date", "2025-07-01 07:30:00"},
             {"amount_out", "0.00"},
             {"amount_in", "150000.00"},
             {"accumulated", "9150000.00"},
             {"transaction_content", "CK " + lost.order.code},
             {"reference_number", "FT7001"},
             {"code", nullptr},
             {"sub_account", nullptr},
             {"bank_account_id", "19"}};
  FakeSepay fake("TOKEN-one-1", json::array({tx}));
  in::ReconcileSettings settings;
  settings.sepay_api_url = fake.url();
  auto db = server_->db().acquire().value();
  auto report = in::reconcile(db, server_->clock(), box_.get(), settings);
  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_EQ(report->recovered, 1);  // (producer 2's key is refused by this fake: a problem line)
  EXPECT_EQ(order(lost.order.code).status, core::OrderStatus::paid);
  auto list = payments();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].producer_id, 1);
  EXPECT_EQ(list[1].producer_id, 2);
}

TEST_F(PaymentTenancy, APendingOrderPlacedBeforeAnAccountChangeIsStillPaidIntoItsAccount) {
  auto before = place(1);  // shows kAccount
  sql("UPDATE producers SET bank_account = '0071000999999' WHERE id = 1");
  auto after = place(1);  // shows the new account
  EXPECT_EQ(before.order.receiving.account, kAccount);
  EXPECT_EQ(after.order.receiving.account, "0071000999999");
  // The old account, named by a pending order: accepted, and pays it.
  ASSERT_EQ(status_of(send(1, sepay_body(8001, "CK " + before.order.code, kPrice))), 200);
  EXPECT_EQ(order(before.order.code).status, core::OrderStatus::paid);
  ASSERT_EQ(
      status_of(send(1, sepay_body(8002, "CK " + after.order.code, kPrice, "in", "0071000999999"))),
      200);
  EXPECT_EQ(order(after.order.code).status, core::OrderStatus::paid);
  // A late or second transfer into the old account is still the producer's money, and is kept
  // (here a sale at the stall)...
  EXPECT_EQ(status_of(send(1, sepay_body(8003, "ban hang", 50000))), 200);
  // ...until another producer registers that account: then the old one is no longer this one's.
  sql("UPDATE producers SET bank_account = '" + std::string(kAccount) + "' WHERE id = 2");
  EXPECT_EQ(status_of(send(1, sepay_body(8004, "ban hang", 50000))), 403);
  // And after 90 days without an order showing it.
  sql("UPDATE producers SET bank_account = '" + std::string(kOtherAccount) + "' WHERE id = 2");
  EXPECT_EQ(status_of(send(1, sepay_body(8005, "ban hang", 50000))), 200);
  server_->clock().advance(91 * 86400);
  EXPECT_EQ(status_of(send(1, sepay_body(8006, "ban hang", 50000))), 403);
}

}  // namespace
}  // namespace chophien::storefront
