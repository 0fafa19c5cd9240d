// The reconciliation scheduled inside `chophien serve`: the real binary, started with a one-second
// interval against a local fake of SePay's transaction list, pays an order whose webhook never
// arrived, logs the pass, and still stops cleanly on SIGTERM.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "core/clock.h"
#include "core/database.h"
#include "core/orders.h"
#include "integrations/notification_accounts.h"
#include "integrations/reconcile.h"
#include "integrations/secret_box.h"

namespace chophien::storefront {
namespace {

using nlohmann::json;
namespace in = integrations;

const std::string kKey(64, 'r');
constexpr const char* kAccount = "0071000555555";
constexpr const char* kToken = "SEPAY-user-api-token-5";
constexpr int64_t kPrice = 120000;

// SePay's user API transaction list, for the Bearer token it expects.
class FakeSepayList {
 public:
  explicit FakeSepayList(json transactions) : transactions_(std::move(transactions)) {
    server_.Get("/userapi/transactions/list", [this](const httplib::Request& req,
                                                     httplib::Response& res) {
      ++calls;
      if (req.get_header_value("Authorization") != std::string("Bearer ") + kToken) {
        res.status = 401;
        res.set_content(R"({"status":401,"error":"unauthorized"})", "application/json");
        return;
      }
      json out = json::array();
      for (const auto& t : transactions_) {
        if (t["account_number"] == req.get_param_value("account_number")) out.push_back(t);
      }
      res.set_content(
          json{{"status", 200}, {"messages", {{"success", true}}}, {"transactions", out}}.dump(),
          "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() before the loop runs would be lost: wait until it serves.
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~FakeSepayList() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::atomic<int> calls{0};

 private:
  json transactions_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

// A producer with a receiving account, a product, a SePay connection; returns an unpaid order.
core::PlacedOrder prepare(const std::string& path) {
  auto db = core::Database::open(path).value();
  db.exec(
        "INSERT OR IGNORE INTO areas (code, valid_from, valid_to, level, name_vi, full_name_vi) "
        "VALUES ('01290', '2025-07-01', NULL, 'commune', 'Bảo Lâm', 'Xã Bảo Lâm')")
      .value();
  auto s = db.prepare(
      "INSERT INTO producers (name, entity_type, area_code, area_valid_from, phone, address, "
      "bank_bin, bank_account, bank_holder, created_at, status) VALUES ('HTX Mật ong', "
      "'cooperative', '01290', '2025-07-01', '0912345678', '', '970436', ?1, 'HTX MAT ONG', 0, "
      "'active')");
  s->bind(1, kAccount);
  s->run().value();
  auto p = db.prepare(
      "INSERT INTO products (producer_id, sku, name, name_key, ocop_group, unit, price_vnd, "
      "stock, status, created_at, updated_at) VALUES (1, 'MO-1', 'Mật ong bạc hà', 'mat ong bac "
      "ha', 'G1', 'chai', ?1, 100, 'active', 0, 0)");
  p->bind(1, kPrice);
  p->run().value();
  auto box = in::SecretBox::from_key(kKey).value();
  in::NotificationAccounts(db, core::system_clock(), &box)
      .connect(1, "sepay",
               {{"mode", "apikey"}, {"api_key", "SEPAY-webhook-key-5"}, {"api_token", kToken}})
      .value();
  core::CheckoutRequest request;
  request.items = {{1, 1}};
  request.customer_name = "Hoàng Văn Nam";
  request.customer_phone = "0987654321";
  return core::OrderStore(db, core::system_clock()).checkout(request).value().front();
}

core::OrderStatus status_of(const std::string& path, const std::string& code) {
  auto db = core::Database::open(path).value();
  return core::OrderStore(db, core::system_clock()).find_by_code(code).value().status;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ScheduledReconciliation, ALostWebhookGetsTheOrderPaidByTheJobInsideServe) {
  std::string dir_pattern =
      (std::filesystem::temp_directory_path() / "chophien-reconcile-XXXXXX").string();
  ASSERT_NE(::mkdtemp(dir_pattern.data()), nullptr);
  const std::filesystem::path dir = dir_pattern;
  const std::string db = (dir / "shop.db").string();
  const std::string log = (dir / "serve.log").string();
  const auto placed = prepare(db);

  // The transfer reached the bank; its webhook never reached us.
  FakeSepayList fake(json::array({json{{"id", "88001"},
                                       {"bank_brand_name", "Vietcombank"},
                                       {"account_number", kAccount},
                                       {"transaction_date", "2025-07-01 08:00:00"},
                                       {"amount_out", "0.00"},
                                       {"amount_in", std::to_string(kPrice) + ".00"},
                                       {"accumulated", "5120000.00"},
                                       {"transaction_content", "CK " + placed.order.code},
                                       {"reference_number", "FT88001"},
                                       {"code", nullptr},
                                       {"sub_account", nullptr},
                                       {"bank_account_id", "7"}}}));
  ASSERT_EQ(status_of(db, placed.order.code), core::OrderStatus::pending_payment);

  const std::string sepay_url = fake.url();
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::setenv("CHOPHIEN_LOG", "off", 1);
    ::setenv("CHOPHIEN_SECRET_KEY", kKey.c_str(), 1);
    ::setenv("CHOPHIEN_SEPAY_API_URL", sepay_url.c_str(), 1);
    ::setenv("CHOPHIEN_RECONCILE_INTERVAL", "1", 1);
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(fd, 2);
    int devnull = ::open("/dev/null", O_WRONLY);
    ::dup2(devnull, 1);
    ::execl(CHOPHIEN_BINARY, CHOPHIEN_BINARY, "serve", "--db", db.c_str(), "--listen",
            "127.0.0.1:0", "--threads", "2", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // Poll the database for up to 30 seconds (a pass runs every second).
  bool paid = false;
  for (int attempt = 0; attempt < 300 && !paid; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    paid = status_of(db, placed.order.code) == core::OrderStatus::paid;
  }
  EXPECT_TRUE(paid) << read_file(log);
  EXPECT_GE(fake.calls.load(), 1);

  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0);

  const std::string text = read_file(log);
  EXPECT_NE(text.find("event=reconcile.recovered provider=sepay"), std::string::npos) << text;
  EXPECT_NE(text.find("event=reconcile.pass connections=1"), std::string::npos) << text;
  EXPECT_EQ(text.find(kToken), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(ScheduledReconciliation, StoppingDoesNotWaitForTheNextPass) {
  std::atomic<int> runs{0};
  in::PeriodicJob job(std::chrono::hours(1), [&] { ++runs; });
  job.start();
  job.stop();  // returns at once: a test timeout would catch an hour-long wait
  EXPECT_EQ(runs.load(), 0);
  EXPECT_EQ(job.passes(), 0);

  in::PeriodicJob quick(std::chrono::milliseconds(1), [&] { ++runs; });
  quick.start();
  while (quick.passes() < 3) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  quick.stop();
  const int after_stop = runs.load();
  EXPECT_GE(after_stop, 3);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(runs.load(), after_stop);  // nothing runs after stop()
}

}  // namespace
}  // namespace chophien::storefront
