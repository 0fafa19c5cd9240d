// The producer's marketplace pages in the workspace (issue 7; integrations/outbox.h, sync.h):
//   GET  /quan-ly/san-tmdt                          the connected shops (state, grant expiry,
//                                                   dry-run) and a "Kết nối" per platform
//   POST /quan-ly/san-tmdt/ket-noi/{platform}       a single-use state (integrations/
//                                                   marketplace_auth.h), then 303 to the
//                                                   platform's authorization page
//   GET  /quan-ly/san-tmdt/ket-noi/{platform}/xong  the platform's redirect: checks the state,
//                                                   exchanges the code, stores the grant sealed
//   POST /quan-ly/san-tmdt/{shop}/thu-nghiem        dry-run mode on (bat=1) or off (bat=0)
//   POST /quan-ly/san-tmdt/{shop}/kho               the warehouse (TikTok Shop) or logistics
//                                                   channel (Shopee) id its listings ship from
//   GET  /quan-ly/san-tmdt/{shop}/xem-truoc         the shop's open outbox rows as they would be
//                                                   sent: secrets as "***", signature checked
//   POST /quan-ly/san-pham/{id}/san/{shop}/dang     queues the product's listing on the shop
//   POST /quan-ly/san-pham/{id}/san/{shop}/thu-lai  queues a failed listing again, unchanged
// For producers and for officers or administrators in helper mode; every change is in the action
// log. A shop or product of another producer is 404 and nothing changes. Tokens are never shown.
// A platform is offered only when the installation has its app credentials (Config).
#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <string>
#include <vector>

#include "core/audit.h"
#include "core/log.h"
#include "core/products.h"
#include "core/text.h"
#include "integrations/marketplace.h"
#include "integrations/marketplace_auth.h"
#include "integrations/outbox.h"
#include "integrations/secret_box.h"
#include "integrations/sync.h"
#include "storefront/http_errors.h"
#include "storefront/marketplace_pages.h"
#include "storefront/routes.h"
#include "storefront/workspace.h"

