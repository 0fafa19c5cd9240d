// A receiving account belongs to at most one producer, and changing one's own is a sensitive
// action (issue 17, point 3), over real HTTP: the API (409 with the field, the password), the
// producer's stall QR page, the officers' register (another producer's account refused there
// too, the recent changes listed), the action log, and a pending order that keeps its QR account.
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <string>

#include "core/audit.h"
#include "core/orders.h"
#include "core/producers.h"
#include "storefront/auth.h"
#include "storefront/workspace_fixture.h"

namespace chophien::storefront {
namespace {

using fixtures::Browser;
using fixtures::WorkspaceIds;
using nlohmann::json;

constexpr const char* kAccountA = "0011001234567";  // producer A's (Vietcombank)
constexpr const char* kAccountB = "2150001234";     // producer B's (BIDV 970418)

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class ReceivingAccounts : public ::testing::Test {
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

  struct Answer {
    int status = 0;
    json body;
  };
  Answer send(const std::string& method, const std::string& path, const json& body,
              const httplib::Headers& headers = {}) {
    httplib::Client client = server_->client();
    httplib::Headers h = headers;
    h.emplace("Accept", "application/json");
    auto res = method == "PATCH"  ? client.Patch(path, h, body.dump(), "application/json")
               : method == "POST" ? client.Post(path, h, body.dump(), "application/json")
                                  : client.Get(path, h);
    if (!res) return {-1, nullptr};
    return {res->status, json::parse(res->body, nullptr, false)};
  }
  httplib::Headers bearer(const std::string& login) {
    Answer a = send("POST", "/api/v1/auth/login",
                    {{"login", login}, {"password", fixtures::kWorkspacePassword}});
    EXPECT_EQ(a.status, 200);
    return {{"Authorization", "Bearer " + a.body.value("token", "")}};
  }
  std::string path_of(int64_t producer) { return "/api/v1/producers/" + std::to_string(producer); }

  core::Producer producer(int64_t id) {
    auto db = server_->db().acquire().value();
    return core::ProducerStore(*db, server_->clock()).get(id).value();
  }
  std::vector<core::AuditEntry> account_changes() {
    auto db = server_->db().acquire().value();
    std::vector<core::AuditEntry> all = core::AuditLog(*db, server_->clock()).recent(500).value();
    std::erase_if(all,
                  [](const core::AuditEntry& e) { return e.action != "producer.bank_account"; });
    return all;
  }
  std::string place(int64_t product) {
    auto db = server_->db().acquire_writer().value();
    return fixtures::place_order(*db, server_->clock(), product, 1);
  }

  std::unique_ptr<TestServer> server_;
  WorkspaceIds ids_;
};

TEST_F(ReceivingAccounts, AnotherProducersAccountIsAConflictInTheApi) {
  const json copy = {{"bank", {{"bin", "970436"}, {"account", kAccountA}, {"holder", "LAN"}}},
                     {"password", fixtures::kWorkspacePassword}};
  Answer a = send("PATCH", path_of(ids_.producer_b), copy, bearer("nsp2"));
  EXPECT_EQ(a.status, 409) << a.body.dump();
  EXPECT_EQ(a.body["error"]["code"], "conflict");
  EXPECT_EQ(a.body["error"]["field"], "bank.account");
  // Officers and administrators are held to it too, on update and on create.
  EXPECT_EQ(send("PATCH", path_of(ids_.producer_b), copy, bearer("canbo")).status, 409);
  json fresh = {{"name", "HTX Mới"},
                {"area_code", "01290"},
                {"bank", {{"bin", "970436"}, {"account", kAccountA}, {"holder", "HTX MOI"}}}};
  Answer created = send("POST", "/api/v1/producers", fresh, bearer("admin"));
  EXPECT_EQ(created.status, 409) << created.body.dump();
  EXPECT_EQ(created.body["error"]["field"], "bank.account");
  EXPECT_EQ(producer(ids_.producer_b).fields.bank.account, kAccountB);
  EXPECT_TRUE(account_changes().empty());
}

TEST_F(ReceivingAccounts, TheProducerConfirmsAChangeWithItsPassword) {
  const json change = {{"bank", {{"bin", "970436"}, {"account", "0011009998887"}}}};
  const auto headers = bearer("nsp1");
  Answer none = send("PATCH", path_of(ids_.producer_a), change, headers);
  EXPECT_EQ(none.status, 400) << none.body.dump();
  EXPECT_EQ(none.body["error"]["field"], "password");
  json wrong = change;
  wrong["password"] = "not-the-password";
  Answer bad = send("PATCH", path_of(ids_.producer_a), wrong, headers);
  EXPECT_EQ(bad.status, 403) << bad.body.dump();
  EXPECT_EQ(bad.body["error"]["field"], "password");
  EXPECT_EQ(producer(ids_.producer_a).fields.bank.account, kAccountA);
  EXPECT_TRUE(account_changes().empty());
  // Other fields need no password; nor does keeping the same account.
  EXPECT_EQ(send("PATCH", path_of(ids_.producer_a), {{"phone", "0900000001"}}, headers).status,
            200);
  json right = change;
  right["password"] = fixtures::kWorkspacePassword;
  Answer ok = send("PATCH", path_of(ids_.producer_a), right, headers);
  EXPECT_EQ(ok.status, 200) << ok.body.dump();
  EXPECT_EQ(producer(ids_.producer_a).fields.bank.account, "0011009998887");
  // The check opened no session of its own: the caller's token still works, and only one more.
  EXPECT_EQ(send("GET", path_of(ids_.producer_a), nullptr, headers).status, 200);
}

TEST_F(ReceivingAccounts, AChangeIsWrittenToTheActionLogMasked) {
  json change = {{"bank", {{"bin", "970418"}, {"account", "0011009998887"}}},
                 {"password", fixtures::kWorkspacePassword}};
  ASSERT_EQ(send("PATCH", path_of(ids_.producer_a), change, bearer("nsp1")).status, 200);
  auto entries = account_changes();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].producer_id, ids_.producer_a);
  EXPECT_EQ(entries[0].user_name, "Chị Lan");
  EXPECT_EQ(entries[0].subject, "Vietcombank ···4567 → BIDV ···8887");
  EXPECT_FALSE(has(entries[0].subject, kAccountA));
  EXPECT_FALSE(has(entries[0].subject, "0011009998887"));
}

