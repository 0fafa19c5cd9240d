// The producer's money pages in the workspace:
//   GET  /quan-ly/thanh-toan                 every received transfer with its match state, the
//                                            connected notification services and webhook URLs
//   POST /quan-ly/thanh-toan/{id}/gan        assigns an unmatched transfer to one of the
//                                            producer's orders (core's rules)
//   POST /quan-ly/thanh-toan/ket-noi/{svc}   connects SePay, Casso or payOS (keys sealed; only
//                                            the producer itself or an administrator)
//   GET  /quan-ly/ban-hang                   sales made outside the system, and the form to
//                                            enter one; POST /quan-ly/ban-hang records it
//   GET  /quan-ly/ma-qr                      the printable stall code (static VietQR) and the
//                                            shop link as a QR; /quan-ly/ma-qr/cua-hang.png
// For producers and for officers or administrators in helper mode. Every change is in the
// action log. Bad input: the page again with a Vietnamese message (400), nothing written.
#include <httplib.h>

#include <cctype>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <utility>

#include "core/audit.h"
#include "core/ledger.h"
#include "core/money.h"
#include "core/orders.h"
#include "core/payments.h"
#include "core/producers.h"
#include "core/text.h"
#include "integrations/notification_accounts.h"
#include "integrations/secret_box.h"
#include "qr/banks.h"
#include "qr/image.h"
#include "storefront/client_address.h"
#include "storefront/hooks.h"
#include "storefront/http_errors.h"
#include "storefront/receiving_account.h"
#include "storefront/routes.h"
#include "storefront/workspace.h"

