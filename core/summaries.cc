#include "core/summaries.h"

namespace chophien::core {
namespace {

constexpr const char* kAggregateSummaries = R"sql(
SELECT producer_id, area_code, area_valid_from, channel, settlement, hand, sum(sales_count),
       sum(refunds_count), sum(sales_vnd), sum(refunds_vnd)
FROM (SELECT * FROM sales_summaries WHERE grain = 1 AND start_day >= ?1 AND start_day < ?2
      UNION ALL
      SELECT * FROM sales_summaries WHERE grain = 0 AND start_day >= ?3 AND start_day < ?1
      UNION ALL
      SELECT * FROM sales_summaries WHERE grain = 0 AND start_day >= ?2 AND start_day <= ?4)
GROUP BY producer_id, area_code, area_valid_from, channel, settlement, hand
ORDER BY producer_id, area_code, area_valid_from, channel, settlement, hand)sql";

constexpr const char* kAggregateLedger = R"sql(
SELECT l.producer_id, coalesce(l.area_code, ''), coalesce(l.area_valid_from, ''), l.channel,
       l.settlement,
       (l.source_kind = 'hand_entry' OR coalesce(o.source_kind = 'hand_entry', 0)) AS hand,
       sum(l.amount_vnd > 0), sum(l.amount_vnd < 0), sum(max(l.amount_vnd, 0)),
       sum(min(l.amount_vnd, 0))
FROM sales_ledger l LEFT JOIN sales_ledger o ON o.id = l.refund_of
WHERE l.occurred_at >= ?1 AND l.occurred_at < ?2
GROUP BY 1, 2, 3, 4, 5, 6
ORDER BY 1, 2, 3, 4, 5, 6)sql";

// Day rows straight from the ledger; month rows from the day rows.
constexpr const char* kRebuildDays = R"sql(
INSERT INTO sales_summaries (grain, start_day, producer_id, area_code, area_valid_from, channel,
                             settlement, hand, sales_count, refunds_count, sales_vnd, refunds_vnd)
SELECT 0, (l.occurred_at + 25200) / 86400, l.producer_id, coalesce(l.area_code, ''),
       coalesce(l.area_valid_from, ''), l.channel, l.settlement,
       (l.source_kind = 'hand_entry' OR coalesce(o.source_kind = 'hand_entry', 0)),
       sum(l.amount_vnd > 0), sum(l.amount_vnd < 0), sum(max(l.amount_vnd, 0)),
       sum(min(l.amount_vnd, 0))
FROM sales_ledger l LEFT JOIN sales_ledger o ON o.id = l.refund_of
GROUP BY 2, 3, 4, 5, 6, 7, 8)sql";

constexpr const char* kRebuildMonths = R"sql(
INSERT INTO sales_summaries (grain, start_day, producer_id, area_code, area_valid_from, channel,
                             settlement, hand, sales_count, refunds_count, sales_vnd, refunds_vnd)
SELECT 1, CAST(julianday(date(start_day * 86400, 'unixepoch', 'start of month')) - 2440587.5
               AS INTEGER),
       producer_id, area_code, area_valid_from, channel, settlement, hand, sum(sales_count),
       sum(refunds_count), sum(sales_vnd), sum(refunds_vnd)
FROM sales_summaries WHERE grain = 0
GROUP BY 2, 3, 4, 5, 6, 7, 8)sql";

// Whole months [?1, ?2) from the rollups, the edge days [?3, ?1) and [?2, ?4] from the day
// summaries.
constexpr const char* kAggregateAreas = R"sql(
SELECT 0, area_code, area_valid_from, channel, settlement, hand, sum(sales_count),
       sum(refunds_count), sum(sales_vnd), sum(refunds_vnd)
