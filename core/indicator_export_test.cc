#include "core/indicator_export.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/ledger.h"

namespace chophien::core {
namespace {

namespace fs = std::filesystem;

int64_t at(Date d, int hour) { return vietnam_midnight(d) + hour * 3600; }

// An RFC 4180 reader written for this test: fields, quotes doubled inside quoted fields, CRLF.
std::vector<std::vector<std::string>> parse_csv(std::string_view text) {
  std::vector<std::vector<std::string>> rows(1);
  std::string field;
  bool quoted = false, was_quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      if (!field.empty()) throw std::logic_error("quote inside an unquoted field");
      quoted = was_quoted = true;
    } else if (c == ',') {
      rows.back().push_back(std::move(field));
      field.clear();
      was_quoted = false;
    } else if (c == '\r') {
      if (i + 1 >= text.size() || text[i + 1] != '\n') throw std::logic_error("bare CR");
    } else if (c == '\n') {
      if (text[i - 1] != '\r') throw std::logic_error("LF without CR");
      rows.back().push_back(std::move(field));
      field.clear();
      was_quoted = false;
      rows.emplace_back();
    } else {
      field += c;
    }
  }
  (void)was_quoted;
  if (quoted) throw std::logic_error("unterminated quote");
  if (!rows.back().empty() || !field.empty()) throw std::logic_error("no CRLF at the end");
  rows.pop_back();
  return rows;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct ExportTest : ::testing::Test {
  ManualClock clock{vietnam_midnight(Date{2026, 11, 28}) + 9 * 3600};
  Database db = Database::open_in_memory().value();
  Ledger ledger{db, clock};
  Report report;
  fs::path dir;

  ExportTest() {
    AreaStore(db).load_default().value();
    // A user-defined group whose name needs quoting in CSV.
    db.exec(
          "INSERT INTO areas (code, valid_from, level, name_vi, full_name_vi, parent_code, "
          "parent_valid_from) VALUES ('G01', '2025-07-01', 'group', 'Cụm \"Lý Bôn, Bảo Lâm\"', "
          "'Cụm \"Lý Bôn, Bảo Lâm\"', '04', '1900-01-01');"
          "UPDATE areas SET parent_code = 'G01', parent_valid_from = '2025-07-01' "
          "WHERE code IN ('01294', '01290') AND valid_from = '2025-07-01';"
          "INSERT INTO producers (name, area_code, area_valid_from, bank_bin, bank_account, "
          "bank_holder, registered_at) VALUES ('A', '01294', '2025-07-01', '970436', '123', "
          "'NONG VAN A', 0), ('B', '01290', '2025-07-01', '', '', '', 0), "
          "('C', '01297', '2025-07-01', '', '', '', 0)")
        .value();
    SaleEntry e;
    e.producer_id = 1;
    e.channel = "storefront";
    e.settlement = "bank_transfer";
    e.amount_vnd = 1234567;
    e.occurred_at = at(Date{2026, 2, 1}, 10);
    e.source_kind = "order";
    e.source_ref = "O1";
    ledger.append(e).value();
    ManualSale m;
    m.producer_id = 2;
    m.amount_vnd = 300000;
    m.occurred_at = at(Date{2026, 3, 1}, 10);
    ledger.record_manual_sale(m, 1).value();
    IndicatorEngine engine(db, clock);
    IndicatorQuery q;
    q.from = Date{2026, 1, 1};
    q.to = Date{2026, 6, 30};
    q.area_code = "04";
    q.by_level = "group";
    q.basis = Basis::rebased;
    report = engine.compute(q).value();
    dir = fs::temp_directory_path() / ("chophien-export-test-" + std::to_string(getpid()));
    fs::create_directories(dir);
  }
  ~ExportTest() override {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  }
};

TEST_F(ExportTest, CsvHasABomTheColumnsInOrderAndOneQuotedRowPerAreaAndIndicator) {
  const std::string csv = report_csv(report);
  ASSERT_EQ(csv.substr(0, 3), "\xEF\xBB\xBF");
  const auto rows = parse_csv(std::string_view(csv).substr(3));
  ASSERT_EQ(rows.size(), 1 + report.rows.size() * indicator_definitions().size());
  EXPECT_EQ(rows[0], std::vector<std::string>(kCsvColumns.begin(), kCsvColumns.end()));
  ASSERT_EQ(report.rows.size(), 2u);
  // The group's name went through quoting and came back whole.
  EXPECT_NE(csv.find("\"Cụm \"\"Lý Bôn, Bảo Lâm\"\"\""), std::string::npos);
  size_t line = 1;
  for (const auto& area : report.rows) {
    for (const auto& f : area.figures) {
      const auto& r = rows[line++];
      ASSERT_EQ(r.size(), kCsvColumns.size());
      EXPECT_EQ(r[0], area.area.key.code);
      EXPECT_EQ(r[1], area.area.key.valid_from);
      EXPECT_EQ(r[2], area.area.full_name_vi);
      EXPECT_EQ(r[4], f.code);
      EXPECT_EQ(r[6], f.numerator ? std::to_string(*f.numerator) : "");
      EXPECT_EQ(r[7], f.denominator ? std::to_string(*f.denominator) : "");
      if (f.value) {
        EXPECT_NEAR(std::stod(r[8]), *f.value, 1e-6) << f.code;
      } else {
        EXPECT_EQ(r[8], "") << f.code;
      }
      EXPECT_EQ(r[10], "2026-01-01");
      EXPECT_EQ(r[11], "2026-06-30");
      EXPECT_EQ(r[12], "rebased");
      EXPECT_EQ(r[13], figure_source_name(f.source));
      EXPECT_EQ(r[14], "2026-11-28T09:00:00+07:00");
    }
  }
  // Spot checks against the ledger above.
  const auto* group = report.find("G01");
  ASSERT_NE(group, nullptr);
  EXPECT_EQ(group->find("revenue_vnd")->numerator, 1534567);
  EXPECT_EQ(group->find("revenue_vnd")->source, FigureSource::self_declared);
  EXPECT_EQ(group->find("qr_acceptance_rate")->value, 0.5);
}

// The CSV is opened in a spreadsheet: an area or group name (officers type group names) that
// starts like a formula reaches it as text.
TEST_F(ExportTest, CsvCellsThatStartLikeFormulasAreWrittenAsText) {
  ASSERT_FALSE(report.rows.empty());
  report.rows[0].area.full_name_vi = "=HYPERLINK(\"http://x.example\",\"Cụm\")";
  report.rows[1].area.full_name_vi = "@SUM(1+1)";
  const std::string csv = report_csv(report);
  const auto rows = parse_csv(std::string_view(csv).substr(3));
  ASSERT_GT(rows.size(), 2u);
  for (size_t r = 1; r < rows.size(); ++r) {
    for (const auto& cell : rows[r]) {
      ASSERT_FALSE(!cell.empty() &&
                   std::string_view("=+-@\t\r").find(cell.front()) != std::string_view::npos)
          << cell;
    }
  }
  EXPECT_EQ(rows[1][2], "'=HYPERLINK(\"http://x.example\",\"Cụm\")");
  EXPECT_EQ(rows.back()[2], "'@SUM(1+1)");
}

TEST_F(ExportTest, JsonCarriesTheSameFiguresAndNullForEmptyRates) {
  const auto doc = nlohmann::json::parse(report_json(report), nullptr, false);
  ASSERT_FALSE(doc.is_discarded());
  EXPECT_EQ(doc["basis"], "rebased");
  EXPECT_EQ(doc["period"]["from"], "2026-01-01");
  EXPECT_EQ(doc["generated_at"], "2026-11-28T09:00:00+07:00");
  EXPECT_EQ(doc["definitions"].size(), indicator_definitions().size());
  ASSERT_EQ(doc["rows"].size(), report.rows.size());
  for (size_t i = 0; i < report.rows.size(); ++i) {
    const auto& row = doc["rows"][i];
    EXPECT_EQ(row["area"]["code"], report.rows[i].area.key.code);
    EXPECT_EQ(row["area"]["valid_from"], report.rows[i].area.key.valid_from);
    ASSERT_EQ(row["figures"].size(), report.rows[i].figures.size());
    for (size_t j = 0; j < report.rows[i].figures.size(); ++j) {
      const auto& f = report.rows[i].figures[j];
      const auto& jf = row["figures"][j];
      EXPECT_EQ(jf["code"], f.code);
      if (f.value) {
        EXPECT_DOUBLE_EQ(jf["value"].get<double>(), *f.value);
      } else {
        EXPECT_TRUE(jf["value"].is_null()) << f.code;
      }
      EXPECT_EQ(jf["source"], figure_source_name(f.source));
    }
  }
  // A rate's numerator and denominator are exported with it.
  for (const auto& jf : doc["rows"][0]["figures"]) {
    if (jf["code"] != "ocop_ecom_product_rate") continue;
    EXPECT_EQ(jf["numerator"], 0);
    EXPECT_EQ(jf["denominator"], 0);
  }
}

TEST_F(ExportTest, XlsxReadBackByLibreOfficeHasEveryValue) {
  const fs::path xlsx = dir / "figures.xlsx";
  ASSERT_TRUE(write_report(report, ExportFormat::xlsx, xlsx.string()));
  // LibreOffice, headless, with its own profile so parallel runs do not clash; every sheet to
  // CSV (UTF-8, raw values rather than as shown).
  const std::string command =
      "soffice --headless --norestore -env:UserInstallation=file://" + (dir / "profile").string() +
      " --convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,"
      "-1' --outdir '" +
      dir.string() + "' '" + xlsx.string() + "' > '" + (dir / "lo.log").string() + "' 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << read_file(dir / "lo.log");
  std::map<std::string, std::vector<std::vector<std::string>>> sheets;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".csv") continue;
    std::string text = read_file(entry.path());
    if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.erase(0, 3);
    // LibreOffice ends lines with LF: make them CRLF for the reader above.
    std::string crlf;
    for (char c : text) {
      if (c == '\n') crlf += '\r';
      crlf += c;
    }
    sheets[name] = parse_csv(crlf);
  }
  ASSERT_TRUE(sheets.count("figures-Tỉnh.csv")) << read_file(dir / "lo.log");
  ASSERT_TRUE(sheets.count("figures-group.csv"));
  ASSERT_TRUE(sheets.count("figures-Số liệu.csv"));
  ASSERT_TRUE(sheets.count("figures-Định nghĩa.csv"));
  const auto& defs = indicator_definitions();
  auto check = [&](const std::vector<std::vector<std::string>>& rows, const AreaFigures& area,
                   size_t line) {
    ASSERT_GT(rows.size(), line);
    const auto& r = rows[line];
    EXPECT_EQ(r[0], area.area.key.code);
    EXPECT_EQ(r[1], area.area.key.valid_from);
    EXPECT_EQ(r[2], area.area.full_name_vi);
    for (size_t i = 0; i < defs.size(); ++i) {
      const Figure* f = area.find(defs[i].code);
      ASSERT_NE(f, nullptr);
      ASSERT_GT(r.size(), 4 + i);
      if (f->value) {
        // Percent cells come back as "80.45%".
        const bool percent = !r[4 + i].empty() && r[4 + i].back() == '%';
        EXPECT_EQ(percent, f->unit == FigureUnit::ratio) << f->code;
        EXPECT_NEAR(std::stod(r[4 + i]) / (percent ? 100 : 1), *f->value, 1e-9) << f->code;
      } else {
        EXPECT_EQ(r[4 + i], "") << f->code;
      }
    }
  };
  const auto& top = sheets["figures-Tỉnh.csv"];
  ASSERT_GE(top.size(), 3u);
  EXPECT_EQ(top[0][0], "Mã địa bàn");
  EXPECT_EQ(top[1][4], "producers");
  check(top, report.rows[0], 2);
  check(sheets["figures-group.csv"], report.rows[1], 2);
  EXPECT_EQ(sheets["figures-group.csv"][2].back(),
            "cashless_order_rate cashless_value_rate revenue_vnd revenue_vnd.cash");
  EXPECT_EQ(sheets["figures-Số liệu.csv"].size(), 2 + report.rows.size() * defs.size());
  EXPECT_EQ(sheets["figures-Định nghĩa.csv"][2][0], "producers");
}

TEST(ExportFormats, ParseAndName) {
  EXPECT_EQ(parse_export_format("xlsx"), ExportFormat::xlsx);
  EXPECT_FALSE(parse_export_format("pdf").has_value());
  Figure f;
  f.unit = FigureUnit::ratio;
  f.numerator = 2;
  f.denominator = 3;
  f.value = 2.0 / 3.0;
  EXPECT_EQ(figure_value_text(f), "0.666667");
  f.value = 0.75;
  EXPECT_EQ(figure_value_text(f), "0.75");
  f.value = 1.0;
  EXPECT_EQ(figure_value_text(f), "1");
  f.value.reset();
  EXPECT_EQ(figure_value_text(f), "");
}

}  // namespace
}  // namespace chophien::core
