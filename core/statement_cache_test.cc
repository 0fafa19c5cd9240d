#include "core/statement_cache.h"

#include <gtest/gtest.h>

#include <string>

namespace chophien::core {
namespace {

struct StatementCacheTest : ::testing::Test {
  Database db = Database::open_in_memory().value();
  StatementCacheTest() { db.exec("CREATE TEMP TABLE t (n INTEGER NOT NULL)").value(); }
};

TEST_F(StatementCacheTest, ASecondCacheOnTheSameConnectionReusesThePreparedStatement) {
  Statement* first = nullptr;
  {
    StatementCache cache(db);
    auto lease = cache.get("INSERT INTO t (n) VALUES (?1)").value();
    lease.get().bind(1, 1);
    lease.get().run().value();
    first = &lease.get();
  }
  StatementCache other(db);  // a store made for the next request
  auto lease = other.get("INSERT INTO t (n) VALUES (?1)").value();
  EXPECT_EQ(&lease.get(), first);
  // Reset and cleared: binding nothing inserts NULL, which the NOT NULL column refuses.
  EXPECT_FALSE(lease.get().run().has_value());
  lease.get().reset();
  lease.get().bind(1, 2);
  lease.get().run().value();
  EXPECT_EQ(db.shelf().entries.size(), 1u);
}

TEST_F(StatementCacheTest, TheSameSqlLentTwiceGivesTwoStatementsThatBothWork) {
  db.exec("INSERT INTO t (n) VALUES (1), (2)").value();
  StatementCache a(db), b(db);
  auto outer = a.get("SELECT n FROM t ORDER BY n").value();
  ASSERT_TRUE(outer.get().step().value());
  EXPECT_EQ(outer.get().column_int(0), 1);
  auto inner = b.get("SELECT n FROM t ORDER BY n").value();
  EXPECT_NE(&inner.get(), &outer.get());
  ASSERT_TRUE(inner.get().step().value());
  EXPECT_EQ(inner.get().column_int(0), 1);
  ASSERT_TRUE(outer.get().step().value());
  EXPECT_EQ(outer.get().column_int(0), 2);
}

TEST_F(StatementCacheTest, AConnectionKeepsABoundedNumberOfStatements) {
  StatementCache cache(db);
  auto held = cache.get("SELECT 0").value();  // lent out: never the one dropped
  for (size_t i = 1; i < 3 * StatementShelf::kMaxKept; ++i) {
    auto lease = cache.get("SELECT " + std::to_string(i)).value();
    ASSERT_TRUE(lease.get().step().value());
    EXPECT_EQ(lease.get().column_int(0), static_cast<int64_t>(i));
    EXPECT_LE(db.shelf().entries.size(), StatementShelf::kMaxKept);
  }
  ASSERT_TRUE(held.get().step().value());
  EXPECT_EQ(held.get().column_int(0), 0);
}

TEST_F(StatementCacheTest, AConnectionClosesWithItsStatementsKeptAndMoves) {
  StatementCache(db).get("SELECT COUNT(*) FROM t").value();
  Database moved = std::move(db);
  StatementCache cache(moved);
  auto lease = cache.get("SELECT COUNT(*) FROM t").value();
  ASSERT_TRUE(lease.get().step().value());
  EXPECT_EQ(lease.get().column_int(0), 0);
  EXPECT_EQ(moved.shelf().entries.size(), 1u);
}

}  // namespace
}  // namespace chophien::core
