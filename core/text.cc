#include "core/text.h"

#include <utf8proc.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <memory>

namespace chophien::core {

namespace {

constexpr utf8proc_int32_t kSmallDStroke = 0x0111;    // đ
constexpr utf8proc_int32_t kCapitalDStroke = 0x0110;  // Đ

void append_utf8(std::string& out, utf8proc_int32_t cp) {
  std::array<utf8proc_uint8_t, 4> buf{};
  auto n = utf8proc_encode_char(cp, buf.data());
  out.append(reinterpret_cast<const char*>(buf.data()), static_cast<size_t>(n));
}

// Decodes one code point at `i`, returning its length, or -1 (and advancing by one byte) on an
// invalid sequence.
utf8proc_ssize_t next_code_point(std::string_view text, size_t i, utf8proc_int32_t& cp) {
  return utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data() + i),
                          static_cast<utf8proc_ssize_t>(text.size() - i), &cp);
}

// Shared by fold_ascii and search_fold: NFKD, marks stripped, đ/Đ mapped, optionally case-folded.
std::string fold(std::string_view text, bool casefold, bool keep_non_ascii) {
  std::string out;
  out.reserve(text.size());
  const int options = UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK |
                      (casefold ? UTF8PROC_CASEFOLD : 0);
  std::array<utf8proc_int32_t, 32> parts{};
  size_t i = 0;
  while (i < text.size()) {
    utf8proc_int32_t cp = 0;
    auto n = next_code_point(text, i, cp);
    if (n <= 0) {
      ++i;  // not UTF-8: dropped
      continue;
    }
    i += static_cast<size_t>(n);
    if (cp < 0x80) {
      out += static_cast<char>(casefold && cp >= 'A' && cp <= 'Z' ? cp - 'A' + 'a' : cp);
      continue;
    }
    // đ and Đ are letters of their own in Unicode (no decomposition), so they are mapped here.
    if (cp == kSmallDStroke || (cp == kCapitalDStroke && casefold)) {
      out += 'd';
      continue;
    }
    if (cp == kCapitalDStroke) {
      out += 'D';
      continue;
    }
    int last_boundclass = 0;
    auto count =
        utf8proc_decompose_char(cp, parts.data(), static_cast<utf8proc_ssize_t>(parts.size()),
                                static_cast<utf8proc_option_t>(options), &last_boundclass);
    if (count < 0 || count > static_cast<utf8proc_ssize_t>(parts.size())) continue;
    for (utf8proc_ssize_t k = 0; k < count; ++k) {
      utf8proc_int32_t part = parts[static_cast<size_t>(k)];
      if (part < 0x80) {
        out += static_cast<char>(part);
      } else if (part == kSmallDStroke || part == kCapitalDStroke) {
        out += (part == kCapitalDStroke && !casefold) ? 'D' : 'd';
      } else if (keep_non_ascii) {
        append_utf8(out, part);
      }
    }
  }
  return out;
}

}  // namespace

bool is_valid_utf8(std::string_view text) {
  size_t i = 0;
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  while (i < n) {
    unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len = 0;
    uint32_t cp = 0;
    uint32_t min = 0;
    if ((c & 0xe0) == 0xc0) {
      len = 2, cp = c & 0x1f, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
      len = 3, cp = c & 0x0f, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
      len = 4, cp = c & 0x07, min = 0x10000;
    } else {
      return false;
    }
    if (n - i < len) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (s[i + k] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += len;
  }
  return true;
}

Result<std::string> nfc(std::string_view text) {
  if (!is_valid_utf8(text)) return invalid_input("text is not valid UTF-8");
  bool ascii = true;
  for (char c : text) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  if (ascii) return std::string(text);
  utf8proc_uint8_t* mapped = nullptr;
  auto n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()),
                        static_cast<utf8proc_ssize_t>(text.size()), &mapped,
                        static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
  std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owner(mapped, &std::free);
  if (n < 0) return invalid_input(std::string("text cannot be normalised: ") + utf8proc_errmsg(n));
  return std::string(reinterpret_cast<const char*>(mapped), static_cast<size_t>(n));
}

std::string fold_ascii(std::string_view text) { return fold(text, false, false); }

std::string search_fold(std::string_view text) { return fold(text, true, true); }

std::string format_vnd(int64_t amount) {
  // Magnitude as unsigned so INT64_MIN works.
  uint64_t magnitude =
      amount < 0 ? static_cast<uint64_t>(-(amount + 1)) + 1 : static_cast<uint64_t>(amount);
  std::string digits = std::to_string(magnitude);
  std::string out;
  if (amount < 0) out += '-';
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += '.';
    out += digits[i];
  }
  out += "\u00a0\u20ab";
  return out;
}

// ------------------------------------------------------------------------------------------
// Dates

