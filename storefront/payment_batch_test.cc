#include "storefront/payment_batch.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/orders.h"

namespace chophien::storefront {
namespace {

constexpr const char* kAccount = "0071000888888";

struct PaymentBatchTest : ::testing::Test {
  PaymentBatchTest() {
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
  ~PaymentBatchTest() override {
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

TEST_F(PaymentBatchTest, ManyThreadsDeliveringEachNotificationTwiceGiveOnePaymentEach) {
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

TEST_F(PaymentBatchTest, ARefusedNotificationGetsItsErrorAndStoresNothing) {
  PaymentBatch batch(*pool_, clock);
  core::BankNotification n;
  n.provider = "sepay";
  n.provider_txn_id = "";  // missing
  n.amount_vnd = 150000;
  n.account_number = kAccount;
  auto r = batch.receive(n);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::invalid_input);
  EXPECT_EQ(count("SELECT COUNT(*) FROM payments"), 0);
}

TEST_F(PaymentBatchTest, AClosedPoolAnswersUnavailable) {
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

}  // namespace
}  // namespace chophien::storefront
