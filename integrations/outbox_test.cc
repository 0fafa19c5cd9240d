// The outbox against local fake platforms (integrations/marketplace_fake.h), on real SQLite with
// the real migrations: every listing ends live exactly once, or failed with the platform's
// message, through throttling, server errors, timeouts after accepting, expired tokens and a
// process killed mid-send.
#include "integrations/outbox.h"

#include <gtest/gtest.h>

#include <string>

#include "core/clock.h"
#include "core/database.h"
#include "core/test_producer.h"
#include "integrations/marketplace.h"
#include "integrations/marketplace_fake.h"
#include "integrations/secret_box.h"

namespace chophien::integrations {
namespace {

using testing_support::FakeMarketplace;
using testing_support::Fault;
using testing_support::sample_listing;

constexpr int64_t kStart = 1764300000;

class OutboxTest : public ::testing::TestWithParam<Platform> {
 protected:
  void SetUp() override {
    producer_ = core::testing_support::add_producer(db_, "HTX Mật ong Bảo Lâm", "24");
    fake_.grant("acc-0", "ref-0");
    Grant grant{"88001",
                GetParam() == Platform::tiktok ? "ROW_fake" : "",
                "Shop",
                "acc-0",
                "ref-0",
                kStart + 4 * 3600,
                kStart + 30 * 86400};
    shop_ = shops_.connect(producer_, GetParam(), grant, "3001", kStart + 365 * 86400).value();
  }

  Outbox make_outbox(OutboxSettings settings = {}) {
    settings.jitter_seed = 7;
    return Outbox(db_, shops_, {{GetParam(), connector_.get()}}, settings);
  }

  OutboxRow only_row() {
    auto all = outbox_.rows(shop_).value();
    EXPECT_EQ(all.size(), 1u);
    return all.front();
  }

  // Runs the worker until nothing is due, advancing the clock to each next attempt.
  void drain(Outbox& outbox, int max_runs = 20) {
    for (int i = 0; i < max_runs; ++i) {
      auto report = outbox.run_once(clock_.now());
      ASSERT_TRUE(report.has_value()) << report.error().message;
      int64_t next = 0;
      bool open = false;
      auto rows = outbox.rows(shop_).value();
      for (const auto& r : rows) {
        if (r.state == OutboxState::done || r.state == OutboxState::failed) continue;
        open = true;
        if (next == 0 || r.next_attempt_at < next) next = r.next_attempt_at;
      }
      if (!open) return;
      clock_.set(std::max(clock_.now() + 1, next));
    }
  }

