// GET /api/v1/indicators: the digital-economy figures of docs/indicators.md for a period and an
// area, as JSON (default), CSV (UTF-8 with BOM) or XLSX, for officers and admins.
//
// Query: from, to (YYYY-MM-DD, required), area (code, required), by (child level, optional),
// basis (as_dated | rebased, default as_dated), format (json | csv | xlsx, default json).
// Every answer names a file (Content-Disposition): attachment for CSV and XLSX, inline for JSON.
// An unknown area is a bad parameter here (400, field "area"), not a missing resource.
#include <httplib.h>

#include <string>
#include <string_view>

#include "core/indicator_export.h"
#include "core/indicators.h"
#include "core/text.h"
#include "storefront/api_support.h"
#include "storefront/auth.h"
#include "storefront/http_errors.h"
#include "storefront/json_mapping.h"
#include "storefront/routes.h"

namespace chophien::storefront {
namespace {

// Area codes and level names are short ASCII words; they also end up in the file name.
bool is_code_text(std::string_view text) {
  if (text.empty() || text.size() > 32) return false;
  for (char c : text) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Result<core::Date> required_date(const httplib::Request& req, const char* name) {
  auto text = query_text(req, name);
  if (!text) return text.error();
  if (!*text) return invalid_input(std::string("thiếu tham số ") + name + " (YYYY-MM-DD)", name);
  auto date = core::parse_iso_date(**text);
  if (!date) {
    return invalid_input(
        std::string(name) + " phải là ngày hợp lệ dạng YYYY-MM-DD, ví dụ 2026-01-31", name);
  }
  return *date;
}

struct IndicatorRequest {
  core::IndicatorQuery query;
  core::ExportFormat format = core::ExportFormat::json;
};

Result<IndicatorRequest> parse_request(const httplib::Request& req) {
  IndicatorRequest out;
  auto from = required_date(req, "from");
  if (!from) return from.error();
  auto to = required_date(req, "to");
  if (!to) return to.error();
  if (*to < *from) return invalid_input("to phải cùng ngày hoặc sau from", "to");
  out.query.from = *from;
  out.query.to = *to;

  auto area = query_text(req, "area");
  if (!area) return area.error();
  if (!*area) return invalid_input("thiếu tham số area (mã địa bàn, ví dụ 04)", "area");
  if (!is_code_text(**area)) return invalid_input("area phải là mã địa bàn, ví dụ 04", "area");
  out.query.area_code = **area;

  auto by = query_text(req, "by");
  if (!by) return by.error();
  if (*by) {
    if (!is_code_text(**by)) {
      return invalid_input("by phải là tên cấp địa bàn, ví dụ commune hoặc district", "by");
    }
    out.query.by_level = **by;
  }

  auto basis = query_text(req, "basis");
  if (!basis) return basis.error();
  if (*basis) {
    auto b = core::parse_basis(**basis);
    if (!b) return invalid_input("basis phải là as_dated hoặc rebased", "basis");
    out.query.basis = *b;
  }

  auto format = query_text(req, "format");
  if (!format) return format.error();
  if (*format) {
    auto f = core::parse_export_format(**format);
    if (!f) return invalid_input("format phải là json, csv hoặc xlsx", "format");
    out.format = *f;
  }
  return out;
}

Result<void> answer(core::Database& db, AppContext& app, const httplib::Request& req,
                    httplib::Response& res) {
  auto caller = require_caller(db, app.clock, req);
  if (!caller) return caller.error();
  if (auto ok = require_role(*caller, {core::Role::officer, core::Role::admin}); !ok) {
    return ok.error();
  }
  auto request = parse_request(req);
  if (!request) return request.error();

  core::IndicatorEngine engine(db, app.clock);
  auto report = engine.compute(request->query);
  if (!report) {
    // The area is a query parameter: an unknown one is bad input, not a missing resource.
    if (report.error().code == ErrorCode::not_found) {
      return Error{ErrorCode::invalid_input, report.error().message, "area"};
    }
    return report.error();
  }

  const core::ExportFormat format = request->format;
  std::string body;
  switch (format) {
    case core::ExportFormat::json:
      body = core::report_json(*report);
      break;
    case core::ExportFormat::csv:
      body = core::report_csv(*report);
      break;
    case core::ExportFormat::xlsx: {
      auto bytes = core::report_xlsx(*report);
      if (!bytes) return bytes.error();
      body = std::move(*bytes);
      break;
    }
  }
  const std::string disposition = format == core::ExportFormat::json ? "inline" : "attachment";
  res.set_header("Content-Disposition",
                 disposition + "; filename=\"" + core::report_file_name(*report, format) + "\"");
  res.status = 200;
  res.set_content(std::move(body), std::string(core::export_content_type(format)));
  return {};
}

}  // namespace

void register_api_indicator_routes(Router& router, AppContext& app) {
  router.get("/api/v1/indicators", [&app](const httplib::Request& req, httplib::Response& res) {
    res.set_header("Cache-Control", "no-store");
    auto db = app.db.acquire();
    if (!db) return write_error(res, db.error(), 1);
    if (api_options().busy_timeout_ms > 0) (*db)->set_busy_timeout(api_options().busy_timeout_ms);
    auto done = answer(**db, app, req, res);
    if (!done) {
      std::optional<int> retry;
      if (done.error().code == ErrorCode::unavailable) retry = 1;
      write_error(res, done.error(), retry);
    }
  });
}

}  // namespace chophien::storefront
