#include "core/summaries.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <tuple>

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
  int batches_ = 0;

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

  // Every row of `sql` as text, for comparing whole tables.
  std::vector<std::string> rows_of(const std::string& sql, int columns = 1) {
    auto s = db.prepare(sql).value();
    std::vector<std::string> out;
    while (s.step().value()) {
      std::string row;
      for (int i = 0; i < columns; ++i) row += s.column_text(i) + "|";
      out.push_back(std::move(row));
    }
    return out;
  }
  static constexpr const char* kMonth =
      "CAST(julianday(date(l.occurred_at + 25200, 'unixepoch', 'start of month')) - 2440587.5 "
      "AS INTEGER)";
  static constexpr const char* kHand =
      "(l.source_kind = 'hand_entry' OR coalesce(o.source_kind = 'hand_entry', 0))";
  // The rollup tables, and the same rows computed straight from the ledger.
  std::vector<std::string> rollups() {
    return rows_of(
        "SELECT start_day, area_code, area_valid_from, channel, settlement, hand, sales_count, "
        "refunds_count, sales_vnd, refunds_vnd FROM sales_rollups ORDER BY 1, 2, 3, 4, 5, 6",
        10);
  }
  std::vector<std::string> rollups_from_ledger() {
    return rows_of(std::string("SELECT ") + kMonth +
                       ", coalesce(l.area_code, ''), coalesce(l.area_valid_from, ''), l.channel, "
                       "l.settlement, " +
                       kHand +
                       ", sum(l.amount_vnd > 0), sum(l.amount_vnd < 0), sum(max(l.amount_vnd, 0)), "
                       "sum(min(l.amount_vnd, 0)) FROM sales_ledger l LEFT JOIN sales_ledger o ON "
                       "o.id = l.refund_of GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6",
                   10);
  }
  std::vector<std::string> flags() {
    return rows_of(
        "SELECT start_day, producer_id, marketplace_system, marketplace_hand, social_system, "
        "social_hand FROM producer_sales_flags ORDER BY 1, 2",
        6);
  }
  std::vector<std::string> flags_from_ledger() {
    return rows_of(
        std::string("SELECT ") + kMonth +
            ", l.producer_id, max(l.channel <> 'social' AND l.source_kind <> 'hand_entry'), "
            "max(l.channel <> 'social' AND l.source_kind = 'hand_entry'), max(l.channel = 'social' "
            "AND l.source_kind <> 'hand_entry'), max(l.channel = 'social' AND l.source_kind = "
            "'hand_entry') FROM sales_ledger l WHERE l.amount_vnd > 0 AND l.channel IN ('shopee', "
            "'lazada', 'tiktok_shop', 'postmart', 'voso', 'social') GROUP BY 1, 2 ORDER BY 1, 2",
        6);
  }

  // Per area, channel, settlement and origin: the ledger's sums of a period through
  // aggregate_ledger (producer dimension dropped).
  std::vector<SalesAggregate> areas_from_ledger(Date from, Date to) {
    std::map<std::tuple<std::string, std::string, std::string, std::string, bool>, SalesAggregate>
        sums;
    const auto ledger_sums = summaries.aggregate_ledger(from, to).value();
    for (const auto& a : ledger_sums) {
      auto& s = sums[{a.area_code, a.area_valid_from, a.channel, a.settlement, a.hand}];
      s.area_code = a.area_code;
      s.area_valid_from = a.area_valid_from;
      s.channel = a.channel;
      s.settlement = a.settlement;
      s.hand = a.hand;
      s.sales_count += a.sales_count;
      s.refunds_count += a.refunds_count;
      s.sales_vnd += a.sales_vnd;
      s.refunds_vnd += a.refunds_vnd;
    }
    std::vector<SalesAggregate> out;
    for (auto& [key, s] : sums) out.push_back(s);
    return out;
  }
  std::vector<ProducerSalesFlags> flags_from_aggregates(Date from, Date to) {
    std::map<int64_t, ProducerSalesFlags> by;
    const auto ledger_sums = summaries.aggregate_ledger(from, to).value();
    for (const auto& a : ledger_sums) {
      if (a.sales_count == 0) continue;
      const bool social = a.channel == "social";
      const bool platform = a.channel == "shopee" || a.channel == "lazada" ||
                            a.channel == "tiktok_shop" || a.channel == "postmart" ||
                            a.channel == "voso";
      if (!social && !platform) continue;
      auto& f = by[a.producer_id];
      f.producer_id = a.producer_id;
      if (platform) (a.hand ? f.marketplace_hand : f.marketplace_system) = true;
      if (social) (a.hand ? f.social_hand : f.social_system) = true;
    }
    std::vector<ProducerSalesFlags> out;
    for (auto& [id, f] : by) out.push_back(f);
    return out;
  }

  // 600 random sales over 2025-05-01 .. 2026-10-31 (both sides of the reform and of month ends),
  // a quarter of them hand-entered, with refunds of earlier ones.
  void random_ledger(std::mt19937_64& rng) {
    const int batch = batches_++;
    const char* channels[] = {"storefront", "stall_qr", "shopee", "voso", "social", "cash"};
    const char* settlements[] = {"bank_transfer", "marketplace", "cash", "e_wallet"};
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
        const uint64_t r = rng();
        m.channel = r % 2 ? "social" : r % 4 == 0 ? "shopee" : "cash";
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
        e.source_ref = "R" + std::to_string(batch) + "-" + std::to_string(i);
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
  random_ledger(rng);
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
    EXPECT_EQ(summaries.aggregate_areas(p[0], p[1]).value(), areas_from_ledger(p[0], p[1]));
    EXPECT_EQ(summaries.producer_flags(p[0], p[1]).value(), flags_from_aggregates(p[0], p[1]));
  }
  // Random periods too.
  for (int i = 0; i < 50; ++i) {
    const int64_t a = days_since_epoch(Date{2025, 4, 1}) + static_cast<int64_t>(rng() % 600);
    const int64_t b = a + static_cast<int64_t>(rng() % 200);
    EXPECT_EQ(*summaries.aggregate(date_from_days(a), date_from_days(b)),
              *summaries.aggregate_ledger(date_from_days(a), date_from_days(b)));
    EXPECT_EQ(summaries.aggregate_areas(date_from_days(a), date_from_days(b)).value(),
              areas_from_ledger(date_from_days(a), date_from_days(b)));
    EXPECT_EQ(summaries.producer_flags(date_from_days(a), date_from_days(b)).value(),
              flags_from_aggregates(date_from_days(a), date_from_days(b)));
  }
  // Rebuilding from the ledger gives the same rows the trigger kept.
  const auto kept = table();
  ASSERT_FALSE(kept.empty());
  auto rebuilt = summaries.rebuild();
  ASSERT_TRUE(rebuilt);
  EXPECT_EQ(*rebuilt, static_cast<int64_t>(kept.size()));
  EXPECT_EQ(table(), kept);
}

