// `chophien sync [--db FILE] [--shop ID] [--dry-run] [--orders] [--mode live|dry-run]`: one run of
// the marketplace worker (integrations/sync.h): sends what is due, paced by the per-shop rate
// limit, with progress on a terminal and a summary; --dry-run shows every request instead;
// --orders pulls recent orders into the ledger; --mode sets a shop's dry-run setting.
// Exit status: 0 done, 1 a failure (listed), 2 usage.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "app/commands.h"
#include "core/clock.h"
#include "core/database.h"
#include "integrations/sync.h"

namespace chophien::app {
namespace {

constexpr std::string_view kSyncUsage =
    "usage: chophien sync [--db FILE] [--shop ID] [--dry-run] [--orders] [--mode live|dry-run]\n"
    "\n"
    "Gửi lên sàn (Shopee, Lazada, TikTok Shop) những thay đổi đang chờ: đăng sản phẩm, giá và\n"
    "tồn kho, theo giới hạn tốc độ của từng cửa hàng.\n"
    "\n"
    "  --db FILE     tệp cơ sở dữ liệu (mặc định CHOPHIEN_DB hoặc chophien.db)\n"
    "  --shop ID     chỉ cửa hàng này\n"
    "  --dry-run     không gửi: hiện từng yêu cầu đã ký (ẩn token và khóa)\n"
    "  --orders      lấy đơn hàng gần đây của sàn vào sổ bán hàng (không ghi trùng)\n"
    "  --mode M      đặt chế độ của cửa hàng --shop: live (gửi thật) hoặc dry-run (chỉ xem)\n"
    "\n"
    "Biến môi trường: CHOPHIEN_SECRET_KEY (bắt buộc), CHOPHIEN_{SHOPEE,LAZADA,TIKTOK}_APP_KEY,\n"
    "_APP_SECRET, _API_URL, _AUTH_URL.\n"
    "Mã thoát: 0 thành công, 1 có lỗi, 2 sai cách dùng.\n";

std::string env_or(const char* name, std::string fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string(value) : fallback;
}

int fail(const std::string& message) {
  std::fprintf(stderr, "chophien sync: %s\n", message.c_str());
  return 1;
}

void print_previews(const std::vector<integrations::ShopPreview>& previews, int& problems) {
  for (const auto& shop : previews) {
    std::printf("Cửa hàng %lld (%s, %s)%s\n", static_cast<long long>(shop.shop_ref),
                integrations::platform_name(shop.platform), shop.shop_name.c_str(),
                shop.dry_run_mode ? " [chế độ chạy thử]" : "");
    if (!shop.problem.empty()) {
      ++problems;
      std::printf("  ! %s\n", shop.problem.c_str());
    }
    if (shop.rows.empty() && shop.problem.empty()) std::printf("  (không có gì đang chờ)\n");
    for (const auto& row : shop.rows) {
      std::printf("  #%lld %s %s (%s)\n", static_cast<long long>(row.row.id), row.row.kind.c_str(),
                  row.row.sku.c_str(), integrations::outbox_state_name(row.row.state));
      if (!row.problem.empty()) {
        ++problems;
        std::printf("    ! %s\n", row.problem.c_str());
      }
      for (const auto& r : row.requests) {
        std::printf("    %s %s%s\n", r.request.method.c_str(), r.request.base.c_str(),
                    r.request.target().c_str());
        std::printf("    chuỗi ký: %s\n", r.request.base_string.c_str());
        std::printf("    chữ ký:   %s (%s)\n", r.request.signature.c_str(),
                    r.signature_ok ? "đúng" : "SAI");
        if (!r.signature_ok) ++problems;
        if (!r.request.body.empty()) std::printf("    nội dung: %s\n", r.request.body.c_str());
      }
    }
  }
}

}  // namespace

int sync_command(Args args) {
  std::string db_path = env_or("CHOPHIEN_DB", "chophien.db");
  int64_t shop = 0;
  bool dry_run = false, orders = false;
  std::string mode;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--help" || args[i] == "-h") {
      std::fwrite(kSyncUsage.data(), 1, kSyncUsage.size(), stdout);
      return 0;
    }
    if (args[i] == "--db" && i + 1 < args.size()) {
      db_path = std::string(args[++i]);
    } else if (args[i] == "--shop" && i + 1 < args.size()) {
      shop = std::atoll(std::string(args[++i]).c_str());
      if (shop <= 0) {
        std::fprintf(stderr, "chophien sync: --shop needs a shop number\n");
        return 2;
      }
    } else if (args[i] == "--dry-run") {
      dry_run = true;
    } else if (args[i] == "--orders") {
      orders = true;
    } else if (args[i] == "--mode" && i + 1 < args.size()) {
      mode = std::string(args[++i]);
      if (mode != "live" && mode != "dry-run") {
        std::fprintf(stderr, "chophien sync: --mode is live or dry-run\n");
        return 2;
      }
    } else {
      std::fprintf(stderr, "chophien sync: unknown option '%s'\n%s", std::string(args[i]).c_str(),
                   kSyncUsage.data());
      return 2;
    }
  }
  if (!mode.empty() && shop == 0) {
    std::fprintf(stderr, "chophien sync: --mode needs --shop ID\n");
    return 2;
  }
  auto apps = integrations::marketplace_apps_from_env([](const char* n) { return std::getenv(n); });
  if (!apps) return fail(apps.error().message);
  auto box = integrations::SecretBox::from_key(env_or("CHOPHIEN_SECRET_KEY", ""));
  if (!box) return fail(box.error().message);
  auto db = core::Database::open(db_path);
  if (!db) return fail(db.error().message);
  integrations::MarketplaceSync sync(*db, core::system_clock(), &*box, *apps);

  if (!mode.empty()) {
    if (auto ok = sync.shops().set_dry_run(shop, mode == "dry-run"); !ok) {
      return fail(ok.error().message);
    }
    std::printf("Cửa hàng %lld: %s.\n", static_cast<long long>(shop),
                mode == "dry-run" ? "chế độ chạy thử (không gửi)" : "gửi thật");
    return 0;
  }
  if (orders) {
    auto report = sync.pull_orders(shop);
    if (!report) return fail(report.error().message);
    std::printf(
        "Đã hỏi %d cửa hàng (bỏ qua %d), %d đơn, %d đơn mới vào sổ bán hàng, %d đã có, %d bỏ qua "
        "(hủy, chưa thanh toán, trả hàng).\n",
        report->shops, report->skipped, report->fetched, report->recorded, report->already,
        report->ignored);
    for (const auto& p : report->problems) std::fprintf(stderr, "chophien sync: %s\n", p.c_str());
    return report->problems.empty() ? 0 : 1;
  }
  if (dry_run) {
    auto previews = sync.preview(shop, true);
    if (!previews) return fail(previews.error().message);
    int problems = 0;
    print_previews(*previews, problems);
    std::printf("Chạy thử: không có yêu cầu nào được gửi; %d vấn đề.\n", problems);
    return problems == 0 ? 0 : 1;
  }

  const bool tty = ::isatty(STDERR_FILENO) != 0;
  integrations::SendOptions options;
  options.shop_ref = shop;
  options.wait = [](int64_t seconds) {
    std::this_thread::sleep_for(std::chrono::seconds(seconds));
  };
  if (tty) {
    options.progress = [](int done, int total) {
      std::fprintf(stderr, "\r%d/%d", done, total);
      std::fflush(stderr);
    };
  }
  auto report = sync.send(options);
  if (tty) std::fputs("\r\033[K", stderr);
  if (!report) return fail(report.error().message);
  const auto& t = report->totals;
  std::printf(
      "%d việc đến hạn: %d xong (%d khớp lại theo SKU), %d thử lại sau, %d chờ đối soát, %d "
      "thất bại, %d còn chờ; %d lượt gửi.\n",
      t.due, t.done, t.reconciled, t.retried, t.reconciling, t.failed, t.held, report->passes);
  if (report->dry_run_shops > 0) {
    std::printf("%d cửa hàng ở chế độ chạy thử không được gửi (xem: chophien sync --dry-run).\n",
                report->dry_run_shops);
  }
  for (const auto& p : t.problems) std::fprintf(stderr, "chophien sync: %s\n", p.c_str());
  return t.failed == 0 && t.problems.empty() ? 0 : 1;
}

}  // namespace chophien::app
