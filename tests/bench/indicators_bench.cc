// A year of figures exported at 1 million and 10 million ledger rows (goal: under 50 ms at 10
// million, and never slower than 1.2x the bare query), against the bare SQLite GROUP BY over the
// same rows with a covering index, in the same run.
//
// The data (600 producers in the 6 communes of Bảo Lâm, 2,000 OCOP products, N sales spread over
// 2026 with 1% refunds) is generated once straight into the ledger with one prepared insert in
// one transaction, the summaries and rollups rebuilt from it, and the file kept in the build
// directory (indicators_bench_<N>.db) for later runs (a file made before migration 0011 gets its
// rollups from its summaries when it is opened). BM_Export: IndicatorEngine::compute for 2026, area
// 04 by commune, re-based, then the CSV. BM_BareGroupBy: the ledger summed per producer, area,
// channel and settlement for 2026.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/areas.h"
#include "core/clock.h"
#include "core/database.h"
#include "core/indicator_export.h"
#include "core/indicators.h"
#include "core/summaries.h"
#include "core/text.h"
#include "tests/bench/bench_ledger.h"

#ifndef CHOPHIEN_BENCH_DATA_DIR
#define CHOPHIEN_BENCH_DATA_DIR "."
#endif

namespace {

using namespace chophien;
using namespace chophien::core;

// Generates the data set into `path` unless a complete one is there.
void generate(const std::string& path, int64_t rows) {
  {
    auto db = Database::open(path);
    if (db) {
      auto s = db->prepare("SELECT rows FROM bench_marker");
      if (s) {
        auto found = s->step();
        if (found && *found && s->column_int(0) == rows) return;
      }
    }
  }
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
  const auto started = std::chrono::steady_clock::now();
  Database db = Database::open(path).value();
  AreaStore(db).load_default().value();
  bench::must(
      db.exec("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -1000000;"
              "PRAGMA foreign_keys = OFF;"));
  const int64_t summary_rows = bench::fill_sales(db, rows);
  const auto filled = std::chrono::steady_clock::now();
  bench::must(db.exec(
      "CREATE INDEX bench_ledger_cover ON sales_ledger (occurred_at, producer_id, area_code, "
      "area_valid_from, channel, settlement, amount_vnd); ANALYZE;"));
  bench::must(db.exec("CREATE TABLE bench_marker (rows INTEGER)"));
  auto m = db.prepare("INSERT INTO bench_marker VALUES (?1)").value();
  m.bind(1, rows);
  bench::must(m.run());
  std::fprintf(stderr,
               "generated %lld ledger rows and rebuilt the summaries (%lld rows) in %.1f s\n",
               static_cast<long long>(rows), static_cast<long long>(summary_rows),
               std::chrono::duration<double>(filled - started).count());
}

struct DataSet {
  ManualClock clock{vietnam_midnight(Date{2027, 1, 2})};
  std::unique_ptr<Database> db;
};

DataSet& data(int64_t rows) {
  static std::map<int64_t, DataSet> sets;
  auto [it, inserted] = sets.try_emplace(rows);
  if (inserted) {
    const std::string path =
        std::string(CHOPHIEN_BENCH_DATA_DIR) + "/indicators_bench_" + std::to_string(rows) + ".db";
    generate(path, rows);
    it->second.db = std::make_unique<Database>(Database::open(path).value());
  }
  return it->second;
}

void BM_Export(benchmark::State& state) {
  DataSet& d = data(state.range(0));
  IndicatorEngine engine(*d.db, d.clock);
  IndicatorQuery q;
  q.from = Date{2026, 1, 1};
  q.to = Date{2026, 12, 31};
  q.area_code = "04";
  q.by_level = "commune";
  q.basis = Basis::rebased;
  size_t bytes = 0;
  for (auto _ : state) {
    auto report = engine.compute(q).value();
    const std::string csv = report_csv(report);
    bytes = csv.size();
    benchmark::DoNotOptimize(csv.data());
  }
  state.counters["csv_bytes"] = static_cast<double>(bytes);
}

void BM_BareGroupBy(benchmark::State& state) {
  DataSet& d = data(state.range(0));
  auto s = d.db->prepare(
                   "SELECT producer_id, area_code, area_valid_from, channel, settlement, count(*), "
                   "sum(amount_vnd) FROM sales_ledger INDEXED BY bench_ledger_cover "
                   "WHERE occurred_at >= ?1 AND occurred_at < ?2 GROUP BY 1, 2, 3, 4, 5")
               .value();
  int64_t groups = 0;
  for (auto _ : state) {
    s.reset();
    s.bind(1, vietnam_midnight(Date{2026, 1, 1})).bind(2, vietnam_midnight(Date{2027, 1, 1}));
    groups = 0;
    while (s.step().value()) ++groups;
  }
  state.counters["groups"] = static_cast<double>(groups);
}

// Interleaved per size so both see the same cache state.
BENCHMARK(BM_Export)->Arg(1'000'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BareGroupBy)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->MinTime(2);
BENCHMARK(BM_Export)->Arg(10'000'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BareGroupBy)->Arg(10'000'000)->Unit(benchmark::kMillisecond)->MinTime(5);

}  // namespace

BENCHMARK_MAIN();
