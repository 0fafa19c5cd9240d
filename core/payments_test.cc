#include "core/payments.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "core/ledger.h"
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

constexpr const char* kAccount1 = "0011001234567";
constexpr const char* kAccount2 = "1903456789012";

struct PaymentsTest : ::testing::Test {
  ManualClock clock{kNow};
  Database db = Database::open_in_memory().value();
  OrderStore orders{db, clock};
  PaymentStore payments{db, clock};
  Ledger ledger{db, clock};
  int64_t p1 = add_producer(db, kAccount1);
  int64_t p2 = add_producer(db, kAccount2);
  int64_t mien = add_product(db, p1, "Miến dong Bảo Lâm", 120000, 10);
  int64_t mat_ong = add_product(db, p2, "Mật ong bạc hà", 250000, 5);
  int next_txn = 1;

  Order place(int64_t product, int quantity) {
    return orders.checkout(cart({{product, quantity}})).value()[0].order;
  }
  BankNotification transfer(const std::string& description, int64_t amount,
                            const std::string& account = kAccount1) {
    BankNotification n;
    // The producer whose connection received it: the account's owner (p1 for an unknown one).
    n.producer_id = account == kAccount2 ? p2 : p1;
    n.provider = "sepay";
    n.provider_txn_id = std::to_string(next_txn++);
    n.amount_vnd = amount;
    n.account_number = account;
    n.description = description;
    n.transaction_at = clock.now();
    n.raw_body = "{\"id\":" + n.provider_txn_id + "}";
    return n;
  }
  Payment receive(const BankNotification& n) {
    auto r = payments.receive(n);
    EXPECT_TRUE(r) << r.error().message;
    return r ? r->payment : Payment{};
  }
  Order reload(const Order& o) { return orders.find_by_code(o.code).value(); }
};

TEST_F(PaymentsTest, ExactAmountWithAMangledCodeMarksThePaidOrderAndWritesOneLedgerRow) {
  Order o = place(mien, 2);
  std::string mangled = "MBVCB.1234567." + o.code.substr(0, 2) + " " + o.code.substr(2, 4) + "-" +
                        o.code.substr(6) + ".CT tu 1017656853 NGUYEN THI MAI";
  for (char& c : mangled) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  Payment p = receive(transfer(mangled, 240000));
  EXPECT_EQ(p.match_state, "matched");
  EXPECT_EQ(p.order_id, o.id);
  EXPECT_EQ(p.producer_id, p1);
  EXPECT_EQ(p.matched_code, o.code);
  Order paid = reload(o);
  EXPECT_EQ(paid.status, OrderStatus::paid);
  EXPECT_EQ(paid.paid_vnd, 240000);
  EXPECT_EQ(paid.payment_method, "bank_transfer");
  auto events = orders.events(o.id).value();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].actor_kind, "system");
  auto rows = ledger.list({}).value();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].channel, "storefront");
  EXPECT_EQ(rows[0].settlement, "bank_transfer");
  EXPECT_EQ(rows[0].source_ref, o.code);
}

TEST_F(PaymentsTest, TheSameNotificationTwiceChangesNothing) {
  Order o = place(mien, 1);
  BankNotification n = transfer(o.code, 120000);
  auto first = payments.receive(n).value();
  EXPECT_FALSE(first.duplicate);
  auto again = payments.receive(n).value();
  EXPECT_TRUE(again.duplicate);
  EXPECT_EQ(again.payment.id, first.payment.id);
  EXPECT_EQ(again.payment.match_state, "matched");
  EXPECT_EQ(count(db, "payments"), 1);
  EXPECT_EQ(count(db, "sales_ledger"), 1);
  EXPECT_EQ(reload(o).paid_vnd, 120000);
  // The same id from another provider is another transfer.
  n.provider = "casso";
  EXPECT_FALSE(payments.receive(n).value().duplicate);
}

