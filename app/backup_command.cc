// `chophien backup --db FILE --out FILE [--force]`: copies a live database with SQLite's online
// backup API. The copy is written beside --out under a temporary name and renamed into place, so
// --out is either the previous file or a complete backup, never half of one.
// Exit status: 0 success, 1 refused or failed, 2 usage.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

#include "app/commands.h"
#include "core/database.h"

namespace chophien::app {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kBackupUsage =
    "usage: chophien backup --out FILE [--db FILE] [--force]\n"
    "\n"
    "Sao lưu cơ sở dữ liệu đang chạy (không cần dừng máy chủ) bằng online backup của SQLite.\n"
    "\n"
    "  --db FILE    tệp cơ sở dữ liệu cần sao lưu (mặc định chophien.db); phải tồn tại\n"
    "  --out FILE   tệp bản sao lưu; bắt buộc\n"
    "  --force      ghi đè --out nếu đã có\n"
    "\n"
    "Mã thoát: 0 thành công, 1 bị từ chối hoặc lỗi, 2 sai cách dùng.\n";

int usage_error(const std::string& message) {
  std::fprintf(stderr, "chophien backup: %s\nXem `chophien backup --help`.\n", message.c_str());
  return 2;
}

int failed(const std::string& message) {
  std::fprintf(stderr, "chophien backup: %s\n", message.c_str());
  return 1;
}

}  // namespace

int backup_command(Args args) {
  std::string db_path = "chophien.db";
  std::string out_path;
  bool force = false;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "--help" || arg == "-h") {
      std::fwrite(kBackupUsage.data(), 1, kBackupUsage.size(), stdout);
      return 0;
    }
    if (arg == "--force") {
      force = true;
    } else if (arg == "--db" || arg == "--out") {
      if (i + 1 >= args.size()) return usage_error(std::string(arg) + " needs a file");
      (arg == "--db" ? db_path : out_path) = std::string(args[++i]);
    } else {
      return usage_error("unknown option '" + std::string(arg) + "'");
    }
  }
  if (out_path.empty()) return usage_error("--out FILE is required");
  if (db_path.empty()) return usage_error("--db FILE is empty");

  std::error_code ec;
  // Opening a missing file would create an empty database: refuse instead.
  if (!fs::is_regular_file(db_path, ec)) {
    return failed("không tìm thấy cơ sở dữ liệu (database not found): " + db_path);
  }
  if (fs::exists(out_path, ec)) {
    if (fs::equivalent(db_path, out_path, ec)) {
      return failed("--out là chính cơ sở dữ liệu (--out is the database itself)");
    }
    if (!force) {
      return failed("tệp đã tồn tại, dùng --force để ghi đè (exists; use --force): " + out_path);
    }
    if (!fs::is_regular_file(out_path, ec)) {
      return failed("--out không phải tệp thường (not a regular file): " + out_path);
    }
  }

  auto db = core::Database::open(db_path);
  if (!db) return failed(db.error().message);

  const std::string temp = out_path + ".tmp-" + std::to_string(::getpid());
  fs::remove(temp, ec);
  auto copied = db->backup_to(temp);
  if (!copied) {
    fs::remove(temp, ec);
    return failed("sao lưu thất bại (backup failed): " + copied.error().message);
  }
  // Stale companions of an overwritten database would be applied to the new copy on open.
  fs::remove(out_path + "-wal", ec);
  fs::remove(out_path + "-shm", ec);
  fs::rename(temp, out_path, ec);
  if (ec) {
    const std::string reason = ec.message();
    fs::remove(temp, ec);
    return failed("không ghi được " + out_path + ": " + reason);
  }
  const auto size = fs::file_size(out_path, ec);
  std::fprintf(stdout, "Đã sao lưu %s -> %s (%llu byte)\n", db_path.c_str(), out_path.c_str(),
               static_cast<unsigned long long>(ec ? 0 : size));
  return 0;
}

}  // namespace chophien::app
