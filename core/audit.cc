#include "core/audit.h"

#include "core/text.h"

namespace chophien::core {
namespace {

constexpr size_t kMaxActionBytes = 64;
constexpr size_t kMaxSubjectChars = 200;

// The first `max_chars` characters of valid UTF-8 `text`.
std::string cut_chars(std::string_view text, size_t max_chars) {
  size_t chars = 0;
  size_t i = 0;
  while (i < text.size()) {
    if (chars == max_chars) return std::string(text.substr(0, i));
    const auto lead = static_cast<unsigned char>(text[i]);
    i += lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    ++chars;
  }
  return std::string(text);
}

}  // namespace

Result<AuditEntry> AuditLog::record(const AuditRecord& record) {
  if (record.action.empty() || record.action.size() > kMaxActionBytes) {
    return invalid_input("action must be 1 to 64 bytes", "action");
  }
  if (!is_valid_utf8(record.subject)) {
    return invalid_input("subject must be valid UTF-8", "subject");
  }
  AuditEntry entry;
  entry.at = clock_.now();
  entry.user_id = record.user_id;
  entry.producer_id = record.producer_id;
  entry.on_behalf = record.on_behalf;
  entry.action = record.action;
  entry.subject = cut_chars(record.subject, kMaxSubjectChars);
  auto stmt = db_.prepare(
      "INSERT INTO workspace_actions (at, user_id, producer_id, on_behalf, action, subject) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (!stmt) return stmt.error();
  stmt->bind(1, entry.at)
      .bind(2, entry.user_id)
      .bind(3, entry.producer_id)
      .bind(4, entry.on_behalf ? 1 : 0)
      .bind(5, entry.action)
      .bind(6, entry.subject);
  if (auto done = stmt->run(); !done) {
    if (done.error().code == ErrorCode::conflict) {
      return not_found("the user or the producer does not exist");
    }
    return done.error();
  }
  entry.id = db_.last_insert_id();
  return entry;
}

Result<std::vector<AuditEntry>> AuditLog::for_producer(int64_t producer_id, int limit) {
  return query(producer_id, std::nullopt, limit);
}

Result<std::vector<AuditEntry>> AuditLog::recent(int limit) {
  return query(std::nullopt, std::nullopt, limit);
}

Result<std::vector<AuditEntry>> AuditLog::recent_of(std::string_view action, int limit) {
  return query(std::nullopt, std::string(action), limit);
}

Result<std::vector<AuditEntry>> AuditLog::query(std::optional<int64_t> producer_id,
                                                std::optional<std::string> action, int limit) {
  if (limit < 1 || limit > 500) return invalid_input("limit must be 1 to 500", "limit");
  auto stmt = db_.prepare(
      "SELECT a.id, a.at, a.user_id, u.display_name, a.producer_id, a.on_behalf, a.action, "
      "a.subject FROM workspace_actions a JOIN users u ON u.id = a.user_id "
      "WHERE (?1 IS NULL OR a.producer_id = ?1) AND (?3 IS NULL OR a.action = ?3) "
      "ORDER BY a.at DESC, a.id DESC LIMIT ?2");
  if (!stmt) return stmt.error();
  stmt->bind(1, producer_id).bind(2, limit).bind(3, action);
  std::vector<AuditEntry> entries;
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) break;
    AuditEntry e;
    e.id = stmt->column_int(0);
    e.at = stmt->column_int(1);
    e.user_id = stmt->column_int(2);
    e.user_name = stmt->column_text(3);
    e.producer_id = stmt->column_optional_int(4);
    e.on_behalf = stmt->column_int(5) != 0;
    e.action = stmt->column_text(6);
    e.subject = stmt->column_text(7);
    entries.push_back(std::move(e));
  }
  return entries;
}

}  // namespace chophien::core
