// GET /quan-ly/so-lieu: the officer's dashboard of digital-economy figures (docs/indicators.md),
// a workspace page. A GET form picks the period, area, child level and basis; the page shows the
// area's table of indicators (numerator, denominator, value, source), a bar chart per main
// indicator with one bar per child area drawn as SVG on the server (readable without JavaScript
// and when printed), and download links to GET /api/v1/indicators. Each figure links to its
// definition on GET /quan-ly/so-lieu/dinh-nghia (#dn-<code>), kept apart so the dashboard stays
// under the workspace's 30 KB per page even for the 13 former units of a district.
//
// Without a session the visitor is sent to /dang-nhap (303, with `next`); a producer gets 403.
// Bad parameters render the form again with the message (400).
#include <httplib.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/areas.h"
#include "core/indicator_export.h"
#include "core/indicators.h"
#include "core/text.h"
#include "storefront/http_errors.h"
#include "storefront/routes.h"
#include "storefront/workspace.h"

namespace chophien::storefront {
namespace {

constexpr const char* kPath = "/quan-ly/so-lieu";
constexpr const char* kDefinitionsPath = "/quan-ly/so-lieu/dinh-nghia";

// The indicators drawn as charts per child area: the totals, not their breakdowns.
constexpr std::string_view kChartCodes[] = {
    "producers",          "ocop_products_valid", "ecom_producer_rate",  "social_selling_rate",
    "qr_acceptance_rate", "cashless_order_rate", "cashless_value_rate", "online_revenue_vnd",
    "marketplace_orders", "revenue_vnd"};

std::string param(const httplib::Request& req, const char* name) {
  return req.has_param(name) ? req.get_param_value(name) : std::string();
}

// Form encoding for the links (the values are already checked to be ASCII words and dates).
std::string url_encode(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

bool is_code_text(std::string_view text) {
  if (text.empty() || text.size() > 32) return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           c == '-';
  });
}

std::string group_digits(int64_t n) {
  const bool negative = n < 0;
  std::string digits = std::to_string(negative ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += '.';
    out += digits[i];
  }
  return negative ? "-" + out : out;
}

// A figure's value for people: "1.234", "1.234.567 ₫", "75,0 %"; "—" when it has none.
std::string value_text(const core::Figure& f) {
  if (!f.value) return "—";
  switch (f.unit) {
    case core::FigureUnit::ratio: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.1f", *f.value * 100.0);
      std::string text = buf;
      std::replace(text.begin(), text.end(), '.', ',');
      return text + "\xC2\xA0%";
    }
    case core::FigureUnit::vnd:
      return core::format_vnd(f.numerator.value_or(0));
    case core::FigureUnit::count:
      return group_digits(f.numerator.value_or(0));
  }
  return "—";
}

std::string number_text(const std::optional<int64_t>& n, core::FigureUnit unit) {
  if (!n) return "";
  return unit == core::FigureUnit::vnd ? core::format_vnd(*n) : group_digits(*n);
}

std::string source_text(core::FigureSource source) {
  return source == core::FigureSource::system ? "hệ thống" : "tự khai";
}

// A horizontal bar chart, one bar per child area, as inline SVG. Rates are drawn on 0–100 %,
// other figures against the largest value; an area without a value gets a dash and no bar.
// No width or height: the viewBox scales the chart to the page's width (and the paper's). The
// viewBox starts at x = -190 so the axis is x = 0 and the area names end at x = -6.
//
// Compact, so a district's 13 units fit the workspace's 30 KB per page: the colours, font and
// anchoring come from the stylesheet (svg.chart, which also applies in print), the bars are one
// path, the values one text, and the area names are written once, in the first chart
// (id bd-names), the others showing them with <use>.
std::string bar_chart(const core::Report& report, const core::IndicatorDefinition& def,
                      bool first) {
  constexpr int kBars = 290, kRow = 26, kTop = 6;
  std::vector<std::pair<std::string, const core::Figure*>> bars;
  for (const auto& row : report.rows) {
    if (row.total) continue;
    bars.emplace_back(row.area.full_name_vi.empty() ? row.area.name_vi : row.area.full_name_vi,
                      row.find(def.code));
  }
  double max = def.unit == core::FigureUnit::ratio ? 1.0 : 0.0;
  if (def.unit != core::FigureUnit::ratio) {
    for (const auto& [name, f] : bars)
      if (f && f->value) max = std::max(max, *f->value);
    if (max <= 0) max = 1;
  }
  const std::string height = std::to_string(kTop * 2 + kRow * static_cast<int>(bars.size()));
  const std::string id = "bd-t-" + def.code;
  std::string svg = "<svg class=\"chart\" viewBox=\"-190 0 640 " + height +
                    "\" role=\"img\" aria-labelledby=\"" + id + "\"><title id=\"" + id + "\">" +
                    html_escape(def.name_vi) + " theo địa bàn</title><path class=\"a\" d=\"M0 0V" +
                    height + "\"/>";
  if (first) {
    svg += "<text class=\"l\" id=\"bd-names\">";
    for (size_t i = 0; i < bars.size(); ++i)
      svg += "<tspan x=\"-6\" y=\"" + std::to_string(kTop + kRow * static_cast<int>(i) + 17) +
             "\">" + html_escape(bars[i].first) + "</tspan>";
    svg += "</text>";
  } else {
    svg += "<use href=\"#bd-names\"/>";
  }
  std::string path, values;
  for (size_t i = 0; i < bars.size(); ++i) {
    const core::Figure* f = bars[i].second;
    const int y = kTop + kRow * static_cast<int>(i);
    int width = 0;
    if (f && f->value && *f->value > 0) {
      width = static_cast<int>(std::lround(std::min(*f->value / max, 1.0) * kBars));
      if (width > 0) path += "M0 " + std::to_string(y + 4) + "h" + std::to_string(width) + "v18H0z";
    }
    values += "<tspan x=\"" + std::to_string(width + 6) + "\" y=\"" + std::to_string(y + 17) +
              "\">" + html_escape(f ? value_text(*f) : "—") + "</tspan>";
  }
  if (!path.empty()) svg += "<path class=\"b\" d=\"" + path + "\"/>";
  svg += "<text>" + values + "</text></svg>";
  return svg;
}

