#include "core/areas.h"

#include <algorithm>
#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>

#include "core_data.h"

namespace chophien::core {

namespace {

using nlohmann::json;

constexpr size_t kMaxNameBytes = 200;
constexpr size_t kMaxCodeBytes = 16;

constexpr std::string_view kColumns =
    "code, valid_from, valid_to, level, name_vi, full_name_vi, name_en, parent_code, "
    "parent_valid_from, legal_basis";

Area read_area(const Statement& stmt) {
  Area a;
  a.key = AreaKey{stmt.column_text(0), stmt.column_text(1)};
  a.valid_to = stmt.column_optional_text(2);
  a.level = stmt.column_text(3);
  a.name_vi = stmt.column_text(4);
  a.full_name_vi = stmt.column_text(5);
  a.name_en = stmt.column_text(6);
  if (!stmt.column_is_null(7)) a.parent = AreaKey{stmt.column_text(7), stmt.column_text(8)};
  a.legal_basis = stmt.column_text(9);
  return a;
}

Result<std::vector<Area>> read_all(Statement& stmt) {
  std::vector<Area> out;
  for (;;) {
    auto row = stmt.step();
    if (!row) return row.error();
    if (!*row) break;
    out.push_back(read_area(stmt));
  }
  return out;
}

// ---- Reading the JSON layout ----------------------------------------------------------------

bool valid_code(std::string_view code) {
  if (code.empty() || code.size() > kMaxCodeBytes) return false;
  return std::all_of(code.begin(), code.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
           c == '-' || c == '.';
  });
}

// A string member: NFC, at most kMaxNameBytes. Missing or null gives "" unless required.
Result<std::string> text_member(const json& obj, const char* key, const std::string& path,
                                bool required) {
  const std::string field = path + "." + key;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) {
    if (required) return invalid_input("missing " + field, field);
    return std::string();
  }
  if (!it->is_string()) return invalid_input(field + " must be a string", field);
  auto normalised = nfc(it->get_ref<const std::string&>());
  if (!normalised) return invalid_input(field + " is not valid UTF-8", field);
  if (normalised->size() > kMaxNameBytes) return invalid_input(field + " is too long", field);
  if (required && normalised->empty()) return invalid_input(field + " is empty", field);
  return std::move(*normalised);
}

Result<std::string> code_member(const json& obj, const char* key, const std::string& path) {
  auto code = text_member(obj, key, path, true);
  if (!code) return code.error();
  if (!valid_code(*code)) {
    return invalid_input(path + "." + key + " must be letters, digits, '_', '-' or '.'",
                         path + "." + key);
  }
  return code;
}

Result<std::string> date_member(const json& obj, const char* key, const std::string& path,
                                bool required, std::string_view fallback) {
  auto text = text_member(obj, key, path, required);
  if (!text) return text.error();
  if (text->empty()) return std::string(fallback);
  if (!parse_iso_date(*text)) {
    return invalid_input(path + "." + key + " must be a date YYYY-MM-DD", path + "." + key);
  }
  return text;
}

std::string strip_prefix(const std::string& name) {
  for (std::string_view prefix : {"Tỉnh ", "Thành phố ", "Huyện ", "Thị xã ", "Quận ", "Thị trấn ",
                                  "Xã ", "Phường ", "Đặc khu "}) {
    if (name.size() > prefix.size() && std::string_view(name).substr(0, prefix.size()) == prefix) {
      return name.substr(prefix.size());
    }
  }
  return name;
}

// The level of a commune-level unit from its explicit "level", or its Vietnamese or English type.
std::optional<std::string> unit_level(const std::string& level, const std::string& type_vi,
                                      const std::string& type_en) {
  if (!level.empty()) return level;
  static const std::map<std::string, std::string, std::less<>> kByType = {
      {"Thị trấn", "township"},    {"Township", "township"},
      {"Xã", "commune"},           {"Commune", "commune"},
      {"Phường", "ward"},          {"Ward", "ward"},
      {"Đặc khu", "special_zone"}, {"Special zone", "special_zone"}};
  if (auto it = kByType.find(type_vi); it != kByType.end()) return it->second;
  if (auto it = kByType.find(type_en); it != kByType.end()) return it->second;
  return std::nullopt;
}

std::string english_type(const std::string& level) {
  if (level == "township") return "Township";
  if (level == "commune") return "Commune";
  if (level == "ward") return "Ward";
  if (level == "special_zone") return "Special Zone";
  if (level == "district") return "District";
  if (level == "province") return "Province";
  return "";
}

