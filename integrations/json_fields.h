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

// The largest magnitude whole_number accepts: 2^53 - 1, the largest integer every JSON reader
// (JavaScript's included) keeps exactly. Far above any amount in đồng or any payOS order code.
inline constexpr int64_t kMaxWholeNumber = 9'007'199'254'740'991;

// A whole number: a JSON integer, a JSON number with no fraction (150000.0), or a string of
// digits (with an optional '-' and an optional all-zero fraction such as "150000.00", the way
// SePay's transaction list writes amounts). "-0" and -0.0 are 0. invalid_input "is out of range"
// beyond +/-kMaxWholeNumber (INT64_MIN, 1e300, "99999999999999999999"), "must be a whole number"
// for fractions, NaN, infinities, exponents in strings and anything that is not a number.
Result<int64_t> whole_number(const nlohmann::json& object, const char* key, bool required = true);
// A string; null or absent gives "" unless `required`. Numbers are written in decimal (some ids
// arrive as numbers, some as strings).
Result<std::string> text_field(const nlohmann::json& object, const char* key,
                               bool required = false);
// "YYYY-MM-DD HH:MM:SS" in Vietnam's time (UTC+07:00) to unix seconds; nullopt when empty or not
// in that form.
std::optional<int64_t> parse_vietnam_datetime(std::string_view text);

}  // namespace chophien::integrations
