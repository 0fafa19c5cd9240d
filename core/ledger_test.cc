#include "core/ledger.h"

#include <gtest/gtest.h>

namespace chophien::core {
namespace {

constexpr int64_t kBeforeReform = 1750000000;  // 2025-06-15
constexpr int64_t kAfterReform = 1764300000;   // 2025-11-28

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

struct LedgerTest : ::testing::Test {
  ManualClock clock{kAfterReform};
  Database db = Database::open_in_memory().value();
  Ledger ledger{db, clock};
  int64_t producer = add_producer(db, "0011001234567");

  SaleEntry entry(const std::string& ref, int64_t amount, int64_t at) {
    SaleEntry e;
    e.producer_id = producer;
    e.channel = "storefront";
    e.settlement = "bank_transfer";
    e.amount_vnd = amount;
    e.occurred_at = at;
    e.source_kind = "order";
    e.source_ref = ref;
    return e;
  }
};

TEST_F(LedgerTest, ASaleRecordsTheAreaValidOnItsDateThroughTheSuccession) {
  // The producer registered under Pác Miầu township (01290 from 1900-01-01), which ceased on
  // 1 July 2025; code 01290 was reused for Bảo Lâm commune.
  auto before = ledger.append(entry("CPAAAAAA1", 100000, kBeforeReform));
  ASSERT_TRUE(before) << before.error().message;
  EXPECT_EQ(before->area_code, "01290");
  EXPECT_EQ(before->area_valid_from, "1900-01-01");
  auto after = ledger.append(entry("CPAAAAAA2", 100000, kAfterReform));
  ASSERT_TRUE(after);
  EXPECT_EQ(after->area_code, "01290");
  EXPECT_EQ(after->area_valid_from, "2025-07-01");
  // 30 June 2025 23:30 in Vietnam is still before the reform (16:30 UTC).
  auto last_day = ledger.append(entry("CPAAAAAA3", 1, 1751301000));
  ASSERT_TRUE(last_day);
  EXPECT_EQ(last_day->area_valid_from, "1900-01-01");
  // 1 July 2025 00:30 in Vietnam is after it, although still 30 June in UTC.
  auto first_day = ledger.append(entry("CPAAAAAA4", 1, 1751304600));
  ASSERT_TRUE(first_day);
  EXPECT_EQ(first_day->area_valid_from, "2025-07-01");
}

TEST_F(LedgerTest, OneSourceNeverYieldsTwoRows) {
  ASSERT_TRUE(ledger.append(entry("CPAAAAAA1", 100000, kAfterReform)));
  auto again = ledger.append(entry("CPAAAAAA1", 100000, kAfterReform));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::conflict);
  EXPECT_EQ(ledger.list({}).value().size(), 1u);
}

TEST_F(LedgerTest, RowsCannotBeUpdatedOrDeleted) {
  ASSERT_TRUE(ledger.append(entry("CPAAAAAA1", 100000, kAfterReform)));
  EXPECT_FALSE(db.exec("UPDATE sales_ledger SET amount_vnd = 1"));
  EXPECT_FALSE(db.exec("DELETE FROM sales_ledger"));
  auto rows = ledger.list({}).value();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].amount_vnd, 100000);
}

TEST_F(LedgerTest, RefundIsANegativeRowReferringToTheOriginalOnce) {
  auto sale = ledger.append(entry("CPAAAAAA1", 100000, kAfterReform)).value();
  EXPECT_EQ(ledger.record_refund(sale.id, 100001, 5, "").error().code, ErrorCode::invalid_input);
  auto refund = ledger.record_refund(sale.id, 40000, 5, "trả lại một gói");
  ASSERT_TRUE(refund) << refund.error().message;
  EXPECT_EQ(refund->amount_vnd, -40000);
  EXPECT_EQ(refund->refund_of, sale.id);
  EXPECT_EQ(refund->channel, "storefront");
  EXPECT_EQ(refund->entered_by, 5);
  EXPECT_EQ(ledger.record_refund(sale.id, 1, 5, "").error().code, ErrorCode::conflict);
  EXPECT_EQ(ledger.record_refund(refund->id, 1, 5, "").error().code, ErrorCode::invalid_input);
  EXPECT_EQ(ledger.record_refund(999, 1, 5, "").error().code, ErrorCode::not_found);
}

