// GET /quan-ly/so-lieu over real HTTP: sign-in redirect, officers only, the figures of a hand-made
// ledger in the table and the per-commune SVG charts, definitions every figure links to, and the
// download links.
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>

#include "storefront/auth.h"
#include "storefront/figures_fixture.h"
#include "storefront/test_server.h"

namespace chophien::storefront {
namespace {

using fixtures::at;
using fixtures::kFigurePassword;
using nlohmann::json;

constexpr const char* kQuarter =
    "/quan-ly/so-lieu?from=2026-01-01&to=2026-03-31&area=04&by=commune&basis=as_dated";

constexpr const char* kDefinitions = "/quan-ly/so-lieu/dinh-nghia";

class Dashboard : public ::testing::Test {
 protected:
  void SetUp() override {
    ApiOptions options;
    options.users.scrypt.n = 1024;
    set_api_options(options);
    server_ = std::make_unique<TestServer>(TestServer::quiet_config(), fixtures::prepare_figures);
    server_->clock().set(at(2026, 5, 1));
  }

  // The session cookie of `login`, as a browser would send it.
  httplib::Headers cookie(const std::string& login) {
    httplib::Client client = server_->client();
    auto res = client.Post("/api/v1/auth/login",
                           json{{"login", login}, {"password", kFigurePassword}}.dump(),
                           "application/json");
    EXPECT_TRUE(res && res->status == 200);
    if (!res) return {};
    return {{"Cookie", std::string(kSessionCookie) + "=" +
                           json::parse(res->body, nullptr, false).value("token", "")}};
  }

  httplib::Result get(const std::string& path, const httplib::Headers& headers = {}) {
    httplib::Client client = server_->client();
    return client.Get(path, headers);
  }

