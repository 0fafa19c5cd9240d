#pragma once
// The first worksheet of an XLSX workbook (Office Open XML spreadsheet) as rows of cell texts, the
// same records core/product_csv.h's parse_csv gives, so a CSV file and an XLSX file go through the
// same checks afterwards. Used for seller centres' order exports (docs/order-import.md).
//
// What is read: xl/workbook.xml (the first sheet, date1904), its part through
// xl/_rels/workbook.xml.rels, xl/sharedStrings.xml (rich-text runs joined, phonetic runs left out)
// and xl/styles.xml (which cells are dates). Cell texts:
//   shared, inline and formula strings   as written (_xHHHH_ escapes decoded)
//   numbers                              the written value, an integer without ".0" or exponent
//                                        ("370000", never "3.7E5")
//   numbers in a date or time format     "YYYY-MM-DD HH:MM:SS" (1900 or 1904 date system)
//   booleans                             "TRUE" / "FALSE"
// A cell lands in the column its reference ("C12") names; missing cells are empty. Rows whose
// cells are all empty are left out; `line` is the sheet's row number, so messages point at the row
// a spreadsheet program shows. Formulas are not evaluated: the value cached in the file is used.
//
// Hostile input fails with invalid_input (field "file", message in Vietnamese), never a crash: not
// a ZIP or a truncated one, no xl/workbook.xml, an encrypted part, a part larger than the limits
// once uncompressed (checked on the declared size first and again while reading, so a zip bomb is
// stopped early), XML that is malformed or declares a DOCTYPE or entities (refused outright: no
// entity is ever expanded, no external resource ever read), a bad cell reference, a shared-string
// index out of range, rows out of order, too many rows, columns or cells.
//
// Pure function of its input; thread-safe.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/product_csv.h"
#include "core/result.h"

namespace chophien::core {

struct XlsxLimits {
  uint64_t max_part_bytes = 200ull * 1024 * 1024;   // one XML part, uncompressed
  uint64_t max_total_bytes = 200ull * 1024 * 1024;  // all parts read, uncompressed
  size_t max_rows = 100001;                         // non-empty rows, the header included
  size_t max_columns = 16384;                       // Excel's own limit (column XFD)
  size_t max_cells = 8'000'000;                     // cells kept, empty ones between included
};

// Whether `bytes` start like a ZIP file ("PK\3\4"), as every XLSX does. Whether the ZIP is a
// workbook is for read_xlsx to say.
bool looks_like_zip(std::string_view bytes);

// The first worksheet's non-empty rows, in order; trailing empty cells dropped.
Result<std::vector<CsvRecord>> read_xlsx(std::string_view bytes, const XlsxLimits& limits = {});

}  // namespace chophien::core
