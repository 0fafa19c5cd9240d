#pragma once
// OCOP product groups (G1-G6) and star ratings, from the embedded data/ocop_groups.json.
// The codes G1..G6 are this project's stable keys; names come in Vietnamese and English.
// Thread-safety: ocop_groups() parses once (thread-safe static) and returns an immutable list.

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace chophien::core {

inline constexpr int kOcopMinStars = 3;  // 1 and 2 stars are not recognised
inline constexpr int kOcopMaxStars = 5;
inline constexpr int kCertificateValidityMonths = 36;

struct OcopGroup {
  std::string code;     // "G1"
  int order = 0;        // 1..6
  std::string name_vi;  // "Thực phẩm"
  std::string name_en;  // "Food"
};

// Parses the groups of an ocop_groups.json document. Fails with invalid_input on malformed JSON
// or a group without code or names.
Result<std::vector<OcopGroup>> parse_ocop_groups(std::string_view json);

// The groups of the embedded data file, in order. The embedded file is part of the build, so a
// parse failure is a bug and throws std::logic_error.
const std::vector<OcopGroup>& ocop_groups();

// The group with this code ("G3"), or nullptr.
const OcopGroup* find_ocop_group(std::string_view code);

inline bool is_ocop_stars(int stars) { return stars >= kOcopMinStars && stars <= kOcopMaxStars; }

}  // namespace chophien::core