TEST_F(LedgerTest, ReversalCancelsTheFullAmountOnTheOriginalsDateOnce) {
  auto sale = ledger.append(entry("CPAAAAAA1", 100000, kBeforeReform)).value();
  auto reversal = ledger.append_reversal(sale.id, 5, "nhập nhầm");
  ASSERT_TRUE(reversal) << reversal.error().message;
  EXPECT_EQ(reversal->amount_vnd, -100000);
  EXPECT_EQ(reversal->refund_of, sale.id);
  EXPECT_EQ(reversal->occurred_at, kBeforeReform);  // not the day it was entered
  EXPECT_EQ(reversal->area_code, sale.area_code);
  EXPECT_EQ(reversal->area_valid_from, sale.area_valid_from);
  EXPECT_EQ(ledger.append_reversal(sale.id, 5, "").error().code, ErrorCode::conflict);
  EXPECT_EQ(ledger.record_refund(sale.id, 1, 5, "").error().code, ErrorCode::conflict);
  EXPECT_EQ(ledger.append_reversal(reversal->id, 5, "").error().code, ErrorCode::invalid_input);
  EXPECT_EQ(ledger.append_reversal(999, 5, "").error().code, ErrorCode::not_found);
}

TEST_F(LedgerTest, HandEnteredSaleIsValidatedAndIdempotentOnItsReference) {
  ManualSale sale;
  sale.producer_id = producer;
  sale.channel = "social";
  sale.settlement = "cash";
  sale.amount_vnd = 350000;
  sale.occurred_at = kAfterReform - 3600;
  sale.reference = "zalo-0001";
  auto row = ledger.record_manual_sale(sale, 42);
  ASSERT_TRUE(row) << row.error().message;
  EXPECT_EQ(row->source_kind, "hand_entry");
  EXPECT_EQ(row->entered_by, 42);
  EXPECT_EQ(ledger.record_manual_sale(sale, 42).error().code, ErrorCode::conflict);
  sale.reference.clear();
  ASSERT_TRUE(ledger.record_manual_sale(sale, 42));
  ASSERT_TRUE(ledger.record_manual_sale(sale, 42));  // no reference: each entry is new

  auto bad = sale;
  bad.channel = "storefront";
  EXPECT_EQ(ledger.record_manual_sale(bad, 42).error().field, "channel");
  bad = sale;
  bad.settlement = "gold";
  EXPECT_EQ(ledger.record_manual_sale(bad, 42).error().field, "settlement");
  bad = sale;
  bad.amount_vnd = 0;
  EXPECT_EQ(ledger.record_manual_sale(bad, 42).error().field, "amount_vnd");
  bad = sale;
  bad.occurred_at = kAfterReform + 60;
  EXPECT_EQ(ledger.record_manual_sale(bad, 42).error().field, "occurred_at");
  bad = sale;
  bad.producer_id = 999;
  EXPECT_EQ(ledger.record_manual_sale(bad, 42).error().code, ErrorCode::not_found);
  EXPECT_EQ(ledger.list({}).value().size(), 3u);
}

TEST_F(LedgerTest, ListsByPeriodProducerAndChannel) {
  ASSERT_TRUE(ledger.append(entry("CPAAAAAA1", 100, kBeforeReform)));
  ASSERT_TRUE(ledger.append(entry("CPAAAAAA2", 200, kAfterReform)));
  auto e = entry("sepay:1", 300, kAfterReform);
  e.channel = "stall_qr";
  e.source_kind = "bank_txn";
  ASSERT_TRUE(ledger.append(e));
  EXPECT_EQ(ledger.list({kAfterReform, kAfterReform + 1, {}, {}, 100}).value().size(), 2u);
  EXPECT_EQ(ledger.list({{}, {}, producer, std::string("stall_qr"), 100}).value().size(), 1u);
  EXPECT_EQ(ledger.list({{}, {}, producer + 1, {}, 100}).value().size(), 0u);
}

TEST_F(LedgerTest, AProducerWithoutAreaStillRecordsTheSale) {
  db.exec("INSERT INTO producers (name) VALUES ('Hộ kinh doanh chưa có địa bàn')").value();
  auto e = entry("CPAAAAAA9", 100, kAfterReform);
  e.producer_id = db.last_insert_id();
  auto row = ledger.append(e);
  ASSERT_TRUE(row) << row.error().message;
  EXPECT_FALSE(row->area_code);
}

}  // namespace
}  // namespace chophien::core
