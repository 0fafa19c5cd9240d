// Issue 17's roles and abuse limits over real HTTP: an officer creates only a producer's first
// login, which must change its password before anything else; sign-in is throttled per (login,
// address) and per address, so nobody locks another person out; X-Forwarded-For is believed only
// from a trusted proxy; unpaid checkouts are capped per phone number and per client address.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <future>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "storefront/auth.h"
#include "storefront/client_address.h"
#include "storefront/workspace_fixture.h"

namespace chophien::storefront {
namespace {

using fixtures::Browser;
using fixtures::kWorkspacePassword;
using nlohmann::json;

struct Answer {
  int status = 0;
  json body;
  std::string retry_after;
};

class Limits : public ::testing::Test {
 protected:
  void start(Config config = TestServer::quiet_config()) {
    ApiOptions options;
    options.users.scrypt.n = 1024;
    set_api_options(options);
    server_ = std::make_unique<TestServer>(
        config, [this](core::Database& db) { ids_ = fixtures::prepare_workspace(db); });
    server_->clock().set(fixtures::workspace_now());
  }
  void SetUp() override {}
  void TearDown() override { server_.reset(); }

  Answer post(const std::string& path, const json& body, httplib::Headers headers = {}) {
    httplib::Client client = server_->client();
    auto res = client.Post(path, headers, body.dump(), "application/json");
    if (!res) {
      ADD_FAILURE() << path << ": " << httplib::to_string(res.error());
      return {};
    }
    return {res->status, json::parse(res->body, nullptr, false),
            res->get_header_value("Retry-After")};
  }
  Answer get(const std::string& path, httplib::Headers headers = {}) {
    httplib::Client client = server_->client();
    auto res = client.Get(path, headers);
    if (!res) return {};
    return {res->status, json::parse(res->body, nullptr, false),
            res->get_header_value("Retry-After")};
  }
  static httplib::Headers from(const std::string& address) {
    return {{"X-Forwarded-For", address}};
  }
  Answer login(const std::string& name, const std::string& password,
               const httplib::Headers& headers = {}) {
    return post("/api/v1/auth/login", {{"login", name}, {"password", password}}, headers);
  }
  httplib::Headers bearer(const std::string& name,
                          const std::string& password = kWorkspacePassword) {
    Answer a = login(name, password);
    EXPECT_EQ(a.status, 200) << a.body.dump();
    return {{"Authorization", "Bearer " + a.body.value("token", "")}};
  }
  int64_t count(const std::string& sql) {
    auto db = server_->db().acquire().value();
    auto s = db->prepare(sql).value();
    return s.step().value() ? s.column_int(0) : -1;
  }
  json checkout(const std::string& phone, int64_t quantity = 1) {
    return {{"items", {{{"product_id", ids_.mien}, {"quantity", quantity}}}},
            {"customer", {{"name", "Nguyễn Thị Mai"}, {"phone", phone}}}};
  }

