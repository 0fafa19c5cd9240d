#pragma once
// The workspace's action log (table workspace_actions, migration 0013): who changed what of which
// producer through the pages, and whether an officer did it on the producer's behalf (helper
// mode). Append-only; shown on the producer's pages and to officers.
//
// Errors are values: invalid_input (field "action" or "subject") for an empty or too long key or
// subject, not_found when the user or producer does not exist, unavailable when the database stays
// busy. Not thread-safe: one AuditLog per Database (per thread).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/database.h"
#include "core/result.h"

namespace chophien::core {

struct AuditEntry {
  int64_t id = 0;
  int64_t at = 0;  // Unix seconds
  int64_t user_id = 0;
  std::string user_name;  // the user's display name at the time of reading
  std::optional<int64_t> producer_id;
  bool on_behalf = false;  // an officer or administrator acting for the producer
  std::string action;      // e.g. "product.create"
  std::string subject;     // e.g. the product's name
};

struct AuditRecord {
  int64_t user_id = 0;
  std::optional<int64_t> producer_id;
  bool on_behalf = false;
  std::string action;   // 1..64 bytes
  std::string subject;  // 0..200 characters, cut on a character boundary when longer
};

class AuditLog {
 public:
  AuditLog(Database& db, const Clock& clock) : db_(db), clock_(clock) {}

  // Appends one entry stamped with the clock's time. Call it inside the transaction of the change
  // it describes so that both are kept or neither.
  Result<AuditEntry> record(const AuditRecord& record);

  // The newest first, at most `limit` (1..500) entries of one producer.
  Result<std::vector<AuditEntry>> for_producer(int64_t producer_id, int limit = 50);
  // The newest first across every producer and installation-wide actions.
  Result<std::vector<AuditEntry>> recent(int limit = 50);
  // The newest first of one action across every producer (e.g. the receiving-account changes).
  Result<std::vector<AuditEntry>> recent_of(std::string_view action, int limit = 50);

 private:
  Result<std::vector<AuditEntry>> query(std::optional<int64_t> producer_id,
                                        std::optional<std::string> action, int limit);
  Database& db_;
  const Clock& clock_;
};

}  // namespace chophien::core
