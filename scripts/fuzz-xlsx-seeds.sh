#!/bin/sh
# Writes the structured seeds of tests/fuzz/fuzz_xlsx.cc into DIR (default tests/fuzz/corpus/xlsx):
# 'X', then the XML parts separated by NUL bytes (workbook, relationships, shared strings, styles,
# first sheet), which the fuzz target zips itself. The other seeds are the workbooks of
# core/xlsx_reader_test.cc: CHOPHIEN_WRITE_XLSX_CORPUS=DIR build/dev/core/core_xlsx_reader_test.
set -eu
dir=${1:-tests/fuzz/corpus/xlsx}
mkdir -p "$dir"
wb='<workbook xmlns:r="r"><workbookPr date1904="0"/><sheets><sheet name="A" sheetId="1" r:id="rId1"/></sheets></workbook>'
rels='<Relationships><Relationship Id="rId1" Type="t/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="t/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
sst='<sst><si><t>Mã đơn hàng</t></si><si><r><t>Ngày </t></r><r><t>đặt hàng</t></r><rPh><t>x</t></rPh></si><si><t>a_x000D_b</t></si></sst>'
styles='<styleSheet><numFmts><numFmt numFmtId="164" formatCode="[$-42A]dd/mm/yyyy\ h:mm;&quot;d&quot;"/></numFmts><cellXfs><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="14"/></cellXfs></styleSheet>'
sheet='<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="inlineStr"><is><t>Tổng tiền</t></is></c></row><row r="3"><c r="A3" t="str"><v>A1</v></c><c r="B3" s="1"><v>45981.5</v></c><c r="C3"><v>3.7E5</v></c><c r="D3" t="b"><v>1</v></c><c r="E3" s="2"><v>61</v></c></row></sheetData></worksheet>'
printf 'X%s\0%s\0%s\0%s\0%s' "$wb" "$rels" "$sst" "$styles" "$sheet" >"$dir/structured-orders"
printf 'X%s\0%s\0\0\0%s' "$wb" "$rels" '<worksheet><sheetData><row><c t="inlineStr"><is><t>x</t></is></c><c r="XFD1"><v>1</v></c></row></sheetData></worksheet>' >"$dir/structured-wide"
printf 'X%s' "$wb" >"$dir/structured-no-sheet"