TEST_F(PaymentsTest, PartialTransfersAddUpAndComplete) {
  Order o = place(mien, 2);  // 240000
  EXPECT_EQ(receive(transfer(o.code, 100000)).match_state, "partial");
  EXPECT_EQ(reload(o).status, OrderStatus::pending_payment);
  EXPECT_EQ(reload(o).paid_vnd, 100000);
  EXPECT_EQ(receive(transfer(o.code + " lan 2", 40000)).match_state, "partial");
  EXPECT_EQ(count(db, "sales_ledger"), 0);
  EXPECT_EQ(receive(transfer("con lai " + o.code, 100000)).match_state, "matched");
  Order paid = reload(o);
  EXPECT_EQ(paid.status, OrderStatus::paid);
  EXPECT_EQ(paid.paid_vnd, 240000);
  EXPECT_FALSE(paid.overpaid);
  EXPECT_EQ(count(db, "sales_ledger"), 1);
}

TEST_F(PaymentsTest, OverpaymentMarksPaidAndFlagsIt) {
  Order o = place(mien, 1);
  Payment p = receive(transfer(o.code, 150000));
  EXPECT_EQ(p.match_state, "overpaid");
  EXPECT_FALSE(p.note.empty());
  Order paid = reload(o);
  EXPECT_EQ(paid.status, OrderStatus::paid);
  EXPECT_TRUE(paid.overpaid);
  EXPECT_EQ(paid.paid_vnd, 150000);
  auto rows = ledger.list({}).value();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].amount_vnd, 120000);  // the sale, not the extra money
  // Money for an order already paid is flagged too and changes no status.
  EXPECT_EQ(receive(transfer(o.code, 120000)).match_state, "overpaid");
  EXPECT_EQ(count(db, "sales_ledger"), 1);
}

TEST_F(PaymentsTest, PaymentAfterExpiryIsKeptAndFlaggedAsLate) {
  Order o = place(mien, 1);
  clock.advance(3 * 3600);
  ASSERT_EQ(orders.expire_due().value(), 1);
  Payment p = receive(transfer(o.code, 120000));
  EXPECT_EQ(p.match_state, "late");
  EXPECT_EQ(p.order_id, o.id);
  EXPECT_EQ(p.producer_id, p1);
  EXPECT_EQ(reload(o).status, OrderStatus::expired);
  EXPECT_EQ(reload(o).paid_vnd, 0);
  EXPECT_EQ(stock_of(db, mien), 10);  // expiry gave the stock back; a late payment does not take it
  EXPECT_EQ(count(db, "sales_ledger"), 0);
  auto flagged = payments.list({p1, std::string("late"), 100}).value();
  ASSERT_EQ(flagged.size(), 1u);
}

TEST_F(PaymentsTest, PaymentForACancelledOrderIsLate) {
  Order o = place(mien, 1);
  orders.cancel(o.code, Actor::producer(7, p1), "").value();
  EXPECT_EQ(receive(transfer(o.code, 120000)).match_state, "late");
}

TEST_F(PaymentsTest, ValidCodeIntoAnotherProducersAccountIsFlaggedNotApplied) {
  Order o = place(mien, 1);  // producer 1
  Payment p = receive(transfer(o.code, 120000, kAccount2));
  EXPECT_EQ(p.match_state, "wrong_account");
  EXPECT_EQ(reload(o).status, OrderStatus::pending_payment);
  EXPECT_EQ(reload(o).paid_vnd, 0);
}

TEST_F(PaymentsTest, NoCodeIntoAProducersAccountIsAStallSale) {
  clock.advance(-86400 * 200);  // 2025-05-12: before the reform
  Payment p = receive(transfer("NGUYEN VAN AN chuyen tien mua mat ong", 85000, kAccount2));
  EXPECT_EQ(p.match_state, "stall");
  EXPECT_EQ(p.producer_id, p2);
  auto rows = ledger.list({}).value();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].channel, "stall_qr");
  EXPECT_EQ(rows[0].settlement, "bank_transfer");
  EXPECT_EQ(rows[0].amount_vnd, 85000);
  EXPECT_EQ(rows[0].producer_id, p2);
  EXPECT_EQ(rows[0].source_kind, "bank_txn");
  // Per producer since migration 0024 (issue 17: de-duplication per producer).
  EXPECT_EQ(rows[0].source_ref, "sepay:" + std::to_string(p2) + ":" + p.provider_txn_id);
}