  core::ManualClock clock_{kStart};
  core::Database db_ = core::Database::open_in_memory().value();
  SecretBox box_ = SecretBox::from_key(std::string(64, 'a')).value();
  MarketplaceShops shops_{db_, clock_, &box_};
  FakeMarketplace fake_{GetParam(), clock_};
  std::unique_ptr<Connector> connector_ = make_connector(fake_.app(), clock_);
  int64_t producer_ = 0;
  int64_t shop_ = 0;
  Outbox outbox_ = make_outbox();
};

TEST_P(OutboxTest, CreatesTheListingAndMarksItLive) {
  ASSERT_TRUE(outbox_.enqueue_create(shop_, sample_listing("MO-500"), kStart).has_value());
  auto report = outbox_.run_once(kStart).value();
  EXPECT_EQ(report.done, 1);
  OutboxRow row = only_row();
  EXPECT_EQ(row.state, OutboxState::done);
  EXPECT_EQ(row.attempts, 1);
  EXPECT_FALSE(row.request_id.empty());
  auto listing = outbox_.listing(shop_, "MO-500").value();
  ASSERT_TRUE(listing.has_value());
  EXPECT_EQ(listing->state, "live");
  EXPECT_EQ(listing->item_id, fake_.item("MO-500")->item_id);
  EXPECT_EQ(fake_.creates(), 1);
}

TEST_P(OutboxTest, ThrottlingAndServerErrorsEndLiveExactlyOnce) {
  fake_.fail_next("", Fault::throttle);
  fake_.fail_next("", Fault::server_error, 2);
  ASSERT_TRUE(outbox_.enqueue_create(shop_, sample_listing("MO-500"), kStart).has_value());
  drain(outbox_);
  OutboxRow row = only_row();
  EXPECT_EQ(row.state, OutboxState::done);
  EXPECT_EQ(row.attempts, 4);
  EXPECT_EQ(fake_.creates(), 1);
  EXPECT_EQ(outbox_.listing(shop_, "MO-500").value()->state, "live");
}

TEST_P(OutboxTest, BackoffGrowsWithJitterAndHonoursRetryAfter) {
  ASSERT_TRUE(outbox_.enqueue_create(shop_, sample_listing("MO-500"), kStart).has_value());
  fake_.fail_next("", Fault::server_error);
  (void)outbox_.run_once(kStart).value();
  OutboxRow first = only_row();
  EXPECT_EQ(first.state, OutboxState::pending);
  EXPECT_GE(first.next_attempt_at, kStart + 15);  // base 30 s, half of it jittered
  EXPECT_LE(first.next_attempt_at, kStart + 30);
  fake_.fail_next("", Fault::server_error);
  (void)outbox_.run_once(first.next_attempt_at).value();
  OutboxRow second = only_row();
  EXPECT_GE(second.next_attempt_at, first.next_attempt_at + 30);
  EXPECT_LE(second.next_attempt_at, first.next_attempt_at + 60);

  fake_.fail_next("", Fault::throttle, 1, 900);
  (void)outbox_.run_once(second.next_attempt_at).value();
  OutboxRow third = only_row();
  EXPECT_GE(third.next_attempt_at, second.next_attempt_at + 900);
  // Nothing is sent before the ban ends.
  const int calls = fake_.creates();
  auto early = outbox_.run_once(second.next_attempt_at + 600).value();
  EXPECT_EQ(early.sent, 0);
  EXPECT_EQ(fake_.creates(), calls);
}

TEST_P(OutboxTest, ValidationErrorFailsWithThePlatformsMessage) {
  fake_.fail_next("", Fault::validation);
  ASSERT_TRUE(outbox_.enqueue_create(shop_, sample_listing("MO-500"), kStart).has_value());
  auto report = outbox_.run_once(kStart).value();
  EXPECT_EQ(report.failed, 1);
  OutboxRow row = only_row();
  EXPECT_EQ(row.state, OutboxState::failed);
  EXPECT_NE(row.error.find("Tên sản phẩm chứa từ bị cấm"), std::string::npos) << row.error;
  auto listing = outbox_.listing(shop_, "MO-500").value();
  EXPECT_EQ(listing->state, "failed");
  EXPECT_NE(listing->error.find("Tên sản phẩm chứa từ bị cấm"), std::string::npos);
  EXPECT_EQ(outbox_.run_once(kStart + 3600).value().sent, 0);
}

TEST_P(OutboxTest, RetryingAFailedCreateSendsItAgainAndMakesItLive) {
  EXPECT_EQ(outbox_.retry_failed_create(shop_, "MO-500", kStart).error().code,
            ErrorCode::not_found);
  fake_.fail_next("", Fault::validation);
  ASSERT_TRUE(outbox_.enqueue_create(shop_, sample_listing("MO-500"), kStart).has_value());
  ASSERT_EQ(outbox_.run_once(kStart).value().failed, 1);

  auto again = outbox_.retry_failed_create(shop_, "MO-500", kStart + 60);
  ASSERT_TRUE(again.has_value()) << again.error().message;
  OutboxRow row = only_row();
  EXPECT_EQ(row.state, OutboxState::pending);
  EXPECT_EQ(row.attempts, 0);
  EXPECT_EQ(row.error, "");
  EXPECT_EQ(outbox_.listing(shop_, "MO-500").value()->state, "pending");
  // Already open: a second retry is refused and changes nothing.
  EXPECT_EQ(outbox_.retry_failed_create(shop_, "MO-500", kStart + 61).error().code,
            ErrorCode::conflict);

  EXPECT_EQ(outbox_.run_once(kStart + 60).value().done, 1);
  EXPECT_EQ(outbox_.listing(shop_, "MO-500").value()->state, "live");
  EXPECT_EQ(fake_.creates(), 1);
  EXPECT_EQ(outbox_.retry_failed_create(shop_, "MO-500", kStart + 120).error().code,
            ErrorCode::not_found);
}

TEST_P(OutboxTest, AProducersShopsAreListedWithoutOpeningTokens) {
  MarketplaceShops keyless(db_, clock_, nullptr);
  auto mine = keyless.of_producer(producer_);
  ASSERT_TRUE(mine.has_value()) << mine.error().message;
  ASSERT_EQ(mine->size(), 1u);
  EXPECT_EQ(mine->front().ref, shop_);
  EXPECT_EQ(mine->front().platform, GetParam());
  EXPECT_EQ(mine->front().grant.shop_id, "88001");
  EXPECT_EQ(mine->front().grant.access_token, "");
  EXPECT_EQ(mine->front().grant_expires_at, kStart + 365 * 86400);
  EXPECT_TRUE(keyless.of_producer(producer_ + 1000).value().empty());
  EXPECT_EQ(keyless.set_warehouse(shop_, "12 OR 1").error().code, ErrorCode::invalid_input);
  ASSERT_TRUE(keyless.set_warehouse(shop_, "40012").has_value());
  EXPECT_EQ(keyless.of_producer(producer_).value().front().warehouse_id, "40012");
  EXPECT_EQ(keyless.set_warehouse(shop_ + 1000, "1").error().code, ErrorCode::not_found);
}

// Authorizing again (a dead refresh token) renews the tokens of the same shop row: the warehouse
// the producer chose stays, and a shop another producer connected stays theirs.
TEST_P(OutboxTest, ConnectingAgainKeepsTheWarehouseAndAnotherProducerCannotTakeTheShop) {
  Grant again{"88001",
              GetParam() == Platform::tiktok ? "ROW_fake" : "",
              "Shop",
              "acc-1",
              "ref-1",
              kStart + 8 * 3600,
              kStart + 60 * 86400};
  auto same = shops_.connect(producer_, GetParam(), again, "", kStart + 400 * 86400);
  ASSERT_TRUE(same.has_value()) << same.error().message;
  EXPECT_EQ(*same, shop_);
  auto record = shops_.find(shop_).value();
  EXPECT_EQ(record.warehouse_id, "3001");
  EXPECT_EQ(record.grant.access_token, "acc-1");
  EXPECT_EQ(record.grant_expires_at, kStart + 400 * 86400);

  const int64_t other = core::testing_support::add_producer(db_, "HTX Chè Shan Tuyết", "25");
  Grant stolen{"88001", again.shop_cipher, "Shop", "acc-x", "ref-x", kStart + 3600, 0};
  auto refused = shops_.connect(other, GetParam(), stolen, "9", 0);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::conflict);
  record = shops_.find(shop_).value();
  EXPECT_EQ(record.producer_id, producer_);
  EXPECT_EQ(record.grant.access_token, "acc-1");
  EXPECT_EQ(record.warehouse_id, "3001");
}

TEST_P(OutboxTest, ATimeoutAfterTheCreateIsReconciledBySkuWithoutASecondCreate) {
  fake_.fail_next("", Fault::accept_then_hang);
  ASSERT_TRUE(outbox_.enqueue_create(shop_, sample_listing("MO-500"), kStart).has_value());
  auto report = outbox_.run_once(kStart).value();
  EXPECT_EQ(report.reconciling, 1);
  EXPECT_EQ(only_row().state, OutboxState::needs_reconcile);
  drain(outbox_);
  OutboxRow row = only_row();
  EXPECT_EQ(row.state, OutboxState::done);
  EXPECT_EQ(fake_.creates(), 1);
  EXPECT_EQ(outbox_.listing(shop_, "MO-500").value()->item_id, fake_.item("MO-500")->item_id);
}

TEST_P(OutboxTest, AnInFlightRowFromAKilledProcessIsReconciledAndNotSentTwice) {
  ASSERT_TRUE(outbox_.enqueue_create(shop_, sample_listing("MO-500"), kStart).has_value());
  // The killed process had claimed the row and its request reached the platform.
  auto claim = db_.prepare(
      "UPDATE marketplace_outbox SET state = 'in_flight', attempts = 1, next_attempt_at = ?1");
  claim->bind(1, kStart + 300);
  ASSERT_TRUE(claim->run().has_value());
  ShopAccess access = shops_.find(shop_).value().access();
  ASSERT_TRUE(connector_->create_listing(access, sample_listing("MO-500")).result.has_value());
  ASSERT_EQ(fake_.creates(), 1);

  Outbox restarted = make_outbox();
  // Within its lease the row belongs to the (presumed live) sender.
  EXPECT_EQ(restarted.run_once(kStart + 10).value().sent, 0);
  auto report = restarted.run_once(kStart + 300).value();
  EXPECT_EQ(report.recovered, 1);
  EXPECT_EQ(report.reconciled, 1);
  EXPECT_EQ(only_row().state, OutboxState::done);
  EXPECT_EQ(fake_.creates(), 1);
  EXPECT_EQ(outbox_.listing(shop_, "MO-500").value()->state, "live");
}

TEST_P(OutboxTest, AnInFlightRowThatNeverReachedThePlatformIsSentOnce) {
  ASSERT_TRUE(outbox_.enqueue_create(shop_, sample_listing("MO-500"), kStart).has_value());
  auto claim = db_.prepare(
      "UPDATE marketplace_outbox SET state = 'in_flight', attempts = 1, next_attempt_at = ?1");
  claim->bind(1, kStart + 300);
  ASSERT_TRUE(claim->run().has_value());
  Outbox restarted = make_outbox();
  auto report = restarted.run_once(kStart + 300).value();
  EXPECT_EQ(report.recovered, 1);
  EXPECT_EQ(report.done, 1);
  EXPECT_EQ(fake_.creates(), 1);
}

TEST_P(OutboxTest, PriceAndStockChangesAreCoalescedIntoAbsoluteValues) {
  ASSERT_TRUE(outbox_.enqueue_create(shop_, sample_listing("MO-500"), kStart).has_value());
  // Before the create is sent, changes land in it.
  ASSERT_TRUE(outbox_.enqueue_price_stock(shop_, "MO-500", 190000, {}, kStart).has_value());
  ASSERT_EQ(outbox_.rows(shop_).value().size(), 1u);
  (void)outbox_.run_once(kStart).value();
  EXPECT_EQ(fake_.item("MO-500")->price, 190000);

  for (int stock : {39, 38, 37}) {
    ASSERT_TRUE(outbox_.enqueue_price_stock(shop_, "MO-500", {}, stock, kStart + 5).has_value());
  }
  ASSERT_TRUE(outbox_.enqueue_price_stock(shop_, "MO-500", 175000, {}, kStart + 6).has_value());
  auto rows = outbox_.rows(shop_).value();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].payload, R"({"price_vnd":175000,"stock":37})");
  const int updates_before =
      fake_.calls("update") + fake_.calls("update_price") + fake_.calls("update_stock");
  auto report = outbox_.run_once(kStart + 10).value();
  EXPECT_EQ(report.done, 1);
  EXPECT_EQ(fake_.item("MO-500")->price, 175000);
  EXPECT_EQ(fake_.item("MO-500")->stock, 37);
  const int updates_after =
      fake_.calls("update") + fake_.calls("update_price") + fake_.calls("update_stock");
  // One request per value kind at most (Shopee and TikTok set price and stock separately).
  EXPECT_LE(updates_after - updates_before, 2);
}