struct Form {
  std::string from, to, area = "04", by = "commune", basis = "as_dated";
};

// The areas to pick from: every code, its latest version's name; ended units say until when.
Result<mustache::data> area_options(core::Database& db, const std::string& selected) {
  auto s = db.prepare(
      "SELECT code, full_name_vi, valid_to FROM areas a WHERE valid_from = (SELECT max(valid_from) "
      "FROM areas b WHERE b.code = a.code) ORDER BY length(code), code");
  if (!s) return s.error();
  mustache::data list{mustache::data::type::list};
  for (;;) {
    auto more = s->step();
    if (!more) return more.error();
    if (!*more) break;
    mustache::data item;
    const std::string code = s->column_text(0);
    std::string label = code + " — " + s->column_text(1);
    if (!s->column_is_null(2)) label += " (đến " + s->column_text(2) + ")";
    item.set("code", code);
    item.set("label", label);
    item.set("selected", mustache::data(code == selected));
    list.push_back(item);
  }
  return list;
}

mustache::data choices(std::initializer_list<std::pair<const char*, const char*>> options,
                       const std::string& selected) {
  mustache::data list{mustache::data::type::list};
  for (const auto& [value, label] : options) {
    mustache::data item;
    item.set("value", value);
    item.set("label", label);
    item.set("selected", mustache::data(selected == value));
    list.push_back(item);
  }
  return list;
}

Result<core::IndicatorQuery> parse_form(const Form& form) {
  core::IndicatorQuery q;
  auto from = core::parse_iso_date(form.from);
  if (!from)
    return invalid_input("Ngày bắt đầu phải có dạng YYYY-MM-DD, ví dụ 2026-01-01.", "from");
  auto to = core::parse_iso_date(form.to);
  if (!to) return invalid_input("Ngày kết thúc phải có dạng YYYY-MM-DD, ví dụ 2026-06-30.", "to");
  if (*to < *from)
    return invalid_input("Ngày kết thúc phải cùng ngày hoặc sau ngày bắt đầu.", "to");
  if (!is_code_text(form.area)) return invalid_input("Mã địa bàn không hợp lệ.", "area");
  if (!form.by.empty() && !is_code_text(form.by))
    return invalid_input("Cấp chia nhỏ không hợp lệ.", "by");
  auto basis = core::parse_basis(form.basis);
  if (!basis) return invalid_input("Cách tính phải là theo thời điểm hoặc quy đổi.", "basis");
  q.from = *from;
  q.to = *to;
  q.area_code = form.area;
  q.by_level = form.by;
  q.basis = *basis;
  return q;
}

