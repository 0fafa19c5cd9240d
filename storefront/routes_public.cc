// Public routes: health, metrics, static files, the bank directory, administrative areas, the
// VietQR generator and the quick-link image form.
#include <httplib.h>

#include <charconv>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/areas.h"
#include "core/text.h"
#include "qr/banks.h"
#include "qr/image.h"
#include "qr/payload.h"
#include "storefront/client_address.h"
#include "storefront/http_errors.h"
#include "storefront/quick_link.h"
#include "storefront/routes.h"

namespace chophien::storefront {
namespace {

using nlohmann::json;

constexpr const char* kJson = "application/json; charset=utf-8";

void write_json(httplib::Response& res, const json& body, int status = 200) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), kJson);
}

bool is_loopback(const std::string& address) {
  return address == "127.0.0.1" || address == "::1" || address == "::ffff:127.0.0.1";
}

// Whole VND from a query parameter. Absent or empty: nullopt.
Result<std::optional<int64_t>> parse_amount(const httplib::Request& req, const char* name) {
  if (!req.has_param(name)) return std::optional<int64_t>{};
  const std::string text = req.get_param_value(name);
  if (text.empty()) return std::optional<int64_t>{};
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 1 ||
      value > 9'999'999'999'999) {
    return invalid_input(
        std::string(name) + " must be a whole number of VND from 1 to 9999999999999", name);
  }
  return std::optional<int64_t>{value};
}

// Renames the encoder's field names to the query parameters the client used.
std::string query_field(const std::string& encoder_field, const char* purpose_param) {
  if (encoder_field == "amount_vnd") return "amount";
  if (encoder_field == "purpose") return purpose_param;
  return encoder_field;
}

json decoded_json(const qr::Decoded& d) {
  json out = {{"scheme", d.scheme},    {"initiation", d.initiation},
              {"guid", d.guid},        {"bin", d.bin},
              {"bank", d.bank},        {"account", d.account},
              {"service", d.service},  {"currency", d.currency},
              {"country", d.country},  {"crc", d.crc},
              {"warnings", d.warnings}};
  out["amount"] = d.amount ? json(*d.amount) : json(nullptr);
  out["purpose"] = d.purpose ? json(*d.purpose) : json(nullptr);
  return out;
}

const std::string& banks_body() {
  static const std::string body = [] {
    json list = json::array();
    for (const auto& bank : qr::banks()) {
      list.push_back({{"bin", bank.bin},
                      {"code", bank.code},
                      {"short_name", bank.short_name},
                      {"name", bank.name},
                      {"swift", bank.swift},
                      {"napas_transfer", bank.napas_transfer},
                      {"vietqr_listed", bank.vietqr_listed}});
    }
    return json{{"banks", std::move(list)}}.dump();
  }();
  return body;
}

json area_json(const core::Area& a) {
  json out = {{"code", a.key.code},
              {"valid_from", a.key.valid_from},
              {"valid_to", a.valid_to ? json(*a.valid_to) : json(nullptr)},
              {"level", a.level},
              {"name_vi", a.name_vi},
              {"full_name_vi", a.full_name_vi},
              {"name_en", a.name_en},
              {"legal_basis", a.legal_basis}};
  out["parent"] = a.parent ? json{{"code", a.parent->code}, {"valid_from", a.parent->valid_from}}
                           : json(nullptr);
  return out;
}

void healthz(AppContext& app, const httplib::Request&, httplib::Response& res) {
  bool db_ok = false;
  if (auto db = app.db.acquire()) {
    auto stmt = (*db)->prepare("SELECT 1");
    db_ok = stmt && stmt->step().has_value();
  }
  json body = {{"status", db_ok ? "ok" : "unavailable"},
               {"db", db_ok ? "ok" : "error"},
               {"version", CHOPHIEN_VERSION}};
  res.set_header("Cache-Control", "no-store");
  write_json(res, body, db_ok ? 200 : 503);
}

void metrics(AppContext& app, const httplib::Request& req, httplib::Response& res) {
  const bool allowed = is_loopback(client_address(req, app.config.trusted_proxies)) ||
                       (app.is_admin_request && app.is_admin_request(req));
  if (!allowed) {
    return write_error(res, Error{ErrorCode::forbidden,
                                  "metrics are served to 127.0.0.1 and administrators only", ""});
  }
  res.set_header("Cache-Control", "no-store");
  res.set_content(app.metrics.render(), "text/plain; version=0.0.4; charset=utf-8");
}

void static_file(AppContext& app, const httplib::Request& req, httplib::Response& res) {
  const std::string name = req.matches[1];
  const StaticAsset* asset = app.render.find_asset(name);
  if (asset == nullptr) {
    return write_error(req, res, Error{ErrorCode::not_found, "no such file", ""});
  }
  res.set_header("ETag", asset->etag);
  res.set_header("Cache-Control", name == asset->hashed_name ? "public, max-age=31536000, immutable"
                                                             : "public, no-cache");
  if (req.get_header_value("If-None-Match") == asset->etag) {
    res.status = 304;
    return;
  }
  res.set_content(asset->data.data(), asset->data.size(), asset->content_type.c_str());
}

