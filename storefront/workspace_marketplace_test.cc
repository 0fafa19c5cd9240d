// The producer's marketplace pages over real HTTP, against fake Lazada and Shopee servers on
// 127.0.0.1 that check every request the way the platforms document (integrations/
// marketplace_fake.h): connecting a shop through the authorization flow (the redirect followed,
// the callback called as the platform would), publishing a product and seeing it live with its
// link after the outbox ran, a validation fault shown with the platform's message and retried,
// a dead refresh token shown as "authorize again", the dry-run preview, and the refusals (bad or
// reused state, another producer's shop or product, no CSRF token).
#include <gtest/gtest.h>
#include <httplib.h>

#include <map>
#include <memory>
#include <string>

#include "core/audit.h"
#include "core/products.h"
#include "integrations/marketplace_fake.h"
#include "integrations/outbox.h"
#include "integrations/sync.h"
#include "qr/image.h"
#include "storefront/auth.h"
#include "storefront/photos.h"
#include "storefront/workspace_fixture.h"

namespace chophien::storefront {
namespace {

using fixtures::Browser;
using integrations::Platform;
using integrations::testing_support::FakeMarketplace;
using integrations::testing_support::Fault;

const std::string kKey(64, 'k');

// The query parameters of a URL, decoded.
std::map<std::string, std::string> query_of(const std::string& url) {
  std::map<std::string, std::string> out;
  const auto q = url.find('?');
  if (q == std::string::npos) return out;
  const std::string query = url.substr(q + 1);
  size_t at = 0;
  while (at <= query.size()) {
    size_t end = query.find('&', at);
    if (end == std::string::npos) end = query.size();
    const std::string pair = query.substr(at, end - at);
    const auto eq = pair.find('=');
    if (eq != std::string::npos) {
      out[httplib::detail::decode_url(pair.substr(0, eq), true)] =
          httplib::detail::decode_url(pair.substr(eq + 1), true);
    }
    at = end + 1;
  }
  return out;
}

// The path and query of an absolute URL on the test server.
std::string local_target(const std::string& url) {
  const auto scheme = url.find("://");
  const auto slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  return slash == std::string::npos ? "/" : url.substr(slash);
}

class WorkspaceMarketplace : public ::testing::Test {
 protected:
  void SetUp() override {
    ApiOptions options;
    options.users.scrypt.n = 1024;
    set_api_options(options);
    clock_.set(fixtures::workspace_now());
    lazada_.grant("none", "none");
    Config config = TestServer::quiet_config();
    config.secret_key = kKey;
    config.marketplace_apps = {{Platform::lazada, lazada_.app()},
                               {Platform::shopee, shopee_.app()}};
    server_ = std::make_unique<TestServer>(
        config, [this](core::Database& db) { ids_ = fixtures::prepare_workspace(db); });
    server_->clock().set(fixtures::workspace_now());
    box_ =
        std::make_unique<integrations::SecretBox>(integrations::SecretBox::from_key(kKey).value());
  }

  void advance(int64_t seconds) {
    clock_.advance(seconds);
    server_->clock().advance(seconds);
  }

  // Presses "Kết nối" for `platform` and returns the authorization URL the server sent to.
  std::string start_connect(Browser& browser, const std::string& platform) {
    EXPECT_EQ(browser.get("/quan-ly/san-tmdt")->status, 200);
    auto res = browser.post("/quan-ly/san-tmdt/ket-noi/" + platform, {});
    EXPECT_EQ(res->status, 303);
    return res->get_header_value("Location");
  }

  // Connects a Lazada shop as the platform would: the seller agrees on the authorization page,
  // Lazada redirects the browser to redirect_uri with code and state.
  int64_t connect_lazada(Browser& browser) {
    const std::string authorize = start_connect(browser, "lazada");
    EXPECT_EQ(authorize.rfind(lazada_.origin() + "/authorize/oauth/authorize?", 0), 0u)
        << authorize;
    auto q = query_of(authorize);
    EXPECT_EQ(q["client_id"], lazada_.app().key);
    EXPECT_TRUE(q["redirect_uri"].ends_with("/quan-ly/san-tmdt/ket-noi/lazada/xong"))
        << q["redirect_uri"];
    auto back =
        browser.get(local_target(q["redirect_uri"]) + "?code=good-code&state=" + q["state"]);
    EXPECT_EQ(back->status, 303) << back->body;
    EXPECT_EQ(back->get_header_value("Location"), "/quan-ly/san-tmdt?da-ket-noi=1");
    auto shops = shops_of(ids_.producer_a);
    EXPECT_EQ(shops.size(), 1u);
    return shops.empty() ? 0 : shops.front().ref;
  }

