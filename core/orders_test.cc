#include "core/orders.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "core/payment_code.h"

namespace chophien::core {
namespace {

constexpr int64_t kNow = 1764300000;  // 2025-11-28

int64_t add_producer(Database& db, const std::string& account) {
  // Pác Miầu township (01290 until 30 June 2025) became Bảo Lâm commune, which reuses the code.
  db.exec(
        "INSERT OR IGNORE INTO areas (code, valid_from, valid_to, level, name_vi, full_name_vi) "
        "VALUES ('01290', '1900-01-01', '2025-07-01', 'township', 'Pác Miầu', 'Thị trấn Pác "
        "Miầu'), ('01290', '2025-07-01', NULL, 'commune', 'Bảo Lâm', 'Xã Bảo Lâm');"
        "INSERT OR IGNORE INTO area_successions VALUES ('01290', '1900-01-01', '01290', "
        "'2025-07-01')")
      .value();
  auto s = db.prepare(
      "INSERT INTO producers (name, entity_type, area_code, area_valid_from, phone, address, "
      "bank_bin, bank_account, bank_holder, created_at, status) "
      "VALUES ('HTX Nông sản ' || ?1, 'cooperative', '01290', '1900-01-01', '0912345678', '', "
      "'970436', ?1, 'HTX NONG SAN', 0, 'active')");
  s->bind(1, account);
  s->run().value();
  return db.last_insert_id();
}

int64_t add_product(Database& db, int64_t producer, const std::string& name, int64_t price,
                    int64_t stock, const std::string& status = "active") {
  auto s = db.prepare(
      "INSERT INTO products (producer_id, sku, name, name_key, ocop_group, unit, price_vnd, "
      "stock, status, created_at, updated_at) "
      "VALUES (?1, ?2 || '-' || ?1 || '-' || (SELECT COUNT(*) FROM products), ?2, ?2, 'G1', "
      "'gói', ?3, ?4, ?5, 0, 0)");
  s->bind(1, producer).bind(2, name).bind(3, price).bind(4, stock).bind(5, status);
  s->run().value();
  return db.last_insert_id();
}

int64_t stock_of(Database& db, int64_t product) {
  auto s = db.prepare("SELECT stock FROM products WHERE id = ?1");
  s->bind(1, product);
  EXPECT_TRUE(s->step().value());
  return s->column_int(0);
}

int64_t count(Database& db, const std::string& table) {
  auto s = db.prepare("SELECT COUNT(*) FROM " + table);
  EXPECT_TRUE(s->step().value());
  return s->column_int(0);
}

CheckoutRequest cart(std::vector<CartLine> items) {
  CheckoutRequest r;
  r.items = std::move(items);
  r.customer_name = "Nguyễn Thị Mai";
  r.customer_phone = "0912 345 678";
  r.note = "Lấy ở chợ phiên thứ Bảy";
  return r;
}

struct OrdersTest : ::testing::Test {
  ManualClock clock{kNow};
  Database db = Database::open_in_memory().value();
  OrderStore orders{db, clock};
  int64_t p1 = add_producer(db, "0011001234567");
  int64_t p2 = add_producer(db, "1903456789012");
  int64_t mien = add_product(db, p1, "Miến dong Bảo Lâm", 120000, 10);
  int64_t mat_ong = add_product(db, p2, "Mật ong bạc hà", 250000, 5);
  Actor producer1 = Actor::producer(7, p1);
};

TEST_F(OrdersTest, CheckoutSplitsTheCartIntoOneOrderPerProducer) {
  auto placed = orders.checkout(cart({{mien, 2}, {mat_ong, 1}}));
  ASSERT_TRUE(placed) << placed.error().message;
  ASSERT_EQ(placed->size(), 2u);
  const Order& a = (*placed)[0].order;
  const Order& b = (*placed)[1].order;
  EXPECT_EQ(a.producer_id, p1);
  EXPECT_EQ(a.total_vnd, 240000);
  EXPECT_EQ(b.producer_id, p2);
  EXPECT_EQ(b.total_vnd, 250000);
  EXPECT_NE(a.code, b.code);
  EXPECT_TRUE(is_valid_payment_code(a.code));
  EXPECT_EQ(a.checkout_ref, b.checkout_ref);
  EXPECT_EQ(a.status, OrderStatus::pending_payment);
  EXPECT_EQ(a.expires_at, kNow + 2 * 3600);
  EXPECT_NE((*placed)[0].token, (*placed)[1].token);
  EXPECT_EQ(stock_of(db, mien), 8);
  EXPECT_EQ(stock_of(db, mat_ong), 4);

  auto stored = orders.find_by_code(a.code);
  ASSERT_TRUE(stored);
  ASSERT_EQ(stored->items.size(), 1u);
  EXPECT_EQ(stored->items[0].name, "Miến dong Bảo Lâm");
  EXPECT_EQ(stored->items[0].unit_price_vnd, 120000);
  EXPECT_EQ(stored->items[0].quantity, 2);
  EXPECT_EQ(stored->customer_name, "Nguyễn Thị Mai");
  auto events = orders.events(a.id);
  ASSERT_TRUE(events);
  ASSERT_EQ(events->size(), 1u);
  EXPECT_FALSE((*events)[0].from_status);
  EXPECT_EQ((*events)[0].to_status, "pending_payment");
  EXPECT_EQ((*events)[0].actor_kind, "customer");
}

TEST_F(OrdersTest, UnitPricesAreSnapshotted) {
  auto placed = orders.checkout(cart({{mien, 1}})).value();
  auto s = db.prepare("UPDATE products SET price_vnd = 1 WHERE id = ?1");
  s->bind(1, mien);
  s->run().value();
  auto order = orders.find_by_code(placed[0].order.code).value();
  EXPECT_EQ(order.items[0].unit_price_vnd, 120000);
  EXPECT_EQ(order.total_vnd, 120000);
}

TEST_F(OrdersTest, SameProductTwiceIsSummed) {
  auto placed = orders.checkout(cart({{mien, 2}, {mien, 3}})).value();
  ASSERT_EQ(placed.size(), 1u);
  EXPECT_EQ(placed[0].order.items.size(), 1u);
  EXPECT_EQ(placed[0].order.total_vnd, 600000);
  EXPECT_EQ(stock_of(db, mien), 5);
}

TEST_F(OrdersTest, RejectsBadInputWithTheFieldNamedAndCreatesNothing) {
  struct Case {
    CheckoutRequest request;
    std::string field;
  };
  std::vector<Case> cases;
  cases.push_back({cart({}), "items"});
  cases.push_back({cart({{mien, 0}}), "items[0].quantity"});
  cases.push_back({cart({{mien, 1001}}), "items[0].quantity"});
  cases.push_back({cart({{mien, -1}}), "items[0].quantity"});
  cases.push_back({cart({{mien, 600}, {mien, 600}}), "items[1].quantity"});
  auto no_name = cart({{mien, 1}});
  no_name.customer_name = "   ";
  cases.push_back({no_name, "customer.name"});
  auto bad_phone = cart({{mien, 1}});
  bad_phone.customer_phone = "gọi tôi";
  cases.push_back({bad_phone, "customer.phone"});
  auto short_phone = cart({{mien, 1}});
  short_phone.customer_phone = "12345";
  cases.push_back({short_phone, "customer.phone"});
  auto bad_method = cart({{mien, 1}});
  bad_method.delivery_method = "drone";
  cases.push_back({bad_method, "delivery.method"});
  auto no_address = cart({{mien, 1}});
  no_address.delivery_method = "delivery";
  cases.push_back({no_address, "delivery.address"});
  auto long_note = cart({{mien, 1}});
  long_note.note = std::string(501, 'x');
  cases.push_back({long_note, "note"});
  for (const auto& c : cases) {
    auto r = orders.checkout(c.request);
    ASSERT_FALSE(r) << c.field;
    EXPECT_EQ(r.error().code, ErrorCode::invalid_input) << c.field;
    EXPECT_EQ(r.error().field, c.field);
  }
  EXPECT_EQ(count(db, "orders"), 0);
  EXPECT_EQ(stock_of(db, mien), 10);
}

TEST_F(OrdersTest, UnknownInactiveOrShortProductIsConflictNamingItAndNothingIsCreated) {
  const int64_t draft = add_product(db, p1, "Trà shan tuyết", 90000, 10, "draft");
  struct Case {
    std::vector<CartLine> items;
    std::string named;
  };
  const Case cases[] = {
      {{{mien, 1}, {9999, 1}}, "#9999"},
      {{{mien, 1}, {draft, 1}}, "Trà shan tuyết"},
      {{{mien, 1}, {mat_ong, 6}}, "Mật ong bạc hà"},
  };
  for (const auto& c : cases) {
    auto r = orders.checkout(cart(c.items));
    ASSERT_FALSE(r) << c.named;
    EXPECT_EQ(r.error().code, ErrorCode::conflict);
    EXPECT_NE(r.error().message.find(c.named), std::string::npos) << r.error().message;
    EXPECT_EQ(r.error().field, "items[1]");
  }
  EXPECT_EQ(count(db, "orders"), 0);
  EXPECT_EQ(count(db, "order_items"), 0);
  EXPECT_EQ(stock_of(db, mien), 10);  // the first line's reservation was rolled back
  EXPECT_EQ(stock_of(db, mat_ong), 5);
}

TEST_F(OrdersTest, ABatchOfCheckoutsKeepsEachOnesOutcomeAndTakesStockInTurn) {
  CheckoutRequest both = cart({{mien, 2}, {mat_ong, 3}});
  CheckoutRequest too_many = cart({{mien, 1}, {mat_ong, 3}});  // 2 honey left after `both`
  CheckoutRequest bad_phone = cart({{mien, 1}});
  bad_phone.customer_phone = "gọi tôi";
  CheckoutRequest last_honey = cart({{mat_ong, 2}});
  const auto results = orders.checkout_batch({&both, &too_many, &bad_phone, &last_honey});
  ASSERT_EQ(results.size(), 4u);
  ASSERT_TRUE(results[0]) << results[0].error().message;
  EXPECT_EQ(results[0]->size(), 2u);
  ASSERT_FALSE(results[1]);
  EXPECT_EQ(results[1].error().code, ErrorCode::conflict);
  EXPECT_NE(results[1].error().message.find("Mật ong bạc hà"), std::string::npos);
  ASSERT_FALSE(results[2]);
  EXPECT_EQ(results[2].error().field, "customer.phone");
  ASSERT_TRUE(results[3]) << results[3].error().message;
  EXPECT_EQ(results[3]->size(), 1u);
  // The refused checkout's first line (one miến) was rolled back with its savepoint.
  EXPECT_EQ(stock_of(db, mien), 8);
  EXPECT_EQ(stock_of(db, mat_ong), 0);
  EXPECT_EQ(count(db, "orders"), 3);
  EXPECT_EQ(count(db, "order_items"), 3);
  EXPECT_EQ(count(db, "order_events"), 3);
  EXPECT_FALSE(db.in_transaction());
  // Each placed order is what checkout() would have made: findable with its own token.
  const PlacedOrder& placed = results[3]->front();
  auto found = orders.find_for_customer(placed.order.code, placed.token);
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_EQ(found->total_vnd, 500000);
}

TEST_F(OrdersTest, CustomerNeedsTheTokenAndAWrongOneLooksLikeAnUnknownCode) {
  auto placed = orders.checkout(cart({{mien, 1}})).value();
  const auto& code = placed[0].order.code;
  auto ok = orders.find_for_customer(code, placed[0].token);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->customer_phone, "0912 345 678");
  auto wrong = orders.find_for_customer(code, new_access_token());
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, ErrorCode::not_found);
  auto unknown = orders.find_for_customer("CPAAAAAAA", placed[0].token);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().message, wrong.error().message);
  // Only the hash is stored.
  auto s = db.prepare("SELECT COUNT(*) FROM orders WHERE token_hash = ?1");
  s->bind(1, placed[0].token);
  ASSERT_TRUE(s->step().value());
  EXPECT_EQ(s->column_int(0), 0);
}

