#include "core/log.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace chophien::core {
namespace {

struct CapturedLog {
  CapturedLog() {
    previous = set_log_sink([this](std::string_view line) { lines.emplace_back(line); });
  }
  ~CapturedLog() { set_log_sink(previous); }
  std::vector<std::string> lines;
  LogSink previous;
};

TEST(Log, WritesOneLineWithEventAndFields) {
  CapturedLog log_capture;
  log("order.paid", {{"order", "CPK7Q2M9XA"}, {"vnd", int64_t{150000}}, {"ok", true}});
  ASSERT_EQ(log_capture.lines.size(), 1u);
  EXPECT_EQ(log_capture.lines[0], "event=order.paid order=CPK7Q2M9XA vnd=150000 ok=true");
}

TEST(Log, QuotesAndEscapesValuesThatWouldBreakTheLine) {
  EXPECT_EQ(format_log_line("x", {{"name", "Miến dong"}, {"q", "a\"b"}, {"nl", "a\nb=c"}}),
            "event=x name=\"Miến dong\" q=\"a\\\"b\" nl=\"a\\nb=c\"");
  EXPECT_EQ(format_log_line("x", {{"empty", ""}, {"ctl", std::string("\x01")}}),
            "event=x empty=\"\" ctl=\"\\x01\"");
  EXPECT_EQ(format_log_line("x", {{"bad key=1", "v"}}), "event=x bad_key_1=v");
}

TEST(Log, RedactsSecretsAndPersonalData) {
  const std::string line = format_log_line("user.login", {{"user", 7},
                                                          {"password", "hunter2"},
                                                          {"session_token", "abc"},
                                                          {"api_key", "k"},
                                                          {"customer_phone", "0912345678"},
                                                          {"address", "x"}});
  EXPECT_EQ(line.find("hunter2"), std::string::npos);
  EXPECT_EQ(line.find("abc"), std::string::npos);
  EXPECT_EQ(line.find("0912345678"), std::string::npos);
  EXPECT_NE(line.find("password=[redacted]"), std::string::npos);
  EXPECT_NE(line.find("user=7"), std::string::npos);
}

TEST(Log, EmptySinkRestoresTheDefault) {
  auto previous = set_log_sink(nullptr);
  log("test.default_sink", {{"n", 1}});  // goes to stderr; must not crash
  set_log_sink(previous);
}

}  // namespace
}  // namespace chophien::core
