// The administrator's pages over real HTTP: users and roles (create, disable and enable, reset a
// password shown once), the run-time settings (the payment window of new orders, taking effect
// without a restart), the action log, and the refusals: officers and producers, no session,
// missing or wrong CSRF token, bad input, an administrator disabling themself.
#include <gtest/gtest.h>
#include <httplib.h>

#include <regex>
#include <string>

#include "core/audit.h"
#include "core/orders.h"
#include "core/settings.h"
#include "storefront/auth.h"
#include "storefront/workspace_fixture.h"

namespace chophien::storefront {
namespace {

using fixtures::Browser;
using fixtures::WorkspaceIds;

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class WorkspaceAdminTest : public ::testing::Test {
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

  std::vector<core::AuditEntry> log() {
    auto db = server_->db().acquire().value();
    return core::AuditLog(*db, server_->clock()).recent(100).value();
  }
  core::Users users(core::Database& db) {
    core::UsersOptions options;
    options.scrypt.n = 1024;
    return core::Users(db, server_->clock(), options);
  }
  std::optional<core::User> user(const std::string& login) {
    auto db = server_->db().acquire().value();
    auto found = users(*db).find_user_by_login(login);
    if (!found) return std::nullopt;
    return *found;
  }
  size_t user_count() {
    auto db = server_->db().acquire().value();
    return users(*db).list_users().value().size();
  }
  std::optional<std::string> stored_ttl() {
    auto db = server_->db().acquire().value();
    return core::SettingsStore(*db, server_->clock()).get("order_ttl_minutes").value();
  }

  static std::string shown_password(const std::string& body) {
    static const std::regex re(R"re(<code id="new-password">([^<]+)</code>)re");
    std::smatch m;
    return std::regex_search(body, m, re) ? m[1].str() : std::string();
  }

  std::unique_ptr<TestServer> server_;
  WorkspaceIds ids_;
};

TEST_F(WorkspaceAdminTest, AdminListsUsersAndCreatesOnes) {
  Browser admin(*server_);
  ASSERT_TRUE(admin.sign_in("admin"));
  auto list = admin.get("/quan-ly/nguoi-dung");
  ASSERT_TRUE(list);
  ASSERT_EQ(list->status, 200);
  for (const char* login : {"admin", "canbo", "nsp1", "nsp2"}) EXPECT_TRUE(has(list->body, login));
  EXPECT_TRUE(has(list->body, "Hộ Lương Thị Hoa"));  // nsp2's producer
  EXPECT_TRUE(has(list->body, "href=\"/quan-ly/nguoi-dung\" aria-current"));

  // An officer with a typed password.
  auto officer = admin.post("/quan-ly/nguoi-dung", {{"login", "canbo.xa"},
                                                    {"display_name", "Cán bộ xã Lý Bôn"},
                                                    {"role", "officer"},
                                                    {"password", "mat-khau-can-bo"}});
  ASSERT_TRUE(officer);
  EXPECT_EQ(officer->status, 200);
  EXPECT_TRUE(has(officer->body, "Đã tạo tài khoản canbo.xa."));
  EXPECT_TRUE(shown_password(officer->body).empty());
  EXPECT_FALSE(has(officer->body, "mat-khau-can-bo"));
  Browser new_officer(*server_);
  // Issue 17: a login the administrator created changes its password at first sign-in.
  EXPECT_FALSE(new_officer.sign_in("canbo.xa", "mat-khau-can-bo"));
  Browser first_time(*server_);
  EXPECT_TRUE(first_time.sign_in_first_time("canbo.xa", "mat-khau-can-bo", "mat-khau-rieng-1"));

  // A producer user bound to producer B, with a random password shown once.
  auto producer =
      admin.post("/quan-ly/nguoi-dung", {{"login", "hoa2"},
                                         {"role", "producer"},
                                         {"producer_id", std::to_string(ids_.producer_b)},
                                         {"password", ""}});
  ASSERT_TRUE(producer);
  EXPECT_EQ(producer->status, 200);
  const std::string password = shown_password(producer->body);
  ASSERT_EQ(password.size(), 14u) << producer->body;
  EXPECT_EQ(user("hoa2")->producer_id, ids_.producer_b);
  Browser hoa(*server_);
  ASSERT_TRUE(hoa.sign_in_first_time("hoa2", password, "mat-khau-rieng-2"));
  EXPECT_TRUE(has(hoa.get("/quan-ly")->body, "Hộ Lương Thị Hoa"));
  // Shown once: the list does not show it again.
  EXPECT_FALSE(has(admin.get("/quan-ly/nguoi-dung")->body, password));

  // Issue 17: the two first sign-ins changed their passwords, each written to the log.
  auto entries = log();
  std::erase_if(entries, [](const auto& e) { return e.action == "user.change_password"; });
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].action, "user.create");
  EXPECT_EQ(entries[0].subject, "hoa2 (producer)");
  EXPECT_EQ(entries[0].producer_id, ids_.producer_b);
  for (const auto& e : entries) {
    EXPECT_FALSE(has(e.subject, password));
    EXPECT_FALSE(has(e.subject, "mat-khau-can-bo"));
  }
}