  std::unique_ptr<TestServer> server_;
  fixtures::WorkspaceIds ids_;
};

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

Config behind_proxy() {
  Config config = TestServer::quiet_config();
  config.trusted_proxies = TrustedProxies::parse("127.0.0.1", "test").value();
  return config;
}

// --- Roles ---

using Roles = Limits;

TEST_F(Roles, AnOfficerCannotMintASecondLoginForAProducer) {
  start();
  const auto officer = bearer("canbo");
  const int64_t users_before = count("SELECT count(*) FROM users");
  Answer second = post("/api/v1/users",
                       {{"login", "nsp1-cua-canbo"},
                        {"password", "mat-khau-cua-canbo"},
                        {"role", "producer"},
                        {"producer_id", ids_.producer_a}},
                       officer);
  EXPECT_EQ(second.status, 403) << second.body.dump();
  EXPECT_EQ(second.body["error"]["code"], "forbidden");
  EXPECT_EQ(second.body["error"].value("field", ""), "producer_id");
  EXPECT_EQ(count("SELECT count(*) FROM users"), users_before);
  EXPECT_EQ(login("nsp1-cua-canbo", "mat-khau-cua-canbo").status, 401);

  // A producer without a login gets its first one from the officer, who must hand it over.
  Answer producer = post("/api/v1/producers",
                         {{"name", "HTX Mới"},
                          {"entity_type", "cooperative"},
                          {"area_code", "01290"},
                          {"phone", "0912000999"}},
                         officer);
  ASSERT_EQ(producer.status, 201) << producer.body.dump();
  Answer first = post("/api/v1/users",
                      {{"login", "htx-moi"},
                       {"password", "mat-khau-tam-1"},
                       {"role", "producer"},
                       {"producer_id", producer.body["id"]}},
                      officer);
  ASSERT_EQ(first.status, 201) << first.body.dump();
  EXPECT_EQ(first.body["must_change_password"], true);
  Answer again = post("/api/v1/users",
                      {{"login", "htx-moi-2"},
                       {"password", "mat-khau-tam-2"},
                       {"role", "producer"},
                       {"producer_id", producer.body["id"]}},
                      officer);
  EXPECT_EQ(again.status, 403) << again.body.dump();
  // An administrator keeps the power to add another.
  Answer by_admin = post("/api/v1/users",
                         {{"login", "nsp1-them"},
                          {"password", "mat-khau-tam-3"},
                          {"role", "producer"},
                          {"producer_id", ids_.producer_a}},
                         bearer("admin"));
  EXPECT_EQ(by_admin.status, 201) << by_admin.body.dump();
  EXPECT_EQ(by_admin.body["must_change_password"], true);
}

TEST_F(Roles, AFirstLoginMustChangeItsPasswordBeforeAnythingElse) {
  start();
  Answer created = post("/api/v1/users",
                        {{"login", "nsp1-moi"},
                         {"password", "mat-khau-tam-1"},
                         {"role", "producer"},
                         {"producer_id", ids_.producer_a}},
                        bearer("admin"));
  ASSERT_EQ(created.status, 201) << created.body.dump();
  Answer signed_in = login("nsp1-moi", "mat-khau-tam-1");
  ASSERT_EQ(signed_in.status, 200) << signed_in.body.dump();
  EXPECT_EQ(signed_in.body["user"]["must_change_password"], true);
  const httplib::Headers session = {
      {"Authorization", "Bearer " + signed_in.body["token"].get<std::string>()}};
  // Nothing else: reads, writes, another producer's page.
  for (const auto& a : {get("/api/v1/orders", session), get("/api/v1/producers", session),
                        post("/api/v1/products", {{"name", "Bánh"}}, session)}) {
    EXPECT_EQ(a.status, 403) << a.body.dump();
    EXPECT_EQ(a.body["error"]["code"], "password_change_required") << a.body.dump();
  }
  // The change: the current password, a new one that differs.
  Answer wrong =
      post("/api/v1/auth/password",
           {{"current_password", "sai-mat-khau"}, {"new_password", "mat-khau-rieng-1"}}, session);
  EXPECT_EQ(wrong.status, 401) << wrong.body.dump();
  Answer same =
      post("/api/v1/auth/password",
           {{"current_password", "mat-khau-tam-1"}, {"new_password", "mat-khau-tam-1"}}, session);
  EXPECT_EQ(same.status, 400) << same.body.dump();
  EXPECT_EQ(same.body["error"].value("field", ""), "new_password");
  EXPECT_EQ(get("/api/v1/orders", session).status, 403);
  Answer changed =
      post("/api/v1/auth/password",
           {{"current_password", "mat-khau-tam-1"}, {"new_password", "mat-khau-rieng-1"}}, session);
  ASSERT_EQ(changed.status, 200) << changed.body.dump();
  EXPECT_EQ(changed.body["user"]["must_change_password"], false);
  EXPECT_EQ(get("/api/v1/orders", session).status, 200);
  EXPECT_EQ(login("nsp1-moi", "mat-khau-tam-1").status, 401);
  EXPECT_EQ(login("nsp1-moi", "mat-khau-rieng-1").status, 200);
}

TEST_F(Roles, TheWorkspaceSendsAFirstLoginToChangeItsPassword) {
  start();
  // The officer registers a producer with its login on the page.
  Browser officer(*server_);
  ASSERT_TRUE(officer.sign_in("canbo"));
  auto made = officer.post("/quan-ly/nha-san-xuat", {{"name", "HTX Chè Yên Thổ"},
                                                     {"entity_type", "cooperative"},
                                                     {"area_code", "01318"},
                                                     {"phone", "0912000111"},
                                                     {"login", "cheyentho"},
                                                     {"password", "mat-khau-tam-1"}});
  ASSERT_TRUE(made);
  ASSERT_EQ(made->status, 303) << made->body;

  Browser producer(*server_);
  ASSERT_TRUE(producer.get("/dang-nhap"));
  auto in = producer.post("/dang-nhap", {{"login", "cheyentho"}, {"password", "mat-khau-tam-1"}});
  ASSERT_TRUE(in);
  EXPECT_EQ(in->status, 303);
  EXPECT_EQ(in->get_header_value("Location"), "/quan-ly/doi-mat-khau");
  for (const char* page : {"/quan-ly", "/quan-ly/san-pham", "/quan-ly/don-hang"}) {
    auto res = producer.get(page);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 303) << page;
    EXPECT_EQ(res->get_header_value("Location"), "/quan-ly/doi-mat-khau") << page;
  }
  auto form = producer.get("/quan-ly/doi-mat-khau");
  ASSERT_TRUE(form);
  ASSERT_EQ(form->status, 200);
  EXPECT_TRUE(has(form->body, "Hãy chọn mật khẩu của riêng bạn"));
  auto write = producer.post("/quan-ly/san-pham", {{"name", "Chè"}});
  ASSERT_TRUE(write);
  EXPECT_EQ(write->status, 403);
  auto mismatch = producer.post("/quan-ly/doi-mat-khau", {{"current_password", "mat-khau-tam-1"},
                                                          {"new_password", "mat-khau-rieng-1"},
                                                          {"new_password_again", "khac-han-1"}});
  ASSERT_TRUE(mismatch);
  EXPECT_EQ(mismatch->status, 400);
  EXPECT_TRUE(has(mismatch->body, "Hai lần nhập mật khẩu mới không giống nhau."));
  auto changed =
      producer.post("/quan-ly/doi-mat-khau", {{"current_password", "mat-khau-tam-1"},
                                              {"new_password", "mat-khau-rieng-1"},
                                              {"new_password_again", "mat-khau-rieng-1"}});
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->status, 303) << changed->body;
  auto home = producer.get("/quan-ly");
  ASSERT_TRUE(home);
  EXPECT_EQ(home->status, 200);
  EXPECT_TRUE(has(home->body, "HTX Chè Yên Thổ"));
}