  std::vector<integrations::ShopRecord> shops_of(int64_t producer) {
    auto db = server_->db().acquire().value();
    return integrations::MarketplaceShops(*db, clock_, nullptr).of_producer(producer).value();
  }
  int count(const std::string& table) {
    auto db = server_->db().acquire().value();
    auto s = db->prepare("SELECT count(*) FROM " + table).value();
    EXPECT_TRUE(s.step().value());
    return static_cast<int>(s.column_int(0));
  }
  integrations::SendReport send() {
    auto db = server_->db().acquire_writer().value();
    integrations::MarketplaceSync sync(*db, clock_, box_.get(), server_->config().marketplace_apps);
    auto report = sync.send(integrations::SendOptions{});
    EXPECT_TRUE(report.has_value()) << report.error().message;
    return report ? *report : integrations::SendReport{};
  }
  std::string product_path(int64_t id) { return "/quan-ly/san-pham/" + std::to_string(id); }
  static httplib::Params publish_form() {
    return {{"category_id", "100629"},
            {"brand", "Bảo Lâm"},
            {"weight_grams", "550"},
            {"length_cm", "20"},
            {"width_cm", "12"},
            {"height_cm", "6"},
            {"images", "https://img.example/mien-1.jpg\r\nhttps://img.example/mien-2.jpg"}};
  }
  std::string sku_of(int64_t id) {
    auto db = server_->db().acquire().value();
    return core::ProductStore(*db, clock_).find(id).value().fields.sku;
  }
  std::vector<core::AuditEntry> log() {
    auto db = server_->db().acquire().value();
    return core::AuditLog(*db, clock_).recent(100).value();
  }

  core::ManualClock clock_{0};
  FakeMarketplace lazada_{Platform::lazada, clock_};
  FakeMarketplace shopee_{Platform::shopee, clock_};
  std::unique_ptr<TestServer> server_;
  std::unique_ptr<integrations::SecretBox> box_;
  fixtures::WorkspaceIds ids_;
};

TEST_F(WorkspaceMarketplace, ConnectPublishAndSeeTheListingLiveWithItsLink) {
  Browser browser(*server_);
  ASSERT_TRUE(browser.sign_in("nsp1"));
  auto page = browser.get("/quan-ly/san-tmdt");
  ASSERT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("Kết nối Lazada"), std::string::npos);
  EXPECT_NE(page->body.find("Kết nối Shopee"), std::string::npos);
  EXPECT_NE(page->body.find("chưa đăng ký ứng dụng với TikTok Shop"), std::string::npos);
  EXPECT_LT(page->body.size(), 30u * 1024);

  const int64_t shop = connect_lazada(browser);
  ASSERT_NE(shop, 0);
  page = browser.get("/quan-ly/san-tmdt?da-ket-noi=1");
  EXPECT_NE(page->body.find("Đã kết nối cửa hàng"), std::string::npos);
  EXPECT_NE(page->body.find("VN1"), std::string::npos);
  EXPECT_NE(page->body.find("31/05/2026"), std::string::npos);  // the refresh token's 30 days
  // Tokens are stored sealed and never shown.
  EXPECT_EQ(page->body.find("acc-1"), std::string::npos);
  EXPECT_EQ(page->body.find("ref-1"), std::string::npos);
  {
    auto db = server_->db().acquire().value();
    auto s = db->prepare("SELECT tokens_sealed FROM marketplace_shops").value();
    ASSERT_TRUE(s.step().value());
    EXPECT_EQ(s.column_text(0).find("acc-1"), std::string::npos);
  }
  auto entries = log();
  ASSERT_FALSE(entries.empty());
  EXPECT_EQ(entries.front().action, "marketplace.connect");

  auto form = browser.get(product_path(ids_.mien));
  EXPECT_NE(form->body.find("Chưa đăng."), std::string::npos);
  auto published = browser.post(product_path(ids_.mien) + "/san/" + std::to_string(shop) + "/dang",
                                publish_form());
  ASSERT_EQ(published->status, 303) << published->body;
  form = browser.get(product_path(ids_.mien));
  EXPECT_NE(form->body.find("Đang chờ gửi lên sàn"), std::string::npos);

