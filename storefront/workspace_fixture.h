#pragma once
// For tests of the workspace pages over real HTTP.
//
// prepare_workspace(db): two producers with products and users, written with the core stores
// before the server starts (clock at kWorkspaceNow, 1 May 2026):
//   A "HTX Nông sản Bảo Lâm" (01290, bank account): "Miến dong Bảo Lâm" 3 stars, certificate of
//     2023-06-10 (ends 2026-06-10, within 60 days), 50 in stock; "Mật ong bạc hà" out of stock.
//   B "Hộ Lương Thị Hoa" (01294): "Chè Shan tuyết" 4 stars, 20 in stock.
//   Users (password kWorkspacePassword): "admin", "canbo" (officer), "nsp1" (producer A),
//   "nsp2" (producer B).
//
// Browser: a client that keeps cookies like a browser (Set-Cookie in, Cookie out), remembers
// the last CSRF token a page carried (the hidden field `csrf_token`) and sends it with forms.

#include <httplib.h>

#include <map>
#include <optional>
#include <regex>
#include <string>

#include "core/database.h"
#include "core/orders.h"
#include "core/producers.h"
#include "core/products.h"
#include "core/text.h"
#include "core/users.h"
#include "storefront/test_server.h"

namespace chophien::storefront::fixtures {

inline constexpr const char* kWorkspacePassword = "mat-khau-dai-1";

struct WorkspaceIds {
  int64_t producer_a = 0, producer_b = 0;
  int64_t mien = 0, mat_ong = 0, che = 0;
};

inline int64_t workspace_now() { return core::vietnam_midnight(core::Date{2026, 5, 1}) + 9 * 3600; }

inline WorkspaceIds prepare_workspace(core::Database& db) {
  core::ManualClock clock(workspace_now());
  WorkspaceIds ids;
  core::ProducerStore producers(db, clock);
  core::ProducerFields a;
  a.name = "HTX Nông sản Bảo Lâm";
  a.area_code = "01290";
  a.phone = "0912345678";
  a.bank = {"970436", "0011001234567", "HTX NONG SAN BAO LAM"};
  ids.producer_a = producers.create(a).value().id;
  core::ProducerFields b;
  b.name = "Hộ Lương Thị Hoa";
  b.area_code = "01294";
  b.phone = "0912345679";
  b.bank = {"970418", "2150001234", "LUONG THI HOA"};
  ids.producer_b = producers.create(b).value().id;

  core::ProductStore products(db, clock);
  auto product = [&](int64_t producer, const char* name, int stars, const char* decided,
                     int64_t price, int64_t stock) {
    core::ProductFields f;
    f.name = name;
    f.description = "Đặc sản Bảo Lâm";
    f.ocop_group = "G1";
    f.certificate = core::OcopCertificate{stars, "12/QĐ-UBND", decided, "UBND tỉnh Cao Bằng"};
    f.unit = "gói 500 g";
    f.price_vnd = price;
    f.stock = stock;
    f.status = core::ProductStatus::active;
    return products.create(producer, f).value().id;
  };
  ids.mien = product(ids.producer_a, "Miến dong Bảo Lâm", 3, "2023-06-10", 120000, 50);
  ids.mat_ong = product(ids.producer_a, "Mật ong bạc hà", 4, "2025-01-15", 350000, 0);
  ids.che = product(ids.producer_b, "Chè Shan tuyết", 4, "2025-03-01", 200000, 20);

  core::UsersOptions options;
  options.scrypt.n = 1024;
  core::Users users(db, clock, options);
  auto add = [&](const char* login, const char* display, core::Role role,
                 std::optional<int64_t> producer) {
    core::NewUser u;
    u.login = login;
    u.display_name = display;
    u.password = kWorkspacePassword;
    u.role = role;
    u.producer_id = producer;
    users.create_user(u).value();
  };
  add("admin", "Quản trị", core::Role::admin, std::nullopt);
  add("canbo", "Cán bộ Hà", core::Role::officer, std::nullopt);
  add("nsp1", "Chị Lan", core::Role::producer, ids.producer_a);
  add("nsp2", "Chị Hoa", core::Role::producer, ids.producer_b);
  return ids;
}

// Places an order as a customer's checkout does (core's OrderStore::checkout) at the clock's
// time: `quantity` of `product`, for "Nguyễn Thị Mai" with delivery to an address and a note.
// Returns the order's payment code.
inline std::string place_order(core::Database& db, const core::Clock& clock, int64_t product,
                               int64_t quantity, std::string customer = "Nguyễn Thị Mai") {
  core::OrderStore orders(db, clock);
  core::CheckoutRequest request;
  request.items = {{product, quantity}};
  request.customer_name = std::move(customer);
  request.customer_phone = "0987 654 321";
  request.delivery_method = "delivery";
  request.delivery_address = "Thôn Nà Pồng, xã Bảo Lâm";
  request.note = "Gọi trước khi giao";
  return orders.checkout(request).value().at(0).order.code;
}

class Browser {
 public:
  explicit Browser(const TestServer& server) : server_(server) {}

