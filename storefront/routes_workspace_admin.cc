// The administrator's pages: users and roles (/quan-ly/nguoi-dung: list, create, disable and
// enable, reset a password) and the installation's run-time settings (/quan-ly/cai-dat).
//
// A new or reset password is either typed by the administrator or drawn at random and shown once
// on the answer page; it is never logged nor written to the action log. A login created here must
// change its password at first sign-in (the administrator chose it); a reset asks for the same
// unless the administrator unticks "must_change" (a form without the field: no). An administrator
// cannot disable their own account (the installation would risk having no administrator left).
#include <httplib.h>

#include <charconv>
#include <optional>
#include <string>

#include "core/audit.h"
#include "core/payment_code.h"
#include "core/producers.h"
#include "core/settings.h"
#include "core/users.h"
#include "storefront/http_errors.h"
#include "storefront/routes.h"
#include "storefront/runtime_settings.h"
#include "storefront/workspace.h"

namespace chophien::storefront {
namespace {

constexpr const char* kUsersPath = "/quan-ly/nguoi-dung";
constexpr const char* kSettingsPath = "/quan-ly/cai-dat";

std::optional<int64_t> parse_id(std::string_view text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 1) return std::nullopt;
  return value;
}

// 14 characters from an alphabet without look-alikes (no 0/O, 1/l/I): about 80 bits.
std::string random_password() {
  static constexpr char kAlphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  constexpr size_t kSize = sizeof kAlphabet - 1;  // 56
  std::string out;
  while (out.size() < 14) {
    for (unsigned char byte : core::random_bytes(16)) {
      if (byte >= 224) continue;  // 224 = 4 * 56: keeps the choice uniform
      out += kAlphabet[byte % kSize];
      if (out.size() == 14) break;
    }
  }
  return out;
}

const char* role_vi(core::Role role) {
  switch (role) {
    case core::Role::admin:
      return "Quản trị viên";
    case core::Role::officer:
      return "Cán bộ";
    case core::Role::producer:
      return "Nhà sản xuất";
  }
  return "";
}

std::string user_message(const Error& e) {
  if (e.field == "login")
    return e.code == ErrorCode::conflict
               ? "Tên đăng nhập này đã có người dùng. Hãy chọn tên khác."
               : "Tên đăng nhập cần 3–64 ký tự: chữ, số, dấu chấm, gạch dưới, gạch ngang hoặc @.";
  if (e.field == "password") return "Mật khẩu cần 8–128 ký tự và không được trùng tên đăng nhập.";
  if (e.field == "producer_id")
    return "Tài khoản nhà sản xuất phải gắn với một nhà sản xuất có trong sổ.";
  if (e.field == "display_name") return "Tên hiển thị tối đa 100 ký tự.";
  if (e.field == "role") return "Hãy chọn vai trò.";
  return "Dữ liệu không hợp lệ: " + e.message;
}

struct UserForm {
  std::string login, display_name, role = "officer", producer_id;
};

struct Outcome {
  std::string error;
  std::string notice;
  std::string shown_password_for;  // the login whose new password is shown once
  std::string shown_password;
};

void users_page(AppContext& app, const Workspace& ws, core::Database& db,
                const httplib::Request& req, httplib::Response& res, const UserForm& form,
                const Outcome& outcome, int status) {
  core::Users users(db, app.clock, api_options().users);
  auto list = users.list_users();
  if (!list) return write_html_error(res, list.error(), 1);
  core::ProducerStore producers(db, app.clock);
  core::ProducerFilter filter;
  filter.limit = 1000;
  auto producer_list = producers.list(filter);
  if (!producer_list) return write_html_error(res, producer_list.error(), 1);
  auto producer_name = [&](int64_t id) {
    for (const auto& p : *producer_list)
      if (p.id == id) return p.fields.name;
    return "#" + std::to_string(id);
  };
  mustache::data rows{mustache::data::type::list};
  for (const auto& u : *list) {
    mustache::data row;
    row.set("id", std::to_string(u.id));
    row.set("login", u.login);
    row.set("display_name", u.display_name);
    row.set("role", role_vi(u.role));
    if (u.producer_id) row.set("producer", producer_name(*u.producer_id));
    row.set("disabled", mustache::data(u.status == core::UserStatus::disabled));
    row.set("self", mustache::data(u.id == ws.caller.user().id));
    rows.push_back(row);
  }
  mustache::data producer_options{mustache::data::type::list};
  for (const auto& p : *producer_list) {
    mustache::data item;
    item.set("id", std::to_string(p.id));
    item.set("name", p.fields.name);
    item.set("selected", mustache::data(std::to_string(p.id) == form.producer_id));
    producer_options.push_back(item);
  }
  mustache::data roles{mustache::data::type::list};
  for (auto role : {core::Role::officer, core::Role::admin, core::Role::producer}) {
    mustache::data item;
    item.set("value", core::role_name(role));
    item.set("label", role_vi(role));
    item.set("selected", mustache::data(form.role == core::role_name(role)));
    roles.push_back(item);
  }
  mustache::data data;
  data.set("users", rows);
  data.set("producers", producer_options);
  data.set("roles", roles);
  data.set("login", form.login);
  data.set("display_name", form.display_name);
  if (!outcome.error.empty()) data.set("error", outcome.error);
  if (!outcome.notice.empty()) data.set("notice", outcome.notice);
  if (!outcome.shown_password.empty()) {
    data.set("shown_login", outcome.shown_password_for);
    data.set("shown_password", outcome.shown_password);
  }
  write_workspace_page(app, ws, req, res, "ws_users", std::move(data), "Người dùng", status);
  res.set_header("Cache-Control", "no-store");
}

void list_users(AppContext& app, const httplib::Request& req, httplib::Response& res) {
  auto db = app.db.acquire();
  if (!db) return write_html_error(res, db.error(), 1);
  auto ws = open_workspace(app, **db, req, res, {core::Role::admin});
  if (!ws) return;
  users_page(app, *ws, **db, req, res, UserForm{}, Outcome{}, 200);
}

// POST /quan-ly/nguoi-dung
void create_user(AppContext& app, const httplib::Request& req, httplib::Response& res) {
  auto db = app.db.acquire_writer();
  if (!db) return write_html_error(res, db.error(), 1);
  auto ws = open_workspace(app, **db, req, res, {core::Role::admin});
  if (!ws) return;
  UserForm form;
  form.login = form_value(req, "login");
  form.display_name = form_value(req, "display_name");
  form.role = form_value(req, "role");
  form.producer_id = form_value(req, "producer_id");
  auto refuse = [&](const std::string& message) {
    Outcome outcome;
    outcome.error = message;
    users_page(app, *ws, **db, req, res, form, outcome, 400);
  };
  core::NewUser user;
  auto role = core::parse_role(form.role);
  if (!role) return refuse("Hãy chọn vai trò.");
  user.role = *role;
  if (*role == core::Role::producer) {
    auto id = parse_id(form.producer_id);
    if (!id) return refuse("Tài khoản nhà sản xuất phải gắn với một nhà sản xuất có trong sổ.");
    user.producer_id = *id;
  } else if (!form.producer_id.empty()) {
    return refuse(
        "Chỉ tài khoản nhà sản xuất mới gắn với một nhà sản xuất; hãy để trống ô Nhà sản xuất.");
  }
  user.login = form.login;
  user.display_name = form.display_name;
  std::string password = form_value(req, "password");
  const bool drawn = password.empty();
  if (drawn) password = random_password();
  user.password = password;
  user.must_change_password = true;

  auto transaction = (*db)->begin();
  if (!transaction) return write_html_error(res, transaction.error(), 1);
  core::Users users(**db, app.clock, api_options().users);
  auto created = users.create_user(user);
  if (!created) {
    const auto code = created.error().code;
    if (code != ErrorCode::invalid_input && code != ErrorCode::conflict &&
        code != ErrorCode::not_found)
      return write_html_error(res, created.error(), 1);
    return refuse(user_message(created.error()));
  }
  auto record = ws->audit("user.create", created->login + " (" + core::role_name(*role) + ")");
  record.producer_id = created->producer_id;
  if (auto ok = core::AuditLog(**db, app.clock).record(record); !ok)
    return write_html_error(res, ok.error(), 1);
  if (auto ok = transaction->commit(); !ok) return write_html_error(res, ok.error(), 1);
  Outcome outcome;
  outcome.notice = "Đã tạo tài khoản " + created->login + ".";
  if (drawn) {
    outcome.shown_password_for = created->login;
    outcome.shown_password = password;
  }
  users_page(app, *ws, **db, req, res, UserForm{}, outcome, 200);
}

// POST /quan-ly/nguoi-dung/{id}/khoa | mo-khoa | mat-khau
void change_user(AppContext& app, const httplib::Request& req, httplib::Response& res) {
  auto db = app.db.acquire_writer();
  if (!db) return write_html_error(res, db.error(), 1);
  auto ws = open_workspace(app, **db, req, res, {core::Role::admin});
  if (!ws) return;
  auto id = parse_id(req.matches[1].str());
  const std::string what = req.matches[2].str();
  core::Users users(**db, app.clock, api_options().users);
  auto target =
      id ? users.find_user(*id)
         : Result<core::User>(Error{ErrorCode::not_found, "Không có người dùng này.", ""});
  if (!target) return write_html_error(res, target.error(), 1);
  Outcome outcome;
  core::AuditRecord record = ws->audit("", target->login);
  record.producer_id = target->producer_id;
  // The change and its action-log record are written together, or neither.
  auto transaction = (*db)->begin();
  if (!transaction) return write_html_error(res, transaction.error(), 1);
  if (what == "khoa" || what == "mo-khoa") {
    const bool disable = what == "khoa";
    if (disable && target->id == ws->caller.user().id) {
      outcome.error = "Bạn không thể tự khoá tài khoản của mình.";
      return users_page(app, *ws, **db, req, res, UserForm{}, outcome, 400);
    }
    if (auto ok = users.set_status(target->id,
                                   disable ? core::UserStatus::disabled : core::UserStatus::active);
        !ok)
      return write_html_error(res, ok.error(), 1);
    record.action = disable ? "user.disable" : "user.enable";
    outcome.notice =
        (disable ? "Đã khoá tài khoản " : "Đã mở khoá tài khoản ") + target->login + ".";
  } else {
    std::string password = form_value(req, "password");
    const bool drawn = password.empty();
    if (drawn) password = random_password();
    const bool must_change =
        form_value(req, "must_change") == "1" && target->id != ws->caller.user().id;
    if (auto ok = users.reset_password(target->id, password, must_change); !ok) {
      if (ok.error().code != ErrorCode::invalid_input) return write_html_error(res, ok.error(), 1);
      outcome.error = user_message(ok.error());
      return users_page(app, *ws, **db, req, res, UserForm{}, outcome, 400);
    }
    record.action = "user.reset_password";
    outcome.notice =
        "Đã đặt lại mật khẩu của " + target->login + "; các phiên đăng nhập cũ đã kết thúc.";
    if (drawn) {
      outcome.shown_password_for = target->login;
      outcome.shown_password = password;
    }
  }
  if (auto ok = core::AuditLog(**db, app.clock).record(record); !ok)
    return write_html_error(res, ok.error(), 1);
  if (auto ok = transaction->commit(); !ok) return write_html_error(res, ok.error(), 1);
  users_page(app, *ws, **db, req, res, UserForm{}, outcome, 200);
}

void settings_page(AppContext& app, const Workspace& ws, core::Database& db,
                   const httplib::Request& req, httplib::Response& res, const std::string& ttl,
                   const std::string& error, bool saved, int status) {
  mustache::data data;
  data.set("order_ttl_minutes", ttl);
  data.set("order_ttl_default", std::to_string(app.config.order_ttl_minutes));
  data.set("order_ttl_max", std::to_string(kOrderTtlMax));
  core::SettingsStore settings(db, app.clock);
  auto stored = settings.get(kOrderTtlSetting);
  if (!stored) return write_html_error(res, stored.error(), 1);
  data.set("order_ttl_stored", mustache::data(stored->has_value()));
  if (!error.empty()) data.set("error", error);
  if (saved) data.set("saved", mustache::data(true));
  write_workspace_page(app, ws, req, res, "ws_settings", std::move(data), "Cài đặt", status);
}

void get_settings(AppContext& app, const httplib::Request& req, httplib::Response& res) {
  auto db = app.db.acquire();
  if (!db) return write_html_error(res, db.error(), 1);
  auto ws = open_workspace(app, **db, req, res, {core::Role::admin});
  if (!ws) return;
  settings_page(app, *ws, **db, req, res, std::to_string(order_ttl_minutes(app.config, **db)), "",
                form_value(req, "ok") == "1", 200);
}

// POST /quan-ly/cai-dat: order_ttl_minutes, or `reset` to go back to the configured value.
void post_settings(AppContext& app, const httplib::Request& req, httplib::Response& res) {
  auto db = app.db.acquire_writer();
  if (!db) return write_html_error(res, db.error(), 1);
  auto ws = open_workspace(app, **db, req, res, {core::Role::admin});
  if (!ws) return;
  const std::string submitted = form_value(req, "order_ttl_minutes");
  const bool reset = form_value(req, "reset") == "1";
  std::optional<int> minutes;
  if (!reset) {
    auto parsed = parse_order_ttl_minutes(submitted);
    if (!parsed)
      return settings_page(app, *ws, **db, req, res, submitted, parsed.error().message, false, 400);
    minutes = *parsed;
  }
  auto transaction = (*db)->begin();
  if (!transaction) return write_html_error(res, transaction.error(), 1);
  core::SettingsStore settings(**db, app.clock);
  auto done = minutes
                  ? settings.set(kOrderTtlSetting, std::to_string(*minutes), ws->caller.user().id)
                  : settings.clear(kOrderTtlSetting);
  if (!done) return write_html_error(res, done.error(), 1);
  const std::string subject = std::string(kOrderTtlSetting) + "=" +
                              (minutes ? std::to_string(*minutes) : std::string("mặc định"));
  if (auto ok = core::AuditLog(**db, app.clock).record(ws->audit("settings.update", subject)); !ok)
    return write_html_error(res, ok.error(), 1);
  if (auto ok = transaction->commit(); !ok) return write_html_error(res, ok.error(), 1);
  redirect_see_other(res, std::string(kSettingsPath) + "?ok=1");
}

}  // namespace

void register_workspace_admin_routes(Router& router, AppContext& app) {
  router.get(kUsersPath, [&app](const auto& req, auto& res) { list_users(app, req, res); });
  router.post(kUsersPath, [&app](const auto& req, auto& res) { create_user(app, req, res); });
  router.post(R"(/quan-ly/nguoi-dung/(\d{1,18})/(khoa|mo-khoa|mat-khau))",
              [&app](const auto& req, auto& res) { change_user(app, req, res); });
  router.get(kSettingsPath, [&app](const auto& req, auto& res) { get_settings(app, req, res); });
  router.post(kSettingsPath, [&app](const auto& req, auto& res) { post_settings(app, req, res); });
}

}  // namespace chophien::storefront
