#include "core/audit.h"

#include <gtest/gtest.h>

#include "core/test_producer.h"
#include "core/users.h"

namespace chophien::core {
namespace {

struct AuditTest : ::testing::Test {
  void SetUp() override {
    producer_ = testing_support::add_producer(db_, "HTX Chè Shan tuyết", "01291");
    other_ = testing_support::add_producer(db_, "Hộ Mật ong bạc hà", "01294");
    UsersOptions options;
    options.scrypt = ScryptParams{1024, 8, 1};
    Users users(db_, clock_, options);
    officer_ =
        users.create_user({"canbo", "mat-khau-dai", Role::officer, std::nullopt, "Cán bộ Lan"})
            .value()
            .id;
  }

  Database db_ = Database::open_in_memory().value();
  ManualClock clock_{1'780'000'000};
  AuditLog log_{db_, clock_};
  int64_t producer_ = 0;
  int64_t other_ = 0;
  int64_t officer_ = 0;
};

TEST_F(AuditTest, RecordsAndListsNewestFirstPerProducer) {
  ASSERT_TRUE(log_.record({officer_, producer_, true, "product.create", "Chè Shan tuyết 100 g"}));
  clock_.advance(60);
  ASSERT_TRUE(log_.record({officer_, other_, false, "producer.update", "Hộ Mật ong bạc hà"}));
  clock_.advance(60);
  ASSERT_TRUE(log_.record({officer_, producer_, true, "order.fulfil", "CPAB12CDE"}));

  auto mine = log_.for_producer(producer_).value();
  ASSERT_EQ(mine.size(), 2u);
  EXPECT_EQ(mine[0].action, "order.fulfil");
  EXPECT_EQ(mine[1].subject, "Chè Shan tuyết 100 g");
  EXPECT_TRUE(mine[0].on_behalf);
  EXPECT_EQ(mine[0].user_name, "Cán bộ Lan");
  EXPECT_EQ(mine[0].at, 1'780'000'120);
  EXPECT_EQ(log_.recent().value().size(), 3u);
}

TEST_F(AuditTest, RefusesBadInputAndWritesNothing) {
  auto empty = log_.record({officer_, producer_, false, "", "x"});
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().field, "action");
  auto bad_utf8 = log_.record({officer_, producer_, false, "product.create", "\xC3"});
  ASSERT_FALSE(bad_utf8);
  EXPECT_EQ(bad_utf8.error().field, "subject");
  auto unknown_user = log_.record({999, producer_, false, "product.create", "x"});
  ASSERT_FALSE(unknown_user);
  EXPECT_EQ(unknown_user.error().code, ErrorCode::not_found);
  EXPECT_TRUE(log_.recent().value().empty());
  EXPECT_FALSE(log_.for_producer(producer_, 0));
}

TEST_F(AuditTest, CutsLongSubjectsOnCharacterBoundaries) {
  std::string subject;
  for (int i = 0; i < 250; ++i) subject += "ố";
  auto entry = log_.record({officer_, producer_, false, "product.update", subject}).value();
  EXPECT_EQ(entry.subject.size(), 200u * std::string("ố").size());
  EXPECT_EQ(log_.for_producer(producer_).value()[0].subject, entry.subject);
}

TEST_F(AuditTest, EntriesCannotBeChanged) {
  ASSERT_TRUE(log_.record({officer_, producer_, false, "product.create", "x"}));
  EXPECT_FALSE(db_.exec("UPDATE workspace_actions SET action = 'forged'"));
  EXPECT_EQ(log_.recent().value()[0].action, "product.create");
}

}  // namespace
}  // namespace chophien::core