TEST_F(ReceivingAccounts, APendingOrderKeepsTheAccountItsQrShows) {
  const std::string before = place(ids_.mien);
  json change = {{"bank", {{"bin", "970418"}, {"account", "0011009998887"}}},
                 {"password", fixtures::kWorkspacePassword}};
  const auto headers = bearer("nsp1");
  ASSERT_EQ(send("PATCH", path_of(ids_.producer_a), change, headers).status, 200);
  const std::string after = place(ids_.mien);
  Answer old_order = send("GET", "/api/v1/orders/" + before, nullptr, headers);
  ASSERT_EQ(old_order.status, 200) << old_order.body.dump();
  EXPECT_EQ(old_order.body["payment"]["account"], kAccountA);
  EXPECT_EQ(old_order.body["payment"]["bin"], "970436");
  Answer new_order = send("GET", "/api/v1/orders/" + after, nullptr, headers);
  ASSERT_EQ(new_order.status, 200);
  EXPECT_EQ(new_order.body["payment"]["account"], "0011009998887");
  EXPECT_EQ(new_order.body["payment"]["bin"], "970418");
}

TEST_F(ReceivingAccounts, TheStallQrPageAsksForThePasswordAndRefusesAnotherProducersAccount) {
  Browser lan(*server_);
  ASSERT_TRUE(lan.sign_in("nsp1"));
  auto page = lan.get("/quan-ly/ma-qr");
  ASSERT_TRUE(page);
  EXPECT_TRUE(has(page->body, "Đổi tài khoản nhận tiền"));
  httplib::Params form = {{"bank_bin", "970418"},
                          {"bank_account", kAccountB},
                          {"bank_holder", "HTX NONG SAN BAO LAM"},
                          {"password", fixtures::kWorkspacePassword}};
  auto taken = lan.post("/quan-ly/ma-qr/tai-khoan", form);
  ASSERT_TRUE(taken);
  EXPECT_EQ(taken->status, 409);
  EXPECT_TRUE(has(taken->body, "đã là tài khoản nhận tiền của một chủ thể khác")) << taken->body;
  form.erase("bank_account");
  form.emplace("bank_account", "0011009998887");
  form.erase("password");
  form.emplace("password", "sai-mat-khau-1");
  auto wrong = lan.post("/quan-ly/ma-qr/tai-khoan", form);
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 403);
  EXPECT_TRUE(has(wrong->body, "Mật khẩu không đúng"));
  EXPECT_EQ(producer(ids_.producer_a).fields.bank.account, kAccountA);
  form.erase("password");
  form.emplace("password", fixtures::kWorkspacePassword);
  auto done = lan.post("/quan-ly/ma-qr/tai-khoan", form);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->status, 303);
  EXPECT_EQ(producer(ids_.producer_a).fields.bank.account, "0011009998887");
  ASSERT_EQ(account_changes().size(), 1u);
  EXPECT_EQ(account_changes()[0].subject, "Vietcombank ···4567 → BIDV ···8887");

  // An officer helping the producer is sent to the register; a visitor without a session, or a
  // form without the CSRF token, changes nothing either.
  form.erase("bank_account");
  form.emplace("bank_account", "0011005554443");
  Browser officer(*server_);
  ASSERT_TRUE(officer.sign_in("canbo"));
  ASSERT_EQ(officer.post("/quan-ly/ho-tro/" + std::to_string(ids_.producer_a), {})->status, 303);
  auto helped = officer.post("/quan-ly/ma-qr/tai-khoan", form);
  ASSERT_TRUE(helped);
  EXPECT_EQ(helped->status, 403);
  Browser stranger(*server_);
  ASSERT_TRUE(stranger.post("/quan-ly/ma-qr/tai-khoan", form));
  httplib::Params forged = form;
  forged.emplace("csrf_token", "0123456789abcdef0123456789abcdef");
  auto no_token = lan.post("/quan-ly/ma-qr/tai-khoan", forged);
  ASSERT_TRUE(no_token);
  EXPECT_EQ(no_token->status, 403);
  EXPECT_EQ(producer(ids_.producer_a).fields.bank.account, "0011009998887");
  EXPECT_EQ(account_changes().size(), 1u);
}