TEST_F(WorkspaceAdminTest, BadNewUsersAreRefusedAndNothingIsCreated) {
  Browser admin(*server_);
  ASSERT_TRUE(admin.sign_in("admin"));
  const size_t before = user_count();
  struct Case {
    httplib::Params params;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{
           {{{"login", "NSP1"}, {"role", "officer"}, {"password", "mat-khau-dai-2"}},
            "Tên đăng nhập này đã có người dùng"},
           {{{"login", "x"}, {"role", "officer"}, {"password", "mat-khau-dai-2"}},
            "Tên đăng nhập cần 3–64 ký tự"},
           {{{"login", "moi1"}, {"role", "officer"}, {"password", "ngan"}}, "Mật khẩu cần 8–128"},
           {{{"login", "moi12345"}, {"role", "officer"}, {"password", "moi12345"}},
            "không được trùng tên đăng nhập"},
           {{{"login", "moi1"}, {"role", "root"}, {"password", "mat-khau-dai-2"}},
            "Hãy chọn vai trò"},
           {{{"login", "moi1"}, {"role", "producer"}, {"password", "mat-khau-dai-2"}},
            "phải gắn với một nhà sản xuất"},
           {{{"login", "moi1"},
             {"role", "producer"},
             {"producer_id", "999999"},
             {"password", "mat-khau-dai-2"}},
            "phải gắn với một nhà sản xuất"},
           {{{"login", "moi1"},
             {"role", "officer"},
             {"producer_id", std::to_string(ids_.producer_a)},
             {"password", "mat-khau-dai-2"}},
            "Chỉ tài khoản nhà sản xuất mới gắn"}}) {
    auto res = admin.post("/quan-ly/nguoi-dung", c.params);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400) << c.message;
    EXPECT_TRUE(has(res->body, c.message)) << c.message << "\n" << res->body;
  }
  EXPECT_EQ(user_count(), before);
  EXPECT_TRUE(log().empty());
}

TEST_F(WorkspaceAdminTest, DisableAndEnableAUser) {
  Browser nsp2(*server_);
  ASSERT_TRUE(nsp2.sign_in("nsp2"));
  Browser admin(*server_);
  ASSERT_TRUE(admin.sign_in("admin"));
  const int64_t id = user("nsp2")->id;
  auto off = admin.post("/quan-ly/nguoi-dung/" + std::to_string(id) + "/khoa", {});
  ASSERT_TRUE(off);
  EXPECT_EQ(off->status, 200);
  EXPECT_TRUE(has(off->body, "Đã khoá tài khoản nsp2."));
  EXPECT_EQ(user("nsp2")->status, core::UserStatus::disabled);
  // The open session ends, and signing in is refused.
  EXPECT_EQ(nsp2.get("/quan-ly")->status, 303);
  Browser again(*server_);
  EXPECT_FALSE(again.sign_in("nsp2"));

  auto on = admin.post("/quan-ly/nguoi-dung/" + std::to_string(id) + "/mo-khoa", {});
  ASSERT_TRUE(on);
  EXPECT_EQ(on->status, 200);
  EXPECT_EQ(user("nsp2")->status, core::UserStatus::active);
  Browser back(*server_);
  EXPECT_TRUE(back.sign_in("nsp2"));

  const auto entries = log();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[1].action, "user.disable");
  EXPECT_EQ(entries[0].action, "user.enable");
  EXPECT_EQ(entries[0].subject, "nsp2");

  auto unknown = admin.post("/quan-ly/nguoi-dung/999999/khoa", {});
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
}

TEST_F(WorkspaceAdminTest, AnAdministratorCannotDisableThemself) {
  Browser admin(*server_);
  ASSERT_TRUE(admin.sign_in("admin"));
  const int64_t id = user("admin")->id;
  auto list = admin.get("/quan-ly/nguoi-dung");
  EXPECT_FALSE(has(list->body, "/quan-ly/nguoi-dung/" + std::to_string(id) + "/khoa"));
  auto res = admin.post("/quan-ly/nguoi-dung/" + std::to_string(id) + "/khoa", {});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_TRUE(has(res->body, "Bạn không thể tự khoá tài khoản của mình."));
  EXPECT_EQ(user("admin")->status, core::UserStatus::active);
  EXPECT_EQ(admin.get("/quan-ly")->status, 200);
  EXPECT_TRUE(log().empty());
}