// --- Sign-in ---

using SignIn = Limits;

TEST_F(SignIn, AnotherPersonsTyposDoNotLockMeOut) {
  start();
  // One commune office, one address: four colleagues mistype their passwords five times each.
  for (const char* colleague : {"nsp2", "canbo", "khong-co-1", "khong-co-2"}) {
    for (int i = 0; i < 5; ++i) EXPECT_EQ(login(colleague, "sai-mat-khau").status, 401);
  }
  EXPECT_EQ(login("nsp2", kWorkspacePassword).status, 429);  // their own pair waits
  Answer mine = login("nsp1", kWorkspacePassword);
  EXPECT_EQ(mine.status, 200) << mine.body.dump();
}

// Guesses sent at the same moment, one connection each, are counted one after the other: no more
// of them are checked than the limit allows.
TEST_F(SignIn, GuessesAtTheSameMomentAreAllCounted) {
  start();
  std::atomic<int> refused{0}, limited{0}, other{0};
  std::vector<std::thread> guessers;
  for (int i = 0; i < 16; ++i) {
    guessers.emplace_back([&, i] {
      Answer a = login("nsp1", "doan-" + std::to_string(i));
      (a.status == 401 ? refused : a.status == 429 ? limited : other)++;
    });
  }
  for (auto& t : guessers) t.join();
  EXPECT_EQ(refused.load(), 5);
  EXPECT_EQ(limited.load(), 11);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(login("nsp1", kWorkspacePassword).status, 429);
}

