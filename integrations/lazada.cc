#include "integrations/lazada.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <nlohmann/json.hpp>

#include "integrations/json_fields.h"
#include "integrations/marketplace_http.h"
#include "integrations/marketplace_signing.h"
#include "integrations/sync.h"

namespace chophien::integrations {
namespace {

using nlohmann::json;

std::string xml_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string element(std::string_view name, std::string_view value) {
  std::string out = "<";
  out.append(name).append(">").append(xml_escape(value)).append("</").append(name).append(">");
  return out;
}

std::string kg(int grams) {
  std::string whole = std::to_string(grams / 1000);
  std::string frac = std::to_string(1000 + grams % 1000).substr(1);
  return whole + "." + frac;
}

constexpr int kOrderPageSize = 100;  // GetOrders' largest `limit`
constexpr int kMaxOrderPages = 50;

// Unix seconds as ISO 8601 in Vietnam's time: "2025-11-13T10:00:00+07:00".
std::string iso8601_vietnam(int64_t unix_seconds) {
  const std::time_t t = static_cast<std::time_t>(unix_seconds + 7 * 3600);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char out[32];
  std::strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%S+07:00", &tm);
  return out;
}

// "YYYY-MM-DD HH:MM:SS +hhmm" (or with 'T' and "+hh:mm") to unix seconds; 0 when not in that form.
int64_t lazada_time(std::string text) {
  if (text.size() < 19) return 0;
  if (text[10] == 'T') text[10] = ' ';
  auto local = parse_vietnam_datetime(std::string_view(text).substr(0, 19));
  if (!local) return 0;
  std::string zone = text.substr(19);
  while (!zone.empty() && zone.front() == ' ') zone.erase(0, 1);
  std::erase(zone, ':');
  if (zone.empty() || zone == "Z") return zone.empty() ? *local : *local + 7 * 3600;
  if (zone.size() != 5 || (zone[0] != '+' && zone[0] != '-') ||
      !std::all_of(zone.begin() + 1, zone.end(), [](unsigned char c) { return std::isdigit(c); })) {
    return 0;
  }
  const int64_t offset = (std::stoll(zone.substr(1, 2)) * 60 + std::stoll(zone.substr(3, 2))) * 60;
  // `local` read the wall time as +07:00; move it to the zone it was written in.
  return *local + 7 * 3600 - (zone[0] == '-' ? -offset : offset);
}

// One order of GetOrders. An order whose items are in different states is a sale when any item
// is (its `price` is the order's total); its status is then that item's state.
Result<MarketplaceOrder> lazada_order(const json& o) {
  MarketplaceOrder order;
  auto id = text_field(o, "order_id", true);
  if (!id) return id.error();
  order.order_id = *id;
  auto price = whole_number(o, "price");
  if (!price) return price.error();
  order.total_vnd = *price;
  order.created_at = lazada_time(o.value("created_at", ""));
  for (const auto& s : o.value("statuses", json::array())) {
    if (!s.is_string()) continue;
    const std::string status = s.get<std::string>();
    if (order.status.empty()) order.status = status;
    if (order_status_counts(Platform::lazada, status)) {
      order.status = status;
      break;
    }
  }
  return order;
}

class LazadaConnector final : public Connector {
 public:
  LazadaConnector(MarketplaceApp app, const core::Clock& clock)
      : app_(std::move(app)), clock_(clock) {}

  Platform platform() const override { return Platform::lazada; }

  std::string authorization_url(const std::string& redirect_url,
                                const std::string& state) const override {
    PreparedRequest r;
    r.path = "/oauth/authorize";
    r.query = {{"response_type", "code"},
               {"force_auth", "true"},
               {"redirect_uri", redirect_url},
               {"client_id", app_.key}};
    if (!state.empty()) r.query.emplace_back("state", state);
    return app_.authorize_base + r.target();
  }

  Answer<Grant> exchange_code(const std::string& code, const std::string&) override {
    return token_call("/auth/token/create", {{"code", code}});
  }

  Answer<Grant> refresh(const Grant& grant) override {
    return token_call("/auth/token/refresh", {{"refresh_token", grant.refresh_token}});
  }

