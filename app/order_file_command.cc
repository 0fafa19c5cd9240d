// `chophien import-orders --platform P --producer ID FILE`: a seller centre's order export file
// (CSV or XLSX, told apart by content) into the sales ledger (integrations/order_import.h,
// docs/order-import.md). Exit status: 0 done, 1 failure (bad rows listed, nothing written), 2 usage
// error.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>

#include "app/cli_support.h"
#include "app/commands.h"
#include "core/clock.h"
#include "core/database.h"
#include "integrations/order_import.h"

namespace chophien::app {
namespace {

constexpr std::string_view kUsage =
    "usage: chophien import-orders --platform shopee|lazada|tiktok|postmart|voso --producer ID\n"
    "                              [--db FILE] FILE.csv|FILE.xlsx\n"
    "\n"
    "Ghi các đơn trong tệp xuất đơn hàng của trang quản lý người bán vào sổ bán hàng của một chủ\n"
    "thể: mỗi đơn một dòng, theo kênh của sàn và mã đơn; đơn đã có trong sổ (kể cả đơn đã lấy\n"
    "qua `chophien sync --orders`) không ghi lại; đơn đã hủy, trả hàng, chưa thanh toán bỏ qua.\n"
    "Cột tìm theo tên tiếng Việt hoặc tiếng Anh (mã đơn hàng, ngày đặt hàng, trạng thái, tổng\n"
    "tiền; xem docs/order-import.md). Mọi dòng được kiểm tra trước; chỉ cần một dòng sai là\n"
    "không ghi gì, và mọi dòng sai được liệt kê. FILE là tệp CSV hoặc XLSX (trang tính đầu\n"
    "tiên; nhận ra theo nội dung, không theo tên tệp), hoặc - để đọc từ đầu vào chuẩn.\n"
    "\n"
    "  --platform P    sàn: shopee, lazada, tiktok, postmart, voso (bắt buộc)\n"
    "  --producer ID   mã số chủ thể (bắt buộc)\n"
    "  --db FILE       tệp cơ sở dữ liệu (mặc định chophien.db)\n";

int usage_error(std::string_view message) { return app::usage_error(message, kUsage); }

// At most `limit` + 1 bytes, so a huge file is refused without reading all of it.
std::optional<std::string> read_limited(std::istream& in, size_t limit) {
  std::string text;
  char buffer[65536];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<size_t>(in.gcount()));
    if (text.size() > limit) return std::nullopt;
  }
  return text;
}

}  // namespace

int import_orders_command(Args args) {
  DbOptions options;
  std::optional<std::string> file, platform;
  for (size_t i = 0; i < args.size(); ++i) {
    auto a = args[i];
    if (auto read = read_db_option(args, i, options, kUsage)) {
      if (*read != 0) return *read;
      continue;
    }
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage.data(), stdout);
      return 0;
    } else if (a == "--platform") {
      auto v = option_value(args, i);
      if (!v || !integrations::is_order_file_platform(*v))
        return usage_error("--platform must be shopee, lazada, tiktok, postmart or voso");
      platform = std::string(*v);
    } else if (!a.starts_with("--") || a == "-") {
      if (file) return usage_error("only one file can be imported at a time");
      file = std::string(a);
    } else {
      return usage_error("unknown option " + std::string(a));
    }
  }
  if (!file) return usage_error("no order file given");
  if (!platform) return usage_error("--platform is required");
  if (!options.producer) return usage_error("--producer is required");

  std::optional<std::string> text;
  if (*file == "-") {
    text = read_limited(std::cin, integrations::kMaxOrderFileBytes);
  } else {
    std::ifstream in(*file, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "chophien: cannot read %s\n", file->c_str());
      return 1;
    }
    text = read_limited(in, integrations::kMaxOrderFileBytes);
  }
  if (!text) {
    std::fprintf(stderr, "chophien: tệp quá lớn (tối đa 20 MB), không ghi gì\n");
    return 1;
  }
  auto db = core::Database::open(options.db_file);
  if (!db) return fail(db.error());
  auto report = integrations::import_order_file(*db, core::system_clock(), *options.producer,
                                                *platform, *text);
  if (!report && report.error().field == "file") {
    std::fprintf(stderr, "chophien: %s, không ghi gì\n", report.error().message.c_str());
    return 1;
  }
  if (!report) return fail(report.error());
  if (!report->ok()) {
    std::fprintf(stderr, "chophien: %zu dòng sai, không ghi gì:\n", report->errors.size());
    for (const auto& e : report->errors) {
      std::fprintf(stderr, "  dòng %d%s%s: %s\n", e.line, e.field.empty() ? "" : ", cột ",
                   e.field.c_str(), e.message.c_str());
    }
    return 1;
  }
  std::printf(
      "Đã đọc %d dòng, %d đơn: %d đơn ghi vào sổ, %d đơn đã có, %d đơn hủy/trả hàng bỏ qua.\n",
      report->rows, report->orders, report->recorded, report->already, report->skipped);
  return 0;
}

}  // namespace chophien::app
