#pragma once
// A one-line progress bar for long command-line work (imports, exports, sync). It draws on the
// given stream (stderr by default) only when that stream is a terminal, so pipes, files and
// logs never see control characters. Not thread-safe: one owner updates it.

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace chophien::core {

// The bar text without the leading carriage return: "Nhập sản phẩm [#####     ]  50% 5/10".
std::string progress_line(std::string_view label, int64_t done, int64_t total, int width = 30);

class Progress {
 public:
  Progress(std::string label, int64_t total, std::FILE* out = stderr);
  ~Progress();  // finishes the line if anything was drawn
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Records progress; redraws only when the shown percentage changes.
  void update(int64_t done);
  void finish();
  bool enabled() const { return enabled_; }

 private:
  std::string label_;
  int64_t total_;
  std::FILE* out_;
  bool enabled_;
  int shown_percent_ = -1;
  bool finished_ = false;
};

}  // namespace chophien::core
