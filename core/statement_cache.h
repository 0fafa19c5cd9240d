#pragma once
// Prepared statements kept for reuse on one connection, so hot paths (checkout, payment matching,
// bank notifications) do not parse the same SQL again and again. The statements live on the
// connection (Database::shelf()), not in the cache object: a store made per request (a server
// handler's OrderStore or PaymentStore) finds the statements the previous request on the same
// connection prepared. At most StatementShelf::kMaxKept are kept per connection; past that, one
// that is not lent out is finalized to make room.
//
// get() lends a statement; the Lease resets it (and clears its bindings) when it goes, so no
// statement stays active between uses (an active SELECT would keep a read snapshot open). If the
// same SQL is already lent out, a fresh statement is prepared for the second borrower.
//
// Thread-safety: like the Database it uses, one thread at a time. Must not outlive the Database;
// a Lease must not outlive the connection either.

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/database.h"
#include "core/result.h"

namespace chophien::core {

struct StatementShelf {
  static constexpr size_t kMaxKept = 64;
  struct Entry {
    Statement statement;
    bool in_use = false;
  };
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view sql) const { return std::hash<std::string_view>{}(sql); }
  };
  std::unordered_map<std::string, std::unique_ptr<Entry>, Hash, std::equal_to<>> entries;
};

class StatementCache {
 public:
  explicit StatementCache(Database& db) : db_(db) {}

  class Lease {
   public:
    Lease(Lease&& other) noexcept
        : statement_(other.statement_), in_use_(other.in_use_), own_(std::move(other.own_)) {
      if (own_) statement_ = &*own_;
      other.statement_ = nullptr;
      other.in_use_ = nullptr;
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (statement_) statement_->reset();
      if (in_use_) *in_use_ = false;
    }
    Statement& get() { return *statement_; }

   private:
    friend class StatementCache;
    Lease(Statement* statement, bool* in_use) : statement_(statement), in_use_(in_use) {}
    explicit Lease(Statement owned) : own_(std::move(owned)) { statement_ = &*own_; }
    Statement* statement_ = nullptr;
    bool* in_use_ = nullptr;
    std::optional<Statement> own_;
  };

  Result<Lease> get(std::string_view sql) {
    auto& entries = db_.shelf().entries;
    auto found = entries.find(sql);
    if (found == entries.end()) {
      auto prepared = db_.prepare(sql);
      if (!prepared) return prepared.error();
      if (entries.size() >= StatementShelf::kMaxKept) {
        auto idle = entries.begin();
        while (idle != entries.end() && idle->second->in_use) ++idle;
        if (idle == entries.end()) return Lease(std::move(*prepared));  // all lent out
        entries.erase(idle);
      }
      found = entries
                  .emplace(std::string(sql), std::make_unique<StatementShelf::Entry>(
                                                 StatementShelf::Entry{std::move(*prepared)}))
                  .first;
    }
    StatementShelf::Entry& entry = *found->second;
    if (entry.in_use) {
      auto prepared = db_.prepare(sql);
      if (!prepared) return prepared.error();
      return Lease(std::move(*prepared));
    }
    entry.in_use = true;
    return Lease(&entry.statement, &entry.in_use);
  }

 private:
  Database& db_;
};

}  // namespace chophien::core
