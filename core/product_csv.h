#pragma once
// Products by file: the CSV layout of docs/products-csv.md, RFC 4180 quoting, UTF-8 with an
// optional byte-order mark. Import validates every row first and writes nothing when any row is
// bad (one transaction); the report lists every bad row with its line number and reason.
// Export writes the same layout (with a BOM, so spreadsheets read it as UTF-8) and round-trips
// through import.
// Thread-safety: the functions use the given Database connection; one thread at a time.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/database.h"
#include "core/products.h"
#include "core/result.h"

namespace chophien::core {

// The columns, in export order.
inline constexpr std::string_view kProductCsvColumns[] = {
    "sku",    "name", "description", "ocop_group", "ocop_stars", "decision_no", "decision_date",
    "issuer", "unit", "price_vnd",   "stock",      "weight_g",   "status"};

struct CsvRecord {
  int line = 0;  // 1-based line where the record starts
  std::vector<std::string> cells;
};

// RFC 4180: comma separated, fields optionally in double quotes ("" inside quotes is a quote),
// quoted fields may hold commas and line breaks; CRLF or LF line ends; a leading UTF-8 BOM is
// skipped; blank lines are skipped. Fails with invalid_input (message names the line) on an
// unterminated quote or text after a closing quote.
Result<std::vector<CsvRecord>> parse_csv(std::string_view text);

// One field of every CSV file the project writes (products, indicators, marketplace listings):
// spreadsheet_safe(value), then quoted when it holds a comma, quote, CR or LF (or starts/ends
// with a space).
std::string csv_field(std::string_view value);

// Formula injection: the files are opened in Excel or LibreOffice, which run a cell starting with
// '=', '+', '-' or '@' (also after a leading tab or carriage return) as a formula, e.g.
// =HYPERLINK(...) in a product name. Such a cell gets a leading apostrophe, which spreadsheets
// show as text. Numbers are no exception: a negative amount "-5000" is written "'-5000" (a
// spreadsheet reads it as text; our importers take the apostrophe off again). A cell that already
// starts with an apostrophe followed by one of those characters or another apostrophe gets one
// more, so that csv_cell_value() gives back exactly what was written.
std::string spreadsheet_safe(std::string_view value);
// The value of a cell written by csv_field: one leading apostrophe taken off when a formula start
// or another apostrophe follows it ("'=1+1" -> "=1+1", "''x" -> "'x"); anything else unchanged
// ("'hello" stays). The product importer reads every data cell through it.
std::string csv_cell_value(std::string_view cell);

struct CsvRowError {
  int line = 0;
  std::string field;  // column at fault, empty for the row as a whole
  std::string message;
};

struct ImportReport {
  int inserted = 0;
  int updated = 0;
  int rows = 0;
  std::vector<CsvRowError> errors;  // non-empty: nothing was written
  bool ok() const { return errors.empty(); }
};

// Imports rows for one producer: a row whose sku exists (for that producer) updates it, any other
// row inserts (sku generated when empty). Columns left out of the header keep their current value
// on update and take defaults on insert. `progress` (optional) is called with rows done/total.
// Errors: not_found (producer), unavailable/internal (storage). Row problems are in the report.
// Runs in the caller's transaction when one is open (the caller then commits, and must not after
// a report with errors), else in its own.
Result<ImportReport> import_products_csv(
    Database& db, const Clock& clock, int64_t producer_id, std::string_view csv,
    const std::function<void(int64_t, int64_t)>& progress = {});

// The products as CSV: BOM, header row, CRLF line ends.
std::string export_products_csv(const std::vector<Product>& products);

}  // namespace chophien::core