  Result<PreparedRequest> prepare_create(const ShopAccess& shop,
                                         const Listing& listing) const override {
    if (shop.access_token.empty()) return invalid_input("Lazada: chưa có access token");
    if (listing.sku.empty()) return invalid_input("Lazada: thiếu SellerSku", "sku");
    const size_t name_len = utf8_length(listing.name);
    if (name_len == 0 || name_len > 255) {
      return invalid_input("Lazada: tên sản phẩm phải có 1-255 ký tự", "name");
    }
    if (listing.description.empty()) return invalid_input("Lazada: thiếu mô tả", "description");
    if (listing.category_id.empty()) {
      return invalid_input("Lazada: thiếu mã ngành hàng (PrimaryCategory)", "category_id");
    }
    if (listing.image_refs.empty())
      return invalid_input("Lazada: cần ít nhất một ảnh", "image_refs");
    if (listing.price_vnd <= 0) return invalid_input("Lazada: giá phải lớn hơn 0", "price_vnd");
    if (listing.stock < 0) return invalid_input("Lazada: tồn kho không được âm", "stock");
    if (listing.weight_grams <= 0 || listing.length_cm <= 0 || listing.width_cm <= 0 ||
        listing.height_cm <= 0) {
      return invalid_input("Lazada: cần khối lượng và kích thước gói hàng", "package");
    }
    if (auto ok = check_attributes(platform(), listing); !ok) {
      return Error{ok.error().code, "Lazada: " + ok.error().message, "attributes"};
    }
    std::string attributes;
    for (const auto& [name, value] : listing.attributes) attributes += element(name, value);
    std::string images;
    for (const auto& url : listing.image_refs) images += element("Image", url);
    std::string payload =
        "<Request><Product>" + element("PrimaryCategory", listing.category_id) + "<Images>" +
        images + "</Images><Attributes>" + element("name", listing.name) +
        element("description", listing.description) +
        element("brand", listing.brand.empty() ? "No Brand" : listing.brand) + attributes +
        "</Attributes><Skus><Sku>" + element("SellerSku", listing.sku) +
        element("quantity", std::to_string(listing.stock)) +
        element("price", std::to_string(listing.price_vnd)) +
        element("package_weight", kg(listing.weight_grams)) +
        element("package_length", std::to_string(listing.length_cm)) +
        element("package_width", std::to_string(listing.width_cm)) +
        element("package_height", std::to_string(listing.height_cm)) +
        "</Sku></Skus></Product></Request>";
    return sign("POST", app_.api_base, "/product/create", &shop, {{"payload", payload}});
  }

  Result<std::vector<PreparedRequest>> prepare_update(const ShopAccess& shop,
                                                      const PriceStock& update) const override {
    if (shop.access_token.empty()) return invalid_input("Lazada: chưa có access token");
    if (update.sku.empty()) return invalid_input("Lazada: thiếu SellerSku", "sku");
    if (!update.price_vnd && !update.stock) {
      return invalid_input("Lazada: không có giá hay tồn kho để cập nhật");
    }
    std::string sku = element("SellerSku", update.sku);
    if (update.stock) {
      if (*update.stock < 0) return invalid_input("Lazada: tồn kho không được âm", "stock");
      sku += element("Quantity", std::to_string(*update.stock));
    }
    if (update.price_vnd) {
      if (*update.price_vnd <= 0) return invalid_input("Lazada: giá phải lớn hơn 0", "price_vnd");
      sku += element("Price", std::to_string(*update.price_vnd));
    }
    std::string payload =
        "<Request><Product><Skus><Sku>" + sku + "</Sku></Skus></Product></Request>";
    return std::vector<PreparedRequest>{sign(
        "POST", app_.api_base, "/product/price_quantity/update", &shop, {{"payload", payload}})};
  }

  Result<PreparedRequest> prepare_upload(const ShopAccess& shop,
                                         const ImageFile& image) const override {
    if (auto ok = check_image(platform(), image); !ok) return ok.error();
    if (shop.access_token.empty()) return invalid_input("Lazada: chưa có access token");
    // The file is not signed: the system parameters travel in the query, the image as the
    // multipart part `image`.
    PreparedRequest r = sign("GET", app_.api_base, "/image/upload", &shop, {});
    r.method = "POST";
    r.body = multipart_body({}, "image", image, r.content_type);
    return r;
  }

  Answer<std::string> upload_image(const ShopAccess& shop, const ImageFile& image) override {
    auto request = prepare_upload(shop, image);
    if (!request) return {request.error(), {}};
    auto answer = call(*request, "/image/upload", false);
    if (!answer.result) return {answer.result.error(), answer.info};
    std::string url = answer.result->value("data", json::object())
                          .value("image", json::object())
                          .value("url", "");
    if (url.empty()) {
      return {platform_error(ErrorCode::unavailable, platform(), "/image/upload", "no image url"),
              answer.info};
    }
    return {url, answer.info};
  }

