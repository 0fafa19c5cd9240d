#include "storefront/http_errors.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

namespace chophien::storefront {
namespace {

TEST(HttpErrors, EveryCodeHasItsStatus) {
  EXPECT_EQ(http_status(ErrorCode::invalid_input), 400);
  EXPECT_EQ(http_status(ErrorCode::unauthenticated), 401);
  EXPECT_EQ(http_status(ErrorCode::forbidden), 403);
  EXPECT_EQ(http_status(ErrorCode::not_found), 404);
  EXPECT_EQ(http_status(ErrorCode::conflict), 409);
  EXPECT_EQ(http_status(ErrorCode::too_large), 413);
  EXPECT_EQ(http_status(ErrorCode::rate_limited), 429);
  EXPECT_EQ(http_status(ErrorCode::unavailable), 503);
  EXPECT_EQ(http_status(ErrorCode::internal), 500);
}

TEST(HttpErrors, JsonBodyHasCodeMessageFieldAndRequestId) {
  httplib::Response res;
  res.set_header(kRequestIdHeader, "r-abc123");
  write_error(res, invalid_input("price_vnd must be a whole number", "price_vnd"));
  EXPECT_EQ(res.status, 400);
  auto body = nlohmann::json::parse(res.body);
  EXPECT_EQ(body["error"]["code"], "invalid_input");
  EXPECT_EQ(body["error"]["field"], "price_vnd");
  EXPECT_EQ(body["error"]["message"], "price_vnd must be a whole number");
  EXPECT_EQ(body["request_id"], "r-abc123");
}

TEST(HttpErrors, FieldIsLeftOutWhenTheErrorNamesNone) {
  httplib::Response res;
  write_error(res, not_found("no such order"));
  EXPECT_EQ(res.status, 404);
  EXPECT_FALSE(nlohmann::json::parse(res.body)["error"].contains("field"));
}

TEST(HttpErrors, RateLimitedSetsRetryAfter) {
  httplib::Response res;
  write_error(res, Error{ErrorCode::rate_limited, "too many attempts", ""}, 60);
  EXPECT_EQ(res.status, 429);
  EXPECT_EQ(res.get_header_value("Retry-After"), "60");
}

TEST(HttpErrors, HtmlPageIsVietnameseAndEscapesTheMessage) {
  httplib::Response res;
  res.set_header(kRequestIdHeader, "r-0a0b0c");
  write_html_error(res, invalid_input("<img src=x onerror=alert(1)>", "name"));
  EXPECT_EQ(res.status, 400);
  EXPECT_NE(res.body.find("lang=\"vi\""), std::string::npos);
  EXPECT_NE(res.body.find("Yêu cầu không hợp lệ"), std::string::npos);
  EXPECT_EQ(res.body.find("<img"), std::string::npos);
  EXPECT_NE(res.body.find("r-0a0b0c"), std::string::npos);
}

TEST(HttpErrors, ApiPathsGetJsonAndPagesGetHtml) {
  httplib::Request api;
  api.path = "/api/v1/products";
  EXPECT_TRUE(wants_json(api));
  httplib::Request page;
  page.path = "/san-pham/1";
  page.set_header("Accept", "text/html,application/xhtml+xml");
  EXPECT_FALSE(wants_json(page));
}

}  // namespace
}  // namespace chophien::storefront