TEST_P(OutboxTest, AnUpdateWaitsUntilTheListingIsLive) {
  ASSERT_TRUE(outbox_.enqueue_price_stock(shop_, "MO-500", {}, 3, kStart).has_value());
  auto report = outbox_.run_once(kStart).value();
  EXPECT_EQ(report.sent, 0);
  EXPECT_EQ(report.held, 1);
  EXPECT_EQ(only_row().state, OutboxState::pending);
}

TEST_P(OutboxTest, AnExpiredTokenIsRefreshedAndTheRotatedRefreshTokenSaved) {
  fake_.fail_next("", Fault::expired_token);
  ASSERT_TRUE(outbox_.enqueue_create(shop_, sample_listing("MO-500"), kStart).has_value());
  drain(outbox_);
  EXPECT_EQ(only_row().state, OutboxState::done);
  EXPECT_EQ(fake_.creates(), 1);
  ShopRecord shop = shops_.find(shop_).value();
  EXPECT_EQ(shop.grant.refresh_token, fake_.refresh_token());
  EXPECT_NE(shop.grant.refresh_token, "ref-0");
  EXPECT_GT(shop.token_version, 0);
}

TEST_P(OutboxTest, ATokenCloseToExpiryIsRefreshedAheadOfTime) {
  clock_.set(kStart + 4 * 3600 - 600);  // ten minutes left
  auto shop = shops_.ensure_fresh(shop_, *connector_);
  ASSERT_TRUE(shop.has_value()) << shop.error().message;
  EXPECT_NE(shop->grant.access_token, "acc-0");
  EXPECT_EQ(shops_.find(shop_).value().grant.refresh_token, fake_.refresh_token());
  // Far from expiry: no refresh.
  const std::string token = fake_.refresh_token();
  ASSERT_TRUE(shops_.ensure_fresh(shop_, *connector_).has_value());
  EXPECT_EQ(fake_.refresh_token(), token);
}

