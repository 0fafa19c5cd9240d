#include "integrations/tiktok.h"

#include <nlohmann/json.hpp>

#include "integrations/json_fields.h"
#include "integrations/marketplace_http.h"
#include "integrations/marketplace_signing.h"

namespace chophien::integrations {
namespace {

using nlohmann::json;

constexpr int64_t kMaxPriceVnd = 180'000'000;
constexpr int kOrderPageSize = 100;  // the order search's largest `page_size`
constexpr int kMaxOrderPages = 50;

class TiktokConnector final : public Connector {
 public:
  TiktokConnector(MarketplaceApp app, const core::Clock& clock)
      : app_(std::move(app)), clock_(clock) {}

  Platform platform() const override { return Platform::tiktok; }

  std::string authorization_url(const std::string&, const std::string& state) const override {
    // The redirect URL is registered in Partner Center; only our state is added.
    std::string url = app_.authorize_base;
    if (!state.empty()) {
      url += (url.find('?') == std::string::npos ? "?state=" : "&state=") + url_encode(state);
    }
    return url;
  }

  Answer<Grant> exchange_code(const std::string& code, const std::string&) override {
    auto grant = token_call("/api/v2/token/get", {{"app_key", app_.key},
                                                  {"app_secret", app_.secret},
                                                  {"auth_code", code},
                                                  {"grant_type", "authorized_code"}});
    if (!grant.result) return grant;
    // The shop and its cipher, which every shop call carries.
    PreparedRequest shops = sign("GET", "/authorization/202309/shops", nullptr, {}, {});
    shops.headers.emplace_back("x-tts-access-token", grant.result->access_token);
    auto answer = call(shops, "/authorization/202309/shops");
    if (!answer.result) return {answer.result.error(), answer.info};
    for (const auto& s :
         answer.result->value("data", json::object()).value("shops", json::array())) {
      grant.result->shop_id = json_text(s.value("id", json()));
      grant.result->shop_cipher = s.value("cipher", "");
      grant.result->shop_name = s.value("name", "");
      break;
    }
    return grant;
  }

  Answer<Grant> refresh(const Grant& grant) override {
    auto fresh = token_call("/api/v2/token/refresh", {{"app_key", app_.key},
                                                      {"app_secret", app_.secret},
                                                      {"refresh_token", grant.refresh_token},
                                                      {"grant_type", "refresh_token"}});
    if (fresh.result) {
      fresh.result->shop_id = grant.shop_id;
      fresh.result->shop_cipher = grant.shop_cipher;
      fresh.result->shop_name = grant.shop_name;
    }
    return fresh;
  }

  Result<PreparedRequest> prepare_create(const ShopAccess& shop,
                                         const Listing& listing) const override {
    if (auto ok = check_shop(shop); !ok) return ok.error();
    const size_t title_len = utf8_length(listing.name);
    if (title_len < 25 || title_len > 255) {
      return invalid_input("TikTok Shop: tên sản phẩm phải có 25-255 ký tự", "name");
    }
    const size_t description_len = utf8_length(listing.description);
    if (description_len == 0 || description_len > 10000) {
      return invalid_input("TikTok Shop: mô tả phải có 1-10000 ký tự", "description");
    }
    if (listing.category_id.empty()) {
      return invalid_input("TikTok Shop: thiếu mã ngành hàng lá (category_id)", "category_id");
    }
    if (listing.image_refs.empty() || listing.image_refs.size() > 9) {
      return invalid_input("TikTok Shop: cần 1-9 ảnh chính", "image_refs");
    }
    if (listing.price_vnd < 1 || listing.price_vnd > kMaxPriceVnd) {
      return invalid_input("TikTok Shop: giá phải từ 1 đến 180.000.000 đồng", "price_vnd");
    }
    if (listing.stock < 0) return invalid_input("TikTok Shop: tồn kho không được âm", "stock");
    if (listing.weight_grams <= 0) {
      return invalid_input("TikTok Shop: cần khối lượng gói hàng", "weight_grams");
    }
    if (shop.warehouse_id.empty()) {
      return invalid_input("TikTok Shop: cửa hàng chưa chọn kho hàng", "warehouse_id");
    }
    json images = json::array();
    for (const auto& uri : listing.image_refs) images.push_back({{"uri", uri}});
    json body = {
        {"title", listing.name},
        {"description", listing.description},
        {"category_id", listing.category_id},
        {"main_images", images},
        {"skus",
         json::array(
             {{{"seller_sku", listing.sku},
               {"price", {{"amount", std::to_string(listing.price_vnd)}, {"currency", "VND"}}},
               {"inventory", json::array({{{"warehouse_id", shop.warehouse_id},
                                           {"quantity", listing.stock}}})}}})},
        {"package_weight", {{"value", std::to_string(listing.weight_grams)}, {"unit", "GRAM"}}},
        {"save_mode", "LISTING"},
    };
    if (auto ok = check_attributes(platform(), listing); !ok) {
      return Error{ok.error().code, "TikTok Shop: " + ok.error().message, "attributes"};
    }
    if (!listing.attributes.empty()) {
      json attributes = json::array();
      for (const auto& [id, value] : listing.attributes) {
        attributes.push_back({{"id", id}, {"values", json::array({{{"name", value}}})}});
      }
      body["product_attributes"] = attributes;
    }
    if (listing.length_cm > 0 && listing.width_cm > 0 && listing.height_cm > 0) {
      body["package_dimensions"] = {{"length", std::to_string(listing.length_cm)},
                                    {"width", std::to_string(listing.width_cm)},
                                    {"height", std::to_string(listing.height_cm)},
                                    {"unit", "CENTIMETER"}};
    }
    return sign("POST", "/product/202309/products", &shop, {}, body.dump());
  }