  httplib::Result get(const std::string& path) {
    httplib::Client client = server_.client();
    return remember(client.Get(path, headers()));
  }

  // Posts a form with the last CSRF token seen (unless `params` has its own csrf_token).
  httplib::Result post(const std::string& path, httplib::Params params) {
    if (!params.count("csrf_token") && !csrf_.empty()) params.emplace("csrf_token", csrf_);
    httplib::Client client = server_.client();
    return remember(client.Post(path, headers(), params));
  }

  // Signs in through the form; true when the server answered 303 with a session cookie.
  bool sign_in(const std::string& login, const std::string& password = kWorkspacePassword) {
    auto page = get("/dang-nhap");
    if (!page || page->status != 200) return false;
    auto res = post("/dang-nhap", {{"login", login}, {"password", password}});
    if (!res || res->status != 303 || !cookies_.count("session")) return false;
    auto home = get("/quan-ly");  // picks up the session's CSRF token
    return home && home->status == 200;
  }

  // The first sign-in of a login someone else created: signs in, is sent to the password page,
  // changes `temporary` to `chosen`; true when the home page then opens.
  bool sign_in_first_time(const std::string& login, const std::string& temporary,
                          const std::string& chosen) {
    auto page = get("/dang-nhap");
    if (!page || page->status != 200) return false;
    auto res = post("/dang-nhap", {{"login", login}, {"password", temporary}});
    if (!res || res->status != 303 || res->get_header_value("Location") != "/quan-ly/doi-mat-khau")
      return false;
    auto form = get("/quan-ly/doi-mat-khau");
    if (!form || form->status != 200) return false;
    auto changed = post("/quan-ly/doi-mat-khau", {{"current_password", temporary},
                                                  {"new_password", chosen},
                                                  {"new_password_again", chosen}});
    if (!changed || changed->status != 303) return false;
    auto home = get("/quan-ly");
    return home && home->status == 200;
  }

  const std::string& csrf() const { return csrf_; }
  std::map<std::string, std::string>& cookies() { return cookies_; }

 private:
  httplib::Headers headers() const {
    std::string cookie;
    for (const auto& [name, value] : cookies_) {
      if (!cookie.empty()) cookie += "; ";
      cookie += name + "=" + value;
    }
    if (cookie.empty()) return {};
    return {{"Cookie", cookie}};
  }

  httplib::Result remember(httplib::Result res) {
    if (!res) return res;
    auto range = res->headers.equal_range("Set-Cookie");
    for (auto it = range.first; it != range.second; ++it) {
      const std::string& line = it->second;
      const auto eq = line.find('=');
      const auto semi = line.find(';');
      if (eq == std::string::npos) continue;
      const std::string name = line.substr(0, eq);
      const std::string value =
          line.substr(eq + 1, semi == std::string::npos ? semi : semi - eq - 1);
      if (line.find("Max-Age=0") != std::string::npos || value.empty())
        cookies_.erase(name);
      else
        cookies_[name] = value;
    }
    static const std::regex token(R"re(name="csrf_token" value="([0-9A-Za-z_\-]+)")re");
    std::smatch m;
    if (std::regex_search(res->body, m, token)) csrf_ = m[1];
    return res;
  }

  const TestServer& server_;
  std::map<std::string, std::string> cookies_;
  std::string csrf_;
};

}  // namespace chophien::storefront::fixtures
