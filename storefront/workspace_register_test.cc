// The producer register over real HTTP: the list and its filters, a producer created with its
// login in one transaction (and neither when the login fails), the register fields edited with the
// bank account checked against the bank directory, the read-only producer page, the action log,
// and the refusals: producers, no session, missing or wrong CSRF token, bad input.
#include <gtest/gtest.h>
#include <httplib.h>

#include <regex>
#include <string>

#include "core/audit.h"
#include "core/orders.h"
#include "storefront/auth.h"
#include "storefront/workspace_fixture.h"

namespace chophien::storefront {
namespace {

using fixtures::Browser;
using fixtures::WorkspaceIds;

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class WorkspaceRegisterTest : public ::testing::Test {
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
  std::vector<core::Producer> producers() {
    auto db = server_->db().acquire().value();
    return core::ProducerStore(*db, server_->clock()).list().value();
  }
  core::Producer producer(int64_t id) {
    auto db = server_->db().acquire().value();
    return core::ProducerStore(*db, server_->clock()).get(id).value();
  }
  size_t user_count() {
    auto db = server_->db().acquire().value();
    core::UsersOptions options;
    options.scrypt.n = 1024;
    return core::Users(*db, server_->clock(), options).list_users().value().size();
  }

  // A complete, valid creation form.
  static httplib::Params new_producer() {
    return {{"name", "HTX Chè Yên Thổ"},
            {"entity_type", "cooperative"},
            {"area_code", "01318"},
            {"phone", "+84 912 000 111"},
            {"address", "Bản Khuổi Vin, xã Yên Thổ"},
            {"bank_bin", "970405"},
            {"bank_account", "8800123456"},
            {"bank_holder", "HTX CHE YEN THO"},
            {"social_zalo", "0912000111"},
            {"social_facebook", "https://facebook.com/cheyentho"},
            {"social_tiktok", "@cheyentho"},
            {"registration_no", "4800123456"},
            {"representative", "Nông Văn Thành"},
            {"ocop_registered_year", "2024"},
            {"notes", "Nhờ xã hỗ trợ chụp ảnh"},
            {"login", "cheyentho"},
            {"display_name", "Anh Thành"},
            {"password", "mat-khau-moi-1"}};
  }
  static httplib::Params with(httplib::Params params, const std::string& key,
                              const std::string& value) {
    params.erase(key);
    params.emplace(key, value);
    return params;
  }

  std::unique_ptr<TestServer> server_;
  WorkspaceIds ids_;
};

TEST_F(WorkspaceRegisterTest, OfficerListsAndFiltersTheRegister) {
  Browser browser(*server_);
  ASSERT_TRUE(browser.sign_in("canbo"));
  auto all = browser.get("/quan-ly/nha-san-xuat");
  ASSERT_TRUE(all);
  ASSERT_EQ(all->status, 200);
  EXPECT_TRUE(has(all->body, "HTX Nông sản Bảo Lâm"));
  EXPECT_TRUE(has(all->body, "Hộ Lương Thị Hoa"));
  EXPECT_TRUE(has(all->body, "href=\"/quan-ly/nha-san-xuat\" aria-current")) << all->body;

  auto by_area = browser.get("/quan-ly/nha-san-xuat?area=01294");
  ASSERT_TRUE(by_area);
  EXPECT_FALSE(has(by_area->body, "HTX Nông sản Bảo Lâm"));
  EXPECT_TRUE(has(by_area->body, "Hộ Lương Thị Hoa"));

  auto by_type = browser.get("/quan-ly/nha-san-xuat?type=cooperative");
  ASSERT_TRUE(by_type);
  EXPECT_FALSE(has(by_type->body, "Hộ Lương Thị Hoa"));
  EXPECT_TRUE(has(by_type->body, "Không có nhà sản xuất nào khớp bộ lọc."));

  auto bad_type = browser.get("/quan-ly/nha-san-xuat?type=%27%3B--");
  ASSERT_TRUE(bad_type);
  EXPECT_EQ(bad_type->status, 200);
  EXPECT_TRUE(has(bad_type->body, "Loại hình chủ thể không hợp lệ"));
}

TEST_F(WorkspaceRegisterTest, OfficerCreatesAProducerWithItsLogin) {
  Browser officer(*server_);
  ASSERT_TRUE(officer.sign_in("canbo"));
  auto form = officer.get("/quan-ly/nha-san-xuat/moi");
  ASSERT_TRUE(form);
  ASSERT_EQ(form->status, 200);
  EXPECT_TRUE(has(form->body, "<option value=\"970436\">Vietcombank</option>")) << form->body;
  EXPECT_TRUE(has(form->body, "Xã Yên Thổ"));
  EXPECT_FALSE(has(form->body, "Đức Hạnh"));  // merged in 2025: not offered any more

  auto res = officer.post("/quan-ly/nha-san-xuat", new_producer());
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 303) << res->body;
  static const std::regex id_re(R"(/quan-ly/nha-san-xuat/(\d+)\?ok=1)");
  std::smatch m;
  const std::string location = res->get_header_value("Location");
  ASSERT_TRUE(std::regex_match(location, m, id_re)) << location;
  const int64_t id = std::stoll(m[1]);