TEST_F(OrdersTest, PaymentCodeCollisionIsDrawnAgain) {
  auto first = orders.checkout(cart({{mien, 1}})).value();
  const std::string taken = first[0].order.code;
  const std::string fresh = new_payment_code();
  int calls = 0;
  OrderSettings settings;
  settings.code_source = [&] { return ++calls <= 2 ? taken : fresh; };
  OrderStore colliding(db, clock, settings);
  auto second = colliding.checkout(cart({{mien, 1}}));
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ((*second)[0].order.code, fresh);
  EXPECT_EQ(calls, 3);
}

TEST_F(OrdersTest, ExpiryReleasesStockAndRecordsTheSystem) {
  auto placed = orders.checkout(cart({{mien, 3}, {mat_ong, 2}})).value();
  EXPECT_EQ(stock_of(db, mien), 7);
  clock.advance(2 * 3600 - 1);
  EXPECT_EQ(orders.expire_due().value(), 0);
  clock.advance(1);
  EXPECT_EQ(orders.expire_due().value(), 2);
  EXPECT_EQ(orders.expire_due().value(), 0);
  EXPECT_EQ(stock_of(db, mien), 10);
  EXPECT_EQ(stock_of(db, mat_ong), 5);
  auto order = orders.find_by_code(placed[0].order.code).value();
  EXPECT_EQ(order.status, OrderStatus::expired);
  auto events = orders.events(order.id).value();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].from_status, "pending_payment");
  EXPECT_EQ(events[1].to_status, "expired");
  EXPECT_EQ(events[1].actor_kind, "system");
  EXPECT_EQ(events[1].at, kNow + 2 * 3600);
}

