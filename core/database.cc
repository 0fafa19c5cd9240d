#include "core/database.h"

#include <sqlite3.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/statement_cache.h"
#include "migrations.h"

namespace chophien::core {

namespace {

constexpr int kBusyTimeoutMs = 5000;

// Maps an SQLite result code to our error kinds. Contention is `unavailable` (the caller may retry
// later); a violated constraint is `conflict`; anything else is a bug or a broken file.
Error sqlite_error(sqlite3* db, int rc, std::string_view what) {
  std::string message(what);
  message += ": ";
  message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Error{ErrorCode::unavailable, "database is busy", {}};
    case SQLITE_CONSTRAINT:
      return Error{ErrorCode::conflict, std::move(message), {}};
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_FULL:
    case SQLITE_IOERR:
      return Error{ErrorCode::unavailable, std::move(message), {}};
    default:
      return Error{ErrorCode::internal, std::move(message), {}};
  }
}

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

// The embedded migrations, ordered by number. A file whose name does not start with a positive
// number, or two files with the same number, is a packaging bug.
const std::vector<Migration>& migrations() {
  static const std::vector<Migration> list = [] {
    std::vector<Migration> out;
    for (const auto& file : embedded::migrations()) {
      int version = 0;
      auto [end, ec] =
          std::from_chars(file.name.data(), file.name.data() + file.name.size(), version);
      if (ec != std::errc() || version <= 0 || end == file.name.data()) {
        throw std::logic_error("migration file name must start with its number: " +
                               std::string(file.name));
      }
      out.push_back(Migration{version, file.name, file.data});
    }
    std::sort(out.begin(), out.end(),
              [](const Migration& a, const Migration& b) { return a.version < b.version; });
    for (size_t i = 1; i < out.size(); ++i) {
      if (out[i].version == out[i - 1].version) {
        throw std::logic_error("two migrations share number " + std::to_string(out[i].version));
      }
    }
    return out;
  }();
  return list;
}

Result<int> read_user_version(sqlite3* db) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(db, rc, "reading schema version");
  rc = sqlite3_step(stmt);
  int version = rc == SQLITE_ROW ? sqlite3_column_int(stmt, 0) : 0;
  sqlite3_finalize(stmt);
  if (rc != SQLITE_ROW) return sqlite_error(db, rc, "reading schema version");
  return version;
}