TEST_P(OutboxTest, ADeadRefreshTokenAsksForAuthorizationAgain) {
  fake_.grant("acc-0", "some-other-refresh-token");
  clock_.set(kStart + 4 * 3600);
  auto shop = shops_.ensure_fresh(shop_, *connector_);
  ASSERT_FALSE(shop.has_value());
  EXPECT_EQ(shop.error().code, ErrorCode::unauthenticated);
  ShopRecord stored = shops_.find(shop_).value();
  EXPECT_TRUE(stored.needs_authorization);
  ASSERT_TRUE(outbox_.enqueue_create(shop_, sample_listing("MO-500"), clock_.now()).has_value());
  auto report = outbox_.run_once(clock_.now()).value();
  EXPECT_EQ(report.sent, 0);
  EXPECT_EQ(report.held, 1);
  ASSERT_FALSE(report.problems.empty());
  EXPECT_NE(report.problems[0].find("ủy quyền lại"), std::string::npos);
}

TEST_P(OutboxTest, TheShopsRateLimitHoldsTheRestForLater) {
  OutboxSettings settings;
  settings.per_shop_burst = 3;
  settings.per_shop_per_second = 1;
  Outbox limited = make_outbox(settings);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(limited.enqueue_create(shop_, sample_listing("MO-" + std::to_string(i)), kStart)
                    .has_value());
  }
  auto first = limited.run_once(kStart).value();
  EXPECT_EQ(first.sent, 3);
  EXPECT_EQ(first.held, 2);
  auto second = limited.run_once(kStart + 2).value();
  EXPECT_EQ(second.sent, 2);
  EXPECT_EQ(fake_.creates(), 5);
}