FROM (SELECT area_code, area_valid_from, channel, settlement, hand, sales_count, refunds_count,
             sales_vnd, refunds_vnd
      FROM sales_rollups WHERE start_day >= ?1 AND start_day < ?2
      UNION ALL
      SELECT area_code, area_valid_from, channel, settlement, hand, sales_count, refunds_count,
             sales_vnd, refunds_vnd
      FROM sales_summaries WHERE grain = 0 AND start_day >= ?3 AND start_day < ?1
      UNION ALL
      SELECT area_code, area_valid_from, channel, settlement, hand, sales_count, refunds_count,
             sales_vnd, refunds_vnd
      FROM sales_summaries WHERE grain = 0 AND start_day >= ?2 AND start_day <= ?4)
GROUP BY area_code, area_valid_from, channel, settlement, hand
ORDER BY area_code, area_valid_from, channel, settlement, hand)sql";

constexpr const char* kProducerFlags = R"sql(
SELECT producer_id, max(ms), max(mh), max(ss), max(sh)
FROM (SELECT producer_id, marketplace_system AS ms, marketplace_hand AS mh,
             social_system AS ss, social_hand AS sh
      FROM producer_sales_flags WHERE start_day >= ?1 AND start_day < ?2
      UNION ALL
      SELECT producer_id, channel <> 'social' AND hand = 0, channel <> 'social' AND hand = 1,
             channel = 'social' AND hand = 0, channel = 'social' AND hand = 1
      FROM sales_summaries
      WHERE grain = 0 AND start_day >= ?3 AND start_day < ?1 AND sales_count > 0 AND
            (channel = 'shopee' OR channel = 'lazada' OR channel = 'tiktok_shop' OR
             channel = 'postmart' OR channel = 'voso' OR channel = 'social')
      UNION ALL
      SELECT producer_id, channel <> 'social' AND hand = 0, channel <> 'social' AND hand = 1,
             channel = 'social' AND hand = 0, channel = 'social' AND hand = 1
      FROM sales_summaries
      WHERE grain = 0 AND start_day >= ?2 AND start_day <= ?4 AND sales_count > 0 AND
            (channel = 'shopee' OR channel = 'lazada' OR channel = 'tiktok_shop' OR
             channel = 'postmart' OR channel = 'voso' OR channel = 'social'))
GROUP BY producer_id
ORDER BY producer_id)sql";

constexpr const char* kRebuildRollups = R"sql(
INSERT INTO sales_rollups (start_day, area_code, area_valid_from, channel, settlement, hand,
                           sales_count, refunds_count, sales_vnd, refunds_vnd)
SELECT start_day, area_code, area_valid_from, channel, settlement, hand, sum(sales_count),
       sum(refunds_count), sum(sales_vnd), sum(refunds_vnd)
FROM sales_summaries WHERE grain = 1
GROUP BY start_day, area_code, area_valid_from, channel, settlement, hand)sql";

constexpr const char* kRebuildFlags = R"sql(
INSERT INTO producer_sales_flags (start_day, producer_id, marketplace_system, marketplace_hand,
                                  social_system, social_hand)
SELECT start_day, producer_id,
       max(channel <> 'social' AND hand = 0), max(channel <> 'social' AND hand = 1),
       max(channel = 'social' AND hand = 0), max(channel = 'social' AND hand = 1)
FROM sales_summaries
WHERE grain = 1 AND sales_count > 0 AND
      (channel = 'shopee' OR channel = 'lazada' OR channel = 'tiktok_shop' OR
       channel = 'postmart' OR channel = 'voso' OR channel = 'social')
GROUP BY start_day, producer_id)sql";

Result<std::vector<SalesAggregate>> read_all(Statement& s) {
  std::vector<SalesAggregate> out;
  for (;;) {
    auto more = s.step();
    if (!more) return more.error();
    if (!*more) break;
    SalesAggregate a;
    a.producer_id = s.column_int(0);
    a.area_code = s.column_text(1);
    a.area_valid_from = s.column_text(2);
    a.channel = s.column_text(3);
    a.settlement = s.column_text(4);
    a.hand = s.column_int(5) != 0;
    a.sales_count = s.column_int(6);
    a.refunds_count = s.column_int(7);
    a.sales_vnd = s.column_int(8);
    a.refunds_vnd = s.column_int(9);
    out.push_back(std::move(a));
  }
  return out;
}

