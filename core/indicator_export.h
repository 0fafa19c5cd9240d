#pragma once
// The indicator report (core/indicators.h) as files an office can file or load elsewhere
// (docs/indicators.md "Exports"):
// - CSV: UTF-8 with a byte order mark, RFC 4180 (comma, CRLF, fields with a comma, quote or line
//   break quoted, quotes doubled); one row per area and indicator, columns kCsvColumns.
// - XLSX (libxlsxwriter): one sheet per level (the area, then the child level), areas as rows and
//   indicators as columns, a Vietnamese header row over an English key row, percent and
//   `#,##0 ₫` number formats; a "Số liệu" sheet with every numerator and denominator; a
//   "Định nghĩa" sheet with the definitions and the report's period, basis and time.
// - JSON: the same data for other systems (empty values as null).
// Figures resting on hand-entered data carry source "self_declared".
//
// Pure functions of the report, thread-safe. File writers fail with unavailable when the file
// cannot be written.

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "core/indicators.h"
#include "core/result.h"

namespace chophien::core {

enum class ExportFormat { csv, xlsx, json };
std::optional<ExportFormat> parse_export_format(std::string_view name);  // "csv", "xlsx", "json"
std::string_view export_content_type(ExportFormat format);
std::string_view export_extension(ExportFormat format);  // "csv", ...

// The CSV header, in order. area_valid_from follows area_code: a code alone does not identify a
// unit (codes were reused in 2025).
inline constexpr std::array<std::string_view, 15> kCsvColumns = {
    "area_code",   "area_valid_from", "area_name",   "level",  "indicator",
    "name_vi",     "numerator",       "denominator", "value",  "unit",
    "period_from", "period_to",       "basis",       "source", "generated_at"};

std::string report_csv(const Report& report);
std::string report_json(const Report& report);  // pretty-printed, 2 spaces
Result<void> write_report_xlsx(const Report& report, const std::string& path);
// The XLSX file's bytes (written through a temporary file), for HTTP responses.
Result<std::string> report_xlsx(const Report& report);

// Renders `report` as `format` into `path`.
Result<void> write_report(const Report& report, ExportFormat format, const std::string& path);

// A figure's value as text for CSV and pages: "" when empty, integers as digits, ratios with up
// to 6 decimals without trailing zeros ("0.75").
std::string figure_value_text(const Figure& figure);

// A suggested file name: "chi-tieu_04_2026-01-01_2026-06-30_rebased.xlsx".
std::string report_file_name(const Report& report, ExportFormat format);

}  // namespace chophien::core
