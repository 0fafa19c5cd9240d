// The customer's pages over real HTTP: browsing, search, filters, the product page budget, the
// cart cookie, CSRF, checkout (validation, stock, two producers), the order page and its VietQR
// images decoded by zbarimg, and HTML injection shown inert.
#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <string>

#include "core/demo.h"
#include "core/orders.h"
#include "core/producers.h"
#include "core/products.h"
#include "qr/payload.h"
#include "storefront/test_server.h"

namespace chophien::storefront {
namespace {

constexpr const char* kEvilName = "<script>alert(1)</script> Mật ong \"bạc hà\"";
constexpr const char* kEvilDescription = "Ngon <img src=x onerror=alert(2)> lắm";

struct Fixture {
  int64_t producer_a = 0, producer_b = 0;
  int64_t honey = 0;     // producer A, 120.000 ₫, stock 5, 4 stars, evil name
  int64_t tea = 0;       // producer B, 50.000 ₫, stock 10
  int64_t sold_out = 0;  // producer A, stock 0
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

void prepare(core::Database& db) {
  core::ManualClock clock;
  core::load_demo(db, clock).value();
  core::ProducerStore producers(db, clock);
  core::ProducerFields a;
  a.name = "HTX Thử nghiệm <b>A</b>";
  a.entity_type = core::EntityType::cooperative;
  a.area_code = "01294";
  a.phone = "0912345678";
  a.bank = {"970436", "0011001234567", "HTX THU NGHIEM A"};
  fixture().producer_a = producers.create(a).value().id;
  core::ProducerFields b = a;
  b.name = "Tổ hợp tác Thử nghiệm B";
  b.entity_type = core::EntityType::cooperative_group;
  b.area_code = "01318";
  // Not the demo cooperative's account: a receiving account belongs to one producer.
  b.bank = {"970418", "42710009990001", "THT THU NGHIEM B"};
  fixture().producer_b = producers.create(b).value().id;

  core::ProductStore products(db, clock);
  core::ProductFields honey;
  honey.name = kEvilName;
  honey.description = kEvilDescription;
  honey.ocop_group = "G1";
  honey.certificate = core::OcopCertificate{4, "123/QĐ-UBND", "2024-03-15", "UBND tỉnh Cao Bằng"};
  honey.unit = "chai 500 ml";
  honey.price_vnd = 120000;
  honey.stock = 5;
  honey.status = core::ProductStatus::active;
  fixture().honey = products.create(fixture().producer_a, honey).value().id;
  products
      .add_photo(fixture().honey, core::demo_photo_svg("Mật ong", "G1"), "image/svg+xml", 400, 300)
      .value();
  core::ProductFields tea = honey;
  tea.name = "Chè shan tuyết thử nghiệm";
  tea.description = "Chè búp.";
  tea.certificate.reset();
  tea.price_vnd = 50000;
  tea.stock = 10;
  fixture().tea = products.create(fixture().producer_b, tea).value().id;
  core::ProductFields gone = tea;
  gone.name = "Gạo nếp hết hàng";
  gone.stock = 0;
  fixture().sold_out = products.create(fixture().producer_a, gone).value().id;
}

// A visitor without JavaScript: keeps cookies between requests and reads the form token from
// the pages it is shown.
class Visitor {
 public:
  explicit Visitor(const TestServer& server) : client_(server.client()) {}

  httplib::Result get(const std::string& path) {
    auto res = client_.Get(path.c_str(), headers());
    remember(res);
    return res;
  }
  httplib::Result post(const std::string& path, httplib::Params form) {
    auto res = client_.Post(path.c_str(), headers(), form);
    remember(res);
    return res;
  }
  // Shows `page`, then posts `form` with the token the page carried.
  httplib::Result submit(const std::string& page, const std::string& path, httplib::Params form) {
    auto shown = get(page);
    EXPECT_TRUE(shown) << page << ": " << httplib::to_string(shown.error());
    std::smatch m;
    static const std::regex token(R"re(name="csrf_token" value="([0-9a-f]{32})")re");
    // A page without a form (an empty cart) still sets the cookie; its value is the token.
    form.emplace("csrf_token",
                 std::regex_search(shown->body, m, token) ? m[1].str() : cookie("form_token"));
    return post(path, std::move(form));
  }
  std::string cookie(const std::string& name) const {
    auto it = cookies_.find(name);
    return it == cookies_.end() ? "" : it->second;
  }
  void set_cookie(const std::string& name, const std::string& value) { cookies_[name] = value; }