TEST_F(OrdersTest, TtlIsConfigurable) {
  OrderStore quick(db, clock, OrderSettings{600, {}});
  auto placed = quick.checkout(cart({{mien, 1}})).value();
  EXPECT_EQ(placed[0].order.expires_at, kNow + 600);
}

TEST_F(OrdersTest, MarkPaidFulfilAndTheLedgerRow) {
  auto placed = orders.checkout(cart({{mien, 2}})).value();
  const auto code = placed[0].order.code;
  auto other = Actor::producer(8, p2);
  auto denied = orders.mark_paid(code, other, "cash", 0, "");
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().code, ErrorCode::forbidden);
  EXPECT_EQ(orders.fulfil(code, producer1, "").error().code, ErrorCode::conflict);

  auto paid = orders.mark_paid(code, producer1, "cash", 0, "tiền mặt ở chợ");
  ASSERT_TRUE(paid) << paid.error().message;
  EXPECT_EQ(paid->status, OrderStatus::paid);
  EXPECT_EQ(paid->paid_vnd, 240000);
  EXPECT_EQ(paid->payment_method, "cash");
  EXPECT_EQ(orders.mark_paid(code, producer1, "cash", 0, "").error().code, ErrorCode::conflict);

  Ledger ledger(db, clock);
  auto row = ledger.find_by_source("order", code).value();
  ASSERT_TRUE(row);
  EXPECT_EQ(row->channel, "storefront");
  EXPECT_EQ(row->settlement, "cash");
  EXPECT_EQ(row->amount_vnd, 240000);

  auto done = orders.fulfil(code, producer1, "đã giao");
  ASSERT_TRUE(done);
  EXPECT_EQ(done->status, OrderStatus::fulfilled);
  EXPECT_EQ(orders.cancel(code, producer1, "").error().code, ErrorCode::conflict);
  auto events = orders.events(done->id).value();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[1].to_status, "paid");
  EXPECT_EQ(events[1].actor_kind, "producer");
  EXPECT_EQ(events[1].actor_id, 7);
  EXPECT_EQ(events[1].note, "tiền mặt ở chợ");
  EXPECT_EQ(events[2].to_status, "fulfilled");
}

