#pragma once
// Prepared statements kept for reuse by one store on one connection, so hot paths (checkout,
// payment matching) do not parse the same SQL again and again. get() lends a statement; the
// Lease resets it (and clears its bindings) when it goes, so no statement stays active between
// uses (an active SELECT would keep a read snapshot open). If the same SQL is already lent out,
// a fresh statement is prepared for the second borrower.
//
// Thread-safety: like the Database it uses, one thread at a time. Must not outlive the Database.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/database.h"
#include "core/result.h"

namespace chophien::core {

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
    auto found = entries_.find(std::string(sql));
    if (found == entries_.end()) {
      auto prepared = db_.prepare(sql);
      if (!prepared) return prepared.error();
      found = entries_
                  .emplace(std::string(sql),
                           std::make_unique<Entry>(Entry{std::move(*prepared), false}))
                  .first;
    }
    Entry& entry = *found->second;
    if (entry.in_use) {
      auto prepared = db_.prepare(sql);
      if (!prepared) return prepared.error();
      return Lease(std::move(*prepared));
    }
    entry.in_use = true;
    return Lease(&entry.statement, &entry.in_use);
  }

 private:
  struct Entry {
    Statement statement;
    bool in_use;
  };
  Database& db_;
  std::unordered_map<std::string, std::unique_ptr<Entry>> entries_;
};

}  // namespace chophien::core