namespace chophien::storefront {
namespace {

namespace in = integrations;
using BoxRef = std::shared_ptr<std::unique_ptr<in::SecretBox>>;

constexpr const char* kPayments = "/quan-ly/thanh-toan";
constexpr const char* kSales = "/quan-ly/ban-hang";

std::string state_vi(const std::string& state) {
  if (state == "matched") return "Đã khớp đơn";
  if (state == "partial") return "Khớp một phần";
  if (state == "overpaid") return "Trả thừa";
  if (state == "late") return "Đơn đã hết hạn hoặc bị huỷ";
  if (state == "wrong_account") return "Sai tài khoản nhận";
  if (state == "stall") return "Bán tại quầy (mã QR tĩnh)";
  if (state == "ignored") return "Bỏ qua (chuyển đi)";
  if (state == "unmatched") return "Chưa khớp";
  return "Đang xử lý";
}

std::string time_vi(int64_t unix_seconds) {
  const std::string rfc = core::format_rfc3339_vietnam(unix_seconds);
  return core::format_date_vi(core::vietnam_date(unix_seconds)) + " " + rfc.substr(11, 5);
}

std::optional<int64_t> parse_whole(std::string_view text) {
  std::string digits;
  for (char c : text) {
    if (c >= '0' && c <= '9')
      digits += c;
    else if (c != '.' && c != ' ' && c != ',')
      return std::nullopt;
  }
  if (digits.empty() || digits.size() > 15) return std::nullopt;
  return std::stoll(digits);
}

std::string trim(const std::string& text) {
  const auto begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return {};
  return text.substr(begin, text.find_last_not_of(" \t\r\n") - begin + 1);
}

size_t utf8_length(std::string_view text) {
  size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}

// Only the producer itself or an administrator sees and changes the service keys (api.md).
bool may_see_keys(const Workspace& ws) { return ws.caller.is_producer() || ws.caller.is_admin(); }

void payments_page(AppContext& app, const BoxRef& box, const httplib::Request& req,
                   httplib::Response& res, const std::string& notice = {},
                   const std::string& problem = {}, int status = 200) {
  auto db = app.db.acquire();
  if (!db) return write_html_error(res, db.error(), 1);
  auto ws = open_producer_workspace(app, **db, req, res);
  if (!ws) return;
  core::PaymentQuery query;
  query.producer_id = *ws->producer_id;
  query.limit = 200;
  core::PaymentStore payments(**db, app.clock);
  auto list = payments.list(query);
  if (!list) return write_html_error(res, list.error(), 1);
  core::OrderStore orders(**db, app.clock);
  mustache::data items{mustache::data::type::list};
  int unmatched = 0;
  for (const auto& p : *list) {
    mustache::data item;
    item.set("id", std::to_string(p.id));
    item.set("at", time_vi(p.transaction_at.value_or(p.received_at)));
    item.set("amount", core::format_vnd(p.amount_vnd));
    item.set("outgoing", mustache::data(p.direction == "out"));
    item.set("description", p.description);
    item.set("provider", p.provider);
    item.set("state", state_vi(p.match_state));
    if (p.matched_code) item.set("code", *p.matched_code);
    if (p.match_state == "unmatched") {
      item.set("assignable", mustache::data(true));
      ++unmatched;
    }
    items.push_back(item);
  }
  mustache::data data;
  data.set("payments", items);
  data.set("has_payments", mustache::data(!items.is_empty_list()));
  data.set("unmatched", std::to_string(unmatched));
  if (!notice.empty()) data.set("notice", notice);
  if (!problem.empty()) data.set("problem", problem);
  if (may_see_keys(*ws)) {
    in::NotificationAccounts accounts(**db, app.clock, box->get());
    auto connected = accounts.list(*ws->producer_id);
    if (!connected) return write_html_error(res, connected.error(), 1);
    mustache::data services{mustache::data::type::list};
    for (const auto& [code, name] :
         {std::pair{"sepay", "SePay"}, std::pair{"casso", "Casso"}, std::pair{"payos", "payOS"}}) {
      mustache::data s;
      s.set("code", code);
      s.set("name", name);
      s.set(std::string("is_") + code, mustache::data(true));
      s.set("webhook_url", webhook_url(app.config, code, *ws->producer_id));
      s.set("confirm", mustache::data(ws->caller.is_producer()));
      for (const auto& c : *connected) {
        if (c.provider != code) continue;
        std::string hints;
        for (const auto& [secret, hint] : c.hints)
          hints += (hints.empty() ? "" : ", ") + secret + " " + hint;
        if (c.needs_reconnect) {
          s.set("reconnect", "Cần kết nối lại: máy chủ đã đổi khoá mã hoá nên không mở được khoá " +
                                 std::string(name) + " đã lưu, và báo có từ " + name +
                                 " đang bị từ chối tạm thời. Hãy dán lại khoá bên dưới.");
          continue;
        }
        s.set("connected", "Đã kết nối lúc " + time_vi(c.updated_at) +
                               (c.mode.empty() ? "" : ", chế độ " + c.mode) +
                               (hints.empty() ? "" : " (" + hints + ")"));
      }
      services.push_back(s);
    }
    data.set("services", services);
    data.set("keys", mustache::data(true));
    data.set("encryption", mustache::data(*box != nullptr));
  }
  write_workspace_page(app, *ws, req, res, "ws_payments", std::move(data), "Thanh toán", status);
}

void assign(AppContext& app, const BoxRef& box, const httplib::Request& req,
            httplib::Response& res) {
  std::string notice, problem;
  int status = 200;
  {
    auto db = app.db.acquire_writer();
    if (!db) return write_html_error(res, db.error(), 1);
    auto ws = open_producer_workspace(app, **db, req, res);
    if (!ws) return;
    const int64_t id = std::stoll(req.matches[1]);
    const std::string code = trim(form_value(req, "code"));
    core::PaymentStore payments(**db, app.clock);
    auto p = payments.find(id);
    if (!p || p->producer_id != ws->producer_id) {
      if (p || p.error().code == ErrorCode::not_found)
        return write_html_error(res, Error{ErrorCode::not_found, "Không có giao dịch này.", ""});
      return write_html_error(res, p.error(), 1);
    }
    if (code.empty()) {
      problem = "Hãy nhập mã đơn hàng để gán giao dịch.";
      status = 400;
    } else {
      auto tx = (*db)->begin();
      if (!tx) return write_html_error(res, tx.error(), 1);
      auto done = payments.assign(id, code, ws->actor());
      if (!done) {
        switch (done.error().code) {
          case ErrorCode::not_found:
            problem = "Không có đơn hàng mã " + code + " của bạn.";
            status = 404;
            break;
          case ErrorCode::conflict:
          case ErrorCode::invalid_input:
          case ErrorCode::forbidden:
            problem = "Không gán được: " + done.error().message + ".";
            status = done.error().code == ErrorCode::conflict ? 409 : 400;
            break;
          default:
            return write_html_error(res, done.error(), 1);
        }
      } else {
        auto logged = core::AuditLog(**db, app.clock)
                          .record(ws->audit("payment.assign",
                                            core::format_vnd(done->amount_vnd) + " → " + code));
        if (!logged) return write_html_error(res, logged.error(), 1);
        if (auto c = tx->commit(); !c) return write_html_error(res, c.error(), 1);
        notice = "Đã gán giao dịch " + core::format_vnd(done->amount_vnd) + " vào đơn " + code +
                 ": " + state_vi(done->match_state) + ".";
      }
    }
  }
  payments_page(app, box, req, res, notice, problem, status);
}

// What a page says, and its status, when the password confirming `action` ("đổi tài khoản nhận
// tiền") is refused (storefront/receiving_account.h, confirm_password); nullopt for other errors.
std::optional<std::pair<std::string, int>> refused_confirmation(const Error& error,
                                                                const std::string& action,
                                                                const std::string& unchanged) {
  switch (error.code) {
    case ErrorCode::invalid_input:
      return std::pair{"Hãy nhập mật khẩu của bạn để xác nhận " + action + ".", 400};
    case ErrorCode::forbidden:
      return std::pair{"Mật khẩu không đúng. " + unchanged, 403};
    case ErrorCode::rate_limited:
      return std::pair{
          std::string("Đã nhập sai mật khẩu quá nhiều lần. Hãy chờ một lát rồi thử lại."), 429};
    default:
      return std::nullopt;
  }
}

void connect(AppContext& app, const BoxRef& box, const httplib::Request& req,
             httplib::Response& res) {
  std::string notice, problem;
  int status = 200;
  {
    // Not the writer lock: the producer's password is checked (scrypt) first.
    auto db = app.db.acquire();
    if (!db) return write_html_error(res, db.error(), 1);
    auto ws = open_producer_workspace(app, **db, req, res);
    if (!ws) return;
    if (!may_see_keys(*ws))
      return write_html_error(
          res,
          Error{ErrorCode::forbidden,
                "Chỉ nhà sản xuất hoặc quản trị viên mới được đổi khoá dịch vụ thanh toán.", ""});
    const std::string provider = req.matches[1];
    // Whoever holds these keys decides which transfers mark this producer's orders paid (and for
    // payOS, where its customers pay): a sensitive change, confirmed with the producer's password
    // like a change of receiving account, so that a stolen session cannot make it alone.
    if (ws->caller.is_producer()) {
      auto confirmed = confirm_password(**db, app.clock, app.config, ws->caller.user(),
                                        form_value(req, "password"),
                                        limited_address(req, app.config.trusted_proxies));
      if (!confirmed) {
        auto said = refused_confirmation(confirmed.error(), "kết nối " + provider,
                                         "Kết nối " + provider + " chưa đổi.");
        if (!said) return write_html_error(res, confirmed.error(), 1);
        return payments_page(app, box, req, res, notice, said->first, said->second);
      }
    }
    nlohmann::json body = nlohmann::json::object();
    auto put = [&](const char* name) {
      const std::string value = form_value(req, name);
      if (!value.empty()) body[name] = value;
    };
    for (const char* name : {"mode", "api_key", "secret", "api_token", "client_id", "checksum_key"})
      put(name);
    in::NotificationAccounts accounts(**db, app.clock, box->get());
    auto tx = (*db)->begin();
    if (!tx) return write_html_error(res, tx.error(), 1);
    auto stored = accounts.connect(*ws->producer_id, provider, body);
    if (!stored) {
      if (stored.error().code == ErrorCode::unavailable && !*box) {
        problem =
            "Máy chủ chưa được cấu hình khoá mã hoá (CHOPHIEN_SECRET_KEY) nên chưa lưu được "
            "khoá dịch vụ. Hãy báo quản trị viên.";
        status = 503;
      } else if (stored.error().code == ErrorCode::invalid_input ||
                 stored.error().code == ErrorCode::not_found) {
        problem = "Chưa lưu: " + stored.error().message +
                  (stored.error().field.empty() ? "" : " (" + stored.error().field + ")") + ".";
        status = 400;
      } else {
        return write_html_error(res, stored.error(), 1);
      }
    } else {
      auto logged = core::AuditLog(**db, app.clock).record(ws->audit("payment.connect", provider));
      if (!logged) return write_html_error(res, logged.error(), 1);
      if (auto c = tx->commit(); !c) return write_html_error(res, c.error(), 1);
      notice = "Đã lưu kết nối " + provider +
               ". Hãy dán địa chỉ webhook bên dưới vào trang cài đặt của dịch vụ.";
    }
  }
  payments_page(app, box, req, res, notice, problem, status);
}

struct SaleForm {
  std::string date, channel = "cash", settlement = "cash", amount, note;
};

constexpr std::pair<const char*, const char*> kChannels[] = {
    {"cash", "Bán trực tiếp (chợ phiên, tại nhà)"},
    {"social", "Qua Zalo, Facebook, TikTok"},
    {"shopee", "Shopee"},
    {"lazada", "Lazada"},
    {"tiktok_shop", "TikTok Shop"},
    {"postmart", "Postmart"},
    {"voso", "Voso"},
    {"other", "Kênh khác"}};
constexpr std::pair<const char*, const char*> kSettlements[] = {{"cash", "Tiền mặt"},
                                                                {"bank_transfer", "Chuyển khoản"},
                                                                {"e_wallet", "Ví điện tử"},
                                                                {"marketplace", "Sàn thanh toán"},
                                                                {"other", "Khác"}};

const char* label_of(std::span<const std::pair<const char*, const char*>> options,
                     const std::string& value) {
  for (const auto& [code, label] : options)
    if (value == code) return label;
  return nullptr;
}

void sales_page(AppContext& app, const httplib::Request& req, httplib::Response& res, SaleForm form,
                const std::string& notice = {}, const std::string& problem = {},
                const std::string& field = {}, int status = 200) {
  auto db = app.db.acquire();
  if (!db) return write_html_error(res, db.error(), 1);
  auto ws = open_producer_workspace(app, **db, req, res);
  if (!ws) return;
  if (form.date.empty()) form.date = core::format_iso_date(core::vietnam_date(app.clock.now()));
  core::LedgerQuery query;
  query.producer_id = *ws->producer_id;
  query.limit = 100;
  auto rows = core::Ledger(**db, app.clock).list(query);
  if (!rows) return write_html_error(res, rows.error(), 1);
  mustache::data items{mustache::data::type::list};
  for (auto it = rows->rbegin(); it != rows->rend(); ++it) {
    mustache::data item;
    item.set("date", core::format_date_vi(core::vietnam_date(it->occurred_at)));
    const char* channel = label_of(kChannels, it->channel);
    item.set("channel", channel ? std::string(channel) : it->channel);
    const char* settlement = label_of(kSettlements, it->settlement);
    item.set("settlement", settlement ? std::string(settlement) : it->settlement);
    item.set("amount", core::format_vnd(it->amount_vnd));
    item.set("hand", mustache::data(it->source_kind == "hand_entry"));
    item.set("note", it->note);
    items.push_back(item);
  }
  mustache::data data;
  data.set("sales", items);
  data.set("has_sales", mustache::data(!items.is_empty_list()));
  data.set("date", form.date);
  data.set("amount", form.amount);
  data.set("note", form.note);
  auto options = [](std::span<const std::pair<const char*, const char*>> list,
                    const std::string& selected) {
    mustache::data out{mustache::data::type::list};
    for (const auto& [code, label] : list) {
      mustache::data o;
      o.set("value", code);
      o.set("label", label);
      o.set("selected", mustache::data(selected == code));
      out.push_back(o);
    }
    return out;
  };
  data.set("channels", options(kChannels, form.channel));
  data.set("settlements", options(kSettlements, form.settlement));
  if (!notice.empty()) data.set("notice", notice);
  if (!problem.empty()) {
    data.set("problem", problem);
    data.set("error_" + (field.empty() ? std::string("form") : field), problem);
  }
  write_workspace_page(app, *ws, req, res, "ws_sales", std::move(data), "Bán hàng", status);
}

void add_sale(AppContext& app, const httplib::Request& req, httplib::Response& res) {
  SaleForm form;
  form.date = form_value(req, "date");
  form.channel = form_value(req, "channel");
  form.settlement = form_value(req, "settlement");
  form.amount = form_value(req, "amount");
  form.note = form_value(req, "note");
  std::string problem, field;
  int status = 400;
  {
    auto db = app.db.acquire_writer();
    if (!db) return write_html_error(res, db.error(), 1);
    auto ws = open_producer_workspace(app, **db, req, res);
    if (!ws) return;
    auto date = core::parse_iso_date(form.date);
    auto amount = parse_whole(form.amount);
    const core::Date today = core::vietnam_date(app.clock.now());
    if (!date) {
      problem = "Ngày bán phải là một ngày có thật (YYYY-MM-DD).";
      field = "date";
    } else if (*date > today) {
      problem = "Ngày bán không được sau hôm nay.";
      field = "date";
    } else if (!label_of(kChannels, form.channel)) {
      problem = "Hãy chọn kênh bán.";
      field = "channel";
    } else if (!label_of(kSettlements, form.settlement)) {
      problem = "Hãy chọn cách nhận tiền.";
      field = "settlement";
    } else if (!amount || *amount < 1 || *amount > 10'000'000'000) {
      problem = "Số tiền phải là số đồng từ 1 đến 10.000.000.000, ví dụ 240.000.";
      field = "amount";
    } else if (utf8_length(form.note) > 500) {
      problem = "Ghi chú tối đa 500 ký tự.";
      field = "note";
    } else {
      core::ManualSale sale;
      sale.producer_id = *ws->producer_id;
      sale.channel = form.channel;
      sale.settlement = form.settlement;
      sale.amount_vnd = *amount;
      // Noon of that day in Vietnam; today's sale at the time it is entered.
      sale.occurred_at =
          *date == today ? app.clock.now() : core::vietnam_midnight(*date) + 12 * 3600;
      sale.note = form.note;
      auto tx = (*db)->begin();
      if (!tx) return write_html_error(res, tx.error(), 1);
      auto row = core::Ledger(**db, app.clock).record_manual_sale(sale, ws->caller.user().id);
      if (!row) {
        if (row.error().code != ErrorCode::invalid_input)
          return write_html_error(res, row.error(), 1);
        problem = "Chưa ghi: " + row.error().message + ".";
        field = row.error().field == "amount_vnd" ? "amount" : row.error().field;
      } else {
        auto logged =
            core::AuditLog(**db, app.clock)
                .record(ws->audit("sale.record", core::format_vnd(*amount) + " " + form.channel));
        if (!logged) return write_html_error(res, logged.error(), 1);
        if (auto c = tx->commit(); !c) return write_html_error(res, c.error(), 1);
        status = 0;
      }
    }
  }
  if (status == 0) return redirect_see_other(res, std::string(kSales) + "?da-ghi=1");
  sales_page(app, req, res, form, {}, problem, field, status);
}

// The producer's shop page: the link people scan from the printed sheet.
std::string shop_link(AppContext& app, int64_t producer_id) {
  return app.config.base_url() + "/nha-san-xuat/" + std::to_string(producer_id);
}

// The receiving account as typed into the change form, shown again when it is refused.
struct AccountForm {
  std::string bin, account, holder;
};

void show_stall_qr(AppContext& app, core::Database& db, const Workspace& ws,
                   const httplib::Request& req, httplib::Response& res, const AccountForm* typed,
                   const std::string& error, int status) {
  core::ProducerStore producers(db, app.clock);
  auto p = producers.get(*ws.producer_id);
  if (!p) return write_html_error(res, p.error(), 1);
  mustache::data data;
  data.set("name", p->fields.name);
  data.set("shop_link", shop_link(app, p->id));
  if (!p->fields.bank.empty()) {
    const auto& bank = p->fields.bank;
    const qr::Bank* b = qr::find_bank_by_bin(bank.bin);
    data.set("has_bank", mustache::data(true));
    data.set("bank", b ? std::string(b->short_name) : bank.bin);
    data.set("account", bank.account);
    data.set("holder", bank.holder);
    std::string holder_q;  // form-encoded
    for (unsigned char c : bank.holder) {
      if (std::isalnum(c) || c == '-' || c == '.' || c == '_') {
        holder_q += static_cast<char>(c);
      } else if (c == ' ') {
        holder_q += '+';
      } else {
        char hex[4];
        std::snprintf(hex, sizeof hex, "%%%02X", c);
        holder_q += hex;
      }
    }
    data.set("stall_src",
             "/image/" + bank.bin + "-" + bank.account + "-print.png?accountName=" + holder_q);
  }
  // Only the producer changes its own account here, with its password; an officer helping it
  // uses the register instead.
  if (ws.caller.is_producer()) {
    const AccountForm shown =
        typed ? *typed
              : AccountForm{p->fields.bank.bin, p->fields.bank.account, p->fields.bank.holder};
    mustache::data banks{mustache::data::type::list};
    for (const auto& b : qr::banks()) {
      mustache::data item;
      item.set("bin", b.bin);
      item.set("name", b.short_name);
      item.set("selected", mustache::data(b.bin == shown.bin));
      banks.push_back(item);
    }
    data.set("may_change_account", mustache::data(true));
    data.set("banks", banks);
    data.set("new_account", shown.account);
    data.set("new_holder", shown.holder);
  }
  if (form_value(req, "da-doi") == "1") data.set("changed", mustache::data(true));
  if (!error.empty()) data.set("account_error", error);
  write_workspace_page(app, ws, req, res, "ws_qr", std::move(data), "Mã QR bán hàng", status);
}

void stall_qr(AppContext& app, const httplib::Request& req, httplib::Response& res) {
  auto db = app.db.acquire();
  if (!db) return write_html_error(res, db.error(), 1);
  auto ws = open_producer_workspace(app, **db, req, res);
  if (!ws) return;
  show_stall_qr(app, **db, *ws, req, res, nullptr, "", 200);
}

bool bin_in_directory(std::string_view bin) { return qr::find_bank_by_bin(bin) != nullptr; }

// POST /quan-ly/ma-qr/tai-khoan: the producer changes its receiving account, confirmed with its
// password (storefront/receiving_account.h).
void change_account(AppContext& app, const httplib::Request& req, httplib::Response& res) {
  // Not the writer lock: the password check (scrypt) must not hold up checkouts; the update waits
  // in SQLite's busy handler instead.
  auto db = app.db.acquire();
  if (!db) return write_html_error(res, db.error(), 1);
  auto ws = open_producer_workspace(app, **db, req, res);
  if (!ws) return;
  if (!ws->caller.is_producer()) {
    return write_html_error(
        res, Error{ErrorCode::forbidden,
                   "Cán bộ đổi tài khoản nhận tiền của nhà sản xuất trong sổ nhà sản xuất.", ""});
  }
  const AccountForm typed{form_value(req, "bank_bin"), form_value(req, "bank_account"),
                          form_value(req, "bank_holder")};
  auto refuse = [&](const std::string& message, int status) {
    show_stall_qr(app, **db, *ws, req, res, &typed, message, status);
  };
  core::ProducerStore producers(**db, app.clock, bin_in_directory);
  auto current = producers.get(*ws->producer_id);
  if (!current) return write_html_error(res, current.error(), 1);
  core::ProducerFields fields = current->fields;
  fields.bank = {typed.bin, typed.account, typed.holder};
  auto checked = producers.validate(fields);
  if (!checked) {
    if (checked.error().code != ErrorCode::invalid_input)
      return write_html_error(res, checked.error(), 1);
    return refuse(
        "Tài khoản nhận tiền cần đủ ngân hàng trong danh mục, số tài khoản (chữ và số, tối đa 19 "
        "ký tự) và tên chủ tài khoản.",
        400);
  }
  if (core::same_account(checked->bank, current->fields.bank) &&
      checked->bank.holder == current->fields.bank.holder)
    return redirect_see_other(res, "/quan-ly/ma-qr");
  if (!core::same_account(checked->bank, current->fields.bank)) {
    auto confirmed = confirm_password(**db, app.clock, app.config, ws->caller.user(),
                                      form_value(req, "password"),
                                      limited_address(req, app.config.trusted_proxies));
    if (!confirmed) {
      auto said = refused_confirmation(confirmed.error(), "đổi tài khoản nhận tiền",
                                       "Tài khoản nhận tiền chưa đổi.");
      if (!said) return write_html_error(res, confirmed.error(), 1);
      return refuse(said->first, said->second);
    }
  }
  auto transaction = (*db)->begin();
  if (!transaction) return write_html_error(res, transaction.error(), 1);
  auto updated = producers.update(*ws->producer_id, *checked);
  if (!updated) {
    if (updated.error().code == ErrorCode::conflict && updated.error().field == "bank.account")
      return refuse(kAccountTakenMessage, 409);
    return write_html_error(res, updated.error(), 1);
  }
  if (auto ok = record_account_change(**db, app.clock, ws->audit(kAccountChangeAction, ""),
                                      current->fields.bank, updated->fields.bank);
      !ok)
    return write_html_error(res, ok.error(), 1);
  if (auto ok = transaction->commit(); !ok) return write_html_error(res, ok.error(), 1);
  redirect_see_other(res, "/quan-ly/ma-qr?da-doi=1");
}

void shop_link_png(AppContext& app, const httplib::Request& req, httplib::Response& res) {
  auto db = app.db.acquire();
  if (!db) return write_html_error(res, db.error(), 1);
  auto ws = open_producer_workspace(app, **db, req, res);
  if (!ws) return;
  qr::ImageOptions options;
  options.scale = 8;
  auto png = qr::render_png(shop_link(app, *ws->producer_id), options);
  if (!png.value) return write_html_error(res, Error{ErrorCode::internal, png.error->message, ""});
  res.set_header("Cache-Control", "private, no-cache");
  res.set_content(*png.value, "image/png");
}

}  // namespace

void register_workspace_money_routes(Router& router, AppContext& app) {
  auto box = std::make_shared<std::unique_ptr<in::SecretBox>>();
  if (auto made = in::SecretBox::from_key(app.config.secret_key))
    *box = std::make_unique<in::SecretBox>(std::move(*made));
  router.get(kPayments,
             [&app, box](const auto& req, auto& res) { payments_page(app, box, req, res); });
  router.post(R"(/quan-ly/thanh-toan/(\d{1,18})/gan)",
              [&app, box](const auto& req, auto& res) { assign(app, box, req, res); });
  router.post(R"(/quan-ly/thanh-toan/ket-noi/(sepay|casso|payos))",
              [&app, box](const auto& req, auto& res) { connect(app, box, req, res); });
  router.get(kSales, [&app](const auto& req, auto& res) {
    sales_page(app, req, res, SaleForm{},
               req.has_param("da-ghi") ? "Đã ghi khoản bán vào sổ." : std::string());
  });
  router.post(kSales, [&app](const auto& req, auto& res) { add_sale(app, req, res); });
  router.get("/quan-ly/ma-qr", [&app](const auto& req, auto& res) { stall_qr(app, req, res); });
  router.post("/quan-ly/ma-qr/tai-khoan",
              [&app](const auto& req, auto& res) { change_account(app, req, res); });
  router.get("/quan-ly/ma-qr/cua-hang.png",
             [&app](const auto& req, auto& res) { shop_link_png(app, req, res); });
}

}  // namespace chophien::storefront
