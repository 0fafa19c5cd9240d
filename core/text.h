#pragma once
// Text, money and dates as people and banks see them. All functions are pure and thread-safe.
//
// Stored text is UTF-8 in Unicode Normalisation Form C: "Miến" typed on a phone may arrive
// decomposed (e + combining marks) and must compare equal to the precomposed form.
// Bank transfer descriptions are ASCII: banks drop diacritics, so matching works on folded text.
// Vietnam has used UTC+07:00 without daylight saving since 1975; times for people are shown in it.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace chophien::core {

// True when `text` is well-formed UTF-8 (no overlong forms, no surrogates, nothing past U+10FFFF).
bool is_valid_utf8(std::string_view text);

// `text` in NFC. Fails with invalid_input (field empty: the caller names it) on bad UTF-8.
Result<std::string> nfc(std::string_view text);

// ASCII folding for bank descriptions and QR transfer notes: compatibility decomposition, marks
// stripped, đ -> d and Đ -> D; case is kept. Characters with no ASCII base (emoji, CJK) and bytes
// that are not valid UTF-8 are dropped. "Miến dong Đức Hạnh" -> "Mien dong Duc Hanh".
std::string fold_ascii(std::string_view text);

// Folding for search: like fold_ascii but also case-folded, and characters with no ASCII base are
// kept (case-folded) rather than dropped. "MIẾN Dong" -> "mien dong".
std::string search_fold(std::string_view text);

// Whole VND for people: thousands separated by '.', then U+00A0 NO-BREAK SPACE, then '₫', so the
// symbol never wraps onto its own line. 120000 -> "120.000 ₫", -5000 -> "-5.000 ₫", 0 -> "0 ₫".
std::string format_vnd(int64_t amount);

// A calendar date (proleptic Gregorian). Always valid when produced by the functions below.
struct Date {
  int year = 1970;
  int month = 1;
  int day = 1;
  friend auto operator<=>(const Date&, const Date&) = default;
};

// Vietnam's fixed offset from UTC.
inline constexpr int64_t kVietnamOffsetSeconds = 7 * 3600;

// "2025-07-01" (exactly this shape; years 0001-9999). invalid_input on anything else, including
// impossible dates like 2025-02-29.
Result<Date> parse_iso_date(std::string_view text);
std::string format_iso_date(Date date);        // "2025-07-01"
std::string format_date_vi(Date date);         // "01/07/2025"
Result<Date> parse_date_vi(std::string_view);  // "1/7/2025" or "01/07/2025"

// Days since 1970-01-01 and back.
int64_t days_since_epoch(Date date);
Date date_from_days(int64_t days);

// The date in Vietnam at a unix time, and the unix time of midnight in Vietnam starting a date.
Date vietnam_date(int64_t unix_seconds);
int64_t vietnam_midnight(Date date);

// RFC 3339 in Vietnam time: "2025-07-01T14:05:09+07:00".
std::string format_rfc3339_vietnam(int64_t unix_seconds);
// Parses RFC 3339 with 'Z' or any "+hh:mm"/"-hh:mm" offset; fractional seconds are accepted and
// truncated. Returns unix seconds. invalid_input on anything else.
Result<int64_t> parse_rfc3339(std::string_view text);

}  // namespace chophien::core
