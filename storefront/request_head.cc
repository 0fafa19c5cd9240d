#include "storefront/request_head.h"

#include <algorithm>

namespace chophien::storefront {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// RFC 9110 token characters (method and header names).
bool is_tchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// Field values: visible ASCII, spaces, tabs and obs-text; no other control characters.
bool is_field_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u == '\t' || (u >= 0x20 && u != 0x7f);
}

// Request targets: visible ASCII only (no spaces, no controls, no raw bytes above 0x7e).
bool is_target_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u > 0x20 && u < 0x7f;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<std::string_view> RequestHead::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return value;
  }
  return std::nullopt;
}

bool RequestHead::wants_close() const {
  for (const auto& [key, value] : headers) {
    if (!iequals(key, "Connection")) continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      const size_t comma = rest.find(',');
      if (iequals(trim(rest.substr(0, comma)), "close")) return true;
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return false;
}

HeadStatus parse_request_head(std::string_view bytes, RequestHead& head) {
  head = RequestHead{};
  // Lines end with CRLF and nothing else: a bare LF or CR, or a NUL, is malformed at once rather
  // than a reason to wait for more bytes.
  for (size_t i = 0; i < bytes.size(); ++i) {
    const char c = bytes[i];
    if (c == '\0' || (c == '\n' && (i == 0 || bytes[i - 1] != '\r')) ||
        (c == '\r' && i + 1 < bytes.size() && bytes[i + 1] != '\n')) {
      // Bytes after the head (a body, the next request) are not the head's business.
      const size_t head_end = bytes.find("\r\n\r\n");
      if (head_end == std::string_view::npos || i < head_end + 4) return HeadStatus::malformed;
      break;
    }
  }
  const size_t end = bytes.find("\r\n\r\n");
  if (end == std::string_view::npos) return HeadStatus::incomplete;
  head.size = end + 4;
  std::string_view rest = bytes.substr(0, end + 2);  // every line ends with CRLF

  const auto next_line = [&rest, &head](std::string_view& line) {
    const size_t crlf = rest.find("\r\n");
    line = rest.substr(0, crlf);
    rest.remove_prefix(crlf + 2);
    head.longest_line = std::max(head.longest_line, line.size() + 2);
    // A lone CR or LF inside a line is not HTTP/1.1.
    return line.find_first_of("\r\n") == std::string_view::npos;
  };

  std::string_view line;
  if (!next_line(line)) return HeadStatus::malformed;
  const size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos || sp1 == 0) return HeadStatus::malformed;
  const size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || sp2 == sp1 + 1) return HeadStatus::malformed;
  head.method = line.substr(0, sp1);
  head.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  head.version = line.substr(sp2 + 1);
  if (!std::all_of(head.method.begin(), head.method.end(), is_tchar)) return HeadStatus::malformed;
  if (!std::all_of(head.target.begin(), head.target.end(), is_target_char)) {
    return HeadStatus::malformed;
  }
  if (head.version != "HTTP/1.1" && head.version != "HTTP/1.0") return HeadStatus::malformed;

  while (!rest.empty()) {
    if (!next_line(line)) return HeadStatus::malformed;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return HeadStatus::malformed;
    const std::string_view name = line.substr(0, colon);
    if (!std::all_of(name.begin(), name.end(), is_tchar)) return HeadStatus::malformed;
    const std::string_view value = line.substr(colon + 1);
    if (!std::all_of(value.begin(), value.end(), is_field_char)) return HeadStatus::malformed;
    head.headers.emplace_back(name, trim(value));
  }
  return HeadStatus::complete;
}

HeadScanner::State HeadScanner::scan(std::string_view bytes) {
  if (state_ != State::incomplete) return state_;
  for (; scanned_ < bytes.size(); ++scanned_) {
    if (bytes[scanned_] != '\n') continue;
    // Only CR LF alone ends a head, as in httplib, which passes over a line ended by a bare LF
    // and reads on: such a line is one more header line here.
    const bool blank = scanned_ - line_start_ == 1 && bytes[scanned_ - 1] == '\r';
    line_start_ = scanned_ + 1;
    if (blank && lines_ > 0) {
      size_ = scanned_ + 1;
      return state_ = size_ > max_bytes_ ? State::too_large : State::complete;
    }
    if (++lines_ > max_lines_ + 1) return state_ = State::too_large;  // the request line too
  }
  if (bytes.size() > max_bytes_) state_ = State::too_large;
  return state_;
}

}  // namespace chophien::storefront