TEST_F(OrdersTest, AnOfficerManagesOnlyTheOrdersOfTheProducerTheyHelp) {
  auto code = orders.checkout(cart({{mien, 1}})).value()[0].order.code;
  EXPECT_EQ(orders.mark_paid(code, Actor::officer(3), "cash", 0, "").error().code,
            ErrorCode::forbidden);
  EXPECT_EQ(orders.mark_paid(code, Actor::officer_for(3, p2), "cash", 0, "").error().code,
            ErrorCode::forbidden);
  auto paid = orders.mark_paid(code, Actor::officer_for(3, p1), "cash", 0, "nhận tiền mặt giúp");
  ASSERT_TRUE(paid) << paid.error().message;
  auto events = orders.events(paid->id).value();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].actor_kind, "officer");
  EXPECT_EQ(events[1].actor_id, 3);
}

TEST_F(OrdersTest, PartialMarkPaidKeepsTheOrderPending) {
  auto code = orders.checkout(cart({{mien, 2}})).value()[0].order.code;
  auto part = orders.mark_paid(code, producer1, "cash", 100000, "ở chợ phiên").value();
  EXPECT_EQ(part.status, OrderStatus::pending_payment);
  EXPECT_EQ(part.paid_vnd, 100000);
  // The part payment is on the order's history, with who took it.
  auto events = orders.events(part.id).value();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].from_status, "pending_payment");
  EXPECT_EQ(events[1].to_status, "pending_payment");
  EXPECT_EQ(events[1].actor_kind, "producer");
  EXPECT_EQ(events[1].actor_id, 7);
  EXPECT_EQ(events[1].note,
            "Đã nhận 100.000\u00a0₫ tiền mặt, còn thiếu 140.000\u00a0₫. ở chợ phiên");
  auto rest = orders.mark_paid(code, producer1, "bank_transfer", 0, "").value();
  EXPECT_EQ(rest.status, OrderStatus::paid);
  EXPECT_EQ(rest.paid_vnd, 240000);
  EXPECT_FALSE(rest.overpaid);
}

