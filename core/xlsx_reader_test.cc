// XLSX files into rows of cell texts: files written by libxlsxwriter (an independent writer),
// hand-made workbooks for what writers rarely produce, and hostile files that must fail cleanly.
// CHOPHIEN_WRITE_XLSX_CORPUS=DIR also writes the files of these tests into DIR, the fuzz target's
// seeds (tests/fuzz/corpus/xlsx).
#include "core/xlsx_reader.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/test_xlsx.h"

namespace chophien::core {
namespace {

using testing_support::make_zip;
using testing_support::minimal_xlsx;
using testing_support::with_declared_size;
using testing_support::write_xlsx;
using testing_support::xlsx_of_rows;
using Rows = std::vector<std::vector<std::string>>;

// Keeps `bytes` as a fuzz seed when CHOPHIEN_WRITE_XLSX_CORPUS names a directory.
const std::string& seed(const std::string& name, const std::string& bytes) {
  if (const char* dir = std::getenv("CHOPHIEN_WRITE_XLSX_CORPUS")) {
    std::filesystem::create_directories(dir);
    std::ofstream(std::filesystem::path(dir) / name, std::ios::binary) << bytes;
  }
  return bytes;
}

Rows cells_of(const std::vector<CsvRecord>& records) {
  Rows out;
  for (const auto& r : records) out.push_back(r.cells);
  return out;
}

std::vector<int> lines_of(const std::vector<CsvRecord>& records) {
  std::vector<int> out;
  for (const auto& r : records) out.push_back(r.line);
  return out;
}

// The error of a file that must be refused; fails the test when it was read.
Error refusal(const std::string& bytes, const XlsxLimits& limits = {}) {
  auto read = read_xlsx(bytes, limits);
  EXPECT_FALSE(read.has_value());
  if (read.has_value()) return {};
  EXPECT_EQ(read.error().code, ErrorCode::invalid_input);
  EXPECT_EQ(read.error().field, "file");
  EXPECT_FALSE(read.error().message.empty());
  return read.error();
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(XlsxReader, ShopeeLikeExportWithStringsNumbersDatesAndMissingCells) {
  const std::string file =
      seed("shopee.xlsx", write_xlsx([](lxw_workbook* book, lxw_worksheet* sheet) {
             lxw_format* when = workbook_add_format(book);
             format_set_num_format(when, "dd/mm/yyyy hh:mm:ss");
             lxw_format* day = workbook_add_format(book);
             format_set_num_format_index(day, 14);  // built-in m/d/yyyy
             lxw_format* money = workbook_add_format(book);
             format_set_num_format(money, "#,##0 \"₫\";[Red]-#,##0");
             const char* header[] = {"Mã đơn hàng", "Ngày đặt hàng", "Trạng Thái Đơn Hàng",
                                     "Tên sản phẩm", "Tổng giá trị đơn hàng (VND)"};
             for (int c = 0; c < 5; ++c) worksheet_write_string(sheet, 0, c, header[c], nullptr);
             worksheet_write_string(sheet, 1, 0, "251120ABC001", nullptr);
             lxw_datetime at = {2025, 11, 20, 14, 5, 9.0};
             worksheet_write_datetime(sheet, 1, 1, &at, when);
             worksheet_write_string(sheet, 1, 2, "Hoàn thành", nullptr);
             worksheet_write_string(sheet, 1, 3, "Mật ong, 500 ml", nullptr);
             worksheet_write_number(sheet, 1, 4, 370000, money);
             // Row 3 is empty; row 4 misses its product name.
             worksheet_write_string(sheet, 3, 0, "251122ABC003", nullptr);
             worksheet_write_number(sheet, 3, 1, 45981, day);
             worksheet_write_string(sheet, 3, 2, "Đang giao", nullptr);
             worksheet_write_number(sheet, 3, 4, 1234.5, nullptr);
             worksheet_write_number(sheet, 4, 4, 99000, nullptr);  // only the last column
           }));
  auto rows = read_xlsx(file);
  ASSERT_TRUE(rows.has_value()) << rows.error().message;
  EXPECT_EQ(lines_of(*rows), (std::vector<int>{1, 2, 4, 5}));
  EXPECT_EQ(
      cells_of(*rows),
      (Rows{{"Mã đơn hàng", "Ngày đặt hàng", "Trạng Thái Đơn Hàng", "Tên sản phẩm",
             "Tổng giá trị đơn hàng (VND)"},
            {"251120ABC001", "2025-11-20 14:05:09", "Hoàn thành", "Mật ong, 500 ml", "370000"},
            {"251122ABC003", "2025-11-20 00:00:00", "Đang giao", "", "1234.5"},
            {"", "", "", "", "99000"}}));
}

TEST(XlsxReader, InlineStringsFromLibxlsxwriterConstantMemory) {
  const std::string file =
      seed("inline.xlsx", xlsx_of_rows({{"Order ID", "Order Date", "Order Total"},
                                        {"T1", "2025-11-27 10:00", "45.000"},
                                        {"T2", "", "12"}},
                                       {.inline_strings = true}));
  ASSERT_TRUE(has(file, "PK\x03\x04"));
  auto rows = read_xlsx(file);
  ASSERT_TRUE(rows.has_value()) << rows.error().message;
  EXPECT_EQ(cells_of(*rows), (Rows{{"Order ID", "Order Date", "Order Total"},
                                   {"T1", "2025-11-27 10:00", "45.000"},
                                   {"T2", "", "12"}}));
}

TEST(XlsxReader, HandMadeWorkbookWithInlineRichAndTypedCells) {
  const std::string shared =
      R"(<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="3">)"
      R"(<si><t>Mã đơn</t></si>)"
      R"(<si><r><rPr><b/></rPr><t>Mật </t></r><r><t xml:space="preserve">ong </t></r>)"
      R"(<rPh sb="0" eb="1"><t>PHONETIC</t></rPh><r><t>Bảo Lâm</t></r></si>)"
      R"(<si><t>dòng 1_x000D_dòng 2</t></si></sst>)";
  const std::string styles =
      R"(<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">)"
      R"(<numFmts count="2"><numFmt numFmtId="164" formatCode="[$-42A]dd/mm/yyyy\ h:mm"/>)"
      R"(<numFmt numFmtId="165" formatCode="#,##0&quot; đ&quot;"/></numFmts>)"
      R"(<cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>)"
      R"(<cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="165"/></cellXfs>)"
      R"(</styleSheet>)";
  const std::string sheet =
      R"(<sheetData>)"
      R"(<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>Ngày</t></is></c>)"
      R"(<c r="D1" t="inlineStr"><is><r><t>Tổng </t></r><r><t>tiền</t></r></is></c></row>)"
      R"(<row r="3"><c t="s"><v>1</v></c><c s="1"><v>45981.5</v></c><c t="b"><v>1</v></c>)"
      R"(<c s="2"><v>3.7E5</v></c><c><v>370000.0</v></c><c><v>12345678901234567890</v></c>)"
      R"(<c t="str"><f>A1</f><v>Mã đơn</v></c><c t="s"><v>2</v></c><c><v>1.5E-1</v></c></row>)"
      R"(<row r="4"><c r="B4"><f>1+1</f></c></row>)"  // no cached value: an empty row
      R"(</sheetData>)";
  const std::string file =
      seed("handmade.xlsx",
           minimal_xlsx(sheet, {{"xl/sharedStrings.xml", shared}, {"xl/styles.xml", styles}}));
  auto rows = read_xlsx(file);
  ASSERT_TRUE(rows.has_value()) << rows.error().message;
  EXPECT_EQ(lines_of(*rows), (std::vector<int>{1, 3}));
  EXPECT_EQ(cells_of(*rows),
            (Rows{{"Mã đơn", "Ngày", "", "Tổng tiền"},
                  {"Mật ong Bảo Lâm", "2025-11-20 12:00:00", "TRUE", "370000", "370000",
                   "12345678901234567890", "Mã đơn", "dòng 1\rdòng 2", "0.15"}}));
}

TEST(XlsxReader, PrefixedNamesAndASheetFoundThroughItsRelationship) {
  const std::string workbook =
      R"(<x:workbook xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" )"
      R"(xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">)"
      R"(<x:workbookPr date1904="1"/><x:sheets><x:sheet name="Đơn" sheetId="4" r:id="rId7"/>)"
      R"(<x:sheet name="Khác" sheetId="5" r:id="rId8"/></x:sheets></x:workbook>)";
  const std::string rels =
      R"(<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)"
      R"(<Relationship Id="rId8" Type="t/worksheet" Target="worksheets/other.xml"/>)"
      R"(<Relationship Id="rId7" Type="t/worksheet" Target="/xl/worksheets/../data/orders.xml"/>)"
      R"(<Relationship Id="rId9" Type="t/styles" Target="theme/s.xml"/></Relationships>)";
  const std::string styles =
      R"(<x:styleSheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">)"
      R"(<x:cellXfs><x:xf numFmtId="0"/><x:xf numFmtId="22"/></x:cellXfs></x:styleSheet>)";
  const std::string orders =
      R"(<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">)"
      R"(<x:sheetData><x:row><x:c t="inlineStr"><x:is><x:t>Ngày</x:t></x:is></x:c></x:row>)"
      R"(<x:row><x:c s="1"><x:v>44519.25</x:v></x:c></x:row></x:sheetData></x:worksheet>)";
  const std::string file =
      seed("date1904.xlsx", make_zip({{"xl/workbook.xml", workbook},
                                      {"xl/_rels/workbook.xml.rels", rels},
                                      {"xl/theme/s.xml", styles},
                                      {"xl/worksheets/other.xml", "<worksheet/>"},
                                      {"xl/data/orders.xml", orders}}));
  auto rows = read_xlsx(file);
  ASSERT_TRUE(rows.has_value()) << rows.error().message;
  EXPECT_EQ(cells_of(*rows), (Rows{{"Ngày"}, {"2025-11-20 06:00:00"}}));
  EXPECT_EQ(lines_of(*rows), (std::vector<int>{1, 2}));
}