void dashboard(AppContext& app, const httplib::Request& req, httplib::Response& res) {
  auto db = app.db.acquire();
  if (!db) return write_html_error(res, db.error(), 1);
  auto ws = open_workspace(app, **db, req, res, {core::Role::officer, core::Role::admin});
  if (!ws) return;

  const core::Date today = core::vietnam_date(app.clock.now());
  Form form;
  form.from = format_iso_date(core::Date{today.year, 1, 1});
  form.to = format_iso_date(today);
  if (req.has_param("from")) form.from = param(req, "from");
  if (req.has_param("to")) form.to = param(req, "to");
  if (req.has_param("area")) form.area = param(req, "area");
  if (req.has_param("by")) form.by = param(req, "by");
  if (req.has_param("basis")) form.basis = param(req, "basis");

  mustache::data data;
  data.set("from", form.from);
  data.set("to", form.to);
  data.set("by_options", choices({{"commune", "Xã, phường, thị trấn"},
                                  {"district", "Huyện (trước 1/7/2025)"},
                                  {"", "Không chia"}},
                                 form.by));
  data.set("basis_options", choices({{"as_dated", "Theo đơn vị tại thời điểm phát sinh"},
                                     {"rebased", "Quy đổi về đơn vị hiện hành"}},
                                    form.basis));
  auto areas = area_options(**db, form.area);
  if (!areas) return write_html_error(res, areas.error(), 1);
  data.set("areas", *areas);

  int status = 200;
  auto query = parse_form(form);
  Result<core::Report> report = query ? core::IndicatorEngine(**db, app.clock).compute(*query)
                                      : Result<core::Report>(query.error());
  if (!report) {
    const ErrorCode code = report.error().code;
    if (code == ErrorCode::unavailable || code == ErrorCode::internal)
      return write_html_error(res, report.error(), 1);
    status = 400;
    data.set("error", report.error().message);
  } else {
    const core::Report& r = *report;
    const core::AreaFigures& total = r.rows.front();
    data.set("area_name",
             total.area.full_name_vi.empty() ? total.area.name_vi : total.area.full_name_vi);
    data.set("area_code", total.area.key.code);
    data.set("period",
             core::format_date_vi(r.query.from) + " – " + core::format_date_vi(r.query.to));
    data.set("basis_vi", std::string(core::basis_name_vi(r.query.basis)));
    data.set("generated_at", core::format_rfc3339_vietnam(r.generated_at));
    mustache::data figures{mustache::data::type::list};
    for (const auto& f : total.figures) {
      const core::IndicatorDefinition* def = core::find_indicator(f.code);
      mustache::data item;
      item.set("code", f.code);
      item.set("name", def ? def->name_vi : f.code);
      item.set("breakdown", mustache::data(f.code.find('.') != std::string::npos));
      item.set("numerator",
               number_text(f.numerator,
                           f.unit == core::FigureUnit::ratio ? core::FigureUnit::count : f.unit));
      item.set("denominator", number_text(f.denominator, core::FigureUnit::count));
      item.set("value", value_text(f));
      item.set("source", source_text(f.source));
      item.set("self_declared", mustache::data(f.source == core::FigureSource::self_declared));
      figures.push_back(item);
    }
    data.set("figures", figures);
    if (r.rows.size() > 1) {
      mustache::data charts{mustache::data::type::list};
      bool first = true;
      for (std::string_view code : kChartCodes) {
        const core::IndicatorDefinition* def = core::find_indicator(code);
        if (!def) continue;
        mustache::data chart;
        chart.set("code", def->code);
        chart.set("name", def->name_vi);
        chart.set("svg", bar_chart(r, *def, first));
        first = false;
        charts.push_back(chart);
      }
      data.set("charts", charts);
    }
    std::string query_string = "from=" + url_encode(form.from) + "&to=" + url_encode(form.to) +
                               "&area=" + url_encode(form.area) +
                               "&basis=" + url_encode(std::string(core::basis_name(r.query.basis)));
    if (!form.by.empty()) query_string += "&by=" + url_encode(form.by);
    mustache::data downloads{mustache::data::type::list};
    for (const char* format : {"csv", "xlsx", "json"}) {
      mustache::data d;
      d.set("href", "/api/v1/indicators?" + query_string + "&format=" + format);
      d.set("label", std::string(format == std::string_view("csv")    ? "CSV (Excel)"
                                 : format == std::string_view("xlsx") ? "XLSX"
                                                                      : "JSON"));
      downloads.push_back(d);
    }
    data.set("downloads", downloads);
  }
  write_workspace_page(app, *ws, req, res, "dashboard", std::move(data), "Số liệu kinh tế số",
                       status);
}

// GET /quan-ly/so-lieu/dinh-nghia: what each figure means (its own page keeps the dashboard small).
void definitions(AppContext& app, const httplib::Request& req, httplib::Response& res) {
  auto db = app.db.acquire();
  if (!db) return write_html_error(res, db.error(), 1);
  auto ws = open_workspace(app, **db, req, res, {core::Role::officer, core::Role::admin});
  if (!ws) return;
  mustache::data list{mustache::data::type::list};
  for (const auto& d : core::indicator_definitions()) {
    mustache::data item;
    item.set("code", d.code);
    item.set("name", d.name_vi);
    item.set("name_en", d.name_en);
    item.set("definition", d.definition_vi);
    list.push_back(item);
  }
  mustache::data data;
  data.set("definitions", list);
  write_workspace_page(app, *ws, req, res, "dashboard_definitions", std::move(data),
                       "Định nghĩa các chỉ tiêu");
}

}  // namespace

void register_dashboard_routes(Router& router, AppContext& app) {
  router.get(kPath, [&app](const httplib::Request& req, httplib::Response& res) {
    dashboard(app, req, res);
  });
  router.get(kDefinitionsPath, [&app](const httplib::Request& req, httplib::Response& res) {
    definitions(app, req, res);
  });
}

}  // namespace chophien::storefront