std::string type_vi_of(const std::string& level) {
  if (level == "township") return "Thị trấn";
  if (level == "commune") return "Xã";
  if (level == "ward") return "Phường";
  if (level == "special_zone") return "Đặc khu";
  return "";
}

struct ParsedFile {
  std::vector<Area> areas;  // parents before children
  std::vector<std::pair<AreaKey, AreaKey>> successions;
  std::vector<std::string> notes;
};

// A commune-level unit of either list.
Result<Area> parse_unit(const json& unit, const std::string& path, const std::string& valid_from,
                        const AreaKey& parent) {
  if (!unit.is_object()) return invalid_input(path + " must be an object", path);
  Area a;
  auto code = code_member(unit, "code", path);
  if (!code) return code.error();
  auto name = text_member(unit, "name_vi", path, true);
  if (!name) return name.error();
  auto type_vi = text_member(unit, "type_vi", path, false);
  auto type_en = text_member(unit, "type_en", path, false);
  auto level = text_member(unit, "level", path, false);
  auto full = text_member(unit, "full_name_vi", path, false);
  auto name_en = text_member(unit, "name_en", path, false);
  auto from = date_member(unit, "valid_from", path, false, valid_from);
  for (const auto* r : {&type_vi, &type_en, &level, &full, &name_en, &from}) {
    if (!*r) return r->error();
  }
  auto lvl = unit_level(*level, *type_vi, *type_en);
  if (!lvl) {
    return invalid_input(path + ": unknown unit type; give \"level\"", path + ".type_vi");
  }
  a.key = AreaKey{*code, *from};
  a.level = *lvl;
  a.name_vi = *name;
  std::string type = type_vi->empty() ? type_vi_of(a.level) : *type_vi;
  a.full_name_vi = !full->empty() ? *full : (type.empty() ? a.name_vi : type + " " + a.name_vi);
  std::string en_type = english_type(a.level);
  a.name_en =
      !name_en->empty() ? *name_en : fold_ascii(a.name_vi) + (en_type.empty() ? "" : " " + en_type);
  a.parent = parent;
  return a;
}

