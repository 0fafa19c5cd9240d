// Marketplace outbox throughput and memory (issue 7). Three fake platforms (Shopee, Lazada, TikTok
// Shop, integrations/marketplace_fake.h) on 127.0.0.1 check every signature, as the platforms
// document it; 30 shops (10 per platform) with a rate limit far above what one worker reaches,
// so the limit is never what holds a row. The outbox is on a WAL file database with the real
// migrations.
//
//   BM_OutboxSend        rows of listing creates queued over the shops, then Outbox::run_once
//                        passes until every row is done: signed requests per second (wall), and
//                        this thread's CPU time per request.
//   BM_ConnectorDirect   the reference: the same creates sent straight through the connectors,
//                        no outbox, no database: what HTTP, signing and the fakes cost alone.
//   BM_OutboxEnqueue     10,000 creates queued, with and without the outbox's SKU index.
//   BM_OutboxMemory      10,000 pending rows queued, then one pass over all of them: the
//                        process's VmRSS after queueing and after the pass, and VmHWM (its peak
//                        so far; run this case alone for a peak of its own).
#include <benchmark/benchmark.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/database.h"
#include "core/log.h"
#include "core/test_producer.h"
#include "integrations/marketplace.h"
#include "integrations/marketplace_fake.h"
#include "integrations/outbox.h"
#include "integrations/secret_box.h"