namespace {

bool is_leap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int days_in_month(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : kDays[month - 1];
}

bool valid_date(int y, int m, int d) {
  return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

// Reads exactly `width` digits at `pos` (or 1..width when `exact` is false).
bool read_number(std::string_view s, size_t& pos, size_t min_width, size_t max_width, int& out) {
  size_t start = pos;
  int value = 0;
  while (pos < s.size() && pos - start < max_width && s[pos] >= '0' && s[pos] <= '9') {
    value = value * 10 + (s[pos] - '0');
    ++pos;
  }
  if (pos - start < min_width) return false;
  out = value;
  return true;
}

bool expect(std::string_view s, size_t& pos, char c) {
  if (pos >= s.size() || s[pos] != c) return false;
  ++pos;
  return true;
}

std::string two(int v) {
  std::array<char, 8> buf{};
  std::snprintf(buf.data(), buf.size(), "%02d", v);
  return buf.data();
}

std::string four(int v) {
  std::array<char, 8> buf{};
  std::snprintf(buf.data(), buf.size(), "%04d", v);
  return buf.data();
}

int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

}  // namespace

Result<Date> parse_iso_date(std::string_view text) {
  size_t pos = 0;
  Date d;
  if (text.size() != 10 || !read_number(text, pos, 4, 4, d.year) || !expect(text, pos, '-') ||
      !read_number(text, pos, 2, 2, d.month) || !expect(text, pos, '-') ||
      !read_number(text, pos, 2, 2, d.day) || !valid_date(d.year, d.month, d.day)) {
    return invalid_input("expected a date YYYY-MM-DD");
  }
  return d;
}

std::string format_iso_date(Date date) {
  return four(date.year) + "-" + two(date.month) + "-" + two(date.day);
}

std::string format_date_vi(Date date) {
  return two(date.day) + "/" + two(date.month) + "/" + four(date.year);
}

Result<Date> parse_date_vi(std::string_view text) {
  size_t pos = 0;
  Date d;
  if (!read_number(text, pos, 1, 2, d.day) || !expect(text, pos, '/') ||
      !read_number(text, pos, 1, 2, d.month) || !expect(text, pos, '/') ||
      !read_number(text, pos, 4, 4, d.year) || pos != text.size() ||
      !valid_date(d.year, d.month, d.day)) {
    return invalid_input("expected a date dd/mm/yyyy");
  }
  return d;
}

// Howard Hinnant's days-from-civil algorithm.
int64_t days_since_epoch(Date date) {
  int64_t y = date.year - (date.month <= 2 ? 1 : 0);
  int64_t era = floor_div(y, 400);
  int64_t yoe = y - era * 400;
  int64_t mp = (date.month + 9) % 12;
  int64_t doy = (153 * mp + 2) / 5 + date.day - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

Date date_from_days(int64_t days) {
  int64_t z = days + 719468;
  int64_t era = floor_div(z, 146097);
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return Date{static_cast<int>(y), static_cast<int>(m), static_cast<int>(d)};
}

Date vietnam_date(int64_t unix_seconds) {
  return date_from_days(floor_div(unix_seconds + kVietnamOffsetSeconds, 86400));
}

int64_t vietnam_midnight(Date date) {
  return days_since_epoch(date) * 86400 - kVietnamOffsetSeconds;
}

std::string format_rfc3339_vietnam(int64_t unix_seconds) {
  int64_t local = unix_seconds + kVietnamOffsetSeconds;
  int64_t days = floor_div(local, 86400);
  int64_t secs = local - days * 86400;
  Date d = date_from_days(days);
  int h = static_cast<int>(secs / 3600);
  int m = static_cast<int>(secs / 60 % 60);
  int s = static_cast<int>(secs % 60);
  return format_iso_date(d) + "T" + two(h) + ":" + two(m) + ":" + two(s) + "+07:00";
}

Result<int64_t> parse_rfc3339(std::string_view text) {
  const Error bad = invalid_input("expected an RFC 3339 time like 2025-07-01T14:05:09+07:00");
  if (text.size() < 20) return bad;
  auto date = parse_iso_date(text.substr(0, 10));
  if (!date) return bad;
  size_t pos = 10;
  int h = 0, m = 0, s = 0;
  if (pos >= text.size() || (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ')) return bad;
  ++pos;
  if (!read_number(text, pos, 2, 2, h) || !expect(text, pos, ':') ||
      !read_number(text, pos, 2, 2, m) || !expect(text, pos, ':') ||
      !read_number(text, pos, 2, 2, s)) {
    return bad;
  }
  // A leap second (:60) is read as :59 of the same minute.
  if (h > 23 || m > 59 || s > 60) return bad;
  if (s == 60) s = 59;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    if (pos == start || pos - start > 9) return bad;
  }
  int64_t offset = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int sign = text[pos] == '-' ? -1 : 1;
    ++pos;
    int oh = 0, om = 0;
    if (!read_number(text, pos, 2, 2, oh) || !expect(text, pos, ':') ||
        !read_number(text, pos, 2, 2, om) || oh > 23 || om > 59) {
      return bad;
    }
    offset = sign * (oh * 3600 + om * 60);
  } else {
    return bad;
  }
  if (pos != text.size()) return bad;
  return days_since_epoch(*date) * 86400 + h * 3600 + m * 60 + s - offset;
}

}  // namespace chophien::core