Result<ParsedFile> parse_file(std::string_view text) {
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return invalid_input("area file is not a JSON object", "file");
  }
  ParsedFile out;

  // Province: valid throughout unless the file says otherwise.
  auto province_it = doc.find("province");
  if (province_it == doc.end() || !province_it->is_object()) {
    return invalid_input("missing province", "province");
  }
  const json& pj = *province_it;
  Area province;
  {
    auto code = code_member(pj, "code", "province");
    auto name = text_member(pj, "name_vi", "province", true);
    auto name_en = text_member(pj, "name_en", "province", false);
    auto from = date_member(pj, "valid_from", "province", false, kAreaEarliest);
    for (const auto* r : {&code, &name, &name_en, &from}) {
      if (!*r) return r->error();
    }
    province.key = AreaKey{*code, *from};
    province.level = "province";
    province.full_name_vi = *name;
    province.name_vi = strip_prefix(*name);
    province.name_en = !name_en->empty() ? *name_en : fold_ascii(province.name_vi) + " Province";
  }
  out.areas.push_back(province);

  // Optional former district, parent of the units before the reform.
  std::optional<Area> district;
  if (auto it = doc.find("district_before_2025"); it != doc.end() && !it->is_null()) {
    if (!it->is_object()) {
      return invalid_input("district_before_2025 must be an object", "district_before_2025");
    }
    const std::string path = "district_before_2025";
    auto code = code_member(*it, "code", path);
    auto name = text_member(*it, "name_vi", path, true);
    auto name_en = text_member(*it, "name_en", path, false);
    auto from = date_member(*it, "valid_from", path, false, kAreaEarliest);
    auto ceased = date_member(*it, "ceased", path, false, "");
    for (const auto* r : {&code, &name, &name_en, &from, &ceased}) {
      if (!*r) return r->error();
    }
    Area d;
    d.key = AreaKey{*code, *from};
    d.level = "district";
    d.full_name_vi = *name;
    d.name_vi = strip_prefix(*name);
    d.name_en = !name_en->empty() ? *name_en : fold_ascii(d.name_vi) + " District";
    d.parent = province.key;
    if (!ceased->empty()) d.valid_to = *ceased;
    district = d;
    out.areas.push_back(d);
  }

  auto list = [&](const char* key) -> Result<const json*> {
    auto it = doc.find(key);
    if (it == doc.end() || it->is_null()) return static_cast<const json*>(nullptr);
    if (!it->is_array()) return invalid_input(std::string(key) + " must be an array", key);
    return &*it;
  };
  auto before_list = list("units_before_2025");
  if (!before_list) return before_list.error();
  auto after_list = list("units_after_2025");
  if (!after_list) return after_list.error();

  // Units after the reform first (in memory), so the units before know when they ended.
  std::vector<Area> after;
  std::vector<std::vector<std::string>> after_predecessors;
  if (*after_list != nullptr) {
    for (size_t i = 0; i < (*after_list)->size(); ++i) {
      const json& u = (**after_list)[i];
      const std::string path = "units_after_2025[" + std::to_string(i) + "]";
      if (!u.is_object()) return invalid_input(path + " must be an object", path);
      auto effective = date_member(u, "effective", path, true, "");
      if (!effective) return effective.error();
      auto unit = parse_unit(u, path, *effective, province.key);
      if (!unit) return unit.error();
      auto basis = text_member(u, "resolution", path, false);
      if (!basis) return basis.error();
      unit->legal_basis = *basis;
      std::vector<std::string> preds;
      if (auto p = u.find("predecessors"); p != u.end() && !p->is_null()) {
        if (!p->is_array()) {
          return invalid_input(path + ".predecessors must be an array", path + ".predecessors");
        }
        for (const auto& code : *p) {
          if (!code.is_string() || !valid_code(code.get_ref<const std::string&>())) {
            return invalid_input(path + ".predecessors holds a bad code", path + ".predecessors");
          }
          preds.push_back(code.get<std::string>());
        }
      }
      after.push_back(*unit);
      after_predecessors.push_back(std::move(preds));
    }
  }
  auto after_by_code = [&](const std::string& code) -> const Area* {
    for (const auto& a : after) {
      if (a.key.code == code) return &a;
    }
    return nullptr;
  };

  std::vector<Area> before;
  std::vector<std::string> merged_into;
  if (*before_list != nullptr) {
    const AreaKey parent = district ? district->key : province.key;
    for (size_t i = 0; i < (*before_list)->size(); ++i) {
      const json& u = (**before_list)[i];
      const std::string path = "units_before_2025[" + std::to_string(i) + "]";
      auto unit = parse_unit(u, path, std::string(kAreaEarliest), parent);
      if (!unit) return unit.error();
      auto merged = text_member(u, "merged_into_code", path, false);
      if (!merged) return merged.error();
      auto valid_to = date_member(u, "valid_to", path, false, "");
      if (!valid_to) return valid_to.error();
      // Ends when its successor begins, else when the district ceased.
      if (!valid_to->empty()) {
        unit->valid_to = *valid_to;
      } else if (const Area* next = after_by_code(*merged); next != nullptr) {
        unit->valid_to = next->key.valid_from;
      } else if (district && district->valid_to) {
        unit->valid_to = district->valid_to;
      }
      if (unit->valid_to && *unit->valid_to <= unit->key.valid_from) {
        return invalid_input(path + " ends before it starts", path);
      }
      before.push_back(*unit);
      merged_into.push_back(*merged);
    }
  }

  std::set<AreaKey> keys;
  for (const auto& a : out.areas) keys.insert(a.key);
  for (const auto* group : {&before, &after}) {
    for (const auto& a : *group) {
      if (!keys.insert(a.key).second) {
        return invalid_input("unit " + a.key.code + " from " + a.key.valid_from + " appears twice",
                             "units");
      }
      out.areas.push_back(a);
    }
  }

  // Successions, from both directions of the file (predecessor lists and merged_into_code).
  std::set<std::pair<AreaKey, AreaKey>> seen;
  auto before_by_code = [&](const std::string& code) -> const Area* {
    for (const auto& a : before) {
      if (a.key.code == code) return &a;
    }
    return nullptr;
  };
  for (size_t i = 0; i < after.size(); ++i) {
    for (const auto& code : after_predecessors[i]) {
      const Area* old = before_by_code(code);
      if (old == nullptr) {
        out.notes.push_back("predecessor " + code + " of " + after[i].key.code + " (" +
                            after[i].full_name_vi +
                            ") is not in this data set; that succession is not recorded");
        continue;
      }
      if (seen.insert({old->key, after[i].key}).second) {
        out.successions.emplace_back(old->key, after[i].key);
      }
    }
  }
  for (size_t i = 0; i < before.size(); ++i) {
    if (merged_into[i].empty()) continue;
    const Area* next = after_by_code(merged_into[i]);
    if (next == nullptr) {
      out.notes.push_back("unit " + before[i].key.code + " merged into " + merged_into[i] +
                          ", which is not in this data set");
      continue;
    }
    if (seen.insert({before[i].key, next->key}).second) {
      out.notes.push_back("unit " + before[i].key.code + " names " + next->key.code +
                          " as its successor, which does not list it; recorded anyway");
      out.successions.emplace_back(before[i].key, next->key);
    }
  }
  return out;
}

