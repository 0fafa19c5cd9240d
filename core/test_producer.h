#pragma once
// Test helper: registers a producer in the given commune and returns its id. Plain SQL on
// migration 0002's table (area_valid_from left NULL, so the areas need not be loaded).
#include <cstdint>
#include <string>

#include "core/database.h"

namespace chophien::core::testing_support {

inline int64_t add_producer(Database& db, const std::string& name, const std::string& area_code) {
  auto s = db.prepare("INSERT INTO producers (name, area_code) VALUES (?1, ?2)").value();
  s.bind(1, name).bind(2, area_code);
  s.run().value();
  return db.last_insert_id();
}

}  // namespace chophien::core::testing_support
