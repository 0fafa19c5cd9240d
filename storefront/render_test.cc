#include "storefront/render.h"

#include <gtest/gtest.h>

namespace chophien::storefront {
namespace {

TEST(Renderer, EveryEmbeddedTemplateCompiles) {
  auto renderer = Renderer::create();
  ASSERT_TRUE(renderer.has_value()) << renderer.error().message;
  EXPECT_TRUE((*renderer)->has_template("layout"));
}

TEST(Renderer, PageWrapsTheContentInTheLayoutWithOpenGraphTags) {
  auto renderer = Renderer::create().value();
  mustache::data data(mustache::data::type::object);
  data.set("name", "<b>x</b>");
  PageInfo info;
  info.title = "Miến dong";
  info.description = "Miến dong Bảo Lâm";
  info.url = "https://cho.example.vn/san-pham/1";
  info.image = "https://cho.example.vn/anh/1.jpg";
  info.csrf_token = "tok\"en";
  auto html = renderer->page("csrf_field", data, info);
  ASSERT_TRUE(html.has_value()) << html.error().message;
  EXPECT_NE(html->find("<html lang=\"vi\">"), std::string::npos);
  EXPECT_NE(html->find("<title>Miến dong · Chợ phiên số Bảo Lâm</title>"), std::string::npos);
  EXPECT_NE(html->find("<meta property=\"og:image\" content=\"https://cho.example.vn/anh/1.jpg\">"),
            std::string::npos);
  EXPECT_NE(html->find("<meta property=\"og:url\""), std::string::npos);
  EXPECT_NE(html->find(renderer->asset_url("style.css")), std::string::npos);
  // The CSRF field is escaped like any other value.
  EXPECT_NE(html->find("value=\"tok&quot;en\""), std::string::npos) << *html;
}

TEST(Renderer, PageFieldsWinOverTemplateNamesAndTheMetaDescription) {
  auto renderer = Renderer::create().value();
  ASSERT_TRUE(renderer->has_template("producer"));  // a page template of that name exists
  mustache::data data(mustache::data::type::object);
  data.set("name", "Miến dong Bảo Lâm");
  data.set("producer", "HTX Nông sản Bảo Lâm");
  data.set("description", "Sợi miến dai, trong.");
  PageInfo info;
  info.title = "Miến dong Bảo Lâm";
  info.description = "Miến dong Bảo Lâm · 60.000 ₫";
  auto html = renderer->page("product", data, info);
  ASSERT_TRUE(html.has_value()) << html.error().message;
  EXPECT_NE(html->find(">HTX Nông sản Bảo Lâm</a>"), std::string::npos) << *html;
  EXPECT_NE(html->find("<p class=\"desc\">Sợi miến dai, trong.</p>"), std::string::npos) << *html;
  EXPECT_NE(html->find("<meta name=\"description\" content=\"Miến dong Bảo Lâm · 60.000 ₫\">"),
            std::string::npos);
}

TEST(Renderer, ValuesAreHtmlEscaped) {
  auto renderer = Renderer::create().value();
  mustache::data data(mustache::data::type::object);
  PageInfo info;
  info.title = "<script>alert(1)</script>";
  auto html = renderer->page("csrf_field", data, info);
  ASSERT_TRUE(html.has_value());
  EXPECT_EQ(html->find("<script>"), std::string::npos);
  EXPECT_NE(html->find("&lt;script&gt;"), std::string::npos);
}

TEST(Renderer, UnknownTemplateIsNotFound) {
  auto renderer = Renderer::create().value();
  auto out = renderer->render("no_such_template", mustache::data(mustache::data::type::object));
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error().code, ErrorCode::not_found);
}

}  // namespace
}  // namespace chophien::storefront
