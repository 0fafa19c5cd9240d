// The JSON API of api.md, part one: the shared plumbing, sign-in, users and producers. Products,
// orders, payments and sales are in routes_api_*.cc.
#include <httplib.h>

#include <charconv>
#include <string>
#include <utility>

#include "core/producers.h"
#include "core/users.h"
#include "qr/banks.h"
#include "storefront/api_support.h"
#include "storefront/auth.h"
#include "storefront/client_address.h"
#include "storefront/http_errors.h"
#include "storefront/receiving_account.h"
#include "storefront/routes.h"

namespace chophien::storefront {

constexpr const char* kJsonType = "application/json; charset=utf-8";

Handler api_handler(AppContext& app, ApiFunction fn, DbAccess access) {
  return [&app, fn = std::move(fn), access](const httplib::Request& req, httplib::Response& res) {
    res.set_header("Cache-Control", "no-store");
    // Writes queue on the process's writer lock (DbPool) instead of SQLite's busy timeout. Sign-in
    // is left out: its password check is slow on purpose and must not hold up checkouts.
    const bool writes = access == DbAccess::by_method && req.method != "GET" &&
                        req.method != "HEAD" && req.path != "/api/v1/auth/login" &&
                        req.path != "/api/v1/auth/password";
    auto db = writes ? app.db.acquire_writer() : app.db.acquire();
    if (!db) return write_error(res, db.error(), 1);
    if (api_options().busy_timeout_ms > 0) (*db)->set_busy_timeout(api_options().busy_timeout_ms);
    ApiCall call{app, **db, req, res, std::nullopt};
    auto reply = fn(call);
    if (!reply) {
      std::optional<int> retry = call.retry_after;
      if (!retry && reply.error().code == ErrorCode::unavailable) retry = 1;
      return write_error(res, reply.error(), retry);
    }
    res.status = reply->status;
    res.set_content(reply->body.dump(-1, ' ', false, Json::error_handler_t::replace), kJsonType);
  };
}

Result<int64_t> path_id(const httplib::Request& req, size_t group) {
  const std::string text = req.matches[static_cast<int>(group)];
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 1) {
    return not_found("no such resource");
  }
  return value;
}

Result<Json> body_object(const httplib::Request& req, bool empty_ok) {
  if (empty_ok && req.body.empty()) return Json::object();
  return parse_object(req.body);
}

