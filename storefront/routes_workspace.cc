// The workspace's doors and its home: sign-in (GET/POST /dang-nhap), sign-out (POST /dang-xuat),
// the user's own password (GET/POST /quan-ly/doi-mat-khau, where a login whose password someone
// else chose is sent before anything else),
// the home page /quan-ly with what needs doing, helper mode (POST /quan-ly/ho-tro/{id} and
// /quan-ly/ho-tro/ket-thuc) and the administrator's action log (/quan-ly/nhat-ky).
//
// Sign-in is a form of a visitor without a session, so its CSRF protection is the double-submit
// form token (form_token.h); after it, the session's own CSRF token protects every form.
#include <httplib.h>

#include <string>
#include <vector>

#include "core/audit.h"
#include "core/clock.h"
#include "core/money.h"
#include "core/producers.h"
#include "core/products.h"
#include "core/text.h"
#include "core/users.h"
#include "storefront/client_address.h"
#include "storefront/form_token.h"
#include "storefront/http_errors.h"
#include "storefront/routes.h"
#include "storefront/workspace.h"

namespace chophien::storefront {
namespace {

constexpr int kCertificateWarningDays = 60;

// "28/11/2026 14:05" in Vietnam time.
std::string time_vi(int64_t unix_seconds) {
  const std::string rfc = core::format_rfc3339_vietnam(unix_seconds);  // 2026-11-28T14:05:09+07:00
  return core::format_date_vi(core::vietnam_date(unix_seconds)) + " " + rfc.substr(11, 5);
}

void sign_in_form(AppContext& app, const httplib::Request& req, httplib::Response& res,
                  const std::string& login, const std::string& next, const std::string& error,
                  int status) {
  mustache::data data;
  data.set("login", login);
  if (is_safe_next(next)) data.set("next", next);
  if (!error.empty()) data.set("error", error);
  PageInfo info;
  info.title = "Đăng nhập";
  info.description = "Đăng nhập khu quản lý dành cho nhà sản xuất và cán bộ.";
  info.csrf_token = form_token_for(req, res, app.config.tls());
  auto html = app.render.page("sign_in", std::move(data), info);
  if (!html) return write_html_error(res, html.error());
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(*html, "text/html; charset=utf-8");
}

void get_sign_in(AppContext& app, const httplib::Request& req, httplib::Response& res) {
  const std::string next = form_value(req, "next");
  auto db = app.db.acquire();
  if (!db) return write_html_error(res, db.error(), 1);
  auto caller = optional_caller(**db, app.clock, req);
  if (caller && *caller && (*caller)->by_cookie) {
    return redirect_see_other(res, is_safe_next(next) ? next : std::string(kWorkspacePath));
  }
  if (!caller && caller.error().code == ErrorCode::password_change_required) {
    return redirect_see_other(res, kPasswordPagePath);
  }
  sign_in_form(app, req, res, "", next, "", 200);
}

void post_sign_in(AppContext& app, const httplib::Request& req, httplib::Response& res) {
  const std::string login = form_value(req, "login");
  const std::string password = form_value(req, "password");
  const std::string next = form_value(req, "next");
  if (!form_token_ok(req)) {
    return sign_in_form(app, req, res, login, next,
                        "Biểu mẫu đã cũ. Vui lòng nhập lại và bấm Đăng nhập.", 403);
  }
  if (login.empty() || password.empty()) {
    return sign_in_form(app, req, res, login, next, "Hãy nhập tên đăng nhập và mật khẩu.", 400);
  }
  // A connection of its own, not the writer lock: the password check (scrypt) is slow on purpose
  // and anybody may ask for it, so it must never hold up checkouts and payments (as the API's
  // sign-in). Its few writes wait in SQLite's busy handler instead.
  auto db = app.db.acquire();
  if (!db) return write_html_error(res, db.error(), 1);
  core::Users users(**db, app.clock, sign_in_options(app.config));
  const std::string address = limited_address(req, app.config.trusted_proxies);
  auto session = users.authenticate(login, password, address);
  if (!session) {
    switch (session.error().code) {
      case ErrorCode::rate_limited: {
        const int64_t wait = std::max<int64_t>(1, users.login_retry_after(login, address));
        res.set_header("Retry-After", std::to_string(wait));
        const int64_t minutes = (wait + 59) / 60;
        return sign_in_form(
            app, req, res, login, next,
            "Đã nhập sai quá nhiều lần. Vui lòng thử lại sau " + std::to_string(minutes) + " phút.",
            429);
      }
      case ErrorCode::unauthenticated:
        return sign_in_form(app, req, res, login, next, "Tên đăng nhập hoặc mật khẩu không đúng.",
                            401);
      case ErrorCode::forbidden:
        return sign_in_form(app, req, res, login, next,
                            "Tài khoản này đã bị khoá. Hãy liên hệ cán bộ phụ trách.", 403);
      default:
        return write_html_error(res, session.error(), 1);
    }
  }
  set_session_cookie(res, *session, app.config.tls());
  if (session->user.must_change_password) return redirect_see_other(res, kPasswordPagePath);
  redirect_see_other(res, is_safe_next(next) ? next : std::string(kWorkspacePath));
}

void password_form(AppContext& app, const Workspace& ws, const httplib::Request& req,
                   httplib::Response& res, const std::string& error, int status) {
  mustache::data data;
  if (ws.caller.user().must_change_password) data.set("must_change", mustache::data(true));
  if (!error.empty()) data.set("error", error);
  write_workspace_page(app, ws, req, res, "ws_password", std::move(data), "Đổi mật khẩu", status);
}

void get_password(AppContext& app, const httplib::Request& req, httplib::Response& res) {
  auto db = app.db.acquire();
  if (!db) return write_html_error(res, db.error(), 1);
  auto ws = open_workspace(app, **db, req, res,
                           {core::Role::producer, core::Role::officer, core::Role::admin});
  if (!ws) return;
  password_form(app, *ws, req, res, "", 200);
}

// POST /quan-ly/doi-mat-khau: current_password, new_password, new_password_again. The password
// check is slow on purpose, so this takes a plain connection like sign-in, not the writer lock.
void post_password(AppContext& app, const httplib::Request& req, httplib::Response& res) {
  auto db = app.db.acquire();
  if (!db) return write_html_error(res, db.error(), 1);
  auto ws = open_workspace(app, **db, req, res,
                           {core::Role::producer, core::Role::officer, core::Role::admin});
  if (!ws) return;
  const std::string current = form_value(req, "current_password");
  const std::string fresh = form_value(req, "new_password");
  if (current.empty() || fresh.empty())
    return password_form(app, *ws, req, res, "Hãy nhập mật khẩu hiện tại và mật khẩu mới.", 400);
  if (fresh != form_value(req, "new_password_again"))
    return password_form(app, *ws, req, res, "Hai lần nhập mật khẩu mới không giống nhau.", 400);
  core::Users users(**db, app.clock, sign_in_options(app.config));
  const std::string address = limited_address(req, app.config.trusted_proxies);
  auto done = users.change_password(ws->caller.session, current, fresh, address);
  if (!done) {
    switch (done.error().code) {
      case ErrorCode::rate_limited: {
        const int64_t wait =
            std::max<int64_t>(1, users.login_retry_after(ws->caller.user().login, address));
        res.set_header("Retry-After", std::to_string(wait));
        return password_form(app, *ws, req, res,
                             "Đã nhập sai quá nhiều lần. Vui lòng thử lại sau " +
                                 std::to_string((wait + 59) / 60) + " phút.",
                             429);
      }
      case ErrorCode::unauthenticated:
        return password_form(app, *ws, req, res, "Mật khẩu hiện tại không đúng.", 400);
      case ErrorCode::invalid_input:
        return password_form(
            app, *ws, req, res,
            done.error().message == "Mật khẩu mới phải khác mật khẩu hiện tại"
                ? "Mật khẩu mới phải khác mật khẩu hiện tại."
                : "Mật khẩu mới cần 8–128 ký tự và không được trùng tên đăng nhập.",
            400);
      default:
        return write_html_error(res, done.error(), 1);
    }
  }
  core::AuditRecord record = ws->audit("user.change_password", ws->caller.user().login);
  record.producer_id = ws->caller.producer_id();
  record.on_behalf = false;
  if (auto logged = core::AuditLog(**db, app.clock).record(record); !logged)
    return write_html_error(res, logged.error(), 1);
  redirect_see_other(res, std::string(kWorkspacePath));
}

void post_sign_out(AppContext& app, const httplib::Request& req, httplib::Response& res) {
  auto db = app.db.acquire_writer();
  if (!db) return write_html_error(res, db.error(), 1);
  auto ws = open_workspace(app, **db, req, res,
                           {core::Role::producer, core::Role::officer, core::Role::admin});
  if (!ws) return;
  core::Users users(**db, app.clock, api_options().users);
  if (auto done = users.logout(ws->caller.session.token); !done)
    return write_html_error(res, done.error(), 1);
  clear_session_cookie(res, app.config.tls());
  res.set_header("Set-Cookie", std::string(kHelpingCookie) +
                                   "=; Path=/quan-ly; Max-Age=0; HttpOnly; SameSite=Strict");
  redirect_see_other(res, "/");
}

Result<int64_t> count_rows(core::Database& db, const char* sql, int64_t producer_id) {
  auto stmt = db.prepare(sql);
  if (!stmt) return stmt.error();
  stmt->bind(1, producer_id);
  auto row = stmt->step();
  if (!row) return row.error();
  return *row ? stmt->column_int(0) : 0;
}

// What a producer has to do: orders waiting, unmatched transfers, products out of stock,
// certificates ending soon.
Result<mustache::data> producer_todo(AppContext& app, core::Database& db, int64_t producer_id) {
  mustache::data data;
  auto waiting = count_rows(db,
                            "SELECT count(*) FROM orders WHERE producer_id = ?1 AND status IN "
                            "('pending_payment', 'paid')",
                            producer_id);
  if (!waiting) return waiting.error();
  auto to_send = count_rows(
      db, "SELECT count(*) FROM orders WHERE producer_id = ?1 AND status = 'paid'", producer_id);
  if (!to_send) return to_send.error();
  auto unmatched = count_rows(
      db, "SELECT count(*) FROM payments WHERE producer_id = ?1 AND match_state = 'unmatched'",
      producer_id);
  if (!unmatched) return unmatched.error();
  core::ProductStore products(db, app.clock);
  auto list = products.list_by_producer(producer_id);
  if (!list) return list.error();
  const core::Date today = core::vietnam_date(app.clock.now());
  mustache::data empty{mustache::data::type::list};
  mustache::data expiring{mustache::data::type::list};
  int64_t active = 0;
  for (const auto& p : *list) {
    if (p.fields.status != core::ProductStatus::active) continue;
    ++active;
    if (p.fields.stock == 0) {
      mustache::data item;
      item.set("id", std::to_string(p.id));
      item.set("name", p.fields.name);
      empty.push_back(item);
    }
    if (auto ends = core::certificate_expires(p)) {
      const int64_t days = core::days_since_epoch(*ends) - core::days_since_epoch(today);
      if (days <= kCertificateWarningDays) {
        mustache::data item;
        item.set("id", std::to_string(p.id));
        item.set("name", p.fields.name);
        item.set("ends", core::format_date_vi(*ends));
        item.set("ended", mustache::data(days <= 0));
        expiring.push_back(item);
      }
    }
  }
  data.set("orders_waiting", std::to_string(*waiting));
  data.set("orders_to_send", std::to_string(*to_send));
  data.set("payments_unmatched", std::to_string(*unmatched));
  data.set("has_unmatched", mustache::data(*unmatched > 0));
  data.set("products_active", std::to_string(active));
  data.set("has_empty", mustache::data(!empty.is_empty_list()));
  data.set("empty", empty);
  data.set("has_expiring", mustache::data(!expiring.is_empty_list()));
  data.set("expiring", expiring);
  return data;
}

Result<mustache::data> producer_choices(AppContext& app, core::Database& db) {
  core::ProducerStore producers(db, app.clock);
  core::ProducerFilter filter;
  filter.limit = 1000;
  auto list = producers.list(filter);
  if (!list) return list.error();
  mustache::data out{mustache::data::type::list};
  for (const auto& p : *list) {
    mustache::data item;
    item.set("id", std::to_string(p.id));
    item.set("name", p.fields.name);
    out.push_back(item);
  }
  return out;
}

void home(AppContext& app, const httplib::Request& req, httplib::Response& res) {
  auto db = app.db.acquire();
  if (!db) return write_html_error(res, db.error(), 1);
  auto ws = open_workspace(app, **db, req, res,
                           {core::Role::producer, core::Role::officer, core::Role::admin});
  if (!ws) return;
  mustache::data data;
  if (ws->producer_id) {
    auto todo = producer_todo(app, **db, *ws->producer_id);
    if (!todo) return write_html_error(res, todo.error(), 1);
    data = std::move(*todo);
    data.set("is_producer", mustache::data(true));
  }
  if (!ws->caller.is_producer() && !ws->helping) {
    auto choices = producer_choices(app, **db);
    if (!choices) return write_html_error(res, choices.error(), 1);
    data.set("is_officer", mustache::data(true));
    data.set("producers", *choices);
    data.set("has_producers", mustache::data(!choices->is_empty_list()));
  }
  write_workspace_page(app, *ws, req, res, "workspace_home", std::move(data), "Tổng quan");
}

// Helper mode on (officers and administrators only).
void start_helping(AppContext& app, const httplib::Request& req, httplib::Response& res) {
  auto db = app.db.acquire_writer();
  if (!db) return write_html_error(res, db.error(), 1);
  auto ws = open_workspace(app, **db, req, res, {core::Role::officer, core::Role::admin});
  if (!ws) return;
  int64_t id = 0;
  try {
    id = std::stoll(req.matches[1]);
  } catch (const std::exception&) {
    return write_html_error(res, Error{ErrorCode::not_found, "Không có nhà sản xuất này.", ""});
  }
  core::ProducerStore producers(**db, app.clock);
  auto producer = producers.get(id);
  if (!producer) return write_html_error(res, producer.error(), 1);
  core::AuditRecord record;
  record.user_id = ws->caller.user().id;
  record.producer_id = id;
  record.on_behalf = true;
  record.action = "helper.start";
  record.subject = producer->fields.name;
  if (auto logged = core::AuditLog(**db, app.clock).record(record); !logged)
    return write_html_error(res, logged.error(), 1);
  std::string cookie = std::string(kHelpingCookie) + "=" + std::to_string(id) +
                       "; Path=/quan-ly; HttpOnly; SameSite=Strict";
  if (app.config.tls()) cookie += "; Secure";
  res.set_header("Set-Cookie", cookie);
  redirect_see_other(res, kWorkspacePath);
}

void stop_helping(AppContext& app, const httplib::Request& req, httplib::Response& res) {
  auto db = app.db.acquire_writer();
  if (!db) return write_html_error(res, db.error(), 1);
  auto ws = open_workspace(app, **db, req, res, {core::Role::officer, core::Role::admin});
  if (!ws) return;
  if (ws->helping) {
    if (auto logged =
            core::AuditLog(**db, app.clock).record(ws->audit("helper.stop", ws->producer_name));
        !logged)
      return write_html_error(res, logged.error(), 1);
  }
  res.set_header("Set-Cookie", std::string(kHelpingCookie) +
                                   "=; Path=/quan-ly; Max-Age=0; HttpOnly; SameSite=Strict");
  redirect_see_other(res, kWorkspacePath);
}

// Administrators: the latest actions across the installation.
void action_log(AppContext& app, const httplib::Request& req, httplib::Response& res) {
  auto db = app.db.acquire();
  if (!db) return write_html_error(res, db.error(), 1);
  auto ws = open_workspace(app, **db, req, res, {core::Role::admin});
  if (!ws) return;
  auto entries = core::AuditLog(**db, app.clock).recent(200);
  if (!entries) return write_html_error(res, entries.error(), 1);
  core::ProducerStore producers(**db, app.clock);
  mustache::data list{mustache::data::type::list};
  for (const auto& e : *entries) {
    mustache::data item;
    item.set("at", time_vi(e.at));
    item.set("user", e.user_name);
    item.set("action", e.action);
    item.set("subject", e.subject);
    item.set("on_behalf", mustache::data(e.on_behalf));
    if (e.producer_id) {
      auto p = producers.get(*e.producer_id);
      item.set("producer", p ? p->fields.name : "#" + std::to_string(*e.producer_id));
    }
    list.push_back(item);
  }
  mustache::data data;
  data.set("entries", list);
  data.set("has_entries", mustache::data(!list.is_empty_list()));
  write_workspace_page(app, *ws, req, res, "action_log", std::move(data), "Nhật ký thao tác");
}

}  // namespace

void register_workspace_routes(Router& router, AppContext& app) {
  router.get(kSignInPath, [&app](const auto& req, auto& res) { get_sign_in(app, req, res); });
  router.post(kSignInPath, [&app](const auto& req, auto& res) { post_sign_in(app, req, res); });
  router.post("/dang-xuat", [&app](const auto& req, auto& res) { post_sign_out(app, req, res); });
  router.get(kPasswordPagePath,
             [&app](const auto& req, auto& res) { get_password(app, req, res); });
  router.post(kPasswordPagePath,
              [&app](const auto& req, auto& res) { post_password(app, req, res); });
  router.get(kWorkspacePath, [&app](const auto& req, auto& res) { home(app, req, res); });
  router.post(R"(/quan-ly/ho-tro/(\d{1,18}))",
              [&app](const auto& req, auto& res) { start_helping(app, req, res); });
  router.post("/quan-ly/ho-tro/ket-thuc",
              [&app](const auto& req, auto& res) { stop_helping(app, req, res); });
  router.get("/quan-ly/nhat-ky", [&app](const auto& req, auto& res) { action_log(app, req, res); });
}

}  // namespace chophien::storefront