TEST_P(OutboxTest, DryRunBuildsSignedRequestsWithoutSending) {
  ASSERT_TRUE(outbox_.enqueue_create(shop_, sample_listing("MO-500"), kStart).has_value());
  Listing bad = sample_listing("MO-BAD");
  bad.price_vnd = 0;
  ASSERT_TRUE(outbox_.enqueue_create(shop_, bad, kStart).has_value());
  auto items = outbox_.dry_run(shop_).value();
  ASSERT_EQ(items.size(), 2u);
  ASSERT_TRUE(items[0].requests.has_value()) << items[0].requests.error().message;
  EXPECT_FALSE(items[0].requests->front().signature.empty());
  ASSERT_FALSE(items[1].requests.has_value());
  EXPECT_EQ(items[1].requests.error().field, "price_vnd");
  EXPECT_EQ(fake_.creates(), 0);
  EXPECT_EQ(outbox_.rows(shop_).value()[0].state, OutboxState::pending);
}

TEST_P(OutboxTest, TokensAreSealedAtRest) {
  auto s = db_.prepare("SELECT tokens_sealed FROM marketplace_shops WHERE id = ?1").value();
  s.bind(1, shop_);
  ASSERT_TRUE(s.step().value());
  const std::string sealed = s.column_text(0);
  EXPECT_TRUE(sealed.starts_with("v1:"));
  EXPECT_EQ(sealed.find("acc-0"), std::string::npos);
  EXPECT_EQ(sealed.find("ref-0"), std::string::npos);
}

