#include "core/progress.h"

#include <unistd.h>

#include <algorithm>

namespace chophien::core {

std::string progress_line(std::string_view label, int64_t done, int64_t total, int width) {
  total = std::max<int64_t>(total, 0);
  done = std::clamp<int64_t>(done, 0, total);
  int64_t percent = total == 0 ? 100 : done * 100 / total;
  int64_t filled = total == 0 ? width : done * width / total;
  std::string line(label);
  line += " [";
  line.append(static_cast<size_t>(filled), '#');
  line.append(static_cast<size_t>(width - filled), ' ');
  char tail[64];
  std::snprintf(tail, sizeof tail, "] %3lld%% %lld/%lld", static_cast<long long>(percent),
                static_cast<long long>(done), static_cast<long long>(total));
  line += tail;
  return line;
}

Progress::Progress(std::string label, int64_t total, std::FILE* out)
    : label_(std::move(label)),
      total_(total),
      out_(out),
      enabled_(out != nullptr && ::isatty(::fileno(out)) == 1) {}

Progress::~Progress() { finish(); }

void Progress::update(int64_t done) {
  if (!enabled_ || finished_) return;
  int percent =
      total_ <= 0 ? 100 : static_cast<int>(std::clamp<int64_t>(done, 0, total_) * 100 / total_);
  if (percent == shown_percent_) return;
  shown_percent_ = percent;
  std::fprintf(out_, "\r%s", progress_line(label_, done, total_).c_str());
  std::fflush(out_);
}

void Progress::finish() {
  if (!enabled_ || finished_) return;
  finished_ = true;
  if (shown_percent_ >= 0) {
    std::fprintf(out_, "\r%s\n", progress_line(label_, total_, total_).c_str());
    std::fflush(out_);
  }
}

}  // namespace chophien::core