TEST_F(PaymentsTest, OutgoingTransfersAreStoredAndIgnored) {
  Order o = place(mien, 1);
  BankNotification n = transfer(o.code, 120000);
  n.direction = "out";
  Payment p = receive(n);
  EXPECT_EQ(p.match_state, "ignored");
  EXPECT_EQ(reload(o).status, OrderStatus::pending_payment);
  EXPECT_EQ(count(db, "sales_ledger"), 0);
}

TEST_F(PaymentsTest, UnmatchedTransfersAreKeptForReview) {
  Order o = place(mien, 1);
  std::string typo = o.code;
  typo[5] = typo[5] == 'A' ? 'B' : 'A';
  EXPECT_EQ(receive(transfer("thanh toan " + typo, 120000)).match_state, "unmatched");
  const std::string unknown = new_payment_code();
  EXPECT_EQ(receive(transfer(unknown, 120000)).match_state, "unmatched");
  EXPECT_EQ(receive(transfer("no code", 5000, "999999999")).match_state, "unmatched");
  EXPECT_EQ(receive(transfer(o.code, 0)).match_state, "unmatched");
  EXPECT_EQ(count(db, "payments"), 4);
  EXPECT_EQ(count(db, "sales_ledger"), 0);
  EXPECT_EQ(reload(o).status, OrderStatus::pending_payment);
}

TEST_F(PaymentsTest, AnUnmatchedTransferCanBeAssignedByHandToAnOrderOfTheSameProducer) {
  Order o = place(mien, 1);
  Order other = place(mat_ong, 1);
  std::string typo = o.code;
  typo[5] = typo[5] == 'A' ? 'B' : 'A';
  Payment p = receive(transfer(typo, 120000));
  ASSERT_EQ(p.match_state, "unmatched");
  EXPECT_EQ(payments.assign(p.id, o.code, Actor::producer(8, p2)).error().code,
            ErrorCode::forbidden);
  EXPECT_EQ(payments.assign(p.id, other.code, Actor::producer(7, p1)).error().code,
            ErrorCode::conflict);
  EXPECT_EQ(payments.assign(p.id, "CPAAAAAAA", Actor::producer(7, p1)).error().code,
            ErrorCode::not_found);
  auto assigned = payments.assign(p.id, o.code, Actor::producer(7, p1));
  ASSERT_TRUE(assigned) << assigned.error().message;
  EXPECT_EQ(assigned->match_state, "matched");
  EXPECT_EQ(assigned->matched_by_user, 7);
  EXPECT_EQ(reload(o).status, OrderStatus::paid);
  auto events = orders.events(o.id).value();
  EXPECT_EQ(events.back().actor_kind, "producer");
  EXPECT_EQ(payments.assign(p.id, o.code, Actor::producer(7, p1)).error().code,
            ErrorCode::conflict);
}

TEST_F(PaymentsTest, RejectsMalformedNotificationsWithoutStoringThem) {
  auto bad_provider = transfer("x", 1);
  bad_provider.provider = "momo";
  EXPECT_EQ(payments.receive(bad_provider).error().field, "provider");
  auto no_id = transfer("x", 1);
  no_id.provider_txn_id = "";
  EXPECT_EQ(payments.receive(no_id).error().field, "provider_txn_id");
  auto negative = transfer("x", -5);
  EXPECT_EQ(payments.receive(negative).error().field, "amount_vnd");
  auto sideways = transfer("x", 1);
  sideways.direction = "both";
  EXPECT_EQ(payments.receive(sideways).error().field, "direction");
  EXPECT_EQ(count(db, "payments"), 0);
}

