#include "storefront/db_pool.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace chophien::storefront {
namespace {

struct DbPoolTest : ::testing::Test {
  DbPoolTest() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "chophien-pool-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    pool_ = std::move(DbPool::open((dir_ / "pool.db").string()).value());
    auto db = pool_->acquire();
    EXPECT_TRUE((*db)->exec("CREATE TABLE tally (n INTEGER NOT NULL)").has_value());
    EXPECT_TRUE((*db)->exec("INSERT INTO tally (n) VALUES (0)").has_value());
  }
  ~DbPoolTest() override {
    pool_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  std::filesystem::path dir_;
  std::unique_ptr<DbPool> pool_;
};

int64_t tally(core::Database& db) {
  auto st = db.prepare("SELECT n FROM tally");
  EXPECT_TRUE(st.has_value());
  EXPECT_TRUE(st->step().value());
  return st->column_int(0);
}

TEST_F(DbPoolTest, GenerationGrowsAfterEveryCommitOnAnyConnection) {
  const uint64_t before = pool_->generation();
  {
    auto first = pool_->acquire();
    auto second = pool_->acquire();  // a second, new connection
    ASSERT_TRUE(first.has_value() && second.has_value());
    ASSERT_TRUE((*first)->exec("UPDATE tally SET n = n + 1").has_value());
    EXPECT_EQ(pool_->generation(), before + 1);
    auto tx = (*second)->begin();
    ASSERT_TRUE(tx.has_value());
    ASSERT_TRUE((*second)->exec("UPDATE tally SET n = n + 1").has_value());
    EXPECT_EQ(pool_->generation(), before + 1);  // not yet committed
    ASSERT_TRUE(tx->commit().has_value());
    EXPECT_EQ(pool_->generation(), before + 2);
  }
  pool_->note_change();
  EXPECT_EQ(pool_->generation(), before + 3);
}

TEST_F(DbPoolTest, ReadsAndRolledBackWritesLeaveTheGenerationAlone) {
  const uint64_t before = pool_->generation();
  auto db = pool_->acquire();
  ASSERT_TRUE(db.has_value());
  EXPECT_EQ(tally(*db), 0);
  {
    auto tx = (*db)->begin();
    ASSERT_TRUE(tx.has_value());
    ASSERT_TRUE((*db)->exec("UPDATE tally SET n = 99").has_value());
  }  // rolled back
  EXPECT_EQ(tally(*db), 0);
  EXPECT_EQ(pool_->generation(), before);
}

TEST_F(DbPoolTest, WritersTakeTurnsInsteadOfFailingOnABusyDatabase) {
  // Without a busy timeout SQLite refuses a second writer at once; the writer lock must keep every
  // read-modify-write below from ever meeting another one.
  constexpr int kThreads = 6;
  constexpr int kRounds = 25;
  std::vector<std::thread> threads;
  std::vector<int> failures(kThreads, 0);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRounds; ++i) {
        auto db = pool_->acquire_writer();
        if (!db || !db->is_writer()) {
          ++failures[t];
          continue;
        }
        (*db)->set_busy_timeout(0);
        auto tx = (*db)->begin();
        if (!tx) {
          ++failures[t];
          continue;
        }
        const int64_t n = tally(*db);
        auto st = (*db)->prepare("UPDATE tally SET n = ?1");
        if (!st || !st->bind(1, n + 1).run().has_value() || !tx->commit().has_value()) {
          ++failures[t];
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(failures[t], 0) << "thread " << t;
  auto db = pool_->acquire();
  EXPECT_EQ(tally(*db), kThreads * kRounds);
  EXPECT_FALSE(db->is_writer());
}

TEST_F(DbPoolTest, WriterFailsLikeAcquireOnceClosed) {
  ASSERT_TRUE(pool_->close().has_value());
  auto db = pool_->acquire_writer();
  ASSERT_FALSE(db.has_value());
  EXPECT_EQ(db.error().code, ErrorCode::unavailable);
  // The lock was released with the failure: a second try does not hang.
  EXPECT_FALSE(pool_->acquire_writer().has_value());
}

}  // namespace
}  // namespace chophien::storefront
