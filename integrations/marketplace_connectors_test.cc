// The three connectors against local fakes that check each request the way the platform
// documents it (integrations/marketplace_fake.h): a wrong signature, a stale timestamp or a
// missing field is refused there, so these tests fail on any such mistake.
#include <gtest/gtest.h>

#include <string>

#include "core/clock.h"
#include "integrations/marketplace.h"
#include "integrations/marketplace_fake.h"

namespace chophien::integrations {
namespace {

using testing_support::FakeMarketplace;
using testing_support::Fault;
using testing_support::sample_listing;

class ConnectorTest : public ::testing::TestWithParam<Platform> {
 protected:
  core::ManualClock clock_{1764300000};
  FakeMarketplace fake_{GetParam(), clock_};
  std::unique_ptr<Connector> connector_ = make_connector(fake_.app(), clock_);

  ShopAccess shop() {
    fake_.grant("acc-live", "ref-live");
    ShopAccess access{"88001", GetParam() == Platform::tiktok ? "ROW_fake" : "", "acc-live",
                      "3001"};
    return access;
  }
};

TEST_P(ConnectorTest, CreatesFindsAndUpdatesAListingWithSignedRequests) {
  ShopAccess access = shop();
  auto created = connector_->create_listing(access, sample_listing("MO-500"));
  ASSERT_TRUE(created.result.has_value()) << created.result.error().message;
  EXPECT_FALSE(created.info.request_id.empty());
  auto item = fake_.item("MO-500");
  ASSERT_TRUE(item.has_value());
  EXPECT_EQ(created.result->item_id, item->item_id);
  EXPECT_EQ(item->price, 185000);
  EXPECT_EQ(item->stock, 40);

  auto found = connector_->find_by_sku(access, "MO-500");
  ASSERT_TRUE(found.result.has_value()) << found.result.error().message;
  ASSERT_TRUE(found.result->has_value());
  EXPECT_EQ((*found.result)->item_id, item->item_id);
  auto missing = connector_->find_by_sku(access, "NOPE-1");
  ASSERT_TRUE(missing.result.has_value());
  EXPECT_FALSE(missing.result->has_value());

  PriceStock update{"MO-500", *created.result, 179000, 12};
  auto updated = connector_->update_price_stock(access, update);
  ASSERT_TRUE(updated.result.has_value()) << updated.result.error().message;
  EXPECT_EQ(fake_.item("MO-500")->price, 179000);
  EXPECT_EQ(fake_.item("MO-500")->stock, 12);
  EXPECT_TRUE(fake_.rejections().empty());
}

TEST_P(ConnectorTest, AWrongSecretIsRefusedByTheFakeAsForbidden) {
  MarketplaceApp app = fake_.app();
  app.secret = "not-the-secret";
  auto wrong = make_connector(app, clock_);
  auto created = wrong->create_listing(shop(), sample_listing("MO-500"));
  ASSERT_FALSE(created.result.has_value());
  EXPECT_EQ(created.result.error().code, ErrorCode::forbidden) << created.result.error().message;
  EXPECT_EQ(fake_.creates(), 0);
  ASSERT_EQ(fake_.rejections().size(), 1u);
}

TEST_P(ConnectorTest, ATimestampOutsideThePlatformWindowIsRefused) {
  core::ManualClock late{1764300000 - 3 * 3600};
  auto stale = make_connector(fake_.app(), late);
  auto created = stale->create_listing(shop(), sample_listing("MO-500"));
  ASSERT_FALSE(created.result.has_value());
  EXPECT_EQ(fake_.creates(), 0);
}

TEST_P(ConnectorTest, ValidationErrorsCarryThePlatformsMessage) {
  fake_.fail_next("", Fault::validation);
  auto created = connector_->create_listing(shop(), sample_listing("MO-500"));
  ASSERT_FALSE(created.result.has_value());
  EXPECT_EQ(created.result.error().code, ErrorCode::invalid_input);
  EXPECT_NE(created.result.error().message.find("Tên sản phẩm chứa từ bị cấm"), std::string::npos)
      << created.result.error().message;
}

TEST_P(ConnectorTest, ThrottlingAndServerErrorsAreRetryableWithRetryAfter) {
  fake_.fail_next("", Fault::throttle, 1, 42);
  auto throttled = connector_->create_listing(shop(), sample_listing("MO-500"));
  ASSERT_FALSE(throttled.result.has_value());
  EXPECT_EQ(throttled.result.error().code, ErrorCode::rate_limited);
  EXPECT_EQ(throttled.info.retry_after, 42);
  fake_.fail_next("", Fault::server_error);
  auto down = connector_->create_listing(shop(), sample_listing("MO-500"));
  ASSERT_FALSE(down.result.has_value());
  EXPECT_EQ(down.result.error().code, ErrorCode::unavailable);
  EXPECT_FALSE(down.info.maybe_sent);
}

TEST_P(ConnectorTest, NoAnswerAfterTheCreateWasAppliedIsMaybeSent) {
  fake_.fail_next("", Fault::accept_then_hang);
  auto created = connector_->create_listing(shop(), sample_listing("MO-500"));
  ASSERT_FALSE(created.result.has_value());
  EXPECT_EQ(created.result.error().code, ErrorCode::unavailable);
  EXPECT_TRUE(created.info.maybe_sent);
  EXPECT_EQ(fake_.creates(), 1);
}

TEST_P(ConnectorTest, AnExpiredAccessTokenIsUnauthenticated) {
  fake_.fail_next("", Fault::expired_token);
  auto created = connector_->create_listing(shop(), sample_listing("MO-500"));
  ASSERT_FALSE(created.result.has_value());
  EXPECT_EQ(created.result.error().code, ErrorCode::unauthenticated)
      << created.result.error().message;
}

TEST_P(ConnectorTest, ExchangesACodeAndRefreshesWithARotatedRefreshToken) {
  fake_.grant("", "");
  auto grant = connector_->exchange_code("good-code", "88001");
  ASSERT_TRUE(grant.result.has_value()) << grant.result.error().message;
  EXPECT_FALSE(grant.result->access_token.empty());
  EXPECT_EQ(grant.result->refresh_token, fake_.refresh_token());
  EXPECT_GT(grant.result->access_expires_at, clock_.now());
  EXPECT_FALSE(grant.result->shop_id.empty());
  if (GetParam() == Platform::tiktok) {
    EXPECT_EQ(grant.result->shop_cipher, "ROW_fake");
  }

  auto refreshed = connector_->refresh(*grant.result);
  ASSERT_TRUE(refreshed.result.has_value()) << refreshed.result.error().message;
  EXPECT_NE(refreshed.result->refresh_token, grant.result->refresh_token);
  // The old refresh token is dead now.
  auto again = connector_->refresh(*grant.result);
  ASSERT_FALSE(again.result.has_value());
  EXPECT_EQ(again.result.error().code, ErrorCode::unauthenticated) << again.result.error().message;

  auto bad_code = connector_->exchange_code("stale-code", "88001");
  ASSERT_FALSE(bad_code.result.has_value());
}

TEST_P(ConnectorTest, DryRunRejectsFieldLimitsWithoutSending) {
  Listing listing = sample_listing("MO-500");
  listing.name = "Mật ong";  // too short for Shopee and TikTok, fine for Lazada
  listing.image_refs.clear();
  auto request = connector_->prepare_create(shop(), listing);
  ASSERT_FALSE(request.has_value());
  EXPECT_EQ(request.error().code, ErrorCode::invalid_input);
  EXPECT_FALSE(request.error().field.empty());
  auto good = connector_->prepare_create(shop(), sample_listing("MO-500"));
  ASSERT_TRUE(good.has_value()) << good.error().message;
  EXPECT_FALSE(good->signature.empty());
  EXPECT_FALSE(good->base_string.empty());
  EXPECT_EQ(fake_.creates(), 0);
}

TEST_P(ConnectorTest, AuthorizationUrlPointsAtTheConsentPage) {
  std::string url = connector_->authorization_url("https://cho.example/ket-noi", "st-1");
  EXPECT_TRUE(url.starts_with(fake_.app().authorize_base)) << url;
  EXPECT_NE(url.find("st-1"), std::string::npos) << url;
}

INSTANTIATE_TEST_SUITE_P(Platforms, ConnectorTest,
                         ::testing::Values(Platform::shopee, Platform::lazada, Platform::tiktok),
                         [](const auto& p) { return std::string(platform_name(p.param)); });

TEST(ShopeeConnector, SignsShopCallsWithTokenAndShopIdInTheQuery) {
  core::ManualClock clock{1720000000};
  MarketplaceApp app = default_app(Platform::shopee);
  app.key = "2000001";
  app.secret = "demo-partner-key";
  auto connector = make_connector(app, clock);
  ShopAccess access{"123456", "", "demoAccessToken", "3001"};
  auto requests = connector->prepare_update(access, PriceStock{"S", ItemRef{"100", ""}, {}, 5});
  ASSERT_TRUE(requests.has_value()) << requests.error().message;
  ASSERT_EQ(requests->size(), 1u);
  const PreparedRequest& r = requests->front();
  EXPECT_EQ(r.path, "/api/v2/product/update_stock");
  // integrations.md's worked example, end to end through the connector.
  EXPECT_EQ(r.signature, "f48a303e53a5e522ba3609b6126d13f11fb78f6c72dd2df0d7c86d0403b99e9a");
  EXPECT_EQ(r.body,
            R"({"item_id":100,"stock_list":[{"model_id":0,"seller_stock":[{"stock":5}]}]})");
  EXPECT_NE(r.target().find("sign=f48a303e"), std::string::npos);
}

// Ids a producer types (category, logistics channel) or a platform sends back (item id) that do
// not fit Shopee's 64-bit integers are refused as values, never thrown on.
TEST(ShopeeConnector, IdsTooLongForAnIntegerAreRefusedNotThrown) {
  core::ManualClock clock{1720000000};
  MarketplaceApp app = default_app(Platform::shopee);
  app.key = "2000001";
  app.secret = "demo-partner-key";
  auto connector = make_connector(app, clock);
  const std::string huge = "99999999999999999999";  // 20 digits
  Listing listing = sample_listing("MO-500");
  listing.category_id = huge;
  auto create = connector->prepare_create(ShopAccess{"123456", "", "t", "3001"}, listing);
  ASSERT_FALSE(create.has_value());
  EXPECT_EQ(create.error().code, ErrorCode::invalid_input);
  auto no_channel =
      connector->prepare_create(ShopAccess{"123456", "", "t", huge}, sample_listing("MO-500"));
  ASSERT_FALSE(no_channel.has_value());
  EXPECT_EQ(no_channel.error().code, ErrorCode::invalid_input);
  auto update = connector->prepare_update(ShopAccess{"123456", "", "t", "3001"},
                                          PriceStock{"S", ItemRef{huge, ""}, {}, 5});
  ASSERT_FALSE(update.has_value());
  EXPECT_EQ(update.error().code, ErrorCode::invalid_input);
  auto exchange = connector->exchange_code("code", huge);
  ASSERT_FALSE(exchange.result.has_value());
  EXPECT_EQ(exchange.result.error().code, ErrorCode::invalid_input);
}

TEST(TiktokConnector, ReproducesTheWorkedExampleThroughTheConnector) {
  core::ManualClock clock{1720000000};
  MarketplaceApp app = default_app(Platform::tiktok);
  app.key = "demoapp";
  app.secret = "demo-secret";
  auto connector = make_connector(app, clock);
  ShopAccess access{"1", "DEMO_CIPHER", "tok", "300"};
  auto requests = connector->prepare_update(access, PriceStock{"S", ItemRef{"100", "200"}, {}, 5});
  ASSERT_TRUE(requests.has_value()) << requests.error().message;
  const PreparedRequest& r = requests->front();
  EXPECT_EQ(r.body, R"({"skus":[{"id":"200","inventory":[{"quantity":5,"warehouse_id":"300"}]}]})");
  // nlohmann::json sorts keys, so the body differs from the doc's key order; the signature
  // covers exactly the bytes sent.
  EXPECT_TRUE(
      r.base_string.starts_with("demo-secret/product/202309/products/100/inventory/"
                                "updateapp_keydemoappshop_cipherDEMO_CIPHERtimestamp1720000000{"))
      << r.base_string;
  EXPECT_TRUE(r.base_string.ends_with("}demo-secret"));
}

TEST(LazadaConnector, ReproducesTheWorkedExampleThroughTheConnector) {
  core::ManualClock clock{1720000000};
  MarketplaceApp app = default_app(Platform::lazada);
  app.key = "100001";
  app.secret = "demo-app-secret";
  auto connector = make_connector(app, clock);
  ShopAccess access{"1", "", "demoToken", ""};
  auto requests = connector->prepare_update(access, PriceStock{"SKU-1", {}, {}, 5});
  ASSERT_TRUE(requests.has_value()) << requests.error().message;
  EXPECT_EQ(requests->front().signature,
            "5CA7BD9AE36B61EBA8813CAD57363B0ECE0626270DA746BC8CBB2C0D7C753671");
}

}  // namespace
}  // namespace chophien::integrations
