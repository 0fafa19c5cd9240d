// The producer's orders in the workspace:
//   GET  /quan-ly/don-hang                       the orders, newest first, filtered by status and
//                                                by date (Vietnam days, both ends included), 30 a
//                                                page
//   GET  /quan-ly/don-hang/{code}                one order: the customer, the items, the amounts,
//                                                the full history and the actions its status allows
//   POST /quan-ly/don-hang/{code}/thanh-toan     marks it paid by hand (cash or a transfer seen in
//                                                the bank app; an amount, or empty for the rest)
//   POST /quan-ly/don-hang/{code}/giao-hang      paid -> fulfilled
//   POST /quan-ly/don-hang/{code}/huy            cancels it (a reason is required; stock returns)
// For producers and for officers or administrators in helper mode (their actor is bound to the
// producer). Another producer's order is 404 like an unknown code, so its existence is not
// revealed. Each change is written to the action log in the same transaction (the core's
// in-transaction step). Bad input: the page again with a message (400), nothing changed; a change
// the order's status no longer allows (paid already...): the page with a message (409).
#include <httplib.h>

#include <string>
#include <vector>

#include "core/audit.h"
#include "core/orders.h"
#include "core/text.h"
#include "core/users.h"
#include "storefront/http_errors.h"
#include "storefront/routes.h"
#include "storefront/workspace.h"

