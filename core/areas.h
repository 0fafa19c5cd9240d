#pragma once
// Administrative areas: a versioned hierarchy (docs/indicators.md "Areas"), stored in the
// `areas` and `area_successions` tables of migration 0001.
//
// A unit is identified by (code, valid_from), never by code alone: codes were reused in the 2025
// reform (01290 was Thị trấn Pác Miầu before 1 July 2025 and Xã Bảo Lâm after). Dates are ISO
// 'YYYY-MM-DD'; a unit is valid on d when valid_from <= d < valid_to (valid_to exclusive, absent
// while still valid). Units that existed before the earliest date a data set knows get
// kAreaEarliest as valid_from: it means "before our records", not a legal date.
// Levels are data: 'province', 'district', 'township', 'commune', 'ward', 'special_zone', ...
//
// Not thread-safe: one AreaStore per Database (per thread). Errors: invalid_input (bad file or
// argument, with `field`), not_found, unavailable (database busy).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/database.h"
#include "core/result.h"
#include "core/text.h"

namespace chophien::core {

inline constexpr std::string_view kAreaEarliest = "1900-01-01";

struct AreaKey {
  std::string code;
  std::string valid_from;  // ISO date
  friend bool operator==(const AreaKey&, const AreaKey&) = default;
  friend auto operator<=>(const AreaKey&, const AreaKey&) = default;
};

struct Area {
  AreaKey key;
  std::optional<std::string> valid_to;  // exclusive ISO date; nullopt while valid
  std::string level;
  std::string name_vi;       // "Đức Hạnh"
  std::string full_name_vi;  // "Xã Đức Hạnh"
  std::string name_en;       // "Duc Hanh Commune"
  std::optional<AreaKey> parent;
  std::string legal_basis;  // e.g. "1657/NQ-UBTVQH15"; empty when unknown

  bool valid_on(Date date) const;
};

// What a load did. Loading the same file twice adds nothing the second time.
struct AreaLoadReport {
  int areas_added = 0;
  int areas_updated = 0;  // same key, different names/level/parent/valid_to/legal basis
  int areas_unchanged = 0;
  int successions_added = 0;
  // Facts of the data set worth telling an administrator, e.g. a predecessor that is not in the
  // file (Cốc Pàng 01324's predecessor 01324 was in the former Bảo Lạc district).
  std::vector<std::string> notes;
};

class AreaStore {
 public:
  explicit AreaStore(Database& db) : db_(db) {}

  // Loads a file in the layout of data/admin_units_baolam.json: "province", optional
  // "district_before_2025" (with "ceased"), "units_before_2025" (with "merged_into_code") and
  // "units_after_2025" (with "predecessors" and "effective"). All or nothing, in one transaction;
  // idempotent. Bad files fail with invalid_input naming the JSON path in `field`.
  Result<AreaLoadReport> load_json(std::string_view json);
  // The embedded default data set (Bảo Lâm, Cao Bằng).
  Result<AreaLoadReport> load_default();

  Result<Area> find(const AreaKey& key);
  // The unit with this code valid on `date`. not_found if none.
  Result<Area> resolve(std::string_view code, Date date);
  // Units valid on `date`, optionally of one level and/or under one parent, ordered by code.
  Result<std::vector<Area>> valid_on(Date date, std::optional<std::string_view> level = {},
                                     const std::optional<AreaKey>& parent = {});
  // Every unit (all versions) whose parent is `parent`, ordered by valid_from then code.
  Result<std::vector<Area>> children(const AreaKey& parent);
  // Direct successors and predecessors through the succession table, ordered by code.
  Result<std::vector<Area>> successors(const AreaKey& key);
  Result<std::vector<Area>> predecessors(const AreaKey& key);
  // The unit(s) valid on `date` that `key` became, following successions as far as needed; the
  // unit itself when it is still valid then. Empty when the trail ends (e.g. a unit the data set
  // does not map). not_found when `key` is unknown.
  Result<std::vector<Area>> rebase(const AreaKey& key, Date date);

 private:
  Database& db_;
};

}  // namespace chophien::core
