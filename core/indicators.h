#pragma once
// The digital-economy figures of docs/indicators.md for a period and an area, overall and per
// child area, from the producer register, the products' OCOP certificates, the sales summaries
// (core/summaries.h) and the training events an officer records by hand.
//
// Basis: as_dated puts each sale in the unit valid on its date (as the ledger recorded it) and
// each producer in its registered unit, followed through the succession table to the unit valid
// on the period's last day; rebased puts everything in the units valid on `rebase_on` (default:
// today), following the succession table (the first successor by code when a unit was split).
//
// Every figure carries its numerator, denominator (rates only) and value; a rate whose
// denominator is 0 (or, for a sum that refunds made negative, below 0) has no value. A figure is
// marked self_declared when any of its inputs was typed in by hand rather than recorded by the
// system (declared social channels, hand-entered sales, training events). The definitions as
// shipped are in docs/indicators.md.
//
// Not thread-safe: one engine per Database (per thread). Errors: invalid_input (bad period, area
// or level, with `field`), not_found (unknown area), unavailable (database busy).

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/areas.h"
#include "core/clock.h"
#include "core/database.h"
#include "core/result.h"
#include "core/text.h"

namespace chophien::core {

enum class Basis { as_dated, rebased };
std::string_view basis_name(Basis basis);                 // "as_dated", "rebased"
std::string_view basis_name_vi(Basis basis);              // "theo thời điểm", "quy đổi"
std::optional<Basis> parse_basis(std::string_view name);  // also "as-dated", "re-based"

enum class FigureUnit { count, vnd, ratio };
std::string_view figure_unit_name(FigureUnit unit);  // "count", "vnd", "ratio"

enum class FigureSource { system, self_declared };
std::string_view figure_source_name(FigureSource source);  // "system", "self_declared"

// One indicator (or one breakdown of it) as published. Codes: the indicators.md code, or a
// breakdown "<code>.<part>": "ocop_products_valid.stars_4", "ocop_products_valid.g1",
// "online_revenue_vnd.shopee", "marketplace_orders.voso", "revenue_vnd.cash".
struct IndicatorDefinition {
  std::string code;
  std::string name_vi;
  std::string name_en;
  FigureUnit unit = FigureUnit::count;
  std::string definition_vi;  // the short definition the export carries
};
// Every published code in export order (indicators.md order, breakdowns after their total).
const std::vector<IndicatorDefinition>& indicator_definitions();
const IndicatorDefinition* find_indicator(std::string_view code);

struct Figure {
  std::string code;
  std::optional<int64_t> numerator;    // the count or sum; empty when not measurable yet
  std::optional<int64_t> denominator;  // rates only
  std::optional<double> value;         // rates: numerator / denominator; others: numerator
  FigureUnit unit = FigureUnit::count;
  FigureSource source = FigureSource::system;
};

struct AreaFigures {
  Area area;
  bool total = false;           // the reported area itself (first row), not a child
  std::vector<Figure> figures;  // in indicator_definitions() order
  const Figure* find(std::string_view code) const;
};

struct IndicatorQuery {
  Date from;              // inclusive, Vietnam calendar days
  Date to;                // inclusive
  std::string area_code;  // the reported area, e.g. "04" (its version valid on `to`)
  // Child level to break down by: "" (none), "commune" (communes, townships, wards, special
  // zones), or any level name of the areas table ("district", "township", ...).
  std::string by_level;
  Basis basis = Basis::as_dated;
  std::optional<Date> rebase_on;  // rebased only; default: today by the clock
};

struct Report {
  IndicatorQuery query;
  Date rebase_on;            // the date the rebased units are valid on (== query.to for as_dated)
  int64_t generated_at = 0;  // unix seconds
  std::vector<AreaFigures> rows;  // the area first, then its children by code and valid_from
  const AreaFigures* find(std::string_view area_code) const;  // first row with this code
};

// Reported by compute() between steps, for a progress bar: (done, total).
using ReportProgress = std::function<void(int64_t done, int64_t total)>;

class IndicatorEngine {
 public:
  // `db` and `clock` must outlive the engine.
  IndicatorEngine(Database& db, const Clock& clock) : db_(db), clock_(clock) {}

  Result<Report> compute(const IndicatorQuery& query, const ReportProgress& progress = {});
  Result<Report> compute(Date from, Date to, std::string_view area_code, std::string_view by_level,
                         Basis basis);

 private:
  Database& db_;
  const Clock& clock_;
};

// A training event an officer records (self-declared).
struct TrainingEvent {
  int64_t id = 0;
  AreaKey area;  // valid_from may be empty on input: the unit with that code valid on held_on
  Date held_on;
  std::string title;         // 1..200 characters
  int64_t participants = 0;  // 0..100000
  std::optional<int64_t> entered_by;
  std::string note;
  int64_t recorded_at = 0;
};

class TrainingLog {
 public:
  TrainingLog(Database& db, const Clock& clock) : db_(db), clock_(clock) {}
  // Errors: invalid_input (field named: area, held_on, title, participants), not_found (area).
  Result<TrainingEvent> record(TrainingEvent event);
  // Events held in [from, to], by date then id.
  Result<std::vector<TrainingEvent>> list(Date from, Date to);

 private:
  Database& db_;
  const Clock& clock_;
};

}  // namespace chophien::core
