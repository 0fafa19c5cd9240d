#include "core/database.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <thread>

namespace chophien::core {
namespace {

namespace fs = std::filesystem;

// A fresh directory per test, removed afterwards.
struct TempDir {
  TempDir() {
    static std::atomic<int> counter{0};
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path = fs::temp_directory_path() /
           ("chophien_db_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
            (info != nullptr ? info->name() : "x"));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
  fs::path path;
};

int64_t count_rows(Database& db, const char* table_sql) {
  auto stmt = db.prepare(table_sql).value();
  EXPECT_TRUE(stmt.step().value());
  return stmt.column_int(0);
}

std::string pragma_text(Database& db, const char* sql) {
  auto stmt = db.prepare(sql).value();
  EXPECT_TRUE(stmt.step().value());
  return stmt.column_text(0);
}

TEST(Database, MigratesAnEmptyFileToTheLatestVersion) {
  TempDir dir;
  auto db = Database::open(dir.file("new.db"));
  ASSERT_TRUE(db.has_value()) << db.error().message;
  EXPECT_EQ(db->schema_version(), Database::known_schema_version());
  EXPECT_GT(Database::known_schema_version(), 0);
  EXPECT_EQ(pragma_text(*db, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(pragma_text(*db, "PRAGMA foreign_keys"), "1");
  EXPECT_EQ(pragma_text(*db, "PRAGMA synchronous"), "1");  // NORMAL
  EXPECT_GT(count_rows(*db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table'"), 0);
}

TEST(Database, ReopeningIsIdempotentAndKeepsData) {
  TempDir dir;
  const auto path = dir.file("again.db");
  int64_t tables = 0;
  {
    auto db = Database::open(path).value();
    ASSERT_TRUE(db.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)").has_value());
    ASSERT_TRUE(db.prepare("INSERT INTO notes (body) VALUES (?1)")->bind(1, "một").run());
    tables = count_rows(db, "SELECT count(*) FROM sqlite_schema");
  }
  for (int i = 0; i < 2; ++i) {
    auto db = Database::open(path);
    ASSERT_TRUE(db.has_value()) << db.error().message;
    EXPECT_EQ(db->schema_version(), Database::known_schema_version());
    EXPECT_EQ(count_rows(*db, "SELECT count(*) FROM sqlite_schema"), tables);
    auto stmt = db->prepare("SELECT body FROM notes").value();
    ASSERT_TRUE(stmt.step().value());
    EXPECT_EQ(stmt.column_text(0), "một");
  }
}

TEST(Database, RefusesAFileFromANewerVersion) {
  TempDir dir;
  const auto path = dir.file("future.db");
  {
    auto db = Database::open(path).value();
    ASSERT_TRUE(
        db.exec("PRAGMA user_version = " + std::to_string(Database::known_schema_version() + 1))
            .has_value());
  }
  auto db = Database::open(path);
  ASSERT_FALSE(db.has_value());
  EXPECT_EQ(db.error().code, ErrorCode::internal);
  EXPECT_NE(db.error().message.find("newer"), std::string::npos);
}

TEST(Database, InMemoryDatabaseIsMigratedToo) {
  auto db = Database::open_in_memory();
  ASSERT_TRUE(db.has_value()) << db.error().message;
  EXPECT_EQ(db->schema_version(), Database::known_schema_version());
  EXPECT_EQ(pragma_text(*db, "PRAGMA foreign_keys"), "1");
}

TEST(Database, TransactionRollsBackWhenDestroyedWithoutCommit) {
  auto db = Database::open_in_memory().value();
  ASSERT_TRUE(db.exec("CREATE TABLE t (v INTEGER)").has_value());
  {
    auto tx = db.begin().value();
    ASSERT_TRUE(db.prepare("INSERT INTO t VALUES (?1)")->bind(1, 1).run());
    EXPECT_EQ(count_rows(db, "SELECT count(*) FROM t"), 1);
  }
  EXPECT_EQ(count_rows(db, "SELECT count(*) FROM t"), 0);
  {
    auto tx = db.begin().value();
    ASSERT_TRUE(db.prepare("INSERT INTO t VALUES (?1)")->bind(1, 2).run());
    ASSERT_TRUE(tx.commit().has_value());
  }
  EXPECT_EQ(count_rows(db, "SELECT count(*) FROM t"), 1);
}

TEST(Database, BeginOrJoinJoinsTheOpenTransactionAndOwnsOneOtherwise) {
  auto db = Database::open_in_memory().value();
  ASSERT_TRUE(db.exec("CREATE TABLE t (v INTEGER)").has_value());
  EXPECT_FALSE(db.in_transaction());
  {
    auto outer = db.begin().value();
    EXPECT_TRUE(db.in_transaction());
    {
      auto joined = db.begin_or_join().value();  // no nested BEGIN: joins
      ASSERT_TRUE(db.prepare("INSERT INTO t VALUES (?1)")->bind(1, 1).run());
      ASSERT_TRUE(joined.commit().has_value());  // leaves the decision to the owner
    }
    EXPECT_TRUE(db.in_transaction());
  }  // the owner rolls back: the joined work goes with it
  EXPECT_EQ(count_rows(db, "SELECT count(*) FROM t"), 0);
  {
    auto own = db.begin_or_join().value();
    EXPECT_TRUE(db.in_transaction());
    ASSERT_TRUE(db.prepare("INSERT INTO t VALUES (?1)")->bind(1, 2).run());
    ASSERT_TRUE(own.commit().has_value());
  }
  EXPECT_FALSE(db.in_transaction());
  EXPECT_EQ(count_rows(db, "SELECT count(*) FROM t"), 1);
}

TEST(Database, SecondWriterGetsUnavailableWhileTheFirstHoldsTheLock) {
  TempDir dir;
  const auto path = dir.file("busy.db");
  auto first = Database::open(path).value();
  auto second = Database::open(path).value();
  ASSERT_TRUE(first.exec("CREATE TABLE t (v INTEGER)").has_value());
  second.set_busy_timeout(10);
  auto tx = first.begin().value();
  auto blocked = second.begin();
  ASSERT_FALSE(blocked.has_value());
  EXPECT_EQ(blocked.error().code, ErrorCode::unavailable);
  auto insert = second.prepare("INSERT INTO t VALUES (?1)").value();
  auto write = insert.bind(1, 5).run();
  ASSERT_FALSE(write.has_value());
  EXPECT_EQ(write.error().code, ErrorCode::unavailable);
  ASSERT_TRUE(tx.commit().has_value());
  // Once the lock is released the same statement goes through.
  insert.reset();
  EXPECT_TRUE(insert.bind(1, 6).run().has_value());
}

TEST(Database, ConstraintViolationIsConflict) {
  auto db = Database::open_in_memory().value();
  ASSERT_TRUE(db.exec("CREATE TABLE t (k TEXT PRIMARY KEY)").has_value());
  auto insert = db.prepare("INSERT INTO t VALUES (?1)").value();
  ASSERT_TRUE(insert.bind(1, "a").run().has_value());
  insert.reset();
  auto again = insert.bind(1, "a").run();
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, ErrorCode::conflict);
}

TEST(Database, ForeignKeysAreEnforced) {
  auto db = Database::open_in_memory().value();
  ASSERT_TRUE(db.exec("CREATE TABLE p (id INTEGER PRIMARY KEY);"
                      "CREATE TABLE c (p INTEGER NOT NULL REFERENCES p (id))")
                  .has_value());
  auto insert = db.prepare("INSERT INTO c VALUES (?1)")->bind(1, 42).run();
  ASSERT_FALSE(insert.has_value());
  EXPECT_EQ(insert.error().code, ErrorCode::conflict);
}

TEST(Database, HostileTextIsStoredVerbatim) {
  auto db = Database::open_in_memory().value();
  ASSERT_TRUE(db.exec("CREATE TABLE t (v TEXT)").has_value());
  const std::string hostile = "'); DROP TABLE t; --\"\\%_\n";
  const std::string with_nul("a\0b", 3);
  ASSERT_TRUE(db.prepare("INSERT INTO t VALUES (?1)")->bind(1, hostile).run());
  ASSERT_TRUE(db.prepare("INSERT INTO t VALUES (?1)")->bind(1, with_nul).run());
  ASSERT_TRUE(db.prepare("INSERT INTO t VALUES (?1)")->bind(1, "").run());
  ASSERT_TRUE(db.prepare("INSERT INTO t VALUES (?1)")->bind_null(1).run());
  auto stmt = db.prepare("SELECT v FROM t ORDER BY rowid").value();
  ASSERT_TRUE(stmt.step().value());
  EXPECT_EQ(stmt.column_text(0), hostile);
  ASSERT_TRUE(stmt.step().value());
  EXPECT_EQ(stmt.column_text(0), with_nul);
  ASSERT_TRUE(stmt.step().value());
  EXPECT_FALSE(stmt.column_is_null(0));  // "" stays '' and is not NULL
  EXPECT_EQ(stmt.column_optional_text(0), std::optional<std::string>(""));
  ASSERT_TRUE(stmt.step().value());
  EXPECT_EQ(stmt.column_optional_text(0), std::nullopt);
  EXPECT_FALSE(stmt.step().value());
}

TEST(Database, BackupCopiesALiveDatabaseWhileAnotherConnectionWrites) {
  TempDir dir;
  const auto path = dir.file("live.db");
  const auto copy = dir.file("copy.db");
  auto source = Database::open(path).value();
  ASSERT_TRUE(source.exec("CREATE TABLE t (v INTEGER NOT NULL)").has_value());
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(source.prepare("INSERT INTO t VALUES (?1)")->bind(1, i).run());
  }
  std::atomic<bool> stop{false};
  std::atomic<int> written{0};
  std::atomic<bool> writer_failed{false};
  std::thread writer([&] {
    auto db = Database::open(path).value();
    auto insert = db.prepare("INSERT INTO t VALUES (?1)").value();
    for (int i = 0; !stop.load() || i < 50; ++i) {
      insert.reset();
      if (!insert.bind(1, 1000 + i).run()) writer_failed = true;
      ++written;
    }
  });
  while (written.load() < 20) std::this_thread::yield();
  auto backup = source.backup_to(copy);
  stop = true;
  writer.join();
  ASSERT_TRUE(backup.has_value()) << backup.error().message;
  EXPECT_FALSE(writer_failed.load());

  auto restored = Database::open(copy);
  ASSERT_TRUE(restored.has_value()) << restored.error().message;
  EXPECT_EQ(pragma_text(*restored, "PRAGMA integrity_check"), "ok");
  const int64_t rows = count_rows(*restored, "SELECT count(*) FROM t");
  EXPECT_GE(rows, 200 + 20);
  EXPECT_LE(rows, 200 + written.load());
  EXPECT_EQ(restored->schema_version(), Database::known_schema_version());
}

TEST(Database, OpeningAPathInAMissingDirectoryIsUnavailable) {
  TempDir dir;
  auto db = Database::open(dir.file("no/such/dir/x.db"));
  ASSERT_FALSE(db.has_value());
  EXPECT_EQ(db.error().code, ErrorCode::unavailable);
}

TEST(Database, OpeningAFileThatIsNotADatabaseFails) {
  TempDir dir;
  const auto path = dir.file("junk.db");
  {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::string junk(4096, 'x');
    std::fwrite(junk.data(), 1, junk.size(), f);
    std::fclose(f);
  }
  auto db = Database::open(path);
  ASSERT_FALSE(db.has_value());
}

}  // namespace
}  // namespace chophien::core