TEST_F(PaymentsTest, AStoredButUnmatchedNotificationIsMatchedLater) {
  Order o = place(mien, 1);
  auto s = db.prepare(
      "INSERT INTO payments (provider, provider_txn_id, direction, amount_vnd, account_number, "
      "description, received_at, raw_body, producer_id) VALUES ('payos', 'ref-1', 'in', 120000, "
      "?1, ?2, 0, '{}', ?3)");
  s->bind(1, kAccount1).bind(2, o.code).bind(3, p1);
  s->run().value();
  EXPECT_EQ(payments.match_pending().value(), 1);
  EXPECT_EQ(reload(o).status, OrderStatus::paid);
  EXPECT_EQ(payments.match_pending().value(), 0);
}

TEST_F(PaymentsTest, WhenMatchingFailsTheRawNotificationIsStillStored) {
  Order o = place(mien, 1);
  db.exec(
        "CREATE TEMP TRIGGER refuse BEFORE UPDATE OF paid_vnd ON orders "
        "BEGIN SELECT RAISE(ABORT, 'disk trouble'); END")
      .value();
  auto failed = payments.receive(transfer(o.code, 120000));
  ASSERT_FALSE(failed);
  auto kept = payments.list({std::nullopt, std::string("received"), 100}).value();
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].description, o.code);
  EXPECT_EQ(reload(o).status, OrderStatus::pending_payment);
  EXPECT_EQ(count(db, "sales_ledger"), 0);
  db.exec("DROP TRIGGER refuse").value();
  EXPECT_EQ(payments.match_pending().value(), 1);
  EXPECT_EQ(reload(o).status, OrderStatus::paid);
  EXPECT_EQ(payments.find(kept[0].id).value().match_state, "matched");
}

TEST_F(PaymentsTest, ABatchStoresAndMatchesEachNotificationAsReceiveWould) {
  Order one = place(mien, 1);  // 120000
  Order two = place(mien, 2);  // 240000
  BankNotification exact = transfer(one.code, 120000);
  BankNotification refused = transfer(one.code, 120000);
  refused.provider = "bank";
  BankNotification part = transfer(two.code, 100000);
  BankNotification rest = transfer("CT " + two.code, 140000);
  BankNotification out = transfer("chuyen di", 50000);
  out.direction = "out";
  auto r = payments.receive_batch({&exact, &exact, &part, &refused, &rest, &out});
  ASSERT_EQ(r.size(), 6u);
  ASSERT_TRUE(r[0] && r[1] && r[2] && r[4] && r[5]);
  EXPECT_FALSE(r[0]->duplicate);
  EXPECT_EQ(r[0]->payment.match_state, "matched");
  EXPECT_TRUE(r[1]->duplicate);  // the same delivery twice in one batch
  EXPECT_EQ(r[1]->payment.id, r[0]->payment.id);
  EXPECT_EQ(r[1]->payment.match_state, "matched");
  EXPECT_EQ(r[2]->payment.match_state, "partial");
  ASSERT_FALSE(r[3]);
  EXPECT_EQ(r[3].error().code, ErrorCode::invalid_input);
  EXPECT_EQ(r[3].error().field, "provider");
  EXPECT_EQ(r[4]->payment.match_state, "matched");  // completes the partial one before it
  EXPECT_EQ(r[5]->payment.match_state, "ignored");
  EXPECT_EQ(count(db, "payments"), 4);
  EXPECT_EQ(count(db, "sales_ledger"), 2);
  EXPECT_EQ(reload(one).status, OrderStatus::paid);
  EXPECT_EQ(reload(one).paid_vnd, 120000);
  EXPECT_EQ(reload(two).status, OrderStatus::paid);
  EXPECT_EQ(reload(two).paid_vnd, 240000);
  // Delivered again later, alone or in a batch: nothing changes.
  auto again = payments.receive_batch({&part, &exact});
  ASSERT_TRUE(again[0] && again[1]);
  EXPECT_TRUE(again[0]->duplicate && again[1]->duplicate);
  EXPECT_EQ(count(db, "payments"), 4);
  EXPECT_EQ(reload(two).paid_vnd, 240000);
  EXPECT_TRUE(payments.receive_batch({}).empty());
}

