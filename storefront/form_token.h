#pragma once
// CSRF protection for the forms of visitors without a session (cart, checkout): a double-submit
// cookie. The page that shows a form reuses the visitor's `form_token` cookie or sets a new one
// (128 random bits, hex; HttpOnly, SameSite=Lax, Path=/, Secure under TLS) and writes the same
// value into the form's hidden `csrf_token` field. A POST is accepted only when both are present,
// well-formed and equal (compared in constant time). SameSite=Lax keeps other sites' POSTs from
// carrying the cookie; HttpOnly keeps page scripts from reading it.
//
// Thread-safe: the random bytes come from OpenSSL's RAND_bytes.

#include <optional>
#include <string>
#include <string_view>

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace chophien::storefront {

inline constexpr const char* kFormTokenCookie = "form_token";
inline constexpr const char* kFormTokenField = "csrf_token";

// 32 lower-case hex digits from 16 random bytes.
std::string new_form_token();

// The value of cookie `name` in the request's Cookie header(s); nullopt when absent.
std::optional<std::string> cookie_value(const httplib::Request& req, std::string_view name);
// The same for one Cookie header's value.
std::optional<std::string> cookie_in(std::string_view header, std::string_view name);

// True when `token` has the form of a token (32 lower-case hex digits).
bool well_formed_form_token(std::string_view token);

// The Set-Cookie value that gives the visitor `token` (Secure under TLS).
std::string form_token_cookie(std::string_view token, bool tls);

// The token for a page that shows a form: the visitor's cookie when it is well-formed, otherwise a
// new one, which is then also set on `res`.
std::string form_token_for(const httplib::Request& req, httplib::Response& res, bool tls);

// True when the request's cookie and its `csrf_token` form field carry the same well-formed token.
bool form_token_ok(const httplib::Request& req);

}  // namespace chophien::storefront