  const core::Producer p = producer(id);
  EXPECT_EQ(p.fields.name, "HTX Chè Yên Thổ");
  EXPECT_EQ(p.fields.entity_type, core::EntityType::cooperative);
  EXPECT_EQ(p.fields.area_code, "01318");
  EXPECT_EQ(p.fields.phone, "0912000111");
  EXPECT_EQ(p.fields.bank.bin, "970405");
  EXPECT_EQ(p.fields.bank.holder, "HTX CHE YEN THO");
  EXPECT_EQ(p.fields.social.tiktok, "@cheyentho");
  EXPECT_EQ(p.fields.social.source, core::DeclaredBy::officer);
  EXPECT_EQ(p.fields.ocop_registered_year, 2024);
  EXPECT_EQ(p.fields.representative, "Nông Văn Thành");

  auto page = officer.get(location);
  ASSERT_TRUE(page);
  EXPECT_TRUE(has(page->body, "Đã lưu."));
  EXPECT_TRUE(has(page->body, "cheyentho"));

  const auto entries = log();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[1].action, "producer.create");
  EXPECT_EQ(entries[0].action, "user.create");
  EXPECT_EQ(entries[0].subject, "cheyentho");
  EXPECT_EQ(entries[0].producer_id, id);
  EXPECT_EQ(entries[0].user_name, "Cán bộ Hà");
  for (const auto& e : entries) EXPECT_FALSE(has(e.subject, "mat-khau-moi-1"));

  // The new producer signs in and works on its own data.
  Browser producer_browser(*server_);
  // Issue 17: the officer chose the password, so the producer changes it first.
  ASSERT_TRUE(
      producer_browser.sign_in_first_time("cheyentho", "mat-khau-moi-1", "mat-khau-rieng-1"));
  auto home = producer_browser.get("/quan-ly");
  ASSERT_TRUE(home);
  EXPECT_TRUE(has(home->body, "HTX Chè Yên Thổ"));
}

