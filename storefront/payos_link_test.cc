// payOS payment links on the customer's order page, end to end over real HTTP on 127.0.0.1
// against a local fake of payOS's merchant API. The fake checks what payOS checks (client id and
// API key headers, the required fields and their types, the description length, the request
// signature over amount, cancelUrl, description, orderCode and returnUrl with the checksum key)
// and answers as payOS does: signed data, "231" for an order code that exists, the link on GET.
#include <gtest/gtest.h>
#include <httplib.h>
#include <openssl/evp.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "core/log.h"
#include "core/orders.h"
#include "integrations/notification_accounts.h"
#include "integrations/payos.h"
#include "integrations/secret_box.h"
#include "qr/payload.h"
#include "storefront/test_server.h"

namespace chophien::storefront {
namespace {

using nlohmann::json;
namespace in = integrations;

const std::string kKey(64, 'p');
constexpr const char* kAccount = "0071000777777";
constexpr int64_t kPrice = 185000;
constexpr const char* kClientId = "payos-client-7";
constexpr const char* kApiKey = "payos-api-key-7";
constexpr const char* kChecksum = "payos-checksum-key-7";

void seed(core::Database& db) {
  db.exec(
        "INSERT OR IGNORE INTO areas (code, valid_from, valid_to, level, name_vi, full_name_vi) "
        "VALUES ('01290', '2025-07-01', NULL, 'commune', 'Bảo Lâm', 'Xã Bảo Lâm')")
      .value();
  auto s = db.prepare(
      "INSERT INTO producers (name, entity_type, area_code, area_valid_from, phone, address, "
      "bank_bin, bank_account, bank_holder, created_at, status) VALUES ('HTX Chè Shan', "
      "'cooperative', '01290', '2025-07-01', '0912345678', '', '970436', ?1, 'HTX CHE SHAN', 0, "
      "'active')");
  s->bind(1, kAccount);
  s->run().value();
  auto p = db.prepare(
      "INSERT INTO products (producer_id, sku, name, name_key, ocop_group, unit, price_vnd, "
      "stock, status, created_at, updated_at) VALUES (1, 'CHE-1', 'Chè Shan tuyết', 'che shan "
      "tuyet', 'G1', 'hộp', ?1, 1000, 'active', 0, 0)");
  p->bind(1, kPrice);
  p->run().value();
}

// payOS's merchant API as far as payment links go.
class FakePayos {
 public:
  FakePayos() {
    server_.Post("/v2/payment-requests", [this](const httplib::Request& req,
                                                httplib::Response& res) {
      std::lock_guard lock(mutex_);
      ++creates;
      auto answer = [&](const json& out) { res.set_content(out.dump(), "application/json"); };
      if (req.get_header_value("x-client-id") != kClientId ||
          req.get_header_value("x-api-key") != kApiKey) {
        res.status = 401;
        return answer({{"code", "401"}, {"desc", "Unauthorized"}});
      }
      json body = json::parse(req.body, nullptr, false);
      const bool fields_ok =
          body.is_object() && body.contains("orderCode") && body["orderCode"].is_number_integer() &&
          body.contains("amount") && body["amount"].is_number_integer() &&
          body["amount"].get<int64_t>() > 0 && body.contains("description") &&
          body["description"].is_string() && body["description"].get<std::string>().size() <= 25 &&
          body.contains("cancelUrl") && body["cancelUrl"].is_string() &&
          body.contains("returnUrl") && body["returnUrl"].is_string() &&
          body.contains("signature") && body["signature"].is_string() &&
          (!body.contains("expiredAt") || body["expiredAt"].is_number_integer());
      if (!fields_ok) return answer({{"code", "20"}, {"desc", "Dữ liệu không hợp lệ"}});
      const std::string expected =
          in::payos_link_signature(kChecksum, body["amount"], body["cancelUrl"].get<std::string>(),
                                   body["description"].get<std::string>(), body["orderCode"],
                                   body["returnUrl"].get<std::string>());
      if (body["signature"] != expected) {
        ++bad_signatures;
        return answer({{"code", "20"}, {"desc", "Chữ ký không hợp lệ"}});
      }
      requests.push_back(body);
      const int64_t code = body["orderCode"];
      if (links_.contains(code)) {
        return answer({{"code", "231"}, {"desc", "Đơn thanh toán đã tồn tại"}});
      }
      const std::string id = "pl" + std::to_string(1000 + code);
      json data = {{"bin", "970436"},
                   {"accountNumber", account},
                   {"accountName", "HTX CHE SHAN"},
                   {"amount", body["amount"]},
                   {"description", body["description"]},
                   {"orderCode", code},
                   {"currency", "VND"},
                   {"paymentLinkId", id},
                   {"status", "PENDING"},
                   {"checkoutUrl", "https://pay.payos.vn/web/" + id},
                   {"qrCode", qr_payload(body["amount"], body["description"])}};
      links_[code] = data;
      answer({{"code", "00"},
              {"desc", "success"},
              {"data", data},
              {"signature", in::payos_data_signature(answer_key, data)}});
    });
    // GET answers with the link's state, as payOS documents it (no checkout URL, no QR).
    server_.Get(R"(/v2/payment-requests/(\d+))", [this](const httplib::Request& req,
                                                        httplib::Response& res) {
      std::lock_guard lock(mutex_);
      ++gets;
      if (req.get_header_value("x-client-id") != kClientId ||
          req.get_header_value("x-api-key") != kApiKey) {
        res.status = 401;
        return;
      }
      const int64_t code = std::stoll(req.matches[1].str());
      auto it = links_.find(code);
      if (it == links_.end()) {
        res.set_content(R"({"code":"101","desc":"Không tìm thấy"})", "application/json");
        return;
      }
      json data = {{"id", it->second["paymentLinkId"]},
                   {"orderCode", code},
                   {"amount", it->second["amount"]},
                   {"amountPaid", 0},
                   {"amountRemaining", it->second["amount"]},
                   {"status", "PENDING"},
                   {"createdAt", "2025-07-01T07:00:00+07:00"},
                   {"transactions", json::array()},
                   {"canceledAt", nullptr},
                   {"cancellationReason", nullptr}};
      res.set_content(json{{"code", "00"},
                           {"desc", "success"},
                           {"data", data},
                           {"signature", in::payos_data_signature(answer_key, data)}}
                          .dump(),
                      "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() before the loop runs would be lost: wait until it serves.
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~FakePayos() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // A VietQR payload for payOS's account, as payOS's qrCode carries one.
  static std::string qr_payload(int64_t amount, const std::string& memo) {
    qr::EncodeRequest request;
    request.bank = "970436";
    request.account = "68686868686";
    request.amount_vnd = amount;
    request.additional.purpose = memo;
    return qr::encode(request).value->payload;
  }

  std::atomic<int> creates{0}, gets{0}, bad_signatures{0};
  std::string answer_key = kChecksum;  // the key payOS signs its answers with
  std::string account = kAccount;      // the account payOS says the link pays into
  std::vector<json> requests;          // accepted create requests

 private:
  std::mutex mutex_;
  std::map<int64_t, json> links_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

std::string base64_decode(const std::string& text) {
  std::string out(text.size(), '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return {};
  size_t size = static_cast<size_t>(n);
  for (size_t i = text.size(); i > 0 && text[i - 1] == '='; --i) --size;  // padding
  out.resize(size);
  return out;
}

// The text of the QR code in a PNG, read back with zbarimg.
std::string read_qr(const std::string& png) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("chophien-payos-qr-" + std::to_string(::getpid()) + ".png");
  std::ofstream(path, std::ios::binary) << png;
  std::string out;
  if (FILE* pipe = ::popen(("zbarimg --raw -q " + path.string() + " 2>/dev/null").c_str(), "r")) {
    char buffer[1024];
    size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
    ::pclose(pipe);
  }
  std::filesystem::remove(path);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

class PayosOrderPage : public ::testing::Test {
 protected:
  void start(const std::string& payos_url) {
    Config config = TestServer::quiet_config();
    config.secret_key = kKey;
    config.payos_api_url = payos_url;
    config.public_url = "https://cho.test";
    server_ = std::make_unique<TestServer>(config, seed);
    previous_sink_ = core::set_log_sink([this](std::string_view line) {
      std::lock_guard lock(log_mutex_);
      log_ += std::string(line) + "\n";
    });
  }
  void TearDown() override { core::set_log_sink(previous_sink_); }

  void connect(const std::string& checksum_key = kChecksum) {
    auto db = server_->db().acquire().value();
    auto box = in::SecretBox::from_key(kKey).value();
    in::NotificationAccounts accounts(db, server_->clock(), &box);
    ASSERT_TRUE(
        accounts
            .connect(
                1, "payos",
                {{"client_id", kClientId}, {"api_key", kApiKey}, {"checksum_key", checksum_key}})
            .has_value());
  }

  core::PlacedOrder place() {
    auto db = server_->db().acquire().value();
    core::OrderStore orders(db, server_->clock());
    core::CheckoutRequest request;
    request.items = {{1, 1}};
    request.customer_name = "Lò Thị Hoa";
    request.customer_phone = "0912345678";
    return orders.checkout(request).value().front();
  }

  std::string page(const core::PlacedOrder& placed) {
    auto res = server_->client().Get("/don-hang/" + placed.order.code + "?token=" + placed.token);
    EXPECT_TRUE(res);
    if (!res) return {};
    EXPECT_EQ(res->status, 200);
    return res->body;
  }

  int64_t stored_links() {
    auto db = server_->db().acquire().value();
    auto s = db->prepare("SELECT COUNT(*) FROM payos_links");
    return s->step().value() ? s->column_int(0) : -1;
  }

  std::string log() {
    std::lock_guard lock(log_mutex_);
    return log_;
  }

  static bool shows_our_vietqr(const std::string& html, const core::PlacedOrder& placed) {
    return html.find("/api/v1/orders/" + placed.order.code + "/qr.png") != std::string::npos &&
           html.find(kAccount) != std::string::npos;
  }

  std::unique_ptr<TestServer> server_;
  core::LogSink previous_sink_;
  std::mutex log_mutex_;
  std::string log_;
};

TEST_F(PayosOrderPage, ShowsPayosQrAndCheckoutLinkBesideOurVietqrAndCreatesTheLinkOnce) {
  FakePayos fake;
  start(fake.url());
  connect();
  auto placed = place();

  const std::string html = page(placed);
  EXPECT_TRUE(shows_our_vietqr(html, placed));
  const std::string checkout =
      "https://pay.payos.vn/web/pl" + std::to_string(1000 + placed.order.id);
  EXPECT_NE(html.find("<a class=\"button\" href=\"" + checkout +
                      "\" rel=\"noopener\">Thanh toán "
                      "qua payOS</a>"),
            std::string::npos)
      << html;
  // The payOS QR is an image of payOS's qrCode text.
  const std::string prefix = "src=\"data:image/png;base64,";
  const size_t at = html.find(prefix);
  ASSERT_NE(at, std::string::npos) << html;
  const size_t end = html.find('"', at + prefix.size());
  const std::string png = base64_decode(html.substr(at + prefix.size(), end - at - prefix.size()));
  EXPECT_EQ(read_qr(png), FakePayos::qr_payload(kPrice, placed.order.code));

  // What payOS was asked for.
  ASSERT_EQ(fake.requests.size(), 1u);
  const json& sent = fake.requests[0];
  EXPECT_EQ(sent["orderCode"], placed.order.id);
  EXPECT_EQ(sent["amount"], kPrice);
  EXPECT_EQ(sent["description"], placed.order.code);
  EXPECT_EQ(sent["returnUrl"],
            "https://cho.test/don-hang/" + placed.order.code + "?token=" + placed.token);
  EXPECT_EQ(sent["expiredAt"], placed.order.expires_at);
  EXPECT_EQ(fake.bad_signatures.load(), 0);

  // Later views read the stored link: payOS is not asked again.
  const std::string again = page(placed);
  EXPECT_NE(again.find(checkout), std::string::npos);
  EXPECT_EQ(fake.creates.load(), 1);
  EXPECT_EQ(stored_links(), 1);
  EXPECT_EQ(log().find(kApiKey), std::string::npos);
  EXPECT_EQ(log().find(kChecksum), std::string::npos);
}

TEST_F(PayosOrderPage, CodeExistsAnswer231FetchesTheExistingLinkInsteadOfCreatingAnother) {
  FakePayos fake;
  start(fake.url());
  connect();
  auto placed = place();
  page(placed);
  ASSERT_EQ(stored_links(), 1);
  {
    // The stored row is lost (say, a restore from an older backup).
    auto db = server_->db().acquire().value();
    db->exec("DELETE FROM payos_links").value();
  }
  const std::string html = page(placed);
  EXPECT_TRUE(shows_our_vietqr(html, placed));
  EXPECT_EQ(fake.creates.load(), 2);
  EXPECT_EQ(fake.gets.load(), 1);
  auto db = server_->db().acquire().value();
  auto s = db->prepare("SELECT payment_link_id, amount_vnd FROM payos_links WHERE order_id = ?1");
  s->bind(1, placed.order.id);
  ASSERT_TRUE(s->step().value());
  EXPECT_EQ(s->column_text(0), "pl" + std::to_string(1000 + placed.order.id));
  EXPECT_EQ(s->column_int(1), kPrice);
  // The fetched link carries no checkout URL, so only our VietQR is offered; nothing looks broken.
  EXPECT_EQ(html.find("payOS</a>"), std::string::npos);
  EXPECT_EQ(html.find("lỗi"), std::string::npos);
}

TEST_F(PayosOrderPage, ARefusedRequestOrAForgedAnswerLeavesOnlyOurVietqrAndIsLogged) {
  FakePayos fake;
  start(fake.url());
  connect("not-the-checksum-key");  // our request's signature is then wrong
  auto refused = place();
  std::string html = page(refused);
  EXPECT_TRUE(shows_our_vietqr(html, refused));
  EXPECT_EQ(html.find("payOS"), std::string::npos);
  EXPECT_EQ(fake.bad_signatures.load(), 1);
  EXPECT_NE(log().find("event=payos.link_failed order=" + refused.order.code), std::string::npos)
      << log();
  EXPECT_EQ(log().find("not-the-checksum-key"), std::string::npos);
  // A refused order is not sent again at every refresh.
  page(refused);
  EXPECT_EQ(fake.creates.load(), 1);

  connect();
  fake.answer_key = "someone-else";  // payOS's answer does not verify with our key
  auto forged = place();
  html = page(forged);
  EXPECT_TRUE(shows_our_vietqr(html, forged));
  EXPECT_EQ(html.find("payOS"), std::string::npos);
  EXPECT_EQ(stored_links(), 0);
  EXPECT_NE(log().find("event=payos.link_failed order=" + forged.order.code), std::string::npos);
}

// payOS pays into whatever account its channel is tied to. A link into any other account than the
// one the order shows (a payOS connection replaced with somebody else's keys) is never offered.
TEST_F(PayosOrderPage, ALinkIntoAnotherAccountThanTheOrdersIsNeverOffered) {
  FakePayos fake;
  start(fake.url());
  connect();
  fake.account = "1903999888777";  // another channel's account
  auto placed = place();
  std::string html = page(placed);
  EXPECT_TRUE(shows_our_vietqr(html, placed));
  EXPECT_EQ(html.find("pay.payos.vn"), std::string::npos);
  EXPECT_EQ(html.find("1903999888777"), std::string::npos);
  EXPECT_NE(log().find("event=payos.link_failed order=" + placed.order.code), std::string::npos)
      << log();
  // Also when the link was stored earlier: it is checked again each time it is shown.
  EXPECT_EQ(page(placed).find("pay.payos.vn"), std::string::npos);
}

TEST_F(PayosOrderPage, PayosWebhookForTheLinkPaysTheOrderAndAWrongSignatureIsRefused) {
  FakePayos fake;
  start(fake.url());
  connect();
  auto placed = place();
  ASSERT_NE(page(placed).find("Thanh toán qua payOS"), std::string::npos);

  json data = {{"orderCode", placed.order.id},
               {"amount", kPrice},
               {"description", placed.order.code},
               {"accountNumber", kAccount},
               {"reference", "FT25182" + std::to_string(placed.order.id)},
               {"transactionDateTime", "2025-07-01 07:20:00"},
               {"currency", "VND"},
               {"paymentLinkId", "pl" + std::to_string(1000 + placed.order.id)},
               {"code", "00"},
               {"desc", "success"},
               {"counterAccountBankId", ""},
               {"counterAccountBankName", ""},
               {"counterAccountName", nullptr},
               {"counterAccountNumber", nullptr},
               {"virtualAccountName", ""},
               {"virtualAccountNumber", ""}};
  auto send = [&](const std::string& key) {
    json body = {{"code", "00"},
                 {"desc", "success"},
                 {"success", true},
                 {"data", data},
                 {"signature", in::payos_data_signature(key, data)}};
    return server_->client().Post("/hooks/payos?producer=1", body.dump(), "application/json");
  };
  auto wrong = send("not-the-checksum-key");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_NE(page(placed).find("Thanh toán qua payOS"), std::string::npos);  // still unpaid

  auto right = send(kChecksum);
  ASSERT_TRUE(right);
  EXPECT_EQ(right->status, 200) << right->body;
  const std::string paid = page(placed);
  EXPECT_NE(paid.find("Đã thanh toán"), std::string::npos);
  EXPECT_EQ(paid.find("Thanh toán qua payOS"), std::string::npos);
}

// Last in this file: payOS being down is remembered (by base URL) for a minute of the test clock.
TEST_F(PayosOrderPage, UnreachablePayosLeavesOnlyOurVietqr) {
  std::string closed_url;
  {
    FakePayos gone;  // a port that was just listening and is now closed
    closed_url = gone.url();
  }
  start(closed_url);
  connect();
  auto placed = place();
  const std::string html = page(placed);
  EXPECT_TRUE(shows_our_vietqr(html, placed));
  EXPECT_EQ(html.find("payOS"), std::string::npos);
  EXPECT_EQ(stored_links(), 0);
  EXPECT_NE(log().find("event=payos.link_failed order=" + placed.order.code), std::string::npos);
}

}  // namespace
}  // namespace chophien::storefront
