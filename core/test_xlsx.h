#pragma once
// Test support: XLSX files for the tests of core/xlsx_reader.h and of what reads order files.
// Written by libxlsxwriter, a writer independent of the reader, or assembled by hand as a ZIP
// (libzip) when a test needs XML no writer produces. Targets that include this link
// PkgConfig::XLSXWRITER and PkgConfig::LIBZIP. Header-only, for tests only; throws on failure.
#include <unistd.h>
#include <xlsxwriter.h>
#include <zip.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace chophien::core::testing_support {

struct XlsxOptions {
  bool inline_strings = false;  // libxlsxwriter's constant_memory mode writes inlineStr cells
};

// A workbook written by libxlsxwriter; `fill` writes into its one worksheet "Orders".
inline std::string write_xlsx(const std::function<void(lxw_workbook*, lxw_worksheet*)>& fill,
                              XlsxOptions options = {}) {
  std::string dir = (std::filesystem::temp_directory_path() / "chophien-xlsx-XXXXXX").string();
  if (::mkdtemp(dir.data()) == nullptr) throw std::runtime_error("mkdtemp");
  const std::string path = dir + "/book.xlsx";
  lxw_workbook_options lxw_options{};
  lxw_options.constant_memory = options.inline_strings ? LXW_TRUE : LXW_FALSE;
  lxw_options.tmpdir = dir.data();
  lxw_workbook* workbook = workbook_new_opt(path.c_str(), &lxw_options);
  if (workbook == nullptr) throw std::runtime_error("workbook_new_opt");
  lxw_worksheet* sheet = workbook_add_worksheet(workbook, "Orders");
  fill(workbook, sheet);
  if (workbook_close(workbook) != LXW_NO_ERROR) throw std::runtime_error("workbook_close");
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::filesystem::remove_all(dir);
  return bytes;
}

// Rows of texts as string cells, row 1 first; an empty text leaves the cell out.
inline std::string xlsx_of_rows(const std::vector<std::vector<std::string>>& rows,
                                XlsxOptions options = {}) {
  return write_xlsx(
      [&](lxw_workbook*, lxw_worksheet* sheet) {
        for (size_t r = 0; r < rows.size(); ++r)
          for (size_t c = 0; c < rows[r].size(); ++c)
            if (!rows[r][c].empty())
              worksheet_write_string(sheet, static_cast<lxw_row_t>(r), static_cast<lxw_col_t>(c),
                                     rows[r][c].c_str(), nullptr);
      },
      options);
}

// A ZIP of the given parts (name, content), deflated unless `stored`.
inline std::string make_zip(const std::vector<std::pair<std::string, std::string>>& parts,
                            bool stored = false) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* out = zip_source_buffer_create(nullptr, 0, 0, &error);
  if (out == nullptr) throw std::runtime_error("zip_source_buffer_create");
  zip_source_keep(out);
  zip_t* zip = zip_open_from_source(out, ZIP_TRUNCATE, &error);
  if (zip == nullptr) throw std::runtime_error("zip_open_from_source");
  for (const auto& [name, content] : parts) {
    zip_source_t* part = zip_source_buffer(zip, content.data(), content.size(), 0);
    const zip_int64_t index = zip_file_add(zip, name.c_str(), part, ZIP_FL_ENC_UTF_8);
    if (part == nullptr || index < 0) throw std::runtime_error("zip_file_add");
    if (stored) zip_set_file_compression(zip, static_cast<zip_uint64_t>(index), ZIP_CM_STORE, 0);
  }
  if (zip_close(zip) != 0) throw std::runtime_error("zip_close");
  zip_stat_t st;
  zip_stat_init(&st);
  std::string bytes;
  if (zip_source_stat(out, &st) != 0 || zip_source_open(out) != 0)
    throw std::runtime_error("zip_source_open");
  bytes.resize(st.size);
  if (zip_source_read(out, bytes.data(), st.size) != static_cast<zip_int64_t>(st.size))
    throw std::runtime_error("zip_source_read");
  zip_source_close(out);
  zip_source_free(out);
  zip_error_fini(&error);
  return bytes;
}

// The smallest workbook around `sheet_xml` (xl/worksheets/sheet1.xml), plus any `extra` parts
// (xl/sharedStrings.xml, xl/styles.xml...). `workbook_pr` goes into <workbookPr .../>.
inline std::string minimal_xlsx(const std::string& sheet_xml,
                                std::vector<std::pair<std::string, std::string>> extra = {},
                                const std::string& workbook_pr = "") {
  std::vector<std::pair<std::string, std::string>> parts = {
      {"[Content_Types].xml",
       R"(<?xml version="1.0" encoding="UTF-8"?>)"
       R"(<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">)"
       R"(<Default Extension="xml" ContentType="application/xml"/></Types>)"},
      {"xl/workbook.xml",
       R"(<?xml version="1.0" encoding="UTF-8"?>)"
       R"(<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" )"
       R"(xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">)"
       "<workbookPr " +
           workbook_pr +
           R"(/><sheets><sheet name="Orders" sheetId="1" r:id="rId1"/></sheets>)"
           "</workbook>"},
      {"xl/_rels/workbook.xml.rels",
       R"(<?xml version="1.0" encoding="UTF-8"?>)"
       R"(<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)"
       R"(<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/)"
       R"(relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>)"},
      {"xl/worksheets/sheet1.xml",
       R"(<?xml version="1.0" encoding="UTF-8"?>)"
       R"(<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">)" +
           sheet_xml + "</worksheet>"}};
  for (auto& part : extra) parts.push_back(std::move(part));
  return make_zip(parts);
}

// `zip` with the uncompressed size that its central directory and local header declare for part
// `name` changed to `size`: what a zip bomb (or a lying archive) announces.
inline std::string with_declared_size(std::string zip, const std::string& name, uint32_t size) {
  auto put32 = [&](size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) zip[at + static_cast<size_t>(i)] = static_cast<char>(v >> (8 * i));
  };
  auto get16 = [&](size_t at) {
    return static_cast<size_t>(static_cast<unsigned char>(zip[at])) |
           static_cast<size_t>(static_cast<unsigned char>(zip[at + 1])) << 8;
  };
  bool found = false;
  for (size_t at = zip.find("PK\x01\x02"); at != std::string::npos;
       at = zip.find("PK\x01\x02", at + 4)) {
    const size_t name_length = get16(at + 28);
    if (zip.compare(at + 46, name_length, name) != 0) continue;
    put32(at + 24, size);
    size_t local = 0;
    for (int i = 0; i < 4; ++i)
      local |=
          static_cast<size_t>(static_cast<unsigned char>(zip[at + 42 + static_cast<size_t>(i)]))
          << (8 * i);
    put32(local + 22, size);
    found = true;
  }
  if (!found) throw std::runtime_error("no part " + name);
  return zip;
}

}  // namespace chophien::core::testing_support