TEST_F(WorkspaceAdminTest, ResetAPasswordRandomOrTyped) {
  Browser nsp1(*server_);
  ASSERT_TRUE(nsp1.sign_in("nsp1"));
  Browser admin(*server_);
  ASSERT_TRUE(admin.sign_in("admin"));
  const std::string path = "/quan-ly/nguoi-dung/" + std::to_string(user("nsp1")->id) + "/mat-khau";
  auto drawn = admin.post(path, {{"password", ""}});
  ASSERT_TRUE(drawn);
  EXPECT_EQ(drawn->status, 200);
  const std::string password = shown_password(drawn->body);
  ASSERT_EQ(password.size(), 14u);
  EXPECT_TRUE(has(drawn->body, "Mật khẩu mới của <strong>nsp1</strong>"));
  EXPECT_EQ(nsp1.get("/quan-ly")->status, 303);  // old sessions end
  Browser old_password(*server_);
  EXPECT_FALSE(old_password.sign_in("nsp1"));
  Browser fresh(*server_);
  EXPECT_TRUE(fresh.sign_in("nsp1", password));

  auto weak = admin.post(path, {{"password", "ngan"}});
  ASSERT_TRUE(weak);
  EXPECT_EQ(weak->status, 400);
  EXPECT_TRUE(has(weak->body, "Mật khẩu cần 8–128 ký tự"));
  Browser still(*server_);
  EXPECT_TRUE(still.sign_in("nsp1", password));

  auto typed = admin.post(path, {{"password", "mat-khau-go-tay"}});
  ASSERT_TRUE(typed);
  EXPECT_EQ(typed->status, 200);
  EXPECT_TRUE(shown_password(typed->body).empty());
  EXPECT_FALSE(has(typed->body, "mat-khau-go-tay"));
  Browser typed_in(*server_);
  EXPECT_TRUE(typed_in.sign_in("nsp1", "mat-khau-go-tay"));

  const auto entries = log();
  ASSERT_EQ(entries.size(), 2u);
  for (const auto& e : entries) {
    EXPECT_EQ(e.action, "user.reset_password");
    EXPECT_EQ(e.subject, "nsp1");
  }
}

TEST_F(WorkspaceAdminTest, PaymentWindowChangesWithoutRestart) {
  Browser admin(*server_);
  ASSERT_TRUE(admin.sign_in("admin"));
  auto page = admin.get("/quan-ly/cai-dat");
  ASSERT_TRUE(page);
  ASSERT_EQ(page->status, 200);
  EXPECT_TRUE(has(page->body,
                  "name=\"order_ttl_minutes\" inputmode=\"numeric\" required "
                  "maxlength=\"5\" value=\"120\""))
      << page->body;

  for (const char* bad : {"0", "-5", "abc", "10081", "30.5", ""}) {
    auto res = admin.post("/quan-ly/cai-dat", {{"order_ttl_minutes", bad}});
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400) << bad;
    EXPECT_TRUE(has(res->body, "Thời hạn thanh toán là số phút nguyên")) << bad;
  }
  EXPECT_FALSE(stored_ttl());
  EXPECT_TRUE(log().empty());

  auto saved = admin.post("/quan-ly/cai-dat", {{"order_ttl_minutes", "30"}});
  ASSERT_TRUE(saved);
  EXPECT_EQ(saved->status, 303);
  EXPECT_EQ(stored_ttl(), "30");
  auto shown = admin.get("/quan-ly/cai-dat?ok=1");
  EXPECT_TRUE(has(shown->body, "value=\"30\""));
  EXPECT_TRUE(has(shown->body, "Đã lưu."));

  // A checkout through the API now gets 30 minutes.
  httplib::Client client = server_->client();
  const std::string body = R"({"items":[{"product_id":)" + std::to_string(ids_.che) +
                           R"(,"quantity":1}],"customer":{"name":"Nguyễn Thị Mai","phone":)"
                           R"("0912888999"},"delivery":{"method":"pickup"}})";
  auto placed = client.Post("/api/v1/checkout", body, "application/json");
  ASSERT_TRUE(placed);
  ASSERT_EQ(placed->status, 201) << placed->body;
  {
    auto db = server_->db().acquire().value();
    core::OrderStore orders(*db, server_->clock());
    core::OrderQuery query;
    query.producer_id = ids_.producer_b;
    auto list = orders.list(query).value();
    ASSERT_EQ(list.size(), 1u);
    EXPECT_EQ(list[0].expires_at - list[0].created_at, 30 * 60);
  }

  auto reset = admin.post("/quan-ly/cai-dat", {{"reset", "1"}});
  ASSERT_TRUE(reset);
  EXPECT_EQ(reset->status, 303);
  EXPECT_FALSE(stored_ttl());
  const auto entries = log();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[1].action, "settings.update");
  EXPECT_EQ(entries[1].subject, "order_ttl_minutes=30");
}

