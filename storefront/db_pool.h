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
// Writers: SQLite has one writer per file. Rather than letting concurrent writers spin on the
// busy timeout, every write path of the server takes the process-wide writer lock:
//
//   auto db = app.db.acquire_writer();     // blocks until no other writer of this process runs
//   if (!db) return write_error(req, res, db.error());
//   core::OrderStore(*db, clock).checkout(...);   // its BEGIN IMMEDIATE then never waits on us
//
// The writer Lease holds the lock until destroyed. Never take a second writer Lease on the same
// thread while holding one (the lock is not recursive). Writes by other processes (`chophien
// import`) still meet SQLite's busy timeout.
//
// Catalogue generation: generation() is a process-wide counter that grows after every committed
// write transaction on any connection of this pool (an SQLite WAL hook, which runs once the commit
// is visible to other connections), whichever route made it. Caches of rendered pages compare it
// to decide whether what they hold may be stale. A route that changes what pages show without a
// database commit (none today) calls note_change(). Writes made by other processes are not seen:
// caches bound their age for those.
//
// In-memory databases cannot be shared between connections, so DbPool always works on a file
// (tests use a temporary file). Thread-safety: every member may be called from any thread, except
// close(), which must be called (or the pool destroyed) only when no Lease is alive.

#include <atomic>
#include <cstdint>
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
    Lease(Lease&& other) noexcept
        : pool_(other.pool_), db_(std::move(other.db_)), writer_(std::move(other.writer_)) {
      other.pool_ = nullptr;
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    core::Database& operator*() { return *db_; }
    core::Database* operator->() { return db_.get(); }
    operator core::Database&() { return *db_; }  // NOLINT(google-explicit-constructor)
    // True for a Lease from acquire_writer() (it holds the writer lock).
    bool is_writer() const { return writer_.owns_lock(); }

   private:
    friend class DbPool;
    Lease(DbPool* pool, std::unique_ptr<core::Database> db) : pool_(pool), db_(std::move(db)) {}
    DbPool* pool_;
    std::unique_ptr<core::Database> db_;
    std::unique_lock<std::mutex> writer_;  // released after the connection is returned
  };

  // An idle connection, or a new one. Errors: unavailable when the file cannot be opened, or
  // when the pool is closed (shutting down).
  Result<Lease> acquire();

  // Like acquire(), after waiting for the writer lock (see above). Same errors.
  Result<Lease> acquire_writer();

  // The writer lock alone, for a handler that holds a plain Lease and writes in only a short part
  // of its work (it reads and checks first): hold the returned lock around the writes. Never call
  // it while this thread holds a writer Lease.
  [[nodiscard]] std::unique_lock<std::mutex> lock_writer() {
    return std::unique_lock(writer_mutex_);
  }

  // The catalogue generation (see above). Starts at 1; never decreases.
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  // Bumps the generation by hand, for a change the database does not see.
  void note_change() { generation_.fetch_add(1, std::memory_order_acq_rel); }

  // Checkpoints the WAL into the main file (TRUNCATE) and closes every idle connection. Returns
  // the checkpoint's outcome; later acquire() calls fail with unavailable.
  Result<void> close();

  const std::string& path() const { return path_; }
  size_t open_connections() const;

 private:
  explicit DbPool(std::string path) : path_(std::move(path)) {}
  void release(std::unique_ptr<core::Database> db);
  // Installs the commit-watching WAL hook on a connection of this pool.
  void watch(core::Database& db);

  std::string path_;
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<core::Database>> idle_;
  size_t open_ = 0;
  bool closed_ = false;
  std::mutex writer_mutex_;
  std::atomic<uint64_t> generation_{1};
};

}  // namespace chophien::storefront
