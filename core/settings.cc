#include "core/settings.h"

#include "core/text.h"

namespace chophien::core {
namespace {

Result<void> check_key(std::string_view key) {
  if (key.empty() || key.size() > 64)
    return Error{ErrorCode::invalid_input, "a setting's key has 1 to 64 bytes", "key"};
  return {};
}

}  // namespace

Result<std::optional<std::string>> SettingsStore::get(std::string_view key) {
  if (auto ok = check_key(key); !ok) return ok.error();
  auto stmt = db_.prepare("SELECT value FROM settings WHERE key = ?1");
  if (!stmt) return stmt.error();
  stmt->bind(1, key);
  auto row = stmt->step();
  if (!row) return row.error();
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>(stmt->column_text(0));
}

Result<void> SettingsStore::set(std::string_view key, std::string_view value,
                                std::optional<int64_t> user_id) {
  if (auto ok = check_key(key); !ok) return ok;
  if (value.size() > 500 || !is_valid_utf8(value))
    return Error{ErrorCode::invalid_input, "a setting's value is UTF-8 of at most 500 bytes",
                 "value"};
  auto stmt = db_.prepare(R"sql(
    INSERT INTO settings (key, value, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at,
      updated_by = excluded.updated_by)sql");
  if (!stmt) return stmt.error();
  stmt->bind(1, key).bind(2, value).bind(3, clock_.now()).bind(4, user_id);
  return stmt->run();
}

Result<void> SettingsStore::clear(std::string_view key) {
  if (auto ok = check_key(key); !ok) return ok;
  auto stmt = db_.prepare("DELETE FROM settings WHERE key = ?1");
  if (!stmt) return stmt.error();
  stmt->bind(1, key);
  return stmt->run();
}

}  // namespace chophien::core
