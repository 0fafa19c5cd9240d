#include "integrations/shopee.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "integrations/marketplace_http.h"
#include "integrations/marketplace_signing.h"

namespace chophien::integrations {
namespace {

using nlohmann::json;

// Shopee's ids are JSON integers: 1 to 18 decimal digits, so std::stoll below never throws.
bool all_digits(std::string_view s) {
  return !s.empty() && s.size() <= 18 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

class ShopeeConnector final : public Connector {
 public:
  ShopeeConnector(MarketplaceApp app, const core::Clock& clock)
      : app_(std::move(app)), clock_(clock) {}

  Platform platform() const override { return Platform::shopee; }

  std::string authorization_url(const std::string& redirect_url,
                                const std::string& state) const override {
    // Shopee returns only code and shop_id; our state travels inside the redirect URL.
    std::string redirect = redirect_url;
    if (!state.empty()) {
      redirect += (redirect.find('?') == std::string::npos ? "?state=" : "&state=") + state;
    }
    PreparedRequest r = sign("GET", app_.api_base, "/api/v2/shop/auth_partner", nullptr);
    r.query.emplace_back("redirect", redirect);
    return app_.authorize_base + r.target();
  }

  Answer<Grant> exchange_code(const std::string& code, const std::string& shop_id) override {
    if (!all_digits(shop_id) || !all_digits(app_.key)) {
      return {invalid_input("shop_id and partner_id must be numbers", "shop_id"), {}};
    }
    json body = {
        {"code", code}, {"shop_id", std::stoll(shop_id)}, {"partner_id", std::stoll(app_.key)}};
    return token_call("/api/v2/auth/token/get", body.dump(), shop_id);
  }

  Answer<Grant> refresh(const Grant& grant) override {
    if (!all_digits(grant.shop_id) || !all_digits(app_.key)) {
      return {invalid_input("shop_id and partner_id must be numbers", "shop_id"), {}};
    }
    json body = {{"refresh_token", grant.refresh_token},
                 {"shop_id", std::stoll(grant.shop_id)},
                 {"partner_id", std::stoll(app_.key)}};
    return token_call("/api/v2/auth/access_token/get", body.dump(), grant.shop_id);
  }

  Result<PreparedRequest> prepare_create(const ShopAccess& shop,
                                         const Listing& listing) const override {
    if (auto ok = check_shop(shop); !ok) return ok.error();
    const size_t name_len = utf8_length(listing.name);
    if (name_len < 20 || name_len > 120) {
      return invalid_input("Shopee: tên sản phẩm phải có 20-120 ký tự", "name");
    }
    const size_t description_len = utf8_length(listing.description);
    if (description_len < 100 || description_len > 3000) {
      return invalid_input("Shopee: mô tả phải có 100-3000 ký tự", "description");
    }
    if (listing.price_vnd <= 0) return invalid_input("Shopee: giá phải lớn hơn 0", "price_vnd");
    if (listing.stock < 0) return invalid_input("Shopee: tồn kho không được âm", "stock");
    if (!all_digits(listing.category_id)) {
      return invalid_input("Shopee: thiếu mã ngành hàng (category_id)", "category_id");
    }
    if (listing.image_refs.empty()) {
      return invalid_input("Shopee: cần ít nhất một ảnh đã tải lên", "image_refs");
    }
    if (listing.weight_grams <= 0) {
      return invalid_input("Shopee: cần khối lượng gói hàng", "weight_grams");
    }
    if (!all_digits(shop.warehouse_id)) {
      return invalid_input("Shopee: cửa hàng chưa chọn kênh vận chuyển", "warehouse_id");
    }
    json body = {
        {"item_name", listing.name},
        {"description", listing.description},
        {"original_price", listing.price_vnd},
        {"category_id", std::stoll(listing.category_id)},
        {"image", {{"image_id_list", listing.image_refs}}},
        {"weight", static_cast<double>(listing.weight_grams) / 1000.0},
        {"logistic_info",
         json::array({{{"logistic_id", std::stoll(shop.warehouse_id)}, {"enabled", true}}})},
        {"seller_stock", json::array({{{"stock", listing.stock}}})},
        {"item_sku", listing.sku},
        {"condition", "NEW"},
        {"item_status", "NORMAL"},
        {"brand",
         {{"brand_id", 0},
          {"original_brand_name", listing.brand.empty() ? "NoBrand" : listing.brand}}},
    };
    if (auto ok = check_attributes(platform(), listing); !ok) {
      return Error{ok.error().code, "Shopee: " + ok.error().message, "attributes"};
    }
    if (!listing.attributes.empty()) {
      json attributes = json::array();
      for (const auto& [id, value] : listing.attributes) {
        attributes.push_back({{"attribute_id", std::stoll(id)},
                              {"attribute_value_list",
                               json::array({{{"value_id", 0}, {"original_value_name", value}}})}});
      }
      body["attribute_list"] = attributes;
    }
    if (listing.length_cm > 0 && listing.width_cm > 0 && listing.height_cm > 0) {
      body["dimension"] = {{"package_length", listing.length_cm},
                           {"package_width", listing.width_cm},
                           {"package_height", listing.height_cm}};
    }
    return sign("POST", app_.api_base, "/api/v2/product/add_item", &shop, body.dump());
  }

  Result<std::vector<PreparedRequest>> prepare_update(const ShopAccess& shop,
                                                      const PriceStock& update) const override {
    if (auto ok = check_shop(shop); !ok) return ok.error();
    if (!all_digits(update.item.item_id)) {
      return invalid_input("Shopee: chưa có item_id cho SKU " + update.sku, "item_id");
    }
    const int64_t item_id = std::stoll(update.item.item_id);
    std::vector<PreparedRequest> out;
    if (update.price_vnd) {
      if (*update.price_vnd <= 0) return invalid_input("Shopee: giá phải lớn hơn 0", "price_vnd");
      json body = {
          {"item_id", item_id},
          {"price_list", json::array({{{"model_id", 0}, {"original_price", *update.price_vnd}}})}};
      out.push_back(
          sign("POST", app_.api_base, "/api/v2/product/update_price", &shop, body.dump()));
    }
    if (update.stock) {
      if (*update.stock < 0) return invalid_input("Shopee: tồn kho không được âm", "stock");
      json body = {{"item_id", item_id},
                   {"stock_list",
                    json::array({{{"model_id", 0},
                                  {"seller_stock", json::array({{{"stock", *update.stock}}})}}})}};
      out.push_back(
          sign("POST", app_.api_base, "/api/v2/product/update_stock", &shop, body.dump()));
    }
    if (out.empty()) return invalid_input("Shopee: không có giá hay tồn kho để cập nhật");
    return out;
  }

  Result<PreparedRequest> prepare_upload(const ShopAccess& shop,
                                         const ImageFile& image) const override {
    if (auto ok = check_image(platform(), image); !ok) return ok.error();
    if (app_.shop_signed_uploads) {
      if (auto ok = check_shop(shop); !ok) return ok.error();
    }
    PreparedRequest r = sign("POST", app_.api_base, "/api/v2/media_space/upload_image",
                             app_.shop_signed_uploads ? &shop : nullptr);
    r.body = multipart_body({}, "image", image, r.content_type);
    return r;
  }

  Answer<std::string> upload_image(const ShopAccess& shop, const ImageFile& image) override {
    auto request = prepare_upload(shop, image);
    if (!request) return {request.error(), {}};
    auto answer = call(*request, "upload_image");
    if (!answer.result) return {answer.result.error(), answer.info};
    const json& info =
        answer.result->value("response", json::object()).value("image_info", json::object());
    std::string id = json_text(info.value("image_id", json()));
    if (id.empty()) {
      return {platform_error(ErrorCode::unavailable, platform(), "upload_image", "no image_id"),
              answer.info};
    }
    return {id, answer.info};
  }

  Answer<ItemRef> create_listing(const ShopAccess& shop, const Listing& listing) override {
    auto request = prepare_create(shop, listing);
    if (!request) return {request.error(), {}};
    auto answer = call(*request, "add_item");
    if (!answer.result) return {answer.result.error(), answer.info};
    const json& response = answer.result->value("response", json::object());
    std::string item_id = json_text(response.value("item_id", json()));
    if (item_id.empty()) {
      return {platform_error(ErrorCode::unavailable, platform(), "add_item", "no item_id"),
              answer.info};
    }
    return {ItemRef{item_id, ""}, answer.info};
  }

  Answer<void> update_price_stock(const ShopAccess& shop, const PriceStock& update) override {
    auto requests = prepare_update(shop, update);
    if (!requests) return {requests.error(), {}};
    CallInfo info;
    for (const auto& request : *requests) {
      auto answer = call(request, request.path.substr(request.path.rfind('/') + 1));
      info = answer.info;
      if (!answer.result) return {answer.result.error(), info};
    }
    return {Result<void>(), info};
  }

  Answer<std::optional<ItemRef>> find_by_sku(const ShopAccess& shop,
                                             const std::string& sku) override {
    if (auto ok = check_shop(shop); !ok) return {ok.error(), {}};
    CallInfo info;
    int64_t offset = 0;
    for (int page = 0; page < 50; ++page) {
      PreparedRequest list = sign("GET", app_.api_base, "/api/v2/product/get_item_list", &shop);
      list.query.emplace_back("offset", std::to_string(offset));
      list.query.emplace_back("page_size", "100");
      list.query.emplace_back("item_status", "NORMAL");
      list.query.emplace_back("item_status", "UNLIST");
      auto answer = call(list, "get_item_list");
      info = answer.info;
      if (!answer.result) return {answer.result.error(), info};
      const json& response = answer.result->value("response", json::object());
      std::vector<std::string> ids;
      for (const auto& item : response.value("item", json::array())) {
        ids.push_back(json_text(item.value("item_id", json())));
      }
      for (size_t i = 0; i < ids.size(); i += 50) {
        std::string joined;
        for (size_t j = i; j < std::min(ids.size(), i + 50); ++j) {
          joined += (joined.empty() ? "" : ",") + ids[j];
        }
        PreparedRequest info_request =
            sign("GET", app_.api_base, "/api/v2/product/get_item_base_info", &shop);
        info_request.query.emplace_back("item_id_list", joined);
        auto details = call(info_request, "get_item_base_info");
        info = details.info;
        if (!details.result) return {details.result.error(), info};
        for (const auto& item :
             details.result->value("response", json::object()).value("item_list", json::array())) {
          if (item.value("item_sku", "") == sku) {
            return {std::optional<ItemRef>(ItemRef{json_text(item.value("item_id", json())), ""}),
                    info};
          }
        }
      }
      if (!response.value("has_next_page", false)) break;
      offset = json_int(response.value("next_offset", json()), offset + 100);
    }
    return {std::optional<ItemRef>(), info};
  }

  bool pulls_orders() const override { return true; }

  Answer<std::vector<MarketplaceOrder>> recent_orders(const ShopAccess& shop,
                                                      int64_t since) override {
    if (auto ok = check_shop(shop); !ok) return {ok.error(), {}};
    PreparedRequest list = sign("GET", app_.api_base, "/api/v2/order/get_order_list", &shop);
    // Shopee allows at most 15 days per query.
    const int64_t now = clock_.now();
    list.query.emplace_back("time_range_field", "create_time");
    list.query.emplace_back("time_from", std::to_string(std::max(since, now - 15 * 86400)));
    list.query.emplace_back("time_to", std::to_string(now));
    list.query.emplace_back("page_size", "100");
    auto answer = call(list, "get_order_list");
    if (!answer.result) return {answer.result.error(), answer.info};
    std::string joined;
    for (const auto& order :
         answer.result->value("response", json::object()).value("order_list", json::array())) {
      joined += (joined.empty() ? "" : ",") + order.value("order_sn", "");
    }
    std::vector<MarketplaceOrder> orders;
    if (joined.empty()) return {orders, answer.info};
    PreparedRequest detail = sign("GET", app_.api_base, "/api/v2/order/get_order_detail", &shop);
    detail.query.emplace_back("order_sn_list", joined);
    detail.query.emplace_back("response_optional_fields", "total_amount");
    auto details = call(detail, "get_order_detail");
    if (!details.result) return {details.result.error(), details.info};
    for (const auto& o :
         details.result->value("response", json::object()).value("order_list", json::array())) {
      orders.push_back(
          MarketplaceOrder{o.value("order_sn", ""), json_int(o.value("create_time", json())),
                           json_int(o.value("total_amount", json())), o.value("order_status", "")});
    }
    return {orders, details.info};
  }

 private:
  Result<void> check_shop(const ShopAccess& shop) const {
    if (!all_digits(shop.shop_id)) return invalid_input("Shopee: shop_id phải là số", "shop_id");
    if (shop.access_token.empty()) return invalid_input("Shopee: chưa có access token");
    return {};
  }

  PreparedRequest sign(std::string method, const std::string& base, const std::string& path,
                       const ShopAccess* shop, std::string body = {}) const {
    PreparedRequest r;
    r.method = std::move(method);
    r.base = base;
    r.path = path;
    const int64_t timestamp = clock_.now();
    r.base_string = shop == nullptr ? shopee_base_string(app_.key, path, timestamp)
                                    : shopee_base_string(app_.key, path, timestamp,
                                                         shop->access_token, shop->shop_id);
    r.signature = shopee_sign(app_.secret, r.base_string);
    r.query = {
        {"partner_id", app_.key}, {"timestamp", std::to_string(timestamp)}, {"sign", r.signature}};
    if (shop != nullptr) {
      r.query.emplace_back("shop_id", shop->shop_id);
      r.query.emplace_back("access_token", shop->access_token);
    }
    r.body = std::move(body);
    if (r.method == "POST") r.content_type = "application/json";
    return r;
  }

  Answer<json> call(const PreparedRequest& request, std::string_view endpoint,
                    bool token_call = false) const {
    CallInfo info;
    auto raw = send_request(request, app_.read_timeout_ms, info);
    if (!raw) {
      return {platform_error(ErrorCode::unavailable, platform(), endpoint, raw.error().message),
              info};
    }
    const json& body = raw->json;
    if (body.is_object()) info.request_id = body.value("request_id", "");
    const std::string error = body.is_object() ? body.value("error", "") : "";
    const std::string message = body.is_object() ? body.value("message", "") : "";
    const std::string what =
        error.empty() ? "HTTP " + std::to_string(raw->status) : error + ": " + message;
    auto fail = [&](ErrorCode code) {
      return Answer<json>{platform_error(code, platform(), endpoint, what), info};
    };
    if (raw->status == 429 || contains_ci(message, "too many") ||
        contains_ci(message, "rate limit") || contains_ci(error, "rate_limit")) {
      if (info.retry_after == 0) info.retry_after = seconds_in_message(message);
      return fail(ErrorCode::rate_limited);
    }
    if (raw->status >= 500) return fail(ErrorCode::unavailable);
    if (!body.is_object()) return fail(ErrorCode::unavailable);
    if (error.empty() && raw->status < 400) return {body, info};
    if (token_call && (contains_ci(message, "refresh") || contains_ci(error, "refresh") ||
                       contains_ci(message, "code"))) {
      return fail(ErrorCode::unauthenticated);
    }
    if (error == "invalid_access_token" || contains_ci(message, "access token") ||
        contains_ci(message, "access_token")) {
      return fail(ErrorCode::unauthenticated);
    }
    if (error == "error_auth" || error == "error_sign" || error == "error_permission") {
      return fail(ErrorCode::forbidden);
    }
    if (contains_ci(message, "busy") || contains_ci(message, "system error") ||
        error == "error_server" || error == "error_inner") {
      return fail(ErrorCode::unavailable);
    }
    return fail(ErrorCode::invalid_input);
  }

  Answer<Grant> token_call(const std::string& path, std::string body, const std::string& shop_id) {
    PreparedRequest request = sign("POST", app_.api_base, path, nullptr, std::move(body));
    auto answer = call(request, path.substr(path.rfind('/', path.size() - 5) + 1), true);
    if (!answer.result) return {answer.result.error(), answer.info};
    // Token calls answer at the top level; accept `response` too.
    const json& j =
        answer.result->contains("response") ? (*answer.result)["response"] : *answer.result;
    Grant grant;
    grant.shop_id = shop_id;
    grant.access_token = j.value("access_token", "");
    grant.refresh_token = j.value("refresh_token", "");
    const int64_t now = clock_.now();
    grant.access_expires_at = now + json_int(j.value("expire_in", json()), 4 * 3600);
    grant.refresh_expires_at = now + 30 * 86400;  // integrations.md: 30 days, not returned
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

std::unique_ptr<Connector> make_shopee_connector(const MarketplaceApp& app,
                                                 const core::Clock& clock) {
  return std::make_unique<ShopeeConnector>(app, clock);
}

}  // namespace chophien::integrations
