// `chophien reconcile [--db FILE]`: asks each connected notification service for the account's
// recent transactions and feeds those that never arrived by webhook through the same matching
// (integrations/reconcile.h), so a lost webhook still pays its order. Meant to run every 15-30
// minutes (cron or a systemd timer) beside `chophien serve`; safe to run any number of times.
// Settings from the environment: CHOPHIEN_DB, CHOPHIEN_SECRET_KEY (needed to open the stored
// keys), CHOPHIEN_SEPAY_API_URL, CHOPHIEN_CASSO_API_URL (docs/configuration.md).
// Exit status: 0 all connections answered, 1 a connection or the database failed, 2 usage.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "app/commands.h"
#include "core/clock.h"
#include "core/database.h"
#include "integrations/reconcile.h"
#include "integrations/secret_box.h"

namespace chophien::app {
namespace {

constexpr std::string_view kReconcileUsage =
    "usage: chophien reconcile [--db FILE]\n"
    "\n"
    "Đối soát: hỏi SePay và Casso các giao dịch gần đây của tài khoản từng nhà sản xuất đã kết\n"
    "nối, và ghi nhận những giao dịch chưa đến qua webhook (không ghi trùng).\n"
    "\n"
    "  --db FILE    tệp cơ sở dữ liệu (mặc định CHOPHIEN_DB hoặc chophien.db)\n"
    "\n"
    "Biến môi trường: CHOPHIEN_SECRET_KEY (bắt buộc), CHOPHIEN_SEPAY_API_URL,\n"
    "CHOPHIEN_CASSO_API_URL.\n"
    "Mã thoát: 0 thành công, 1 có kết nối hoặc cơ sở dữ liệu lỗi, 2 sai cách dùng.\n";

std::string env_or(const char* name, std::string fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string(value) : fallback;
}

}  // namespace

int reconcile_command(Args args) {
  std::string db_path = env_or("CHOPHIEN_DB", "chophien.db");
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--help" || args[i] == "-h") {
      std::fwrite(kReconcileUsage.data(), 1, kReconcileUsage.size(), stdout);
      return 0;
    }
    if (args[i] == "--db" && i + 1 < args.size()) {
      db_path = std::string(args[++i]);
    } else {
      std::fprintf(stderr, "chophien reconcile: unknown option '%s'\n",
                   std::string(args[i]).c_str());
      return 2;
    }
  }
  auto box = integrations::SecretBox::from_key(env_or("CHOPHIEN_SECRET_KEY", ""));
  if (!box) {
    std::fprintf(stderr, "chophien reconcile: %s\n", box.error().message.c_str());
    return 1;
  }
  auto db = core::Database::open(db_path);
  if (!db) {
    std::fprintf(stderr, "chophien reconcile: %s\n", db.error().message.c_str());
    return 1;
  }
  integrations::ReconcileSettings settings;
  settings.sepay_api_url = env_or("CHOPHIEN_SEPAY_API_URL", settings.sepay_api_url);
  settings.casso_api_url = env_or("CHOPHIEN_CASSO_API_URL", settings.casso_api_url);
  auto report = integrations::reconcile(*db, core::system_clock(), &*box, settings);
  if (!report) {
    std::fprintf(stderr, "chophien reconcile: %s\n", report.error().message.c_str());
    return 1;
  }
  std::printf(
      "Đã hỏi %d kết nối (bỏ qua %d), %d giao dịch, %d giao dịch mới được ghi nhận, %d được khớp "
      "lại.\n",
      report->connections, report->skipped, report->fetched, report->recovered, report->rematched);
  for (const auto& problem : report->problems) {
    std::fprintf(stderr, "chophien reconcile: %s\n", problem.c_str());
  }
  return report->problems.empty() ? 0 : 1;
}

}  // namespace chophien::app