  Result<std::vector<PreparedRequest>> prepare_update(const ShopAccess& shop,
                                                      const PriceStock& update) const override {
    if (auto ok = check_shop(shop); !ok) return ok.error();
    if (update.item.item_id.empty() || update.item.sku_id.empty()) {
      return invalid_input("TikTok Shop: chưa có mã sản phẩm cho SKU " + update.sku, "item_id");
    }
    const std::string base = "/product/202309/products/" + update.item.item_id;
    std::vector<PreparedRequest> out;
    if (update.price_vnd) {
      if (*update.price_vnd < 1 || *update.price_vnd > kMaxPriceVnd) {
        return invalid_input("TikTok Shop: giá phải từ 1 đến 180.000.000 đồng", "price_vnd");
      }
      json body = {{"skus", json::array({{{"id", update.item.sku_id},
                                          {"price",
                                           {{"amount", std::to_string(*update.price_vnd)},
                                            {"currency", "VND"}}}}})}};
      out.push_back(sign("POST", base + "/prices/update", &shop, {}, body.dump()));
    }
    if (update.stock) {
      if (*update.stock < 0) return invalid_input("TikTok Shop: tồn kho không được âm", "stock");
      if (shop.warehouse_id.empty()) {
        return invalid_input("TikTok Shop: cửa hàng chưa chọn kho hàng", "warehouse_id");
      }
      json body = {
          {"skus", json::array({{{"id", update.item.sku_id},
                                 {"inventory", json::array({{{"warehouse_id", shop.warehouse_id},
                                                             {"quantity", *update.stock}}})}}})}};
      out.push_back(sign("POST", base + "/inventory/update", &shop, {}, body.dump()));
    }
    if (out.empty()) return invalid_input("TikTok Shop: không có giá hay tồn kho để cập nhật");
    return out;
  }

  Result<PreparedRequest> prepare_upload(const ShopAccess& shop,
                                         const ImageFile& image) const override {
    if (auto ok = check_image(platform(), image); !ok) return ok.error();
    if (auto ok = check_shop(shop); !ok) return ok.error();
    PreparedRequest r;
    r.method = "POST";
    r.base = app_.api_base;
    r.path = "/product/202309/images/upload";
    r.query = {{"app_key", app_.key},
               {"timestamp", std::to_string(clock_.now())},
               {"shop_cipher", shop.shop_cipher}};
    r.body = multipart_body({{"use_case", "MAIN_IMAGE"}}, "data", image, r.content_type);
    // Multipart: the body is not part of the signed string.
    r.base_string = tiktok_base_string(app_.secret, r.path, r.query, r.body, true);
    r.signature = tiktok_sign(app_.secret, r.base_string);
    r.query.emplace_back("sign", r.signature);
    r.headers.emplace_back("x-tts-access-token", shop.access_token);
    return r;
  }

  Answer<std::string> upload_image(const ShopAccess& shop, const ImageFile& image) override {
    auto request = prepare_upload(shop, image);
    if (!request) return {request.error(), {}};
    auto answer = call(*request, "images/upload");
    if (!answer.result) return {answer.result.error(), answer.info};
    std::string uri = answer.result->value("data", json::object()).value("uri", "");
    if (uri.empty()) {
      return {platform_error(ErrorCode::unavailable, platform(), "images/upload", "no uri"),
              answer.info};
    }
    return {uri, answer.info};
  }