TEST(XlsxReader, TheNineteenHundredLeapYearBugIsAccountedFor) {
  auto date_of = [](const std::string& serial) {
    const std::string styles =
        R"(<styleSheet><cellXfs><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs></styleSheet>)";
    auto rows = read_xlsx(
        minimal_xlsx(R"(<sheetData><row><c s="1"><v>)" + serial + "</v></c></row></sheetData>",
                     {{"xl/styles.xml", styles}}));
    return rows.has_value() && !rows->empty() ? rows->front().cells.front() : std::string("?");
  };
  EXPECT_EQ(date_of("1"), "1900-01-01 00:00:00");
  EXPECT_EQ(date_of("59"), "1900-02-28 00:00:00");
  EXPECT_EQ(date_of("61"), "1900-03-01 00:00:00");
  EXPECT_EQ(date_of("45000"), "2023-03-15 00:00:00");
  EXPECT_EQ(date_of("45981.99998"), "2025-11-20 23:59:58");
  EXPECT_EQ(date_of("45981.999995"), "2025-11-21 00:00:00");  // rounds to the second
  EXPECT_EQ(date_of("-1"), "-1");                             // not a date: the number
}

TEST(XlsxReader, GarbageAndTruncatedFilesAreRefused) {
  EXPECT_TRUE(has(refusal("Order ID,Order Date\n").message, "không phải bảng tính XLSX"));
  EXPECT_TRUE(has(refusal(std::string("PK\x03\x04") + std::string(300, '\x7f')).message, "hỏng"));
  const std::string good = xlsx_of_rows({{"Order ID"}, {"A1"}});
  for (size_t cut : {good.size() / 2, good.size() - 10, size_t{30}})
    EXPECT_TRUE(has(refusal(good.substr(0, cut)).message, "hỏng")) << cut;
  std::string flipped = good;  // a byte of the compressed sheet changed: CRC or inflate fails
  const size_t name_at = flipped.find("xl/worksheets/sheet1.xml");  // in its local header
  ASSERT_NE(name_at, std::string::npos);
  const size_t extra = static_cast<unsigned char>(flipped[name_at - 2]) |
                       static_cast<size_t>(static_cast<unsigned char>(flipped[name_at - 1])) << 8;
  const size_t data_at = name_at + 24 + extra + 5;
  flipped[data_at] = static_cast<char>(flipped[data_at] ^ 0x55);
  refusal(flipped);
  EXPECT_TRUE(
      has(refusal(make_zip({{"word/document.xml", "<w/>"}})).message, "không có xl/workbook.xml"));
  EXPECT_TRUE(
      has(refusal(make_zip({{"xl/workbook.xml", "<workbook><sheets/></workbook>"}})).message,
          "không có trang tính"));
}