Result<void> exec_raw(sqlite3* db, const std::string& sql, std::string_view what) {
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(db, rc, what);
  return {};
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Statement

Statement::Statement(Statement&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), stmt_(std::exchange(other.stmt_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = std::exchange(other.db_, nullptr);
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

// A failed bind means a wrong index or a statement misuse: a bug, so it throws.
static void check_bind(sqlite3* db, int rc) {
  if (rc != SQLITE_OK) throw std::logic_error(std::string("sqlite bind: ") + sqlite3_errmsg(db));
}

Statement& Statement::bind(int index, int64_t value) {
  check_bind(db_, sqlite3_bind_int64(stmt_, index, value));
  return *this;
}

Statement& Statement::bind(int index, double value) {
  check_bind(db_, sqlite3_bind_double(stmt_, index, value));
  return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
  // A non-null pointer even for empty text, so "" is stored as '' and not NULL.
  check_bind(db_, sqlite3_bind_text64(stmt_, index, text.empty() ? "" : text.data(), text.size(),
                                      SQLITE_TRANSIENT, SQLITE_UTF8));
  return *this;
}

Statement& Statement::bind_blob(int index, std::string_view bytes) {
  check_bind(db_, sqlite3_bind_blob64(stmt_, index, bytes.empty() ? "" : bytes.data(), bytes.size(),
                                      SQLITE_TRANSIENT));
  return *this;
}

Statement& Statement::bind_null(int index) {
  check_bind(db_, sqlite3_bind_null(stmt_, index));
  return *this;
}

Result<bool> Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Error error = sqlite_error(db_, rc, "statement");
  // Leave the statement reusable after a failure.
  sqlite3_reset(stmt_);
  return error;
}

Result<void> Statement::run() {
  for (;;) {
    auto row = step();
    if (!row) return row.error();
    if (!*row) break;
  }
  sqlite3_reset(stmt_);
  return {};
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int64_t Statement::column_int(int column) const { return sqlite3_column_int64(stmt_, column); }

double Statement::column_double(int column) const { return sqlite3_column_double(stmt_, column); }

std::string Statement::column_text(int column) const {
  const auto* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::optional<std::string> Statement::column_optional_text(int column) const {
  if (column_is_null(column)) return std::nullopt;
  return column_text(column);
}

std::optional<int64_t> Statement::column_optional_int(int column) const {
  if (column_is_null(column)) return std::nullopt;
  return column_int(column);
}

bool Statement::column_is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

// ---------------------------------------------------------------------------------------------
// Transaction

Transaction::Transaction(Transaction&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), done_(std::exchange(other.done_, true)) {}

Transaction::~Transaction() {
  if (done_ || db_ == nullptr || db_->handle() == nullptr) return;
  // SQLite may already have rolled back on its own (some errors do); then there is nothing to do.
  if (sqlite3_get_autocommit(db_->handle()) == 0) {
    sqlite3_exec(db_->handle(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
}

Result<void> Transaction::commit() {
  if (done_ || db_ == nullptr) throw std::logic_error("Transaction::commit() called twice");
  int rc = db_->run_kept(db_->commit_, "COMMIT");
  if (rc != SQLITE_OK) return sqlite_error(db_->handle(), rc, "commit");
  done_ = true;
  return {};
}

// ---------------------------------------------------------------------------------------------
// Database

Result<Database> Database::open(const std::string& path) { return open_up_to(path, 1 << 30); }

Result<Database> Database::open_up_to(const std::string& path, int version) {
  if (path.empty()) return invalid_input("database path is empty", "db");
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Error error = sqlite_error(db, rc, "opening " + path);
    error.code = ErrorCode::unavailable;
    sqlite3_close(db);
    return error;
  }
  Database database(db, path);
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  // journal_mode is persistent in the file; setting it again when already WAL is a no-op.
  for (const char* pragma :
       {"PRAGMA foreign_keys = ON", "PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL"}) {
    if (auto ok = exec_raw(db, pragma, "configuring connection"); !ok) return ok.error();
  }
  if (auto ok = database.migrate(version); !ok) return ok.error();
  return database;
}

Result<Database> Database::open_in_memory() {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      ":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Error error = sqlite_error(db, rc, "opening in-memory database");
    sqlite3_close(db);
    return error;
  }
  Database database(db, ":memory:");
  sqlite3_extended_result_codes(db, 1);
  if (auto ok = exec_raw(db, "PRAGMA foreign_keys = ON", "configuring connection"); !ok) {
    return ok.error();
  }
  if (auto ok = database.migrate(); !ok) return ok.error();
  return database;
}

Database::Database(Database&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)),
      path_(std::move(other.path_)),
      begin_(std::exchange(other.begin_, nullptr)),
      commit_(std::exchange(other.commit_, nullptr)),
      shelf_(std::move(other.shelf_)) {}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    close();
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
    begin_ = std::exchange(other.begin_, nullptr);
    commit_ = std::exchange(other.commit_, nullptr);
    shelf_ = std::move(other.shelf_);
  }
  return *this;
}

Database::~Database() { close(); }

// close_v2: if a Statement outlives its Database (a bug) the handle closes when it is finalized.
void Database::close() {
  shelf_.reset();  // finalizes the kept statements
  sqlite3_finalize(std::exchange(begin_, nullptr));
  sqlite3_finalize(std::exchange(commit_, nullptr));
  sqlite3_close_v2(std::exchange(db_, nullptr));
}

void Database::ShelfDeleter::operator()(StatementShelf* shelf) const { delete shelf; }

StatementShelf& Database::shelf() {
  if (!shelf_) shelf_.reset(new StatementShelf);
  return *shelf_;
}

// BEGIN and COMMIT run on every write: prepared once per connection, reset right after running.
int Database::run_kept(sqlite3_stmt*& kept, const char* sql) {
  if (kept == nullptr) {
    int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &kept, nullptr);
    if (rc != SQLITE_OK) return rc;
  }
  int rc = sqlite3_step(kept);
  sqlite3_reset(kept);
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

Result<Statement> Database::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), 0, &stmt, &tail);
  if (rc != SQLITE_OK) return sqlite_error(db_, rc, "preparing statement");
  if (stmt == nullptr) throw std::logic_error("prepare: empty SQL");
  // More than one statement in one prepare is a bug: the rest would silently never run.
  for (const char* p = tail; p != nullptr && p < sql.data() + sql.size(); ++p) {
    if (*p != ' ' && *p != '\n' && *p != '\t' && *p != '\r' && *p != ';') {
      sqlite3_finalize(stmt);
      throw std::logic_error("prepare: more than one statement: " + std::string(sql));
    }
  }
  return Statement(db_, stmt);
}

