// The JSON API of api.md over real HTTP on 127.0.0.1: every flow and every error it lists.
// The server is the real one (TestServer) on a temporary SQLite file; fixtures are written with
// the core stores before it starts.
#include <gtest/gtest.h>
#include <httplib.h>

#include <cctype>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/database.h"
#include "core/ledger.h"
#include "core/orders.h"
#include "core/payment_code.h"
#include "core/payments.h"
#include "core/producers.h"
#include "core/products.h"
#include "core/users.h"
#include "storefront/auth.h"
#include "storefront/test_server.h"

namespace chophien::storefront {
namespace {

using nlohmann::json;

constexpr const char* kPassword = "mat-khau-dai-1";
constexpr const char* kHtml = "<script>alert('x')</script> & \"Miến\"";

core::UsersOptions fast_users() {
  core::UsersOptions options;
  options.scrypt.n = 1024;  // fast under sanitizers; production uses 2^15
  return options;
}

struct Fixture {
  int64_t producer1 = 0;
  int64_t producer2 = 0;
  int64_t product1 = 0;  // producer1, active, stock 10
  int64_t product2 = 0;  // producer2, active, stock 5
  int64_t draft1 = 0;    // producer1, draft
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

core::ProducerFields producer_fields(const std::string& name, const std::string& account) {
  core::ProducerFields f;
  f.name = name;
  f.entity_type = core::EntityType::cooperative;
  f.area_code = "01290";
  f.phone = "0912345678";
  f.address = "Bản Khâu Vai, xã Bảo Lâm";
  f.bank = {"970436", account, "HTX NONG SAN"};
  f.registration_no = "4800781234";
  return f;
}

core::ProductFields product_fields(const std::string& name, int64_t price, int64_t stock,
                                   core::ProductStatus status) {
  core::ProductFields f;
  f.name = name;
  f.ocop_group = "G1";
  f.certificate = core::OcopCertificate{4, "1234/QĐ-UBND", "2025-03-01", "UBND tỉnh Cao Bằng"};
  f.unit = "gói 500 g";
  f.price_vnd = price;
  f.stock = stock;
  f.status = status;
  return f;
}

void prepare(core::Database& db) {
  core::ManualClock clock;
  core::ProducerStore producers(db, clock);
  Fixture& f = fixture();
  f.producer1 = producers.create(producer_fields("HTX Nông sản Bảo Lâm", "0011001234567"))->id;
  f.producer2 =
      producers.create(producer_fields("Hộ kinh doanh Lương Thị Hoa", "8300205123456"))->id;
  core::ProductStore products(db, clock);
  f.product1 = products
                   .create(f.producer1, product_fields("Miến dong Bảo Lâm", 120000, 10,
                                                       core::ProductStatus::active))
                   ->id;
  f.product2 = products
                   .create(f.producer2,
                           product_fields("Mật ong bạc hà", 250000, 5, core::ProductStatus::active))
                   ->id;
  f.draft1 = products
                 .create(f.producer1, product_fields("Trà shan tuyết (nháp)", 90000, 3,
                                                     core::ProductStatus::draft))
                 ->id;
  core::Users users(db, clock, fast_users());
  auto add = [&](const char* login, core::Role role, std::optional<int64_t> producer) {
    core::NewUser u;
    u.login = login;
    u.password = kPassword;
    u.role = role;
    u.producer_id = producer;
    users.create_user(u).value();
  };
  add("admin", core::Role::admin, std::nullopt);
  add("canbo", core::Role::officer, std::nullopt);
  add("nsp1", core::Role::producer, f.producer1);
  add("nsp2", core::Role::producer, f.producer2);
}

struct Answer {
  int status = 0;
  json body;
  httplib::Headers headers;
};

class Api : public ::testing::Test {
 protected:
  void SetUp() override {
    ApiOptions options;
    options.users = fast_users();
    options.busy_timeout_ms = 200;
    set_api_options(options);
    Config config = TestServer::quiet_config();
    config.max_body_bytes = 64 * 1024;
    server_ = std::make_unique<TestServer>(config, prepare);
  }
  void TearDown() override { server_.reset(); }

  Answer send(const std::string& method, const std::string& path, const std::string& body,
              const httplib::Headers& headers = {}) {
    httplib::Client client = server_->client();
    auto call = [&]() -> httplib::Result {
      if (method == "POST") return client.Post(path, headers, body, "application/json");
      if (method == "PATCH") return client.Patch(path, headers, body, "application/json");
      if (method == "DELETE") return client.Delete(path, headers, body, "application/json");
      return client.Get(path, headers);
    };
    httplib::Result res = call();
    if (!res) {
      ADD_FAILURE() << method << " " << path << ": " << httplib::to_string(res.error());
      return {};
    }
    Answer answer{res->status, json::parse(res->body, nullptr, false), res->headers};
    return answer;
  }
  Answer get(const std::string& path, const httplib::Headers& headers = {}) {
    return send("GET", path, "", headers);
  }
  Answer post(const std::string& path, const json& body, const httplib::Headers& headers = {}) {
    return send("POST", path, body.dump(), headers);
  }

  std::string token_of(const std::string& login) {
    Answer a = post("/api/v1/auth/login", {{"login", login}, {"password", kPassword}});
    EXPECT_EQ(a.status, 200) << a.body.dump();
    return a.body.value("token", "");
  }
  httplib::Headers bearer(const std::string& login) {
    return {{"Authorization", "Bearer " + token_of(login)}};
  }

  // Every row of a table, as text, for "nothing changed" checks.
  std::vector<std::string> rows(const std::string& table) {
    auto db = core::Database::open(server_->db_path().string()).value();
    std::string columns;
    auto info = db.prepare("SELECT name FROM pragma_table_info(?1) ORDER BY cid").value();
    info.bind(1, table);
    while (info.step().value()) {
      columns += (columns.empty() ? "" : " || '|' || ") + std::string("quote(\"") +
                 info.column_text(0) + "\")";
    }
    EXPECT_FALSE(columns.empty()) << table;
    auto s = db.prepare("SELECT " + columns + " FROM " + table + " ORDER BY rowid").value();
    std::vector<std::string> out;
    while (s.step().value()) out.push_back(s.column_text(0));
    return out;
  }

