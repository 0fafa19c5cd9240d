// The workspace's doors over real HTTP: sign-in and sign-out through the forms (CSRF, throttling,
// safe `next`), the home page with what needs doing, helper mode and its record, the action log,
// and the refusals: no session, wrong role, missing or wrong CSRF token, a forged helper cookie.
#include <gtest/gtest.h>
#include <httplib.h>

#include <regex>
#include <set>
#include <string>

#include "core/audit.h"
#include "storefront/auth.h"
#include "storefront/workspace_fixture.h"

namespace chophien::storefront {
namespace {

using fixtures::Browser;
using fixtures::WorkspaceIds;

class WorkspaceTest : public ::testing::Test {
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

  std::unique_ptr<TestServer> server_;
  WorkspaceIds ids_;
};

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_F(WorkspaceTest, WithoutSessionEveryPageSendsToSignIn) {
  Browser browser(*server_);
  auto res = browser.get("/quan-ly");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 303);
  EXPECT_EQ(res->get_header_value("Location"), "/dang-nhap?next=/quan-ly");
  auto post = browser.post("/quan-ly/ho-tro/1", {});
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 401);
}

TEST_F(WorkspaceTest, SignInPageHasLabelledFieldsAndAFormToken) {
  Browser browser(*server_);
  auto res = browser.get("/dang-nhap?next=/quan-ly/so-lieu");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_TRUE(has(res->body, "<label for=\"login\">"));
  EXPECT_TRUE(has(res->body, "<label for=\"password\">"));
  EXPECT_TRUE(has(res->body, "name=\"next\" value=\"/quan-ly/so-lieu\""));
  EXPECT_TRUE(browser.cookies().count("form_token"));
  EXPECT_FALSE(browser.csrf().empty());
}

TEST_F(WorkspaceTest, ProducerSignsInAndSeesWhatNeedsDoing) {
  Browser browser(*server_);
  ASSERT_TRUE(browser.sign_in("nsp1"));
  auto res = browser.get("/quan-ly");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Cache-Control"), "no-store");
  EXPECT_TRUE(has(res->body, "Chị Lan")) << res->body;
  EXPECT_TRUE(has(res->body, "HTX Nông sản Bảo Lâm"));
  EXPECT_TRUE(has(res->body, "Sản phẩm hết hàng"));
  EXPECT_TRUE(has(res->body, "<li>Mật ong bạc hà</li>"));
  // The certificate of 10/06/2023 ends on 10/06/2026, within 60 days of 1 May 2026.
  EXPECT_TRUE(has(res->body, "Miến dong Bảo Lâm: hết hạn ngày 10/06/2026")) << res->body;
  // Producer B's product is not there.
  EXPECT_FALSE(has(res->body, "Chè Shan tuyết"));
  // No officer-only parts.
  EXPECT_FALSE(has(res->body, "/quan-ly/ho-tro/"));
  EXPECT_FALSE(has(res->body, "/quan-ly/so-lieu"));
}

