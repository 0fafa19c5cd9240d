#pragma once
// Who is calling: the session from the `session` cookie (HttpOnly, SameSite=Lax, Secure under TLS)
// or from `Authorization: Bearer <token>`, the user's role, and the CSRF check.
//
// CSRF: a request authenticated by the cookie with an unsafe method (POST, PUT, PATCH, DELETE)
// must carry the session's CSRF token in the X-CSRF-Token header or in a form field `csrf_token`.
// A bearer request needs none (browsers never add the Authorization header by themselves).
//
// Errors (values): unauthenticated when no or bad credentials are presented, forbidden for a
// missing or wrong CSRF token and for a role or producer that is not allowed. Storage errors
// (unavailable) pass through.
//
// A session of a user who must change its password (core::User::must_change_password: another
// person chose it) is good for nothing but changing it: every request with it is refused with
// password_change_required (403), except those to kPasswordChangePaths (change it, sign out).
//
// Thread-safety: free functions over one request and one connection; api_options() may be read
// from any thread and must be set (tests, benchmarks) before the server starts.

#include <httplib.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "core/database.h"
#include "core/orders.h"
#include "core/result.h"
#include "core/users.h"
#include "storefront/server.h"

namespace chophien::storefront {

inline constexpr const char* kSessionCookie = "session";
inline constexpr const char* kCsrfHeader = "X-CSRF-Token";
inline constexpr const char* kCsrfField = "csrf_token";
// The workspace page where a user changes its own password.
inline constexpr const char* kPasswordPagePath = "/quan-ly/doi-mat-khau";
// What a session that must change its password may still reach.
inline constexpr const char* kPasswordChangePaths[] = {
    "/api/v1/auth/password", "/api/v1/auth/logout", kPasswordPagePath, "/dang-xuat"};

// Process-wide settings of the API routes. The defaults are production ones.
struct ApiOptions {
  core::UsersOptions users;  // scrypt strength, session lifetimes, throttling
  // Busy timeout set on each connection the API routes use, in milliseconds; 0 keeps the
  // connection's default (5 s). Tests shorten it to reach 503 quickly.
  int busy_timeout_ms = 0;
};
const ApiOptions& api_options();
void set_api_options(const ApiOptions& options);
// api_options().users with the sign-in throttling of `config` (CHOPHIEN_SIGNIN_*): for the
// routes that check a password.
core::UsersOptions sign_in_options(const Config& config);

// A signed-in caller.
struct Caller {
  core::Session session;
  bool by_cookie = false;  // true: the cookie, false: a bearer token

  const core::User& user() const { return session.user; }
  core::Role role() const { return session.user.role; }
  bool is_admin() const { return role() == core::Role::admin; }
  bool is_officer() const { return role() == core::Role::officer; }
  bool is_producer() const { return role() == core::Role::producer; }
  // The producer a producer user is bound to; nullopt for officers and admins.
  std::optional<int64_t> producer_id() const { return session.user.producer_id; }
  // As recorded in order events.
  core::Actor actor() const;
};

// The token the request presents, and whether it came from the cookie. The Authorization header
// wins over the cookie. nullopt when there is neither.
struct PresentedToken {
  std::string token;
  bool by_cookie = false;
};
std::optional<PresentedToken> presented_token(const httplib::Request& req);

// The caller when the request presents credentials, nullopt when it presents none.
// unauthenticated when the presented token is unknown or expired; password_change_required (see
// the header comment). No CSRF check (for reads and for routes that are also open to anyone).
Result<std::optional<Caller>> optional_caller(core::Database& db, const core::Clock& clock,
                                              const httplib::Request& req);

// The caller, required: unauthenticated without credentials; for unsafe methods with the cookie,
// forbidden without the right CSRF token.
Result<Caller> require_caller(core::Database& db, const core::Clock& clock,
                              const httplib::Request& req);

// True for POST, PUT, PATCH and DELETE.
bool is_unsafe_method(std::string_view method);
// forbidden unless a cookie-authenticated unsafe request carries the session's CSRF token.
Result<void> check_csrf(const Caller& caller, const httplib::Request& req);

// forbidden unless the caller has one of `roles`.
Result<void> require_role(const Caller& caller, std::initializer_list<core::Role> roles);
// Officers and admins may act for any producer; a producer user only for its own.
// forbidden otherwise.
Result<void> require_producer_scope(const Caller& caller, int64_t producer_id);
// True when require_producer_scope would succeed.
bool may_act_for(const Caller& caller, int64_t producer_id);

// Set-Cookie for a new session (HttpOnly; SameSite=Lax; Path=/; Secure when `tls`), and the
// cookie that removes it.
void set_session_cookie(httplib::Response& res, const core::Session& session, bool tls);
void clear_session_cookie(httplib::Response& res, bool tls);

// Sets AppContext::is_admin_request to "this request carries an administrator's session".
void install_admin_check(AppContext& app);

}  // namespace chophien::storefront