namespace chophien::storefront {
namespace {

constexpr const char* kList = "/quan-ly/don-hang";
constexpr int kPageSize = 30;
constexpr int kMaxPage = 10000;
constexpr int64_t kMaxAmount = 10'000'000'000;  // as the core's mark_paid
constexpr size_t kMaxNote = 500;

const char* status_vi(core::OrderStatus status) {
  switch (status) {
    case core::OrderStatus::pending_payment:
      return "Chờ thanh toán";
    case core::OrderStatus::paid:
      return "Đã thanh toán";
    case core::OrderStatus::fulfilled:
      return "Đã giao";
    case core::OrderStatus::cancelled:
      return "Đã huỷ";
    case core::OrderStatus::expired:
      return "Hết hạn";
  }
  return "";
}

std::string status_vi(std::string_view name) {
  auto status = core::parse_order_status(name);
  return status ? status_vi(*status) : std::string(name);
}

// UTF-8 characters (not bytes), as the core counts a note's length.
size_t characters(std::string_view text) {
  size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}

// "28/11/2026 14:05" in Vietnam time.
std::string time_vi(int64_t unix_seconds) {
  const std::string rfc = core::format_rfc3339_vietnam(unix_seconds);  // 2026-11-28T14:05:09+07:00
  return core::format_date_vi(core::vietnam_date(unix_seconds)) + " " + rfc.substr(11, 5);
}

std::string method_vi(std::string_view method) {
  if (method == "cash") return "Tiền mặt";
  if (method == "bank_transfer") return "Chuyển khoản";
  return "";
}

// A whole number as people type it ("120000", "120.000", "120 000"), for the amount paid.
// The message for anything else.
struct Amount {
  int64_t value = 0;  // 0: the rest of the total
  std::string problem;
};

Amount parse_amount(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (text.empty()) return {};
  if (text.front() == '-') return {0, "Số tiền không được âm."};
  std::string digits;
  for (char c : text) {
    if (c >= '0' && c <= '9')
      digits += c;
    else if (c != '.' && c != ' ' && c != ',')
      return {0, "Số tiền phải là một số đồng, ví dụ 120.000."};
  }
  if (digits.empty()) return {0, "Số tiền phải là một số đồng, ví dụ 120.000."};
  digits.erase(0, std::min(digits.find_first_not_of('0'), digits.size()));
  if (digits.size() > 11 || (digits.empty() ? 0 : std::stoll(digits)) > kMaxAmount)
    return {0, "Số tiền quá lớn: tối đa " + core::format_vnd(kMaxAmount) + "."};
  if (digits.empty()) return {0, "Số tiền phải lớn hơn 0 (để trống để ghi đủ số tiền còn lại)."};
  return {std::stoll(digits), ""};
}

// The Vietnam day in a filter field ("2026-05-01", as <input type="date"> sends it).
std::optional<core::Date> parse_day(const std::string& text, std::string& problem,
                                    const char* what) {
  if (text.empty()) return std::nullopt;
  auto day = core::parse_iso_date(text);
  if (!day) {
    problem = std::string("Ngày ") + what + " không hợp lệ: hãy chọn một ngày (năm-tháng-ngày).";
    return std::nullopt;
  }
  return *day;
}

void list_page(AppContext& app, const httplib::Request& req, httplib::Response& res) {
  auto db = app.db.acquire();
  if (!db) return write_html_error(res, db.error(), 1);
  auto ws = open_producer_workspace(app, **db, req, res);
  if (!ws) return;

  std::string problem;
  core::OrderQuery query;
  query.producer_id = ws->producer_id;
  const std::string status = form_value(req, "trang_thai");
  if (!status.empty()) {
    query.status = core::parse_order_status(status);
    if (!query.status) problem = "Trạng thái không hợp lệ: hãy chọn trong danh sách.";
  }
  const std::string from_text = form_value(req, "tu"), to_text = form_value(req, "den");
  auto from = parse_day(from_text, problem, "bắt đầu");
  auto to = parse_day(to_text, problem, "kết thúc");
  if (from) query.from = core::vietnam_midnight(*from);
  if (to) query.to = core::vietnam_midnight(*to) + 86400;
  if (from && to && *from > *to) problem = "Ngày bắt đầu phải trước hoặc bằng ngày kết thúc.";
  int page = 1;
  if (const std::string text = form_value(req, "trang"); !text.empty()) {
    try {
      size_t used = 0;
      page = std::stoi(text, &used);
      if (used != text.size() || page < 1 || page > kMaxPage) throw std::out_of_range(text);
    } catch (const std::exception&) {
      problem = "Số trang không hợp lệ.";
      page = 1;
    }
  }
  query.limit = kPageSize + 1;  // one more tells whether there is a next page
  query.offset = static_cast<int64_t>(page - 1) * kPageSize;

  mustache::data rows{mustache::data::type::list};
  bool more = false;
  if (problem.empty()) {
    core::OrderStore orders(**db, app.clock);
    auto list = orders.list(query);
    if (!list) return write_html_error(res, list.error(), 1);
    more = list->size() > static_cast<size_t>(kPageSize);
    if (more) list->pop_back();
    for (const auto& o : *list) {
      mustache::data row;
      row.set("code", o.code);
      row.set("date", time_vi(o.created_at));
      row.set("customer", o.customer_name);
      row.set("total", core::format_vnd(o.total_vnd));
      row.set("status", status_vi(o.status));
      row.set("open", mustache::data(o.status == core::OrderStatus::pending_payment ||
                                     o.status == core::OrderStatus::paid));
      rows.push_back(row);
    }
  }

  mustache::data statuses{mustache::data::type::list};
  for (auto s :
       {core::OrderStatus::pending_payment, core::OrderStatus::paid, core::OrderStatus::fulfilled,
        core::OrderStatus::cancelled, core::OrderStatus::expired}) {
    mustache::data item;
    item.set("value", core::order_status_name(s));
    item.set("label", status_vi(s));
    item.set("selected", mustache::data(query.status == s));
    statuses.push_back(item);
  }
  // The filter as query parameters, for the paging links.
  std::string filter;
  if (query.status) filter += std::string("&trang_thai=") + core::order_status_name(*query.status);
  if (from) filter += "&tu=" + core::format_iso_date(*from);
  if (to) filter += "&den=" + core::format_iso_date(*to);

  mustache::data data;
  data.set("statuses", statuses);
  data.set("from", from_text);
  data.set("to", to_text);
  data.set("orders", rows);
  data.set("has_orders", mustache::data(!rows.is_empty_list()));
  if (!problem.empty()) data.set("problem", problem);
  data.set("filtered", mustache::data(query.status || from || to));
  if (page > 1)
    data.set("prev", std::string(kList) + "?trang=" + std::to_string(page - 1) + filter);
  if (more) data.set("next", std::string(kList) + "?trang=" + std::to_string(page + 1) + filter);
  if (page > 1 || more) data.set("page", std::to_string(page));
  write_workspace_page(app, *ws, req, res, "ws_orders", std::move(data), "Đơn hàng",
                       problem.empty() ? 200 : 400);
}

// The order of the workspace's producer named in the path, or nullopt with a 404 written: an
// unknown code and another producer's order look the same.
std::optional<core::Order> own_order(core::OrderStore& orders, const Workspace& ws,
                                     const httplib::Request& req, httplib::Response& res) {
  auto order = orders.find_by_code(req.matches[1].str());
  if (!order && order.error().code != ErrorCode::not_found) {
    write_html_error(res, order.error(), 1);
    return std::nullopt;
  }
  if (!order || order->producer_id != ws.producer_id) {
    write_html_error(res, Error{ErrorCode::not_found, "Không tìm thấy đơn hàng này.", ""});
    return std::nullopt;
  }
  return std::move(*order);
}

// Who did an event, for people: the user's display name (with the role when not the producer's
// own), "khách hàng" or "hệ thống".
std::string actor_vi(core::Users& users, const core::OrderEvent& e) {
  if (e.actor_kind == "customer") return "khách hàng";
  if (e.actor_kind == "system" || !e.actor_id) return "hệ thống";
  auto user = users.find_user(*e.actor_id);
  std::string name = user ? (user->display_name.empty() ? user->login : user->display_name)
                          : "người dùng #" + std::to_string(*e.actor_id);
  if (e.actor_kind == "officer") name += " (cán bộ)";
  if (e.actor_kind == "admin") name += " (quản trị viên)";
  return name;
}

// What the pay form is sent back with after a refusal.
struct PayForm {
  std::string method, amount, note;
};

// The order page; `problem` a message for a refused action (with `status`).
void order_page(AppContext& app, core::Database& db, const Workspace& ws,
                const httplib::Request& req, httplib::Response& res, const core::Order& o,
                const std::string& problem = "", int status = 200, const PayForm& pay = {},
                const std::string& cancel_note = "") {
  core::OrderStore orders(db, app.clock);
  auto events = orders.events(o.id);
  if (!events) return write_html_error(res, events.error(), 1);
  core::Users users(db, app.clock, api_options().users);

  mustache::data data;
  data.set("code", o.code);
  data.set("status", status_vi(o.status));
  data.set("created", time_vi(o.created_at));
  const bool pending = o.status == core::OrderStatus::pending_payment;
  if (pending) data.set("expires", time_vi(o.expires_at));
  if (o.paid_at) data.set("paid_at", time_vi(*o.paid_at));
  data.set("customer", o.customer_name);
  data.set("phone", o.customer_phone);
  if (!o.customer_address.empty()) data.set("address", o.customer_address);
  data.set("delivery", mustache::data(o.delivery_method == "delivery"));
  if (!o.delivery_address.empty()) data.set("delivery_address", o.delivery_address);
  if (!o.note.empty()) data.set("note", o.note);

  mustache::data items{mustache::data::type::list};
  for (const auto& i : o.items) {
    mustache::data item;
    item.set("name", i.name);
    item.set("unit", i.unit);
    item.set("quantity", std::to_string(i.quantity));
    item.set("price", core::format_vnd(i.unit_price_vnd));
    item.set("amount", core::format_vnd(i.unit_price_vnd * i.quantity));
    items.push_back(item);
  }
  data.set("items", items);
  data.set("total", core::format_vnd(o.total_vnd));
  data.set("paid", core::format_vnd(o.paid_vnd));
  if (pending && o.paid_vnd > 0 && o.paid_vnd < o.total_vnd)
    data.set("remaining", core::format_vnd(o.total_vnd - o.paid_vnd));
  if (!o.payment_method.empty()) data.set("method", method_vi(o.payment_method));
  if (o.overpaid) data.set("overpaid", mustache::data(true));

  mustache::data history{mustache::data::type::list};
  for (const auto& e : *events) {
    mustache::data item;
    item.set("at", time_vi(e.at));
    item.set("from", e.from_status ? status_vi(*e.from_status) : std::string("Tạo đơn"));
    item.set("to", status_vi(e.to_status));
    item.set("who", actor_vi(users, e));
    if (!e.note.empty()) item.set("note", e.note);
    history.push_back(item);
  }
  data.set("history", history);

  data.set("can_pay", mustache::data(pending));
  data.set("can_fulfil", mustache::data(o.status == core::OrderStatus::paid));
  data.set("can_cancel", mustache::data(pending || o.status == core::OrderStatus::paid));
  data.set("pay_bank", mustache::data(pay.method == "bank_transfer"));
  data.set("pay_cash", mustache::data(pay.method != "bank_transfer"));
  data.set("pay_amount", pay.amount);
  data.set("pay_note", pay.note);
  data.set("cancel_note", cancel_note);
  if (!problem.empty()) data.set("problem", problem);
  write_workspace_page(app, ws, req, res, "ws_order", std::move(data), "Đơn hàng " + o.code,
                       status);
}

void show(AppContext& app, const httplib::Request& req, httplib::Response& res) {
  auto db = app.db.acquire();
  if (!db) return write_html_error(res, db.error(), 1);
  auto ws = open_producer_workspace(app, **db, req, res);
  if (!ws) return;
  core::OrderStore orders(**db, app.clock);
  auto order = own_order(orders, *ws, req, res);
  if (!order) return;
  order_page(app, **db, *ws, req, res, *order);
}

enum class Action { mark_paid, fulfil, cancel };

std::string conflict_message(Action action, const core::Order& now) {
  const std::string status = status_vi(now.status);
  switch (action) {
    case Action::mark_paid:
      return "Không ghi được thanh toán: đơn hàng đang ở trạng thái “" + status + "”.";
    case Action::fulfil:
      return "Chỉ giao được đơn đã thanh toán: đơn hàng đang ở trạng thái “" + status + "”.";
    case Action::cancel:
      return "Không huỷ được: đơn hàng đang ở trạng thái “" + status + "”.";
  }
  return "";
}

void act(AppContext& app, const httplib::Request& req, httplib::Response& res, Action action) {
  auto db = app.db.acquire_writer();
  if (!db) return write_html_error(res, db.error(), 1);
  auto ws = open_producer_workspace(app, **db, req, res);  // session, role and CSRF first
  if (!ws) return;
  core::OrderStore orders(**db, app.clock);
  auto order = own_order(orders, *ws, req, res);
  if (!order) return;

  PayForm pay{form_value(req, "method"), form_value(req, "amount"), form_value(req, "note")};
  const std::string note = form_value(req, "note");
  std::string problem;
  Amount amount;
  if (characters(note) > kMaxNote) problem = "Ghi chú tối đa 500 ký tự.";
  if (action == Action::mark_paid && problem.empty()) {
    if (pay.method != "cash" && pay.method != "bank_transfer")
      problem = "Hãy chọn hình thức thanh toán: tiền mặt hoặc chuyển khoản.";
    amount = parse_amount(pay.amount);
    if (problem.empty()) problem = amount.problem;
  }
  if (action == Action::cancel && problem.empty() &&
      note.find_first_not_of(" \t\r\n") == std::string::npos)
    problem = "Hãy ghi lý do huỷ đơn.";
  if (!problem.empty()) {
    return order_page(app, **db, *ws, req, res, *order, problem, 400, pay,
                      action == Action::cancel ? note : "");
  }

  const char* key = action == Action::mark_paid ? "order.mark_paid"
                    : action == Action::fulfil  ? "order.fulfil"
                                                : "order.cancel";
  core::AuditLog log(**db, app.clock);
  const core::AuditRecord record = ws->audit(key, order->code);
  const auto also = [&]() -> Result<void> {
    auto logged = log.record(record);
    if (!logged) return logged.error();
    return {};
  };
  const core::Actor actor = ws->actor();
  Result<core::Order> changed =
      action == Action::mark_paid
          ? orders.mark_paid(order->code, actor, pay.method, amount.value, note, also)
      : action == Action::fulfil ? orders.fulfil(order->code, actor, note, also)
                                 : orders.cancel(order->code, actor, note, also);
  if (!changed) {
    if (changed.error().code == ErrorCode::invalid_input)
      return order_page(app, **db, *ws, req, res, *order,
                        "Không ghi được: " + changed.error().message + ".", 400, pay);
    if (changed.error().code != ErrorCode::conflict)
      return write_html_error(res, changed.error(), 1);
    auto now = orders.find_by_code(order->code);
    if (!now) return write_html_error(res, now.error(), 1);
    return order_page(app, **db, *ws, req, res, *now, conflict_message(action, *now), 409);
  }
  redirect_see_other(res, std::string(kList) + "/" + order->code);
}

}  // namespace

void register_workspace_order_routes(Router& router, AppContext& app) {
  router.get(kList, [&app](const auto& req, auto& res) { list_page(app, req, res); });
  router.get(R"(/quan-ly/don-hang/([A-Za-z0-9]{1,16}))",
             [&app](const auto& req, auto& res) { show(app, req, res); });
  router.post(R"(/quan-ly/don-hang/([A-Za-z0-9]{1,16})/thanh-toan)",
              [&app](const auto& req, auto& res) { act(app, req, res, Action::mark_paid); });
  router.post(R"(/quan-ly/don-hang/([A-Za-z0-9]{1,16})/giao-hang)",
              [&app](const auto& req, auto& res) { act(app, req, res, Action::fulfil); });
  router.post(R"(/quan-ly/don-hang/([A-Za-z0-9]{1,16})/huy)",
              [&app](const auto& req, auto& res) { act(app, req, res, Action::cancel); });
}

}  // namespace chophien::storefront