constexpr std::string_view kFind =
    "SELECT code, valid_from, valid_to, level, name_vi, full_name_vi, name_en, parent_code, "
    "parent_valid_from, legal_basis FROM areas WHERE code = ?1 AND valid_from = ?2";

constexpr std::string_view kInsert = R"sql(
INSERT INTO areas (code, valid_from, valid_to, level, name_vi, full_name_vi, name_en,
                   parent_code, parent_valid_from, legal_basis)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
ON CONFLICT (code, valid_from) DO UPDATE SET
  valid_to = excluded.valid_to, level = excluded.level, name_vi = excluded.name_vi,
  full_name_vi = excluded.full_name_vi, name_en = excluded.name_en,
  parent_code = excluded.parent_code, parent_valid_from = excluded.parent_valid_from,
  legal_basis = excluded.legal_basis)sql";

constexpr std::string_view kInsertSuccession = R"sql(
INSERT INTO area_successions (old_code, old_valid_from, new_code, new_valid_from)
VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING)sql";

bool same_area(const Area& a, const Area& b) {
  return a.key == b.key && a.valid_to == b.valid_to && a.level == b.level &&
         a.name_vi == b.name_vi && a.full_name_vi == b.full_name_vi && a.name_en == b.name_en &&
         a.parent == b.parent && a.legal_basis == b.legal_basis;
}

}  // namespace

bool Area::valid_on(Date date) const {
  const std::string day = format_iso_date(date);
  return key.valid_from <= day && (!valid_to || day < *valid_to);
}

Result<AreaLoadReport> AreaStore::load_json(std::string_view json_text) {
  auto parsed = parse_file(json_text);
  if (!parsed) return parsed.error();
  AreaLoadReport report;
  report.notes = std::move(parsed->notes);

  auto tx = db_.begin();
  if (!tx) return tx.error();
  auto find_stmt = db_.prepare(kFind);
  if (!find_stmt) return find_stmt.error();
  auto insert = db_.prepare(kInsert);
  if (!insert) return insert.error();
  for (const auto& area : parsed->areas) {
    find_stmt->reset();
    find_stmt->bind(1, area.key.code).bind(2, area.key.valid_from);
    auto row = find_stmt->step();
    if (!row) return row.error();
    if (*row) {
      if (same_area(read_area(*find_stmt), area)) {
        ++report.areas_unchanged;
        continue;
      }
      ++report.areas_updated;
    } else {
      ++report.areas_added;
    }
    find_stmt->reset();
    insert->reset();
    insert->bind(1, area.key.code)
        .bind(2, area.key.valid_from)
        .bind(3, area.valid_to)
        .bind(4, area.level)
        .bind(5, area.name_vi)
        .bind(6, area.full_name_vi)
        .bind(7, area.name_en)
        .bind(10, area.legal_basis);
    if (area.parent) {
      insert->bind(8, area.parent->code).bind(9, area.parent->valid_from);
    } else {
      insert->bind_null(8).bind_null(9);
    }
    if (auto ok = insert->run(); !ok) return ok.error();
  }
  find_stmt->reset();
  auto succession = db_.prepare(kInsertSuccession);
  if (!succession) return succession.error();
  for (const auto& [old_key, new_key] : parsed->successions) {
    succession->reset();
    succession->bind(1, old_key.code)
        .bind(2, old_key.valid_from)
        .bind(3, new_key.code)
        .bind(4, new_key.valid_from);
    if (auto ok = succession->run(); !ok) return ok.error();
    report.successions_added += db_.changes();
  }
  if (auto ok = tx->commit(); !ok) return ok.error();
  return report;
}

Result<AreaLoadReport> AreaStore::load_default() {
  for (const auto& file : embedded::core_data()) {
    if (file.name == "admin_units_baolam.json") return load_json(file.data);
  }
  throw std::logic_error("admin_units_baolam.json is not embedded");
}

