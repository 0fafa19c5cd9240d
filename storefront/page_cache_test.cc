#include "storefront/page_cache.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <string>

#include "core/clock.h"
#include "core/demo.h"
#include "core/text.h"
#include "storefront/test_gzip.h"
#include "storefront/test_server.h"

namespace chophien::storefront {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const PageCache::TimePoint t0{seconds(1000)};

std::string form_page(const PageCache& cache) {
  return "<form><input name=\"csrf_token\" value=\"" + cache.token_placeholder() + "\"></form>";
}

TEST(PageCache, ServesWhatWasStoredUnderTheSameGeneration) {
  PageCache cache;
  cache.store("/san-pham/1", 7, "<p>Miến dong</p>", t0);
  auto page = cache.find("/san-pham/1", 7, t0 + milliseconds(100));
  ASSERT_NE(page, nullptr);
  EXPECT_EQ(page->with_token(""), "<p>Miến dong</p>");
  EXPECT_EQ(cache.find("/san-pham/2", 7, t0), nullptr);
  EXPECT_EQ(cache.stats().hits, 1u);
  EXPECT_EQ(cache.stats().misses, 1u);
}

TEST(PageCache, MissesOnceTheGenerationHasMoved) {
  PageCache cache;
  cache.store("/", 7, "<p>old</p>", t0);
  EXPECT_EQ(cache.find("/", 8, t0), nullptr);
  // The stale entry is gone, also for its old generation.
  EXPECT_EQ(cache.find("/", 7, t0), nullptr);
  EXPECT_EQ(cache.stats().entries, 0u);
}

TEST(PageCache, MissesOnceTheMaximumAgeHasPassed) {
  PageCache cache(PageCache::Options{1 << 20, milliseconds(2000)});
  cache.store("/", 1, "<p>x</p>", t0);
  EXPECT_NE(cache.find("/", 1, t0 + milliseconds(1999)), nullptr);
  EXPECT_EQ(cache.find("/", 1, t0 + milliseconds(2000)), nullptr);
}

TEST(PageCache, KeysWithDifferentQueriesAreDifferentPages) {
  PageCache cache;
  cache.store("/?q=mien", 1, "<p>mien</p>", t0);
  cache.store("/?q=mat+ong", 1, "<p>mat ong</p>", t0);
  EXPECT_EQ(cache.find("/?q=mien", 1, t0)->with_token(""), "<p>mien</p>");
  EXPECT_EQ(cache.find("/?q=mat+ong", 1, t0)->with_token(""), "<p>mat ong</p>");
}

TEST(PageCache, WritesEachVisitorsTokenIntoTheForm) {
  PageCache cache;
  const std::string html = form_page(cache) + form_page(cache);
  auto page = cache.store("/san-pham/1", 1, html, t0);
  ASSERT_EQ(page->token_at.size(), 2u);
  const std::string a(32, 'a');
  const std::string b(32, 'b');
  const std::string for_a = cache.find("/san-pham/1", 1, t0)->with_token(a);
  EXPECT_EQ(for_a, "<form><input name=\"csrf_token\" value=\"" + a +
                       "\"></form><form><input name=\"csrf_token\" value=\"" + a + "\"></form>");
  EXPECT_EQ(for_a.find(cache.token_placeholder()), std::string::npos);
  EXPECT_NE(cache.find("/san-pham/1", 1, t0)->with_token(b).find(b), std::string::npos);
}

TEST(PageCache, EtagDependsOnThePageAndOnTheTokenOfAForm) {
  PageCache cache;
  auto plain = cache.store("/", 1, "<p>a</p>", t0);
  auto other = cache.store("/x", 1, "<p>b</p>", t0);
  EXPECT_NE(plain->etag, other->etag);
  EXPECT_EQ(plain->etag_for(std::string(32, 'a')), plain->etag);
  auto form = cache.store("/san-pham/1", 1, form_page(cache), t0);
  EXPECT_NE(form->etag_for(std::string(32, 'a')), form->etag_for(std::string(32, 'b')));
  EXPECT_EQ(form->etag_for(std::string(32, 'a')), form->etag_for(std::string(32, 'a')));
  EXPECT_EQ(plain->etag.front(), '"');
  EXPECT_EQ(plain->etag.back(), '"');
}

TEST(PageCache, EvictsTheLeastRecentlyUsedPageToStayWithinItsBudget) {
  PageCache cache(PageCache::Options{4096, seconds(5)});
  const std::string body(700, 'x');
  cache.store("/1", 1, body, t0);
  cache.store("/2", 1, body, t0);
  cache.store("/3", 1, body, t0);
  cache.store("/4", 1, body, t0);
  ASSERT_NE(cache.find("/1", 1, t0), nullptr);  // now the most recently used
  cache.store("/5", 1, body, t0);               // 5 x (700 + overhead) exceeds 4096
  const auto stats = cache.stats();
  EXPECT_LE(stats.bytes, 4096u);
  EXPECT_GE(stats.evictions, 1u);
  EXPECT_NE(cache.find("/1", 1, t0), nullptr);
  EXPECT_NE(cache.find("/5", 1, t0), nullptr);
  EXPECT_EQ(cache.find("/2", 1, t0), nullptr);
}

TEST(PageCache, DoesNotKeepAPageLargerThanAQuarterOfTheBudget) {
  PageCache cache(PageCache::Options{4096, seconds(5)});
  auto page = cache.store("/big", 1, std::string(2000, 'x'), t0);
  ASSERT_NE(page, nullptr);
  EXPECT_EQ(page->html.size(), 2000u);
  EXPECT_EQ(cache.find("/big", 1, t0), nullptr);
  EXPECT_EQ(cache.stats().bytes, 0u);
}

TEST(PageCache, StoringAgainReplacesThePage) {
  PageCache cache;
  cache.store("/", 1, "<p>one</p>", t0);
  cache.store("/", 2, "<p>two</p>", t0);
  EXPECT_EQ(cache.stats().entries, 1u);
  EXPECT_EQ(cache.find("/", 2, t0)->with_token(""), "<p>two</p>");
  cache.clear();
  EXPECT_EQ(cache.find("/", 2, t0), nullptr);
}

TEST(PageCache, KeepsAGzipFormThatTakesEachVisitorsToken) {
  PageCache cache;
  std::string html;
  for (int i = 0; i < 200; ++i) html += "<p>Miến dong Bảo Lâm, gói " + std::to_string(i) + "</p>";
  const std::string page =
      cache.token_placeholder() + html + form_page(cache) + html + form_page(cache) + "<p>cuối</p>";
  auto stored = cache.store("/san-pham/1", 1, page, t0, "/san-pham/(\\d+)", true);
  ASSERT_EQ(stored->token_at.size(), 3u);
  ASSERT_EQ(stored->gzip_token_at.size(), 3u);
  EXPECT_LT(stored->gzip.size(), stored->html.size() / 4);
  for (const std::string& token :
       {std::string(32, 'a'), std::string("0123456789abcdef0123456789abcdef")}) {
    EXPECT_EQ(gunzip(stored->with_token_gzip(token)), stored->with_token(token));
  }
  // A page without a form, and an empty one.
  EXPECT_EQ(gunzip(cache.store("/", 1, html, t0)->with_token_gzip("")), html);
  EXPECT_EQ(gunzip(cache.store("/x", 1, "", t0)->with_token_gzip("")), "");
  // What the page keeps besides: the route and whether it has a form.
  EXPECT_EQ(stored->route, "/san-pham/(\\d+)");
  EXPECT_TRUE(stored->form);
}

// The cache inside the real server: the shop's public pages over HTTP.
struct PageCacheOverHttp : ::testing::Test {
  TestServer server_{TestServer::quiet_config(), [](core::Database& db) {
                       core::ManualClock clock;
                       core::load_demo(db, clock).value();
                     }};