TEST_F(PaymentsTest, InABatchAFailedMatchKeepsItsRawRowAndLeavesTheOthersAlone) {
  Order one = place(mien, 1);
  Order other = place(mat_ong, 1);
  db.exec("CREATE TEMP TRIGGER refuse BEFORE UPDATE OF paid_vnd ON orders WHEN OLD.id = " +
          std::to_string(one.id) + " BEGIN SELECT RAISE(ABORT, 'disk trouble'); END")
      .value();
  BankNotification first = transfer(one.code, 120000);
  BankNotification second = transfer(other.code, 250000, kAccount2);
  auto r = payments.receive_batch({&first, &second});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_FALSE(r[0]);
  ASSERT_TRUE(r[1]);
  EXPECT_EQ(r[1]->payment.match_state, "matched");
  auto kept = payments.list({std::nullopt, std::string("received"), 100}).value();
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].provider_txn_id, first.provider_txn_id);
  EXPECT_EQ(reload(one).status, OrderStatus::pending_payment);
  EXPECT_EQ(reload(one).paid_vnd, 0);
  EXPECT_EQ(orders.events(one.id).value().size(), 1u);
  EXPECT_EQ(reload(other).status, OrderStatus::paid);
  EXPECT_EQ(count(db, "sales_ledger"), 1);
  db.exec("DROP TRIGGER refuse").value();
  // The same delivery again (the service retries) matches the stored row.
  auto retried = payments.receive_batch({&first});
  ASSERT_TRUE(retried[0]);
  EXPECT_TRUE(retried[0]->duplicate);
  EXPECT_EQ(retried[0]->payment.match_state, "matched");
  EXPECT_EQ(reload(one).status, OrderStatus::paid);
  EXPECT_EQ(count(db, "payments"), 2);
}

TEST(PaymentsOnFile, TheSameNotificationFromTwoThreadsAtOnceGivesOnePaymentAndOneLedgerRow) {
  FileDb file("payments-race");
  ManualClock clock{kNow};
  std::vector<std::string> codes;
  int64_t producer = 0;
  {
    auto db = Database::open(file.path.string()).value();
    producer = add_producer(db, kAccount1);
    const int64_t product = add_product(db, producer, "Miến", 100000, 100);
    OrderStore orders(db, clock);
    for (int i = 0; i < 10; ++i)
      codes.push_back(orders.checkout(cart({{product, 1}})).value()[0].order.code);
  }
  for (const std::string& code : codes) {
    BankNotification n;
    n.producer_id = producer;
    n.provider = "sepay";
    n.provider_txn_id = "txn-" + code;
    n.amount_vnd = 100000;
    n.account_number = kAccount1;
    n.description = "CT " + code;
    n.raw_body = "{}";
    std::atomic<bool> go{false};
    std::atomic<int> fresh{0}, duplicates{0};
    auto deliver = [&] {
      auto db = Database::open(file.path.string()).value();
      PaymentStore payments(db, clock);
      while (!go) std::this_thread::yield();
      auto r = payments.receive(n);
      ASSERT_TRUE(r) << r.error().message;
      EXPECT_EQ(r->payment.match_state, "matched");
      (r->duplicate ? duplicates : fresh)++;
    };
    std::thread a(deliver), b(deliver);
    go = true;
    a.join();
    b.join();
    EXPECT_EQ(fresh, 1);
    EXPECT_EQ(duplicates, 1);
  }
  auto db = Database::open(file.path.string()).value();
  EXPECT_EQ(count(db, "payments"), 10);
  EXPECT_EQ(count(db, "sales_ledger"), 10);
  auto s = db.prepare("SELECT COUNT(*) FROM orders WHERE status = 'paid' AND paid_vnd = 100000");
  ASSERT_TRUE(s->step().value());
  EXPECT_EQ(s->column_int(0), 10);
}