  json checkout_body(int64_t quantity1 = 2, int64_t quantity2 = 1) {
    return {{"items",
             {{{"product_id", fixture().product1}, {"quantity", quantity1}},
              {{"product_id", fixture().product2}, {"quantity", quantity2}}}},
            {"customer", {{"name", "Nguyễn Thị Mai"}, {"phone", "0912345678"}}},
            {"delivery", {{"method", "pickup"}}},
            {"note", "Lấy ở chợ phiên thứ Bảy"}};
  }

  // One order of producer1 (2 x product1); returns {code, token}.
  std::pair<std::string, std::string> place_order() {
    json body = {{"items", {{{"product_id", fixture().product1}, {"quantity", 2}}}},
                 {"customer", {{"name", "Nguyễn Thị Mai"}, {"phone", "0912345678"}}}};
    Answer a = post("/api/v1/checkout", body);
    EXPECT_EQ(a.status, 201) << a.body.dump();
    return {a.body["orders"][0]["code"], a.body["orders"][0]["token"]};
  }

  void expect_error(const Answer& a, int status, const std::string& code,
                    const std::string& field = "") {
    EXPECT_EQ(a.status, status) << a.body.dump();
    ASSERT_TRUE(a.body.is_object()) << "not JSON";
    EXPECT_EQ(a.body["error"]["code"], code) << a.body.dump();
    EXPECT_TRUE(a.body["request_id"].is_string());
    if (!field.empty()) {
      EXPECT_EQ(a.body["error"].value("field", ""), field) << a.body.dump();
    }
  }