TEST_F(WorkspaceRegisterTest, NoProducerIsLeftWhenItsLoginFails) {
  Browser officer(*server_);
  ASSERT_TRUE(officer.sign_in("canbo"));
  const size_t producers_before = producers().size();
  const size_t users_before = user_count();
  struct Case {
    std::string key, value, message;
  };
  for (const Case& c : std::vector<Case>{
           {"login", "NSP1", "Tên đăng nhập này đã có người dùng"},  // taken, ignoring case
           {"login", "a b", "Tên đăng nhập cần 3–64 ký tự"},
           {"password", "ngan", "Mật khẩu cần 8–128 ký tự"},
           {"password", "", "Hãy nhập mật khẩu"},
           {"login", "", "Hãy nhập tên đăng nhập"}}) {
    auto res = officer.post("/quan-ly/nha-san-xuat", with(new_producer(), c.key, c.value));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400) << c.key << "=" << c.value;
    EXPECT_TRUE(has(res->body, c.message)) << c.key << "=" << c.value << res->body;
    // The form comes back filled in, without the password.
    EXPECT_TRUE(has(res->body, "value=\"HTX Chè Yên Thổ\""));
    EXPECT_FALSE(has(res->body, "mat-khau-moi-1"));
  }
  EXPECT_EQ(producers().size(), producers_before);
  EXPECT_EQ(user_count(), users_before);
  EXPECT_TRUE(log().empty());
}

TEST_F(WorkspaceRegisterTest, BadRegisterFieldsAreRefusedWithAMessage) {
  Browser officer(*server_);
  ASSERT_TRUE(officer.sign_in("canbo"));
  const size_t before = producers().size();
  struct Case {
    std::string key, value, message;
  };
  for (const Case& c :
       std::vector<Case>{{"bank_bin", "999999", "không có trong danh mục"},
                         {"bank_bin", "97043'; DROP TABLE producers;--", "không có trong danh mục"},
                         {"bank_holder", "Hợp tác xã Chè", "HOP TAC XA CHE"},
                         {"bank_holder", "", "cần đủ ngân hàng, số tài khoản và tên chủ tài khoản"},
                         {"bank_account", "88-00", "Số tài khoản chỉ gồm chữ và số"},
                         {"area_code", "01291", "xã, thị trấn đang có hiệu lực"},  // merged in 2025
                         {"area_code", "", "Hãy chọn xã, thị trấn"},
                         {"entity_type", "corporation", "Hãy chọn loại hình chủ thể"},
                         {"phone", "12", "Số điện thoại không hợp lệ"},
                         {"ocop_registered_year", "năm ngoái", "Năm tham gia OCOP"},
                         {"name", "", "Tên nhà sản xuất là bắt buộc"},
                         {"name", std::string(201, 'a'), "Tên nhà sản xuất là bắt buộc"}}) {
    auto res = officer.post("/quan-ly/nha-san-xuat", with(new_producer(), c.key, c.value));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400) << c.key << "=" << c.value;
    EXPECT_TRUE(has(res->body, c.message)) << c.key << "=" << c.value << "\n" << res->body;
  }
  EXPECT_EQ(producers().size(), before);
  EXPECT_TRUE(log().empty());

  // Markup in a name is shown as text.
  auto res = officer.post(
      "/quan-ly/nha-san-xuat",
      with(with(new_producer(), "name", "<script>alert(1)</script>"), "password", "ngan"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_FALSE(has(res->body, "<script>alert(1)"));
  EXPECT_TRUE(has(res->body, "&lt;script&gt;"));
}

TEST_F(WorkspaceRegisterTest, OfficerEditsTheRegisterFields) {
  Browser officer(*server_);
  ASSERT_TRUE(officer.sign_in("canbo"));
  const std::string path = "/quan-ly/nha-san-xuat/" + std::to_string(ids_.producer_b);
  auto form = officer.get(path + "/sua");
  ASSERT_TRUE(form);
  ASSERT_EQ(form->status, 200);
  EXPECT_TRUE(has(form->body, "value=\"Hộ Lương Thị Hoa\""));
  EXPECT_TRUE(has(form->body, "<option value=\"970418\" selected>")) << form->body;

  httplib::Params edit = {{"name", "Hộ Lương Thị Hoa"},
                          {"entity_type", "household_business"},
                          {"area_code", "01304"},
                          {"phone", "0912345679"},
                          {"address", "Bản Nà Pồng"},
                          {"bank_bin", "970436"},
                          {"bank_account", "1023456789"},
                          {"bank_holder", "LUONG THI HOA"},
                          {"social_zalo", "0912345679"},
                          {"social_facebook", "Chè Shan tuyết Lý Bôn"},
                          {"social_tiktok", ""},
                          {"registration_no", ""},
                          {"representative", "Lương Thị Hoa"},
                          {"ocop_registered_year", "2025"},
                          {"notes", ""},
                          {"status", "active"}};
  auto bad = officer.post(path, with(edit, "bank_bin", "123456"));
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(producer(ids_.producer_b).fields.bank.bin, "970418");

  auto res = officer.post(path, edit);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 303) << res->body;
  const core::Producer p = producer(ids_.producer_b);
  EXPECT_EQ(p.fields.area_code, "01304");
  EXPECT_EQ(p.fields.bank.bin, "970436");
  EXPECT_EQ(p.fields.bank.account, "1023456789");
  EXPECT_EQ(p.fields.social.facebook, "Chè Shan tuyết Lý Bôn");
  EXPECT_EQ(p.fields.social.source, core::DeclaredBy::officer);
  EXPECT_EQ(p.fields.ocop_registered_year, 2025);
  // The account changed too: logged on its own (issue 17), the newest entry.
  const auto entries = log();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].action, "producer.bank_account");
  EXPECT_EQ(entries[1].action, "producer.update");
  EXPECT_EQ(entries[1].producer_id, ids_.producer_b);
  EXPECT_FALSE(entries[1].on_behalf);

  // Made inactive and back.
  ASSERT_EQ(officer.post(path, with(edit, "status", "inactive"))->status, 303);
  EXPECT_EQ(producer(ids_.producer_b).fields.status, core::ProducerStatus::inactive);
  auto list = officer.get("/quan-ly/nha-san-xuat");
  EXPECT_TRUE(has(list->body, "ngừng hoạt động"));

  auto unknown = officer.post("/quan-ly/nha-san-xuat/999999", edit);
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
}

