#pragma once
// SQLite storage: one file (or memory), RAII statements and transactions, embedded numbered
// migrations (core/sql/NNNN_name.sql) applied at open. Every connection turns on foreign keys,
// WAL journal mode (files), synchronous=NORMAL and a busy timeout.
//
// Thread-safety: a Database is one connection and must be used by one thread at a time. For
// concurrent work (server threads, tests racing) open one Database per thread on the same file;
// SQLite's locking and the busy timeout serialise writers.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace chophien::core {

class Database;
struct StatementShelf;  // core/statement_cache.h: the statements a connection keeps prepared

// A prepared statement; finalized on destruction. Parameters are 1-based (?1, ?2, ...).
class Statement {
 public:
  Statement(Statement&&) noexcept;
  Statement& operator=(Statement&&) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Statement& bind(int index, int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<int64_t>(value)); }
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view text);  // copied (SQLITE_TRANSIENT)
  Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, const std::string& text) {
    return bind(index, std::string_view(text));
  }
  Statement& bind_blob(int index, std::string_view bytes);
  Statement& bind_null(int index);
  template <typename T>
  Statement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind_null(index);
  }

  // Steps once. true: a row is available; false: done. SQLITE_BUSY past the timeout gives
  // ErrorCode::unavailable; constraint violations give ErrorCode::conflict.
  Result<bool> step();
  // Steps to completion, for statements that return no rows.
  Result<void> run();
  void reset();  // resets and clears bindings, ready for reuse

  int64_t column_int(int column) const;
  double column_double(int column) const;
  std::string column_text(int column) const;  // "" for NULL
  std::optional<std::string> column_optional_text(int column) const;
  std::optional<int64_t> column_optional_int(int column) const;
  bool column_is_null(int column) const;

 private:
  friend class Database;
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

// BEGIN IMMEDIATE on construction (so writers queue at the start, not at the first write);
// rolls back on destruction unless commit() succeeded. Refers to its Database, which must outlive
// it and must not be moved meanwhile. begin() fails with unavailable when the database stays busy.
class Transaction {
 public:
  Transaction(Transaction&&) noexcept;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();
  Result<void> commit();

 private:
  friend class Database;
  explicit Transaction(Database* db) : db_(db) {}
  Database* db_;
  bool done_ = false;
};

// A transaction of its own when none is open on the connection; otherwise the work joins the
// open one, whose owner commits or rolls back. For store methods that a caller may run inside
// its own transaction (a page writing a change and its action-log entry together).
class JoinedTransaction {
 public:
  Result<void> commit() { return own_ ? own_->commit() : Result<void>(); }

 private:
  friend class Database;
  std::optional<Transaction> own_;
};

class Database {
 public:
  // Opens (creating if needed) and migrates. Errors: unavailable (cannot open, locked), internal
  // (a migration failed; the file is left at the last good version).
  static Result<Database> open(const std::string& path);
  static Result<Database> open_in_memory();
  // open(), migrating only up to `version` (when the file is older): how a test of a migration
  // makes a file of the schema before it, with rows of that time, and then open()s it.
  static Result<Database> open_up_to(const std::string& path, int version);

  Database(Database&&) noexcept;
  Database& operator=(Database&&) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  Result<Statement> prepare(std::string_view sql);
  // Runs SQL without parameters (schema, pragmas). Not for values: those are always bound.
  Result<void> exec(std::string_view sql);
  Result<Transaction> begin();
  // See JoinedTransaction.
  Result<JoinedTransaction> begin_or_join();

  // True between BEGIN and COMMIT/ROLLBACK (false again if SQLite rolled back on its own).
  bool in_transaction() const;
  int64_t last_insert_id() const;
  int changes() const;
  int schema_version() const;  // PRAGMA user_version
  // The highest migration number embedded in this binary. Opening a file whose user_version is
  // higher fails with ErrorCode::internal rather than risk writing to a schema we do not know.
  static int known_schema_version();
  const std::string& path() const { return path_; }

  // Copies this live database into `destination` with SQLite's online backup API.
  Result<void> backup_to(const std::string& destination);

  // How long a statement waits for another connection's lock before failing with unavailable
  // (default 5 seconds).
  void set_busy_timeout(int milliseconds);

  sqlite3* handle() { return db_; }

  // The prepared statements this connection keeps for StatementCache (core/statement_cache.h),
  // so that they outlive the stores that use them. Finalized when the connection closes.
  StatementShelf& shelf();

 private:
  struct ShelfDeleter {
    void operator()(StatementShelf* shelf) const;
  };
  friend class Transaction;
  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  Result<void> migrate(int up_to = 1 << 30);
  void close();
  // Runs a parameterless statement kept prepared in `kept`; returns an SQLite result code.
  int run_kept(sqlite3_stmt*& kept, const char* sql);
  sqlite3* db_ = nullptr;
  std::string path_;
  sqlite3_stmt* begin_ = nullptr;
  sqlite3_stmt* commit_ = nullptr;
  std::unique_ptr<StatementShelf, ShelfDeleter> shelf_;
};

}  // namespace chophien::core