  Answer<ItemRef> create_listing(const ShopAccess& shop, const Listing& listing) override {
    auto request = prepare_create(shop, listing);
    if (!request) return {request.error(), {}};
    auto answer = call(*request, "/product/202309/products");
    if (!answer.result) return {answer.result.error(), answer.info};
    const json& data = answer.result->value("data", json::object());
    ItemRef ref{json_text(data.value("product_id", json())), ""};
    for (const auto& s : data.value("skus", json::array())) {
      if (s.value("seller_sku", "") == listing.sku) ref.sku_id = json_text(s.value("id", json()));
    }
    if (ref.item_id.empty()) {
      return {platform_error(ErrorCode::unavailable, platform(), "/product/202309/products",
                             "no product_id"),
              answer.info};
    }
    return {ref, answer.info};
  }

  Answer<void> update_price_stock(const ShopAccess& shop, const PriceStock& update) override {
    auto requests = prepare_update(shop, update);
    if (!requests) return {requests.error(), {}};
    CallInfo info;
    for (const auto& request : *requests) {
      auto answer = call(request, request.path);
      info = answer.info;
      if (!answer.result) return {answer.result.error(), info};
    }
    return {Result<void>(), info};
  }

  Answer<std::optional<ItemRef>> find_by_sku(const ShopAccess& shop,
                                             const std::string& sku) override {
    if (auto ok = check_shop(shop); !ok) return {ok.error(), {}};
    json body = {{"seller_skus", json::array({sku})}};
    PreparedRequest request =
        sign("POST", "/product/202309/products/search", &shop, {{"page_size", "20"}}, body.dump());
    auto answer = call(request, "/product/202309/products/search");
    if (!answer.result) return {answer.result.error(), answer.info};
    for (const auto& product :
         answer.result->value("data", json::object()).value("products", json::array())) {
      for (const auto& s : product.value("skus", json::array())) {
        if (s.value("seller_sku", "") == sku) {
          return {std::optional<ItemRef>(ItemRef{json_text(product.value("id", json())),
                                                 json_text(s.value("id", json()))}),
                  answer.info};
        }
      }
    }
    return {std::optional<ItemRef>(), answer.info};
  }

  bool pulls_orders() const override { return true; }

  // Get Order List (`POST /order/202309/orders/search`): orders created since `since`, 100 a page,
  // followed by `next_page_token`. The field names follow integrations.md and the TikTok Shop
  // Partner Center reference of version 202309 as we know it (the public reference page could not
  // be consulted from here): `data.orders[]` with `id`, `create_time` (unix seconds), `status`
  // and `payment.total_amount` (a string in VND).
  Answer<std::vector<MarketplaceOrder>> recent_orders(const ShopAccess& shop,
                                                      int64_t since) override {
    if (auto ok = check_shop(shop); !ok) return {ok.error(), {}};
    const std::string path = "/order/202309/orders/search";
    const std::string body = json{{"create_time_ge", since}}.dump();
    std::vector<MarketplaceOrder> orders;
    CallInfo info;
    std::string token;
    for (int page = 0; page < kMaxOrderPages; ++page) {
      SignedParams query = {{"page_size", std::to_string(kOrderPageSize)}};
      if (!token.empty()) query.emplace_back("page_token", token);
      PreparedRequest request = sign("POST", path, &shop, std::move(query), body);
      auto answer = call(request, path);
      info = answer.info;
      if (!answer.result) return {answer.result.error(), info};
      const json& data = answer.result->value("data", json::object());
      for (const auto& o : data.value("orders", json::array())) {
        MarketplaceOrder order;
        auto id = text_field(o, "id", true);
        if (!id) return {id.error(), info};
        order.order_id = *id;
        order.created_at = json_int(o.value("create_time", json()), 0);
        order.status = o.value("status", "");
        auto total = whole_number(o.value("payment", json::object()), "total_amount");
        if (!total) return {total.error(), info};
        order.total_vnd = *total;
        orders.push_back(std::move(order));
      }
      const std::string next = data.value("next_page_token", "");
      if (next.empty() || next == token) return {orders, info};
      token = next;
    }
    return {platform_error(ErrorCode::unavailable, platform(), path, "quá nhiều trang đơn hàng"),
            info};
  }

