// Product search over 10,000 products (goal: p99 under 2 ms). The catalogue is the demo data plus
// generated products spread over its producers, in a WAL file database. BM_SearchKind times kinds
// of query (one word with and without diacritics, two words, filters, a rare word), BM_SearchMix
// a mix of them all; each reports p50 and p99 of per-query CPU and wall time as counters.
#include <benchmark/benchmark.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/database.h"
#include "core/demo.h"
#include "core/products.h"

namespace {

using chophien::core::Database;
using chophien::core::ProductOrder;
using chophien::core::ProductQuery;
using chophien::core::ProductStore;

constexpr int kProducts = 10000;

struct Catalogue {
  std::string path;
  chophien::core::ManualClock clock;
  std::optional<Database> db;
  std::optional<ProductStore> store;

  Catalogue() {
    path = (std::filesystem::temp_directory_path() /
            ("chophien_search_bench_" + std::to_string(::getpid()) + ".db"))
               .string();
    std::filesystem::remove(path);
    db.emplace(Database::open(path).value());
    // A server keeps the catalogue in memory: 32 MB of page cache for this connection.
    db->exec("PRAGMA cache_size = -32000").value();
    chophien::core::load_demo(*db, clock).value();
    store.emplace(*db, clock);
    std::vector<int64_t> producers;
    auto s = db->prepare("SELECT id FROM producers ORDER BY id").value();
    while (s.step().value()) producers.push_back(s.column_int(0));
    const char* kinds[] = {"Miến dong",       "Mật ong bạc hà", "Chè Shan tuyết",
                           "Gạo nếp",         "Khăn thổ cẩm",   "Thịt lợn gác bếp",
                           "Trà giảo cổ lam", "Hạt dẻ",         "Măng vầu khô",
                           "Rượu ngô",        "Giỏ mây",        "Tinh bột dong riềng"};
    const char* traits[] = {"loại đặc biệt", "hữu cơ",  "truyền thống", "vụ mới",   "đóng hộp quà",
                            "nhà làm",       "Bảo Lâm", "vùng cao",     "thủ công", "sấy lạnh"};
    const char* groups[] = {"G1", "G2", "G3", "G4", "G5", "G6"};
    auto tx = db->begin().value();
    int existing = static_cast<int>(store->list_all().value().size());
    for (int i = existing; i < kProducts; ++i) {
      chophien::core::ProductFields f;
      f.name = std::string(kinds[i % 12]) + " " + traits[(i / 12) % 10] + " " + std::to_string(i);
      f.description = "Sản phẩm số " + std::to_string(i) + " của " + traits[(i / 7) % 10] +
                      ", đóng gói tại xã, giao trong ngày.";
      f.ocop_group = groups[i % 6];
      if (i % 3 == 0) {
        f.certificate = chophien::core::OcopCertificate{3 + i % 3, "100/QĐ-UBND", "2024-01-15",
                                                        "UBND tỉnh Cao Bằng"};
      }
      f.unit = "gói";
      f.price_vnd = 20000 + (i % 50) * 5000;
      f.stock = i % 40;
      f.status = i % 10 == 0 ? chophien::core::ProductStatus::draft
                             : chophien::core::ProductStatus::active;
      clock.advance(1);
      store->create(producers[static_cast<size_t>(i) % producers.size()], f).value();
    }
    tx.commit().value();
    (void)db->exec("PRAGMA optimize");
  }
  ~Catalogue() {
    store.reset();
    db.reset();
    for (auto suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  }
};

Catalogue& catalogue() {
  static Catalogue c;
  return c;
}

std::vector<ProductQuery> query_mix() {
  std::vector<ProductQuery> q;
  q.push_back({.q = "mien dong"});
  q.push_back({.q = "MIẾN"});
  q.push_back({.q = "mật ong bạc hà"});
  q.push_back({.q = "che shan"});
  q.push_back({.q = "gao nep huu co"});
  q.push_back({.q = "tho cam", .area_code = "01294"});
  q.push_back({.q = "thit lon gac bep", .stars = 3});
  q.push_back({.q = "ha", .per_page = 50});
  q.push_back({.q = "dong", .ocop_group = "G1", .page = 3});
  q.push_back({.q = "xyz khong co"});
  q.push_back({});
  q.push_back({.area_code = "01318", .order = ProductOrder::name});
  q.push_back({.ocop_group = "G3", .stars = 4});
  q.push_back({.page = 40, .per_page = 20});
  q.push_back({.q = "ruou ngo", .order = ProductOrder::newest});
  q.push_back({.q = "bảo lâm", .per_page = 100});
  return q;
}

// Per-query timings: wall clock and this thread's CPU time (the machine is shared, so CPU time
// is the figure that does not depend on what else runs).
struct Timings {
  std::vector<double> wall_us, cpu_us;
  static double cpu_now_us() {
    timespec t{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) * 1e6 + static_cast<double>(t.tv_nsec) / 1e3;
  }
  template <typename F>
  void time(F&& f) {
    auto wall0 = std::chrono::steady_clock::now();
    double cpu0 = cpu_now_us();
    f();
    cpu_us.push_back(cpu_now_us() - cpu0);
    wall_us.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - wall0)
            .count());
  }
  static double at(std::vector<double> v, double q) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))];
  }
  void report(benchmark::State& state) const {
    state.counters["cpu_p50_us"] = at(cpu_us, 0.50);
    state.counters["cpu_p99_us"] = at(cpu_us, 0.99);
    state.counters["wall_p50_us"] = at(wall_us, 0.50);
    state.counters["wall_p99_us"] = at(wall_us, 0.99);
  }
};

