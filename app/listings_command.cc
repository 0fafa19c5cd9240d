// `chophien export-listings --platform postmart|voso --producer ID --out FILE`: the bulk-upload
// file of a marketplace without a seller API, and its checklist (integrations/listing_export.h,
// docs/listing-export.md). Exit status: 0 written, 1 failure (products to fix listed, no file),
// 2 usage error.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>

#include "app/cli_support.h"
#include "app/commands.h"
#include "core/clock.h"
#include "core/database.h"
#include "integrations/listing_export.h"

namespace chophien::app {
namespace {

constexpr std::string_view kUsage =
    "usage: chophien export-listings --platform postmart|voso --producer ID --out FILE\n"
    "                                [--checklist FILE] [--public-url URL] [--db FILE]\n"
    "\n"
    "Viết tệp đăng sản phẩm hàng loạt (CSV UTF-8) cho postmart.vn hoặc voso.vn từ các sản phẩm\n"
    "đang bán của một chủ thể, và danh sách việc cần làm khi tải lên (in ra, hoặc ghi vào\n"
    "--checklist). Sàn không công bố mẫu tệp: đối chiếu cột với mẫu của sàn trước khi tải lên.\n"
    "Sản phẩm thiếu thông tin bắt buộc được liệt kê và không tệp nào được ghi.\n"
    "\n"
    "  --platform P     postmart hoặc voso (bắt buộc)\n"
    "  --producer ID    mã số chủ thể (bắt buộc)\n"
    "  --out FILE       tệp CSV cần ghi (bắt buộc)\n"
    "  --checklist FILE ghi danh sách việc cần làm vào tệp thay vì in ra\n"
    "  --public-url URL địa chỉ cửa hàng, cho đường dẫn ảnh (mặc định CHOPHIEN_PUBLIC_URL)\n"
    "  --db FILE        tệp cơ sở dữ liệu (mặc định chophien.db)\n";

int usage_error(std::string_view message) { return app::usage_error(message, kUsage); }

bool write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  return out && out.write(bytes.data(), static_cast<std::streamsize>(bytes.size())) && out.flush();
}

}  // namespace

int export_listings_command(Args args) {
  DbOptions options;
  std::optional<std::string> platform, out, checklist;
  const char* env_url = std::getenv("CHOPHIEN_PUBLIC_URL");
  std::string public_url = env_url != nullptr ? env_url : "";
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
      if (!v || !integrations::make_listing_exporter(*v))
        return usage_error("--platform must be postmart or voso");
      platform = std::string(*v);
    } else if (a == "--out") {
      auto v = option_value(args, i);
      if (!v) return usage_error("--out needs a file");
      out = std::string(*v);
    } else if (a == "--checklist") {
      auto v = option_value(args, i);
      if (!v) return usage_error("--checklist needs a file");
      checklist = std::string(*v);
    } else if (a == "--public-url") {
      auto v = option_value(args, i);
      if (!v) return usage_error("--public-url needs a URL");
      public_url = *v;
    } else {
      return usage_error("unknown option " + std::string(a));
    }
  }
  if (!platform) return usage_error("--platform is required");
  if (!options.producer) return usage_error("--producer is required");
  if (!out) return usage_error("--out is required");
  if (!public_url.starts_with("http://") && !public_url.starts_with("https://"))
    return usage_error("photo links need --public-url (or CHOPHIEN_PUBLIC_URL): http(s)://HOST");

  auto db = core::Database::open(options.db_file);
  if (!db) {
    std::fprintf(stderr, "chophien: %s\n", db.error().message.c_str());
    return 1;
  }
  auto items =
      integrations::listing_items(*db, core::system_clock(), *options.producer, public_url);
  if (!items) {
    std::fprintf(stderr, "chophien: %s (%s)\n", items.error().message.c_str(),
                 error_code_name(items.error().code));
    return 1;
  }
  const auto exporter = integrations::make_listing_exporter(*platform);
  const auto file = exporter->write(*items);
  if (checklist) {
    if (!write_file(*checklist, file.checklist)) {
      std::fprintf(stderr, "chophien: cannot write %s\n", checklist->c_str());
      return 1;
    }
  } else {
    std::fputs(file.checklist.c_str(), stdout);
  }
  if (!file.ok()) {
    std::fprintf(stderr, "chophien: %zu lỗi, không ghi tệp:\n", file.problems.size());
    for (const auto& p : file.problems)
      std::fprintf(stderr, "  %s, cột %s: %s\n", p.sku.c_str(), p.column.c_str(),
                   p.message.c_str());
    return 1;
  }
  if (file.products == 0) {
    std::fprintf(stderr, "chophien: chủ thể chưa có sản phẩm nào đang bán, không ghi tệp\n");
    return 1;
  }
  if (!write_file(*out, file.bytes)) {
    std::fprintf(stderr, "chophien: cannot write %s\n", out->c_str());
    return 1;
  }
  std::fprintf(stderr, "Đã ghi %d sản phẩm vào %s.\n", file.products, out->c_str());
  return 0;
}

}  // namespace chophien::app
