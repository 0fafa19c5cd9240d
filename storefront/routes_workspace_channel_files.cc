// Marketplace files in the producer's workspace (integrations.md sections 4 and 6):
//   GET  /quan-ly/tep-san                          the page: downloads and the order upload
//   GET  /quan-ly/tep-san/(postmart|voso).csv      the bulk-upload file (listing_export.h); when
//                                                  a product lacks a required field, the page
//                                                  again with what to fix (422), no file
//   GET  /quan-ly/tep-san/(postmart|voso).txt      the checklist of manual upload steps
//   POST /quan-ly/tep-san/nhap-don                 a seller centre's order export (XLSX or CSV)
//                                                  into the ledger (order_import.h): all orders
//                                                  or none
// Producer pages: a producer's own data, or the helped producer's in helper mode; the upload is
// CSRF-checked and recorded in the action log.
#include <httplib.h>

#include <string>
#include <vector>

#include "core/audit.h"
#include "integrations/listing_export.h"
#include "integrations/order_import.h"
#include "storefront/http_errors.h"
#include "storefront/routes.h"
#include "storefront/workspace.h"

namespace chophien::storefront {
namespace {

constexpr const char* kPage = "/quan-ly/tep-san";

struct PageState {
  std::string notice, problem;
  std::vector<core::CsvRowError> rows;
  std::vector<integrations::ListingProblem> listing_problems;
  std::string platform;  // of listing_problems
  int status = 200;
};

void page(AppContext& app, const httplib::Request& req, httplib::Response& res,
          const PageState& state) {
  auto db = app.db.acquire();
  if (!db) return write_html_error(res, db.error(), 1);
  auto ws = open_producer_workspace(app, **db, req, res);
  if (!ws) return;
  mustache::data data;
  if (!state.notice.empty()) data.set("notice", state.notice);
  if (!state.problem.empty()) data.set("problem", state.problem);
  mustache::data rows{mustache::data::type::list};
  for (const auto& r : state.rows) {
    mustache::data item;
    item.set("line", std::to_string(r.line));
    item.set("field", r.field);
    item.set("message", r.message);
    rows.push_back(item);
  }
  data.set("row_errors", rows);
  data.set("has_row_errors", mustache::data(!state.rows.empty()));
  mustache::data fixes{mustache::data::type::list};
  for (const auto& p : state.listing_problems) {
    mustache::data item;
    item.set("sku", p.sku);
    item.set("column", p.column);
    item.set("message", p.message);
    fixes.push_back(item);
  }
  data.set("fixes", fixes);
  data.set("has_fixes", mustache::data(!state.listing_problems.empty()));
  write_workspace_page(app, *ws, req, res, "ws_channel_files", std::move(data), "Tệp cho sàn",
                       state.status);
}

// The file (csv) or the checklist (txt) of `req.matches[1]`.
void listing_file(AppContext& app, const httplib::Request& req, httplib::Response& res) {
  const std::string platform = req.matches[1];
  const bool checklist = req.matches[2] == "txt";
  integrations::ListingFile file;
  {
    auto db = app.db.acquire();
    if (!db) return write_html_error(res, db.error(), 1);
    auto ws = open_producer_workspace(app, **db, req, res);
    if (!ws) return;
    auto items =
        integrations::listing_items(**db, app.clock, *ws->producer_id, app.config.base_url());
    if (!items) return write_html_error(res, items.error(), 1);
    file = integrations::make_listing_exporter(platform)->write(*items);
  }
  if (checklist) {
    res.set_header("Content-Disposition",
                   "attachment; filename=\"" + platform + "-viec-can-lam.txt\"");
    res.set_content(file.checklist, "text/plain; charset=utf-8");
    return;
  }
  if (!file.ok() || file.products == 0) {
    PageState state;
    state.problem = file.products == 0 ? "Chưa có sản phẩm nào đang bán: không có gì để xuất."
                                       : "Chưa tạo tệp: " + std::to_string(file.problems.size()) +
                                             " mục cần sửa trong trang sản phẩm.";
    state.listing_problems = file.problems;
    state.platform = platform;
    state.status = 422;
    return page(app, req, res, state);
  }
  res.set_header("Content-Disposition", "attachment; filename=\"" + file.file_name + "\"");
  res.set_content(file.bytes, file.content_type);
}

void import_orders(AppContext& app, const httplib::Request& req, httplib::Response& res) {
  const bool have_file = req.has_file("file") && !req.get_file_value("file").content.empty();
  const std::string platform = req.has_file("platform") ? req.get_file_value("platform").content
                                                        : req.get_param_value("platform");
  {
    // Session and CSRF first, on a reader: nobody else gets us to read a file.
    auto db = app.db.acquire();
    if (!db) return write_html_error(res, db.error(), 1);
    if (!open_producer_workspace(app, **db, req, res)) return;
  }
  PageState state;
  if (!integrations::is_order_file_platform(platform)) {
    state.problem = "Hãy chọn sàn của tệp.";
    state.status = 400;
    return page(app, req, res, state);
  }
  if (!have_file) {
    state.problem = "Hãy chọn tệp đơn hàng (XLSX hoặc CSV) để nhập.";
    state.status = 400;
    return page(app, req, res, state);
  }
  // Read and checked before the writer lock is taken: a large XLSX takes seconds to read, and
  // every checkout and payment waits for that lock. Only the ledger writes happen under it.
  auto parsed =
      integrations::read_order_file(app.clock, platform, req.get_file_value("file").content);
  if (!parsed && parsed.error().code != ErrorCode::invalid_input)
    return write_html_error(res, parsed.error(), 1);
  if (!parsed) {
    state.problem = "Không đọc được tệp: " + parsed.error().message;
    state.status = 400;
    return page(app, req, res, state);
  }
  auto show_errors = [&](const integrations::OrderImportReport& report) {
    state.problem = "Không ghi đơn nào: tệp có " + std::to_string(report.errors.size()) +
                    " lỗi. Sửa các dòng dưới đây rồi nhập lại.";
    state.rows = report.errors;
    state.status = 400;
  };
  if (!parsed->report.ok()) {
    show_errors(parsed->report);
    return page(app, req, res, state);
  }
  {
    auto db = app.db.acquire_writer();
    if (!db) return write_html_error(res, db.error(), 1);
    // Again under the lock: the session may have ended while the file was read.
    auto ws = open_producer_workspace(app, **db, req, res);
    if (!ws) return;
    // The ledger rows and the action-log record are written together, or neither.
    auto transaction = (*db)->begin();
    if (!transaction) return write_html_error(res, transaction.error(), 1);
    auto report = integrations::record_order_file(**db, app.clock, *ws->producer_id, *parsed);
    if (!report) return write_html_error(res, report.error(), 1);
    if (!report->ok()) {
      show_errors(*report);
    } else {
      const std::string summary = platform + ": " + std::to_string(report->recorded) +
                                  " đơn mới, " + std::to_string(report->already) + " đơn đã có, " +
                                  std::to_string(report->skipped) + " đơn hủy/trả hàng";
      if (auto logged =
              core::AuditLog(**db, app.clock).record(ws->audit("ledger.import_orders", summary));
          !logged)
        return write_html_error(res, logged.error(), 1);
      if (auto ok = transaction->commit(); !ok) return write_html_error(res, ok.error(), 1);
      state.notice = "Đã nhập tệp đơn hàng " + summary + ".";
    }
  }
  page(app, req, res, state);
}

}  // namespace

void register_workspace_channel_file_routes(Router& router, AppContext& app) {
  router.get(kPage, [&app](const auto& req, auto& res) { page(app, req, res, {}); });
  router.get(R"(/quan-ly/tep-san/(postmart|voso)\.(csv|txt))",
             [&app](const auto& req, auto& res) { listing_file(app, req, res); });
  router.post("/quan-ly/tep-san/nhap-don",
              [&app](const auto& req, auto& res) { import_orders(app, req, res); });
}

}  // namespace chophien::storefront
