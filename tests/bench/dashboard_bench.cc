// The officer's figures page (issue 8): GET /quan-ly/so-lieu for a year of province 04 by commune,
// through the real server on 127.0.0.1 over HTTP with a signed-in officer's session cookie, over
// a sales ledger of 1 million rows (tests/bench/bench_ledger.h: 600 producers, 2,000 products,
// 2026 with 1% refunds). The reference, in the same run, is the definitions page
// (/quan-ly/so-lieu/dinh-nghia): the same session check and layout, no figures. Each case
// reports p50 and p99 of the wall time per request, and the page size.
#include <benchmark/benchmark.h>
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/database.h"
#include "core/users.h"
#include "storefront/auth.h"
#include "storefront/test_server.h"
#include "tests/bench/bench_ledger.h"

namespace {

using chophien::core::Date;
using chophien::core::vietnam_midnight;
using chophien::storefront::TestServer;

constexpr int64_t kLedgerRows = 1'000'000;
constexpr const char* kPassword = "mat-khau-dai-1";
constexpr const char* kYear =
    "/quan-ly/so-lieu?from=2026-01-01&to=2026-12-31&area=04&by=commune&basis=as_dated";
constexpr const char* kDefinitions = "/quan-ly/so-lieu/dinh-nghia";

struct Site {
  std::unique_ptr<TestServer> server;
  httplib::Headers cookie;

  Site() {
    chophien::storefront::ApiOptions options;
    options.users.scrypt.n = 1024;
    chophien::storefront::set_api_options(options);
    const auto started = std::chrono::steady_clock::now();
    server =
        std::make_unique<TestServer>(TestServer::quiet_config(), [](chophien::core::Database& db) {
          chophien::bench::fill_sales(db, kLedgerRows);
          chophien::core::ManualClock clock(vietnam_midnight(Date{2026, 1, 1}));
          chophien::core::UsersOptions users_options;
          users_options.scrypt.n = 1024;
          chophien::core::Users users(db, clock, users_options);
          chophien::core::NewUser u;
          u.login = "canbo";
          u.password = kPassword;
          u.role = chophien::core::Role::officer;
          users.create_user(u).value();
          chophien::bench::must(db.exec("ANALYZE"));
        });
    std::fprintf(stderr, "%lld ledger rows ready in %.1f s\n", static_cast<long long>(kLedgerRows),
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    server->clock().set(vietnam_midnight(Date{2027, 1, 2}));
    httplib::Client client = server->client();
    auto res = client.Post("/api/v1/auth/login",
                           nlohmann::json{{"login", "canbo"}, {"password", kPassword}}.dump(),
                           "application/json");
    if (!res || res->status != 200) throw std::runtime_error("the officer could not sign in");
    cookie = {{"Cookie", std::string(chophien::storefront::kSessionCookie) + "=" +
                             nlohmann::json::parse(res->body).at("token").get<std::string>()}};
  }
};

Site& site() {
  static Site s;
  return s;
}

double at(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))];
}

// GETs `path` on one kept-alive connection, as a browser would.
void get_page(benchmark::State& state, const char* path, const char* must_contain) {
  Site& s = site();
  httplib::Client client = s.server->client();
  client.set_keep_alive(true);
  std::vector<double> ms;
  size_t bytes = 0;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    auto res = client.Get(path, s.cookie);
    ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    if (!res || res->status != 200 || res->body.find(must_contain) == std::string::npos) {
      state.SkipWithError("the page did not come back with its content");
      return;
    }
    bytes = res->body.size();
  }
  state.counters["p50_ms"] = at(ms, 0.50);
  state.counters["p99_ms"] = at(ms, 0.99);
  state.counters["page_bytes"] = static_cast<double>(bytes);
}

void BM_DashboardYear(benchmark::State& state) { get_page(state, kYear, "<svg"); }
BENCHMARK(BM_DashboardYear)->Iterations(300)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_DefinitionsReference(benchmark::State& state) { get_page(state, kDefinitions, "id=\"dn-"); }
BENCHMARK(BM_DefinitionsReference)->Iterations(300)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