  Answer<ItemRef> create_listing(const ShopAccess& shop, const Listing& listing) override {
    auto request = prepare_create(shop, listing);
    if (!request) return {request.error(), {}};
    auto answer = call(*request, "/product/create", false);
    if (!answer.result) return {answer.result.error(), answer.info};
    const json& data = answer.result->value("data", json::object());
    ItemRef ref{json_text(data.value("item_id", json())), ""};
    for (const auto& s : data.value("sku_list", json::array())) {
      if (s.value("seller_sku", "") == listing.sku)
        ref.sku_id = json_text(s.value("sku_id", json()));
    }
    if (ref.item_id.empty()) {
      return {platform_error(ErrorCode::unavailable, platform(), "/product/create", "no item_id"),
              answer.info};
    }
    return {ref, answer.info};
  }

  Answer<void> update_price_stock(const ShopAccess& shop, const PriceStock& update) override {
    auto requests = prepare_update(shop, update);
    if (!requests) return {requests.error(), {}};
    auto answer = call(requests->front(), "/product/price_quantity/update", false);
    if (!answer.result) return {answer.result.error(), answer.info};
    return {Result<void>(), answer.info};
  }

  Answer<std::optional<ItemRef>> find_by_sku(const ShopAccess& shop,
                                             const std::string& sku) override {
    PreparedRequest request = sign("GET", app_.api_base, "/products/get", &shop,
                                   {{"filter", "all"}, {"search", sku}, {"limit", "50"}});
    auto answer = call(request, "/products/get", false);
    if (!answer.result) return {answer.result.error(), answer.info};
    for (const auto& product :
         answer.result->value("data", json::object()).value("products", json::array())) {
      for (const auto& s : product.value("skus", json::array())) {
        if (s.value("SellerSku", "") == sku) {
          return {std::optional<ItemRef>(ItemRef{json_text(product.value("item_id", json())),
                                                 json_text(s.value("SkuId", json()))}),
                  answer.info};
        }
      }
    }
    return {std::optional<ItemRef>(), answer.info};
  }

  bool pulls_orders() const override { return true; }

  // GetOrders (`/orders/get`): orders created since `since`, oldest first, 100 a page, paged by
  // `offset` until `countTotal` is reached. The field names follow integrations.md and the Lazada
  // Open Platform's GetOrders reference as we know it (the public reference page could not be
  // consulted from here): `data.orders[]` with `order_id`, `created_at`
  // ("2025-11-28 09:20:00 +0700"), `price` ("370000.00") and `statuses[]` (one per item state).
  Answer<std::vector<MarketplaceOrder>> recent_orders(const ShopAccess& shop,
                                                      int64_t since) override {
    if (shop.access_token.empty()) return {invalid_input("Lazada: chưa có access token"), {}};
    std::vector<MarketplaceOrder> orders;
    CallInfo info;
    int64_t offset = 0;
    for (int page = 0; page < kMaxOrderPages; ++page) {
      PreparedRequest request = sign("GET", app_.api_base, "/orders/get", &shop,
                                     {{"created_after", iso8601_vietnam(since)},
                                      {"sort_by", "created_at"},
                                      {"sort_direction", "ASC"},
                                      {"offset", std::to_string(offset)},
                                      {"limit", std::to_string(kOrderPageSize)}});
      auto answer = call(request, "/orders/get", false);
      info = answer.info;
      if (!answer.result) return {answer.result.error(), info};
      const json& data = answer.result->value("data", json::object());
      const json& list = data.value("orders", json::array());
      for (const auto& o : list) {
        auto order = lazada_order(o);
        if (!order) return {order.error(), info};
        orders.push_back(std::move(*order));
      }
      offset += static_cast<int64_t>(list.size());
      const int64_t total = json_int(data.value("countTotal", json()), 0);
      if (list.empty() || offset >= total) return {orders, info};
    }
    return {platform_error(ErrorCode::unavailable, platform(), "/orders/get",
                           "quá nhiều trang đơn hàng"),
            info};
  }