namespace {

using chophien::core::Database;
using chophien::core::SystemClock;
using chophien::integrations::Connector;
using chophien::integrations::Grant;
using chophien::integrations::MarketplaceShops;
using chophien::integrations::Outbox;
using chophien::integrations::OutboxSettings;
using chophien::integrations::Platform;
using chophien::integrations::SecretBox;
using chophien::integrations::testing_support::FakeMarketplace;
using chophien::integrations::testing_support::sample_listing;

constexpr int kShopsPerPlatform = 10;
constexpr Platform kPlatforms[] = {Platform::shopee, Platform::lazada, Platform::tiktok};

double thread_cpu_seconds() {
  timespec t{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

double process_cpu_seconds() {
  timespec t{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

// A line of /proc/self/status in kB ("VmRSS", "VmHWM").
double status_kb(const std::string& key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + ":", 0) == 0) return std::stod(line.substr(key.size() + 1));
  }
  return 0;
}

// The fakes, the shops and a fresh database file; one per benchmark run.
struct World {
  SystemClock clock;
  std::string path;
  std::optional<Database> db;
  SecretBox box = SecretBox::from_key(std::string(64, 'a')).value();
  std::optional<MarketplaceShops> shops;
  std::vector<std::unique_ptr<FakeMarketplace>> fakes;
  std::vector<std::unique_ptr<Connector>> connectors;
  std::map<Platform, Connector*> by_platform;
  std::vector<int64_t> shop_refs;
  std::vector<Platform> shop_platforms;

  World() {
    path = (std::filesystem::temp_directory_path() /
            ("chophien_outbox_bench_" + std::to_string(::getpid()) + ".db"))
               .string();
    remove_files();
    db.emplace(Database::open(path).value());
    shops.emplace(*db, clock, &box);
    const int64_t producer =
        chophien::core::testing_support::add_producer(*db, "HTX Mật ong Bảo Lâm", "24");
    const int64_t now = clock.now();
    for (Platform p : kPlatforms) {
      fakes.push_back(std::make_unique<FakeMarketplace>(p, clock));
      fakes.back()->grant("acc-0", "ref-0");
      auto app = fakes.back()->app();
      app.read_timeout_ms = 5000;  // a loaded machine is not a platform that stopped answering
      connectors.push_back(chophien::integrations::make_connector(app, clock));
      by_platform[p] = connectors.back().get();
      for (int i = 0; i < kShopsPerPlatform; ++i) {
        Grant grant{std::to_string(88001 + i),
                    p == Platform::tiktok ? "ROW_fake" : "",
                    "Shop " + std::to_string(i),
                    "acc-0",
                    "ref-0",
                    now + 4 * 3600,
                    now + 30 * 86400};
        shop_refs.push_back(
            shops->connect(producer, p, grant, std::to_string(3001 + i), now + 365 * 86400)
                .value());
        shop_platforms.push_back(p);
      }
    }
  }
  ~World() {
    shops.reset();
    db.reset();
    remove_files();
  }
  void remove_files() {
    for (auto suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  }
  int creates() const {
    int n = 0;
    for (const auto& f : fakes) n += f->creates();
    return n;
  }
  int rejections() const {
    int n = 0;
    for (const auto& f : fakes) n += static_cast<int>(f->rejections().size());
    return n;
  }
  Outbox outbox(int batch) {
    OutboxSettings s;
    s.per_shop_per_second = 1e6;  // never the bottleneck here
    s.per_shop_burst = 1e6;
    s.batch = batch;
    s.jitter_seed = 7;
    return Outbox(*db, *shops, by_platform, s);
  }
  void enqueue(Outbox& outbox, int rows, const std::string& prefix) {
    for (int i = 0; i < rows; ++i) {
      const int64_t shop = shop_refs[static_cast<size_t>(i) % shop_refs.size()];
      outbox.enqueue_create(shop, sample_listing(prefix + "-" + std::to_string(i)), clock.now())
          .value();
    }
  }
};

// The outbox's log lines (one per row sent) are counted, not written: the figure is the worker.
struct QuietLog {
  int64_t lines = 0;
  chophien::core::LogSink previous;
  QuietLog() {
    previous = chophien::core::set_log_sink([this](std::string_view) { ++lines; });
  }
  ~QuietLog() { chophien::core::set_log_sink(previous); }
};

void BM_OutboxSend(benchmark::State& state) {
  const int rows = static_cast<int>(state.range(0));
  QuietLog quiet;
  World world;
  Outbox outbox = world.outbox(500);
  double wall = 0, cpu = 0, process_cpu = 0;
  int64_t sent = 0;
  int round = 0;
  for (auto _ : state) {
    world.enqueue(outbox, rows, "R" + std::to_string(round++));
    const int creates_before = world.creates();
    const auto wall0 = std::chrono::steady_clock::now();
    const double cpu0 = thread_cpu_seconds();
    const double process0 = process_cpu_seconds();
    int done = 0;
    while (done < rows) {
      auto report = outbox.run_once(world.clock.now());
      if (!report) {
        state.SkipWithError(report.error().message.c_str());
        return;
      }
      if (report->done == 0) {
        state.SkipWithError("a pass finished no row");
        return;
      }
      done += report->done;
    }
    cpu += thread_cpu_seconds() - cpu0;
    process_cpu += process_cpu_seconds() - process0;
    wall += std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    const int got = world.creates() - creates_before;
    if (got != rows) state.SkipWithError("the fakes did not create every listing");
    sent += got;
  }
  if (world.rejections() != 0) state.SkipWithError("a fake refused a request");
  state.counters["requests_per_s"] = static_cast<double>(sent) / wall;
  state.counters["worker_cpu_us_per_request"] = cpu * 1e6 / static_cast<double>(sent);
  state.counters["process_cpu_us_per_request"] = process_cpu * 1e6 / static_cast<double>(sent);
  state.counters["shops"] = static_cast<double>(world.shop_refs.size());
}
BENCHMARK(BM_OutboxSend)->Arg(3000)->Iterations(3)->Unit(benchmark::kMillisecond)->UseRealTime();

// Reference: the same signed creates straight through the connectors (no outbox, no database).
void BM_ConnectorDirect(benchmark::State& state) {
  const int rows = static_cast<int>(state.range(0));
  World world;
  double wall = 0, cpu = 0;
  int64_t sent = 0;
  int round = 0;
  std::vector<chophien::integrations::ShopAccess> access;
  for (size_t i = 0; i < world.shop_refs.size(); ++i) {
    access.push_back(world.shops->find(world.shop_refs[i]).value().access());
  }
  for (auto _ : state) {
    const std::string prefix = "D" + std::to_string(round++);
    const auto wall0 = std::chrono::steady_clock::now();
    const double cpu0 = thread_cpu_seconds();
    for (int i = 0; i < rows; ++i) {
      const size_t shop = static_cast<size_t>(i) % world.shop_refs.size();
      Connector& c = *world.by_platform.at(world.shop_platforms[shop]);
      auto answer =
          c.create_listing(access[shop], sample_listing(prefix + "-" + std::to_string(i)));
      if (!answer.result) {
        state.SkipWithError(answer.result.error().message.c_str());
        return;
      }
    }
    cpu += thread_cpu_seconds() - cpu0;
    wall += std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    sent += rows;
  }
  state.counters["requests_per_s"] = static_cast<double>(sent) / wall;
  state.counters["worker_cpu_us_per_request"] = cpu * 1e6 / static_cast<double>(sent);
}
BENCHMARK(BM_ConnectorDirect)
    ->Arg(3000)
    ->Iterations(3)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Queueing: 10,000 listing creates, each its own transaction (what a producer's edits do), with
// the (shop_ref, sku) index of migration 0020 (argument 1) and without it (0, dropped here: the
// schema before 0020). Reports microseconds of this thread's CPU per enqueue.
void BM_OutboxEnqueue(benchmark::State& state) {
  constexpr int kRows = 10000;
  QuietLog quiet;
  World world;
  if (state.range(0) == 0) world.db->exec("DROP INDEX marketplace_outbox_sku").value();
  Outbox outbox = world.outbox(500);
  double cpu = 0;
  int round = 0;
  for (auto _ : state) {
    const double cpu0 = thread_cpu_seconds();
    world.enqueue(outbox, kRows, "E" + std::to_string(round++));
    cpu += thread_cpu_seconds() - cpu0;
  }
  state.counters["cpu_us_per_enqueue"] =
      cpu * 1e6 / (static_cast<double>(kRows) * static_cast<double>(state.iterations()));
}
BENCHMARK(BM_OutboxEnqueue)
    ->ArgName("sku_index")
    ->Arg(0)
    ->Arg(1)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_OutboxMemory(benchmark::State& state) {
  constexpr int kRows = 10000;
  QuietLog quiet;
  World world;
  Outbox outbox = world.outbox(kRows);  // one pass takes every due row
  for (auto _ : state) {
    const double rss0 = status_kb("VmRSS");
    world.enqueue(outbox, kRows, "M");
    const double queued = status_kb("VmRSS");
    auto report = outbox.run_once(world.clock.now());
    if (!report || report->done != kRows || world.creates() != kRows) {
      state.SkipWithError("the pass did not send every row");
      return;
    }
    state.counters["rss_before_kb"] = rss0;
    state.counters["rss_queued_kb"] = queued;
    state.counters["rss_after_pass_kb"] = status_kb("VmRSS");
    state.counters["hwm_kb"] = status_kb("VmHWM");
  }
}
BENCHMARK(BM_OutboxMemory)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