// Realistic kinds of query, each a few variants run in turn.
struct Kind {
  const char* name;
  std::vector<ProductQuery> queries;
};

const std::vector<Kind>& kinds() {
  static const std::vector<Kind> k = {
      {"one word, diacritics", {{.q = "MIẾN"}, {.q = "mật"}, {.q = "Chè"}, {.q = "rượu"}}},
      {"one word, folded", {{.q = "mien"}, {.q = "mat"}, {.q = "tra"}, {.q = "ha"}}},
      {"two words", {{.q = "mien dong"}, {.q = "che shan"}, {.q = "gao nep"}, {.q = "bảo lâm"}}},
      {"text and filter",
       {{.q = "tho cam", .area_code = "01294"},
        {.q = "dong", .ocop_group = "G1", .page = 3},
        {.q = "thit lon", .stars = 3}}},
      {"filter only",
       {{.area_code = "01318"},
        {.ocop_group = "G3"},
        {.stars = 4},
        {.ocop_group = "G2", .stars = 3}}},
      {"no filter, paging", {{}, {.page = 40}, {.page = 7, .order = ProductOrder::name}}},
      {"rare word", {{.q = "4321"}, {.q = "xyz"}, {.q = "mien dong 9876"}}},
  };
  return k;
}

void BM_SearchKind(benchmark::State& state) {
  auto& c = catalogue();
  const Kind& kind = kinds()[static_cast<size_t>(state.range(0))];
  state.SetLabel(kind.name);
  Timings t;
  size_t i = 0;
  for (auto _ : state) {
    t.time([&] {
      auto page = c.store->search(kind.queries[i++ % kind.queries.size()]);
      if (!page) state.SkipWithError("search failed");
      benchmark::DoNotOptimize(page);
    });
  }
  t.report(state);
}
BENCHMARK(BM_SearchKind)->DenseRange(0, 6)->Iterations(2000)->Unit(benchmark::kMicrosecond);

// The storefront builds a ProductStore per request, so it prepares the statements every time.
void BM_SearchKindFreshStore(benchmark::State& state) {
  auto& c = catalogue();
  const Kind& kind = kinds()[static_cast<size_t>(state.range(0))];
  state.SetLabel(kind.name);
  Timings t;
  size_t i = 0;
  for (auto _ : state) {
    t.time([&] {
      ProductStore store(*c.db, c.clock);
      auto page = store.search(kind.queries[i++ % kind.queries.size()]);
      benchmark::DoNotOptimize(page);
    });
  }
  t.report(state);
}
BENCHMARK(BM_SearchKindFreshStore)->Arg(2)->Arg(4)->Iterations(2000)->Unit(benchmark::kMicrosecond);

// Reference: the bare full-text query, ids of the first 20 matches of the two-word queries (no
// join, no ranking, no count), through one kept statement.
void BM_BareFtsReference(benchmark::State& state) {
  auto& c = catalogue();
  auto s = c.db->prepare("SELECT rowid FROM product_search WHERE product_search MATCH ?1 LIMIT 20")
               .value();
  const char* expressions[] = {R"("mien"* "dong"*)", R"("che"* "shan"*)", R"("gao"* "nep"*)",
                               R"("bao"* "lam"*)"};
  Timings t;
  size_t i = 0;
  for (auto _ : state) {
    t.time([&] {
      s.reset();
      s.bind(1, expressions[i++ % 4]);
      int n = 0;
      while (s.step().value()) ++n;
      benchmark::DoNotOptimize(n);
    });
  }
  t.report(state);
}
BENCHMARK(BM_BareFtsReference)->Iterations(2000)->Unit(benchmark::kMicrosecond);

// The whole mix of query_mix() in turn: the figure for the goal (p99 under 2 ms).
void BM_SearchMix(benchmark::State& state) {
  auto& c = catalogue();
  auto queries = query_mix();
  Timings t;
  size_t i = 0;
  for (auto _ : state) {
    t.time([&] {
      auto page = c.store->search(queries[i++ % queries.size()]);
      benchmark::DoNotOptimize(page);
    });
  }
  t.report(state);
}
BENCHMARK(BM_SearchMix)->Iterations(8000)->Unit(benchmark::kMicrosecond);

// Each query of the mix on its own (argument = index into query_mix()).
void BM_SearchQuery(benchmark::State& state) {
  auto& c = catalogue();
  auto query = query_mix()[static_cast<size_t>(state.range(0))];
  for (auto _ : state) {
    auto page = c.store->search(query);
    benchmark::DoNotOptimize(page);
  }
}
BENCHMARK(BM_SearchQuery)->DenseRange(0, 15)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