// A successful sign-in takes its attempt back: a commune office whose people sign in all day is
// never throttled for it.
TEST_F(SignIn, SuccessfulSignInsAreNotCountedAgainstTheAddress) {
  start();
  for (int i = 0; i < 40; ++i) ASSERT_EQ(login("nsp1", kWorkspacePassword).status, 200) << i;
  EXPECT_EQ(count("SELECT COALESCE(SUM(failures), 0) FROM login_failures"), 0);
}

TEST_F(SignIn, NobodyLocksTheAdministratorOutFromElsewhere) {
  start(behind_proxy());
  Answer last;
  for (int i = 0; i < 12; ++i)
    last = login("admin", "doan-mo-" + std::to_string(i), from("203.0.113.9"));
  EXPECT_EQ(last.status, 429);
  EXPECT_GT(std::stoi(last.retry_after.empty() ? "0" : last.retry_after), 0);
  EXPECT_EQ(last.body["error"]["code"], "rate_limited");
  // The administrator, at another address, signs in; on the page too.
  EXPECT_EQ(login("admin", kWorkspacePassword, from("198.51.100.7")).status, 200);
  Browser page(*server_);
  ASSERT_TRUE(page.sign_in("admin"));  // the peer 127.0.0.1 is the proxy, not the attacker
}

TEST_F(SignIn, ThePagesSayWhenToTryAgainInVietnamese) {
  start(behind_proxy());
  Browser browser(*server_);
  ASSERT_TRUE(browser.get("/dang-nhap"));
  for (int i = 0; i < 5; ++i) browser.post("/dang-nhap", {{"login", "nsp1"}, {"password", "sai"}});
  auto res = browser.post("/dang-nhap", {{"login", "nsp1"}, {"password", "sai"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 429);
  EXPECT_FALSE(res->get_header_value("Retry-After").empty());
  EXPECT_TRUE(has(res->body, "Vui lòng thử lại sau"));
}

// --- Trusted proxies ---

using TrustedProxiesTest = Limits;

TEST(TrustedProxies, TheRightMostAddressThatIsNotAProxyIsTheClient) {
  const auto proxies = TrustedProxies::parse(" 127.0.0.1, ::1 ,10.0.0.5", "x").value();
  httplib::Request req;
  req.remote_addr = "127.0.0.1";
  req.headers.emplace("X-Forwarded-For", "6.6.6.6, 198.51.100.7");
  EXPECT_EQ(client_address(req, proxies), "198.51.100.7");
  req.headers.emplace("X-Forwarded-For", "10.0.0.5");  // a second line, another proxy hop
  EXPECT_EQ(client_address(req, proxies), "198.51.100.7");
  req.remote_addr = "::ffff:127.0.0.1";
  EXPECT_EQ(client_address(req, proxies), "198.51.100.7");
  req.remote_addr = "192.0.2.1";  // not a proxy: its header is the client's own words
  EXPECT_EQ(client_address(req, proxies), "192.0.2.1");
  httplib::Request garbage;
  garbage.remote_addr = "127.0.0.1";
  garbage.headers.emplace("X-Forwarded-For", "1.2.3.4, not-an-address");
  EXPECT_EQ(client_address(garbage, proxies), "127.0.0.1");
  EXPECT_FALSE(TrustedProxies::parse("proxy.example", "CHOPHIEN_TRUSTED_PROXIES"));
  EXPECT_FALSE(TrustedProxies::parse("127.0.0.1:8080", "CHOPHIEN_TRUSTED_PROXIES"));
  EXPECT_FALSE(TrustedProxies::parse("10.0.0.0/8", "CHOPHIEN_TRUSTED_PROXIES"));
}

TEST_F(TrustedProxiesTest, ForwardedForIsIgnoredFromAnUntrustedPeer) {
  Config config = TestServer::quiet_config();  // no trusted proxy
  config.checkout_max_per_address = 3;
  start(config);
  // A visitor who writes a new X-Forwarded-For and a new phone number each time is one address.
  for (int i = 0; i < 3; ++i) {
    Answer a = post("/api/v1/checkout", checkout("09120000" + std::to_string(10 + i)),
                    from("203.0.113." + std::to_string(i + 1)));
    EXPECT_EQ(a.status, 201) << a.body.dump();
  }
  Answer refused = post("/api/v1/checkout", checkout("0912000099"), from("203.0.113.77"));
  EXPECT_EQ(refused.status, 429) << refused.body.dump();
  // And forged addresses do not spread sign-in failures either.
  Answer last;
  for (int i = 0; i < 6; ++i)
    last = login("nsp1", "sai-mat-khau", from("198.51.100." + std::to_string(i + 1)));
  EXPECT_EQ(last.status, 429);
}

TEST_F(TrustedProxiesTest, BehindTheProxyEachClientIsCountedApart) {
  Config config = behind_proxy();
  config.checkout_max_per_address = 2;
  start(config);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(post("/api/v1/checkout", checkout("09120000" + std::to_string(20 + i)),
                   from("6.6.6." + std::to_string(i) + ", 198.51.100.7"))
                  .status,
              201);
  }
  EXPECT_EQ(post("/api/v1/checkout", checkout("0912000030"), from("9.9.9.9, 198.51.100.7")).status,
            429);
  EXPECT_EQ(post("/api/v1/checkout", checkout("0912000031"), from("198.51.100.8")).status, 201);
  EXPECT_EQ(count("SELECT count(*) FROM orders WHERE client_address = '198.51.100.7'"), 2);
}

// One line or household has a whole IPv6 /64 and may take any address in it: the limits count
// the /64, so rotating addresses in it gains nothing.
TEST_F(TrustedProxiesTest, AnIpv6ClientIsCountedByItsSlash64) {
  Config config = behind_proxy();
  config.checkout_max_per_address = 2;
  start(config);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(post("/api/v1/checkout", checkout("09120000" + std::to_string(40 + i)),
                   from("2001:db8:1:2::" + std::to_string(i + 1)))
                  .status,
              201);
  }
  EXPECT_EQ(post("/api/v1/checkout", checkout("0912000050"), from("2001:db8:1:2:ffff::9")).status,
            429);
  EXPECT_EQ(post("/api/v1/checkout", checkout("0912000051"), from("2001:db8:1:3::1")).status, 201);
  httplib::Request req;
  req.remote_addr = "2001:db8:1:2:aaaa:bbbb:cccc:dddd";
  EXPECT_EQ(limited_address(req, {}), "2001:db8:1:2::/64");
  req.remote_addr = "::1";
  EXPECT_EQ(limited_address(req, {}), "::1");
  req.remote_addr = "::ffff:198.51.100.7";
  EXPECT_EQ(limited_address(req, {}), "198.51.100.7");
}