Result<void> Database::exec(std::string_view sql) {
  return exec_raw(db_, std::string(sql), "exec");
}

Result<JoinedTransaction> Database::begin_or_join() {
  JoinedTransaction t;
  if (!in_transaction()) {
    auto tx = begin();
    if (!tx) return tx.error();
    t.own_.emplace(std::move(*tx));
  }
  return t;
}

Result<Transaction> Database::begin() {
  int rc = run_kept(begin_, "BEGIN IMMEDIATE");
  if (rc != SQLITE_OK) return sqlite_error(db_, rc, "begin");
  return Transaction(this);
}

void Database::set_busy_timeout(int milliseconds) { sqlite3_busy_timeout(db_, milliseconds); }

bool Database::in_transaction() const { return db_ != nullptr && sqlite3_get_autocommit(db_) == 0; }

int64_t Database::last_insert_id() const { return sqlite3_last_insert_rowid(db_); }

int Database::changes() const { return sqlite3_changes(db_); }

int Database::schema_version() const {
  auto version = read_user_version(db_);
  return version ? *version : -1;
}

int Database::known_schema_version() {
  const auto& list = migrations();
  return list.empty() ? 0 : list.back().version;
}

Result<void> Database::migrate(int up_to) {
  auto current = read_user_version(db_);
  if (!current) return current.error();
  const int known = known_schema_version();
  if (*current > known) {
    return Error{ErrorCode::internal,
                 "database schema version " + std::to_string(*current) +
                     " is newer than this program knows (" + std::to_string(known) +
                     "); use a newer chophien",
                 {}};
  }
  for (const auto& migration : migrations()) {
    if (migration.version <= *current) continue;
    if (migration.version > up_to) break;
    auto tx = begin();
    if (!tx) return tx.error();
    // Another process may have applied it between our read and our BEGIN IMMEDIATE.
    auto now = read_user_version(db_);
    if (!now) return now.error();
    if (*now >= migration.version) {
      *current = *now;
      continue;
    }
    std::string sql(migration.sql);
    if (auto ok = exec_raw(db_, sql, "migration " + std::string(migration.name)); !ok) {
      Error error = ok.error();
      error.code = ErrorCode::internal;
      return error;
    }
    // The version is our own constant, not input; PRAGMA cannot take a bound parameter.
    if (auto ok = exec_raw(db_, "PRAGMA user_version = " + std::to_string(migration.version),
                           "recording schema version");
        !ok) {
      return ok.error();
    }
    if (auto ok = tx->commit(); !ok) return ok.error();
    *current = migration.version;
  }
  return {};
}

Result<void> Database::backup_to(const std::string& destination) {
  if (destination.empty()) return invalid_input("backup destination is empty", "out");
  sqlite3* dest = nullptr;
  int rc =
      sqlite3_open_v2(destination.c_str(), &dest,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Error error = sqlite_error(dest, rc, "opening backup destination");
    error.code = ErrorCode::unavailable;
    sqlite3_close(dest);
    return error;
  }
  sqlite3_busy_timeout(dest, kBusyTimeoutMs);
  sqlite3_backup* backup = sqlite3_backup_init(dest, "main", db_, "main");
  if (backup == nullptr) {
    Error error = sqlite_error(dest, sqlite3_errcode(dest), "starting backup");
    sqlite3_close(dest);
    return error;
  }
  // All pages in one step: one read transaction on the source, so the copy is a consistent
  // snapshot, and in WAL mode writers on other connections are not blocked meanwhile.
  int attempts = 0;
  do {
    rc = sqlite3_backup_step(backup, -1);
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
      if (++attempts > 100) break;
      sqlite3_sleep(50);
    }
  } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
  sqlite3_backup_finish(backup);
  Result<void> result;
  if (rc != SQLITE_DONE) result = sqlite_error(dest, rc, "backup");
  sqlite3_close(dest);
  return result;
}

}  // namespace chophien::core