void areas(AppContext& app, const httplib::Request& req, httplib::Response& res) {
  core::Date at = core::vietnam_date(app.clock.now());
  if (req.has_param("at") && !req.get_param_value("at").empty()) {
    auto parsed = core::parse_iso_date(req.get_param_value("at"));
    if (!parsed) return write_error(res, invalid_input("at must be a date YYYY-MM-DD", "at"));
    at = *parsed;
  }
  std::optional<std::string> level;
  if (req.has_param("level") && !req.get_param_value("level").empty()) {
    level = req.get_param_value("level");
  }
  auto db = app.db.acquire();
  if (!db) return write_error(res, db.error());
  core::AreaStore store(*db);
  std::optional<core::AreaKey> parent;
  if (req.has_param("parent") && !req.get_param_value("parent").empty()) {
    auto found = store.resolve(req.get_param_value("parent"), at);
    if (!found) {
      Error e = found.error();
      if (e.code == ErrorCode::not_found)
        e = invalid_input("no unit with that code on that date", "parent");
      return write_error(res, e);
    }
    parent = found->key;
  }
  auto units = level ? store.valid_on(at, std::string_view(*level), parent)
                     : store.valid_on(at, std::nullopt, parent);
  if (!units) return write_error(res, units.error());
  json list = json::array();
  for (const auto& unit : *units) list.push_back(area_json(unit));
  write_json(res, {{"at", core::format_iso_date(at)}, {"areas", std::move(list)}});
}

void vietqr(const httplib::Request& req, httplib::Response& res) {
  const std::string format = req.has_param("format") ? req.get_param_value("format") : "json";
  if (format != "json" && format != "png" && format != "svg") {
    return write_error(res, invalid_input("format must be json, png or svg", "format"));
  }
  if (req.get_param_value("bank").empty()) {
    return write_error(res, invalid_input("bank is required (BIN, code or name)", "bank"));
  }
  if (req.get_param_value("account").empty()) {
    return write_error(res, invalid_input("account is required", "account"));
  }
  auto amount = parse_amount(req, "amount");
  if (!amount) return write_error(res, amount.error());
  qr::EncodeRequest request;
  request.bank = req.get_param_value("bank");
  request.account = req.get_param_value("account");
  request.amount_vnd = *amount;
  request.additional.purpose = req.get_param_value("purpose");
  auto encoded = qr::encode(request);
  if (!encoded.has_value()) {
    return write_error(
        res, invalid_input(encoded.error->message, query_field(encoded.error->field, "purpose")));
  }
  const std::string& payload = encoded.value->payload;
  res.set_header("Cache-Control", "public, max-age=86400");
  if (format == "json") {
    auto decoded = qr::decode(payload);
    json body = {
        {"payload", payload}, {"bin", encoded.value->bin}, {"purpose", encoded.value->purpose}};
    if (const qr::Bank* bank = qr::find_bank_by_bin(encoded.value->bin)) {
      body["bank"] = {{"code", bank->code}, {"short_name", bank->short_name}, {"name", bank->name}};
    }
    body["decoded"] = decoded.has_value() ? decoded_json(*decoded.value) : json(nullptr);
    return write_json(res, body);
  }
  auto image = format == "png" ? qr::render_png(payload) : qr::render_svg(payload);
  if (!image.has_value()) {
    return write_error(res, Error{ErrorCode::internal, image.error->message, ""});
  }
  res.set_content(*image.value, format == "png" ? "image/png" : "image/svg+xml");
}

void quick_link(const httplib::Request& req, httplib::Response& res) {
  // {bank}-{account}-{template}: the account and the template never contain '-'.
  const std::string spec = req.matches[1];
  auto last = spec.rfind('-');
  auto first = spec.find('-');
  if (last == std::string::npos || first == last) {
    return write_error(
        res,
        invalid_input("the image path must be /image/{bank}-{account}-{template}.png", "template"));
  }
  QuickLink link;
  link.bank = spec.substr(0, first);
  link.account = spec.substr(first + 1, last - first - 1);
  auto style = parse_quick_link_template(spec.substr(last + 1));
  if (!style) return write_error(res, style.error());
  link.style = *style;
  auto amount = parse_amount(req, "amount");
  if (!amount) return write_error(res, amount.error());
  link.amount_vnd = *amount;
  link.add_info = req.get_param_value("addInfo");
  link.account_name = req.get_param_value("accountName");
  auto png = render_quick_link(link);
  if (!png) return write_error(res, png.error());
  res.set_header("Cache-Control", "public, max-age=86400");
  res.set_content(*png, "image/png");
}

}  // namespace

void register_public_routes(Router& router, AppContext& app) {
  router.get("/healthz", [&app](const auto& req, auto& res) { healthz(app, req, res); });
  router.get("/metrics", [&app](const auto& req, auto& res) { metrics(app, req, res); });
  router.get(R"(/static/([A-Za-z0-9._-]+))",
             [&app](const auto& req, auto& res) { static_file(app, req, res); });
  router.get("/api/v1/banks", [](const httplib::Request&, httplib::Response& res) {
    res.set_header("Cache-Control", "public, max-age=3600");
    res.set_content(banks_body(), kJson);
  });
  router.get("/api/v1/areas", [&app](const auto& req, auto& res) { areas(app, req, res); });
  router.get("/api/v1/vietqr", vietqr);
  router.get(R"(/image/([^/]+)\.png)", quick_link);
}

}  // namespace chophien::storefront
