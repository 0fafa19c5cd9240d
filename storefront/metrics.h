#pragma once
// Process metrics in the Prometheus text exposition format (version 0.0.4), served at /metrics.
//
// The server records every request: a counter by route pattern, method and status
// (`chophien_http_requests_total`) and a latency histogram by route pattern and method
// (`chophien_http_request_duration_seconds`). Other parts add their own counters with counter().
//
// Thread-safety: every member may be called from any thread. Recording a request takes one short
// mutex-protected map update; counters are atomics with stable addresses.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace chophien::storefront {

// A monotonically increasing count, e.g. orders created. Obtained from Metrics::counter().
class Counter {
 public:
  void add(int64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

class Metrics {
 public:
  // Upper bounds of the latency buckets, in seconds (+Inf is implicit).
  static constexpr double kBuckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                        0.05,   0.1,   0.25,   0.5,   1,    2.5};

  Metrics();

  // `route` is the registered pattern (not the raw path, so ids do not explode the label set);
  // requests that matched no route are recorded under "unmatched".
  void record_request(std::string_view route, std::string_view method, int status, double seconds);

  // A named counter (`name` a valid Prometheus metric name, `labels` already formatted as
  // `key="value",...` or empty). The same name and labels give the same Counter.
  Counter& counter(std::string_view name, std::string_view help, std::string_view labels = {});

  // Everything, in the text format.
  std::string render() const;

  // Escapes a label value (backslash, double quote, newline).
  static std::string escape_label(std::string_view value);

 private:
  struct Histogram {
    std::vector<int64_t> buckets;  // cumulative at render time; per-bucket counts here
    int64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, int>, int64_t> requests_;
  std::map<std::pair<std::string, std::string>, Histogram> latency_;
  struct NamedCounter {
    std::string help;
    std::map<std::string, std::unique_ptr<Counter>> by_labels;
  };
  std::map<std::string, NamedCounter, std::less<>> counters_;
  int64_t started_at_ = 0;
};

}  // namespace chophien::storefront
