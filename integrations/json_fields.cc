#include "integrations/json_fields.h"

#include <charconv>
#include <cmath>

#include "core/text.h"

namespace chophien::integrations {

Result<int64_t> whole_number(const nlohmann::json& object, const char* key, bool required) {
  auto missing = [&] { return invalid_input(std::string(key) + " is required", key); };
  auto out_of_range = [&] { return invalid_input(std::string(key) + " is out of range", key); };
  auto not_whole = [&] { return invalid_input(std::string(key) + " must be a whole number", key); };
  if (!object.is_object()) return missing();
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    if (required) return missing();
    return int64_t{0};
  }
  if (it->is_number_unsigned()) {
    const uint64_t u = it->get<uint64_t>();
    if (u > static_cast<uint64_t>(kMaxWholeNumber)) return out_of_range();
    return static_cast<int64_t>(u);
  }
  if (it->is_number_integer()) {
    const int64_t v = it->get<int64_t>();
    // Compared without negating: -INT64_MIN does not exist.
    if (v > kMaxWholeNumber || v < -kMaxWholeNumber) return out_of_range();
    return v;
  }
  if (it->is_number_float()) {
    // Every check on the double itself, before any conversion: casting NaN, an infinity or a
    // value outside int64_t to an integer is undefined behaviour.
    const double d = it->get<double>();
    if (!std::isfinite(d) || std::trunc(d) != d) return not_whole();
    if (std::fabs(d) > static_cast<double>(kMaxWholeNumber)) return out_of_range();
    return static_cast<int64_t>(d);  // -0.0 becomes 0
  }
  if (it->is_string()) {
    std::string_view s = it->get_ref<const std::string&>();
    if (auto dot = s.find('.'); dot != std::string_view::npos) {
      if (s.substr(dot + 1).find_first_not_of('0') != std::string_view::npos) return not_whole();
      s = s.substr(0, dot);
    }
    int64_t value = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec == std::errc::result_out_of_range && end == s.data() + s.size()) return out_of_range();
    if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return not_whole();
    if (value > kMaxWholeNumber || value < -kMaxWholeNumber) return out_of_range();
    return value;
  }
  return not_whole();
}

Result<std::string> text_field(const nlohmann::json& object, const char* key, bool required) {
  if (!object.is_object()) return invalid_input(std::string(key) + " is required", key);
  auto it = object.find(key);
  if (it == object.end() || it->is_null() ||
      (it->is_string() && it->get_ref<const std::string&>().empty())) {
    if (required) return invalid_input(std::string(key) + " is required", key);
    return std::string();
  }
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return it->dump();
  return invalid_input(std::string(key) + " must be a string", key);
}

std::optional<int64_t> parse_vietnam_datetime(std::string_view text) {
  if (text.size() != 19 || text[10] != ' ') return std::nullopt;
  std::string rfc(text);
  rfc[10] = 'T';
  rfc += "+07:00";
  auto parsed = core::parse_rfc3339(rfc);
  if (!parsed) return std::nullopt;
  return *parsed;
}

}  // namespace chophien::integrations