// Migration 0024 on a file as 0023 left it: every payment kept, each given its producer, the
// duplicate key per producer, and each order its producer's account.
TEST(PaymentsMigration, MovesEveryRowAndGivesItsProducer) {
  FileDb file("payments-0024");
  ManualClock clock{kNow};
  int64_t p1 = 0, p2 = 0;
  std::string code;
  {
    // A file of the schema before 0024, with an order and payments of that time.
    auto db = Database::open_up_to(file.path.string(), 23).value();
    ASSERT_EQ(db.schema_version(), 23);
    p1 = add_producer(db, kAccount1);
    p2 = add_producer(db, kAccount2);
    add_product(db, p1, "Miến", 100000, 100);
    code = "CPAB12CD3";
    auto order = db.prepare(
        "INSERT INTO orders (code, token_hash, checkout_ref, producer_id, status, total_vnd, "
        "customer_name, customer_phone, delivery_method, created_at, expires_at, updated_at) "
        "VALUES (?1, 'h', 'c', ?2, 'pending_payment', 100000, 'Mai', '0912345678', 'pickup', 0, "
        "7200, 0)");
    order->bind(1, code).bind(2, p1);
    order->run().value();
    auto s = db.prepare(
        "INSERT INTO payments (id, provider, provider_txn_id, direction, amount_vnd, "
        "account_number, description, received_at, raw_body, match_state, producer_id, order_id) "
        "VALUES (1, 'sepay', '1', 'in', 100000, ?1, ?3, 0, '{}', 'matched', ?4, "
        "(SELECT id FROM orders)), "
        "(2, 'sepay', '2', 'in', 5000, ?2, 'quay', 0, '{}', 'received', NULL, NULL), "
        "(3, 'casso', '1', 'in', 5000, '999', 'x', 0, '{}', 'unmatched', NULL, NULL), "
        "(4, 'sepay', '4', 'in', 100000, ?1, ?3, 0, '{}', 'wrong_account', ?5, "
        "(SELECT id FROM orders))");
    s->bind(1, kAccount1).bind(2, kAccount2).bind(3, code).bind(4, p1).bind(5, p2);
    s->run().value();
  }
  auto db = Database::open(file.path.string()).value();
  EXPECT_EQ(db.schema_version(), Database::known_schema_version());
  EXPECT_EQ(count(db, "payments"), 4);
  PaymentStore payments(db, clock);
  EXPECT_EQ(payments.find(1).value().producer_id, p1);
  EXPECT_EQ(payments.find(1).value().match_state, "matched");
  EXPECT_EQ(payments.find(2).value().producer_id, p2);  // the account's only holder
  EXPECT_FALSE(payments.find(3).value().producer_id.has_value());
  EXPECT_EQ(payments.find(4).value().producer_id, p2);
  EXPECT_EQ(OrderStore(db, clock).find_by_code(code).value().receiving.account, kAccount1);
  // The key is per producer now: producer 1's own '2' is new, a repeat of its '1' is not.
  BankNotification n;
  n.producer_id = p1;
  n.provider = "sepay";
  n.provider_txn_id = "2";
  n.amount_vnd = 5000;
  n.account_number = kAccount1;
  n.description = "quay";
  n.raw_body = "{}";
  EXPECT_FALSE(payments.receive(n).value().duplicate);
  n.provider_txn_id = "1";
  EXPECT_TRUE(payments.receive(n).value().duplicate);
  // The row left 'received' is matched as its producer's stall sale.
  EXPECT_EQ(payments.match_pending().value(), 1);
  EXPECT_EQ(payments.find(2).value().match_state, "stall");
}

}  // namespace
}  // namespace chophien::core