TEST_F(WorkspaceTest, WrongPasswordIsRefusedWithAMessageAndNoSession) {
  Browser browser(*server_);
  browser.get("/dang-nhap");
  auto res = browser.post("/dang-nhap", {{"login", "nsp1"}, {"password", "sai-mat-khau"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  EXPECT_TRUE(has(res->body, "Tên đăng nhập hoặc mật khẩu không đúng."));
  EXPECT_TRUE(has(res->body, "value=\"nsp1\""));  // the login is kept, the password is not
  EXPECT_FALSE(has(res->body, "sai-mat-khau"));
  EXPECT_FALSE(browser.cookies().count("session"));
  auto empty = browser.post("/dang-nhap", {{"login", ""}, {"password", ""}});
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->status, 400);
}

TEST_F(WorkspaceTest, SignInWithoutTheFormTokenIsRefused) {
  Browser browser(*server_);  // never loaded the form: no form_token cookie
  auto res =
      browser.post("/dang-nhap", {{"login", "nsp1"}, {"password", fixtures::kWorkspacePassword}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
  EXPECT_FALSE(browser.cookies().count("session"));
}

TEST_F(WorkspaceTest, RepeatedFailuresAreThrottled) {
  Browser browser(*server_);
  browser.get("/dang-nhap");
  int last = 0;
  std::string retry_after, body;
  for (int i = 0; i < 20 && last != 429; ++i) {
    auto res = browser.post("/dang-nhap", {{"login", "nsp1"}, {"password", "sai-mat-khau"}});
    ASSERT_TRUE(res);
    last = res->status;
    retry_after = res->get_header_value("Retry-After");
    body = res->body;
  }
  ASSERT_EQ(last, 429);
  EXPECT_FALSE(retry_after.empty());
  EXPECT_TRUE(has(body, "Vui lòng thử lại sau"));
  // Even the right password waits now.
  auto right =
      browser.post("/dang-nhap", {{"login", "nsp1"}, {"password", fixtures::kWorkspacePassword}});
  ASSERT_TRUE(right);
  EXPECT_EQ(right->status, 429);
  EXPECT_FALSE(browser.cookies().count("session"));
}

TEST_F(WorkspaceTest, NextIsFollowedOnlyWithinTheSite) {
  for (const auto& [next, expected] : std::vector<std::pair<std::string, std::string>>{
           {"/quan-ly/so-lieu?from=2026-01-01", "/quan-ly/so-lieu?from=2026-01-01"},
           {"//evil.example/", "/quan-ly"},
           {"https://evil.example/", "/quan-ly"},
           {"/\\evil.example", "/quan-ly"},
           {"", "/quan-ly"}}) {
    Browser browser(*server_);
    browser.get("/dang-nhap");
    auto res = browser.post(
        "/dang-nhap",
        {{"login", "canbo"}, {"password", fixtures::kWorkspacePassword}, {"next", next}});
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 303) << next;
    EXPECT_EQ(res->get_header_value("Location"), expected) << next;
  }
}

TEST_F(WorkspaceTest, SignOutNeedsTheCsrfTokenAndEndsTheSession) {
  Browser browser(*server_);
  ASSERT_TRUE(browser.sign_in("nsp1"));
  auto forged = browser.post("/dang-xuat", {{"csrf_token", "not-the-token"}});
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 403);
  auto still = browser.get("/quan-ly");
  ASSERT_TRUE(still);
  EXPECT_EQ(still->status, 200);

  const std::string session = browser.cookies().at("session");
  auto out = browser.post("/dang-xuat", {});
  ASSERT_TRUE(out);
  EXPECT_EQ(out->status, 303);
  EXPECT_EQ(out->get_header_value("Location"), "/");
  EXPECT_FALSE(browser.cookies().count("session"));
  // The old cookie no longer opens anything.
  httplib::Client client = server_->client();
  auto replay = client.Get("/quan-ly", {{"Cookie", "session=" + session}});
  ASSERT_TRUE(replay);
  EXPECT_EQ(replay->status, 303);
}

TEST_F(WorkspaceTest, ABearerTokenDoesNotOpenThePages) {
  httplib::Client client = server_->client();
  auto login = client.Post("/api/v1/auth/login", R"({"login":"nsp1","password":"mat-khau-dai-1"})",
                           "application/json");
  ASSERT_TRUE(login);
  ASSERT_EQ(login->status, 200);
  const std::regex token_re(R"re("token":"([^"]+)")re");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(login->body, m, token_re));
  auto res = client.Get("/quan-ly", {{"Authorization", "Bearer " + m[1].str()}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 303);
}

TEST_F(WorkspaceTest, OfficerHelpsAProducerAndTheActionsAreRecordedAsOnBehalf) {
  Browser browser(*server_);
  ASSERT_TRUE(browser.sign_in("canbo"));
  auto home = browser.get("/quan-ly");
  ASSERT_TRUE(home);
  EXPECT_TRUE(has(home->body, "action=\"/quan-ly/ho-tro/" + std::to_string(ids_.producer_a)));
  EXPECT_TRUE(has(home->body, "/quan-ly/so-lieu"));
  EXPECT_FALSE(has(home->body, "Việc cần làm"));

  // Without the CSRF token nothing starts.
  auto forged =
      browser.post("/quan-ly/ho-tro/" + std::to_string(ids_.producer_a), {{"csrf_token", "x"}});
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 403);
  EXPECT_FALSE(browser.cookies().count("helping"));
  EXPECT_TRUE(log().empty());

  auto start = browser.post("/quan-ly/ho-tro/" + std::to_string(ids_.producer_a), {});
  ASSERT_TRUE(start);
  EXPECT_EQ(start->status, 303);
  const std::string set_cookie = start->get_header_value("Set-Cookie");
  EXPECT_TRUE(has(set_cookie, "HttpOnly")) << set_cookie;
  EXPECT_TRUE(has(set_cookie, "SameSite=Strict")) << set_cookie;
  auto helping = browser.get("/quan-ly");
  ASSERT_TRUE(helping);
  EXPECT_TRUE(has(helping->body, "hỗ trợ HTX Nông sản Bảo Lâm")) << helping->body;
  EXPECT_TRUE(has(helping->body, "<li>Mật ong bạc hà</li>"));

  auto entries = log();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].action, "helper.start");
  EXPECT_TRUE(entries[0].on_behalf);
  EXPECT_EQ(entries[0].producer_id, ids_.producer_a);
  EXPECT_EQ(entries[0].user_name, "Cán bộ Hà");

  auto stop = browser.post("/quan-ly/ho-tro/ket-thuc", {});
  ASSERT_TRUE(stop);
  EXPECT_EQ(stop->status, 303);
  EXPECT_FALSE(browser.cookies().count("helping"));
  auto after = browser.get("/quan-ly");
  ASSERT_TRUE(after);
  EXPECT_FALSE(has(after->body, "Việc cần làm"));
  EXPECT_EQ(log().size(), 2u);

  auto unknown = browser.post("/quan-ly/ho-tro/999999", {});
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
}

TEST_F(WorkspaceTest, AProducerCannotBecomeAHelper) {
  Browser browser(*server_);
  ASSERT_TRUE(browser.sign_in("nsp1"));
  auto res = browser.post("/quan-ly/ho-tro/" + std::to_string(ids_.producer_b), {});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
  // A hand-made helper cookie changes nothing: producer A still sees only its own.
  browser.cookies()["helping"] = std::to_string(ids_.producer_b);
  auto home = browser.get("/quan-ly");
  ASSERT_TRUE(home);
  EXPECT_EQ(home->status, 200);
  EXPECT_TRUE(has(home->body, "Mật ong bạc hà"));
  EXPECT_FALSE(has(home->body, "Hộ Lương Thị Hoa"));
  EXPECT_TRUE(log().empty());
}

TEST_F(WorkspaceTest, OnlyAdministratorsReadTheActionLog) {
  Browser officer(*server_);
  ASSERT_TRUE(officer.sign_in("canbo"));
  officer.post("/quan-ly/ho-tro/" + std::to_string(ids_.producer_b), {});
  auto refused = officer.get("/quan-ly/nhat-ky");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403);

  Browser admin(*server_);
  ASSERT_TRUE(admin.sign_in("admin"));
  auto res = admin.get("/quan-ly/nhat-ky");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  EXPECT_TRUE(has(res->body, "Cán bộ Hà")) << res->body;
  EXPECT_TRUE(has(res->body, "làm thay"));
  EXPECT_TRUE(has(res->body, "Hộ Lương Thị Hoa"));
}

// Every link of the workspace's navigation leads to a page (no 404), for every role, and each
// page stays under 30 KB of HTML and CSS.
TEST_F(WorkspaceTest, NavigationLinksWorkAndPagesAreSmall) {
  httplib::Client plain = server_->client();
  auto css_link = [&](const std::string& html) {
    std::smatch m;
    static const std::regex re(R"re(href="(/static/style\.[0-9a-f]+\.css)")re");
    return std::regex_search(html, m, re) ? m[1].str() : std::string();
  };
  for (const char* login : {"nsp1", "canbo", "admin"}) {
    Browser browser(*server_);
    ASSERT_TRUE(browser.sign_in(login));
    auto home = browser.get("/quan-ly");
    ASSERT_TRUE(home);
    auto css = plain.Get(css_link(home->body));
    ASSERT_TRUE(css);
    ASSERT_EQ(css->status, 200);
    static const std::regex nav_re(R"re(<nav aria-label="Khu quản lý"[^>]*>([\s\S]*?)</nav>)re");
    std::smatch nav;
    ASSERT_TRUE(std::regex_search(home->body, nav, nav_re)) << home->body;
    static const std::regex href_re(R"re(href="(/[^"]*)")re");
    std::set<std::string> paths;
    const std::string links = nav[1];
    for (std::sregex_iterator it(links.begin(), links.end(), href_re), end; it != end; ++it)
      paths.insert((*it)[1]);
    EXPECT_FALSE(paths.empty());
    for (const auto& path : paths) {
      auto page = browser.get(path);
      ASSERT_TRUE(page) << path;
      EXPECT_EQ(page->status, 200) << login << " " << path;
      EXPECT_LT(page->body.size() + css->body.size(), 30u * 1024) << login << " " << path;
    }
  }
}

}  // namespace
}  // namespace chophien::storefront