Result<Area> AreaStore::find(const AreaKey& key) {
  auto stmt = db_.prepare(kFind);
  if (!stmt) return stmt.error();
  stmt->bind(1, key.code).bind(2, key.valid_from);
  auto row = stmt->step();
  if (!row) return row.error();
  if (!*row) return not_found("no area " + key.code + " from " + key.valid_from);
  return read_area(*stmt);
}

Result<Area> AreaStore::resolve(std::string_view code, Date date) {
  auto stmt = db_.prepare(std::string("SELECT ") + std::string(kColumns) +
                          " FROM areas WHERE code = ?1 AND valid_from <= ?2"
                          " AND (valid_to IS NULL OR valid_to > ?2)"
                          " ORDER BY valid_from DESC LIMIT 1");
  if (!stmt) return stmt.error();
  stmt->bind(1, code).bind(2, format_iso_date(date));
  auto row = stmt->step();
  if (!row) return row.error();
  if (!*row) {
    return not_found("no area " + std::string(code) + " on " + format_iso_date(date));
  }
  return read_area(*stmt);
}

Result<std::vector<Area>> AreaStore::valid_on(Date date, std::optional<std::string_view> level,
                                              const std::optional<AreaKey>& parent) {
  auto stmt = db_.prepare(std::string("SELECT ") + std::string(kColumns) +
                          " FROM areas WHERE valid_from <= ?1 AND (valid_to IS NULL OR valid_to > "
                          "?1) AND (?2 IS NULL OR level = ?2)"
                          " AND (?3 IS NULL OR (parent_code = ?3 AND parent_valid_from = ?4))"
                          " ORDER BY code");
  if (!stmt) return stmt.error();
  stmt->bind(1, format_iso_date(date));
  if (level) {
    stmt->bind(2, *level);
  } else {
    stmt->bind_null(2);
  }
  if (parent) {
    stmt->bind(3, parent->code).bind(4, parent->valid_from);
  } else {
    stmt->bind_null(3).bind_null(4);
  }
  return read_all(*stmt);
}

Result<std::vector<Area>> AreaStore::children(const AreaKey& parent) {
  auto stmt = db_.prepare(std::string("SELECT ") + std::string(kColumns) +
                          " FROM areas WHERE parent_code = ?1 AND parent_valid_from = ?2"
                          " ORDER BY valid_from, code");
  if (!stmt) return stmt.error();
  stmt->bind(1, parent.code).bind(2, parent.valid_from);
  return read_all(*stmt);
}

Result<std::vector<Area>> AreaStore::successors(const AreaKey& key) {
  auto stmt = db_.prepare(
      "SELECT a.code, a.valid_from, a.valid_to, a.level, a.name_vi, a.full_name_vi, a.name_en, "
      "a.parent_code, a.parent_valid_from, a.legal_basis FROM area_successions s "
      "JOIN areas a ON a.code = s.new_code AND a.valid_from = s.new_valid_from "
      "WHERE s.old_code = ?1 AND s.old_valid_from = ?2 ORDER BY a.code, a.valid_from");
  if (!stmt) return stmt.error();
  stmt->bind(1, key.code).bind(2, key.valid_from);
  return read_all(*stmt);
}

Result<std::vector<Area>> AreaStore::predecessors(const AreaKey& key) {
  auto stmt = db_.prepare(
      "SELECT a.code, a.valid_from, a.valid_to, a.level, a.name_vi, a.full_name_vi, a.name_en, "
      "a.parent_code, a.parent_valid_from, a.legal_basis FROM area_successions s "
      "JOIN areas a ON a.code = s.old_code AND a.valid_from = s.old_valid_from "
      "WHERE s.new_code = ?1 AND s.new_valid_from = ?2 ORDER BY a.code, a.valid_from");
  if (!stmt) return stmt.error();
  stmt->bind(1, key.code).bind(2, key.valid_from);
  return read_all(*stmt);
}

Result<std::vector<Area>> AreaStore::rebase(const AreaKey& key, Date date) {
  auto start = find(key);
  if (!start) return start.error();
  std::vector<Area> out;
  std::set<AreaKey> seen;
  std::deque<Area> queue{*start};
  while (!queue.empty()) {
    Area area = std::move(queue.front());
    queue.pop_front();
    if (!seen.insert(area.key).second) continue;
    if (area.valid_on(date)) {
      out.push_back(std::move(area));
      continue;
    }
    auto next = successors(area.key);
    if (!next) return next.error();
    for (auto& n : *next) queue.push_back(std::move(n));
  }
  std::sort(out.begin(), out.end(), [](const Area& a, const Area& b) { return a.key < b.key; });
  return out;
}

}  // namespace chophien::core