TEST_F(ReceivingAccounts, TheRegisterRefusesAnotherProducersAccountAndShowsRecentChanges) {
  Browser officer(*server_);
  ASSERT_TRUE(officer.sign_in("canbo"));
  const std::string path = "/quan-ly/nha-san-xuat/" + std::to_string(ids_.producer_b);
  httplib::Params edit = {{"name", "Hộ Lương Thị Hoa"},     {"entity_type", "household_business"},
                          {"area_code", "01294"},           {"phone", "0912345679"},
                          {"bank_bin", "970436"},           {"bank_account", kAccountA},
                          {"bank_holder", "LUONG THI HOA"}, {"status", "active"}};
  auto taken = officer.post(path, edit);
  ASSERT_TRUE(taken);
  EXPECT_EQ(taken->status, 409);
  EXPECT_TRUE(has(taken->body, "đã là tài khoản nhận tiền của một chủ thể khác")) << taken->body;
  EXPECT_EQ(producer(ids_.producer_b).fields.bank.account, kAccountB);
  // The officer's own change needs no producer password, and is logged the same way.
  edit.erase("bank_account");
  edit.emplace("bank_account", "2150009876");
  auto done = officer.post(path, edit);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->status, 303) << done->body;
  auto entries = account_changes();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].user_name, "Cán bộ Hà");
  auto list = officer.get("/quan-ly/nha-san-xuat");
  ASSERT_TRUE(list);
  EXPECT_TRUE(has(list->body, "Thay đổi tài khoản nhận tiền gần đây"));
  EXPECT_TRUE(has(list->body, "BIDV ···1234 → Vietcombank ···9876")) << list->body;
  EXPECT_TRUE(has(list->body, "Cán bộ Hà"));
}

}  // namespace
}  // namespace chophien::storefront