  auto report = send();
  EXPECT_EQ(report.totals.done, 1);
  auto item = lazada_.item(sku_of(ids_.mien));
  ASSERT_TRUE(item.has_value());
  EXPECT_EQ(item->price, 120000);
  EXPECT_EQ(item->stock, 50);
  form = browser.get(product_path(ids_.mien));
  EXPECT_NE(form->body.find("Đang bán trên sàn"), std::string::npos);
  EXPECT_NE(form->body.find("https://www.lazada.vn/products/i" + item->item_id + ".html"),
            std::string::npos);
  EXPECT_LT(form->body.size(), 30u * 1024);
  EXPECT_TRUE(lazada_.rejections().empty());
}

TEST_F(WorkspaceMarketplace, ShopeeCarriesTheShopIdOnTheRedirect) {
  Browser browser(*server_);
  ASSERT_TRUE(browser.sign_in("nsp1"));
  const std::string authorize = start_connect(browser, "shopee");
  auto q = query_of(authorize);
  ASSERT_FALSE(q["redirect"].empty()) << authorize;
  // Shopee appends code and shop_id to the redirect URL, which carries our state.
  auto back = browser.get(local_target(q["redirect"]) + "&code=good-code&shop_id=88001");
  ASSERT_EQ(back->status, 303) << back->body;
  auto shops = shops_of(ids_.producer_a);
  ASSERT_EQ(shops.size(), 1u);
  EXPECT_EQ(shops[0].platform, Platform::shopee);
  EXPECT_EQ(shops[0].grant.shop_id, "88001");
  auto page = browser.get("/quan-ly/san-tmdt");
  EXPECT_NE(page->body.find("Sàn không báo"), std::string::npos);  // Shopee sends no grant end
  // Shopee creates need the shop's logistics channel; the producer sets it on the page.
  const std::string ref = std::to_string(shops[0].ref);
  EXPECT_EQ(browser.post("/quan-ly/san-tmdt/" + ref + "/kho", {{"warehouse_id", "3001 x"}})->status,
            400);
  ASSERT_EQ(browser.get("/quan-ly/san-tmdt")->status, 200);
  ASSERT_EQ(browser.post("/quan-ly/san-tmdt/" + ref + "/kho", {{"warehouse_id", "3001"}})->status,
            303);
  EXPECT_EQ(shops_of(ids_.producer_a).front().warehouse_id, "3001");
  Browser other(*server_);
  ASSERT_TRUE(other.sign_in("nsp2"));
  EXPECT_EQ(other.post("/quan-ly/san-tmdt/" + ref + "/kho", {{"warehouse_id", "9"}})->status, 404);
  EXPECT_EQ(shops_of(ids_.producer_a).front().warehouse_id, "3001");
}

TEST_F(WorkspaceMarketplace, BadMissingReusedOrForeignStatesStoreNothing) {
  Browser browser(*server_);
  ASSERT_TRUE(browser.sign_in("nsp1"));
  const std::string authorize = start_connect(browser, "lazada");
  auto q = query_of(authorize);
  const std::string callback = local_target(q["redirect_uri"]);

  auto missing = browser.get(callback + "?code=good-code");
  EXPECT_EQ(missing->status, 400);
  EXPECT_NE(missing->body.find("Chưa lưu gì"), std::string::npos);
  auto forged = browser.get(callback + "?code=good-code&state=" + std::string(64, 'a'));
  EXPECT_EQ(forged->status, 400);
  // Another user (producer B) cannot use A's state, and it stays good for A afterwards.
  Browser other(*server_);
  ASSERT_TRUE(other.sign_in("nsp2"));
  EXPECT_EQ(other.get(callback + "?code=good-code&state=" + q["state"])->status, 400);
  // A state for Lazada is no good on Shopee's callback.
  EXPECT_EQ(
      browser
          .get("/quan-ly/san-tmdt/ket-noi/shopee/xong?code=good-code&shop_id=1&state=" + q["state"])
          ->status,
      400);
  EXPECT_EQ(count("marketplace_shops"), 0);
  EXPECT_EQ(lazada_.calls("/auth/token/create"), 0);

  ASSERT_EQ(browser.get(callback + "?code=good-code&state=" + q["state"])->status, 303);
  auto reused = browser.get(callback + "?code=good-code&state=" + q["state"]);
  EXPECT_EQ(reused->status, 400);
  EXPECT_NE(reused->body.find("đã được dùng"), std::string::npos);
  EXPECT_EQ(count("marketplace_shops"), 1);
  EXPECT_EQ(lazada_.calls("/auth/token/create"), 1);

  // A state past its 15 minutes.
  q = query_of(start_connect(browser, "lazada"));
  advance(16 * 60);
  auto late = browser.get(callback + "?code=good-code&state=" + q["state"]);
  EXPECT_EQ(late->status, 400);
  EXPECT_NE(late->body.find("quá hạn"), std::string::npos);
  // The platform refused the code: nothing stored, the producer is told.
  q = query_of(start_connect(browser, "lazada"));
  auto refused = browser.get(callback + "?code=bad-code&state=" + q["state"]);
  EXPECT_EQ(refused->status, 502);
  EXPECT_EQ(count("marketplace_shops"), 1);
  // Without a session the callback goes to sign-in.
  httplib::Client anonymous = server_->client();
  auto res = anonymous.Get(callback + "?code=good-code&state=" + q["state"]);
  EXPECT_EQ(res->status, 303);
}

TEST_F(WorkspaceMarketplace, AValidationFaultShowsThePlatformsMessageAndRetryMakesItLive) {
  Browser browser(*server_);
  ASSERT_TRUE(browser.sign_in("nsp1"));
  const int64_t shop = connect_lazada(browser);
  const std::string base = product_path(ids_.mien) + "/san/" + std::to_string(shop);
  ASSERT_EQ(browser.post(base + "/dang", publish_form())->status, 303);
  // The same product twice while the first is open: refused.
  EXPECT_EQ(browser.post(base + "/dang", publish_form())->status, 409);
  lazada_.fail_next("/product/create", Fault::validation);
  EXPECT_EQ(send().totals.failed, 1);
  // The officer sees the listing's state on the producer's page, read-only.
  Browser officer(*server_);
  ASSERT_TRUE(officer.sign_in("canbo"));
  const std::string register_page = "/quan-ly/nha-san-xuat/" + std::to_string(ids_.producer_a);
  auto seen = officer.get(register_page);
  ASSERT_EQ(seen->status, 200);
  EXPECT_NE(seen->body.find("Trên sàn thương mại điện tử"), std::string::npos);
  EXPECT_NE(seen->body.find("lỗi: "), std::string::npos);
  EXPECT_NE(seen->body.find("Tên sản phẩm chứa từ bị cấm"), std::string::npos);
  EXPECT_EQ(seen->body.find("/thu-lai"), std::string::npos);  // no actions for the officer
  // Outside helper mode an officer's retry goes back to the workspace home and changes nothing.
  auto refused = officer.post(base + "/thu-lai", {});
  EXPECT_EQ(refused->status, 303);
  EXPECT_EQ(refused->get_header_value("Location"), "/quan-ly");
  EXPECT_NE(browser.get(product_path(ids_.mien))->body.find("Sàn từ chối"), std::string::npos);
  auto form = browser.get(product_path(ids_.mien));
  EXPECT_NE(form->body.find("Sàn từ chối"), std::string::npos);
  EXPECT_NE(form->body.find("Tên sản phẩm chứa từ bị cấm"), std::string::npos);
  EXPECT_NE(form->body.find("Thử lại"), std::string::npos);

  ASSERT_EQ(browser.post(base + "/thu-lai", {})->status, 303);
  EXPECT_NE(browser.get(product_path(ids_.mien))->body.find("Đang chờ gửi lên sàn"),
            std::string::npos);
  EXPECT_EQ(browser.post(base + "/thu-lai", {})->status, 409);
  EXPECT_EQ(send().totals.done, 1);
  form = browser.get(product_path(ids_.mien));
  EXPECT_NE(form->body.find("Đang bán trên sàn"), std::string::npos);
  EXPECT_EQ(lazada_.creates(), 1);
  EXPECT_EQ(browser.post(base + "/thu-lai", {})->status, 404);  // nothing failed any more
  seen = officer.get(register_page);
  EXPECT_NE(seen->body.find(">đang bán</a>"), std::string::npos);
  EXPECT_NE(seen->body.find("https://www.lazada.vn/products/i"), std::string::npos);
  EXPECT_EQ(seen->body.find("lỗi: "), std::string::npos);
  auto entries = log();
  ASSERT_GE(entries.size(), 3u);
  EXPECT_EQ(entries[0].action, "marketplace.retry");
}

TEST_F(WorkspaceMarketplace, BadPublishFormsQueueNothing) {
  Browser browser(*server_);
  ASSERT_TRUE(browser.sign_in("nsp1"));
  const int64_t shop = connect_lazada(browser);
  const std::string url = product_path(ids_.mien) + "/san/" + std::to_string(shop) + "/dang";
  for (auto [field, value] : {std::pair{"category_id", ""}, std::pair{"category_id", "1; DROP"},
                              std::pair{"weight_grams", "0"}, std::pair{"length_cm", "abc"},
                              std::pair{"images", " \r\n "}}) {
    httplib::Params form = publish_form();
    form.erase(field);
    form.emplace(field, value);
    auto res = browser.post(url, form);
    EXPECT_EQ(res->status, 400) << field;
  }
  // A product not for sale (a draft, or archived) is not published.
  {
    auto db = server_->db().acquire_writer().value();
    db->exec("UPDATE products SET status = 'archived' WHERE id = " + std::to_string(ids_.mien))
        .value();
  }
  auto archived = browser.post(url, publish_form());
  EXPECT_EQ(archived->status, 400);
  EXPECT_NE(archived->body.find("Chỉ sản phẩm đang bán"), std::string::npos);
  EXPECT_EQ(count("marketplace_outbox"), 0);
}

TEST_F(WorkspaceMarketplace, ARefusedPublishFormComesBackFilledIn) {
  Browser browser(*server_);
  ASSERT_TRUE(browser.sign_in("nsp1"));
  const int64_t shop = connect_lazada(browser);
  const std::string url = product_path(ids_.mien) + "/san/" + std::to_string(shop) + "/dang";
  httplib::Params form = publish_form();
  form.erase("weight_grams");
  form.emplace("weight_grams", "0");
  form.erase("brand");
  form.emplace("brand", "Bảo Lâm <b>");
  auto res = browser.post(url, form);
  ASSERT_EQ(res->status, 400);
  // The product page again, its publish form open with the problem and what was typed.
  EXPECT_NE(res->body.find("Sửa sản phẩm"), std::string::npos);
  EXPECT_NE(res->body.find("<details open>"), std::string::npos);
  EXPECT_NE(res->body.find("role=\"alert\">Khối lượng gói hàng phải từ 1 đến 300.000 gam."),
            std::string::npos);
  EXPECT_NE(res->body.find("value=\"100629\""), std::string::npos);
  EXPECT_NE(res->body.find("value=\"Bảo Lâm &lt;b&gt;\""), std::string::npos);
  EXPECT_EQ(res->body.find("Bảo Lâm <b>"), std::string::npos);
  EXPECT_NE(res->body.find("https://img.example/mien-2.jpg</textarea>"), std::string::npos);
  EXPECT_EQ(count("marketplace_outbox"), 0);

  // A category attribute line without "=" comes back the same way.
  form = publish_form();
  form.emplace("attributes", "honey_type = Mật ong\r\nthiếu dấu bằng");
  res = browser.post(url, form);
  ASSERT_EQ(res->status, 400);
  EXPECT_NE(res->body.find("thiếu dấu bằng&quot; thiếu dấu ="), std::string::npos) << res->body;
  EXPECT_NE(res->body.find("honey_type = Mật ong"), std::string::npos);
  EXPECT_EQ(count("marketplace_outbox"), 0);

  // Without typed images and without a photo there is nothing to show on the platform.
  form = publish_form();
  form.erase("images");
  res = browser.post(url, form);
  EXPECT_EQ(res->status, 400);
  EXPECT_NE(res->body.find("cần ít nhất một ảnh chụp"), std::string::npos);
  EXPECT_EQ(count("marketplace_outbox"), 0);
}

TEST_F(WorkspaceMarketplace, TheProductsOwnPhotosAreUploadedAndNamedInTheListing) {
  Browser browser(*server_);
  ASSERT_TRUE(browser.sign_in("nsp1"));
  const int64_t shop = connect_lazada(browser);
  lazada_.require_uploaded_images();
  // A real PNG (a QR code), stored the way the photo form stores it: decoded, copies made.
  const std::string png = qr::render_png("Miến dong Bảo Lâm").value.value();
  std::string jpeg_copy;
  {
    auto db = server_->db().acquire_writer().value();
    auto photo = store_photo(*db, clock_, ids_.producer_a, ids_.mien, png);
    ASSERT_TRUE(photo);
    jpeg_copy = core::ProductStore(*db, clock_)
                    .photo_variant(photo->sha256, photo->variant_widths.back(), "jpg")
                    .value()
                    .bytes;
  }
  httplib::Params form = publish_form();
  form.erase("images");
  // The category's attributes go with the create.
  lazada_.require_attribute("honey_type");
  form.emplace("attributes", " honey_type = Mật ong hoa cà phê \r\n\r\n");
  auto published =
      browser.post(product_path(ids_.mien) + "/san/" + std::to_string(shop) + "/dang", form);
  ASSERT_EQ(published->status, 303) << published->body;
  EXPECT_EQ(send().totals.done, 1);
  // Its JPEG copy goes (upright, without the original's metadata), not the original.
  EXPECT_EQ(lazada_.uploads(), std::vector<std::string>{jpeg_copy});
  EXPECT_NE(jpeg_copy, png);
  EXPECT_EQ(
      lazada_.last_create_attributes(),
      (std::vector<std::pair<std::string, std::string>>{{"honey_type", "Mật ong hoa cà phê"}}));
  ASSERT_EQ(lazada_.last_create_images().size(), 1u);
  EXPECT_TRUE(lazada_.last_create_images()[0].starts_with("https://"));
  EXPECT_TRUE(lazada_.rejections().empty());
  EXPECT_NE(browser.get(product_path(ids_.mien))->body.find("Đang bán trên sàn"),
            std::string::npos);
}

TEST_F(WorkspaceMarketplace, ADeadRefreshTokenShowsAuthorizeAgain) {
  Browser browser(*server_);
  ASSERT_TRUE(browser.sign_in("nsp1"));
  const int64_t shop = connect_lazada(browser);
  ASSERT_EQ(
      browser
          .post(product_path(ids_.mien) + "/san/" + std::to_string(shop) + "/dang", publish_form())
          ->status,
      303);
  lazada_.grant("acc-other", "ref-other");  // the shop's refresh token is no longer accepted
  // The worker runs past the 7-day access token (the pages' clock stays, so sessions last).
  clock_.advance(8 * 86400);
  EXPECT_EQ(send().totals.done, 0);
  clock_.set(server_->clock().now());
  auto page = browser.get("/quan-ly/san-tmdt");
  EXPECT_NE(page->body.find("Cần ủy quyền lại"), std::string::npos);
  EXPECT_NE(page->body.find("Ủy quyền lại</button>"), std::string::npos);
  auto form = browser.get(product_path(ids_.mien));
  EXPECT_NE(form->body.find("cần được ủy quyền lại"), std::string::npos);
  EXPECT_TRUE(shops_of(ids_.producer_a).front().needs_authorization);
  // Authorizing again connects the same shop and clears the state.
  connect_lazada(browser);
  EXPECT_FALSE(shops_of(ids_.producer_a).front().needs_authorization);
  EXPECT_EQ(send().totals.done, 1);
}

TEST_F(WorkspaceMarketplace, DryRunBuildsAndShowsRequestsWithoutSendingOrSecrets) {
  Browser browser(*server_);
  ASSERT_TRUE(browser.sign_in("nsp1"));
  const int64_t shop = connect_lazada(browser);
  const std::string ref = std::to_string(shop);
  ASSERT_EQ(browser.post("/quan-ly/san-tmdt/" + ref + "/thu-nghiem", {{"bat", "1"}})->status, 303);
  EXPECT_TRUE(shops_of(ids_.producer_a).front().dry_run);
  ASSERT_EQ(browser.post(product_path(ids_.mien) + "/san/" + ref + "/dang", publish_form())->status,
            303);
  EXPECT_EQ(send().totals.sent, 0);
  EXPECT_EQ(lazada_.calls("/product/create"), 0);
  EXPECT_NE(browser.get(product_path(ids_.mien))->body.find("chế độ thử"), std::string::npos);

  auto preview = browser.get("/quan-ly/san-tmdt/" + ref + "/xem-truoc");
  ASSERT_EQ(preview->status, 200);
  EXPECT_NE(preview->body.find("Đăng sản phẩm: " + sku_of(ids_.mien)), std::string::npos);
  EXPECT_NE(preview->body.find("/product/create"), std::string::npos);
  EXPECT_NE(preview->body.find("Chữ ký đúng"), std::string::npos);
  EXPECT_NE(preview->body.find("***"), std::string::npos);
  EXPECT_EQ(preview->body.find("acc-1"), std::string::npos);
  EXPECT_EQ(preview->body.find(lazada_.app().secret), std::string::npos);
  EXPECT_LT(preview->body.size(), 30u * 1024);

  ASSERT_EQ(browser.post("/quan-ly/san-tmdt/" + ref + "/thu-nghiem", {{"bat", "0"}})->status, 303);
  EXPECT_EQ(send().totals.done, 1);
}

TEST_F(WorkspaceMarketplace, AnotherProducersShopOrProductAndFormsWithoutCsrfChangeNothing) {
  Browser a(*server_);
  ASSERT_TRUE(a.sign_in("nsp1"));
  const int64_t shop = connect_lazada(a);
  const std::string ref = std::to_string(shop);
  Browser b(*server_);
  ASSERT_TRUE(b.sign_in("nsp2"));
  // B: A's shop by URL, or B's own product with A's shop in the URL.
  EXPECT_EQ(b.post("/quan-ly/san-tmdt/" + ref + "/thu-nghiem", {{"bat", "1"}})->status, 404);
  EXPECT_EQ(b.get("/quan-ly/san-tmdt/" + ref + "/xem-truoc")->status, 404);
  EXPECT_EQ(b.post(product_path(ids_.che) + "/san/" + ref + "/dang", publish_form())->status, 404);
  EXPECT_EQ(b.post(product_path(ids_.mien) + "/san/" + ref + "/dang", publish_form())->status, 404);
  EXPECT_EQ(b.post(product_path(ids_.mien) + "/san/" + ref + "/thu-lai", {})->status, 404);
  EXPECT_EQ(b.get("/quan-ly/san-tmdt")->body.find("VN1"), std::string::npos);
  EXPECT_EQ(b.get(product_path(ids_.mien))->status, 404);
  // A, without the CSRF token.
  httplib::Params form = publish_form();
  form.emplace("csrf_token", "sai");
  EXPECT_EQ(a.post(product_path(ids_.mien) + "/san/" + ref + "/dang", form)->status, 403);
  EXPECT_EQ(a.post("/quan-ly/san-tmdt/" + ref + "/thu-nghiem", {{"bat", "1"}, {"csrf_token", ""}})
                ->status,
            403);
  EXPECT_EQ(a.post("/quan-ly/san-tmdt/ket-noi/lazada", {{"csrf_token", "sai"}})->status, 403);
  EXPECT_EQ(count("marketplace_outbox"), 0);
  EXPECT_FALSE(shops_of(ids_.producer_a).front().dry_run);
  EXPECT_EQ(count("marketplace_auth_states"), 1);  // only the one connect_lazada used
}

TEST_F(WorkspaceMarketplace, AnOfficerHelpingPublishesOnTheProducersBehalf) {
  Browser a(*server_);
  ASSERT_TRUE(a.sign_in("nsp1"));
  const int64_t shop = connect_lazada(a);
  Browser officer(*server_);
  ASSERT_TRUE(officer.sign_in("canbo"));
  ASSERT_EQ(officer.post("/quan-ly/ho-tro/" + std::to_string(ids_.producer_a), {})->status, 303);
  auto form = officer.get(product_path(ids_.mien));
  ASSERT_EQ(form->status, 200);
  EXPECT_NE(form->body.find("Đăng lên sàn"), std::string::npos);
  ASSERT_EQ(
      officer
          .post(product_path(ids_.mien) + "/san/" + std::to_string(shop) + "/dang", publish_form())
          ->status,
      303);
  auto entries = log();
  ASSERT_FALSE(entries.empty());
  EXPECT_EQ(entries[0].action, "marketplace.publish");
  EXPECT_TRUE(entries[0].on_behalf);
  EXPECT_EQ(entries[0].producer_id, ids_.producer_a);
}

}  // namespace
}  // namespace chophien::storefront
