// The double-submit form token: fresh random tokens, the cookie attributes, and the check.
#include "storefront/form_token.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <set>

namespace chophien::storefront {
namespace {

httplib::Request request_with(const std::string& cookie, const std::string& field) {
  httplib::Request req;
  if (!cookie.empty()) req.headers.emplace("Cookie", cookie);
  if (!field.empty()) req.params.emplace(kFormTokenField, field);
  return req;
}

TEST(FormToken, TokensAre32HexDigitsAndDoNotRepeat) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string token = new_form_token();
    EXPECT_EQ(token.size(), 32u);
    EXPECT_EQ(token.find_first_not_of("0123456789abcdef"), std::string::npos);
    seen.insert(token);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(FormToken, APageWithoutCookieSetsAnHttpOnlyLaxCookie) {
  httplib::Request req;
  httplib::Response res;
  const std::string token = form_token_for(req, res, /*tls=*/true);
  const std::string cookie = res.get_header_value("Set-Cookie");
  EXPECT_NE(cookie.find("form_token=" + token), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Lax"), std::string::npos);
  EXPECT_NE(cookie.find("Secure"), std::string::npos);
}

TEST(FormToken, AWellFormedCookieIsReusedAndAMalformedOneReplaced) {
  const std::string token = new_form_token();
  auto req = request_with("a=1; form_token=" + token + "; b=2", "");
  httplib::Response res;
  EXPECT_EQ(form_token_for(req, res, false), token);
  EXPECT_FALSE(res.has_header("Set-Cookie"));

  auto bad = request_with("form_token=<script>", "");
  httplib::Response res2;
  EXPECT_NE(form_token_for(bad, res2, false), "<script>");
  EXPECT_TRUE(res2.has_header("Set-Cookie"));
}

TEST(FormToken, CheckNeedsTheCookieAndTheSameFieldValue) {
  const std::string token = new_form_token();
  EXPECT_TRUE(form_token_ok(request_with("form_token=" + token, token)));
  EXPECT_FALSE(form_token_ok(request_with("form_token=" + token, "")));
  EXPECT_FALSE(form_token_ok(request_with("", token)));
  EXPECT_FALSE(form_token_ok(request_with("form_token=" + token, new_form_token())));
  EXPECT_FALSE(form_token_ok(request_with("form_token=abc", "abc")));
}

}  // namespace
}  // namespace chophien::storefront
