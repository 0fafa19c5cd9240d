#pragma once
// The workspace under /quan-ly where producers, officers and administrators work: who is signed
// in, whose data a page shows and changes, the CSRF check of its forms, and the frame every
// workspace page is drawn in (a navigation per role, the helper-mode banner, sign-out).
//
// open_workspace() starts every workspace handler. It writes the answer itself and returns
// nullopt when the request may not go on:
//   - no session (or an expired one): GET gets 303 to /dang-nhap?next=<this page>, other methods
//     a 401 page;
//   - a session that must change its password (auth.h): GET gets 303 to /quan-ly/doi-mat-khau,
//     other methods a 403 page;
//   - a role not among those the page allows: 403 page;
//   - an unsafe method (POST...) without the session's CSRF token in the form field `csrf_token`
//     (or the X-CSRF-Token header): 403 page, nothing changed.
// Workspace pages are only for the session cookie; a bearer token is for the JSON API.
//
// Helper mode: an officer or administrator helping a producer (onboarding, entering products)
// starts it with POST /quan-ly/ho-tro/{producer id}, which sets the cookie `helping` (HttpOnly,
// SameSite=Strict, Path=/quan-ly). Producer pages then act for that producer, show a banner, and
// each change is recorded in the action log (core/audit.h) as done by the officer on the
// producer's behalf. POST /quan-ly/ho-tro/ket-thuc ends it. The cookie only names the producer:
// the signed-in user's role is what allows it, so a producer who sets the cookie gains nothing.
//
// Thread-safety: free functions over one request; the Database is the request's own.

#include <httplib.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "core/audit.h"
#include "core/database.h"
#include "core/orders.h"
#include "storefront/auth.h"
#include "storefront/render.h"
#include "storefront/server.h"

namespace chophien::storefront {

inline constexpr const char* kHelpingCookie = "helping";
inline constexpr const char* kSignInPath = "/dang-nhap";
inline constexpr const char* kWorkspacePath = "/quan-ly";

struct Workspace {
  Caller caller;
  // The producer whose data the page shows and changes: a producer user's own, or the one an
  // officer or administrator helps. nullopt for an officer or administrator not in helper mode.
  std::optional<int64_t> producer_id;
  std::string producer_name;
  bool helping = false;  // an officer or administrator acting for producer_id

  // As recorded in order events: the producer user, or the officer or administrator (with the
  // producer set when helping).
  core::Actor actor() const;
  // An action-log entry for a change to this workspace's producer (or an installation-wide one
  // when there is none).
  core::AuditRecord audit(std::string action, std::string subject) const;
};

// See the header comment. `roles` are the roles the page is for.
std::optional<Workspace> open_workspace(AppContext& app, core::Database& db,
                                        const httplib::Request& req, httplib::Response& res,
                                        std::initializer_list<core::Role> roles);

// A producer page (products, orders, payments, sales, stall QR): producers, and officers or
// administrators in helper mode. An officer or administrator not helping anyone is sent to the
// producer register to pick one (303). nullopt when the answer is written.
std::optional<Workspace> open_producer_workspace(AppContext& app, core::Database& db,
                                                 const httplib::Request& req,
                                                 httplib::Response& res);

// Renders template `content` with `data` inside the workspace frame and the site layout, with
// the navigation for the workspace's role (the link to `current_path` marked), the CSRF token
// for its forms, and no caching. `status` is the HTTP status (400 for a form sent back with
// messages).
void write_workspace_page(AppContext& app, const Workspace& ws, const httplib::Request& req,
                          httplib::Response& res, std::string_view content, mustache::data data,
                          std::string title, int status = 200);

// 303 to `path` (after a form that changed something: the browser then GETs the result).
void redirect_see_other(httplib::Response& res, const std::string& path);

// The form's value of `name`, or "" when absent.
std::string form_value(const httplib::Request& req, const char* name);

// True when `next` is a path of this site that sign-in may send the user to (no scheme, no
// host, no "//", no backslash, no control characters).
bool is_safe_next(std::string_view next);

}  // namespace chophien::storefront