int64_t first_of_month(Date d) { return days_since_epoch(Date{d.year, d.month, 1}); }

// The days of [from, to] as whole months [m0, m1) and edge days [first, m0), [m1, last].
struct MonthSplit {
  int64_t m0 = 0, m1 = 0, first = 0, last = 0;
};

MonthSplit split_months(Date from, Date to) {
  MonthSplit out;
  out.first = days_since_epoch(from);
  out.last = days_since_epoch(to);
  // m0: the first month start on or after `from`; m1: the start of the month after the last
  // whole month.
  out.m0 = from.day == 1 ? out.first : first_of_month(date_from_days(first_of_month(from) + 31));
  const Date after = date_from_days(out.last + 1);
  out.m1 = after.day == 1 ? out.last + 1 : first_of_month(to);
  if (out.m0 >= out.m1) out.m0 = out.m1 = out.last + 1;  // no whole month: days only
  return out;
}

}  // namespace

Result<std::vector<SalesAggregate>> SalesSummaries::aggregate(Date from, Date to) {
  if (to < from) return invalid_input("to before from", "to");
  const MonthSplit m = split_months(from, to);
  auto s = db_.prepare(kAggregateSummaries);
  if (!s) return s.error();
  s->bind(1, m.m0).bind(2, m.m1).bind(3, m.first).bind(4, m.last);
  return read_all(*s);
}

Result<std::vector<SalesAggregate>> SalesSummaries::aggregate_areas(Date from, Date to) {
  if (to < from) return invalid_input("to before from", "to");
  const MonthSplit m = split_months(from, to);
  auto s = db_.prepare(kAggregateAreas);
  if (!s) return s.error();
  s->bind(1, m.m0).bind(2, m.m1).bind(3, m.first).bind(4, m.last);
  return read_all(*s);
}

Result<std::vector<ProducerSalesFlags>> SalesSummaries::producer_flags(Date from, Date to) {
  if (to < from) return invalid_input("to before from", "to");
  const MonthSplit m = split_months(from, to);
  auto s = db_.prepare(kProducerFlags);
  if (!s) return s.error();
  s->bind(1, m.m0).bind(2, m.m1).bind(3, m.first).bind(4, m.last);
  std::vector<ProducerSalesFlags> out;
  for (;;) {
    auto more = s->step();
    if (!more) return more.error();
    if (!*more) break;
    ProducerSalesFlags f;
    f.producer_id = s->column_int(0);
    f.marketplace_system = s->column_int(1) != 0;
    f.marketplace_hand = s->column_int(2) != 0;
    f.social_system = s->column_int(3) != 0;
    f.social_hand = s->column_int(4) != 0;
    out.push_back(f);
  }
  return out;
}

Result<std::vector<SalesAggregate>> SalesSummaries::aggregate_ledger(Date from, Date to) {
  if (to < from) return invalid_input("to before from", "to");
  auto s = db_.prepare(kAggregateLedger);
  if (!s) return s.error();
  s->bind(1, vietnam_midnight(from))
      .bind(2, vietnam_midnight(date_from_days(days_since_epoch(to) + 1)));
  return read_all(*s);
}

Result<int64_t> SalesSummaries::rebuild() {
  auto tx = db_.begin();
  if (!tx) return tx.error();
  for (const char* sql :
       {"DELETE FROM sales_summaries", kRebuildDays, kRebuildMonths, "DELETE FROM sales_rollups",
        kRebuildRollups, "DELETE FROM producer_sales_flags", kRebuildFlags}) {
    auto s = db_.prepare(sql);
    if (!s) return s.error();
    if (auto done = s->run(); !done) return done.error();
  }
  auto count = db_.prepare("SELECT count(*) FROM sales_summaries");
  if (!count) return count.error();
  auto row = count->step();
  if (!row) return row.error();
  const int64_t rows = count->column_int(0);
  if (auto done = tx->commit(); !done) return done.error();
  return rows;
}

}  // namespace chophien::core
