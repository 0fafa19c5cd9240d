// GET /api/v1/producers/{id}/notifications and PUT /api/v1/producers/{id}/notifications/{provider}
// (api.md): a producer (or an admin) connects the service that watches the producer's bank
// account. Answers never echo a secret, only its last four characters, and give the webhook URL
// to paste into the service.
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "core/text.h"
#include "integrations/notification_accounts.h"
#include "integrations/secret_box.h"
#include "storefront/auth.h"
#include "storefront/client_address.h"
#include "storefront/hooks.h"
#include "storefront/http_errors.h"
#include "storefront/receiving_account.h"

namespace chophien::storefront {
namespace {

using nlohmann::json;
namespace in = integrations;

constexpr const char* kJson = "application/json; charset=utf-8";

json summary_json(const Config& config, const in::ConnectionSummary& s) {
  json secrets = json::object();
  for (const auto& [name, hint] : s.hints) secrets[name] = hint;
  json out = {{"provider", s.provider},
              {"connected", true},
              {"needs_reconnect", s.needs_reconnect},
              {"secrets", secrets},
              {"updated_at", core::format_rfc3339_vietnam(s.updated_at)},
              {"webhook_url", webhook_url(config, s.provider, s.producer_id)}};
  if (!s.mode.empty()) out["mode"] = s.mode;
  if (!s.client_id.empty()) out["client_id"] = s.client_id;
  return out;
}

// The producer itself or an admin (api.md); officers may not see or change the keys.
Result<void> allowed(core::Database& db, const core::Clock& clock, const httplib::Request& req,
                     int64_t producer_id) {
  auto caller = require_caller(db, clock, req);
  if (!caller) return caller.error();
  if (caller->is_admin()) return {};
  if (caller->is_producer() && caller->producer_id() == producer_id) return {};
  return Error{ErrorCode::forbidden, "only the producer itself or an administrator", ""};
}

Result<int64_t> producer_id_of(const httplib::Request& req) {
  try {
    return std::stoll(req.matches[1].str());
  } catch (const std::exception&) {
    return Error{ErrorCode::not_found, "no such producer", "id"};
  }
}

void reply(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(body.dump(), kJson);
}

}  // namespace

void register_notification_routes(Router& router, AppContext& app) {
  auto box = std::make_shared<std::unique_ptr<in::SecretBox>>();
  if (auto made = in::SecretBox::from_key(app.config.secret_key)) {
    *box = std::make_unique<in::SecretBox>(std::move(*made));
  }
  router.get(R"(/api/v1/producers/(\d+)/notifications)",
             [&app, box](const httplib::Request& req, httplib::Response& res) {
               auto db = app.db.acquire();
               if (!db) return write_error(req, res, db.error(), 1);
               auto id = producer_id_of(req);
               if (!id) return write_error(req, res, id.error());
               if (auto ok = allowed(*db, app.clock, req, *id); !ok) {
                 return write_error(req, res, ok.error());
               }
               in::NotificationAccounts accounts(*db, app.clock, box->get());
               auto list = accounts.list(*id);
               if (!list) return write_error(req, res, list.error());
               json connections = json::array();
               for (const auto& s : *list) connections.push_back(summary_json(app.config, s));
               json urls = json::object();
               for (const char* p : {"sepay", "casso", "payos"})
                 urls[p] = webhook_url(app.config, p, *id);
               reply(res, 200,
                     {{"producer_id", *id},
                      {"connections", connections},
                      {"webhook_urls", urls},
                      {"encryption_configured", *box != nullptr}});
             });
  router.put(
      R"(/api/v1/producers/(\d+)/notifications/([a-z_]+))",
      [&app, box](const httplib::Request& req, httplib::Response& res) {
        // Not the writer lock: a producer's password is checked (scrypt) first.
        auto db = app.db.acquire();
        if (!db) return write_error(req, res, db.error(), 1);
        auto id = producer_id_of(req);
        if (!id) return write_error(req, res, id.error());
        if (auto ok = allowed(*db, app.clock, req, *id); !ok) {
          return write_error(req, res, ok.error());
        }
        json body = json::parse(req.body, nullptr, false);
        if (body.is_discarded() || !body.is_object()) {
          return write_error(req, res, invalid_input("the body must be a JSON object", "body"));
        }
        // Whoever holds these keys decides which transfers pay this producer's orders:
        // the producer confirms the change with its password (an administrator does not).
        if (auto caller = require_caller(*db, app.clock, req); caller && caller->is_producer()) {
          const json password = body.contains("password") ? body["password"] : json();
          if (!password.is_null() && !password.is_string()) {
            return write_error(req, res, invalid_input("password must be a string", "password"));
          }
          auto confirmed =
              confirm_password(*db, app.clock, app.config, caller->user(),
                               password.is_string() ? password.get<std::string>() : std::string(),
                               limited_address(req, app.config.trusted_proxies));
          if (!confirmed) {
            const std::optional<int> retry = confirmed.error().code == ErrorCode::rate_limited
                                                 ? std::optional<int>(60)
                                                 : std::nullopt;
            return write_error(req, res, confirmed.error(), retry);
          }
        }
        body.erase("password");
        in::NotificationAccounts accounts(*db, app.clock, box->get());
        auto stored = accounts.connect(*id, req.matches[2].str(), body);
        if (!stored) return write_error(req, res, stored.error());
        reply(res, 200, summary_json(app.config, *stored));
      });
}

}  // namespace chophien::storefront