TEST_F(WorkspaceAdminTest, OfficersProducersAndStrangersAreRefused) {
  const std::string nsp1 = std::to_string(user("nsp1")->id);
  for (const char* login : {"canbo", "nsp1"}) {
    Browser browser(*server_);
    ASSERT_TRUE(browser.sign_in(login));
    for (const char* path : {"/quan-ly/nguoi-dung", "/quan-ly/cai-dat"}) {
      auto res = browser.get(path);
      ASSERT_TRUE(res);
      EXPECT_EQ(res->status, 403) << login << " " << path;
    }
    EXPECT_EQ(browser
                  .post("/quan-ly/nguoi-dung",
                        {{"login", "moi1"}, {"role", "admin"}, {"password", "mat-khau-dai-2"}})
                  ->status,
              403);
    EXPECT_EQ(browser.post("/quan-ly/nguoi-dung/" + nsp1 + "/mat-khau", {{"password", ""}})->status,
              403);
    EXPECT_EQ(browser.post("/quan-ly/nguoi-dung/" + nsp1 + "/khoa", {})->status, 403);
    EXPECT_EQ(browser.post("/quan-ly/cai-dat", {{"order_ttl_minutes", "5"}})->status, 403);
    auto home = browser.get("/quan-ly");
    EXPECT_FALSE(has(home->body, "/quan-ly/nguoi-dung"));
    EXPECT_FALSE(has(home->body, "/quan-ly/cai-dat"));
  }

  Browser admin(*server_);
  ASSERT_TRUE(admin.sign_in("admin"));
  EXPECT_EQ(
      admin.post("/quan-ly/cai-dat", {{"order_ttl_minutes", "5"}, {"csrf_token", "x"}})->status,
      403);
  EXPECT_EQ(admin.post("/quan-ly/nguoi-dung/" + nsp1 + "/khoa", {{"csrf_token", ""}})->status, 403);
  EXPECT_EQ(admin
                .post("/quan-ly/nguoi-dung", {{"login", "moi1"},
                                              {"role", "admin"},
                                              {"password", "mat-khau-dai-2"},
                                              {"csrf_token", "sai"}})
                ->status,
            403);
  httplib::Client client = server_->client();
  auto no_token = client.Post("/quan-ly/nguoi-dung/" + nsp1 + "/mat-khau",
                              {{"Cookie", "session=" + admin.cookies().at("session")}},
                              httplib::Params{{"password", "mat-khau-dai-3"}});
  ASSERT_TRUE(no_token);
  EXPECT_EQ(no_token->status, 403);

  Browser stranger(*server_);
  auto res = stranger.get("/quan-ly/cai-dat");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 303);
  EXPECT_EQ(res->get_header_value("Location"), "/dang-nhap?next=/quan-ly/cai-dat");
  EXPECT_EQ(stranger.get("/quan-ly/nguoi-dung")->status, 303);
  EXPECT_EQ(stranger.post("/quan-ly/cai-dat", {{"order_ttl_minutes", "5"}})->status, 401);

  // Nothing changed.
  EXPECT_EQ(user("nsp1")->status, core::UserStatus::active);
  EXPECT_FALSE(user("moi1"));
  EXPECT_FALSE(stored_ttl());
  EXPECT_TRUE(log().empty());
  Browser nsp1_browser(*server_);
  EXPECT_TRUE(nsp1_browser.sign_in("nsp1"));
}

TEST_F(WorkspaceAdminTest, PagesStayUnder30KB) {
  Browser admin(*server_);
  ASSERT_TRUE(admin.sign_in("admin"));
  auto home = admin.get("/quan-ly");
  static const std::regex css_re(R"re(href="(/static/style\.[0-9a-f]+\.css)")re");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(home->body, m, css_re));
  auto css = server_->client().Get(m[1].str());
  ASSERT_TRUE(css);
  for (const char* path : {"/quan-ly/nguoi-dung", "/quan-ly/cai-dat"}) {
    auto page = admin.get(path);
    ASSERT_TRUE(page);
    EXPECT_EQ(page->status, 200) << path;
    EXPECT_LT(page->body.size() + css->body.size(), 30u * 1024) << path;
  }
}

}  // namespace
}  // namespace chophien::storefront
