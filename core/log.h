#pragma once
// One line per event: `event=order.paid order=CPK7Q2M9XA vnd=150000`.
//
//   core::log("order.paid", {{"order", code}, {"vnd", total}});
//
// Values that contain spaces, quotes, '=' or control characters are written in double quotes
// with \" \\ \n \r \t and \xNN escapes, so an event is always exactly one line. Fields whose key
// names a secret (password, token, secret, key, salt, hash, authorization, cookie, phone, address,
// and keys ending in those) are written as `key=[redacted]`: the facade refuses to carry them even
// if a caller passes one by mistake. Never log personal data on purpose.
//
// Thread-safety: log() and set_log_sink() may be called from any thread; lines are delivered to
// the sink one at a time, never interleaved.

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>

namespace chophien::core {

struct LogField {
  LogField(std::string_view k, std::string_view v) : key(k), value(v) {}
  LogField(std::string_view k, const char* v) : key(k), value(v == nullptr ? "" : v) {}
  LogField(std::string_view k, const std::string& v) : key(k), value(v) {}
  LogField(std::string_view k, bool v) : key(k), value(v ? "true" : "false") {}
  template <typename T>
  requires(std::is_integral_v<T> && !std::is_same_v<T, bool>) LogField(std::string_view k, T v)
      : key(k), value(std::to_string(v)) {}
  std::string_view key;
  std::string value;
};

// Receives each finished line, without a trailing newline.
using LogSink = std::function<void(std::string_view line)>;

// Replaces the sink; an empty function restores the default (stderr, one line each, prefixed with
// the UTC time). Returns the previous sink so tests can restore it.
LogSink set_log_sink(LogSink sink);

// Formats the line without sending it (what log() sends).
std::string format_log_line(std::string_view event, std::initializer_list<LogField> fields);

void log(std::string_view event, std::initializer_list<LogField> fields = {});

}  // namespace chophien::core
