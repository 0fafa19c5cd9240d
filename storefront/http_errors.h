#pragma once
// The one place that maps chophien::ErrorCode to an HTTP status and writes error bodies.
//
// JSON (api.md): {"error": {"code": "invalid_input", "message": "...", "field": "amount"},
//                 "request_id": "r-5f2c9a"}   (field only when the Error names one)
// HTML: a short Vietnamese page with the same request id, for people.
// The request id is read from the response's X-Request-Id header, which the server sets before
// any handler runs.
//
// Thread-safety: pure functions over the given request/response.

#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace chophien::storefront {

inline constexpr const char* kRequestIdHeader = "X-Request-Id";

// 400 invalid_input, 401 unauthenticated, 403 forbidden, 404 not_found, 409 conflict,
// 403 password_change_required, 413 too_large, 429 rate_limited, 503 unavailable, 500 internal.
int http_status(ErrorCode code);

// The code an HTTP error status stands for when the status came from the HTTP layer itself
// (e.g. 413 from the body limit, 404 from routing, 405, 414).
ErrorCode error_code_for_status(int status);

// The id given to this request ("r-" and 6 hex digits), or "" if none.
std::string request_id(const httplib::Response& res);

// True when the answer should be JSON: API, hooks, health, metrics and image paths, or a client
// that asks for JSON and not HTML.
bool wants_json(const httplib::Request& req);

// Sets status, Content-Type and the JSON body. `retry_after_seconds` adds Retry-After (used with
// rate_limited and unavailable).
void write_error(httplib::Response& res, const Error& error,
                 std::optional<int> retry_after_seconds = {});
// The HTML page variant (Vietnamese), standalone so it works even when rendering failed.
void write_html_error(httplib::Response& res, const Error& error,
                      std::optional<int> retry_after_seconds = {});
// JSON or HTML, by wants_json(req).
void write_error(const httplib::Request& req, httplib::Response& res, const Error& error,
                 std::optional<int> retry_after_seconds = {});

// Escapes & < > " ' for HTML text and attribute values.
std::string html_escape(std::string_view text);

}  // namespace chophien::storefront
