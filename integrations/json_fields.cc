#include "integrations/json_fields.h"

#include <charconv>

#include "core/text.h"

namespace chophien::integrations {

Result<int64_t> whole_number(const nlohmann::json& object, const char* key, bool required) {
  auto missing = [&] { return invalid_input(std::string(key) + " is required", key); };
  if (!object.is_object()) return missing();
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    if (required) return missing();
    return int64_t{0};
  }
  if (it->is_number_integer()) {
    if (it->is_number_unsigned() && it->get<uint64_t>() > uint64_t(INT64_MAX)) {
      return invalid_input(std::string(key) + " is out of range", key);
    }
    return it->get<int64_t>();
  }
  if (it->is_number_float()) {
    double d = it->get<double>();
    if (d == static_cast<double>(static_cast<int64_t>(d)) && d > -9e15 && d < 9e15) {
      return static_cast<int64_t>(d);
    }
    return invalid_input(std::string(key) + " must be a whole number", key);
  }
  if (it->is_string()) {
    std::string_view s = it->get_ref<const std::string&>();
    if (auto dot = s.find('.'); dot != std::string_view::npos) {
      if (s.substr(dot + 1).find_first_not_of('0') != std::string_view::npos) {
        return invalid_input(std::string(key) + " must be a whole number", key);
      }
      s = s.substr(0, dot);
    }
    int64_t value = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size()) {
      return invalid_input(std::string(key) + " must be a whole number", key);
    }
    return value;
  }
  return invalid_input(std::string(key) + " must be a whole number", key);
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
