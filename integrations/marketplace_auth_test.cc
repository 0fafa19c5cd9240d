// The authorization state: random, bound to producer, platform and user, single-use, short-lived.
#include "integrations/marketplace_auth.h"

#include <gtest/gtest.h>

#include "core/clock.h"
#include "core/database.h"
#include "core/test_producer.h"

namespace chophien::integrations {
namespace {

struct MarketplaceAuthStatesTest : ::testing::Test {
  core::ManualClock clock_{1764300000};
  core::Database db_ = core::Database::open_in_memory().value();
  int64_t producer_ = core::testing_support::add_producer(db_, "HTX Mật ong Bảo Lâm", "24");
  MarketplaceAuthStates states_{db_, clock_};
};

TEST_F(MarketplaceAuthStatesTest, AStateIsGoodForOneCallbackOfItsUserAndPlatform) {
  auto state = states_.issue(producer_, Platform::lazada, 7);
  ASSERT_TRUE(state.has_value()) << state.error().message;
  EXPECT_EQ(state->size(), 64u);
  EXPECT_NE(*state, states_.issue(producer_, Platform::lazada, 7).value());

  EXPECT_EQ(states_.consume(*state, Platform::shopee, 7).error().code, ErrorCode::invalid_input);
  EXPECT_EQ(states_.consume(*state, Platform::lazada, 8).error().code, ErrorCode::invalid_input);
  auto producer = states_.consume(*state, Platform::lazada, 7);
  ASSERT_TRUE(producer.has_value()) << producer.error().message;
  EXPECT_EQ(*producer, producer_);
  auto again = states_.consume(*state, Platform::lazada, 7);
  ASSERT_FALSE(again.has_value());
  EXPECT_NE(again.error().message.find("đã được dùng"), std::string::npos);
}

TEST_F(MarketplaceAuthStatesTest, ExpiredUnknownAndMalformedStatesAreRefused) {
  auto state = states_.issue(producer_, Platform::shopee, 7).value();
  clock_.advance(kAuthStateSeconds);
  auto late = states_.consume(state, Platform::shopee, 7);
  ASSERT_FALSE(late.has_value());
  EXPECT_NE(late.error().message.find("quá hạn"), std::string::npos);
  EXPECT_EQ(states_.consume(std::string(64, 'a'), Platform::shopee, 7).error().code,
            ErrorCode::invalid_input);
  EXPECT_EQ(states_.consume("", Platform::shopee, 7).error().code, ErrorCode::invalid_input);
  EXPECT_EQ(states_.consume("zz' OR 1=1 --", Platform::shopee, 7).error().code,
            ErrorCode::invalid_input);
}

}  // namespace
}  // namespace chophien::integrations
