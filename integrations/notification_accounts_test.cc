#include "integrations/notification_accounts.h"

#include <gtest/gtest.h>

#include "core/test_producer.h"

namespace chophien::integrations {
namespace {

using nlohmann::json;

class Accounts : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::make_unique<core::Database>(core::Database::open_in_memory().value());
    producer_ = core::testing_support::add_producer(*db_, "HTX Miến dong", "");
    db_->exec("UPDATE producers SET bank_account = '0071000888888'").value();
  }
  std::unique_ptr<core::Database> db_;
  core::ManualClock clock_;
  SecretBox box_ = SecretBox::from_key(std::string(64, 'd')).value();
  int64_t producer_ = 0;
};

TEST_F(Accounts, StoresSecretsSealedAndShowsOnlyTheirLastFourCharacters) {
  NotificationAccounts accounts(*db_, clock_, &box_);
  auto s = accounts.connect(producer_, "payos",
                            {{"client_id", "client-123"},
                             {"api_key", "payos-api-key-AAAA"},
                             {"checksum_key", "payos-checksum-BBBB"}});
  ASSERT_TRUE(s.has_value()) << s.error().message;
  EXPECT_EQ(s->client_id, "client-123");
  EXPECT_EQ(s->hints.at("api_key"), "…AAAA");
  EXPECT_EQ(s->hints.at("checksum_key"), "…BBBB");
  auto raw = db_->prepare("SELECT secrets_sealed || hints FROM notification_connections");
  ASSERT_TRUE(raw->step().value());
  const std::string stored = raw->column_text(0);
  EXPECT_EQ(stored.find("payos-api-key"), std::string::npos);
  EXPECT_EQ(stored.find("payos-checksum"), std::string::npos);
  auto c = accounts.find(producer_, "payos");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->secret("checksum_key"), "payos-checksum-BBBB");
  EXPECT_EQ(c->account_number, "0071000888888");
}

TEST_F(Accounts, ReplacesTheConnectionAndListsIt) {
  NotificationAccounts accounts(*db_, clock_, &box_);
  ASSERT_TRUE(
      accounts.connect(producer_, "sepay", {{"mode", "apikey"}, {"api_key", "key-one-1111"}}));
  ASSERT_TRUE(accounts.connect(producer_, "sepay", {{"mode", "hmac"}, {"secret", "secret-2222"}}));
  auto list = accounts.list(producer_).value();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].mode, "hmac");
  EXPECT_EQ(list[0].hints.count("api_key"), 0u);
  EXPECT_EQ(accounts.find(producer_, "sepay")->secret("secret"), "secret-2222");
}

TEST_F(Accounts, RefusesBadSettingsAndStoresNothing) {
  NotificationAccounts accounts(*db_, clock_, &box_);
  auto field = [&](const char* provider, const json& body) {
    auto r = accounts.connect(producer_, provider, body);
    return r ? std::string("stored") : r.error().field;
  };
  EXPECT_EQ(field("sepay", {{"mode", "oauth"}}), "mode");
  EXPECT_EQ(field("sepay", {{"mode", "apikey"}}), "api_key");
  EXPECT_EQ(field("sepay", {{"mode", "hmac"}, {"secret", "short"}}), "secret");
  EXPECT_EQ(field("casso", {{"secret", "has a space in it"}}), "secret");
  EXPECT_EQ(field("payos", {{"api_key", "12345678"}, {"checksum_key", "12345678"}}), "client_id");
  EXPECT_EQ(field("tiki", {{"secret", "12345678"}}), "provider");
  EXPECT_EQ(accounts.connect(999, "casso", {{"secret", "12345678"}}).error().code,
            ErrorCode::not_found);
  EXPECT_TRUE(accounts.list(producer_)->empty());
}

TEST_F(Accounts, RefusesToStoreWithoutAKeyAndCannotOpenWithAnother) {
  NotificationAccounts keyless(*db_, clock_, nullptr);
  auto r = keyless.connect(producer_, "casso", {{"secret", "casso-secret-1"}});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::unavailable);
  EXPECT_NE(r.error().message.find("CHOPHIEN_SECRET_KEY"), std::string::npos);
  NotificationAccounts accounts(*db_, clock_, &box_);
  ASSERT_TRUE(accounts.connect(producer_, "casso", {{"secret", "casso-secret-1"}}));
  SecretBox other = SecretBox::from_key(std::string(64, 'e')).value();
  NotificationAccounts rekeyed(*db_, clock_, &other);
  EXPECT_EQ(rekeyed.find(producer_, "casso").error().code, ErrorCode::forbidden);
  int unreadable = 0;
  EXPECT_TRUE(rekeyed.all(&unreadable)->empty());
  EXPECT_EQ(unreadable, 1);
}

}  // namespace
}  // namespace chophien::integrations