namespace {

bool bin_in_directory(std::string_view bin) { return qr::find_bank_by_bin(bin) != nullptr; }

Result<Reply> login(ApiCall& call) {
  auto body = body_object(call.req);
  if (!body) return body.error();
  auto name = read_string(*body, "login", "login");
  if (!name) return name.error();
  auto password = read_string(*body, "password", "password");
  if (!password) return password.error();
  if (!*name || (*name)->empty()) return invalid_input("login is required", "login");
  if (!*password || (*password)->empty()) return invalid_input("password is required", "password");
  core::Users users(call.db, call.app.clock, sign_in_options(call.app.config));
  const std::string address = limited_address(call.req, call.app.config.trusted_proxies);
  auto session = users.authenticate(**name, **password, address);
  if (!session) {
    if (session.error().code == ErrorCode::rate_limited) {
      const int64_t wait = users.login_retry_after(**name, address);
      call.retry_after = static_cast<int>(wait < 1 ? 1 : wait);
    }
    return session.error();
  }
  set_session_cookie(call.res, *session, call.app.config.tls());
  return Reply{200, Json{{"token", session->token},
                         {"csrf_token", session->csrf_token},
                         {"expires_at", time_json(session->expires_at)},
                         {"user", user_json(session->user)}}};
}

Result<Reply> logout(ApiCall& call) {
  auto caller = require_caller(call.db, call.app.clock, call.req);
  if (!caller) return caller.error();
  core::Users users(call.db, call.app.clock, api_options().users);
  if (auto done = users.logout(caller->session.token); !done) return done.error();
  clear_session_cookie(call.res, call.app.config.tls());
  return Reply{200, Json{{"status", "signed_out"}}};
}

// POST /api/v1/auth/password: the caller's own new password; the one call a login that must
// change its password may make (with logout).
Result<Reply> change_password(ApiCall& call) {
  auto caller = require_caller(call.db, call.app.clock, call.req);
  if (!caller) return caller.error();
  auto body = body_object(call.req);
  if (!body) return body.error();
  auto current = read_string(*body, "current_password", "current_password");
  if (!current) return current.error();
  auto fresh = read_string(*body, "new_password", "new_password");
  if (!fresh) return fresh.error();
  if (!*current || (*current)->empty()) {
    return invalid_input("current_password is required", "current_password");
  }
  if (!*fresh || (*fresh)->empty())
    return invalid_input("new_password is required", "new_password");
  core::Users users(call.db, call.app.clock, sign_in_options(call.app.config));
  const std::string address = limited_address(call.req, call.app.config.trusted_proxies);
  auto done = users.change_password(caller->session, **current, **fresh, address);
  if (!done) {
    if (done.error().code == ErrorCode::rate_limited) {
      const int64_t wait = users.login_retry_after(caller->user().login, address);
      call.retry_after = static_cast<int>(wait < 1 ? 1 : wait);
    }
    return done.error();
  }
  auto user = users.find_user(caller->user().id);
  if (!user) return user.error();
  return Reply{200, Json{{"status", "password_changed"}, {"user", user_json(*user)}}};
}

// POST /api/v1/users. Whoever creates a login chooses its first password, so the new user must
// change it at first sign-in. An officer creates a producer's first login only: a second one
// would let the officer act as a producer that already signs in by itself.
Result<Reply> create_user(ApiCall& call) {
  auto caller = require_caller(call.db, call.app.clock, call.req);
  if (!caller) return caller.error();
  if (auto ok = require_role(*caller, {core::Role::admin, core::Role::officer}); !ok) {
    return ok.error();
  }
  auto body = body_object(call.req);
  if (!body) return body.error();
  core::NewUser user;
  auto login_name = read_string(*body, "login", "login");
  if (!login_name) return login_name.error();
  auto password = read_string(*body, "password", "password");
  if (!password) return password.error();
  auto role = read_string(*body, "role", "role");
  if (!role) return role.error();
  auto producer_id = read_int(*body, "producer_id", "producer_id", 1, INT64_MAX);
  if (!producer_id) return producer_id.error();
  auto display_name = read_string(*body, "display_name", "display_name");
  if (!display_name) return display_name.error();
  if (!*role) return invalid_input("role is required: admin, officer or producer", "role");
  auto parsed_role = core::parse_role(**role);
  if (!parsed_role) return invalid_input("role must be admin, officer or producer", "role");
  if (caller->is_officer() && *parsed_role != core::Role::producer) {
    return Error{ErrorCode::forbidden, "officers create producer users only", "role"};
  }
  user.login = login_name->value_or("");
  user.password = password->value_or("");
  user.role = *parsed_role;
  user.producer_id = *producer_id;
  user.display_name = display_name->value_or("");
  user.must_change_password = true;
  user.only_first_login = caller->is_officer();
  core::Users users(call.db, call.app.clock, api_options().users);
  auto created = users.create_user(user);
  if (!created) return created.error();
  return Reply{201, user_json(*created)};
}

// Members a producer user may not change on its own record: the officer's register.
constexpr const char* kRegisterOnlyFields[] = {
    "registration_no", "representative", "ocop_registered_year",
    "notes",           "status",         "registered_at"};

Result<void> set_text(const Json& body, const char* key, const std::string& field,
                      std::string& target) {
  auto value = read_string(body, key, field);
  if (!value) return value.error();
  if (*value) target = **value;
  return {};
}

// Applies the members present in `body` to `f` (POST: onto defaults; PATCH: onto the record).
Result<void> apply_producer_fields(const Json& body, core::ProducerFields& f) {
  for (auto [key, target] :
       {std::pair{"name", &f.name}, std::pair{"phone", &f.phone}, std::pair{"address", &f.address},
        std::pair{"registration_no", &f.registration_no},
        std::pair{"representative", &f.representative}, std::pair{"notes", &f.notes}}) {
    if (auto ok = set_text(body, key, key, *target); !ok) return ok.error();
  }
  auto entity = read_string(body, "entity_type", "entity_type");
  if (!entity) return entity.error();
  if (*entity) {
    auto parsed = core::parse_entity_type(**entity);
    if (!parsed) {
      return invalid_input(
          "entity_type must be enterprise, cooperative, cooperative_group or household_business",
          "entity_type");
    }
    f.entity_type = *parsed;
  }
  auto area = read_string(body, "area_code", "area_code");
  if (!area) return area.error();
  if (*area && **area != f.area_code) {
    f.area_code = **area;
    f.area_valid_from.clear();
  }
  if (auto ok = set_text(body, "area_valid_from", "area_valid_from", f.area_valid_from); !ok) {
    return ok.error();
  }
  auto bank = read_object(body, "bank", "bank");
  if (!bank) return bank.error();
  if (*bank) {
    if (auto ok = set_text(**bank, "bin", "bank.bin", f.bank.bin); !ok) return ok.error();
    if (auto ok = set_text(**bank, "account", "bank.account", f.bank.account); !ok) {
      return ok.error();
    }
    if (auto ok = set_text(**bank, "holder", "bank.holder", f.bank.holder); !ok) {
      return ok.error();
    }
  }
  auto social = read_object(body, "social", "social");
  if (!social) return social.error();
  if (*social) {
    if (auto ok = set_text(**social, "zalo", "social.zalo", f.social.zalo); !ok) return ok.error();
    if (auto ok = set_text(**social, "facebook", "social.facebook", f.social.facebook); !ok) {
      return ok.error();
    }
    if (auto ok = set_text(**social, "tiktok", "social.tiktok", f.social.tiktok); !ok) {
      return ok.error();
    }
    auto source = read_string(**social, "source", "social.source");
    if (!source) return source.error();
    if (*source) {
      auto parsed = core::parse_declared_by(**source);
      if (!parsed) {
        return invalid_input("social.source must be self_declared or officer", "social.source");
      }
      f.social.source = *parsed;
    }
  }
  auto year = read_int(body, "ocop_registered_year", "ocop_registered_year", 1900, 9999);
  if (!year) return year.error();
  if (*year) f.ocop_registered_year = static_cast<int>(**year);
  auto status = read_string(body, "status", "status");
  if (!status) return status.error();
  if (*status) {
    auto parsed = core::parse_producer_status(**status);
    if (!parsed) return invalid_input("status must be active or inactive", "status");
    f.status = *parsed;
  }
  return {};
}

ProducerView view_for(const std::optional<Caller>& caller, int64_t producer_id) {
  return caller && may_act_for(*caller, producer_id) ? ProducerView::full
                                                     : ProducerView::public_fields;
}

Result<Reply> list_producers(ApiCall& call) {
  auto caller = optional_caller(call.db, call.app.clock, call.req);
  if (!caller) return caller.error();
  core::ProducerFilter filter;
  auto area = query_text(call.req, "area");
  if (!area) return area.error();
  filter.area_code = *area;
  auto entity = query_text(call.req, "entity_type");
  if (!entity) return entity.error();
  if (*entity) {
    filter.entity_type = core::parse_entity_type(**entity);
    if (!filter.entity_type) return invalid_input("unknown entity_type", "entity_type");
  }
  const bool sees_all = *caller && ((*caller)->is_admin() || (*caller)->is_officer());
  auto status = query_text(call.req, "status");
  if (!status) return status.error();
  if (*status && sees_all) {
    filter.status = core::parse_producer_status(**status);
    if (!filter.status) return invalid_input("status must be active or inactive", "status");
  } else {
    filter.status = core::ProducerStatus::active;
  }
  auto page = query_int(call.req, "page", 1, 100000);
  if (!page) return page.error();
  auto per_page = query_int(call.req, "per_page", 1, 1000);
  if (!per_page) return per_page.error();
  filter.limit = static_cast<int>(per_page->value_or(100));
  filter.offset = static_cast<int>((page->value_or(1) - 1) * filter.limit);
  core::ProducerStore store(call.db, call.app.clock);
  auto producers = store.list(filter);
  if (!producers) return producers.error();
  Json items = Json::array();
  for (const auto& p : *producers) items.push_back(producer_json(p, view_for(*caller, p.id)));
  return Reply{200, Json{{"producers", std::move(items)},
                         {"page", page->value_or(1)},
                         {"per_page", filter.limit}}};
}

Result<Reply> get_producer(ApiCall& call) {
  auto caller = optional_caller(call.db, call.app.clock, call.req);
  if (!caller) return caller.error();
  auto id = path_id(call.req, 1);
  if (!id) return id.error();
  core::ProducerStore store(call.db, call.app.clock);
  auto producer = store.get(*id);
  if (!producer) return producer.error();
  const ProducerView view = view_for(*caller, *id);
  if (view == ProducerView::public_fields &&
      producer->fields.status != core::ProducerStatus::active) {
    return not_found("no such producer");
  }
  return Reply{200, producer_json(*producer, view)};
}

Result<Reply> create_producer(ApiCall& call) {
  auto caller = require_caller(call.db, call.app.clock, call.req);
  if (!caller) return caller.error();
  if (auto ok = require_role(*caller, {core::Role::admin, core::Role::officer}); !ok) {
    return ok.error();
  }
  auto body = body_object(call.req);
  if (!body) return body.error();
  core::ProducerFields fields;
  if (auto ok = apply_producer_fields(*body, fields); !ok) return ok.error();
  auto tx = call.db.begin();
  if (!tx) return tx.error();
  core::ProducerStore store(call.db, call.app.clock, bin_in_directory);
  auto created = store.create(std::move(fields));
  if (!created) return created.error();
  if (auto ok = tx->commit(); !ok) return ok.error();
  return Reply{201, producer_json(*created, ProducerView::full)};
}

Result<Reply> patch_producer(ApiCall& call) {
  auto caller = require_caller(call.db, call.app.clock, call.req);
  if (!caller) return caller.error();
  auto id = path_id(call.req, 1);
  if (!id) return id.error();
  if (auto ok = require_producer_scope(*caller, *id); !ok) return ok.error();
  auto body = body_object(call.req);
  if (!body) return body.error();
  if (caller->is_producer()) {
    for (const char* key : kRegisterOnlyFields) {
      if (body->contains(key)) {
        return Error{ErrorCode::forbidden,
                     std::string(key) + " is kept by the officers and cannot be changed here", key};
      }
    }
  }
  core::ProducerStore store(call.db, call.app.clock, bin_in_directory);
  auto producer = store.get(*id);
  if (!producer) return producer.error();
  core::ProducerFields fields = producer->fields;
  if (auto ok = apply_producer_fields(*body, fields); !ok) return ok.error();
  auto checked = store.validate(fields);
  if (!checked) return checked.error();
  const core::BankAccount before = producer->fields.bank;
  // A producer changing its own receiving account confirms it with its password (an officer or
  // administrator keeping the register does not: storefront/receiving_account.h). Checked before
  // the transaction, so that a wrong password is counted even though nothing changes.
  if (caller->is_producer() && !core::same_account(before, checked->bank)) {
    auto password = read_string(*body, "password", "password");
    if (!password) return password.error();
    if (auto ok = confirm_password(call.db, call.app.clock, call.app.config, caller->user(),
                                   password->value_or(""),
                                   limited_address(call.req, call.app.config.trusted_proxies));
        !ok) {
      return ok.error();
    }
  }
  auto tx = call.db.begin();
  if (!tx) return tx.error();
  auto updated = store.update(*id, std::move(*checked));
  if (!updated) return updated.error();
  core::AuditRecord record;
  record.user_id = caller->user().id;
  record.producer_id = *id;
  if (auto ok =
          record_account_change(call.db, call.app.clock, record, before, updated->fields.bank);
      !ok) {
    return ok.error();
  }
  if (auto ok = tx->commit(); !ok) return ok.error();
  return Reply{200, producer_json(*updated, ProducerView::full)};
}

}  // namespace

void register_api_account_routes(Router& router, AppContext& app) {
  router.post("/api/v1/auth/login", api_handler(app, login));
  router.post("/api/v1/auth/logout", api_handler(app, logout));
  router.post("/api/v1/auth/password", api_handler(app, change_password));
  router.post("/api/v1/users", api_handler(app, create_user));
  router.get("/api/v1/producers", api_handler(app, list_producers));
  router.post("/api/v1/producers", api_handler(app, create_producer));
  router.get(R"(/api/v1/producers/(\d+))", api_handler(app, get_producer));
  // A connection of its own, not the writer lock: a producer's change of receiving account checks
  // its password (scrypt), which must not hold up checkouts; the update waits in SQLite's busy
  // handler instead.
  router.patch(R"(/api/v1/producers/(\d+))", api_handler(app, patch_producer, DbAccess::reader));
}

void register_api_routes(Router& router, AppContext& app) {
  install_admin_check(app);
  register_api_account_routes(router, app);
  register_api_product_routes(router, app);
  register_api_order_routes(router, app);
  register_api_money_routes(router, app);
}

}  // namespace chophien::storefront