  std::unique_ptr<TestServer> server_;
};

size_t count(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

TEST_F(Dashboard, WithoutSessionRedirectsToSignIn) {
  auto res = get(kQuarter);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 303);
  const std::string location = res->get_header_value("Location");
  // httplib's client decodes the Location header (sent percent-encoded) before we see it.
  EXPECT_EQ(location.rfind("/dang-nhap?next=/quan-ly/so-lieu?", 0), 0u) << location;
  EXPECT_NE(location.find("from=2026-01-01"), std::string::npos) << location;
}

TEST_F(Dashboard, ProducerIsForbidden) {
  auto res = get(kQuarter, cookie("nsp1"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
  EXPECT_EQ(res->body.find("<svg"), std::string::npos);
}

TEST_F(Dashboard, OfficerSeesTheTableChartsAndDownloads) {
  auto res = get(kQuarter, cookie("canbo"));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/html; charset=utf-8");
  const std::string& page = res->body;
  // The province's total revenue (200,000 - 50,000 + 100,000 + 30,000), partly hand-entered.
  EXPECT_NE(page.find("<a href=\"/quan-ly/so-lieu/dinh-nghia#dn-revenue_vnd\">Tổng doanh thu "
                      "ghi nhận</a></th>\n<td>280.000\xC2\xA0₫</td><td></td><td>280.000\xC2\xA0₫"
                      "</td>\n<td><strong>tự khai</strong></td>"),
            std::string::npos)
      << page;
  // Cashless sales: 2 of 3, and one producer of two on a marketplace.
  EXPECT_NE(page.find("<td>2</td><td>3</td><td>66,7\xC2\xA0%</td>"), std::string::npos);
  EXPECT_NE(page.find("<td>1</td><td>2</td><td>50,0\xC2\xA0%</td>"), std::string::npos);
  // One chart per main indicator, one bar label per commune of Cao Bằng's Bảo Lâm (6).
  EXPECT_EQ(count(page, "<svg "), 10u);
  EXPECT_EQ(count(page, "</svg>"), 10u);
  // The names are written once, in the first chart; the others show them with <use>.
  EXPECT_EQ(count(page, ">Xã Lý Bôn</tspan>"), 1u);
  EXPECT_EQ(count(page, "<use href=\"#bd-names\"/>"), 9u);
  EXPECT_EQ(count(page, "<text class=\"l\" id=\"bd-names\"><tspan "), 1u);
  // Revenue bars: Bảo Lâm 250,000 is the longest (290 px), Lý Bôn's 30,000 in proportion.
  const auto chart = page.find("id=\"bd-revenue_vnd\"");
  ASSERT_NE(chart, std::string::npos);
  const std::string revenue = page.substr(chart, page.find("</figure>", chart) - chart);
  EXPECT_NE(revenue.find("h290v18H0z"), std::string::npos) << revenue;
  EXPECT_NE(revenue.find("h35v18H0z"), std::string::npos) << revenue;
  EXPECT_NE(revenue.find("<tspan x=\"296\" y=\"23\">250.000\xC2\xA0₫</tspan>"), std::string::npos)
      << revenue;
  // A commune without producers has no rate: a dash, no bar.
  const auto rate = page.find("id=\"bd-ecom_producer_rate\"");
  ASSERT_NE(rate, std::string::npos);
  const std::string ecom = page.substr(rate, page.find("</figure>", rate) - rate);
  EXPECT_EQ(count(ecom, "v18H0z"), 1u) << ecom;
  EXPECT_EQ(count(ecom, ">—</tspan>"), 4u) << ecom;
  // Downloads through the API, with the same parameters.
  for (const char* format : {"csv", "xlsx", "json"}) {
    EXPECT_NE(
        page.find("href=\"/api/v1/indicators?from=2026-01-01&amp;to=2026-03-31&amp;area=04&amp;"
                  "basis=as_dated&amp;by=commune&amp;format=" +
                  std::string(format) + "\""),
        std::string::npos)
        << format;
  }
}

TEST_F(Dashboard, EveryFigureLinksToItsDefinitionOnTheDefinitionsPage) {
  const auto headers = cookie("admin");
  auto res = get(kQuarter, headers);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  auto defs = get(kDefinitions, headers);
  ASSERT_TRUE(defs);
  ASSERT_EQ(defs->status, 200);
  std::set<std::string> links, anchors;
  const std::regex link("href=\"/quan-ly/so-lieu/dinh-nghia#(dn-[a-z0-9_.]+)\"");
  const std::regex anchor("id=\"(dn-[a-z0-9_.]+)\"");
  for (std::sregex_iterator it(res->body.begin(), res->body.end(), link), end; it != end; ++it)
    links.insert((*it)[1]);
  for (std::sregex_iterator it(defs->body.begin(), defs->body.end(), anchor), end; it != end; ++it)
    anchors.insert((*it)[1]);
  EXPECT_GT(links.size(), 30u);
  for (const auto& l : links) EXPECT_TRUE(anchors.count(l)) << l;
  // The definitions are on their page, in the workspace frame, not on the dashboard.
  EXPECT_EQ(res->body.find("<dl class=\"definitions\">"), std::string::npos);
  EXPECT_NE(defs->body.find("<nav aria-label=\"Khu quản lý\""), std::string::npos);
  EXPECT_NE(res->body.find("<nav aria-label=\"Khu quản lý\""), std::string::npos);
  // Producers may not read it either; without a session: sign in first.
  EXPECT_EQ(get(kDefinitions, cookie("nsp1"))->status, 403);
  EXPECT_EQ(get(kDefinitions)->status, 303);
}

// Issue #5: every workspace page with its stylesheet under 30 KB, here for the 6 communes of
// today's Bảo Lâm and for the 13 units of the former district before the 2025 reform.
TEST_F(Dashboard, PagesWithTheirStylesheetStayUnder30KB) {
  const auto headers = cookie("canbo");
  auto six = get(kQuarter, headers);
  ASSERT_TRUE(six);
  ASSERT_EQ(six->status, 200);
  std::smatch m;
  ASSERT_TRUE(
      std::regex_search(six->body, m, std::regex(R"re(href="(/static/style\.[0-9a-f]+\.css)")re")));
  auto css = get(m[1].str());
  ASSERT_TRUE(css);
  ASSERT_EQ(css->status, 200);
  EXPECT_EQ(count(six->body, "</tspan>"), 6u * 11);
  EXPECT_LT(six->body.size() + css->body.size(), 30u * 1024) << six->body.size();
  auto thirteen = get(
      "/quan-ly/so-lieu?from=2025-01-01&to=2025-06-30&area=042&by=commune&basis=as_dated", headers);
  ASSERT_TRUE(thirteen);
  ASSERT_EQ(thirteen->status, 200) << thirteen->body;
  EXPECT_EQ(count(thirteen->body, "</tspan>"), 13u * 11);
  EXPECT_LT(thirteen->body.size() + css->body.size(), 30u * 1024) << thirteen->body.size();
  auto defs = get(kDefinitions, headers);
  ASSERT_TRUE(defs);
  EXPECT_LT(defs->body.size() + css->body.size(), 30u * 1024) << defs->body.size();
}

TEST_F(Dashboard, BadDatesShowTheFormWithTheMessage) {
  auto res = get("/quan-ly/so-lieu?from=2026-02-30&to=2026-03-31&area=04", cookie("canbo"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_NE(res->body.find("Ngày bắt đầu phải có dạng YYYY-MM-DD"), std::string::npos);
  EXPECT_NE(res->body.find("<form method=\"get\" action=\"/quan-ly/so-lieu\""), std::string::npos);
  EXPECT_EQ(res->body.find("<svg"), std::string::npos);
  auto unknown = get("/quan-ly/so-lieu?from=2026-01-01&to=2026-03-31&area=99", cookie("canbo"));
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 400);
  EXPECT_NE(unknown->body.find("không có địa bàn mã 99"), std::string::npos);
}

TEST_F(Dashboard, DefaultsToThisYearInCaoBangByCommune) {
  auto res = get("/quan-ly/so-lieu", cookie("canbo"));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  EXPECT_NE(res->body.find("value=\"2026-01-01\""), std::string::npos);
  EXPECT_NE(res->body.find("value=\"2026-05-01\""), std::string::npos);
  EXPECT_NE(res->body.find("<option value=\"04\" selected>"), std::string::npos);
  EXPECT_EQ(count(res->body, "<svg "), 10u);
}

}  // namespace
}  // namespace chophien::storefront