TEST(XlsxReader, ZipBombsAreStoppedBeforeOrWhileInflating) {
  // A part that declares 3 GB: refused on the declared size, nothing inflated.
  const std::string declared =
      with_declared_size(minimal_xlsx("<sheetData/>"), "xl/worksheets/sheet1.xml", 3'000'000'000u);
  EXPECT_TRUE(has(refusal(declared).message, "quá lớn khi giải nén")) << refusal(declared).message;
  // 8 MB of spaces that deflate to a few kB, against a 1 MB limit: refused on the declared
  // size, and, when the header lies, while inflating.
  XlsxLimits small;
  small.max_part_bytes = 1024 * 1024;
  small.max_total_bytes = 2 * 1024 * 1024;
  const std::string bomb = minimal_xlsx("<sheetData/>" + std::string(8 * 1024 * 1024, ' '));
  ASSERT_LT(bomb.size(), 100u * 1024);
  EXPECT_TRUE(has(refusal(bomb, small).message, "quá lớn khi giải nén"));
  const std::string lying = with_declared_size(bomb, "xl/worksheets/sheet1.xml", 100);
  EXPECT_TRUE(has(refusal(lying, small).message, "quá lớn khi giải nén"))
      << refusal(lying, small).message;
  // Every part counts towards the total.
  small.max_part_bytes = 700 * 1024;
  small.max_total_bytes = 1000 * 1024;
  const std::string padded = std::string(600 * 1024, ' ');
  const std::string two = minimal_xlsx(padded + "<sheetData/>",
                                       {{"xl/sharedStrings.xml", "<sst>" + padded + "</sst>"}});
  EXPECT_TRUE(has(refusal(two, small).message, "tệp XLSX quá lớn khi giải nén"));
}

TEST(XlsxReader, DoctypeAndEntitiesAreRefusedNeverExpanded) {
  const std::string laughs =
      R"(<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">)"
      R"(<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">)"
      R"(<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">)"
      R"(]><sst><si><t>&lol3;</t></si></sst>)";
  const std::string sheet = R"(<sheetData><row><c t="s"><v>0</v></c></row></sheetData>)";
  auto error =
      refusal(seed("laughs.xlsx", minimal_xlsx(sheet, {{"xl/sharedStrings.xml", laughs}})));
  EXPECT_TRUE(has(error.message, "DOCTYPE")) << error.message;
  EXPECT_TRUE(has(error.message, "xl/sharedStrings.xml")) << error.message;
  const std::string external =
      R"(<?xml version="1.0"?><!DOCTYPE w SYSTEM "file:///etc/passwd"><worksheet>&x;</worksheet>)";
  EXPECT_TRUE(has(refusal(make_zip({{"xl/workbook.xml", external}})).message, "DOCTYPE"));
  // An undeclared entity is an XML error, not an empty text.
  EXPECT_TRUE(has(refusal(minimal_xlsx(R"(<sheetData><row><c t="inlineStr"><is><t>&x;</t></is>)"
                                       "</c></row></sheetData>"))
                      .message,
                  "XML hỏng"));
}

