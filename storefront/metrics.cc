#include "storefront/metrics.h"

#include <chrono>
#include <cstdio>

namespace chophien::storefront {
namespace {

std::string format_double(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

Metrics::Metrics()
    : started_at_(std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count()) {}

std::string Metrics::escape_label(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void Metrics::record_request(std::string_view route, std::string_view method, int status,
                             double seconds) {
  constexpr size_t kBucketCount = std::size(kBuckets);
  size_t bucket = kBucketCount;  // +Inf
  for (size_t i = 0; i < kBucketCount; ++i) {
    if (seconds <= kBuckets[i]) {
      bucket = i;
      break;
    }
  }
  std::lock_guard lock(mutex_);
  ++requests_[{std::string(route), std::string(method), status}];
  auto& h = latency_[{std::string(route), std::string(method)}];
  if (h.buckets.empty()) h.buckets.assign(kBucketCount + 1, 0);
  ++h.buckets[bucket];
  ++h.count;
  h.sum += seconds;
}

Counter& Metrics::counter(std::string_view name, std::string_view help, std::string_view labels) {
  std::lock_guard lock(mutex_);
  auto it = counters_.find(name);
  if (it == counters_.end()) it = counters_.emplace(std::string(name), NamedCounter{}).first;
  if (it->second.help.empty()) it->second.help = std::string(help);
  auto& slot = it->second.by_labels[std::string(labels)];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

std::string Metrics::render() const {
  std::string out;
  out.reserve(4096);
  std::lock_guard lock(mutex_);
  out += "# HELP chophien_http_requests_total HTTP requests by route pattern, method and status.\n";
  out += "# TYPE chophien_http_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    const auto& [route, method, status] = key;
    out += "chophien_http_requests_total{route=\"" + escape_label(route) + "\",method=\"" +
           escape_label(method) + "\",status=\"" + std::to_string(status) + "\"} " +
           std::to_string(n) + "\n";
  }
  out +=
      "# HELP chophien_http_request_duration_seconds Time from the start of routing to the "
      "response being ready to write.\n";
  out += "# TYPE chophien_http_request_duration_seconds histogram\n";
  for (const auto& [key, h] : latency_) {
    std::string labels =
        "route=\"" + escape_label(key.first) + "\",method=\"" + escape_label(key.second) + "\"";
    int64_t cumulative = 0;
    for (size_t i = 0; i < std::size(kBuckets); ++i) {
      cumulative += h.buckets[i];
      out += "chophien_http_request_duration_seconds_bucket{" + labels + ",le=\"" +
             format_double(kBuckets[i]) + "\"} " + std::to_string(cumulative) + "\n";
    }
    out += "chophien_http_request_duration_seconds_bucket{" + labels + ",le=\"+Inf\"} " +
           std::to_string(h.count) + "\n";
    out +=
        "chophien_http_request_duration_seconds_sum{" + labels + "} " + format_double(h.sum) + "\n";
    out += "chophien_http_request_duration_seconds_count{" + labels + "} " +
           std::to_string(h.count) + "\n";
  }
  for (const auto& [name, c] : counters_) {
    out += "# HELP " + name + " " + c.help + "\n# TYPE " + name + " counter\n";
    for (const auto& [labels, counter] : c.by_labels) {
      out += name + (labels.empty() ? "" : "{" + labels + "}") + " " +
             std::to_string(counter->value()) + "\n";
    }
  }
  out += "# HELP chophien_process_start_time_seconds Start time of the process (unix seconds).\n";
  out += "# TYPE chophien_process_start_time_seconds gauge\n";
  out += "chophien_process_start_time_seconds " + std::to_string(started_at_) + "\n";
  return out;
}

}  // namespace chophien::storefront