// Behind a proxy on the same machine every connection comes from 127.0.0.1: /metrics is for the
// machine itself and administrators, not for whoever the proxy forwards.
TEST_F(TrustedProxiesTest, MetricsAreNotServedToAClientForwardedByTheProxy) {
  start(behind_proxy());
  auto client = server_->client();
  auto forwarded = client.Get("/metrics", {{"X-Forwarded-For", "203.0.113.9"}});
  ASSERT_TRUE(forwarded);
  EXPECT_EQ(forwarded->status, 403);
  auto local = client.Get("/metrics");
  ASSERT_TRUE(local);
  EXPECT_EQ(local->status, 200);
}

// The password check of a sign-in (scrypt, slow on purpose, open to anybody) never waits for or
// holds the writer lock that checkouts and payments take.
TEST_F(SignIn, ASignInDoesNotWaitForTheWriterLock) {
  start();
  Browser browser(*server_);
  ASSERT_TRUE(browser.get("/dang-nhap"));
  auto held = server_->db().acquire_writer();
  ASSERT_TRUE(held);
  std::optional<DbPool::Lease> writer(std::move(*held));
  auto signed_in = std::async(std::launch::async, [&] {
    return browser.post("/dang-nhap", {{"login", "nsp1"}, {"password", kWorkspacePassword}});
  });
  const bool done = signed_in.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
  writer.reset();
  ASSERT_TRUE(done) << "the sign-in waited for the writer lock";
  auto res = signed_in.get();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 303);
}

// --- Checkout limits ---

using CheckoutLimits = Limits;

