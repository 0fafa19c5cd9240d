#pragma once
// Sales summaries (table `sales_summaries`, migration 0008): the sales ledger summed per Vietnam
// calendar day and per calendar month, per producer, area (as recorded on the ledger row, i.e.
// valid on the sale's date), channel, settlement and origin (hand-entered or not). A trigger keeps
// them in step with every ledger insert, in the insert's own transaction, so they always equal
// the ledger; rebuild() recomputes them from the ledger (after a restore, or to prove it).
//
// A period's sums read whole months from the month rows and the days at the edges from the day
// rows, so a year costs about twelve months of rows whatever the ledger's size.
//
// Rollups (migration 0011), kept by their own trigger in the same transaction and rebuilt with
// the summaries: `sales_rollups` sums each month per area, channel, settlement and origin (no
// producer), and `producer_sales_flags` says per month and producer whether it sold on a
// marketplace or through a social network. aggregate_areas() and producer_flags() read them for
// whole months and the day summaries for the edges, so a year's figures read a few thousand
// rows whatever the ledger's size and nearly whatever the number of producers.
//
// Thread-safety: one Database connection, one thread at a time. Errors: unavailable (busy).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/database.h"
#include "core/result.h"
#include "core/text.h"

namespace chophien::core {

// Ledger rows of one producer, area, channel, settlement and origin summed over a period.
struct SalesAggregate {
  int64_t producer_id = 0;
  std::string area_code;  // "" when the sales have no area
  std::string area_valid_from;
  std::string channel;
  std::string settlement;
  bool hand = false;  // hand-entered (self-declared) sales, and refunds of them
  int64_t sales_count = 0;
  int64_t refunds_count = 0;
  int64_t sales_vnd = 0;    // sum of sales (> 0 rows)
  int64_t refunds_vnd = 0;  // sum of refunds (<= 0)
  int64_t net_vnd() const { return sales_vnd + refunds_vnd; }
  friend bool operator==(const SalesAggregate&, const SalesAggregate&) = default;
};

// Whether a producer sold (a row with a positive amount) on a marketplace platform or through a
// social network during a period, by the system's records or by hand entry.
struct ProducerSalesFlags {
  int64_t producer_id = 0;
  bool marketplace_system = false;
  bool marketplace_hand = false;
  bool social_system = false;
  bool social_hand = false;
  friend bool operator==(const ProducerSalesFlags&, const ProducerSalesFlags&) = default;
};

class SalesSummaries {
 public:
  explicit SalesSummaries(Database& db) : db_(db) {}

  // Sums over the Vietnam calendar days [from, to] (inclusive) from the summaries, ordered by
  // producer, area, channel, settlement, hand. invalid_input when to < from.
  Result<std::vector<SalesAggregate>> aggregate(Date from, Date to);
  // The same sums computed straight from the ledger (checks and comparisons; scans the period).
  Result<std::vector<SalesAggregate>> aggregate_ledger(Date from, Date to);

  // Sums over [from, to] per area, channel, settlement and origin (producer_id 0), from the
  // rollups and the day summaries; ordered by area, channel, settlement, hand. invalid_input
  // when to < from.
  Result<std::vector<SalesAggregate>> aggregate_areas(Date from, Date to);
  // The producers with a marketplace or social sale in [from, to], by producer id.
  // invalid_input when to < from.
  Result<std::vector<ProducerSalesFlags>> producer_flags(Date from, Date to);

  // Replaces every summary and rollup row with sums recomputed from the ledger, in one transaction.
  // Returns the number of summary rows written (rollups not counted).
  Result<int64_t> rebuild();

 private:
  Database& db_;
};

}  // namespace chophien::core