TEST_F(SummariesTest, RollupsEqualTheLedgerAfterSalesRefundsHandEntriesAndRebuild) {
  std::mt19937_64 rng(7);
  random_ledger(rng);
  const auto kept_rollups = rollups();
  const auto kept_flags = flags();
  ASSERT_GT(kept_rollups.size(), 50u);
  ASSERT_GT(kept_flags.size(), 10u);
  EXPECT_EQ(kept_rollups, rollups_from_ledger());
  EXPECT_EQ(kept_flags, flags_from_ledger());
  // Some flags rest on hand entries, some on the system's records.
  EXPECT_FALSE(rows_of("SELECT 1 FROM producer_sales_flags WHERE marketplace_hand = 1").empty());
  EXPECT_FALSE(rows_of("SELECT 1 FROM producer_sales_flags WHERE social_system = 1").empty());

  // The rebuild recomputes the same rows, also after the tables were damaged.
  db.exec(
        "DELETE FROM sales_rollups WHERE start_day = (SELECT min(start_day) FROM "
        "sales_rollups); UPDATE sales_rollups SET "
        "sales_vnd = sales_vnd + 1; DELETE FROM producer_sales_flags;")
      .value();
  EXPECT_NE(rollups(), kept_rollups);
  ASSERT_TRUE(summaries.rebuild());
  EXPECT_EQ(rollups(), kept_rollups);
  EXPECT_EQ(flags(), kept_flags);

  // And the trigger goes on from the rebuilt rows.
  random_ledger(rng);
  EXPECT_EQ(rollups(), rollups_from_ledger());
  EXPECT_EQ(flags(), flags_from_ledger());
}

TEST_F(SummariesTest, MigrationFillsTheRollupsFromExistingSummaries) {
  std::mt19937_64 rng(11);
  random_ledger(rng);
  const auto expected_rollups = rollups();
  const auto expected_flags = flags();
  // As a database that had summaries before migration 0011: the migration's own statements.
  db.exec("DELETE FROM sales_rollups; DELETE FROM producer_sales_flags;").value();
  ASSERT_TRUE(rollups().empty());
  std::string sql;
  {
    const char* root = std::getenv("CHOPHIEN_SOURCE_DIR");  // set by CTest
    ASSERT_NE(root, nullptr) << "CHOPHIEN_SOURCE_DIR";
    std::ifstream in(std::string(root) + "/core/sql/0011_sales_rollups.sql");
    ASSERT_TRUE(in) << "core/sql/0011_sales_rollups.sql";
    std::stringstream text;
    text << in.rdbuf();
    sql = text.str();
  }
  const auto begin = sql.find("INSERT INTO sales_rollups");
  const auto end = sql.find("CREATE TRIGGER");
  ASSERT_NE(begin, std::string::npos);
  ASSERT_NE(end, std::string::npos);
  db.exec(sql.substr(begin, end - begin)).value();
  EXPECT_EQ(rollups(), expected_rollups);
  EXPECT_EQ(flags(), expected_flags);
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