  std::unique_ptr<TestServer> server_;
};

std::set<std::string> keys(const json& object) {
  std::set<std::string> out;
  for (auto it = object.begin(); it != object.end(); ++it) out.insert(it.key());
  return out;
}

// --- authentication ---

TEST_F(Api, LoginAnswersTokenUserAndAnHttpOnlySessionCookie) {
  Answer a = post("/api/v1/auth/login", {{"login", "nsp1"}, {"password", kPassword}});
  ASSERT_EQ(a.status, 200) << a.body.dump();
  EXPECT_GE(a.body["token"].get<std::string>().size(), 22u);
  EXPECT_EQ(a.body["user"]["login"], "nsp1");
  EXPECT_EQ(a.body["user"]["role"], "producer");
  EXPECT_EQ(a.body["user"]["producer_id"], fixture().producer1);
  const std::string cookie = a.headers.find("Set-Cookie")->second;
  EXPECT_EQ(cookie.rfind("session=" + a.body["token"].get<std::string>(), 0), 0u) << cookie;
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Lax"), std::string::npos);
  EXPECT_EQ(cookie.find("Secure"), std::string::npos);  // plain HTTP here
  EXPECT_NE(a.body["expires_at"].get<std::string>().find("+07:00"), std::string::npos);
}

TEST_F(Api, LoginWithAWrongPasswordIsUnauthenticated) {
  expect_error(post("/api/v1/auth/login", {{"login", "nsp1"}, {"password", "sai-mat-khau"}}), 401,
               "unauthenticated");
  expect_error(post("/api/v1/auth/login", {{"login", "khong-co"}, {"password", kPassword}}), 401,
               "unauthenticated");
}

TEST_F(Api, LoginRejectsMissingFieldsAndWrongTypes) {
  expect_error(post("/api/v1/auth/login", {{"password", kPassword}}), 400, "invalid_input",
               "login");
  expect_error(post("/api/v1/auth/login", {{"login", "nsp1"}, {"password", 12345678}}), 400,
               "invalid_input", "password");
  expect_error(send("POST", "/api/v1/auth/login", "{\"login\": "), 400, "invalid_input", "body");
}

TEST_F(Api, LoginIsThrottledWithRetryAfter) {
  for (int i = 0; i < 5; ++i) {
    post("/api/v1/auth/login", {{"login", "nsp2"}, {"password", "sai-mat-khau"}});
  }
  Answer a = post("/api/v1/auth/login", {{"login", "nsp2"}, {"password", kPassword}});
  expect_error(a, 429, "rate_limited");
  ASSERT_NE(a.headers.find("Retry-After"), a.headers.end());
  EXPECT_GT(std::stoi(a.headers.find("Retry-After")->second), 0);
  // Another login from the same address is not blocked by nsp2's failures.
  EXPECT_EQ(post("/api/v1/auth/login", {{"login", "nsp1"}, {"password", kPassword}}).status, 200);
}

TEST_F(Api, LogoutEndsTheSession) {
  const auto headers = bearer("nsp1");
  EXPECT_EQ(get("/api/v1/orders", headers).status, 200);
  Answer out = send("POST", "/api/v1/auth/logout", "", headers);
  EXPECT_EQ(out.status, 200) << out.body.dump();
  expect_error(get("/api/v1/orders", headers), 401, "unauthenticated");
}

TEST_F(Api, RequestsWithoutOrWithBadCredentialsAreUnauthenticated) {
  expect_error(get("/api/v1/orders"), 401, "unauthenticated");
  expect_error(get("/api/v1/orders", {{"Authorization", "Bearer not-a-token"}}), 401,
               "unauthenticated");
  expect_error(get("/api/v1/orders", {{"Authorization", "Basic Zm9vOmJhcg=="}}), 401,
               "unauthenticated");
  expect_error(get("/api/v1/products", {{"Cookie", "session=forged"}}), 401, "unauthenticated");
}

TEST_F(Api, CookieRequestsThatChangeThingsNeedTheCsrfToken) {
  Answer login = post("/api/v1/auth/login", {{"login", "nsp1"}, {"password", kPassword}});
  const std::string cookie = "session=" + login.body["token"].get<std::string>();
  const std::string csrf = login.body["csrf_token"];
  json product = {{"name", "Bánh cuốn"}, {"ocop", {{"group", "G1"}}},
                  {"unit", "hộp"},       {"price_vnd", 30000},
                  {"stock", 4},          {"status", "active"}};
  const auto before = rows("products");
  expect_error(post("/api/v1/products", product, {{"Cookie", cookie}}), 403, "forbidden");
  expect_error(post("/api/v1/products", product, {{"Cookie", cookie}, {"X-CSRF-Token", "sai"}}),
               403, "forbidden");
  EXPECT_EQ(rows("products"), before);
  // Reads need no token.
  EXPECT_EQ(get("/api/v1/orders", {{"Cookie", cookie}}).status, 200);
  Answer ok = post("/api/v1/products", product, {{"Cookie", cookie}, {"X-CSRF-Token", csrf}});
  EXPECT_EQ(ok.status, 201) << ok.body.dump();
  // A form post carries it as a field.
  httplib::Client client = server_->client();
  auto form = client.Post("/api/v1/auth/logout", {{"Cookie", cookie}}, "csrf_token=" + csrf,
                          "application/x-www-form-urlencoded");
  ASSERT_TRUE(form);
  EXPECT_EQ(form->status, 200) << form->body;
}

TEST_F(Api, BearerRequestsNeedNoCsrfToken) {
  json product = {{"name", "Bánh cuốn"}, {"ocop", {{"group", "G1"}}},
                  {"unit", "hộp"},       {"price_vnd", 30000},
                  {"stock", 4},          {"status", "active"}};
  Answer a = post("/api/v1/products", product, bearer("nsp1"));
  EXPECT_EQ(a.status, 201) << a.body.dump();
  EXPECT_EQ(a.body["producer_id"], fixture().producer1);
}

// --- users ---

TEST_F(Api, AdminsCreateUsersAndOfficersCreateProducerUsersOnly) {
  Answer officer =
      post("/api/v1/users", {{"login", "canbo2"}, {"password", kPassword}, {"role", "officer"}},
           bearer("admin"));
  EXPECT_EQ(officer.status, 201) << officer.body.dump();
  EXPECT_EQ(officer.body["role"], "officer");
  EXPECT_FALSE(officer.body.contains("password"));
  const auto canbo = bearer("canbo");
  expect_error(post("/api/v1/users",
                    {{"login", "canbo3"}, {"password", kPassword}, {"role", "officer"}}, canbo),
               403, "forbidden");
  // Issue 17: an officer creates only the first login of a producer that has none.
  Answer fresh =
      post("/api/v1/producers",
           {{"name", "HTX Mới"}, {"entity_type", "cooperative"}, {"area_code", "01290"}}, canbo);
  ASSERT_EQ(fresh.status, 201) << fresh.body.dump();
  Answer producer = post("/api/v1/users",
                         {{"login", "nsp1b"},
                          {"password", kPassword},
                          {"role", "producer"},
                          {"producer_id", fresh.body["id"]}},
                         canbo);
  EXPECT_EQ(producer.status, 201) << producer.body.dump();
  expect_error(post("/api/v1/users",
                    {{"login", "nsp1c"},
                     {"password", kPassword},
                     {"role", "producer"},
                     {"producer_id", fixture().producer1}},
                    bearer("nsp1")),
               403, "forbidden");
  expect_error(post("/api/v1/users",
                    {{"login", "NSP1B"},
                     {"password", kPassword},
                     {"role", "producer"},
                     {"producer_id", fixture().producer1}},
                    canbo),
               409, "conflict");
  expect_error(post("/api/v1/users", {{"login", "x1x"}, {"password", kPassword}, {"role", "boss"}},
                    bearer("admin")),
               400, "invalid_input", "role");
  expect_error(
      post("/api/v1/users",
           {{"login", "nsp9"}, {"password", kPassword}, {"role", "producer"}, {"producer_id", 999}},
           canbo),
      404, "not_found");
  // The new producer user can sign in.
  EXPECT_FALSE(token_of("nsp1b").empty());
}

// --- producers ---

TEST_F(Api, ProducersShowPublicFieldsToAnyoneAndAllFieldsToThoseAllowed) {
  const std::string path = "/api/v1/producers/" + std::to_string(fixture().producer1);
  Answer anon = get(path);
  ASSERT_EQ(anon.status, 200) << anon.body.dump();
  EXPECT_EQ(anon.body["name"], "HTX Nông sản Bảo Lâm");
  EXPECT_FALSE(anon.body.contains("phone"));
  EXPECT_FALSE(anon.body.contains("bank"));
  EXPECT_FALSE(anon.body.contains("registration_no"));
  for (const char* login : {"canbo", "admin", "nsp1"}) {
    Answer full = get(path, bearer(login));
    EXPECT_EQ(full.body["phone"], "0912345678") << login;
    EXPECT_EQ(full.body["bank"]["bin"], "970436") << login;
    EXPECT_EQ(full.body["bank"]["bank"], "Vietcombank") << login;
    EXPECT_EQ(full.body["registration_no"], "4800781234") << login;
  }
  Answer other = get(path, bearer("nsp2"));
  EXPECT_FALSE(other.body.contains("phone"));
  Answer list = get("/api/v1/producers");
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.body["producers"].size(), 2u);
  for (const auto& p : list.body["producers"]) EXPECT_FALSE(p.contains("bank"));
  expect_error(get("/api/v1/producers/999"), 404, "not_found");
}

TEST_F(Api, OfficersRegisterProducersWithABankFromTheDirectory) {
  json body = {{"name", kHtml},
               {"entity_type", "cooperative_group"},
               {"area_code", "01290"},
               {"phone", "0987654321"},
               {"address", "Xã Bảo Lâm"},
               {"bank", {{"bin", "970436"}, {"account", "0123456789"}, {"holder", "TO HOP TAC"}}},
               {"social", {{"zalo", "0987654321"}, {"facebook", "fb.com/x"}, {"tiktok", "@x"}}}};
  Answer created = post("/api/v1/producers", body, bearer("canbo"));
  ASSERT_EQ(created.status, 201) << created.body.dump();
  EXPECT_EQ(created.body["name"], kHtml);  // stored verbatim, returned as JSON text
  EXPECT_EQ(created.body["entity_type"], "cooperative_group");
  EXPECT_EQ(created.body["social"]["tiktok"], "@x");

  const auto before = rows("producers");
  json bad_bin = body;
  bad_bin["bank"]["bin"] = "999999";
  expect_error(post("/api/v1/producers", bad_bin, bearer("canbo")), 400, "invalid_input",
               "bank.bin");
  json bad_type = body;
  bad_type["entity_type"] = "corporation";
  expect_error(post("/api/v1/producers", bad_type, bearer("admin")), 400, "invalid_input",
               "entity_type");
  json wrong_type = body;
  wrong_type["bank"]["account"] = 123;
  expect_error(post("/api/v1/producers", wrong_type, bearer("admin")), 400, "invalid_input",
               "bank.account");
  expect_error(post("/api/v1/producers", body, bearer("nsp1")), 403, "forbidden");
  expect_error(post("/api/v1/producers", body), 401, "unauthenticated");
  EXPECT_EQ(rows("producers"), before);
}

TEST_F(Api, AProducerPatchesItselfButNotTheRegisterFields) {
  const std::string path = "/api/v1/producers/" + std::to_string(fixture().producer1);
  Answer ok = send("PATCH", path, json{{"phone", "0900000001"}}.dump(), bearer("nsp1"));
  ASSERT_EQ(ok.status, 200) << ok.body.dump();
  EXPECT_EQ(ok.body["phone"], "0900000001");
  EXPECT_EQ(ok.body["name"], "HTX Nông sản Bảo Lâm");  // untouched fields kept
  const auto before = rows("producers");
  expect_error(send("PATCH", path, json{{"registration_no", "X"}}.dump(), bearer("nsp1")), 403,
               "forbidden", "registration_no");
  expect_error(send("PATCH", path, json{{"status", "inactive"}}.dump(), bearer("nsp1")), 403,
               "forbidden");
  expect_error(send("PATCH", path, json{{"phone", "0900000002"}}.dump(), bearer("nsp2")), 403,
               "forbidden");
  expect_error(send("PATCH", path, json{{"bank", {{"bin", "123456"}}}}.dump(), bearer("nsp1")), 400,
               "invalid_input", "bank.bin");
  EXPECT_EQ(rows("producers"), before);
  Answer officer =
      send("PATCH", path, json{{"registration_no", "4800000000"}}.dump(), bearer("canbo"));
  EXPECT_EQ(officer.status, 200) << officer.body.dump();
  EXPECT_EQ(officer.body["registration_no"], "4800000000");
}

// --- products ---

TEST_F(Api, TheCatalogueListsActiveProductsAndSearchesWithoutDiacritics) {
  Answer all = get("/api/v1/products");
  ASSERT_EQ(all.status, 200) << all.body.dump();
  EXPECT_EQ(all.body["total"], 2);
  for (const auto& p : all.body["products"]) EXPECT_EQ(p["status"], "active");
  Answer found = get("/api/v1/products?q=mien%20dong");
  ASSERT_EQ(found.body["products"].size(), 1u);
  const json& p = found.body["products"][0];
  EXPECT_EQ(p["name"], "Miến dong Bảo Lâm");
  EXPECT_EQ(p["price_vnd"], 120000);
  EXPECT_EQ(p["ocop"]["group"], "G1");
  EXPECT_EQ(p["ocop"]["stars"], 4);
  EXPECT_EQ(p["ocop"]["decision_date"], "2025-03-01");
  Answer by_producer = get("/api/v1/products?producer=" + std::to_string(fixture().producer2));
  ASSERT_EQ(by_producer.body["products"].size(), 1u);
  EXPECT_EQ(by_producer.body["products"][0]["id"], fixture().product2);
  EXPECT_EQ(get("/api/v1/products?stars=5").body["total"], 0);
  EXPECT_EQ(get("/api/v1/products?group=G1&area=01290").body["total"], 2);
  expect_error(get("/api/v1/products?stars=7"), 400, "invalid_input", "stars");
  expect_error(get("/api/v1/products?per_page=abc"), 400, "invalid_input", "per_page");
  expect_error(get("/api/v1/products?status=all"), 401, "unauthenticated");
  Answer own = get("/api/v1/products?status=all", bearer("nsp1"));
  EXPECT_EQ(own.body["total"], 2);  // product1 and its draft, nothing of producer2
}

TEST_F(Api, DraftsAreVisibleToTheirProducerOnly) {
  const std::string path = "/api/v1/products/" + std::to_string(fixture().draft1);
  expect_error(get(path), 404, "not_found");
  expect_error(get(path, bearer("nsp2")), 404, "not_found");
  EXPECT_EQ(get(path, bearer("nsp1")).status, 200);
  EXPECT_EQ(get(path, bearer("canbo")).status, 200);
  EXPECT_EQ(get("/api/v1/products/" + std::to_string(fixture().product1)).status, 200);
  expect_error(get("/api/v1/products/999999"), 404, "not_found");
}

TEST_F(Api, ProducersCreateChangeAndArchiveTheirProducts) {
  const auto headers = bearer("nsp1");
  json body = {{"name", kHtml},
               {"description", "<b>ngon</b>"},
               {"ocop",
                {{"group", "G2"},
                 {"stars", 3},
                 {"decision_no", "9/QĐ"},
                 {"decision_date", "2025-01-15"},
                 {"issuer", "UBND tỉnh"}}},
               {"unit", "chai 500 ml"},
               {"price_vnd", 85000},
               {"stock", 12},
               {"weight_g", 600},
               {"status", "active"}};
  Answer created = post("/api/v1/products", body, headers);
  ASSERT_EQ(created.status, 201) << created.body.dump();
  EXPECT_EQ(created.body["name"], kHtml);
  EXPECT_EQ(created.body["description"], "<b>ngon</b>");
  EXPECT_EQ(created.body["ocop"]["valid_until"], "2028-01-15");
  const std::string path = "/api/v1/products/" + created.body["id"].dump();
  EXPECT_EQ(get(path).body["name"], kHtml);

  Answer patched = send("PATCH", path, json{{"price_vnd", 90000}}.dump(), headers);
  ASSERT_EQ(patched.status, 200) << patched.body.dump();
  EXPECT_EQ(patched.body["price_vnd"], 90000);
  EXPECT_EQ(patched.body["stock"], 12);

  const auto before = rows("products");
  expect_error(send("PATCH", path, json{{"price_vnd", "90000"}}.dump(), headers), 400,
               "invalid_input", "price_vnd");
  expect_error(send("PATCH", path, json{{"price_vnd", 10000000001}}.dump(), headers), 400,
               "invalid_input", "price_vnd");
  expect_error(send("PATCH", path, json{{"price_vnd", 1.5}}.dump(), headers), 400, "invalid_input",
               "price_vnd");
  expect_error(send("PATCH", path, json{{"status", "sold"}}.dump(), headers), 400, "invalid_input",
               "status");
  expect_error(send("PATCH", path, json{{"ocop", {{"stars", 9}}}}.dump(), headers), 400,
               "invalid_input", "ocop.stars");
  expect_error(send("PATCH", path, json{{"name", ""}}.dump(), headers), 400, "invalid_input",
               "name");
  expect_error(send("PATCH", path, "[1,2]", headers), 400, "invalid_input", "body");
  expect_error(send("PATCH", path, std::string("{\"name\": \"\xC3\x28\"}"), headers), 400,
               "invalid_input", "body");
  expect_error(post("/api/v1/products", json{{"name", "x"}}, bearer("canbo")), 400, "invalid_input",
               "producer_id");
  EXPECT_EQ(rows("products"), before);

  Answer archived = send("DELETE", path, "", headers);
  ASSERT_EQ(archived.status, 200) << archived.body.dump();
  EXPECT_EQ(archived.body["status"], "archived");
  expect_error(get(path), 404, "not_found");
  EXPECT_EQ(get("/api/v1/products").body["total"], 2);
}

// --- checkout ---

TEST_F(Api, CheckoutAnswersOneOrderPerProducerInTheShapeOfApiMd) {
  Answer a = post("/api/v1/checkout", checkout_body());
  ASSERT_EQ(a.status, 201) << a.body.dump();
  EXPECT_EQ(keys(a.body), (std::set<std::string>{"orders"}));
  ASSERT_EQ(a.body["orders"].size(), 2u);
  for (const json& order : a.body["orders"]) {
    for (const char* key : {"code", "producer_id", "status", "total_vnd", "expires_at", "items",
                            "payment", "token", "status_url"}) {
      EXPECT_TRUE(order.contains(key)) << key;
    }
    EXPECT_FALSE(order.contains("customer"));  // the customer knows who they are
    const std::string code = order["code"];
    const std::string token = order["token"];
    EXPECT_TRUE(core::is_valid_payment_code(code)) << code;
    EXPECT_GE(token.size(), 22u);  // >= 128 random bits
    for (char c : token)
      EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_');
    EXPECT_EQ(order["status"], "pending_payment");
    EXPECT_EQ(order["status_url"], "/don-hang/" + code + "?token=" + token);
    const std::string expires = order["expires_at"];
    EXPECT_EQ(expires.substr(expires.size() - 6), "+07:00");
    const json& item = order["items"][0];
    for (const char* key : {"product_id", "name", "quantity", "unit_price_vnd"}) {
      EXPECT_TRUE(item.contains(key)) << key;
    }
    const json& pay = order["payment"];
    for (const char* key : {"bin", "bank", "account", "holder", "amount_vnd", "description",
                            "vietqr", "qr_png", "qr_svg"}) {
      EXPECT_TRUE(pay.contains(key)) << key;
    }
    EXPECT_EQ(pay["bin"], "970436");
    EXPECT_EQ(pay["bank"], "Vietcombank");
    EXPECT_EQ(pay["amount_vnd"], order["total_vnd"]);
    EXPECT_EQ(pay["description"], code);
    EXPECT_EQ(pay["qr_png"], "/api/v1/orders/" + code + "/qr.png?token=" + token);
    EXPECT_EQ(pay["qr_svg"], "/api/v1/orders/" + code + "/qr.svg?token=" + token);
    const std::string vietqr = pay["vietqr"];
    EXPECT_EQ(vietqr.rfind("000201", 0), 0u);
    EXPECT_NE(vietqr.find(code), std::string::npos);
    EXPECT_NE(vietqr.find(pay["account"].get<std::string>()), std::string::npos);
  }
  const json& first = a.body["orders"][0]["producer_id"] == fixture().producer1
                          ? a.body["orders"][0]
                          : a.body["orders"][1];
  EXPECT_EQ(first["total_vnd"], 240000);
  EXPECT_EQ(first["items"][0]["name"], "Miến dong Bảo Lâm");
  EXPECT_EQ(first["items"][0]["quantity"], 2);
  EXPECT_EQ(first["items"][0]["unit_price_vnd"], 120000);
  EXPECT_EQ(first["payment"]["account"], "0011001234567");
  EXPECT_EQ(first["payment"]["holder"], "HTX NONG SAN");
  // Stock was reserved.
  EXPECT_EQ(get("/api/v1/products/" + std::to_string(fixture().product1)).body["stock"], 8);
}

TEST_F(Api, CheckoutRefusesBadQuantitiesAndChangesNothing) {
  const auto orders = rows("orders");
  const auto products = rows("products");
  expect_error(post("/api/v1/checkout", checkout_body(0)), 400, "invalid_input",
               "items[0].quantity");
  expect_error(post("/api/v1/checkout", checkout_body(1, 1001)), 400, "invalid_input",
               "items[1].quantity");
  json text_quantity = checkout_body();
  text_quantity["items"][0]["quantity"] = "2";
  expect_error(post("/api/v1/checkout", text_quantity), 400, "invalid_input", "items[0].quantity");
  json fraction = checkout_body();
  fraction["items"][0]["quantity"] = 1.5;
  expect_error(post("/api/v1/checkout", fraction), 400, "invalid_input", "items[0].quantity");
  json no_items = checkout_body();
  no_items["items"] = json::array();
  expect_error(post("/api/v1/checkout", no_items), 400, "invalid_input", "items");
  json bad_phone = checkout_body();
  bad_phone["customer"]["phone"] = "12";
  expect_error(post("/api/v1/checkout", bad_phone), 400, "invalid_input", "customer.phone");
  json bad_delivery = checkout_body();
  bad_delivery["delivery"]["method"] = "drone";
  expect_error(post("/api/v1/checkout", bad_delivery), 400, "invalid_input", "delivery.method");
  expect_error(send("POST", "/api/v1/checkout", "{\"items\": [}"), 400, "invalid_input", "body");
  expect_error(send("POST", "/api/v1/checkout", std::string("{\"note\": \"\xFF\"}")), 400,
               "invalid_input", "body");
  EXPECT_EQ(rows("orders"), orders);
  EXPECT_EQ(rows("products"), products);
}

TEST_F(Api, CheckoutOfAnUnavailableProductIsAConflictNamingItAndCreatesNothing) {
  const auto orders = rows("orders");
  const auto products = rows("products");
  Answer short_stock = post("/api/v1/checkout", checkout_body(2, 6));  // product2 has 5
  expect_error(short_stock, 409, "conflict");
  EXPECT_NE(short_stock.body["error"]["message"].get<std::string>().find("Mật ong bạc hà"),
            std::string::npos)
      << short_stock.body.dump();
  json draft = checkout_body();
  draft["items"][1]["product_id"] = fixture().draft1;
  Answer inactive = post("/api/v1/checkout", draft);
  expect_error(inactive, 409, "conflict");
  json unknown = checkout_body();
  unknown["items"][1]["product_id"] = 424242;
  Answer missing = post("/api/v1/checkout", unknown);
  expect_error(missing, 409, "conflict");
  EXPECT_NE(missing.body["error"]["message"].get<std::string>().find("424242"), std::string::npos)
      << missing.body.dump();
  EXPECT_EQ(rows("orders"), orders);
  EXPECT_EQ(rows("products"), products);
}

// --- orders ---

TEST_F(Api, TheTokenShowsTheOrderAndTheCodeAloneOnlyItsStatus) {
  auto [code, token] = place_order();
  Answer with_token = get("/api/v1/orders/" + code + "?token=" + token);
  ASSERT_EQ(with_token.status, 200) << with_token.body.dump();
  EXPECT_EQ(with_token.body["status"], "pending_payment");
  EXPECT_EQ(with_token.body["items"].size(), 1u);
  EXPECT_EQ(with_token.body["payment"]["description"], code);
  EXPECT_FALSE(with_token.body.contains("customer"));
  EXPECT_FALSE(with_token.body.contains("token"));

  Answer code_only = get("/api/v1/orders/" + code);
  ASSERT_EQ(code_only.status, 200);
  EXPECT_EQ(keys(code_only.body), (std::set<std::string>{"code", "status"}));

  expect_error(get("/api/v1/orders/" + code + "?token=wrong" + token), 404, "not_found");
  expect_error(get("/api/v1/orders/CPAAAAAAA"), 404, "not_found");

  Answer producer = get("/api/v1/orders/" + code, bearer("nsp1"));
  EXPECT_EQ(producer.body["customer"]["name"], "Nguyễn Thị Mai");
  EXPECT_EQ(producer.body["customer"]["phone"], "0912345678");
  Answer officer = get("/api/v1/orders/" + code, bearer("canbo"));
  EXPECT_EQ(officer.body["customer"]["name"], "Nguyễn Thị Mai");
  Answer other = get("/api/v1/orders/" + code, bearer("nsp2"));
  EXPECT_EQ(keys(other.body), (std::set<std::string>{"code", "status"}));
}

TEST_F(Api, TheOwningProducerMarksPaidFulfilsAndCancels) {
  auto [code, token] = place_order();
  const auto headers = bearer("nsp1");
  const std::string base = "/api/v1/orders/" + code;
  expect_error(post(base + "/mark-paid", {{"method", "cheque"}}, headers), 400, "invalid_input",
               "method");
  expect_error(post(base + "/mark-paid", {{"method", "cash"}, {"amount_vnd", "1000"}}, headers),
               400, "invalid_input", "amount_vnd");
  expect_error(post(base + "/fulfil", json::object(), headers), 409, "conflict");
  expect_error(post(base + "/mark-paid", {{"method", "cash"}}, bearer("canbo")), 403, "forbidden");
  Answer paid = post(base + "/mark-paid",
                     {{"method", "cash"}, {"amount_vnd", 240000}, {"note", "tại chợ"}}, headers);
  ASSERT_EQ(paid.status, 200) << paid.body.dump();
  EXPECT_EQ(paid.body["status"], "paid");
  EXPECT_EQ(paid.body["paid_vnd"], 240000);
  EXPECT_NE(paid.body["paid_at"].get<std::string>().find("+07:00"), std::string::npos);
  expect_error(post(base + "/mark-paid", {{"method", "cash"}}, headers), 409, "conflict");
  EXPECT_EQ(get(base + "?token=" + token).body["status"], "paid");
  Answer fulfilled = send("POST", base + "/fulfil", "", headers);
  ASSERT_EQ(fulfilled.status, 200) << fulfilled.body.dump();
  EXPECT_EQ(fulfilled.body["status"], "fulfilled");
  expect_error(post(base + "/cancel", json::object(), headers), 409, "conflict");

  auto [code2, token2] = place_order();
  Answer cancelled =
      post("/api/v1/orders/" + code2 + "/cancel", {{"note", "khách đổi ý"}}, headers);
  ASSERT_EQ(cancelled.status, 200) << cancelled.body.dump();
  EXPECT_EQ(cancelled.body["status"], "cancelled");
  // The stock of the cancelled order came back: 10 - 2 (first order) = 8.
  EXPECT_EQ(get("/api/v1/products/" + std::to_string(fixture().product1)).body["stock"], 8);
  expect_error(post("/api/v1/orders/CPAAAAAAA/cancel", json::object(), headers), 404, "not_found");
}

TEST_F(Api, OrderListsAreScopedToTheProducer) {
  post("/api/v1/checkout", checkout_body());
  Answer own = get("/api/v1/orders", bearer("nsp1"));
  ASSERT_EQ(own.status, 200) << own.body.dump();
  ASSERT_EQ(own.body["orders"].size(), 1u);
  EXPECT_EQ(own.body["orders"][0]["producer_id"], fixture().producer1);
  EXPECT_EQ(get("/api/v1/orders", bearer("canbo")).body["orders"].size(), 2u);
  EXPECT_EQ(get("/api/v1/orders", bearer("admin")).body["orders"].size(), 2u);
  EXPECT_EQ(get("/api/v1/orders?status=paid", bearer("canbo")).body["orders"].size(), 0u);
  EXPECT_EQ(
      get("/api/v1/orders?from=2025-07-01&to=2025-07-01", bearer("canbo")).body["orders"].size(),
      2u);
  EXPECT_EQ(get("/api/v1/orders?from=2025-07-02", bearer("canbo")).body["orders"].size(), 0u);
  expect_error(get("/api/v1/orders?status=shipped", bearer("canbo")), 400, "invalid_input",
               "status");
  expect_error(get("/api/v1/orders?from=yesterday", bearer("canbo")), 400, "invalid_input", "from");
  expect_error(
      get("/api/v1/orders?producer=" + std::to_string(fixture().producer2), bearer("nsp1")), 403,
      "forbidden");
}

// --- payments and sales ---

// A transfer into producer1's account whose code matches no order: unmatched, assignable.
int64_t receive_unmatched(TestServer& server, int64_t amount) {
  auto db = server.db().acquire().value();
  core::PaymentStore payments(*db, server.clock());
  core::BankNotification n;
  n.producer_id = fixture().producer1;
  n.provider = "sepay";
  n.provider_txn_id = "txn-" + std::to_string(amount);
  n.amount_vnd = amount;
  n.account_number = "0011001234567";
  n.description = "CK " + core::new_payment_code();
  n.raw_body = "{}";
  auto outcome = payments.receive(n).value();
  EXPECT_EQ(outcome.payment.match_state, "unmatched");
  return outcome.payment.id;
}

TEST_F(Api, AProducerAssignsAnUnmatchedTransferToItsOrder) {
  auto [code, token] = place_order();
  const int64_t payment = receive_unmatched(*server_, 240000);
  const auto headers = bearer("nsp1");
  Answer unmatched = get("/api/v1/payments?match=unmatched", headers);
  ASSERT_EQ(unmatched.status, 200) << unmatched.body.dump();
  ASSERT_EQ(unmatched.body["payments"].size(), 1u);
  EXPECT_EQ(unmatched.body["payments"][0]["id"], payment);
  EXPECT_EQ(unmatched.body["payments"][0]["amount_vnd"], 240000);
  EXPECT_EQ(get("/api/v1/payments", bearer("nsp2")).body["payments"].size(), 0u);
  EXPECT_EQ(get("/api/v1/payments", bearer("canbo")).body["payments"].size(), 1u);
  expect_error(get("/api/v1/payments?match=maybe", headers), 400, "invalid_input", "match");
  expect_error(get("/api/v1/payments"), 401, "unauthenticated");

  const std::string assign = "/api/v1/payments/" + std::to_string(payment) + "/assign";
  expect_error(post(assign, {{"order_code", "CPAAAAAAA"}}, headers), 404, "not_found",
               "order_code");
  expect_error(post(assign, {{"order_code", 42}}, headers), 400, "invalid_input", "order_code");
  Answer assigned = post(assign, {{"order_code", code}}, headers);
  ASSERT_EQ(assigned.status, 200) << assigned.body.dump();
  EXPECT_EQ(assigned.body["match"], "matched");
  EXPECT_EQ(assigned.body["order_code"], code);
  EXPECT_EQ(get("/api/v1/orders/" + code + "?token=" + token).body["status"], "paid");
  expect_error(post(assign, {{"order_code", code}}, headers), 409, "conflict");
  expect_error(post("/api/v1/payments/99999/assign", {{"order_code", code}}, headers), 404,
               "not_found");
}

TEST_F(Api, HandEnteredSalesGoToTheLedgerOfTheirProducer) {
  const auto headers = bearer("nsp1");
  Answer sale = post("/api/v1/sales",
                     {{"channel", "cash"},
                      {"settlement", "cash"},
                      {"amount_vnd", 150000},
                      {"occurred_at", "2025-06-30T09:30:00+07:00"},
                      {"note", kHtml}},
                     headers);
  ASSERT_EQ(sale.status, 201) << sale.body.dump();
  EXPECT_EQ(sale.body["producer_id"], fixture().producer1);
  EXPECT_EQ(sale.body["amount_vnd"], 150000);
  EXPECT_EQ(sale.body["occurred_at"], "2025-06-30T09:30:00+07:00");
  EXPECT_EQ(sale.body["note"], kHtml);
  Answer officer_sale = post("/api/v1/sales",
                             {{"producer_id", fixture().producer2},
                              {"channel", "social"},
                              {"settlement", "bank_transfer"},
                              {"amount_vnd", 50000}},
                             bearer("canbo"));
  EXPECT_EQ(officer_sale.status, 201) << officer_sale.body.dump();

  Answer own = get("/api/v1/sales", headers);
  ASSERT_EQ(own.status, 200) << own.body.dump();
  ASSERT_EQ(own.body["sales"].size(), 1u);
  EXPECT_EQ(own.body["total_vnd"], 150000);
  EXPECT_EQ(get("/api/v1/sales", bearer("canbo")).body["sales"].size(), 2u);
  EXPECT_EQ(get("/api/v1/sales?channel=social", bearer("canbo")).body["sales"].size(), 1u);
  EXPECT_EQ(get("/api/v1/sales?from=2025-07-01", bearer("canbo")).body["sales"].size(), 1u);
  EXPECT_EQ(get("/api/v1/sales?to=2025-06-30", bearer("canbo")).body["sales"].size(), 1u);

  const auto before = rows("sales_ledger");
  expect_error(
      post("/api/v1/sales", {{"producer_id", fixture().producer2}, {"amount_vnd", 1000}}, headers),
      403, "forbidden");
  expect_error(post("/api/v1/sales", {{"amount_vnd", 0}}, headers), 400, "invalid_input",
               "amount_vnd");
  expect_error(post("/api/v1/sales", {{"amount_vnd", 1000}, {"channel", "storefront"}}, headers),
               400, "invalid_input", "channel");
  expect_error(post("/api/v1/sales", {{"amount_vnd", 1000}}, bearer("canbo")), 400, "invalid_input",
               "producer_id");
  expect_error(get("/api/v1/sales?channel=bazaar", headers), 400, "invalid_input", "channel");
  EXPECT_EQ(rows("sales_ledger"), before);
}

// --- security ---

TEST_F(Api, AProducerCannotReadOrChangeAnotherProducersThingsById) {
  auto [code, token] = place_order();  // producer1's order
  const int64_t payment = receive_unmatched(*server_, 240000);
  const auto before_products = rows("products");
  const auto before_orders = rows("orders");
  const auto before_payments = rows("payments");
  const auto before_producers = rows("producers");
  const auto attacker = bearer("nsp2");
  const std::string product = "/api/v1/products/" + std::to_string(fixture().draft1);
  const std::string active = "/api/v1/products/" + std::to_string(fixture().product1);

  auto refused = [](const Answer& a) { return a.status == 403 || a.status == 404; };
  EXPECT_TRUE(refused(get(product, attacker)));
  EXPECT_TRUE(refused(send("PATCH", active, json{{"price_vnd", 1}}.dump(), attacker)));
  EXPECT_TRUE(refused(send("PATCH", product, json{{"status", "active"}}.dump(), attacker)));
  EXPECT_TRUE(refused(send("DELETE", active, "", attacker)));
  EXPECT_TRUE(
      refused(post("/api/v1/orders/" + code + "/mark-paid", {{"method", "cash"}}, attacker)));
  EXPECT_TRUE(refused(post("/api/v1/orders/" + code + "/cancel", json::object(), attacker)));
  EXPECT_TRUE(refused(post("/api/v1/orders/" + code + "/fulfil", json::object(), attacker)));
  EXPECT_TRUE(refused(post("/api/v1/payments/" + std::to_string(payment) + "/assign",
                           {{"order_code", code}}, attacker)));
  EXPECT_TRUE(
      refused(get("/api/v1/payments?producer=" + std::to_string(fixture().producer1), attacker)));
  EXPECT_TRUE(
      refused(get("/api/v1/orders?producer=" + std::to_string(fixture().producer1), attacker)));
  EXPECT_TRUE(
      refused(get("/api/v1/sales?producer=" + std::to_string(fixture().producer1), attacker)));
  EXPECT_TRUE(refused(send("PATCH", "/api/v1/producers/" + std::to_string(fixture().producer1),
                           json{{"bank", {{"account", "6666666666"}}}}.dump(), attacker)));
  EXPECT_TRUE(refused(post("/api/v1/products",
                           {{"producer_id", fixture().producer1},
                            {"name", "x"},
                            {"unit", "x"},
                            {"ocop", {{"group", "G1"}}}},
                           attacker)));
  // Their lists leave producer1's things out, and the order shows only its status.
  EXPECT_EQ(get("/api/v1/orders", attacker).body["orders"].size(), 0u);
  EXPECT_EQ(get("/api/v1/payments", attacker).body["payments"].size(), 0u);
  EXPECT_EQ(get("/api/v1/products?status=all", attacker).body["total"], 1);
  EXPECT_FALSE(get("/api/v1/orders/" + code, attacker).body.contains("customer"));

  EXPECT_EQ(rows("products"), before_products);
  EXPECT_EQ(rows("orders"), before_orders);
  EXPECT_EQ(rows("payments"), before_payments);
  EXPECT_EQ(rows("producers"), before_producers);
}

TEST_F(Api, HtmlInTextFieldsIsStoredVerbatimAndReturnedAsJson) {
  json body = checkout_body();
  body["customer"]["name"] = kHtml;
  body["note"] = "<img src=x onerror=alert(1)>";
  Answer a = post("/api/v1/checkout", body);
  ASSERT_EQ(a.status, 201) << a.body.dump();
  const std::string code = a.body["orders"][0]["code"];
  Answer seen = get("/api/v1/orders/" + code, bearer("canbo"));
  EXPECT_EQ(seen.body["customer"]["name"], kHtml);
  EXPECT_EQ(seen.body["note"], "<img src=x onerror=alert(1)>");
  httplib::Client client = server_->client();
  auto raw = client.Get("/api/v1/orders/" + code, bearer("canbo"));
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->get_header_value("Content-Type").rfind("application/json", 0), 0u);
  EXPECT_EQ(raw->get_header_value("X-Content-Type-Options"), "nosniff");
}

// --- limits and availability ---

TEST_F(Api, ABodyOverTheLimitIsTooLarge) {
  const auto orders = rows("orders");
  json body = checkout_body();
  body["note"] = std::string(100 * 1024, 'a');  // the limit here is 64 KiB
  expect_error(post("/api/v1/checkout", body), 413, "too_large");
  EXPECT_EQ(rows("orders"), orders);
}

TEST_F(Api, ABusyDatabaseIsUnavailableWithRetryAfterAndChangesNothing) {
  const auto orders = rows("orders");
  {
    // Another connection holds the write lock past the API's busy timeout (200 ms here).
    auto other = core::Database::open(server_->db_path().string()).value();
    auto tx = other.begin().value();
    Answer a = post("/api/v1/checkout", checkout_body());
    expect_error(a, 503, "unavailable");
    EXPECT_NE(a.headers.find("Retry-After"), a.headers.end());
  }
  EXPECT_EQ(rows("orders"), orders);
  EXPECT_EQ(post("/api/v1/checkout", checkout_body()).status, 201);
}

TEST_F(Api, UnknownPathsAreNotFoundInJson) {
  expect_error(get("/api/v1/products/abc"), 404, "not_found");
  expect_error(get("/api/v1/nothing-here"), 404, "not_found");
}

}  // namespace
}  // namespace chophien::storefront
