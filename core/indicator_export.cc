#include "core/indicator_export.h"

#include <xlsxwriter.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "core/product_csv.h"

namespace chophien::core {
namespace {

std::string optional_int(const std::optional<int64_t>& v) {
  return v ? std::to_string(*v) : std::string();
}

std::string level_name_vi(std::string_view level) {
  if (level == "province") return "Tỉnh";
  if (level == "district") return "Huyện";
  if (level == "commune") return "Xã";
  if (level == "township") return "Thị trấn";
  if (level == "ward") return "Phường";
  if (level == "special_zone") return "Đặc khu";
  return std::string(level);
}

std::string unit_name_vi(FigureUnit unit) {
  switch (unit) {
    case FigureUnit::count:
      return "số lượng";
    case FigureUnit::vnd:
      return "đồng";
    case FigureUnit::ratio:
      return "tỷ lệ";
  }
  return "";
}

// Sheet names: at most 31 characters (UTF-8 counted loosely), none of []:*?/\, unique.
std::string sheet_name(std::string name, std::map<std::string, int>& used) {
  for (char& c : name)
    if (std::string_view("[]:*?/\\").find(c) != std::string_view::npos) c = '-';
  if (name.size() > 28) name.resize(28);
  if (int n = ++used[name]; n > 1) name += " " + std::to_string(n);
  return name;
}

}  // namespace

std::optional<ExportFormat> parse_export_format(std::string_view name) {
  if (name == "csv") return ExportFormat::csv;
  if (name == "xlsx") return ExportFormat::xlsx;
  if (name == "json") return ExportFormat::json;
  return std::nullopt;
}

std::string_view export_content_type(ExportFormat format) {
  switch (format) {
    case ExportFormat::csv:
      return "text/csv; charset=utf-8";
    case ExportFormat::xlsx:
      return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    case ExportFormat::json:
      return "application/json";
  }
  return "application/octet-stream";
}

std::string_view export_extension(ExportFormat format) {
  switch (format) {
    case ExportFormat::csv:
      return "csv";
    case ExportFormat::xlsx:
      return "xlsx";
    case ExportFormat::json:
      return "json";
  }
  return "bin";
}

std::string figure_value_text(const Figure& f) {
  if (!f.value) return "";
  if (f.unit != FigureUnit::ratio) return std::to_string(f.numerator.value_or(0));
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.6f", *f.value);
  std::string text = buffer;
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text;
}

std::string report_file_name(const Report& r, ExportFormat format) {
  return "chi-tieu_" + r.query.area_code + "_" + format_iso_date(r.query.from) + "_" +
         format_iso_date(r.query.to) + "_" + std::string(basis_name(r.query.basis)) + "." +
         std::string(export_extension(format));
}

std::string report_csv(const Report& r) {
  std::string out = "\xEF\xBB\xBF";
  for (size_t i = 0; i < kCsvColumns.size(); ++i) {
    if (i) out += ',';
    out += kCsvColumns[i];
  }
  out += "\r\n";
  const std::string from = format_iso_date(r.query.from), to = format_iso_date(r.query.to);
  const std::string generated = format_rfc3339_vietnam(r.generated_at);
  for (const auto& row : r.rows) {
    for (const auto& f : row.figures) {
      const IndicatorDefinition* d = find_indicator(f.code);
      const std::string fields[] = {row.area.key.code,
                                    row.area.key.valid_from,
                                    row.area.full_name_vi,
                                    row.area.level,
                                    f.code,
                                    d ? d->name_vi : f.code,
                                    optional_int(f.numerator),
                                    optional_int(f.denominator),
                                    figure_value_text(f),
                                    std::string(figure_unit_name(f.unit)),
                                    from,
                                    to,
                                    std::string(basis_name(r.query.basis)),
                                    std::string(figure_source_name(f.source)),
                                    generated};
      for (size_t i = 0; i < std::size(fields); ++i) {
        if (i) out += ',';
        out += csv_field(fields[i]);
      }
      out += "\r\n";
    }
  }
  return out;
}

std::string report_json(const Report& r) {
  using nlohmann::json;
  json definitions = json::array();
  for (const auto& d : indicator_definitions())
    definitions.push_back({{"code", d.code},
                           {"name_vi", d.name_vi},
                           {"name_en", d.name_en},
                           {"unit", figure_unit_name(d.unit)},
                           {"definition_vi", d.definition_vi}});
  auto area_json = [](const Area& a) {
    return json{{"code", a.key.code},
                {"valid_from", a.key.valid_from},
                {"valid_to", a.valid_to ? json(*a.valid_to) : json(nullptr)},
                {"level", a.level},
                {"name_vi", a.name_vi},
                {"full_name_vi", a.full_name_vi},
                {"name_en", a.name_en}};
  };
  json rows = json::array();
  for (const auto& row : r.rows) {
    json figures = json::array();
    for (const auto& f : row.figures) {
      figures.push_back({{"code", f.code},
                         {"numerator", f.numerator ? json(*f.numerator) : json(nullptr)},
                         {"denominator", f.denominator ? json(*f.denominator) : json(nullptr)},
                         {"value", f.value ? json(*f.value) : json(nullptr)},
                         {"unit", figure_unit_name(f.unit)},
                         {"source", figure_source_name(f.source)}});
    }
    rows.push_back({{"area", area_json(row.area)}, {"total", row.total}, {"figures", figures}});
  }
  json doc = {
      {"period", {{"from", format_iso_date(r.query.from)}, {"to", format_iso_date(r.query.to)}}},
      {"area_code", r.query.area_code},
      {"by_level", r.query.by_level},
      {"basis", basis_name(r.query.basis)},
      {"rebase_on", format_iso_date(r.rebase_on)},
      {"generated_at", format_rfc3339_vietnam(r.generated_at)},
      {"definitions", definitions},
      {"rows", rows}};
  return doc.dump(2) + "\n";
}

Result<void> write_report_xlsx(const Report& r, const std::string& path) {
  lxw_workbook* wb = workbook_new(path.c_str());
  if (!wb) return Error{ErrorCode::unavailable, "không tạo được tệp " + path, "out"};
  lxw_format* bold = workbook_add_format(wb);
  format_set_bold(bold);
  format_set_text_wrap(bold);
  lxw_format* key = workbook_add_format(wb);
  format_set_italic(key);
  format_set_font_color(key, 0x666666);
  lxw_format* percent = workbook_add_format(wb);
  format_set_num_format(percent, "0.0%");
  lxw_format* vnd = workbook_add_format(wb);
  format_set_num_format(vnd, "#,##0 \xE2\x82\xAB");
  lxw_format* count = workbook_add_format(wb);
  format_set_num_format(count, "#,##0");
  std::map<std::string, int> used;

  // Rows grouped per sheet: the reported area, then the children (one sheet per level).
  std::vector<std::pair<std::string, std::vector<const AreaFigures*>>> sheets;
  for (const auto& row : r.rows) {
    std::string level = row.total || r.query.by_level.empty() ? row.area.level : r.query.by_level;
    if (sheets.empty() || (sheets.back().first != level)) sheets.push_back({level, {}});
    sheets.back().second.push_back(&row);
  }
  const auto& defs = indicator_definitions();
  for (const auto& [level, rows] : sheets) {
    lxw_worksheet* ws = workbook_add_worksheet(wb, sheet_name(level_name_vi(level), used).c_str());
    const char* head_vi[] = {"Mã địa bàn", "Hiệu lực từ", "Tên địa bàn", "Cấp"};
    const char* head_en[] = {"area_code", "area_valid_from", "area_name", "level"};
    for (lxw_col_t c = 0; c < 4; ++c) {
      worksheet_write_string(ws, 0, c, head_vi[c], bold);
      worksheet_write_string(ws, 1, c, head_en[c], key);
    }
    lxw_col_t col = 4;
    for (const auto& d : defs) {
      worksheet_write_string(ws, 0, col, d.name_vi.c_str(), bold);
      worksheet_write_string(ws, 1, col, d.code.c_str(), key);
      ++col;
    }
    worksheet_write_string(ws, 0, col, "Chỉ tiêu có số liệu tự khai", bold);
    worksheet_write_string(ws, 1, col, "self_declared", key);
    worksheet_set_column(ws, 0, 1, 12, nullptr);
    worksheet_set_column(ws, 2, 2, 24, nullptr);
    worksheet_set_column(ws, 4, col, 16, nullptr);
    worksheet_set_row(ws, 0, 60, nullptr);
    worksheet_freeze_panes(ws, 2, 3);
    lxw_row_t line = 2;
    for (const AreaFigures* row : rows) {
      worksheet_write_string(ws, line, 0, row->area.key.code.c_str(), nullptr);
      worksheet_write_string(ws, line, 1, row->area.key.valid_from.c_str(), nullptr);
      worksheet_write_string(ws, line, 2, row->area.full_name_vi.c_str(), nullptr);
      worksheet_write_string(ws, line, 3, row->area.level.c_str(), nullptr);
      std::string self_declared;
      col = 4;
      for (const auto& d : defs) {
        const Figure* f = row->find(d.code);
        if (f && f->value) {
          lxw_format* fmt = f->unit == FigureUnit::ratio ? percent
                            : f->unit == FigureUnit::vnd ? vnd
                                                         : count;
          worksheet_write_number(ws, line, col, *f->value, fmt);
        }
        if (f && f->source == FigureSource::self_declared)
          self_declared += (self_declared.empty() ? "" : " ") + f->code;
        ++col;
      }
      worksheet_write_string(ws, line, col, self_declared.c_str(), nullptr);
      ++line;
    }
  }

  // Every figure with its numerator and denominator, as the CSV has them.
  {
    lxw_worksheet* ws = workbook_add_worksheet(wb, sheet_name("Số liệu", used).c_str());
    const char* head_vi[] = {"Mã địa bàn",  "Hiệu lực từ",  "Tên địa bàn", "Cấp",
                             "Mã chỉ tiêu", "Tên chỉ tiêu", "Tử số",       "Mẫu số",
                             "Giá trị",     "Đơn vị",       "Nguồn"};
    const char* head_en[] = {"area_code", "area_valid_from", "area_name",   "level", "indicator",
                             "name_vi",   "numerator",       "denominator", "value", "unit",
                             "source"};
    for (lxw_col_t c = 0; c < 11; ++c) {
      worksheet_write_string(ws, 0, c, head_vi[c], bold);
      worksheet_write_string(ws, 1, c, head_en[c], key);
    }
    worksheet_set_column(ws, 4, 5, 28, nullptr);
    worksheet_freeze_panes(ws, 2, 0);
    lxw_row_t line = 2;
    for (const auto& row : r.rows) {
      for (const auto& f : row.figures) {
        const IndicatorDefinition* d = find_indicator(f.code);
        worksheet_write_string(ws, line, 0, row.area.key.code.c_str(), nullptr);
        worksheet_write_string(ws, line, 1, row.area.key.valid_from.c_str(), nullptr);
        worksheet_write_string(ws, line, 2, row.area.full_name_vi.c_str(), nullptr);
        worksheet_write_string(ws, line, 3, row.area.level.c_str(), nullptr);
        worksheet_write_string(ws, line, 4, f.code.c_str(), nullptr);
        worksheet_write_string(ws, line, 5, d ? d->name_vi.c_str() : f.code.c_str(), nullptr);
        if (f.numerator)
          worksheet_write_number(ws, line, 6, static_cast<double>(*f.numerator), count);
        if (f.denominator)
          worksheet_write_number(ws, line, 7, static_cast<double>(*f.denominator), count);
        if (f.value)
          worksheet_write_number(ws, line, 8, *f.value,
                                 f.unit == FigureUnit::ratio ? percent
                                 : f.unit == FigureUnit::vnd ? vnd
                                                             : count);
        worksheet_write_string(ws, line, 9, unit_name_vi(f.unit).c_str(), nullptr);
        worksheet_write_string(ws, line, 10,
                               f.source == FigureSource::self_declared ? "tự khai (self_declared)"
                                                                       : "hệ thống (system)",
                               nullptr);
        ++line;
      }
    }
  }

  // Definitions and the report's terms.
  {
    lxw_worksheet* ws = workbook_add_worksheet(wb, sheet_name("Định nghĩa", used).c_str());
    const char* head_vi[] = {"Mã chỉ tiêu", "Tên chỉ tiêu", "Tên tiếng Anh", "Đơn vị",
                             "Định nghĩa"};
    const char* head_en[] = {"code", "name_vi", "name_en", "unit", "definition"};
    for (lxw_col_t c = 0; c < 5; ++c) {
      worksheet_write_string(ws, 0, c, head_vi[c], bold);
      worksheet_write_string(ws, 1, c, head_en[c], key);
    }
    worksheet_set_column(ws, 0, 0, 30, nullptr);
    worksheet_set_column(ws, 1, 2, 40, nullptr);
    worksheet_set_column(ws, 4, 4, 90, nullptr);
    lxw_row_t line = 2;
    for (const auto& d : defs) {
      worksheet_write_string(ws, line, 0, d.code.c_str(), nullptr);
      worksheet_write_string(ws, line, 1, d.name_vi.c_str(), nullptr);
      worksheet_write_string(ws, line, 2, d.name_en.c_str(), nullptr);
      worksheet_write_string(ws, line, 3, unit_name_vi(d.unit).c_str(), nullptr);
      worksheet_write_string(ws, line, 4, d.definition_vi.c_str(), nullptr);
      ++line;
    }
    ++line;
    const std::string terms[][2] = {
        {"Kỳ báo cáo (period)", format_date_vi(r.query.from) + " – " + format_date_vi(r.query.to)},
        {"Địa bàn (area)", r.rows.empty()
                               ? r.query.area_code
                               : r.rows[0].area.key.code + " " + r.rows[0].area.full_name_vi +
                                     " (từ " + r.rows[0].area.key.valid_from + ")"},
        {"Cách tính địa bàn (basis)",
         std::string(basis_name(r.query.basis)) + ": " + std::string(basis_name_vi(r.query.basis)) +
             (r.query.basis == Basis::rebased ? " ngày " + format_date_vi(r.rebase_on)
                                              : std::string())},
        {"Thời điểm lập (generated_at)", format_rfc3339_vietnam(r.generated_at)},
        {"Nguồn (source)",
         "system: số liệu hệ thống ghi nhận; self_declared: có số liệu do chủ thể hoặc cán bộ "
         "tự khai, nhập tay"},
        {"Tỷ lệ (ratio)", "Tử số ÷ mẫu số; để trống khi mẫu số bằng 0"}};
    for (const auto& t : terms) {
      worksheet_write_string(ws, line, 0, t[0].c_str(), bold);
      worksheet_write_string(ws, line, 1, t[1].c_str(), nullptr);
      ++line;
    }
  }
  if (lxw_error e = workbook_close(wb); e != LXW_NO_ERROR)
    return Error{ErrorCode::unavailable, "không ghi được tệp " + path + ": " + lxw_strerror(e),
                 "out"};
  return {};
}

Result<std::string> report_xlsx(const Report& r) {
  std::random_device rd;
  const auto path = std::filesystem::temp_directory_path() /
                    ("chophien-report-" + std::to_string(rd()) + std::to_string(rd()) + ".xlsx");
  auto written = write_report_xlsx(r, path.string());
  if (!written) return written.error();
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  std::error_code ignored;
  std::filesystem::remove(path, ignored);
  if (!in) return Error{ErrorCode::unavailable, "không đọc lại được tệp tạm", ""};
  return bytes.str();
}

Result<void> write_report(const Report& r, ExportFormat format, const std::string& path) {
  if (format == ExportFormat::xlsx) return write_report_xlsx(r, path);
  const std::string text = format == ExportFormat::csv ? report_csv(r) : report_json(r);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.close();
  if (!out) return Error{ErrorCode::unavailable, "không ghi được tệp " + path, "out"};
  return {};
}

}  // namespace chophien::core
