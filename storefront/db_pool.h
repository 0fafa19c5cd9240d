#pragma once
// Database connections for the server's worker threads: one core::Database per concurrent user of
// the same file (SQLite connections are single-threaded; WAL lets readers run beside a writer).
// Connections are opened on demand, kept for reuse, and never exceed the number of threads that
// hold one at the same time (the server's thread pool size).
//
//   auto db = app.db.acquire();            // Result<DbPool::Lease>
//   if (!db) return write_error(req, res, db.error());
//   core::Users users(*db, clock);          // Lease converts to Database&
//
// In-memory databases cannot be shared between connections, so DbPool always works on a file
// (tests use a temporary file). Thread-safety: acquire() and the Lease destructor may be called
// from any thread. close() must be called (or the pool destroyed) only when no Lease is alive.

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/database.h"
#include "core/result.h"

namespace chophien::storefront {

class DbPool {
 public:
  // Opens the file once (creating it and applying migrations) so errors show at start-up.
  // Errors: those of core::Database::open.
  static Result<std::unique_ptr<DbPool>> open(const std::string& path);

  ~DbPool();
  DbPool(const DbPool&) = delete;
  DbPool& operator=(const DbPool&) = delete;

  // A connection for the current thread until the Lease is destroyed.
  class Lease {
   public:
    Lease(Lease&& other) noexcept : pool_(other.pool_), db_(std::move(other.db_)) {
      other.pool_ = nullptr;
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    core::Database& operator*() { return *db_; }
    core::Database* operator->() { return db_.get(); }
    operator core::Database&() { return *db_; }  // NOLINT(google-explicit-constructor)

   private:
    friend class DbPool;
    Lease(DbPool* pool, std::unique_ptr<core::Database> db) : pool_(pool), db_(std::move(db)) {}
    DbPool* pool_;
    std::unique_ptr<core::Database> db_;
  };

  // An idle connection, or a new one. Errors: unavailable when the file cannot be opened, or
  // when the pool is closed (shutting down).
  Result<Lease> acquire();

  // Checkpoints the WAL into the main file (TRUNCATE) and closes every idle connection. Returns
  // the checkpoint's outcome; later acquire() calls fail with unavailable.
  Result<void> close();

  const std::string& path() const { return path_; }
  size_t open_connections() const;

 private:
  explicit DbPool(std::string path) : path_(std::move(path)) {}
  void release(std::unique_ptr<core::Database> db);

  std::string path_;
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<core::Database>> idle_;
  size_t open_ = 0;
  bool closed_ = false;
};

}  // namespace chophien::storefront
