// `chophien import products.csv --producer ID` and `chophien export-products`: products by file,
// in the layout of docs/products-csv.md. Exit status: 0 success, 1 failure (bad rows, storage),
// 2 usage error.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

#include "app/cli_support.h"
#include "app/commands.h"
#include "core/clock.h"
#include "core/database.h"
#include "core/product_csv.h"
#include "core/products.h"
#include "core/progress.h"

namespace chophien::app {
namespace {

constexpr std::string_view kImportUsage =
    "usage: chophien import FILE.csv --producer ID [--db FILE]\n"
    "\n"
    "Nhập sản phẩm của một chủ thể từ tệp CSV (UTF-8, có hoặc không có BOM; cột xem\n"
    "docs/products-csv.md). Dòng có sku đã có thì cập nhật, dòng khác thì thêm mới.\n"
    "Mọi dòng được kiểm tra trước; chỉ cần một dòng sai là không ghi gì, và mọi dòng sai\n"
    "được liệt kê kèm số dòng và lý do. FILE là - để đọc từ đầu vào chuẩn.\n"
    "\n"
    "  --producer ID   mã số chủ thể (bắt buộc)\n"
    "  --db FILE       tệp cơ sở dữ liệu (mặc định chophien.db)\n";

constexpr std::string_view kExportUsage =
    "usage: chophien export-products [--producer ID] [--out FILE] [--db FILE]\n"
    "\n"
    "Xuất sản phẩm ra CSV theo cùng định dạng mà `chophien import` đọc (UTF-8 có BOM).\n"
    "\n"
    "  --producer ID   chỉ sản phẩm của chủ thể này (mặc định: tất cả)\n"
    "  --out FILE      ghi vào tệp (mặc định: đầu ra chuẩn)\n"
    "  --db FILE       tệp cơ sở dữ liệu (mặc định chophien.db)\n";

}  // namespace

int import_command(Args args) {
  DbOptions options;
  std::optional<std::string> file;
  for (size_t i = 0; i < args.size(); ++i) {
    auto a = args[i];
    if (auto read = read_db_option(args, i, options, kImportUsage)) {
      if (*read != 0) return *read;
      continue;
    }
    if (a == "--help" || a == "-h") {
      std::fputs(kImportUsage.data(), stdout);
      return 0;
    } else if (!a.starts_with("--") || a == "-") {
      if (file) return usage_error("only one file can be imported at a time", kImportUsage);
      file = std::string(a);
    } else {
      return usage_error("unknown option " + std::string(a), kImportUsage);
    }
  }
  if (!file) return usage_error("no CSV file given", kImportUsage);
  if (!options.producer) return usage_error("--producer is required", kImportUsage);

  std::ostringstream text;
  if (*file == "-") {
    text << std::cin.rdbuf();
  } else {
    std::ifstream in(*file, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "chophien: cannot read %s\n", file->c_str());
      return 1;
    }
    text << in.rdbuf();
  }
  auto db = core::Database::open(options.db_file);
  if (!db) return fail(db.error());
  std::optional<core::Progress> bar;
  auto report = core::import_products_csv(*db, core::system_clock(), *options.producer, text.str(),
                                          [&](int64_t done, int64_t total) {
                                            if (!bar) bar.emplace("Nhập sản phẩm", total);
                                            bar->update(done);
                                          });
  if (bar) bar->finish();
  if (!report) return fail(report.error());
  if (!report->ok()) {
    std::fprintf(stderr, "chophien: %zu dòng sai, không ghi gì:\n", report->errors.size());
    for (const auto& e : report->errors) {
      std::fprintf(stderr, "  dòng %d%s%s: %s\n", e.line, e.field.empty() ? "" : ", cột ",
                   e.field.c_str(), e.message.c_str());
    }
    return 1;
  }
  std::printf("Đã nhập %d dòng: %d sản phẩm mới, %d cập nhật.\n", report->rows, report->inserted,
              report->updated);
  return 0;
}

int export_products_command(Args args) {
  DbOptions options;
  std::optional<std::string> out;
  for (size_t i = 0; i < args.size(); ++i) {
    auto a = args[i];
    if (auto read = read_db_option(args, i, options, kExportUsage)) {
      if (*read != 0) return *read;
      continue;
    }
    if (a == "--help" || a == "-h") {
      std::fputs(kExportUsage.data(), stdout);
      return 0;
    } else if (a == "--out") {
      auto v = option_value(args, i);
      if (!v) return usage_error("--out needs a file", kExportUsage);
      out = std::string(*v);
    } else {
      return usage_error("unknown option " + std::string(a), kExportUsage);
    }
  }
  auto db = core::Database::open(options.db_file);
  if (!db) return fail(db.error());
  core::ProductStore store(*db, core::system_clock());
  auto products = options.producer ? store.list_by_producer(*options.producer) : store.list_all();
  if (!products) return fail(products.error());
  std::string csv = core::export_products_csv(*products);
  if (out) {
    std::ofstream file(*out, std::ios::binary | std::ios::trunc);
    if (!file || !file.write(csv.data(), static_cast<std::streamsize>(csv.size()))) {
      std::fprintf(stderr, "chophien: cannot write %s\n", out->c_str());
      return 1;
    }
    std::fprintf(stderr, "Đã xuất %zu sản phẩm vào %s.\n", products->size(), out->c_str());
  } else {
    std::fwrite(csv.data(), 1, csv.size(), stdout);
  }
  return 0;
}

}  // namespace chophien::app