 private:
  PreparedRequest sign(std::string method, const std::string& base, const std::string& api_path,
                       const ShopAccess* shop, SignedParams business) const {
    PreparedRequest r;
    r.method = std::move(method);
    r.base = base;
    r.path = api_path;
    SignedParams system = {{"app_key", app_.key},
                           {"timestamp", std::to_string(clock_.now() * 1000)},
                           {"sign_method", "sha256"}};
    if (shop != nullptr) system.emplace_back("access_token", shop->access_token);
    SignedParams all = system;
    for (const auto& p : business) {
      if (!p.second.empty()) all.push_back(p);
    }
    r.base_string = lazada_base_string(api_path, all);
    r.signature = lazada_sign(app_.secret, r.base_string);
    if (r.method == "POST") {
      // Business parameters (payload) travel as form fields, the rest in the query.
      r.query = system;
      r.query.emplace_back("sign", r.signature);
      r.content_type = "application/x-www-form-urlencoded";
      for (const auto& [name, value] : business) {
        if (value.empty()) continue;
        if (!r.body.empty()) r.body += '&';
        r.body += url_encode(name) + "=" + url_encode(value);
      }
    } else {
      r.query = all;
      r.query.emplace_back("sign", r.signature);
    }
    return r;
  }

  Answer<json> call(const PreparedRequest& request, std::string_view endpoint,
                    bool token_call) const {
    CallInfo info;
    auto raw = send_request(request, app_.read_timeout_ms, info);
    if (!raw) {
      return {platform_error(ErrorCode::unavailable, platform(), endpoint, raw.error().message),
              info};
    }
    const json& body = raw->json;
    if (body.is_object()) info.request_id = body.value("request_id", "");
    const std::string code = body.is_object() ? json_text(body.value("code", json())) : "";
    const std::string type = body.is_object() ? body.value("type", "") : "";
    std::string message = body.is_object() ? body.value("message", "") : "";
    std::string field;
    if (body.is_object()) {
      for (const auto& d : body.value("detail", json::array())) {
        if (field.empty()) field = d.value("field", "");
        message += "; " + d.value("seller_sku", "") + " " + d.value("field", "") + ": " +
                   d.value("message", "");
      }
    }
    const std::string what =
        code.empty() ? "HTTP " + std::to_string(raw->status) : code + ": " + message;
    auto fail = [&](ErrorCode c) {
      return Answer<json>{platform_error(c, platform(), endpoint, what, field), info};
    };
    if (raw->status == 429 || code == "ApiCallLimit" || code == "AppCallLimit" ||
        code == "SellerCallLimit") {
      if (info.retry_after == 0) info.retry_after = seconds_in_message(message);
      return fail(ErrorCode::rate_limited);
    }
    if (raw->status >= 500 || !body.is_object()) return fail(ErrorCode::unavailable);
    if (code == "0" && raw->status < 400) return {body, info};
    if (code == "IncompleteSignature" || code == "InvalidAppKey" ||
        code == "AUTH_TYPE_UNSUPPORTED") {
      return fail(ErrorCode::forbidden);
    }
    if (code == "IllegalAccessToken") return fail(ErrorCode::unauthenticated);
    if (token_call && (code == "IllegalRefreshToken" || contains_ci(code, "code"))) {
      return fail(ErrorCode::unauthenticated);
    }
    if (contains_ci(message, "duplicate") || contains_ci(message, "already exist")) {
      return fail(ErrorCode::conflict);
    }
    if (type == "ISP" || type == "SYSTEM") return fail(ErrorCode::unavailable);
    return fail(ErrorCode::invalid_input);
  }

  Answer<Grant> token_call(const std::string& api_path, SignedParams params) {
    PreparedRequest request = sign("GET", app_.auth_base, api_path, nullptr, std::move(params));
    auto answer = call(request, api_path, true);
    if (!answer.result) return {answer.result.error(), answer.info};
    const json& j = *answer.result;
    Grant grant;
    grant.access_token = j.value("access_token", "");
    grant.refresh_token = j.value("refresh_token", "");
    const int64_t now = clock_.now();
    grant.access_expires_at = now + json_int(j.value("expires_in", json()));
    grant.refresh_expires_at = now + json_int(j.value("refresh_expires_in", json()));
    for (const auto& c : j.value("country_user_info_list", json::array())) {
      if (grant.shop_id.empty() || c.value("country", "") == "vn") {
        grant.shop_id = json_text(c.value("seller_id", json()));
        grant.shop_name = c.value("short_code", "");
      }
    }
    if (grant.access_token.empty() || grant.refresh_token.empty()) {
      return {
          platform_error(ErrorCode::unavailable, platform(), api_path, "no token in the answer"),
          answer.info};
    }
    return {grant, answer.info};
  }

  MarketplaceApp app_;
  const core::Clock& clock_;
};

}  // namespace

std::unique_ptr<Connector> make_lazada_connector(const MarketplaceApp& app,
                                                 const core::Clock& clock) {
  return std::make_unique<LazadaConnector>(app, clock);
}

}  // namespace chophien::integrations