TEST_F(WorkspaceRegisterTest, ProducerPageShowsProductsAndOrdersReadOnly) {
  {
    auto db = server_->db().acquire_writer().value();
    core::OrderStore orders(*db, server_->clock());
    core::CheckoutRequest request;
    request.items = {{ids_.mien, 2}};
    request.customer_name = "Nguyễn Thị Mai";
    request.customer_phone = "0912888999";
    orders.checkout(request).value();
  }
  Browser officer(*server_);
  ASSERT_TRUE(officer.sign_in("canbo"));
  auto page = officer.get("/quan-ly/nha-san-xuat/" + std::to_string(ids_.producer_a));
  ASSERT_TRUE(page);
  ASSERT_EQ(page->status, 200);
  EXPECT_TRUE(has(page->body, "Miến dong Bảo Lâm"));
  EXPECT_TRUE(has(page->body, "Mật ong bạc hà"));
  EXPECT_FALSE(has(page->body, "Chè Shan tuyết"));
  EXPECT_TRUE(has(page->body, "Nguyễn Thị Mai"));
  EXPECT_TRUE(has(page->body, "240.000"));
  EXPECT_TRUE(has(page->body, "HTX NONG SAN BAO LAM"));
  EXPECT_TRUE(has(page->body, "nsp1"));
  EXPECT_TRUE(has(page->body, "action=\"/quan-ly/ho-tro/" + std::to_string(ids_.producer_a)));
  // Read-only: no form other than helper mode and sign-out.
  static const std::regex form_re(R"re(<form method="post" action="([^"]+)")re");
  for (std::sregex_iterator it(page->body.begin(), page->body.end(), form_re), end; it != end;
       ++it) {
    const std::string action = (*it)[1];
    EXPECT_TRUE(action == "/dang-xuat" || action.starts_with("/quan-ly/ho-tro/")) << action;
  }
  // The helper button works from here.
  auto help = officer.post("/quan-ly/ho-tro/" + std::to_string(ids_.producer_a), {});
  ASSERT_TRUE(help);
  EXPECT_EQ(help->status, 303);
  EXPECT_EQ(officer.cookies().count("helping"), 1u);

  auto unknown = officer.get("/quan-ly/nha-san-xuat/999999");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
}

TEST_F(WorkspaceRegisterTest, ProducersAndStrangersAreRefused) {
  const std::string a = "/quan-ly/nha-san-xuat/" + std::to_string(ids_.producer_a);
  const std::string b = "/quan-ly/nha-san-xuat/" + std::to_string(ids_.producer_b);
  Browser producer_browser(*server_);
  ASSERT_TRUE(producer_browser.sign_in("nsp1"));
  for (const std::string& path : {std::string("/quan-ly/nha-san-xuat"),
                                  std::string("/quan-ly/nha-san-xuat/moi"), a, a + "/sua", b}) {
    auto res = producer_browser.get(path);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 403) << path;
  }
  auto create = producer_browser.post("/quan-ly/nha-san-xuat", new_producer());
  ASSERT_TRUE(create);
  EXPECT_EQ(create->status, 403);
  auto edit = producer_browser.post(b, with(new_producer(), "name", "Đổi tên"));
  ASSERT_TRUE(edit);
  EXPECT_EQ(edit->status, 403);
  // The navigation does not offer the register to a producer.
  auto home = producer_browser.get("/quan-ly");
  EXPECT_FALSE(has(home->body, "/quan-ly/nha-san-xuat"));

  Browser stranger(*server_);
  auto res = stranger.get("/quan-ly/nha-san-xuat");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 303);
  EXPECT_EQ(res->get_header_value("Location"), "/dang-nhap?next=/quan-ly/nha-san-xuat");
  auto post = stranger.post("/quan-ly/nha-san-xuat", new_producer());
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 401);

  Browser officer(*server_);
  ASSERT_TRUE(officer.sign_in("canbo"));
  auto forged = officer.post("/quan-ly/nha-san-xuat", with(new_producer(), "csrf_token", "x"));
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 403);
  auto params = new_producer();
  httplib::Client client = server_->client();
  auto no_token = client.Post("/quan-ly/nha-san-xuat",
                              {{"Cookie", "session=" + officer.cookies().at("session")}}, params);
  ASSERT_TRUE(no_token);
  EXPECT_EQ(no_token->status, 403);
  auto forged_edit =
      officer.post(b, with(with(new_producer(), "name", "Đổi tên"), "csrf_token", ""));
  ASSERT_TRUE(forged_edit);
  EXPECT_EQ(forged_edit->status, 403);
  EXPECT_EQ(producers().size(), 2u);
  EXPECT_EQ(producer(ids_.producer_b).fields.name, "Hộ Lương Thị Hoa");
  EXPECT_TRUE(log().empty());
}

TEST_F(WorkspaceRegisterTest, PagesStayUnder30KB) {
  Browser officer(*server_);
  ASSERT_TRUE(officer.sign_in("canbo"));
  auto home = officer.get("/quan-ly");
  static const std::regex css_re(R"re(href="(/static/style\.[0-9a-f]+\.css)")re");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(home->body, m, css_re));
  auto css = server_->client().Get(m[1].str());
  ASSERT_TRUE(css);
  const std::string id = std::to_string(ids_.producer_a);
  for (const std::string& path :
       {std::string("/quan-ly/nha-san-xuat"), std::string("/quan-ly/nha-san-xuat/moi"),
        "/quan-ly/nha-san-xuat/" + id, "/quan-ly/nha-san-xuat/" + id + "/sua"}) {
    auto page = officer.get(path);
    ASSERT_TRUE(page);
    EXPECT_EQ(page->status, 200) << path;
    EXPECT_LT(page->body.size() + css->body.size(), 30u * 1024) << path;
  }
}

}  // namespace
}  // namespace chophien::storefront
