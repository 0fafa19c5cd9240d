// `chophien export`: the digital-economy figures of docs/indicators.md as CSV, XLSX or JSON.
// Exit status: 0 success, 1 failure (unknown area, storage, file), 2 usage error.
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "app/commands.h"
#include "core/areas.h"
#include "core/clock.h"
#include "core/database.h"
#include "core/indicator_export.h"
#include "core/indicators.h"
#include "core/progress.h"
#include "core/summaries.h"
#include "core/text.h"

namespace chophien::app {
namespace {

constexpr std::string_view kUsage =
    "usage: chophien export --from YYYY-MM-DD --to YYYY-MM-DD --area CODE [--by LEVEL]\n"
    "                       [--basis as_dated|rebased] [--rebase-on YYYY-MM-DD]\n"
    "                       [--format csv|xlsx|json] [--out FILE] [--db FILE]\n"
    "       chophien export --rebuild-summaries [--db FILE]\n"
    "\n"
    "Xuất các chỉ tiêu kinh tế số (docs/indicators.md) của một địa bàn trong một kỳ, kèm tử số,\n"
    "mẫu số, nguồn số liệu (hệ thống hoặc tự khai) và thời điểm lập.\n"
    "\n"
    "  --from, --to        kỳ báo cáo, tính cả hai ngày (giờ Việt Nam)\n"
    "  --area CODE         mã địa bàn, ví dụ 04 (Cao Bằng)\n"
    "  --by LEVEL          chia theo cấp con: commune (xã, thị trấn, phường), district, ...\n"
    "  --basis B           as_dated: theo đơn vị tại ngày phát sinh (mặc định);\n"
    "                      rebased: quy đổi về đơn vị hiện hành qua bảng kế thừa\n"
    "  --rebase-on DATE    ngày của các đơn vị hiện hành (mặc định: hôm nay)\n"
    "  --format F          csv (UTF-8 có BOM), xlsx, json; mặc định theo đuôi của --out, rồi csv\n"
    "  --out FILE          tệp kết quả (mặc định: đầu ra chuẩn; xlsx cần --out)\n"
    "  --rebuild-summaries tính lại bảng tổng hợp doanh số từ sổ bán hàng trước khi xuất\n"
    "  --db FILE           tệp cơ sở dữ liệu (mặc định chophien.db)\n";

int usage_error(std::string_view message) {
  std::fprintf(stderr, "chophien: %.*s\n\n%.*s", static_cast<int>(message.size()), message.data(),
               static_cast<int>(kUsage.size()), kUsage.data());
  return 2;
}

int fail(const Error& error) {
  std::fprintf(stderr, "chophien: %s (%s%s%s)\n", error.message.c_str(),
               error_code_name(error.code), error.field.empty() ? "" : ", ", error.field.c_str());
  return 1;
}

}  // namespace

int export_command(Args args) {
  std::string db_file = "chophien.db";
  std::optional<std::string> from, to, area, rebase_on, format, out;
  std::string by;
  std::string basis = "as_dated";
  bool rebuild = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const auto a = args[i];
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage.data(), stdout);
      return 0;
    }
    if (a == "--rebuild-summaries") {
      rebuild = true;
      continue;
    }
    if (i + 1 >= args.size()) return usage_error(std::string(a) + " needs a value");
    const std::string v(args[++i]);
    if (a == "--db") {
      db_file = v;
    } else if (a == "--from") {
      from = v;
    } else if (a == "--to") {
      to = v;
    } else if (a == "--area") {
      area = v;
    } else if (a == "--by") {
      by = v;
    } else if (a == "--basis") {
      basis = v;
    } else if (a == "--rebase-on") {
      rebase_on = v;
    } else if (a == "--format") {
      format = v;
    } else if (a == "--out") {
      out = v;
    } else {
      return usage_error("unknown option " + std::string(a));
    }
  }
  const bool exporting = from || to || area;
  if (!rebuild && !exporting) return usage_error("--from, --to and --area are required");
  core::IndicatorQuery query;
  std::optional<core::ExportFormat> fmt;
  if (exporting) {
    if (!from || !to || !area) return usage_error("--from, --to and --area are required");
    auto f = core::parse_iso_date(*from);
    auto t = core::parse_iso_date(*to);
    if (!f) return usage_error("--from must be YYYY-MM-DD");
    if (!t) return usage_error("--to must be YYYY-MM-DD");
    auto b = core::parse_basis(basis);
    if (!b) return usage_error("--basis must be as_dated or rebased");
    query.from = *f;
    query.to = *t;
    query.area_code = *area;
    query.by_level = by;
    query.basis = *b;
    if (rebase_on) {
      auto r = core::parse_iso_date(*rebase_on);
      if (!r) return usage_error("--rebase-on must be YYYY-MM-DD");
      query.rebase_on = *r;
    }
    if (!format && out) {
      const auto dot = out->rfind('.');
      if (dot != std::string::npos) fmt = core::parse_export_format(out->substr(dot + 1));
    }
    if (format) {
      fmt = core::parse_export_format(*format);
      if (!fmt) return usage_error("--format must be csv, xlsx or json");
    }
    if (!fmt) fmt = core::ExportFormat::csv;
    if (*fmt == core::ExportFormat::xlsx && !out) return usage_error("xlsx needs --out FILE");
  }

  auto db = core::Database::open(db_file);
  if (!db) return fail(db.error());
  const int64_t steps = (rebuild ? 1 : 0) + (exporting ? 7 : 0);
  core::Progress progress("Xuất chỉ tiêu", steps);
  int64_t done = 0;
  if (rebuild) {
    auto rows = core::SalesSummaries(*db).rebuild();
    if (!rows) return fail(rows.error());
    progress.update(++done);
    if (!exporting) {
      progress.finish();
      std::fprintf(stderr, "Đã tính lại %lld dòng tổng hợp doanh số.\n",
                   static_cast<long long>(*rows));
      return 0;
    }
  }
  // The default areas (Bảo Lâm, Cao Bằng), as `serve` does; loading them again adds nothing.
  if (auto areas = core::AreaStore(*db).load_default(); !areas) return fail(areas.error());
  core::IndicatorEngine engine(*db, core::system_clock());
  const int64_t base = done;
  auto report = engine.compute(query, [&](int64_t step, int64_t) { progress.update(base + step); });
  if (!report) return fail(report.error());
  if (out) {
    auto written = core::write_report(*report, *fmt, *out);
    if (!written) return fail(written.error());
  } else {
    const std::string text =
        *fmt == core::ExportFormat::csv ? core::report_csv(*report) : core::report_json(*report);
    std::fwrite(text.data(), 1, text.size(), stdout);
  }
  progress.update(steps);
  progress.finish();
  return 0;
}

}  // namespace chophien::app