TEST_P(OutboxTest, CategoryAttributesAreSentAndAMissingOneFailsWithThePlatformsMessage) {
  const std::string key = GetParam() == Platform::lazada ? "honey_type" : "100134";
  fake_.require_attribute(key);
  ASSERT_TRUE(outbox_.enqueue_create(shop_, sample_listing("MO-500"), kStart));
  drain(outbox_);
  auto failed = outbox_.listing(shop_, "MO-500").value();
  EXPECT_EQ(failed->state, "failed");
  EXPECT_NE(failed->error.find("Thiếu thuộc tính bắt buộc " + key), std::string::npos)
      << failed->error;
  EXPECT_EQ(fake_.creates(), 0);

  Listing with = sample_listing("MO-1000");
  with.attributes = {{key, "Mật ong hoa cà phê"}};
  ASSERT_TRUE(outbox_.enqueue_create(shop_, with, clock_.now()));
  drain(outbox_);
  EXPECT_EQ(outbox_.listing(shop_, "MO-1000").value()->state, "live");
  EXPECT_EQ(fake_.last_create_attributes(),
            (std::vector<std::pair<std::string, std::string>>{{key, "Mật ong hoa cà phê"}}));
}

TEST_P(OutboxTest, MalformedAttributesAreRefusedBeforeSending) {
  ShopAccess access{"88001", "ROW_fake", "acc-0", "3001"};
  const bool lazada = GetParam() == Platform::lazada;
  for (auto [key, value] : {std::pair<std::string, std::string>{lazada ? "Bad Name" : "abc", "x"},
                            {lazada ? "name" : "1001", lazada ? "x" : ""},
                            {lazada ? "ok_name" : "1002", "line\nbreak"},
                            {lazada ? "ok_name" : "1003", std::string(256, 'a')},
                            {lazada ? "100134" : "1004", lazada ? "x" : "\xC3\x28"}}) {
    Listing l = sample_listing("MO-500");
    l.attributes = {{key, value}};
    auto request = connector_->prepare_create(access, l);
    ASSERT_FALSE(request) << key;
    EXPECT_EQ(request.error().code, ErrorCode::invalid_input);
    EXPECT_EQ(request.error().field, "attributes");
  }
}

TEST_P(OutboxTest, AnAttributeGivenTwiceIsRefused) {
  ShopAccess access{"88001", "ROW_fake", "acc-0", "3001"};
  Listing l = sample_listing("MO-500");
  const std::string key = GetParam() == Platform::lazada ? "honey_type" : "100134";
  l.attributes = {{key, "a"}, {key, "b"}};
  auto request = connector_->prepare_create(access, l);
  ASSERT_FALSE(request);
  EXPECT_NE(request.error().message.find("hai lần"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Platforms, OutboxTest,
                         ::testing::Values(Platform::shopee, Platform::lazada, Platform::tiktok),
                         [](const auto& p) { return std::string(platform_name(p.param)); });

}  // namespace
}  // namespace chophien::integrations