namespace chophien::storefront {
namespace {

namespace in = integrations;
using BoxRef = std::shared_ptr<std::unique_ptr<in::SecretBox>>;

constexpr const char* kShops = "/quan-ly/san-tmdt";
constexpr in::Platform kPlatforms[] = {in::Platform::shopee, in::Platform::lazada,
                                       in::Platform::tiktok};

const char* platform_label(in::Platform platform) {
  switch (platform) {
    case in::Platform::shopee:
      return "Shopee";
    case in::Platform::lazada:
      return "Lazada";
    case in::Platform::tiktok:
      return "TikTok Shop";
  }
  return "";
}

// The item on the platform's public site.
std::string item_link(in::Platform platform, const std::string& shop_id,
                      const std::string& item_id) {
  switch (platform) {
    case in::Platform::shopee:
      return "https://shopee.vn/product/" + shop_id + "/" + item_id;
    case in::Platform::lazada:
      return "https://www.lazada.vn/products/i" + item_id + ".html";
    case in::Platform::tiktok:
      return "https://shop.tiktok.com/view/product/" + item_id + "?region=VN";
  }
  return "";
}

std::string date_vi(int64_t unix_seconds) {
  return core::format_date_vi(core::vietnam_date(unix_seconds));
}

std::string callback_url(const AppContext& app, in::Platform platform) {
  return app.config.base_url() + kShops + "/ket-noi/" + in::platform_name(platform) + "/xong";
}

// The producer's shop `shop_ref`, or nullopt with a 404 (or 500) written.
std::optional<in::ShopRecord> own_shop(core::Database& db, const core::Clock& clock,
                                       int64_t producer_id, int64_t shop_ref,
                                       httplib::Response& res) {
  in::MarketplaceShops shops(db, clock, nullptr);
  auto mine = shops.of_producer(producer_id);
  if (!mine) {
    write_html_error(res, mine.error(), 1);
    return std::nullopt;
  }
  for (const auto& shop : *mine)
    if (shop.ref == shop_ref) return shop;
  write_html_error(res, Error{ErrorCode::not_found, "Không có cửa hàng này.", ""});
  return std::nullopt;
}

std::optional<core::Product> own_product(core::Database& db, const AppContext& app,
                                         int64_t producer_id, int64_t id, httplib::Response& res) {
  auto p = core::ProductStore(db, app.clock).find(id);
  if (!p || p->producer_id != producer_id) {
    if (p || p.error().code == ErrorCode::not_found)
      write_html_error(res, Error{ErrorCode::not_found, "Không có sản phẩm này.", ""});
    else
      write_html_error(res, p.error(), 1);
    return std::nullopt;
  }
  return *p;
}

void shops_page(AppContext& app, const BoxRef& box, const httplib::Request& req,
                httplib::Response& res, const std::string& notice = {},
                const std::string& problem = {}, int status = 200) {
  auto db = app.db.acquire();
  if (!db) return write_html_error(res, db.error(), 1);
  auto ws = open_producer_workspace(app, **db, req, res);
  if (!ws) return;
  in::MarketplaceShops shops(**db, app.clock, nullptr);
  auto mine = shops.of_producer(*ws->producer_id);
  if (!mine) return write_html_error(res, mine.error(), 1);
  mustache::data list{mustache::data::type::list};
  for (const auto& shop : *mine) {
    mustache::data s;
    s.set("ref", std::to_string(shop.ref));
    s.set("platform", platform_label(shop.platform));
    s.set("platform_code", in::platform_name(shop.platform));
    s.set("name",
          shop.grant.shop_name.empty() ? "Cửa hàng " + shop.grant.shop_id : shop.grant.shop_name);
    s.set("needs_authorization", mustache::data(shop.needs_authorization));
    s.set("reason", shop.state_reason);
    s.set("configured", mustache::data(app.config.marketplace_apps.count(shop.platform) != 0));
    if (shop.grant_expires_at > 0) s.set("expires", date_vi(shop.grant_expires_at));
    s.set("dry_run", mustache::data(shop.dry_run));
    s.set("warehouse", shop.warehouse_id);
    s.set("needs_warehouse", mustache::data(shop.platform != in::Platform::lazada));
    list.push_back(s);
  }
  mustache::data platforms{mustache::data::type::list};
  for (in::Platform platform : kPlatforms) {
    mustache::data p;
    p.set("code", in::platform_name(platform));
    p.set("label", platform_label(platform));
    p.set("configured", mustache::data(app.config.marketplace_apps.count(platform) != 0));
    platforms.push_back(p);
  }
  mustache::data data;
  data.set("shops", list);
  data.set("has_shops", mustache::data(!list.is_empty_list()));
  data.set("platforms", platforms);
  data.set("encryption", mustache::data(*box != nullptr));
  if (!notice.empty()) data.set("notice", notice);
  if (!problem.empty()) data.set("problem", problem);
  write_workspace_page(app, *ws, req, res, "ws_marketplace", std::move(data), "Sàn TMĐT", status);
}

// POST: the state is written before the redirect, so the form needs the CSRF token.
void start_connect(AppContext& app, const BoxRef& box, const httplib::Request& req,
                   httplib::Response& res) {
  const auto platform = in::parse_platform(req.matches[1].str());
  std::string problem;
  int status = 400;
  {
    auto db = app.db.acquire_writer();
    if (!db) return write_html_error(res, db.error(), 1);
    auto ws = open_producer_workspace(app, **db, req, res);
    if (!ws) return;
    auto configured = app.config.marketplace_apps.find(*platform);
    if (configured == app.config.marketplace_apps.end()) {
      problem = std::string("Máy chủ này chưa đăng ký ứng dụng với ") + platform_label(*platform) +
                " nên chưa kết nối được. Hãy báo quản trị viên.";
    } else if (configured->second.authorize_base.empty()) {
      std::string variable = std::string("CHOPHIEN_") + in::platform_name(*platform);
      for (char& c : variable) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      problem = std::string("Máy chủ chưa có địa chỉ trang ủy quyền của ") +
                platform_label(*platform) + " (" + variable +
                "_AUTHORIZE_URL). Hãy báo quản trị viên.";
      status = 503;
    } else if (*box == nullptr) {
      problem =
          "Máy chủ chưa được cấu hình khoá mã hoá (CHOPHIEN_SECRET_KEY) nên chưa lưu được kết nối "
          "sàn. Hãy báo quản trị viên.";
      status = 503;
    } else {
      auto state = in::MarketplaceAuthStates(**db, app.clock)
                       .issue(*ws->producer_id, *platform, ws->caller.user().id);
      if (!state) return write_html_error(res, state.error(), 1);
      auto connector = in::make_connector(configured->second, app.clock);
      core::log("marketplace.authorize_started",
                {{"platform", in::platform_name(*platform)}, {"producer", *ws->producer_id}});
      return redirect_see_other(res,
                                connector->authorization_url(callback_url(app, *platform), *state));
    }
  }
  shops_page(app, box, req, res, {}, problem, status);
}

// The platform's redirect, in the producer's browser: a GET whose state (bound to the user who
// asked, single-use, short-lived) stands in for the CSRF token.
void finish_connect(AppContext& app, const BoxRef& box, const httplib::Request& req,
                    httplib::Response& res) {
  const auto platform = in::parse_platform(req.matches[1].str());
  std::string problem;
  int status = 400;
  auto configured = app.config.marketplace_apps.find(*platform);
  const std::string code = req.get_param_value("code");
  // 1. Who asks, and the state spent, in a short write (the writer lock is not held while the
  //    platform is asked: a slow platform must not hold up checkouts and webhooks).
  std::optional<int64_t> producer;
  int64_t user_id = 0;
  bool on_behalf = false;
  {
    auto db = app.db.acquire_writer();
    if (!db) return write_html_error(res, db.error(), 1);
    auto ws = open_workspace(app, **db, req, res,
                             {core::Role::producer, core::Role::officer, core::Role::admin});
    if (!ws) return;
    user_id = ws->caller.user().id;
    on_behalf = !ws->caller.is_producer();
    if (configured == app.config.marketplace_apps.end() || *box == nullptr) {
      problem = std::string("Máy chủ này chưa sẵn sàng kết nối ") + platform_label(*platform) + ".";
      status = 503;
    } else if (req.has_param("error") || code.empty()) {
      problem = std::string(platform_label(*platform)) +
                " không cấp quyền (người bán đã từ chối hoặc đường dẫn thiếu mã). Chưa lưu gì.";
    } else {
      // The state is spent even when the exchange fails: a code is good only once, too.
      auto owner = in::MarketplaceAuthStates(**db, app.clock)
                       .consume(req.get_param_value("state"), *platform, user_id);
      if (!owner || (ws->caller.is_producer() && ws->producer_id != *owner)) {
        problem = "Không nhận kết nối: " +
                  (owner ? std::string("mã xác nhận không dành cho nhà sản xuất này")
                         : owner.error().message) +
                  ". Chưa lưu gì.";
      } else {
        producer = *owner;
      }
    }
  }
  if (producer) {
    // 2. The code exchanged with the platform, no lock held.
    auto connector = in::make_connector(configured->second, app.clock);
    auto grant = connector->exchange_code(code, req.get_param_value("shop_id"));
    if (!grant.result) {
      core::log("marketplace.exchange_failed",
                {{"platform", in::platform_name(*platform)},
                 {"producer", *producer},
                 {"code", error_code_name(grant.result.error().code)},
                 {"request_id", grant.info.request_id}});
      problem = std::string("Không kết nối được: ") + grant.result.error().message +
                ". Hãy bấm Kết nối để thử lại.";
      status = 502;
    } else {
      // 3. The grant and its action-log record, together.
      auto db = app.db.acquire_writer();
      if (!db) return write_html_error(res, db.error(), 1);
      auto tx = (*db)->begin();
      if (!tx) return write_html_error(res, tx.error(), 1);
      in::MarketplaceShops shops(**db, app.clock, box->get());
      // The whole grant ends with the refresh token where the platform reports it (Lazada,
      // TikTok Shop); Shopee's token answer does not carry the grant's length.
      const int64_t grant_expires =
          *platform == in::Platform::shopee ? 0 : grant.result->refresh_expires_at;
      auto ref = shops.connect(*producer, *platform, *grant.result, "", grant_expires);
      if (!ref) {
        if (ref.error().code != ErrorCode::invalid_input && ref.error().code != ErrorCode::conflict)
          return write_html_error(res, ref.error(), 1);
        problem = "Không lưu được kết nối: " + ref.error().message + ".";
        status = ref.error().code == ErrorCode::conflict ? 409 : 400;
      } else {
        core::AuditRecord record;
        record.user_id = user_id;
        record.producer_id = *producer;
        record.on_behalf = on_behalf;
        record.action = "marketplace.connect";
        record.subject = std::string(platform_label(*platform)) + " " + grant.result->shop_name +
                         " (" + grant.result->shop_id + ")";
        auto logged = core::AuditLog(**db, app.clock).record(record);
        if (!logged) return write_html_error(res, logged.error(), 1);
        if (auto c = tx->commit(); !c) return write_html_error(res, c.error(), 1);
        status = 0;
      }
    }
  }
  if (status == 0) return redirect_see_other(res, std::string(kShops) + "?da-ket-noi=1");
  mustache::data data;
  data.set("problem", problem);
  auto db = app.db.acquire();
  if (!db) return write_html_error(res, db.error(), 1);
  auto ws = open_workspace(app, **db, req, res,
                           {core::Role::producer, core::Role::officer, core::Role::admin});
  if (!ws) return;
  write_workspace_page(app, *ws, req, res, "ws_marketplace_refused", std::move(data), "Sàn TMĐT",
                       status);
}

void set_dry_run(AppContext& app, const httplib::Request& req, httplib::Response& res) {
  {
    auto db = app.db.acquire_writer();
    if (!db) return write_html_error(res, db.error(), 1);
    auto ws = open_producer_workspace(app, **db, req, res);
    if (!ws) return;
    auto shop = own_shop(**db, app.clock, *ws->producer_id, std::stoll(req.matches[1]), res);
    if (!shop) return;
    const std::string on = form_value(req, "bat");
    if (on != "0" && on != "1")
      return write_html_error(res, invalid_input("Hãy chọn bật hoặc tắt chế độ thử.", "bat"));
    auto tx = (*db)->begin();
    if (!tx) return write_html_error(res, tx.error(), 1);
    auto done = in::MarketplaceShops(**db, app.clock, nullptr).set_dry_run(shop->ref, on == "1");
    if (!done) return write_html_error(res, done.error(), 1);
    auto logged =
        core::AuditLog(**db, app.clock)
            .record(ws->audit(
                on == "1" ? "marketplace.dry_run_on" : "marketplace.dry_run_off",
                std::string(platform_label(shop->platform)) + " " + shop->grant.shop_name));
    if (!logged) return write_html_error(res, logged.error(), 1);
    if (auto c = tx->commit(); !c) return write_html_error(res, c.error(), 1);
  }
  redirect_see_other(res, kShops);
}

void set_warehouse(AppContext& app, const httplib::Request& req, httplib::Response& res) {
  {
    auto db = app.db.acquire_writer();
    if (!db) return write_html_error(res, db.error(), 1);
    auto ws = open_producer_workspace(app, **db, req, res);
    if (!ws) return;
    auto shop = own_shop(**db, app.clock, *ws->producer_id, std::stoll(req.matches[1]), res);
    if (!shop) return;
    const std::string warehouse = form_value(req, "warehouse_id");
    auto tx = (*db)->begin();
    if (!tx) return write_html_error(res, tx.error(), 1);
    auto done = in::MarketplaceShops(**db, app.clock, nullptr).set_warehouse(shop->ref, warehouse);
    if (!done) {
      if (done.error().code == ErrorCode::invalid_input)
        return write_html_error(
            res, invalid_input("Mã kho / kênh vận chuyển phải là số.", "warehouse_id"));
      return write_html_error(res, done.error(), 1);
    }
    auto logged = core::AuditLog(**db, app.clock)
                      .record(ws->audit("marketplace.warehouse",
                                        std::string(platform_label(shop->platform)) + " " +
                                            shop->grant.shop_name + ": " + warehouse));
    if (!logged) return write_html_error(res, logged.error(), 1);
    if (auto c = tx->commit(); !c) return write_html_error(res, c.error(), 1);
  }
  redirect_see_other(res, kShops);
}

void preview_page(AppContext& app, const BoxRef& box, const httplib::Request& req,
                  httplib::Response& res) {
  auto db = app.db.acquire();
  if (!db) return write_html_error(res, db.error(), 1);
  auto ws = open_producer_workspace(app, **db, req, res);
  if (!ws) return;
  auto shop = own_shop(**db, app.clock, *ws->producer_id, std::stoll(req.matches[1]), res);
  if (!shop) return;
  mustache::data data;
  data.set("platform", platform_label(shop->platform));
  data.set("name", shop->grant.shop_name);
  data.set("dry_run", mustache::data(shop->dry_run));
  if (*box == nullptr) {
    data.set("problem", "Máy chủ chưa được cấu hình khoá mã hoá (CHOPHIEN_SECRET_KEY).");
  } else {
    in::MarketplaceSync sync(**db, app.clock, box->get(), app.config.marketplace_apps);
    auto previews = sync.preview(shop->ref, true);
    if (!previews) return write_html_error(res, previews.error(), 1);
    mustache::data rows{mustache::data::type::list};
    for (const auto& p : *previews) {
      if (!p.problem.empty()) data.set("problem", p.problem);
      for (const auto& r : p.rows) {
        mustache::data row;
        row.set("sku", r.row.sku);
        row.set("kind", r.row.kind == "create" ? "Đăng sản phẩm" : "Cập nhật giá, tồn kho");
        if (!r.problem.empty()) row.set("refused", r.problem);
        mustache::data requests{mustache::data::type::list};
        for (const auto& q : r.requests) {
          mustache::data request;
          request.set("method", q.request.method);
          request.set("url", q.request.base + q.request.target());
          std::string headers;
          for (const auto& [name, value] : q.request.headers) headers += name + ": " + value + "\n";
          request.set("headers", headers);
          request.set("body", q.request.body);
          request.set("signature_ok", mustache::data(q.signature_ok));
          requests.push_back(request);
        }
        row.set("requests", requests);
        rows.push_back(row);
      }
    }
    data.set("has_rows", mustache::data(!rows.is_empty_list()));
    data.set("rows", rows);
  }
  write_workspace_page(app, *ws, req, res, "ws_marketplace_preview", std::move(data),
                       "Xem trước yêu cầu gửi sàn");
}

// Images of one listing: TikTok Shop takes 1-9 main images; 8 keeps within Lazada's limit too.
constexpr size_t kMaxListingImages = 8;

// A whole number in [min, max] from a form field; nullopt otherwise.
std::optional<int> form_int(const httplib::Request& req, const char* name, int min, int max) {
  const std::string text = form_value(req, name);
  if (text.empty() || text.size() > 9) return std::nullopt;
  for (char c : text)
    if (c < '0' || c > '9') return std::nullopt;
  const int value = std::stoi(text);
  if (value < min || value > max) return std::nullopt;
  return value;
}

std::string product_page(int64_t product_id) {
  return "/quan-ly/san-pham/" + std::to_string(product_id) + "#san";
}

// The writer, the producer's workspace, and the producer's own product (path group 1) and shop
// (group 2) that a listing form names. nullopt when the answer is already written (no session,
// CSRF, another producer's product or shop).
struct ListingTarget {
  DbPool::Lease db;
  Workspace ws;
  core::Product product;
  in::ShopRecord shop;
};
std::optional<ListingTarget> open_listing(AppContext& app, const httplib::Request& req,
                                          httplib::Response& res) {
  auto db = app.db.acquire_writer();
  if (!db) {
    write_html_error(res, db.error(), 1);
    return std::nullopt;
  }
  auto ws = open_producer_workspace(app, **db, req, res);
  if (!ws) return std::nullopt;
  auto product = own_product(**db, app, *ws->producer_id, std::stoll(req.matches[1]), res);
  if (!product) return std::nullopt;
  auto shop = own_shop(**db, app.clock, *ws->producer_id, std::stoll(req.matches[2]), res);
  if (!shop) return std::nullopt;
  return ListingTarget{std::move(*db), std::move(*ws), std::move(*product), std::move(*shop)};
}

void publish(AppContext& app, const httplib::Request& req, httplib::Response& res) {
  auto target = open_listing(app, req, res);
  if (!target) return;
  auto& [db, ws, product, shop] = *target;
  const int64_t product_id = product.id;

  in::Listing listing;
  listing.sku = product.fields.sku;
  listing.name = product.fields.name;
  listing.description = product.fields.description;
  listing.price_vnd = product.fields.price_vnd;
  listing.stock = product.fields.stock;
  listing.category_id = form_value(req, "category_id");
  listing.brand = form_value(req, "brand");
  // The category's attributes, one "id or name = value" per line.
  const std::string attributes = form_value(req, "attributes");
  std::string attribute_problem;
  for (size_t at = 0; at < attributes.size();) {
    size_t end = attributes.find_first_of("\r\n", at);
    if (end == std::string::npos) end = attributes.size();
    const std::string line = attributes.substr(at, end - at);
    at = end + 1;
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    const size_t eq = line.find('=');
    auto trim = [](std::string t) {
      t.erase(0, t.find_first_not_of(" \t"));
      t.erase(t.find_last_not_of(" \t") + 1);
      return t;
    };
    if (eq == std::string::npos) {
      attribute_problem = "Mỗi dòng thuộc tính có dạng: mã thuộc tính = giá trị (dòng \"" +
                          trim(line) + "\" thiếu dấu =).";
      break;
    }
    listing.attributes.emplace_back(trim(line.substr(0, eq)), trim(line.substr(eq + 1)));
  }
  std::string images = form_value(req, "images");
  for (size_t at = 0; at < images.size();) {
    size_t end = images.find_first_of("\r\n", at);
    if (end == std::string::npos) end = images.size();
    std::string line = images.substr(at, end - at);
    line.erase(0, line.find_first_not_of(" \t"));
    line.erase(line.find_last_not_of(" \t") + 1);
    if (!line.empty()) listing.image_refs.push_back(line);
    at = end + 1;
  }
  // The product's own photos go first, uploaded by the worker (outbox.h), up to the limit with
  // the typed references; the demo's SVG tiles cannot be sent and are left out.
  std::vector<in::ListingPhoto> photos;
  auto stored = core::ProductStore(*db, app.clock).photos(product.id);
  if (!stored) return write_html_error(res, stored.error(), 1);
  for (const auto& photo : *stored) {
    const bool jpeg_or_png =
        photo.content_type == "image/jpeg" || photo.content_type == "image/png";
    const int jpeg_width = photo.variant_widths.empty() ? 0 : photo.variant_widths.back();
    if (!jpeg_or_png && jpeg_width == 0) continue;
    if (photos.size() + listing.image_refs.size() >= kMaxListingImages) break;
    photos.push_back(in::ListingPhoto{photo.sha256, photo.content_type, jpeg_width});
  }
  const auto weight = form_int(req, "weight_grams", 1, 300000);
  const auto length = form_int(req, "length_cm", 1, 300);
  const auto width = form_int(req, "width_cm", 1, 300);
  const auto height = form_int(req, "height_cm", 1, 300);
  std::string problem;
  if (!core::is_valid_utf8(listing.brand) || !core::is_valid_utf8(images) ||
      !core::is_valid_utf8(attributes)) {
    problem = "Chữ gửi lên không hợp lệ (không phải UTF-8); hãy nhập lại.";
  } else if (product.fields.status != core::ProductStatus::active) {
    problem =
        "Chỉ sản phẩm đang bán mới đăng lên sàn được; hãy chuyển sản phẩm sang đang bán trước.";
  } else if (listing.category_id.empty() || listing.category_id.size() > 32 ||
             listing.category_id.find_first_not_of("0123456789") != std::string::npos) {
    problem = "Mã ngành hàng của sàn phải là số, ví dụ 100629.";
  } else if (!weight) {
    problem = "Khối lượng gói hàng phải từ 1 đến 300.000 gam.";
  } else if (!length || !width || !height) {
    problem = "Kích thước gói hàng (dài, rộng, cao) phải từ 1 đến 300 cm.";
  } else if (listing.image_refs.size() + photos.size() == 0) {
    problem =
        "Sản phẩm cần ít nhất một ảnh chụp (JPEG, PNG hoặc WebP) để gửi lên sàn, hoặc nhập mã "
        "ảnh đã có trên sàn.";
  } else if (listing.image_refs.size() > kMaxListingImages) {
    problem = "Tối đa " + std::to_string(kMaxListingImages) + " ảnh cho một sản phẩm trên sàn.";
  } else if (!attribute_problem.empty()) {
    problem = attribute_problem;
  } else if (auto ok = in::check_attributes(shop.platform, listing); !ok) {
    problem = "Thuộc tính ngành hàng: " + ok.error().message + ".";
  } else if (in::utf8_length(listing.brand) > 60) {
    problem = "Thương hiệu tối đa 60 ký tự.";
  } else if (listing.price_vnd <= 0) {
    problem = "Sản phẩm cần có giá trước khi đăng lên sàn.";
  }
  if (!problem.empty()) {
    PublishRefill refill{shop.ref,
                         problem,
                         form_value(req, "category_id"),
                         form_value(req, "brand"),
                         form_value(req, "weight_grams"),
                         form_value(req, "length_cm"),
                         form_value(req, "width_cm"),
                         form_value(req, "height_cm"),
                         images,
                         attributes};
    return show_product_page(app, *db, ws, req, res, product, refill, 400);
  }
  listing.weight_grams = *weight;
  listing.length_cm = *length;
  listing.width_cm = *width;
  listing.height_cm = *height;

  auto tx = db->begin();
  if (!tx) return write_html_error(res, tx.error(), 1);
  in::MarketplaceShops shops(*db, app.clock, nullptr);
  in::Outbox outbox(*db, shops, {});
  auto queued = outbox.enqueue_create(shop.ref, listing, app.clock.now(), photos);
  if (!queued) {
    if (queued.error().code == ErrorCode::conflict)
      return write_html_error(
          res, Error{ErrorCode::conflict, "Sản phẩm đang chờ đăng lên cửa hàng này.", ""});
    return write_html_error(res, queued.error(), 1);
  }
  auto logged = core::AuditLog(*db, app.clock)
                    .record(ws.audit("marketplace.publish",
                                     listing.sku + " → " + platform_label(shop.platform)));
  if (!logged) return write_html_error(res, logged.error(), 1);
  if (auto c = tx->commit(); !c) return write_html_error(res, c.error(), 1);
  redirect_see_other(res, product_page(product_id));
}

void retry(AppContext& app, const httplib::Request& req, httplib::Response& res) {
  auto target = open_listing(app, req, res);
  if (!target) return;
  auto& [db, ws, product, shop] = *target;
  const int64_t product_id = product.id;
  auto tx = db->begin();
  if (!tx) return write_html_error(res, tx.error(), 1);
  in::MarketplaceShops shops(*db, app.clock, nullptr);
  in::Outbox outbox(*db, shops, {});
  auto again = outbox.retry_failed_create(shop.ref, product.fields.sku, app.clock.now());
  if (!again) {
    switch (again.error().code) {
      case ErrorCode::not_found:
        return write_html_error(
            res, Error{ErrorCode::not_found, "Sản phẩm không có lần đăng lỗi nào để thử lại.", ""});
      case ErrorCode::conflict:
        return write_html_error(
            res, Error{ErrorCode::conflict, "Sản phẩm đang chờ đăng lên cửa hàng này.", ""});
      default:
        return write_html_error(res, again.error(), 1);
    }
  }
  auto logged = core::AuditLog(*db, app.clock)
                    .record(ws.audit("marketplace.retry",
                                     product.fields.sku + " → " + platform_label(shop.platform)));
  if (!logged) return write_html_error(res, logged.error(), 1);
  if (auto c = tx->commit(); !c) return write_html_error(res, c.error(), 1);
  redirect_see_other(res, product_page(product_id));
}

}  // namespace

void add_marketplace_listings(core::Database& db, const core::Clock& clock,
                              const core::Product& product, mustache::data& data,
                              const PublishRefill* refill) {
  in::MarketplaceShops shops(db, clock, nullptr);
  auto mine = shops.of_producer(product.producer_id);
  if (!mine) {
    data.set("market_problem", "Chưa đọc được tình trạng trên sàn: " + mine.error().message);
    return;
  }
  in::Outbox outbox(db, shops, {});
  mustache::data list{mustache::data::type::list};
  for (const auto& shop : *mine) {
    auto state = outbox.listing(shop.ref, product.fields.sku);
    if (!state) {
      data.set("market_problem", "Chưa đọc được tình trạng trên sàn: " + state.error().message);
      return;
    }
    mustache::data s;
    s.set("shop_ref", std::to_string(shop.ref));
    s.set("platform", platform_label(shop.platform));
    s.set("name", shop.grant.shop_name);
    s.set("needs_authorization", mustache::data(shop.needs_authorization));
    const std::string st = *state ? (*state)->state : "";
    if (st == "live") {
      s.set("live", mustache::data(true));
      s.set("link", item_link(shop.platform, shop.grant.shop_id, (*state)->item_id));
      s.set("item_id", (*state)->item_id);
    } else if (st == "pending") {
      s.set("pending", mustache::data(true));
      s.set("dry_run", mustache::data(shop.dry_run));
    } else if (st == "failed") {
      s.set("failed", mustache::data(true));
      s.set("error", (*state)->error);
    } else {
      s.set("not_listed", mustache::data(true));
    }
    s.set("can_publish", mustache::data(st.empty() || st == "failed"));
    if (product.fields.weight_g) s.set("weight", std::to_string(*product.fields.weight_g));
    if (refill != nullptr && refill->shop_ref == shop.ref) {
      s.set("open", mustache::data(true));
      s.set("publish_problem", refill->problem);
      s.set("category_id", refill->category_id);
      s.set("brand", refill->brand);
      s.set("weight", refill->weight_grams);
      s.set("length", refill->length_cm);
      s.set("width", refill->width_cm);
      s.set("height", refill->height_cm);
      s.set("images", refill->images);
      s.set("attributes", refill->attributes);
    }
    list.push_back(s);
  }
  data.set("market", list);
  data.set("has_market", mustache::data(!list.is_empty_list()));
}

void add_producer_marketplace(core::Database& db, const core::Clock& clock, int64_t producer_id,
                              const std::vector<core::Product>& products, mustache::data& data) {
  in::MarketplaceShops shops(db, clock, nullptr);
  auto mine = shops.of_producer(producer_id);
  if (!mine) {
    data.set("market_problem", "Chưa đọc được tình trạng trên sàn: " + mine.error().message);
    return;
  }
  in::Outbox outbox(db, shops, {});
  mustache::data shop_rows{mustache::data::type::list};
  mustache::data listing_rows{mustache::data::type::list};
  for (const auto& shop : *mine) {
    auto listings = outbox.listings(shop.ref);
    if (!listings) {
      data.set("market_problem", "Chưa đọc được tình trạng trên sàn: " + listings.error().message);
      return;
    }
    int live = 0, pending = 0, failed = 0;
    for (const auto& l : *listings) {
      mustache::data row;
      auto product = std::find_if(products.begin(), products.end(),
                                  [&](const core::Product& p) { return p.fields.sku == l.sku; });
      row.set("product", product != products.end() ? product->fields.name : l.sku);
      row.set("sku", l.sku);
      row.set("platform", platform_label(shop.platform));
      if (l.state.state == "live") {
        ++live;
        row.set("live", mustache::data(true));
        row.set("link", item_link(shop.platform, shop.grant.shop_id, l.state.item_id));
      } else if (l.state.state == "failed") {
        ++failed;
        row.set("failed", mustache::data(true));
        row.set("error", l.state.error);
      } else {
        ++pending;
        row.set("pending", mustache::data(true));
      }
      listing_rows.push_back(row);
    }
    mustache::data s;
    s.set("platform", platform_label(shop.platform));
    s.set("name", shop.grant.shop_name);
    s.set("needs_authorization", mustache::data(shop.needs_authorization));
    if (shop.grant_expires_at > 0) s.set("expires", date_vi(shop.grant_expires_at));
    s.set("live", std::to_string(live));
    s.set("pending", std::to_string(pending));
    s.set("failed", std::to_string(failed));
    shop_rows.push_back(s);
  }
  data.set("shops", shop_rows);
  data.set("has_shops", mustache::data(!shop_rows.is_empty_list()));
  data.set("listings", listing_rows);
  data.set("has_listings", mustache::data(!listing_rows.is_empty_list()));
}

void register_workspace_marketplace_routes(Router& router, AppContext& app) {
  auto box = std::make_shared<std::unique_ptr<in::SecretBox>>();
  if (auto made = in::SecretBox::from_key(app.config.secret_key))
    *box = std::make_unique<in::SecretBox>(std::move(*made));
  router.get(kShops, [&app, box](const auto& req, auto& res) {
    shops_page(app, box, req, res,
               req.has_param("da-ket-noi") ? "Đã kết nối cửa hàng. Mã truy cập được mã hoá khi lưu."
                                           : std::string());
  });
  router.post(R"(/quan-ly/san-tmdt/ket-noi/(shopee|lazada|tiktok))",
              [&app, box](const auto& req, auto& res) { start_connect(app, box, req, res); });
  router.get(R"(/quan-ly/san-tmdt/ket-noi/(shopee|lazada|tiktok)/xong)",
             [&app, box](const auto& req, auto& res) { finish_connect(app, box, req, res); });
  router.post(R"(/quan-ly/san-tmdt/(\d{1,18})/thu-nghiem)",
              [&app](const auto& req, auto& res) { set_dry_run(app, req, res); });
  router.post(R"(/quan-ly/san-tmdt/(\d{1,18})/kho)",
              [&app](const auto& req, auto& res) { set_warehouse(app, req, res); });
  router.get(R"(/quan-ly/san-tmdt/(\d{1,18})/xem-truoc)",
             [&app, box](const auto& req, auto& res) { preview_page(app, box, req, res); });
  router.post(R"(/quan-ly/san-pham/(\d{1,18})/san/(\d{1,18})/dang)",
              [&app](const auto& req, auto& res) { publish(app, req, res); });
  router.post(R"(/quan-ly/san-pham/(\d{1,18})/san/(\d{1,18})/thu-lai)",
              [&app](const auto& req, auto& res) { retry(app, req, res); });
}

}  // namespace chophien::storefront
