#include "core/summaries.h"

#include <gtest/gtest.h>

#include <random>

#include "core/areas.h"
#include "core/clock.h"
#include "core/ledger.h"

namespace chophien::core {
namespace {

struct SummariesTest : ::testing::Test {
  ManualClock clock{vietnam_midnight(Date{2026, 11, 28})};
  Database db = Database::open_in_memory().value();
  Ledger ledger{db, clock};
  SalesSummaries summaries{db};
  std::vector<int64_t> producers;

  SummariesTest() {
    AreaStore(db).load_default().value();
    // Before the reform in Vĩnh Quang and Pác Miầu, after it in Bảo Lâm, and one with no area.
    for (const char* sql :
         {"INSERT INTO producers (name, area_code, area_valid_from) VALUES ('A', '01300', "
          "'1900-01-01')",
          "INSERT INTO producers (name, area_code, area_valid_from) VALUES ('B', '01290', "
          "'1900-01-01')",
          "INSERT INTO producers (name, area_code, area_valid_from) VALUES ('C', '01290', "
          "'2025-07-01')",
          "INSERT INTO producers (name) VALUES ('D')"}) {
      db.exec(sql).value();
      producers.push_back(db.last_insert_id());
    }
  }

  std::vector<std::vector<int64_t>> table() {
    auto s = db.prepare(
                   "SELECT grain, start_day, producer_id, sales_count, refunds_count, sales_vnd, "
                   "refunds_vnd, hand, area_code, channel FROM sales_summaries ORDER BY 1, 2, 3, "
                   "area_code, area_valid_from, channel, settlement, hand")
                 .value();
    std::vector<std::vector<int64_t>> rows;
    while (s.step().value()) {
      std::vector<int64_t> row;
      for (int i = 0; i < 8; ++i) row.push_back(s.column_int(i));
      row.push_back(static_cast<int64_t>(std::hash<std::string>{}(s.column_text(8))));
      row.push_back(static_cast<int64_t>(std::hash<std::string>{}(s.column_text(9))));
      rows.push_back(std::move(row));
    }
    return rows;
  }
};

TEST_F(SummariesTest, EqualTheLedgerAfterRandomSalesRefundsAndHandEntries) {
  std::mt19937_64 rng(20260628);
  const char* channels[] = {"storefront", "stall_qr", "shopee", "voso", "social", "cash"};
  const char* settlements[] = {"bank_transfer", "marketplace", "cash", "e_wallet"};
  // 2025-05-01 .. 2026-10-31, so sales fall on both sides of the reform and of month ends.
  const int64_t start = vietnam_midnight(Date{2025, 5, 1});
  const int64_t span = vietnam_midnight(Date{2026, 11, 1}) - start;
  std::vector<int64_t> ids;
  for (int i = 0; i < 600; ++i) {
    const int64_t when = start + static_cast<int64_t>(rng() % static_cast<uint64_t>(span));
    const int64_t producer = producers[rng() % producers.size()];
    const int64_t amount = 1000 * static_cast<int64_t>(1 + rng() % 500);
    if (rng() % 4 == 0) {
      ManualSale m;
      m.producer_id = producer;
      m.channel = rng() % 2 ? "social" : "cash";
      m.settlement = settlements[rng() % 4];
      m.amount_vnd = amount;
      m.occurred_at = when;
      ids.push_back(ledger.record_manual_sale(m, 3).value().id);
    } else {
      SaleEntry e;
      e.producer_id = producer;
      e.channel = channels[rng() % 6];
      e.settlement = settlements[rng() % 4];
      e.amount_vnd = amount;
      e.occurred_at = when;
      e.source_kind = "order";
      e.source_ref = "R" + std::to_string(i);
      ids.push_back(ledger.append(e).value().id);
    }
    if (i % 5 == 0 && !ids.empty()) {
      // A refund of an earlier sale (at most one each), some time later.
      const int64_t original = ids[rng() % ids.size()];
      clock.set(when + static_cast<int64_t>(rng() % (40 * 86400)));
      auto refund = ledger.record_refund(original, 500, std::nullopt, "");
      if (!refund) {
        EXPECT_EQ(refund.error().code, ErrorCode::conflict);
      }
      clock.set(vietnam_midnight(Date{2026, 11, 28}));
    }
  }
  const Date periods[][2] = {{{2025, 5, 1}, {2026, 12, 31}},  {{2025, 6, 30}, {2025, 7, 1}},
                             {{2025, 1, 1}, {2025, 12, 31}},  {{2026, 1, 1}, {2026, 6, 30}},
                             {{2025, 7, 15}, {2026, 2, 14}},  {{2026, 2, 1}, {2026, 2, 28}},
                             {{2025, 11, 30}, {2025, 12, 1}}, {{2026, 3, 10}, {2026, 3, 10}}};
  for (const auto& p : periods) {
    SCOPED_TRACE(format_iso_date(p[0]) + ".." + format_iso_date(p[1]));
    auto from_summaries = summaries.aggregate(p[0], p[1]);
    auto from_ledger = summaries.aggregate_ledger(p[0], p[1]);
    ASSERT_TRUE(from_summaries && from_ledger);
    EXPECT_FALSE(from_ledger->empty());
    EXPECT_EQ(*from_summaries, *from_ledger);
  }
  // Random periods too.
  for (int i = 0; i < 50; ++i) {
    const int64_t a = days_since_epoch(Date{2025, 4, 1}) + static_cast<int64_t>(rng() % 600);
    const int64_t b = a + static_cast<int64_t>(rng() % 200);
    EXPECT_EQ(*summaries.aggregate(date_from_days(a), date_from_days(b)),
              *summaries.aggregate_ledger(date_from_days(a), date_from_days(b)));
  }
  // Rebuilding from the ledger gives the same rows the trigger kept.
  const auto kept = table();
  ASSERT_FALSE(kept.empty());
  auto rebuilt = summaries.rebuild();
  ASSERT_TRUE(rebuilt);
  EXPECT_EQ(*rebuilt, static_cast<int64_t>(kept.size()));
  EXPECT_EQ(table(), kept);
}

TEST_F(SummariesTest, RefundsOfHandEntriesCountAsHandEntered) {
  ManualSale m;
  m.producer_id = producers[2];
  m.amount_vnd = 90000;
  m.occurred_at = vietnam_midnight(Date{2026, 3, 1}) + 3600;
  const int64_t id = ledger.record_manual_sale(m, 3).value().id;
  clock.set(vietnam_midnight(Date{2026, 3, 2}));
  ledger.record_refund(id, 10000, 3, "").value();
  auto sums = summaries.aggregate(Date{2026, 3, 1}, Date{2026, 3, 31}).value();
  ASSERT_EQ(sums.size(), 1u);
  EXPECT_TRUE(sums[0].hand);
  EXPECT_EQ(sums[0].sales_count, 1);
  EXPECT_EQ(sums[0].refunds_count, 1);
  EXPECT_EQ(sums[0].net_vnd(), 80000);
  EXPECT_EQ(sums[0].area_code, "01290");
}

TEST_F(SummariesTest, APeriodEndingBeforeItStartsIsInvalid) {
  EXPECT_EQ(summaries.aggregate(Date{2026, 2, 1}, Date{2026, 1, 1}).error().code,
            ErrorCode::invalid_input);
}

}  // namespace
}  // namespace chophien::core