 private:
  httplib::Headers headers() const {
    std::string header;
    for (const auto& [name, value] : cookies_) {
      if (!header.empty()) header += "; ";
      header += name + "=" + value;
    }
    if (header.empty()) return {};
    return {{"Cookie", header}};
  }
  void remember(const httplib::Result& res) {
    if (!res) return;
    auto range = res->headers.equal_range("Set-Cookie");
    for (auto it = range.first; it != range.second; ++it) {
      const std::string& c = it->second;
      const size_t eq = c.find('=');
      const size_t semi = c.find(';');
      const std::string name = c.substr(0, eq);
      const std::string value = c.substr(eq + 1, semi - eq - 1);
      if (value.empty() || c.find("Max-Age=0") != std::string::npos) {
        cookies_.erase(name);
      } else {
        cookies_[name] = value;
      }
    }
  }
  httplib::Client client_;
  std::map<std::string, std::string> cookies_;
};

httplib::Params add_form(int64_t product, int quantity) {
  return {{"product_id", std::to_string(product)}, {"quantity", std::to_string(quantity)}};
}

httplib::Params good_checkout() {
  return {{"name", "Nguyễn Thị Lan"},
          {"phone", "0912 345 678"},
          {"delivery", "pickup"},
          {"address", ""},
          {"note", "Gọi trước khi đến"}};
}

int64_t order_count(TestServer& server) {
  auto db = server.db().acquire().value();
  auto s = db->prepare("SELECT COUNT(*) FROM orders").value();
  EXPECT_TRUE(s.step().value());
  return s.column_int(0);
}

std::string zbar(const std::string& png) {
  const std::string path =
      (std::filesystem::temp_directory_path() /
       ("chophien-qr-" + std::to_string(::getpid()) + "-" + std::to_string(std::rand()) + ".png"))
          .string();
  std::ofstream(path, std::ios::binary) << png;
  std::string out;
  if (FILE* p = ::popen(("zbarimg --raw -q " + path).c_str(), "r")) {
    char buf[512];
    size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    ::pclose(p);
  }
  std::filesystem::remove(path);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

struct ShopPages : ::testing::Test {
  static void SetUpTestSuite() { server_ = new TestServer(TestServer::quiet_config(), prepare); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static TestServer* server_;
  TestServer& server() { return *server_; }
};
TestServer* ShopPages::server_ = nullptr;

TEST_F(ShopPages, HomeListsProductsWithPriceAndFilters) {
  Visitor v(server());
  auto res = v.get("/");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_NE(res->body.find("<html lang=\"vi\">"), std::string::npos);
  EXPECT_NE(res->body.find("<label for=\"q\">"), std::string::npos);
  EXPECT_NE(res->body.find("Xã Lý Bôn"), std::string::npos);
  EXPECT_NE(res->body.find("G6"), std::string::npos);
  EXPECT_NE(res->body.find("120.000\u00a0₫"), std::string::npos);
  EXPECT_NE(res->body.find("loading=\"lazy\""), std::string::npos);
  EXPECT_NE(res->body.find("property=\"og:locale\" content=\"vi_VN\""), std::string::npos);
  EXPECT_EQ(res->body.find("<script"), std::string::npos);
  // The header names the sellers' door, right whether or not this visitor is signed in (the
  // page is cached for everyone): /quan-ly signs in first when needed.
  EXPECT_NE(res->body.find("<a href=\"/quan-ly\">Người bán</a>"), std::string::npos);
  EXPECT_EQ(res->body.find(">Đăng nhập</a>"), std::string::npos);
}

TEST_F(ShopPages, SearchWithoutDiacriticsFindsMienDong) {
  Visitor v(server());
  auto res = v.get("/?q=mien dong");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_NE(res->body.find("Miến dong"), std::string::npos);
  EXPECT_EQ(res->body.find("Chè shan tuyết thử nghiệm"), std::string::npos);
  EXPECT_NE(res->body.find("value=\"mien dong\""), std::string::npos);
}

TEST_F(ShopPages, FiltersByCommuneGroupAndStars) {
  Visitor v(server());
  auto by_commune = v.get("/?xa=01318");
  ASSERT_TRUE(by_commune);
  EXPECT_NE(by_commune->body.find("Chè shan tuyết thử nghiệm"), std::string::npos);
  EXPECT_EQ(by_commune->body.find("Mật ong &quot;bạc hà&quot;"), std::string::npos);
  auto by_stars = v.get("/?sao=4&nhom=G1&q=bac ha");
  ASSERT_TRUE(by_stars);
  EXPECT_NE(by_stars->body.find("Mật ong &quot;bạc hà&quot;"), std::string::npos);
  auto five = v.get("/?sao=5&q=bac ha");
  ASSERT_TRUE(five);
  EXPECT_EQ(five->body.find("Mật ong &quot;bạc hà&quot;"), std::string::npos);
  auto garbage = v.get("/?sao=9&nhom=<x>&xa=%00&trang=-4");
  ASSERT_TRUE(garbage);
  EXPECT_EQ(garbage->status, 200);
}

TEST_F(ShopPages, HomePagesThroughResults) {
  Visitor v(server());
  auto first = v.get("/");
  ASSERT_TRUE(first);
  EXPECT_NE(first->body.find("trang=2"), std::string::npos);
  auto second = v.get("/?trang=2");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 200);
  EXPECT_NE(second->body.find("trang=1"), std::string::npos);
}

TEST_F(ShopPages, ProductPageShowsCertificatePriceStockAndEscapesText) {
  Visitor v(server());
  auto res = v.get("/san-pham/" + std::to_string(fixture().honey));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  const std::string& body = res->body;
  EXPECT_EQ(body.find("<script>alert(1)"), std::string::npos);
  EXPECT_NE(body.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_EQ(body.find("<img src=x"), std::string::npos);
  EXPECT_EQ(body.find("<b>A</b>"), std::string::npos);
  EXPECT_NE(body.find("OCOP 4 sao"), std::string::npos);
  EXPECT_NE(body.find("123/QĐ-UBND"), std::string::npos);
  EXPECT_NE(body.find("15/03/2024"), std::string::npos);
  EXPECT_NE(body.find("Còn hiệu lực đến ngày 14/03/2027"), std::string::npos);
  EXPECT_NE(body.find("120.000\u00a0₫"), std::string::npos);
  EXPECT_NE(body.find("Còn 5"), std::string::npos);
  EXPECT_NE(body.find("/nha-san-xuat/" + std::to_string(fixture().producer_a)), std::string::npos);
  EXPECT_NE(body.find("<label for=\"quantity\">"), std::string::npos);
  EXPECT_NE(body.find("property=\"og:image\" content=\"http"), std::string::npos);
  EXPECT_NE(body.find("property=\"og:type\" content=\"product\""), std::string::npos);

  auto gone = v.get("/san-pham/" + std::to_string(fixture().sold_out));
  ASSERT_TRUE(gone);
  EXPECT_NE(gone->body.find("Hết hàng"), std::string::npos);
  EXPECT_EQ(gone->body.find("action=\"/gio-hang/them\""), std::string::npos);
  auto missing = v.get("/san-pham/999999");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
}

TEST_F(ShopPages, ProductPageHtmlAndCssStayUnder30KbAndTheFirstImageUnder150Kb) {
  Visitor v(server());
  auto page = v.get("/?q=mien dong");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(page->body, m, std::regex(R"(/san-pham/(\d+))")));
  auto res = v.get(m[0].str());
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  std::smatch css;
  ASSERT_TRUE(std::regex_search(res->body, css, std::regex(R"re(href="(/static/[^"]+\.css)")re")));
  auto style = v.get(css[1].str());
  ASSERT_TRUE(style);
  EXPECT_LT(res->body.size() + style->body.size(), 30u * 1024);
  std::smatch img;
  ASSERT_TRUE(
      std::regex_search(res->body, img, std::regex(R"re(<img src="(/anh/[0-9a-f]{64})")re")));
  auto photo = v.get(img[1].str());
  ASSERT_TRUE(photo);
  EXPECT_EQ(photo->status, 200);
  EXPECT_LT(photo->body.size(), 150u * 1024);
  EXPECT_EQ(photo->get_header_value("Cache-Control"), "public, max-age=31536000, immutable");
  const std::string etag = photo->get_header_value("ETag");
  EXPECT_FALSE(etag.empty());
  auto again = server().client().Get(img[1].str().c_str(), {{"If-None-Match", etag}});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 304);
}

TEST_F(ShopPages, ProducerPageShowsEntityTypeCommuneAndProducts) {
  Visitor v(server());
  auto res = v.get("/nha-san-xuat/" + std::to_string(fixture().producer_a));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  EXPECT_NE(res->body.find("Hợp tác xã"), std::string::npos);
  EXPECT_NE(res->body.find("Xã Lý Bôn"), std::string::npos);
  EXPECT_NE(res->body.find("HTX Thử nghiệm &lt;b&gt;A&lt;/b&gt;"), std::string::npos);
  EXPECT_NE(res->body.find("/san-pham/" + std::to_string(fixture().honey)), std::string::npos);
  auto missing = v.get("/nha-san-xuat/999999");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
}

TEST_F(ShopPages, CartAddsUpdatesAndRemovesLinesGroupedByProducer) {
  Visitor v(server());
  const std::string honey = "/san-pham/" + std::to_string(fixture().honey);
  auto added = v.submit(honey, "/gio-hang/them", add_form(fixture().honey, 2));
  ASSERT_TRUE(added);
  EXPECT_EQ(added->status, 303);
  EXPECT_EQ(added->get_header_value("Location"), "/gio-hang");
  const std::string set_cookie = added->get_header_value("Set-Cookie");
  EXPECT_NE(set_cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(set_cookie.find("SameSite=Lax"), std::string::npos);
  ASSERT_TRUE(v.submit(honey, "/gio-hang/them", add_form(fixture().tea, 1)));
  auto cart = v.get("/gio-hang");
  ASSERT_TRUE(cart);
  EXPECT_EQ(cart->status, 200);
  EXPECT_NE(cart->body.find("Tổ hợp tác Thử nghiệm B"), std::string::npos);
  EXPECT_NE(cart->body.find("240.000\u00a0₫"), std::string::npos);  // honey subtotal
  EXPECT_NE(cart->body.find("290.000\u00a0₫"), std::string::npos);  // total

  ASSERT_TRUE(v.submit("/gio-hang", "/gio-hang/cap-nhat", add_form(fixture().honey, 3)));
  cart = v.get("/gio-hang");
  EXPECT_NE(cart->body.find("360.000\u00a0₫"), std::string::npos);
  ASSERT_TRUE(
      v.submit("/gio-hang", "/gio-hang/xoa", {{"product_id", std::to_string(fixture().tea)}}));
  cart = v.get("/gio-hang");
  EXPECT_EQ(cart->body.find("Chè shan tuyết thử nghiệm"), std::string::npos);
  EXPECT_NE(cart->body.find("360.000\u00a0₫"), std::string::npos);
}

TEST_F(ShopPages, TamperedAndGarbageCartCookiesAreIgnored) {
  Visitor v(server());
  ASSERT_TRUE(v.submit("/gio-hang", "/gio-hang/them", add_form(fixture().honey, 1)));
  std::string sealed = v.cookie("cart");
  ASSERT_FALSE(sealed.empty());
  for (const std::string& bad :
       {std::string(std::to_string(fixture().honey) + ":900") + sealed.substr(sealed.find('.')),
        std::string("garbage"), std::string("1:1,1:1.00"), std::string(3000, ','),
        std::string("%00%ff")}) {
    v.set_cookie("cart", bad);
    auto cart = v.get("/gio-hang");
    ASSERT_TRUE(cart);
    EXPECT_EQ(cart->status, 200) << bad;
    EXPECT_NE(cart->body.find("Giỏ hàng đang trống"), std::string::npos) << bad;
    auto checkout = v.get("/thanh-toan");
    ASSERT_TRUE(checkout);
    EXPECT_EQ(checkout->status, 200);
  }
}

TEST_F(ShopPages, PostsWithoutTheRightFormTokenAre403AndChangeNothing) {
  Visitor v(server());
  ASSERT_TRUE(v.submit("/gio-hang", "/gio-hang/them", add_form(fixture().honey, 1)));
  const std::string before = v.cookie("cart");
  const int64_t orders_before = order_count(server());
  auto missing = v.post("/gio-hang/them", add_form(fixture().tea, 1));
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 403);
  auto params = add_form(fixture().honey, 5);
  params.emplace("csrf_token", std::string(32, 'a'));
  auto wrong = v.post("/gio-hang/cap-nhat", params);
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 403);
  auto form = good_checkout();
  form.emplace("csrf_token", "nope");
  auto checkout = v.post("/thanh-toan", form);
  ASSERT_TRUE(checkout);
  EXPECT_EQ(checkout->status, 403);
  EXPECT_EQ(v.cookie("cart"), before);
  EXPECT_EQ(order_count(server()), orders_before);
}

TEST_F(ShopPages, CheckoutShowsVietnameseMessagesKeepsInputAndCreatesNothing) {
  Visitor v(server());
  ASSERT_TRUE(v.submit("/gio-hang", "/gio-hang/them", add_form(fixture().tea, 1)));
  const int64_t before = order_count(server());
  auto res = v.submit("/thanh-toan", "/thanh-toan",
                      {{"name", ""},
                       {"phone", "12345"},
                       {"delivery", "delivery"},
                       {"address", ""},
                       {"note", "<b>giữ lại</b>"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_NE(res->body.find("Vui lòng nhập họ và tên người nhận."), std::string::npos);
  EXPECT_NE(res->body.find("Số điện thoại không hợp lệ"), std::string::npos);
  EXPECT_NE(res->body.find("Vui lòng nhập địa chỉ giao hàng."), std::string::npos);
  EXPECT_NE(res->body.find("value=\"12345\""), std::string::npos);
  EXPECT_NE(res->body.find("&lt;b&gt;giữ lại&lt;/b&gt;</textarea>"), std::string::npos);
  EXPECT_NE(res->body.find("aria-describedby=\"phone-error\""), std::string::npos);
  EXPECT_EQ(order_count(server()), before);
  EXPECT_FALSE(v.cookie("cart").empty());
}

TEST_F(ShopPages, CheckoutNamesAProductShortOfStockAndCreatesNothing) {
  Visitor v(server());
  ASSERT_TRUE(v.submit("/gio-hang", "/gio-hang/them", add_form(fixture().sold_out, 1)));
  const int64_t before = order_count(server());
  auto res = v.submit("/thanh-toan", "/thanh-toan", good_checkout());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 409);
  EXPECT_NE(res->body.find("Gạo nếp hết hàng"), std::string::npos);
  EXPECT_NE(res->body.find("đã hết hàng"), std::string::npos);
  EXPECT_EQ(order_count(server()), before);
}

TEST_F(ShopPages, CheckoutFromTwoProducersGivesTwoOrderPagesWithScannableVietQr) {
  Visitor v(server());
  ASSERT_TRUE(v.submit("/gio-hang", "/gio-hang/them", add_form(fixture().honey, 2)));
  ASSERT_TRUE(v.submit("/gio-hang", "/gio-hang/them", add_form(fixture().tea, 3)));
  auto form = good_checkout();
  form.erase("name");
  form.emplace("name", "<i>Khách</i> Lan");
  auto res = v.submit("/thanh-toan", "/thanh-toan", form);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 303) << res->body;
  EXPECT_TRUE(v.cookie("cart").empty());
  auto list = v.get(res->get_header_value("Location"));
  ASSERT_TRUE(list);
  ASSERT_EQ(list->status, 200);
  std::regex link(R"re(href="(/don-hang/([A-Z0-9]+)\?token=([^"]+))")re");
  std::vector<std::smatch> orders;
  for (std::sregex_iterator it(list->body.begin(), list->body.end(), link), end; it != end; ++it) {
    orders.push_back(*it);
  }
  ASSERT_EQ(orders.size(), 2u);

  struct Expected {
    std::string bin, account;
    int64_t amount;
  };
  std::map<std::string, Expected> by_holder = {
      {"HTX THU NGHIEM A", {"970436", "0011001234567", 240000}},
      {"THT THU NGHIEM B", {"970418", "42710009990001", 150000}}};
  for (const auto& o : orders) {
    auto page = v.get(o[1].str());
    ASSERT_TRUE(page);
    ASSERT_EQ(page->status, 200);
    EXPECT_NE(page->body.find("<meta http-equiv=\"refresh\" content=\"10\">"), std::string::npos);
    EXPECT_NE(page->body.find("&lt;i&gt;Khách&lt;/i&gt; Lan"), std::string::npos);
    const std::string holder = page->body.find("HTX THU NGHIEM A") != std::string::npos
                                   ? "HTX THU NGHIEM A"
                                   : "THT THU NGHIEM B";
    const Expected& want = by_holder.at(holder);
    EXPECT_NE(page->body.find(want.account), std::string::npos);
    EXPECT_NE(page->body.find(core::format_vnd(want.amount)), std::string::npos);
    const std::string code = o[2].str();
    std::smatch img;
    ASSERT_TRUE(
        std::regex_search(page->body, img, std::regex(R"re(<img class="qr" src="([^"]+)")re")));
    auto png = v.get(img[1].str());
    ASSERT_TRUE(png);
    ASSERT_EQ(png->status, 200);
    EXPECT_EQ(png->get_header_value("Content-Type"), "image/png");
    EXPECT_NE(png->get_header_value("Cache-Control").find("private"), std::string::npos);
    const std::string payload = zbar(png->body);
    auto decoded = qr::decode(payload);
    ASSERT_TRUE(decoded.has_value()) << payload;
    EXPECT_EQ(decoded.value->bin, want.bin);
    EXPECT_EQ(decoded.value->account, want.account);
    EXPECT_EQ(decoded.value->amount, want.amount);
    EXPECT_EQ(decoded.value->purpose, code);
    EXPECT_NE(page->body.find(">" + code + "</dd>"), std::string::npos);
    auto svg = v.get("/api/v1/orders/" + code + "/qr.svg?token=" + o[3].str());
    ASSERT_TRUE(svg);
    EXPECT_EQ(svg->status, 200);
    EXPECT_NE(svg->body.find("<svg"), std::string::npos);
  }
}

TEST_F(ShopPages, OrderPageWithoutOrWithAWrongTokenIs404AndRevealsNothing) {
  Visitor v(server());
  ASSERT_TRUE(v.submit("/gio-hang", "/gio-hang/them", add_form(fixture().tea, 1)));
  auto placed = v.submit("/thanh-toan", "/thanh-toan", good_checkout());
  ASSERT_TRUE(placed);
  ASSERT_EQ(placed->status, 303);
  const std::string location = placed->get_header_value("Location");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(location, m, std::regex(R"(/don-hang/([A-Z0-9]+)\?token=(.+))")));
  const std::string code = m[1].str();
  for (const std::string& path : {"/don-hang/" + code, "/don-hang/" + code + "?token=",
                                  "/don-hang/" + code + "?token=x" + m[2].str().substr(1)}) {
    auto res = v.get(path);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 404) << path;
    EXPECT_EQ(res->body.find("Nguyễn Thị Lan"), std::string::npos);
    EXPECT_EQ(res->body.find("42710009990001"), std::string::npos);
  }
  auto qr = v.get("/api/v1/orders/" + code + "/qr.png?token=wrong");
  ASSERT_TRUE(qr);
  EXPECT_EQ(qr->status, 404);
  auto ok = v.get(location);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_NE(ok->body.find("Nguyễn Thị Lan"), std::string::npos);
}

TEST_F(ShopPages, PaidOrderSaysDaThanhToanAndStopsRefreshing) {
  Visitor v(server());
  ASSERT_TRUE(v.submit("/gio-hang", "/gio-hang/them", add_form(fixture().tea, 1)));
  auto placed = v.submit("/thanh-toan", "/thanh-toan", good_checkout());
  ASSERT_TRUE(placed);
  ASSERT_EQ(placed->status, 303);
  const std::string location = placed->get_header_value("Location");
  auto pending = v.get(location);
  ASSERT_TRUE(pending);
  EXPECT_EQ(pending->body.find("Đã thanh toán"), std::string::npos);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(location, m, std::regex(R"(/don-hang/([A-Z0-9]+))")));
  {
    auto db = server().db().acquire().value();
    core::OrderStore orders(*db, server().clock());
    ASSERT_TRUE(
        orders.mark_paid(m[1].str(), core::Actor::admin(1), "bank_transfer", 0, "").has_value());
  }
  auto paid = v.get(location);
  ASSERT_TRUE(paid);
  EXPECT_EQ(paid->status, 200);
  EXPECT_NE(paid->body.find("Đã thanh toán"), std::string::npos);
  EXPECT_EQ(paid->body.find("http-equiv=\"refresh\""), std::string::npos);
  EXPECT_EQ(paid->body.find("class=\"qr\""), std::string::npos);
}

TEST_F(ShopPages, ExpiredOrderIsExplained) {
  Visitor v(server());
  ASSERT_TRUE(v.submit("/gio-hang", "/gio-hang/them", add_form(fixture().tea, 1)));
  auto placed = v.submit("/thanh-toan", "/thanh-toan", good_checkout());
  ASSERT_TRUE(placed);
  ASSERT_EQ(placed->status, 303);
  {
    auto db = server().db().acquire().value();
    core::ManualClock later(server().clock().now() + 3 * 3600);
    core::OrderStore orders(*db, later);
    ASSERT_GE(orders.expire_due().value(), 1);
  }
  auto page = v.get(placed->get_header_value("Location"));
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("hết hạn thanh toán"), std::string::npos);
  EXPECT_EQ(page->body.find("http-equiv=\"refresh\""), std::string::npos);
}

}  // namespace
}  // namespace chophien::storefront
