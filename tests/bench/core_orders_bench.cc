// Checkout and payment matching throughput on a file database (WAL, synchronous=NORMAL: what
// core::Database sets), with the real migrations.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/database.h"
#include "core/orders.h"
#include "core/payments.h"

namespace {

using namespace chophien::core;

struct BenchDb {
  std::string path;
  explicit BenchDb(const std::string& name)
      : path((std::filesystem::temp_directory_path() /
              ("chophien-" + name + "-" + std::to_string(::getpid()) + ".db"))
                 .string()) {
    remove();
  }
  ~BenchDb() { remove(); }
  void remove() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  }
};

int64_t add_producer(Database& db, const std::string& account) {
  auto s = db.prepare("INSERT INTO producers (name, bank_bin, bank_account) VALUES (?1, ?2, ?3)");
  s->bind(1, "HTX " + account).bind(2, "970436").bind(3, account);
  s->run().value();
  return db.last_insert_id();
}

int64_t add_product(Database& db, int64_t producer, const std::string& sku, int64_t price) {
  auto s = db.prepare(
      "INSERT INTO products (producer_id, sku, name, name_key, ocop_group, unit, price_vnd, "
      "stock, status, created_at, updated_at) "
      "VALUES (?1, ?2, ?2, ?2, 'G1', 'gói', ?3, 1000000000, 'active', 0, 0)");
  s->bind(1, producer).bind(2, sku).bind(3, price);
  s->run().value();
  return db.last_insert_id();
}

CheckoutRequest cart(std::vector<CartLine> items) {
  CheckoutRequest r;
  r.items = std::move(items);
  r.customer_name = "Nguyễn Thị Mai";
  r.customer_phone = "0912345678";
  return r;
}

// Two items from two producers per checkout: two orders, two reservations, one transaction.
void BM_CheckoutTwoProducers(benchmark::State& state) {
  BenchDb file("checkout");
  auto db = Database::open(file.path).value();
  const int64_t a = add_product(db, add_producer(db, "0011001234567"), "MIEN", 120000);
  const int64_t b = add_product(db, add_producer(db, "1903456789012"), "MATONG", 250000);
  OrderStore orders(db, system_clock());
  for (auto _ : state) {
    auto placed = orders.checkout(cart({{a, 2}, {b, 1}}));
    if (!placed || placed->size() != 2) state.SkipWithError("checkout failed");
    benchmark::DoNotOptimize(placed);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CheckoutTwoProducers)->Unit(benchmark::kMicrosecond)->UseRealTime();

// One incoming transfer per iteration, with a mangled description, matched to a pending order
// of exactly its amount: stored raw, then matched with the order update and the ledger row.
void BM_MatchNotification(benchmark::State& state) {
  constexpr int kOrders = 20000;
  BenchDb file("match");
  auto db = Database::open(file.path).value();
  const std::string account = "0011001234567";
  const int64_t product = add_product(db, add_producer(db, account), "MIEN", 120000);
  OrderStore orders(db, system_clock());
  std::vector<std::string> codes;
  for (int i = 0; i < kOrders; ++i)
    codes.push_back(orders.checkout(cart({{product, 1}}))->at(0).order.code);
  PaymentStore payments(db, system_clock());
  size_t next = 0;
  for (auto _ : state) {
    BankNotification n;
    n.provider = "sepay";
    n.provider_txn_id = std::to_string(next);
    n.amount_vnd = 120000;
    n.account_number = account;
    const std::string& code = codes[next % codes.size()];
    n.description = "MBVCB.1234567." + code.substr(0, 4) + " " + code.substr(4) +
                    ".CT tu 1017656853 NGUYEN THI MAI toi " + account;
    n.raw_body = R"({"id":)" + n.provider_txn_id + R"(,"transferType":"in"})";
    ++next;
    auto r = payments.receive(n);
    if (!r) state.SkipWithError("receive failed");
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MatchNotification)->Unit(benchmark::kMicrosecond)->UseRealTime()->Iterations(20000);

}  // namespace

BENCHMARK_MAIN();
