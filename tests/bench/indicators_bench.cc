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

#ifndef CHOPHIEN_BENCH_DATA_DIR
#define CHOPHIEN_BENCH_DATA_DIR "."
#endif

namespace {

using namespace chophien;
using namespace chophien::core;

constexpr int kProducers = 600;
constexpr int kProducts = 2000;
const char* kCommunes[] = {"01290", "01294", "01297", "01304", "01318", "01324"};
const char* kChannels[] = {"storefront", "stall_qr", "shopee", "lazada", "tiktok_shop",
                           "postmart",   "voso",     "social", "cash",   "other"};

void must(const Result<void>& r) {
  if (!r) throw std::runtime_error(r.error().message);
}

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
  must(
      db.exec("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -1000000;"
              "PRAGMA foreign_keys = OFF; DROP TRIGGER sales_ledger_summaries;"
              "DROP TRIGGER sales_ledger_rollups;"));
  auto tx = db.begin().value();
  std::mt19937_64 rng(42);
  {
    auto p = db.prepare(
                   "INSERT INTO producers (name, area_code, area_valid_from, bank_bin, "
                   "bank_account, bank_holder, social_facebook, registered_at) VALUES (?1, ?2, "
                   "'2025-07-01', ?3, ?4, ?5, ?6, 1735664400)")
                 .value();
    for (int i = 0; i < kProducers; ++i) {
      const bool bank = rng() % 3 != 0;
      p.reset();
      p.bind(1, "Chủ thể " + std::to_string(i)).bind(2, kCommunes[i % 6]);
      p.bind(3, bank ? "970436" : "").bind(4, bank ? std::to_string(1000000 + i) : "");
      p.bind(5, bank ? "CHU THE" : "").bind(6, rng() % 2 ? "fb.com/p" : "");
      must(p.run());
    }
    auto q = db.prepare(
                   "INSERT INTO products (producer_id, sku, name, name_key, ocop_group, "
                   "ocop_stars, decision_no, decision_date, issuer, unit, price_vnd, stock, "
                   "status, created_at, updated_at) VALUES (?1, ?2, 'Sản phẩm', 'san pham', ?3, "
                   "?4, '1/QĐ', ?5, 'UBND', 'gói', 50000, 10, 'active', 0, 0)")
                 .value();
    for (int i = 0; i < kProducts; ++i) {
      q.reset();
      q.bind(1, static_cast<int64_t>(1 + rng() % kProducers)).bind(2, "B-" + std::to_string(i));
      q.bind(3, "G" + std::to_string(1 + rng() % 6)).bind(4, static_cast<int64_t>(3 + rng() % 3));
      q.bind(5, rng() % 2 ? "2024-05-01" : "2022-03-01");
      must(q.run());
    }
  }
  auto s = db.prepare(
                 "INSERT INTO sales_ledger (id, producer_id, area_code, area_valid_from, channel, "
                 "settlement, amount_vnd, occurred_at, source_kind, source_ref, refund_of, "
                 "recorded_at) VALUES (?1, ?2, ?3, '2025-07-01', ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?7)")
               .value();
  const int64_t start = vietnam_midnight(Date{2026, 1, 1});
  const int64_t span = vietnam_midnight(Date{2027, 1, 1}) - start;
  char ref[24];
  // Each sale's producer and channel, so a refund repeats them.
  std::vector<uint16_t> producer_of(static_cast<size_t>(rows) + 1);
  std::vector<uint8_t> channel_of(static_cast<size_t>(rows) + 1),
      e_wallet(static_cast<size_t>(rows) + 1);
  for (int64_t i = 1; i <= rows; ++i) {
    const int64_t when = start + span * (i - 1) / rows;  // in time order
    // 1% refunds, each of the sale 999 rows back.
    const bool refund = i > 1000 && i % 100 == 0;
    const int64_t original = refund ? i - 999 : i;
    if (!refund) {
      producer_of[static_cast<size_t>(i)] = static_cast<uint16_t>(1 + rng() % kProducers);
      channel_of[static_cast<size_t>(i)] = static_cast<uint8_t>(rng() % 10);
      e_wallet[static_cast<size_t>(i)] = rng() % 4 == 0;
    }
    const int64_t producer = producer_of[static_cast<size_t>(original)];
    const std::string_view c = kChannels[channel_of[static_cast<size_t>(original)]];
    const char* settlement =
        c == "cash" || c == "social" ? "cash"
        : c == "shopee" || c == "lazada" || c == "tiktok_shop" || c == "postmart" || c == "voso"
            ? "marketplace"
        : e_wallet[static_cast<size_t>(original)] ? "e_wallet"
                                                  : "bank_transfer";
    s.reset();
    s.bind(1, i).bind(2, producer).bind(3, kCommunes[(producer - 1) % 6]).bind(4, c);
    s.bind(5, settlement).bind(7, when);
    if (refund) {
      std::snprintf(ref, sizeof ref, "%lld", static_cast<long long>(original));
      s.bind(6, -static_cast<int64_t>(1000 * (1 + rng() % 10)));
      s.bind(8, "refund").bind(9, ref).bind(10, original);
    } else {
      std::snprintf(ref, sizeof ref, "%010lld", static_cast<long long>(i));
      s.bind(6, static_cast<int64_t>(1000 * (10 + rng() % 990)));
      s.bind(8, "order").bind(9, ref).bind_null(10);
    }
    must(s.run());
  }
  must(tx.commit());
  const auto inserted = std::chrono::steady_clock::now();
  const int64_t summary_rows = SalesSummaries(db).rebuild().value();
  const auto rebuilt = std::chrono::steady_clock::now();
  must(db.exec(
      "CREATE INDEX bench_ledger_cover ON sales_ledger (occurred_at, producer_id, area_code, "
      "area_valid_from, channel, settlement, amount_vnd); ANALYZE;"));
  must(db.exec("CREATE TABLE bench_marker (rows INTEGER)"));
  auto m = db.prepare("INSERT INTO bench_marker VALUES (?1)").value();
  m.bind(1, rows);
  must(m.run());
  using std::chrono::duration;
  std::fprintf(stderr,
               "generated %lld ledger rows in %.1f s; summaries rebuilt (%lld rows) in %.1f s\n",
               static_cast<long long>(rows), duration<double>(inserted - started).count(),
               static_cast<long long>(summary_rows), duration<double>(rebuilt - inserted).count());
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