TEST_F(OrdersTest, CancelPendingReleasesStock) {
  auto code = orders.checkout(cart({{mien, 4}})).value()[0].order.code;
  EXPECT_EQ(stock_of(db, mien), 6);
  auto cancelled = orders.cancel(code, producer1, "khách đổi ý");
  ASSERT_TRUE(cancelled);
  EXPECT_EQ(cancelled->status, OrderStatus::cancelled);
  EXPECT_EQ(stock_of(db, mien), 10);
  EXPECT_EQ(orders.cancel(code, producer1, "").error().code, ErrorCode::conflict);
  EXPECT_EQ(orders.cancel(code, Actor::customer(), "").error().code, ErrorCode::forbidden);
}

TEST_F(OrdersTest, AnErrorFromTheInTransactionStepRollsTheChangeBack) {
  auto code = orders.checkout(cart({{mien, 3}})).value()[0].order.code;
  const auto failing = [] { return Result<void>(conflict("nhật ký không ghi được")); };
  auto paid = orders.mark_paid(code, producer1, "cash", 0, "", failing);
  ASSERT_FALSE(paid);
  EXPECT_EQ(paid.error().message, "nhật ký không ghi được");
  EXPECT_EQ(orders.find_by_code(code)->status, OrderStatus::pending_payment);
  EXPECT_EQ(orders.find_by_code(code)->paid_vnd, 0);
  EXPECT_EQ(count(db, "sales_ledger"), 0);
  EXPECT_FALSE(orders.cancel(code, producer1, "", failing));
  EXPECT_EQ(stock_of(db, mien), 7);
  EXPECT_EQ(orders.events(orders.find_by_code(code)->id)->size(), 1u);

  int ran = 0;
  const auto counting = [&ran] {
    ++ran;
    return Result<void>();
  };
  ASSERT_TRUE(orders.mark_paid(code, producer1, "cash", 0, "", counting));
  EXPECT_FALSE(orders.fulfil(code, producer1, "", failing));
  EXPECT_EQ(orders.find_by_code(code)->status, OrderStatus::paid);
  ASSERT_TRUE(orders.fulfil(code, producer1, "", counting));
  EXPECT_EQ(ran, 2);
}

TEST_F(OrdersTest, CancelPaidWritesANegativeRefundRow) {
  auto code = orders.checkout(cart({{mien, 1}})).value()[0].order.code;
  orders.mark_paid(code, producer1, "bank_transfer", 0, "").value();
  auto cancelled = orders.cancel(code, Actor::admin(1), "hết hàng thật");
  ASSERT_TRUE(cancelled);
  EXPECT_EQ(stock_of(db, mien), 10);
  Ledger ledger(db, clock);
  auto rows = ledger.list({}).value();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].amount_vnd, 120000);
  EXPECT_EQ(rows[1].amount_vnd, -120000);
  EXPECT_EQ(rows[1].refund_of, rows[0].id);
}

TEST_F(OrdersTest, ListsByProducerStatusAndDate) {
  auto a = orders.checkout(cart({{mien, 1}, {mat_ong, 1}})).value();
  clock.advance(86400);
  auto b = orders.checkout(cart({{mien, 1}})).value();
  orders.mark_paid(b[0].order.code, producer1, "cash", 0, "").value();
  auto mine = orders.list({p1, std::nullopt, std::nullopt, std::nullopt, 100}).value();
  ASSERT_EQ(mine.size(), 2u);
  EXPECT_EQ(mine[0].code, b[0].order.code);  // newest first
  auto paid = orders.list({p1, OrderStatus::paid, std::nullopt, std::nullopt, 100}).value();
  ASSERT_EQ(paid.size(), 1u);
  auto first_day = orders.list({std::nullopt, std::nullopt, kNow, kNow + 86400, 100}).value();
  EXPECT_EQ(first_day.size(), 2u);
  // Paging: the second page of one starts after the first.
  auto second = orders.list({p1, std::nullopt, std::nullopt, std::nullopt, 1, 1}).value();
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].code, mine[1].code);
  EXPECT_TRUE(orders.list({p1, std::nullopt, std::nullopt, std::nullopt, 1, 2}).value().empty());
}

