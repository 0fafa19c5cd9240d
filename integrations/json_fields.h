#pragma once
// Reading fields of the services' JSON payloads as values (no exceptions): whole numbers that may
// arrive as numbers or strings, optional strings, the services' local date-time format.
// Errors are invalid_input naming the field.
//
// Thread-safety: pure functions.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace chophien::integrations {

// A whole number: a JSON integer, or a string of digits (with an optional '-' and an optional
// all-zero fraction such as "150000.00", the way SePay's transaction list writes amounts).
Result<int64_t> whole_number(const nlohmann::json& object, const char* key, bool required = true);
// A string; null or absent gives "" unless `required`. Numbers are written in decimal (some ids
// arrive as numbers, some as strings).
Result<std::string> text_field(const nlohmann::json& object, const char* key,
                               bool required = false);
// "YYYY-MM-DD HH:MM:SS" in Vietnam's time (UTC+07:00) to unix seconds; nullopt when empty or not
// in that form.
std::optional<int64_t> parse_vietnam_datetime(std::string_view text);

}  // namespace chophien::integrations
