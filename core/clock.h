#pragma once
// Where "now" comes from. Code that needs the time takes a `const Clock&`, so tests use a
// ManualClock and never sleep. Times are unix seconds, UTC (the `*_at` columns).
//
// Thread-safety: both clocks may be read from any number of threads; ManualClock may be set or
// advanced while others read it.

#include <atomic>
#include <chrono>
#include <cstdint>

namespace chophien::core {

class Clock {
 public:
  virtual ~Clock() = default;
  // Seconds since 1970-01-01T00:00:00Z.
  virtual int64_t now() const = 0;
};

// The real wall clock.
class SystemClock final : public Clock {
 public:
  int64_t now() const override {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

// A process-wide SystemClock, for main() and servers.
inline const Clock& system_clock() {
  static const SystemClock clock;
  return clock;
}

// A clock that only moves when told to: for tests.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t start = 1751328000) : now_(start) {}  // 2025-07-01T00:00:00Z
  int64_t now() const override { return now_.load(); }
  void set(int64_t seconds) { now_.store(seconds); }
  void advance(int64_t seconds) { now_.fetch_add(seconds); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace chophien::core