// --- On a file: concurrency and a killed process -------------------------------------------

struct FileDb {
  std::filesystem::path path;
  explicit FileDb(const std::string& name) {
    path =
        std::filesystem::temp_directory_path() / (name + "-" + std::to_string(::getpid()) + ".db");
    remove();
  }
  ~FileDb() { remove(); }
  void remove() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
  }
};

TEST(OrdersOnFile, TwoThreadsRacingForTheLastUnitGiveExactlyOneOrder) {
  FileDb file("orders-race");
  ManualClock clock{kNow};
  int64_t product = 0;
  {
    auto db = Database::open(file.path.string()).value();
    product = add_product(db, add_producer(db, "0011001234567"), "Miến dong", 120000, 1);
  }
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      auto db = Database::open(file.path.string()).value();
      auto s = db.prepare("UPDATE products SET stock = 1 WHERE id = ?1");
      s->bind(1, product);
      s->run().value();
    }
    std::atomic<int> ok{0}, conflicts{0};
    std::atomic<bool> go{false};
    auto racer = [&] {
      auto db = Database::open(file.path.string()).value();
      OrderStore orders(db, clock);
      while (!go) std::this_thread::yield();
      auto r = orders.checkout(cart({{product, 1}}));
      if (r)
        ++ok;
      else if (r.error().code == ErrorCode::conflict)
        ++conflicts;
    };
    std::thread a(racer), b(racer);
    go = true;
    a.join();
    b.join();
    EXPECT_EQ(ok, 1);
    EXPECT_EQ(conflicts, 1);
  }
  auto db = Database::open(file.path.string()).value();
  EXPECT_EQ(stock_of(db, product), 0);
  EXPECT_EQ(count(db, "orders"), 10);
}

TEST(OrdersOnFile, AProcessKilledMidCheckoutLeavesNoHalfWrittenOrder) {
  FileDb file("orders-killed");
  ManualClock clock{kNow};
  int64_t a = 0, b = 0;
  {
    auto db = Database::open(file.path.string()).value();
    a = add_product(db, add_producer(db, "0011001234567"), "Miến dong", 120000, 10);
    b = add_product(db, add_producer(db, "1903456789012"), "Mật ong", 250000, 10);
  }
  for (int signal_kind = 0; signal_kind < 2; ++signal_kind) {
    int ready[2];
    ASSERT_EQ(::pipe(ready), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      // The real checkout, stopped dead when it asks for the second order's payment code: by
      // then both products' stock is taken and the first order, its item and event are written.
      auto db = Database::open(file.path.string());
      if (!db) ::_exit(2);
      int calls = 0;
      OrderSettings settings;
      settings.code_source = [&] {
        if (++calls == 2) {
          char byte = 'x';
          if (::write(ready[1], &byte, 1) != 1) ::_exit(6);
          if (signal_kind == 0) ::_exit(0);  // no commit, no rollback, no destructors
          for (;;) ::pause();                // wait for SIGKILL
        }
        return new_payment_code();
      };
      OrderStore orders(*db, clock, settings);
      (void)orders.checkout(cart({{a, 3}, {b, 2}}));
      ::_exit(7);  // not reached
    }
    ::close(ready[1]);
    char byte = 0;
    ASSERT_EQ(::read(ready[0], &byte, 1), 1);
    ::close(ready[0]);
    if (signal_kind == 1) ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);

    auto db = Database::open(file.path.string()).value();
    EXPECT_EQ(count(db, "orders"), 0);
    EXPECT_EQ(count(db, "order_items"), 0);
    EXPECT_EQ(count(db, "order_events"), 0);
    EXPECT_EQ(stock_of(db, a), 10);
    EXPECT_EQ(stock_of(db, b), 10);
    // And the database is usable: a real checkout goes through.
    OrderStore orders(db, clock);
    auto placed = orders.checkout(cart({{a, 1}, {b, 1}}));
    ASSERT_TRUE(placed) << placed.error().message;
    EXPECT_EQ(count(db, "orders"), 2);
    orders.cancel((*placed)[0].order.code, Actor::admin(1), "").value();
    orders.cancel((*placed)[1].order.code, Actor::admin(1), "").value();
    EXPECT_EQ(stock_of(db, a), 10);
    auto wipe = db.exec("DELETE FROM order_events; DELETE FROM order_items; DELETE FROM orders;");
    ASSERT_TRUE(wipe);
  }
}

}  // namespace
}  // namespace chophien::core
