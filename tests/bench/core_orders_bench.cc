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

// A shop with `orders` pending orders of 120,000 VND each, and an incoming transfer for each, with
// a mangled description (bank prefix, the code split by a space, the bank's own suffix).
struct MatchSetup {
  static constexpr const char* kAccount = "0011001234567";
  BenchDb file{"match"};
  Database db = Database::open(file.path).value();
  std::vector<BankNotification> notifications;

  explicit MatchSetup(int orders) {
    const int64_t producer = add_producer(db, kAccount);
    const int64_t product = add_product(db, producer, "MIEN", 120000);
    OrderStore store(db, system_clock());
    for (int i = 0; i < orders; ++i) {
      const std::string code = store.checkout(cart({{product, 1}}))->at(0).order.code;
      BankNotification n;
      n.producer_id = producer;
      n.provider = "sepay";
      n.provider_txn_id = std::to_string(i);
      n.amount_vnd = 120000;
      n.account_number = kAccount;
      n.description = "MBVCB.1234567." + code.substr(0, 4) + " " + code.substr(4) +
                      ".CT tu 1017656853 NGUYEN THI MAI toi " + kAccount;
      n.raw_body = R"({"id":)" + n.provider_txn_id + R"(,"transferType":"in"})";
      notifications.push_back(std::move(n));
    }
  }
};

// One transfer per iteration, stored raw, then matched with the order update and the ledger row,
// in its own transaction (PaymentStore::receive).
void BM_MatchNotification(benchmark::State& state) {
  MatchSetup setup(20000);
  PaymentStore payments(setup.db, system_clock());
  size_t next = 0;
  for (auto _ : state) {
    auto r = payments.receive(setup.notifications[next++ % setup.notifications.size()]);
    if (!r) state.SkipWithError("receive failed");
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MatchNotification)->Unit(benchmark::kMicrosecond)->UseRealTime()->Iterations(20000);

// The same transfers written as the webhooks write them under load (storefront/payment_batch.h):
// state.range(0) per transaction, each in its own savepoint (PaymentStore::receive_batch).
void BM_MatchNotificationsBatched(benchmark::State& state) {
  const auto per_batch = static_cast<size_t>(state.range(0));
  MatchSetup setup(20000);
  PaymentStore payments(setup.db, system_clock());
  size_t next = 0;
  for (auto _ : state) {
    std::vector<const BankNotification*> batch;
    for (size_t i = 0; i < per_batch; ++i)
      batch.push_back(&setup.notifications[next++ % setup.notifications.size()]);
    auto outcomes = payments.receive_batch(batch);
    for (const auto& r : outcomes)
      if (!r || r->payment.match_state != "matched") state.SkipWithError("not matched");
    benchmark::DoNotOptimize(outcomes);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_MatchNotificationsBatched)
    ->Arg(8)
    ->Arg(64)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime()
    ->Iterations(300);

// Checkouts as the server writes them under load (storefront/checkout_batch.h): state.range(0)
// two-producer carts per transaction, each in its own savepoint (OrderStore::checkout_batch).
void BM_CheckoutTwoProducersBatched(benchmark::State& state) {
  BenchDb file("checkout-batch");
  auto db = Database::open(file.path).value();
  const int64_t a = add_product(db, add_producer(db, "0011001234567"), "MIEN", 120000);
  const int64_t b = add_product(db, add_producer(db, "1903456789012"), "MATONG", 250000);
  OrderStore orders(db, system_clock());
  const CheckoutRequest request = cart({{a, 2}, {b, 1}});
  const std::vector<const CheckoutRequest*> batch(static_cast<size_t>(state.range(0)), &request);
  for (auto _ : state) {
    auto placed = orders.checkout_batch(batch);
    for (const auto& p : placed)
      if (!p || p->size() != 2) state.SkipWithError("checkout failed");
    benchmark::DoNotOptimize(placed);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_CheckoutTwoProducersBatched)
    ->Arg(8)
    ->Arg(32)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
