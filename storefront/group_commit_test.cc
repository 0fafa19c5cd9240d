// The group commits of the server: bank notifications (payment_batch.h) and checkouts
// (checkout_batch.h), many threads at once on a real database file.
#include "storefront/group_commit.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/orders.h"
#include "storefront/checkout_batch.h"
#include "storefront/payment_batch.h"

namespace chophien::storefront {
namespace {

constexpr const char* kAccount = "0071000888888";

struct GroupCommitTest : ::testing::Test {
  GroupCommitTest() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "chophien-batch-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    pool_ = std::move(DbPool::open((dir_ / "batch.db").string()).value());
    auto db = pool_->acquire().value();
    db->exec(
          "INSERT INTO areas (code, valid_from, valid_to, level, name_vi, full_name_vi) VALUES "
          "('01290', '2025-07-01', NULL, 'commune', 'Bảo Lâm', 'Xã Bảo Lâm');"
          "INSERT INTO producers (name, entity_type, area_code, area_valid_from, bank_bin, "
          "bank_account, bank_holder, created_at, status) VALUES ('HTX', 'cooperative', '01290', "
          "'2025-07-01', '970436', '0071000888888', 'HTX', 0, 'active');"
          "INSERT INTO products (producer_id, sku, name, name_key, ocop_group, unit, price_vnd, "
          "stock, status, created_at, updated_at) VALUES (1, 'SKU-1', 'Miến dong', 'mien dong', "
          "'G1', 'gói', 150000, 100000, 'active', 0, 0)")
        .value();
  }
  ~GroupCommitTest() override {
    pool_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  int64_t count(const std::string& sql) {
    auto db = pool_->acquire().value();
    auto s = db->prepare(sql).value();
    EXPECT_TRUE(s.step().value());
    return s.column_int(0);
  }
  core::ManualClock clock{1764300000};
  std::filesystem::path dir_;
  std::unique_ptr<DbPool> pool_;
};

TEST_F(GroupCommitTest, ManyThreadsDeliveringEachNotificationTwiceGiveOnePaymentEach) {
  constexpr int kOrders = 120;
  constexpr int kThreads = 8;
  std::vector<core::BankNotification> notifications;
  {
    auto db = pool_->acquire().value();
    core::OrderStore orders(db, clock);
    for (int i = 0; i < kOrders; ++i) {
      core::CheckoutRequest r;
      r.items = {{1, 1}};
      r.customer_name = "Nguyễn Thị Mai";
      r.customer_phone = "0912345678";
      core::BankNotification n;
      n.producer_id = 1;
      n.provider = "sepay";
      n.provider_txn_id = "txn-" + std::to_string(i);
      n.amount_vnd = 150000;
      n.account_number = kAccount;
      n.description = "CT " + orders.checkout(r).value().front().order.code;
      n.raw_body = "{}";
      notifications.push_back(std::move(n));
    }
  }
  PaymentBatch batch(*pool_, clock);
  std::atomic<int> fresh{0}, duplicates{0}, failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Each notification is delivered by two threads, in opposite orders.
      for (int k = 0; k < kOrders / (kThreads / 2); ++k) {
        const int half = kOrders / (kThreads / 2);
        const int base = (t % (kThreads / 2)) * half;
        const int i = base + (t < kThreads / 2 ? k : half - 1 - k);
        auto r = batch.receive(notifications[static_cast<size_t>(i)]);
        if (!r || r->payment.match_state != "matched") {
          ++failures;
          continue;
        }
        (r->duplicate ? duplicates : fresh)++;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(fresh, kOrders);
  EXPECT_EQ(duplicates, kOrders);
  EXPECT_EQ(count("SELECT COUNT(*) FROM payments"), kOrders);
  EXPECT_EQ(count("SELECT COUNT(*) FROM sales_ledger"), kOrders);
  EXPECT_EQ(count("SELECT COUNT(*) FROM orders WHERE status = 'paid' AND paid_vnd = 150000"),
            kOrders);
}

TEST_F(GroupCommitTest, ARefusedNotificationGetsItsErrorAndStoresNothing) {
  PaymentBatch batch(*pool_, clock);
  core::BankNotification n;
  n.producer_id = 1;
  n.provider = "sepay";
  n.provider_txn_id = "";  // missing
  n.amount_vnd = 150000;
  n.account_number = kAccount;
  auto r = batch.receive(n);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::invalid_input);
  EXPECT_EQ(count("SELECT COUNT(*) FROM payments"), 0);
}

TEST_F(GroupCommitTest, AClosedPoolAnswersUnavailable) {
  PaymentBatch batch(*pool_, clock);
  ASSERT_TRUE(pool_->close().has_value());
  core::BankNotification n;
  n.provider = "sepay";
  n.provider_txn_id = "txn-1";
  n.amount_vnd = 1000;
  n.account_number = kAccount;
  auto r = batch.receive(n);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::unavailable);
}

// A writer that throws (a bug) answers its whole batch with an internal error; callers whose
// requests were queued behind it are still answered, from the next batch.
TEST(GroupCommit, AThrowingWriterAnswersEveryCallerAndTheNextBatchesStillRun) {
  std::atomic<int> calls{0};
  GroupCommit<int, int> group(2, [&calls](const std::vector<const int*>& batch) {
    if (++calls % 2 == 1) throw std::runtime_error("bug");
    std::vector<Result<int>> out;
    for (const int* v : batch) out.emplace_back(*v * 10);
    return out;
  });
  std::atomic<int> answered{0}, internal{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < 50; ++k) {
        const int value = t * 100 + k;
        auto r = group.submit(value);
        ++answered;
        if (!r) {
          EXPECT_EQ(r.error().code, ErrorCode::internal);
          ++internal;
        } else {
          EXPECT_EQ(*r, value * 10);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(answered, 400);
  EXPECT_GT(internal, 0);
  EXPECT_LT(internal, 400);
}

core::CheckoutRequest one_unit() {
  core::CheckoutRequest r;
  r.items = {{1, 1}};
  r.customer_name = "Nguyễn Thị Mai";
  r.customer_phone = "0912345678";
  return r;
}

TEST_F(GroupCommitTest, ManyThreadsCheckingOutNeverOversellAndEachGetsItsOwnOrders) {
  {
    auto db = pool_->acquire().value();
    db->exec("UPDATE products SET stock = 150 WHERE id = 1").value();
  }
  Config config;
  config.order_ttl_minutes = 45;
  config.checkout_max_per_phone = 0;  // one phone for 200 checkouts: the caps are not tested here
  CheckoutBatch batch(config, *pool_, clock);
  constexpr int kThreads = 8;
  constexpr int kEach = 25;  // 200 checkouts of one unit for 150 units
  std::atomic<int> placed{0}, short_of_stock{0}, other{0};
  std::vector<std::vector<std::string>> codes(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < kEach; ++k) {
        core::CheckoutRequest r = one_unit();
        if (k % 5 == 4) r.customer_phone = "không có";  // refused; its neighbours go on
        auto result = batch.checkout(r);
        if (result && result->size() == 1) {
          ++placed;
          codes[static_cast<size_t>(t)].push_back(result->front().order.code);
        } else if (!result && result.error().code == ErrorCode::conflict) {
          ++short_of_stock;
        } else if (!(!result && result.error().field == "customer.phone")) {
          ++other;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(other, 0);
  EXPECT_EQ(placed, 150);
  EXPECT_EQ(short_of_stock, kThreads * kEach * 4 / 5 - 150);
  EXPECT_EQ(count("SELECT stock FROM products WHERE id = 1"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM orders"), 150);
  EXPECT_EQ(count("SELECT COUNT(*) FROM order_events"), 150);
  EXPECT_EQ(count("SELECT COUNT(DISTINCT code) FROM orders"), 150);
  // The payment window of the configuration (no stored setting): 45 minutes.
  EXPECT_EQ(count("SELECT COUNT(*) FROM orders WHERE expires_at - created_at = 2700"), 150);
  // Every caller got the orders that were written for it.
  for (const auto& mine : codes)
    for (const auto& code : mine) {
      SCOPED_TRACE(code);
      EXPECT_EQ(count("SELECT COUNT(*) FROM orders WHERE code = '" + code + "'"), 1);
    }
}

TEST_F(GroupCommitTest, ACheckoutOnAClosedPoolIsUnavailable) {
  const Config config;
  CheckoutBatch batch(config, *pool_, clock);
  ASSERT_TRUE(pool_->close().has_value());
  auto r = batch.checkout(one_unit());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::unavailable);
}

}  // namespace
}  // namespace chophien::storefront