 private:
  static Result<void> check_shop(const ShopAccess& shop) {
    if (shop.shop_cipher.empty())
      return invalid_input("TikTok Shop: thiếu shop_cipher", "shop_cipher");
    if (shop.access_token.empty()) return invalid_input("TikTok Shop: chưa có access token");
    return {};
  }

  PreparedRequest sign(std::string method, const std::string& path, const ShopAccess* shop,
                       SignedParams business, std::string body) const {
    PreparedRequest r;
    r.method = std::move(method);
    r.base = app_.api_base;
    r.path = path;
    r.query = {{"app_key", app_.key}, {"timestamp", std::to_string(clock_.now())}};
    if (shop != nullptr) r.query.emplace_back("shop_cipher", shop->shop_cipher);
    for (auto& p : business) r.query.push_back(std::move(p));
    r.body = std::move(body);
    r.base_string = tiktok_base_string(app_.secret, path, r.query, r.body);
    r.signature = tiktok_sign(app_.secret, r.base_string);
    r.query.emplace_back("sign", r.signature);
    r.content_type = "application/json";
    r.headers.emplace_back("content-type", "application/json");
    if (shop != nullptr) r.headers.emplace_back("x-tts-access-token", shop->access_token);
    return r;
  }

  Answer<json> call(const PreparedRequest& request, std::string_view endpoint) const {
    CallInfo info;
    auto raw = send_request(request, app_.read_timeout_ms, info);
    if (!raw) {
      return {platform_error(ErrorCode::unavailable, platform(), endpoint, raw.error().message),
              info};
    }
    const json& body = raw->json;
    if (body.is_object()) info.request_id = body.value("request_id", "");
    const int64_t code = body.is_object() ? json_int(body.value("code", json()), -1) : -1;
    const std::string message = body.is_object() ? body.value("message", "") : "";
    const std::string what =
        code < 0 ? "HTTP " + std::to_string(raw->status) : std::to_string(code) + ": " + message;
    auto fail = [&](ErrorCode c) {
      return Answer<json>{platform_error(c, platform(), endpoint, what), info};
    };
    if (raw->status == 429 || contains_ci(message, "too many") ||
        contains_ci(message, "rate limit") || contains_ci(message, "frequen")) {
      return fail(ErrorCode::rate_limited);
    }
    if (raw->status >= 500 || code < 0) return fail(ErrorCode::unavailable);
    if (code == 0 && raw->status < 400) return {body, info};
    // 105xxx: access token problems; 106xxx: signature, timestamp, app key.
    if (code / 1000 == 105 || contains_ci(message, "access token") ||
        contains_ci(message, "refresh token") || contains_ci(message, "auth code")) {
      return fail(ErrorCode::unauthenticated);
    }
    if (code / 1000 == 106) return fail(ErrorCode::forbidden);
    if (contains_ci(message, "duplicate") || contains_ci(message, "already exist")) {
      return fail(ErrorCode::conflict);
    }
    if (contains_ci(message, "internal") || contains_ci(message, "system busy")) {
      return fail(ErrorCode::unavailable);
    }
    return fail(ErrorCode::invalid_input);
  }

  Answer<Grant> token_call(const std::string& path, SignedParams query) {
    PreparedRequest r;
    r.method = "GET";
    r.base = app_.auth_base;
    r.path = path;
    r.query = std::move(query);
    auto answer = call(r, path);
    if (!answer.result) return {answer.result.error(), answer.info};
    const json& data = answer.result->value("data", json::object());
    Grant grant;
    grant.access_token = data.value("access_token", "");
    grant.refresh_token = data.value("refresh_token", "");
    const int64_t now = clock_.now();
    auto when = [now](int64_t v) { return v > 1'000'000'000 ? v : (v > 0 ? now + v : 0); };
    grant.access_expires_at = when(json_int(data.value("access_token_expire_in", json())));
    grant.refresh_expires_at = when(json_int(data.value("refresh_token_expire_in", json())));
    grant.shop_name = data.value("seller_name", "");
    if (grant.access_token.empty() || grant.refresh_token.empty()) {
      return {platform_error(ErrorCode::unavailable, platform(), path, "no token in the answer"),
              answer.info};
    }
    return {grant, answer.info};
  }

  MarketplaceApp app_;
  const core::Clock& clock_;
};

}  // namespace

std::unique_ptr<Connector> make_tiktok_connector(const MarketplaceApp& app,
                                                 const core::Clock& clock) {
  return std::make_unique<TiktokConnector>(app, clock);
}

}  // namespace chophien::integrations
