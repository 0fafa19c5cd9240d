#include "core/log.h"

#include <array>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <utility>

namespace chophien::core {

namespace {

std::mutex& sink_mutex() {
  static std::mutex mutex;
  return mutex;
}

LogSink& current_sink() {
  static LogSink sink;
  return sink;
}

void default_sink(std::string_view line) {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  std::array<char, 32> stamp{};
  std::strftime(stamp.data(), stamp.size(), "%Y-%m-%dT%H:%M:%SZ", &utc);
  std::fprintf(stderr, "%s %.*s\n", stamp.data(), static_cast<int>(line.size()), line.data());
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool ends_with_word(std::string_view key, std::string_view word) {
  if (key.size() < word.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    if (lower(key[key.size() - word.size() + i]) != word[i]) return false;
  }
  return true;
}

// Keys that name a secret or personal data, matched at the end of the key so that
// `reset_token`, `api_key` and `customer_phone` are caught too.
bool is_secret_key(std::string_view key) {
  static constexpr std::string_view kWords[] = {"password", "passwd", "token",  "secret",
                                                "key",      "salt",   "hash",   "authorization",
                                                "cookie",   "phone",  "address"};
  for (auto word : kWords) {
    if (ends_with_word(key, word)) return true;
  }
  return false;
}

bool needs_quotes(std::string_view value) {
  if (value.empty()) return true;
  for (unsigned char c : value) {
    if (c <= 0x20 || c == '"' || c == '=' || c == '\\' || c == 0x7f) return true;
  }
  return false;
}

void append_value(std::string& out, std::string_view value) {
  if (!needs_quotes(value)) {
    out += value;
    return;
  }
  out += '"';
  for (unsigned char c : value) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          static constexpr char kHex[] = "0123456789abcdef";
          out += "\\x";
          out += kHex[c >> 4];
          out += kHex[c & 0xf];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

// Keys are code constants; anything outside [A-Za-z0-9_.-] is replaced so a key can never break
// the line format.
void append_key(std::string& out, std::string_view key) {
  if (key.empty()) {
    out += '_';
    return;
  }
  for (char c : key) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-';
    out += ok ? c : '_';
  }
}

}  // namespace

LogSink set_log_sink(LogSink sink) {
  std::lock_guard lock(sink_mutex());
  return std::exchange(current_sink(), std::move(sink));
}

std::string format_log_line(std::string_view event, std::initializer_list<LogField> fields) {
  std::string line = "event=";
  append_value(line, event);
  for (const auto& field : fields) {
    line += ' ';
    append_key(line, field.key);
    line += '=';
    if (is_secret_key(field.key)) {
      line += "[redacted]";
    } else {
      append_value(line, field.value);
    }
  }
  return line;
}

void log(std::string_view event, std::initializer_list<LogField> fields) {
  std::string line = format_log_line(event, fields);
  std::lock_guard lock(sink_mutex());
  if (current_sink()) {
    current_sink()(line);
  } else {
    default_sink(line);
  }
}

}  // namespace chophien::core
