#include "storefront/db_pool.h"

namespace chophien::storefront {

Result<std::unique_ptr<DbPool>> DbPool::open(const std::string& path) {
  auto db = core::Database::open(path);
  if (!db) return db.error();
  std::unique_ptr<DbPool> pool(new DbPool(path));
  pool->idle_.push_back(std::make_unique<core::Database>(std::move(*db)));
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
  std::lock_guard lock(mutex_);
  ++open_;
  return Lease(this, std::make_unique<core::Database>(std::move(*db)));
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
