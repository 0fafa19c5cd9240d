#pragma once
// Installation settings changed at run time (table `settings`, migration 0019): a small key/value
// store. Which keys exist, their ranges and their defaults are the caller's business (the
// storefront's settings page); a key without a row means "use the configured default".
//
// Errors: invalid_input (field "key" or "value") for an empty or too long key or a value longer
// than 500 bytes or not UTF-8; unavailable when the database stays busy. Not thread-safe: one
// SettingsStore per Database (per thread).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/database.h"
#include "core/result.h"

namespace chophien::core {

class SettingsStore {
 public:
  SettingsStore(Database& db, const Clock& clock) : db_(db), clock_(clock) {}

  // The stored value, or nullopt when the key has no row.
  Result<std::optional<std::string>> get(std::string_view key);
  // Inserts or replaces the value; `user_id` is who changed it (nullopt: the command line).
  Result<void> set(std::string_view key, std::string_view value, std::optional<int64_t> user_id);
  // Deletes the row (back to the configured default). Unknown keys are not an error.
  Result<void> clear(std::string_view key);

 private:
  Database& db_;
  const Clock& clock_;
};

}  // namespace chophien::core