TEST_F(CheckoutLimits, OnePhoneCannotHoldTheWholeStock) {
  start();  // defaults: 5 unpaid checkouts per phone an hour
  const char* spellings[] = {"0987654321", "0987 654 321", "+84 987 654 321", "0987.654.321",
                             "+84987654321"};
  for (const char* phone : spellings) {
    Answer a = post("/api/v1/checkout", checkout(phone, 2));
    EXPECT_EQ(a.status, 201) << phone << " " << a.body.dump();
  }
  const int64_t stock = count("SELECT stock FROM products WHERE id = " + std::to_string(ids_.mien));
  Answer refused = post("/api/v1/checkout", checkout("0987-654-321", 30));
  EXPECT_EQ(refused.status, 429) << refused.body.dump();
  EXPECT_EQ(refused.body["error"]["code"], "rate_limited");
  EXPECT_EQ(refused.body["error"].value("field", ""), "customer.phone");
  ASSERT_FALSE(refused.retry_after.empty());
  EXPECT_GT(std::stoi(refused.retry_after), 0);
  EXPECT_LE(std::stoi(refused.retry_after), 3600);
  EXPECT_EQ(count("SELECT stock FROM products WHERE id = " + std::to_string(ids_.mien)), stock);
  EXPECT_EQ(count("SELECT count(*) FROM orders"), 5);
  // Another customer is served; after the hour the first may order again.
  EXPECT_EQ(post("/api/v1/checkout", checkout("0912345670")).status, 201);
  server_->clock().advance(3601);
  EXPECT_EQ(post("/api/v1/checkout", checkout("0987654321")).status, 201);
}

TEST_F(CheckoutLimits, PaidOrdersDoNotCount) {
  start();
  std::vector<std::string> codes;
  for (int i = 0; i < 5; ++i) {
    Answer a = post("/api/v1/checkout", checkout("0987654321"));
    ASSERT_EQ(a.status, 201);
    codes.push_back(a.body["orders"][0]["code"]);
  }
  EXPECT_EQ(post("/api/v1/checkout", checkout("0987654321")).status, 429);
  const auto producer = bearer("nsp1");
  Answer paid = post("/api/v1/orders/" + codes[0] + "/mark-paid", {{"method", "cash"}}, producer);
  ASSERT_EQ(paid.status, 200) << paid.body.dump();
  EXPECT_EQ(post("/api/v1/checkout", checkout("0987654321")).status, 201);
}

TEST_F(CheckoutLimits, ConcurrentCheckoutsNeverPassTheCap) {
  start();
  std::atomic<int> placed{0}, refused{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 12; ++i) {
    threads.emplace_back([&] {
      httplib::Client client = server_->client();
      auto res = client.Post("/api/v1/checkout", checkout("0987654321").dump(), "application/json");
      if (res && res->status == 201) ++placed;
      if (res && res->status == 429) ++refused;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(placed.load(), 5);
  EXPECT_EQ(refused.load(), 7);
  EXPECT_EQ(count("SELECT count(*) FROM orders"), 5);
}

TEST_F(CheckoutLimits, TheShopPageSaysWhyInVietnamese) {
  Config config = TestServer::quiet_config();
  config.checkout_max_per_phone = 1;
  start(config);
  Browser visitor(*server_);
  auto order_once = [&]() {
    visitor.get("/gio-hang");  // sets the form token cookie, which is also the form's token
    visitor.post("/gio-hang/them", {{"product_id", std::to_string(ids_.mien)},
                                    {"quantity", "1"},
                                    {"csrf_token", visitor.cookies()["form_token"]}});
    visitor.get("/thanh-toan");
    return visitor.post("/thanh-toan", {{"name", "Nguyễn Thị Lan"},
                                        {"phone", "0912 345 678"},
                                        {"delivery", "pickup"},
                                        {"csrf_token", visitor.cookies()["form_token"]}});
  };
  auto first = order_once();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 303) << first->body;
  auto second = order_once();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 429);
  EXPECT_FALSE(second->get_header_value("Retry-After").empty());
  EXPECT_TRUE(has(second->body, "Số điện thoại này đang có nhiều đơn chưa thanh toán"))
      << second->body;
  EXPECT_EQ(count("SELECT count(*) FROM orders"), 1);
}

}  // namespace
}  // namespace chophien::storefront