TEST(XlsxReader, MalformedXmlAndBadReferencesAreRefused) {
  auto message = [](const std::string& sheet,
                    std::vector<std::pair<std::string, std::string>> extra = {}) {
    return refusal(minimal_xlsx(sheet, std::move(extra))).message;
  };
  EXPECT_TRUE(has(message("<sheetData><row><c><v>1</v></row></sheetData>"),
                  "XML hỏng trong phần "
                  "xl/worksheets/"
                  "sheet1.xml (dòng 1"));
  EXPECT_TRUE(has(message(R"(<sheetData><row><c r="ZZZZ1"><v>1</v></c></row></sheetData>)"),
                  "địa chỉ không hợp lệ \"ZZZZ1\""));
  EXPECT_TRUE(has(message(R"(<sheetData><row r="1"><c r="A0"><v>1</v></c></row></sheetData>)"),
                  "địa chỉ không hợp lệ"));
  EXPECT_TRUE(has(message(R"(<sheetData><row r="1"><c r="XFE1"><v>1</v></c></row></sheetData>)"),
                  "quá nhiều cột (tối đa 16.384)"));
  EXPECT_TRUE(has(message(R"(<sheetData><row r="2"><c r="A3"><v>1</v></c></row></sheetData>)"),
                  "nằm trong dòng 2"));
  EXPECT_TRUE(has(message(R"(<sheetData><row r="5"/><row r="3"/></sheetData>)"),
                  "dòng 3 không theo thứ tự"));
  EXPECT_TRUE(has(message(R"(<sheetData><row r="1"><c r="B1"><v>1</v></c><c r="A1"><v>2</v></c>)"
                          "</row></sheetData>"),
                  "không theo thứ tự"));
  EXPECT_TRUE(has(message(R"(<sheetData><row r="1048577"/></sheetData>)"), "số dòng không hợp lệ"));
  const std::string one = R"(<sst><si><t>a</t></si></sst>)";
  EXPECT_TRUE(has(message(R"(<sheetData><row r="7"><c r="C7" t="s"><v>1</v></c></row></sheetData>)",
                          {{"xl/sharedStrings.xml", one}}),
                  "ô C7 trỏ tới chuỗi dùng chung không có"));
  EXPECT_TRUE(has(message(R"(<sheetData><row><c t="s"><v>-1</v></c></row></sheetData>)",
                          {{"xl/sharedStrings.xml", one}}),
                  "chuỗi dùng chung"));
  EXPECT_TRUE(has(message(R"(<sheetData><row><c t="s"><v>0</v></c></row></sheetData>)"),
                  "chuỗi dùng chung"));  // no shared strings at all
}

TEST(XlsxReader, RowAndCellLimits) {
  std::string sheet = "<sheetData>";
  for (int r = 1; r <= 12; ++r)
    sheet += "<row><c t=\"inlineStr\"><is><t>r" + std::to_string(r) + "</t></is></c></row>";
  sheet += "</sheetData>";
  XlsxLimits limits;
  limits.max_rows = 11;
  EXPECT_TRUE(has(refusal(minimal_xlsx(sheet), limits).message, "quá nhiều dòng (tối đa 10)"));
  limits.max_rows = 12;
  EXPECT_EQ(read_xlsx(minimal_xlsx(sheet), limits).value().size(), 12u);
  // One cell far to the right makes every cell before it count.
  limits.max_cells = 1000;
  EXPECT_TRUE(has(refusal(minimal_xlsx(R"(<sheetData><row><c r="XFD1"><v>1</v></c></row>)"
                                       "</sheetData>"),
                          limits)
                      .message,
                  "quá nhiều ô"));
}

}  // namespace
}  // namespace chophien::core
