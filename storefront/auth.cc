#include "storefront/auth.h"

#include <algorithm>
#include <iterator>
#include <memory>
#include <mutex>
#include <vector>

namespace chophien::storefront {
namespace {

std::mutex options_mutex;
std::shared_ptr<const ApiOptions>& options_slot() {
  static std::shared_ptr<const ApiOptions> slot = std::make_shared<const ApiOptions>();
  return slot;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The value of cookie `name` in a Cookie header ("a=1; session=xyz"), or nullopt.
std::optional<std::string> cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const size_t semi = header.find(';');
    std::string_view pair = trim(header.substr(0, semi));
    header = semi == std::string_view::npos ? std::string_view{} : header.substr(semi + 1);
    const size_t eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    if (trim(pair.substr(0, eq)) == name) return std::string(trim(pair.substr(eq + 1)));
  }
  return std::nullopt;
}

Error unauthenticated(std::string message) {
  return Error{ErrorCode::unauthenticated, std::move(message), {}};
}

Error forbidden(std::string message) { return Error{ErrorCode::forbidden, std::move(message), {}}; }

}  // namespace

const ApiOptions& api_options() {
  // Options are set before the server starts; a replaced copy stays alive (see below), so the
  // reference returned here never dangles.
  std::lock_guard lock(options_mutex);
  return *options_slot();
}

void set_api_options(const ApiOptions& options) {
  static std::vector<std::shared_ptr<const ApiOptions>> retired;
  std::lock_guard lock(options_mutex);
  retired.push_back(options_slot());
  options_slot() = std::make_shared<const ApiOptions>(options);
}

core::UsersOptions sign_in_options(const Config& config) {
  core::UsersOptions options = api_options().users;
  options.max_failures_per_pair = config.signin_max_failures;
  options.max_failures_per_address = config.signin_max_failures_per_address;
  options.failure_window_seconds = config.signin_window_seconds;
  return options;
}

core::Actor Caller::actor() const {
  const core::User& u = session.user;
  switch (u.role) {
    case core::Role::admin:
      return core::Actor::admin(u.id);
    case core::Role::officer:
      return core::Actor::officer(u.id);
    case core::Role::producer:
      return core::Actor::producer(u.id, u.producer_id.value_or(0));
  }
  return core::Actor::system();
}

std::optional<PresentedToken> presented_token(const httplib::Request& req) {
  const std::string authorization = req.get_header_value("Authorization");
  if (!authorization.empty()) {
    constexpr std::string_view kBearer = "Bearer ";
    std::string_view value = authorization;
    if (value.size() > kBearer.size()) {
      std::string_view scheme = value.substr(0, kBearer.size());
      bool is_bearer = true;
      for (size_t i = 0; i < kBearer.size(); ++i) {
        char c = scheme[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        char k = kBearer[i];
        if (k >= 'A' && k <= 'Z') k = static_cast<char>(k - 'A' + 'a');
        if (c != k) is_bearer = false;
      }
      if (is_bearer) return PresentedToken{std::string(trim(value.substr(kBearer.size()))), false};
    }
    // A malformed Authorization header is presented credentials that cannot be valid.
    return PresentedToken{"", false};
  }
  auto [begin, end] = req.headers.equal_range("Cookie");
  for (auto it = begin; it != end; ++it) {
    if (auto token = cookie_value(it->second, kSessionCookie)) return PresentedToken{*token, true};
  }
  return std::nullopt;
}

Result<std::optional<Caller>> optional_caller(core::Database& db, const core::Clock& clock,
                                              const httplib::Request& req) {
  auto presented = presented_token(req);
  if (!presented) return std::optional<Caller>{};
  if (presented->token.empty()) return unauthenticated("bad Authorization header");
  core::Users users(db, clock, api_options().users);
  auto session = users.find_session(presented->token);
  if (!session) {
    if (session.error().code == ErrorCode::unauthenticated) {
      return unauthenticated("the session is unknown or has expired; sign in again");
    }
    return session.error();
  }
  if (session->user.must_change_password &&
      std::find(std::begin(kPasswordChangePaths), std::end(kPasswordChangePaths), req.path) ==
          std::end(kPasswordChangePaths)) {
    return Error{ErrorCode::password_change_required,
                 "change your password first (POST /api/v1/auth/password; page " +
                     std::string(kPasswordPagePath) + ")",
                 {}};
  }
  return std::optional<Caller>{Caller{std::move(*session), presented->by_cookie}};
}

Result<Caller> require_caller(core::Database& db, const core::Clock& clock,
                              const httplib::Request& req) {
  auto caller = optional_caller(db, clock, req);
  if (!caller) return caller.error();
  if (!*caller) return unauthenticated("sign in first (session cookie or Authorization: Bearer)");
  if (auto csrf = check_csrf(**caller, req); !csrf) return csrf.error();
  return std::move(**caller);
}

bool is_unsafe_method(std::string_view method) {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

Result<void> check_csrf(const Caller& caller, const httplib::Request& req) {
  if (!caller.by_cookie || !is_unsafe_method(req.method)) return {};
  std::string submitted = req.get_header_value(kCsrfHeader);
  if (submitted.empty() && req.has_param(kCsrfField)) submitted = req.get_param_value(kCsrfField);
  if (submitted.empty() && req.has_file(kCsrfField)) {
    submitted = req.get_file_value(kCsrfField).content;
  }
  if (submitted.empty() || !core::Users::csrf_matches(caller.session, submitted)) {
    return forbidden("missing or wrong CSRF token (header X-CSRF-Token or field csrf_token)");
  }
  return {};
}

Result<void> require_role(const Caller& caller, std::initializer_list<core::Role> roles) {
  for (core::Role role : roles) {
    if (caller.role() == role) return {};
  }
  return forbidden("your role may not do this");
}

bool may_act_for(const Caller& caller, int64_t producer_id) {
  if (caller.is_admin() || caller.is_officer()) return true;
  return caller.is_producer() && caller.producer_id() == producer_id;
}

Result<void> require_producer_scope(const Caller& caller, int64_t producer_id) {
  if (may_act_for(caller, producer_id)) return {};
  return forbidden("this belongs to another producer");
}

void set_session_cookie(httplib::Response& res, const core::Session& session, bool tls) {
  std::string cookie = std::string(kSessionCookie) + "=" + session.token +
                       "; Path=/; HttpOnly; SameSite=Lax" + (tls ? "; Secure" : "");
  res.set_header("Set-Cookie", cookie);
}

void clear_session_cookie(httplib::Response& res, bool tls) {
  std::string cookie = std::string(kSessionCookie) +
                       "=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax" + (tls ? "; Secure" : "");
  res.set_header("Set-Cookie", cookie);
}

void install_admin_check(AppContext& app) {
  AppContext* context = &app;
  app.is_admin_request = [context](const httplib::Request& req) {
    if (!presented_token(req)) return false;
    auto db = context->db.acquire();
    if (!db) return false;
    auto caller = optional_caller(*db, context->clock, req);
    return caller && *caller && (*caller)->is_admin();
  };
}

}  // namespace chophien::storefront