  int64_t product() {
    auto db = server_.db().acquire().value();
    auto st = db->prepare(
                    "SELECT id FROM products WHERE status = 'active' AND stock > 0 ORDER BY id "
                    "LIMIT 1")
                  .value();
    EXPECT_TRUE(st.step().value());
    return st.column_int(0);
  }
  int64_t served(const char* result) {
    const std::string line =
        "chophien_page_cache_requests_total{result=\"" + std::string(result) + "\"} ";
    const std::string text = server_.server().metrics().render();
    const size_t at = text.find(line);
    return at == std::string::npos ? 0 : std::stoll(text.substr(at + line.size()));
  }
  static httplib::Headers with_token(const std::string& token) {
    return {{"Cookie", "form_token=" + token}};
  }
};

TEST_F(PageCacheOverHttp, AProductPageIsRenderedOnceThenServedFromTheCache) {
  auto client = server_.client();
  const std::string path = "/san-pham/" + std::to_string(product());
  const std::string token(32, 'a');
  auto first = client.Get(path.c_str(), with_token(token));
  auto second = client.Get(path.c_str(), with_token(token));
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(second->status, 200);
  EXPECT_EQ(second->body, first->body);
  EXPECT_EQ(served("miss"), 1);
  EXPECT_EQ(served("hit"), 1);
}

TEST_F(PageCacheOverHttp, ACommitShowsOnTheNextRequest) {
  auto client = server_.client();
  const int64_t id = product();
  const std::string path = "/san-pham/" + std::to_string(id);
  ASSERT_TRUE(client.Get(path.c_str()));
  {
    auto db = server_.db().acquire().value();
    auto st = db->prepare("UPDATE products SET price_vnd = 777000 WHERE id = ?1").value();
    ASSERT_TRUE(st.bind(1, id).run().has_value());
  }
  auto after = client.Get(path.c_str());
  ASSERT_TRUE(after);
  EXPECT_NE(after->body.find(core::format_vnd(777000)), std::string::npos);
  EXPECT_EQ(served("hit"), 0);
}

TEST_F(PageCacheOverHttp, EachVisitorGetsTheirOwnFormToken) {
  auto client = server_.client();
  const std::string path = "/san-pham/" + std::to_string(product());
  const std::string a(32, 'a');
  const std::string b(32, 'b');
  auto for_a = client.Get(path.c_str(), with_token(a));
  auto for_b = client.Get(path.c_str(), with_token(b));
  auto newcomer = client.Get(path.c_str());
  ASSERT_TRUE(for_a && for_b && newcomer);
  EXPECT_NE(for_a->body.find("value=\"" + a + "\""), std::string::npos);
  EXPECT_NE(for_b->body.find("value=\"" + b + "\""), std::string::npos);
  EXPECT_EQ(for_b->body.find(a), std::string::npos);
  // A visitor without a token gets a new one, in the cookie and in the form alike.
  const std::string cookie = newcomer->get_header_value("Set-Cookie");
  ASSERT_TRUE(cookie.starts_with("form_token=")) << cookie;
  const std::string fresh = cookie.substr(11, 32);
  EXPECT_NE(newcomer->body.find("value=\"" + fresh + "\""), std::string::npos);
  EXPECT_EQ(served("hit"), 2);
}

TEST_F(PageCacheOverHttp, AnswersNotModifiedToTheSameEtag) {
  auto client = server_.client();
  const std::string path = "/san-pham/" + std::to_string(product());
  const std::string token(32, 'c');
  auto first = client.Get(path.c_str(), with_token(token));
  ASSERT_TRUE(first);
  const std::string etag = first->get_header_value("ETag");
  ASSERT_FALSE(etag.empty());
  httplib::Headers headers = with_token(token);
  headers.emplace("If-None-Match", etag);
  auto again = client.Get(path.c_str(), headers);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 304);
  EXPECT_TRUE(again->body.empty());
  // Another visitor's page is not the same representation.
  httplib::Headers other = with_token(std::string(32, 'd'));
  other.emplace("If-None-Match", etag);
  auto theirs = client.Get(path.c_str(), other);
  ASSERT_TRUE(theirs);
  EXPECT_EQ(theirs->status, 200);
}

TEST_F(PageCacheOverHttp, HomePageQueriesAreCachedApart) {
  auto client = server_.client();
  auto all = client.Get("/");
  auto honey = client.Get("/?q=mat+ong");
  auto all_again = client.Get("/");
  ASSERT_TRUE(all && honey && all_again);
  EXPECT_NE(all->body, honey->body);
  EXPECT_EQ(all_again->body, all->body);
  EXPECT_EQ(served("hit"), 1);
}

}  // namespace
}  // namespace chophien::storefront
