#include "storefront/workspace.h"

#include <charconv>
#include <cstdio>
#include <utility>
#include <vector>

#include "core/producers.h"
#include "storefront/form_token.h"
#include "storefront/http_errors.h"

namespace chophien::storefront {
namespace {

struct NavItem {
  const char* path;
  const char* label;
};

// The producer's pages (also an officer's or administrator's in helper mode).
constexpr NavItem kProducerNav[] = {
    {"/quan-ly", "Tổng quan"},           {"/quan-ly/san-pham", "Sản phẩm"},
    {"/quan-ly/don-hang", "Đơn hàng"},   {"/quan-ly/thanh-toan", "Thanh toán"},
    {"/quan-ly/ban-hang", "Bán hàng"},   {"/quan-ly/san-tmdt", "Sàn TMĐT"},
    {"/quan-ly/tep-san", "Tệp cho sàn"}, {"/quan-ly/ma-qr", "Mã QR"},
};
// The officer's pages; administrators have these and their own.
constexpr NavItem kOfficerNav[] = {
    {"/quan-ly", "Tổng quan"},
    {"/quan-ly/so-lieu", "Số liệu"},
    {"/quan-ly/nha-san-xuat", "Nhà sản xuất"},
    {"/quan-ly/tu-khai", "Tự khai"},
};
constexpr NavItem kAdminNav[] = {
    {"/quan-ly/nhat-ky", "Nhật ký"},
    {"/quan-ly/nguoi-dung", "Người dùng"},
    {"/quan-ly/cai-dat", "Cài đặt"},
};

std::string percent_encode(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '/' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

// The page the visitor asked for, to come back to after signing in.
std::string this_page(const httplib::Request& req) {
  std::string next = req.path;
  bool first = true;
  for (const auto& [key, value] : req.params) {
    next += first ? "?" : "&";
    next += key + "=" + value;
    first = false;
  }
  return next;
}

std::optional<int64_t> parse_id(std::string_view text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 1) return std::nullopt;
  return value;
}

void add_nav(mustache::data& list, const NavItem* begin, const NavItem* end,
             std::string_view current) {
  for (const NavItem* item = begin; item != end; ++item) {
    mustache::data entry;
    entry.set("path", item->path);
    entry.set("label", item->label);
    entry.set("current", mustache::data(current == item->path));
    list.push_back(entry);
  }
}

}  // namespace

core::Actor Workspace::actor() const {
  core::Actor actor = caller.actor();
  if (helping) actor.producer_id = producer_id;
  return actor;
}

core::AuditRecord Workspace::audit(std::string action, std::string subject) const {
  core::AuditRecord record;
  record.user_id = caller.user().id;
  record.producer_id = producer_id;
  record.on_behalf = helping;
  record.action = std::move(action);
  record.subject = std::move(subject);
  return record;
}

bool is_safe_next(std::string_view next) {
  if (next.empty() || next.size() > 2000 || next[0] != '/') return false;
  if (next.size() > 1 && (next[1] == '/' || next[1] == '\\')) return false;
  for (unsigned char c : next) {
    if (c < 0x20 || c == 0x7f || c == '\\') return false;
  }
  return true;
}

std::string form_value(const httplib::Request& req, const char* name) {
  return req.has_param(name) ? req.get_param_value(name) : std::string();
}

void redirect_see_other(httplib::Response& res, const std::string& path) {
  res.status = 303;
  res.set_header("Location", path);
  res.set_header("Cache-Control", "no-store");
}

std::optional<Workspace> open_workspace(AppContext& app, core::Database& db,
                                        const httplib::Request& req, httplib::Response& res,
                                        std::initializer_list<core::Role> roles) {
  res.set_header("Cache-Control", "no-store");
  auto caller = optional_caller(db, app.clock, req);
  if (caller && *caller && !(*caller)->by_cookie) {
    // A bearer token belongs to the API; the pages are for the browser's session.
    caller = std::optional<Caller>();
  }
  if (!caller || !*caller) {
    if (!caller && caller.error().code == ErrorCode::password_change_required) {
      if (req.method == "GET" || req.method == "HEAD") {
        redirect_see_other(res, kPasswordPagePath);
      } else {
        write_html_error(res, Error{ErrorCode::password_change_required,
                                    "Bạn cần đổi mật khẩu trước khi làm việc khác.", ""});
      }
      return std::nullopt;
    }
    if (!caller && caller.error().code != ErrorCode::unauthenticated) {
      write_html_error(res, caller.error(), 1);
      return std::nullopt;
    }
    if (req.method == "GET" || req.method == "HEAD") {
      redirect_see_other(res, std::string(kSignInPath) + "?next=" + percent_encode(this_page(req)));
    } else {
      write_html_error(res, Error{ErrorCode::unauthenticated,
                                  "Phiên đăng nhập đã hết. Vui lòng đăng nhập lại.", ""});
    }
    return std::nullopt;
  }
  Workspace ws;
  ws.caller = std::move(**caller);
  if (auto ok = require_role(ws.caller, roles); !ok) {
    write_html_error(res,
                     Error{ErrorCode::forbidden, "Tài khoản của bạn không được mở trang này.", ""});
    return std::nullopt;
  }
  if (auto ok = check_csrf(ws.caller, req); !ok) {
    write_html_error(res,
                     Error{ErrorCode::forbidden,
                           "Biểu mẫu đã cũ hoặc không hợp lệ. Hãy tải lại trang và gửi lại.", ""});
    return std::nullopt;
  }
  if (ws.caller.is_producer()) {
    ws.producer_id = ws.caller.producer_id();
  } else if (auto helping = cookie_value(req, kHelpingCookie)) {
    if (auto id = parse_id(*helping)) {
      core::ProducerStore producers(db, app.clock);
      if (auto p = producers.get(*id)) {
        ws.producer_id = p->id;
        ws.producer_name = p->fields.name;
        ws.helping = true;
      }
    }
  }
  if (ws.producer_id && ws.producer_name.empty()) {
    core::ProducerStore producers(db, app.clock);
    auto p = producers.get(*ws.producer_id);
    if (!p) {
      write_html_error(res, p.error(), 1);
      return std::nullopt;
    }
    ws.producer_name = p->fields.name;
  }
  return ws;
}

std::optional<Workspace> open_producer_workspace(AppContext& app, core::Database& db,
                                                 const httplib::Request& req,
                                                 httplib::Response& res) {
  auto ws = open_workspace(app, db, req, res,
                           {core::Role::producer, core::Role::officer, core::Role::admin});
  if (!ws) return std::nullopt;
  if (!ws->producer_id) {
    redirect_see_other(res, std::string(kWorkspacePath));
    return std::nullopt;
  }
  return ws;
}

void write_workspace_page(AppContext& app, const Workspace& ws, const httplib::Request& req,
                          httplib::Response& res, std::string_view content, mustache::data data,
                          std::string title, int status) {
  if (!data.is_object()) data = mustache::data(mustache::data::type::object);
  PageInfo info;
  info.title = std::move(title);
  info.csrf_token = ws.caller.session.csrf_token;
  app.render.add_layout_fields(data, info);
  auto body = app.render.render(content, data);
  if (!body) return write_html_error(res, body.error());

  mustache::data nav{mustache::data::type::list};
  const std::string_view current = req.path;
  if (ws.producer_id) {
    add_nav(nav, std::begin(kProducerNav), std::end(kProducerNav), current);
  }
  if (!ws.caller.is_producer()) {
    auto* begin = std::begin(kOfficerNav);
    if (ws.producer_id) ++begin;  // "Tổng quan" is already there
    add_nav(nav, begin, std::end(kOfficerNav), current);
  }
  if (ws.caller.is_admin()) add_nav(nav, std::begin(kAdminNav), std::end(kAdminNav), current);

  mustache::data frame = data;
  frame.set("nav", nav);
  frame.set("content", std::move(*body));
  frame.set("user_name", ws.caller.user().display_name.empty() ? ws.caller.user().login
                                                               : ws.caller.user().display_name);
  frame.set("role_vi", std::string(ws.caller.is_admin()     ? "Quản trị viên"
                                   : ws.caller.is_officer() ? "Cán bộ"
                                                            : "Nhà sản xuất"));
  if (ws.producer_id) frame.set("producer_name", ws.producer_name);
  if (ws.helping) frame.set("helping", mustache::data(true));
  auto html = app.render.page("workspace", std::move(frame), info);
  if (!html) return write_html_error(res, html.error());
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(*html, "text/html; charset=utf-8");
}

}  // namespace chophien::storefront
