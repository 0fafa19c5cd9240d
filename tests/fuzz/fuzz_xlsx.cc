// libFuzzer target for core::read_xlsx: any bytes in, never a crash, and every answer keeps the
// reader's promises (an error is invalid_input on "file" with a message; rows are non-empty, in
// strictly increasing sheet order, without trailing empty cells, within the limits).
//
// Two kinds of input. Bytes starting with 'X' are XML parts separated by NUL bytes (workbook,
// workbook relationships, shared strings, styles, first sheet) that the target zips itself
// (stored, so mutations reach the XML handlers instead of breaking the deflate stream or CRC);
// anything else is read as the file itself.
// Seeds (tests/fuzz/corpus/xlsx): the workbooks of core/xlsx_reader_test.cc
// (CHOPHIEN_WRITE_XLSX_CORPUS=DIR core_xlsx_reader_test) and scripts/fuzz-xlsx-seeds.sh.

#include <zip.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/xlsx_reader.h"

namespace {

using namespace chophien;

void check(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "invariant broken: %s\n", what);
    std::abort();
  }
}

// The parts zipped, stored; empty when libzip refuses (never for these inputs).
std::string zip_parts(std::string_view input) {
  static const char* const kNames[] = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                                       "xl/sharedStrings.xml", "xl/styles.xml",
                                       "xl/worksheets/sheet1.xml"};
  std::vector<std::string> parts(1);
  for (char c : input) {
    if (c == '\0' && parts.size() < std::size(kNames)) {
      parts.emplace_back();
    } else {
      parts.back() += c;
    }
  }
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* out = zip_source_buffer_create(nullptr, 0, 0, &error);
  zip_error_fini(&error);
  if (out == nullptr) return {};
  zip_source_keep(out);
  zip_t* zip = zip_open_from_source(out, ZIP_TRUNCATE, nullptr);
  std::string bytes;
  if (zip != nullptr) {
    for (size_t i = 0; i < parts.size(); ++i) {
      zip_source_t* part = zip_source_buffer(zip, parts[i].data(), parts[i].size(), 0);
      const zip_int64_t index = zip_file_add(zip, kNames[i], part, 0);
      if (index >= 0)
        zip_set_file_compression(zip, static_cast<zip_uint64_t>(index), ZIP_CM_STORE, 0);
    }
    const bool closed = zip_close(zip) == 0;
    if (!closed) zip_discard(zip);
    zip_stat_t st;
    zip_stat_init(&st);
    if (closed && zip_source_stat(out, &st) == 0 && zip_source_open(out) == 0) {
      bytes.resize(st.size);
      if (zip_source_read(out, bytes.data(), st.size) != static_cast<zip_int64_t>(st.size))
        bytes.clear();
      zip_source_close(out);
    }
  }
  zip_source_free(out);
  return bytes;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string zipped;
  if (!input.empty() && input.front() == 'X') {
    zipped = zip_parts(input.substr(1));
    input = zipped;
  }
  core::XlsxLimits limits;  // small, so that each run stays fast
  limits.max_part_bytes = 4 * 1024 * 1024;
  limits.max_total_bytes = 8 * 1024 * 1024;
  limits.max_rows = 2000;
  limits.max_columns = 200;
  limits.max_cells = 20000;
  auto rows = core::read_xlsx(input, limits);
  if (!rows) {
    check(rows.error().code == ErrorCode::invalid_input, "error code");
    check(rows.error().field == "file", "error field");
    check(!rows.error().message.empty(), "empty message");
    return 0;
  }
  check(core::looks_like_zip(input), "a file that is not a ZIP was read");
  check(rows->size() <= limits.max_rows, "row limit");
  size_t cells = 0;
  int line = 0;
  for (const auto& row : *rows) {
    check(row.line > line && row.line <= 1048576, "rows in sheet order");
    line = row.line;
    check(!row.cells.empty() && !row.cells.back().empty(), "an empty row or trailing empty cell");
    check(row.cells.size() <= limits.max_columns, "column limit");
    cells += row.cells.size();
  }
  check(cells <= limits.max_cells, "cell limit");
  return 0;
}
