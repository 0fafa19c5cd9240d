// Authenticated payment notifications through HTTP on 127.0.0.1: SePay HMAC-signed webhooks for
// orders made through checkout, each verified on the raw body, stored, matched and applied to its
// order in one transaction (the whole path of POST /hooks/sepay). Reports notifications per second
// and latency percentiles, then checks every order turned paid.
//
//   hooks_bench [--orders N] [--connections C]
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "core/orders.h"
#include "integrations/notification_accounts.h"
#include "integrations/secret_box.h"
#include "integrations/sepay.h"
#include "storefront/test_server.h"

namespace {

using nlohmann::json;
using namespace chophien;
namespace in = chophien::integrations;

constexpr const char* kAccount = "0071000888888";

void seed(core::Database& db) {
  db.exec(
        "INSERT OR IGNORE INTO areas (code, valid_from, valid_to, level, name_vi, full_name_vi) "
        "VALUES "
        "('01290', '2025-07-01', NULL, 'commune', 'Bảo Lâm', 'Xã Bảo Lâm');"
        "INSERT INTO producers (name, entity_type, area_code, area_valid_from, bank_bin, "
        "bank_account, bank_holder, created_at, status) VALUES ('HTX', 'cooperative', '01290', "
        "'2025-07-01', '970436', '0071000888888', 'HTX', 0, 'active');"
        "INSERT INTO products (producer_id, sku, name, name_key, ocop_group, unit, price_vnd, "
        "stock, status, created_at, updated_at) VALUES (1, 'SKU-1', 'Miến dong', 'mien dong', "
        "'G1', 'gói', 150000, 100000000, 'active', 0, 0)")
      .value();
}

}  // namespace

int main(int argc, char** argv) {
  int orders_count = 20000;
  int connections = 8;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string arg = argv[i];
    if (arg == "--orders") orders_count = std::atoi(argv[i + 1]);
    if (arg == "--connections") connections = std::atoi(argv[i + 1]);
  }
  const std::string key(64, 'b');
  storefront::Config config = storefront::TestServer::quiet_config();
  config.secret_key = key;
  config.threads = std::max(connections * 2, 8);
  storefront::TestServer server(config, seed);
  auto box = in::SecretBox::from_key(key).value();

  std::vector<std::string> codes;
  {
    auto db = server.db().acquire().value();
    in::NotificationAccounts(db, server.clock(), &box)
        .connect(1, "sepay", {{"mode", "hmac"}, {"secret", "bench-sepay-secret"}})
        .value();
    core::OrderSettings settings;
    settings.payment_ttl_seconds = 7 * 24 * 3600;
    core::OrderStore orders(db, server.clock(), settings);
    for (int i = 0; i < orders_count; ++i) {
      core::CheckoutRequest r;
      r.items = {{1, 1}};
      r.customer_name = "Nguyễn Thị Mai";
      r.customer_phone = "0912345678";
      codes.push_back(orders.checkout(r).value().front().order.code);
    }
  }

  std::atomic<int> next{0};
  std::atomic<int> failures{0};
  std::vector<std::vector<double>> latencies(static_cast<size_t>(connections));
  const std::string timestamp = std::to_string(server.clock().now());
  auto worker = [&](int w) {
    httplib::Client client("127.0.0.1", server.port());
    client.set_keep_alive(true);
    client.set_tcp_nodelay(true);
    auto& mine = latencies[static_cast<size_t>(w)];
    for (int i = next++; i < orders_count; i = next++) {
      std::string body = json{{"id", 1000000 + i},
                              {"gateway", "Vietcombank"},
                              {"transactionDate", "2025-07-01 07:10:00"},
                              {"accountNumber", kAccount},
                              {"code", nullptr},
                              {"content", "MBVCB.123." + codes[static_cast<size_t>(i)] + ".CT"},
                              {"transferType", "in"},
                              {"transferAmount", 150000},
                              {"referenceCode", "FT" + std::to_string(i)}}
                             .dump();
      httplib::Headers headers = {
          {"X-SePay-Timestamp", timestamp},
          {"X-SePay-Signature", in::sepay_signature("bench-sepay-secret", timestamp, body)}};
      auto start = std::chrono::steady_clock::now();
      auto res = client.Post("/hooks/sepay?producer=1", headers, body, "application/json");
      auto end = std::chrono::steady_clock::now();
      if (!res || res->status != 200) ++failures;
      mine.push_back(std::chrono::duration<double, std::milli>(end - start).count());
    }
  };
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int w = 0; w < connections; ++w) threads.emplace_back(worker, w);
  for (auto& t : threads) t.join();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) { return all[std::min(all.size() - 1, size_t(p * all.size()))]; };

  int paid = 0;
  {
    auto db = server.db().acquire().value();
    auto s = db->prepare("SELECT COUNT(*) FROM orders WHERE status = 'paid'").value();
    if (s.step().value()) paid = static_cast<int>(s.column_int(0));
  }
  std::printf(
      "hooks_bench: %d signed SePay notifications over %d keep-alive connections\n"
      "  %.0f notifications/s   p50 %.2f ms   p99 %.2f ms   max %.2f ms\n"
      "  failures %d   orders paid %d of %d\n",
      orders_count, connections, orders_count / seconds, pct(0.50), pct(0.99), all.back(),
      failures.load(), paid, orders_count);
  return failures.load() == 0 && paid == orders_count ? 0 : 1;
}
