#include "storefront/db_pool.h"

#include <sqlite3.h>

namespace chophien::storefront {
namespace {

// SQLite's own automatic checkpoint is a WAL hook too, and installing ours replaces it; this
// keeps its behaviour (a passive checkpoint once the log holds 1000 pages).
constexpr int kCheckpointPages = 1000;

int on_commit(void* generation, sqlite3* db, const char* schema, int pages) {
  static_cast<std::atomic<uint64_t>*>(generation)->fetch_add(1, std::memory_order_acq_rel);
  if (pages >= kCheckpointPages)
    sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  return SQLITE_OK;
}

}  // namespace

void DbPool::watch(core::Database& db) { sqlite3_wal_hook(db.handle(), on_commit, &generation_); }

Result<std::unique_ptr<DbPool>> DbPool::open(const std::string& path) {
  auto db = core::Database::open(path);
  if (!db) return db.error();
  std::unique_ptr<DbPool> pool(new DbPool(path));
  pool->idle_.push_back(std::make_unique<core::Database>(std::move(*db)));
  pool->watch(*pool->idle_.back());
  pool->open_ = 1;
  return pool;
}

DbPool::~DbPool() { (void)close(); }

DbPool::Lease::~Lease() {
  if (pool_ != nullptr && db_ != nullptr) pool_->release(std::move(db_));
}

Result<DbPool::Lease> DbPool::acquire() {
  {
    std::lock_guard lock(mutex_);
    if (closed_) return Error{ErrorCode::unavailable, "the server is shutting down", ""};
    if (!idle_.empty()) {
      auto db = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(db));
    }
  }
  // Opening runs outside the lock: it touches the file and may wait on its busy timeout. The
  // schema is already migrated by open(), so this only reads user_version.
  auto db = core::Database::open(path_);
  if (!db) return Error{ErrorCode::unavailable, "database unavailable", ""};
  auto owned = std::make_unique<core::Database>(std::move(*db));
  watch(*owned);
  std::lock_guard lock(mutex_);
  ++open_;
  return Lease(this, std::move(owned));
}

Result<DbPool::Lease> DbPool::acquire_writer() {
  // The lock is taken before the connection so that waiting writers do not each hold one.
  auto writer = lock_writer();
  auto lease = acquire();
  if (!lease) return lease.error();
  lease->writer_ = std::move(writer);
  return lease;
}

void DbPool::release(std::unique_ptr<core::Database> db) {
  std::lock_guard lock(mutex_);
  if (closed_) {
    --open_;
    return;  // closes the connection
  }
  idle_.push_back(std::move(db));
}

size_t DbPool::open_connections() const {
  std::lock_guard lock(mutex_);
  return open_;
}

Result<void> DbPool::close() {
  std::vector<std::unique_ptr<core::Database>> to_close;
  {
    std::lock_guard lock(mutex_);
    if (closed_) return {};
    closed_ = true;
    to_close.swap(idle_);
    open_ -= to_close.size();
  }
  Result<void> outcome;
  if (!to_close.empty()) {
    // SQLite checkpoints and deletes the -wal file when the last connection closes; doing it
    // explicitly first makes a failure visible instead of silent.
    outcome = to_close.front()->exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }
  to_close.clear();
  return outcome;
}

}  // namespace chophien::storefront
