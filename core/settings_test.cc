// SettingsStore on a real SQLite file: absent keys, set and replace, clear, refused input.
#include "core/settings.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <string>

namespace chophien::core {
namespace {

class SettingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() /
             ("settings_test_" + std::to_string(::getpid()) + ".db"))
                .string();
    std::filesystem::remove(path_);
    db_.emplace(Database::open(path_).value());
  }
  void TearDown() override {
    db_.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
  }
  std::string path_;
  std::optional<Database> db_;
  ManualClock clock_{1'777'000'000};
};

TEST_F(SettingsTest, AbsentSetReplacedAndCleared) {
  SettingsStore settings(*db_, clock_);
  EXPECT_EQ(settings.get("order_ttl_minutes").value(), std::nullopt);
  ASSERT_TRUE(settings.set("order_ttl_minutes", "30", std::nullopt));
  EXPECT_EQ(settings.get("order_ttl_minutes").value(), "30");
  ASSERT_TRUE(settings.set("order_ttl_minutes", "45", std::nullopt));
  EXPECT_EQ(settings.get("order_ttl_minutes").value(), "45");
  ASSERT_TRUE(settings.set("shop'; DROP TABLE settings;--", "x", std::nullopt));
  EXPECT_EQ(settings.get("shop'; DROP TABLE settings;--").value(), "x");
  ASSERT_TRUE(settings.clear("order_ttl_minutes"));
  EXPECT_EQ(settings.get("order_ttl_minutes").value(), std::nullopt);
  EXPECT_TRUE(settings.clear("never-set"));
}

TEST_F(SettingsTest, BadKeysAndValuesAreRefused) {
  SettingsStore settings(*db_, clock_);
  auto empty = settings.set("", "1", std::nullopt);
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().field, "key");
  EXPECT_FALSE(settings.get(std::string(65, 'k')));
  auto long_value = settings.set("k", std::string(501, 'v'), std::nullopt);
  ASSERT_FALSE(long_value);
  EXPECT_EQ(long_value.error().field, "value");
  auto bad_utf8 = settings.set("k", "\xff\xfe", std::nullopt);
  ASSERT_FALSE(bad_utf8);
  EXPECT_EQ(bad_utf8.error().code, ErrorCode::invalid_input);
  auto unknown_user = settings.set("k", "1", int64_t{424242});
  EXPECT_FALSE(unknown_user);  // the user must exist
  EXPECT_EQ(settings.get("k").value(), std::nullopt);
}

}  // namespace
}  // namespace chophien::core
