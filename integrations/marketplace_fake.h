#pragma once
// Test support: a fake Shopee, Lazada or TikTok Shop on 127.0.0.1 that checks every request the
// way the platform documents it (integrations.md sections 1-3), rebuilding the signed string
// from what it received (its own code, not the connectors'): the signature, the timestamp window,
// the app key, the access token and the required fields. It keeps items by SKU and orders (served
// by each platform's order list, paged: Lazada by offset, TikTok by page token), counts calls per
// endpoint, and can be told to answer the next calls to an endpoint with throttling, a server
// error, a validation error, an expired token, a duplicate SKU, or to apply a call and then not
// answer before the client's read timeout ("timeout after accepting").
// Image uploads (Shopee media_space/upload_image, Lazada /image/upload, TikTok Shop
// /product/202309/images/upload) are checked as multipart with the documented part names, a
// JPEG or PNG within the platform's limit, and signed without the body; with require_uploaded_
// images() a create naming an image the fake did not issue is refused, as the platforms do.
//
// Header-only, for tests only. Thread-safety: the server's threads share state under a mutex.

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "integrations/crypto.h"
#include "integrations/marketplace.h"

namespace chophien::integrations::testing_support {

// A listing every platform accepts (names long enough for Shopee and TikTok Shop, a package size
// for Lazada), for tests and benchmarks.
inline Listing sample_listing(const std::string& sku) {
  Listing l;
  l.sku = sku;
  l.name = "Mật ong hoa cà phê Bảo Lâm 500 ml";
  l.description =
      "Mật ong nguyên chất từ vườn cà phê Bảo Lâm, Lâm Đồng. Thu hoạch theo mùa hoa, lọc lạnh, "
      "không pha đường. Sản phẩm OCOP 4 sao.";
  l.price_vnd = 185000;
  l.stock = 40;
  l.category_id = "100629";
  l.image_refs = {"https://img.example/mat-ong-1.jpg"};
  l.weight_grams = 650;
  l.length_cm = 8;
  l.width_cm = 8;
  l.height_cm = 18;
  return l;
}

enum class Fault {
  throttle,
  server_error,
  validation,
  expired_token,
  duplicate_sku,
  accept_then_hang
};

struct FakeItem {
  std::string item_id;
  std::string sku_id;
  int64_t price = 0;
  int64_t stock = 0;
};

class FakeMarketplace {
 public:
  FakeMarketplace(Platform platform, const core::Clock& clock, std::string key = "2000001",
                  std::string secret = "fake-secret")
      : platform_(platform), clock_(clock), key_(std::move(key)), secret_(std::move(secret)) {
    auto handler = [this](const httplib::Request& req, httplib::Response& res) {
      handle(req, res);
    };
    server_.Get(".*", handler);
    server_.Post(".*", handler);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() before the loop runs would be lost, and the destructor would wait forever.
    while (!server_.is_running()) std::this_thread::yield();
  }
  ~FakeMarketplace() {
    {
      std::lock_guard lock(mu_);
      released_ = true;
    }
    cv_.notify_all();
    server_.stop();
    thread_.join();
  }
  FakeMarketplace(const FakeMarketplace&) = delete;
  FakeMarketplace& operator=(const FakeMarketplace&) = delete;

  std::string origin() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // An app pointing here, with a short read timeout so "no answer" tests stay fast.
  MarketplaceApp app() const {
    MarketplaceApp a = default_app(platform_);
    a.key = key_;
    a.secret = secret_;
    const std::string prefix = platform_ == Platform::lazada ? "/rest" : "";
    a.api_base = origin() + prefix;
    a.auth_base = origin() + prefix;
    a.authorize_base = origin() + "/authorize";
    a.read_timeout_ms = 300;
    return a;
  }

  // The tokens the fake accepts now; refresh rotates them.
  void grant(const std::string& access, const std::string& refresh) {
    std::lock_guard lock(mu_);
    access_tokens_ = {access};
    refresh_token_ = refresh;
  }
  void fail_next(const std::string& endpoint_suffix, Fault fault, int times = 1,
                 int retry_after = 0) {
    std::lock_guard lock(mu_);
    for (int i = 0; i < times; ++i) faults_.push_back({endpoint_suffix, fault, retry_after});
  }
  int calls(const std::string& endpoint_suffix) const {
    std::lock_guard lock(mu_);
    int n = 0;
    for (const auto& [path, count] : calls_) {
      if (path.ends_with(endpoint_suffix)) n += count;
    }
    return n;
  }
  int creates() const {
    std::lock_guard lock(mu_);
    return creates_;
  }
  // A create must name only images this fake issued (upload answers).
  void require_uploaded_images() {
    std::lock_guard lock(mu_);
    require_uploaded_images_ = true;
  }
  // The category needs this attribute (Shopee/TikTok id, Lazada name): a create without it is
  // refused with the platform's validation error.
  void require_attribute(const std::string& key) {
    std::lock_guard lock(mu_);
    required_attributes_.push_back(key);
  }
  // The attributes of the last create, as sent (Lazada: only the required ones, read back).
  std::vector<std::pair<std::string, std::string>> last_create_attributes() const {
    std::lock_guard lock(mu_);
    return last_create_attributes_;
  }
  // Shopee: accept photo uploads signed as shop calls, not public ones.
  void shop_signed_uploads() {
    std::lock_guard lock(mu_);
    shop_signed_uploads_ = true;
  }
  // The bytes of each image received, in order, and the image list of the last create.
  std::vector<std::string> uploads() const {
    std::lock_guard lock(mu_);
    return uploads_;
  }
  std::vector<std::string> last_create_images() const {
    std::lock_guard lock(mu_);
    return last_create_images_;
  }
  std::optional<FakeItem> item(const std::string& sku) const {
    std::lock_guard lock(mu_);
    auto it = items_.find(sku);
    if (it == items_.end()) return std::nullopt;
    return it->second;
  }
  // Why requests were refused (bad signature, stale timestamp, missing field...).
  std::vector<std::string> rejections() const {
    std::lock_guard lock(mu_);
    return rejections_;
  }
  std::string refresh_token() const {
    std::lock_guard lock(mu_);
    return refresh_token_;
  }
  // An order the shop received (the order endpoints of each platform answer with it; `status` in
  // the platform's own spelling; for Lazada, comma-separated item states such as
  // "canceled,delivered").
  void add_order(const std::string& order_sn, int64_t create_time, int64_t total,
                 const std::string& status) {
    std::lock_guard lock(mu_);
    orders_.push_back({order_sn, create_time, total, status});
  }
  // The most orders one page of Lazada's or TikTok's order list holds, whatever the client asks
  // (so tests can page with a handful of orders).
  void set_order_page_size(int size) {
    std::lock_guard lock(mu_);
    order_page_size_ = static_cast<size_t>(size);
  }

 private:
  using json = nlohmann::json;
  struct Scripted {
    std::string suffix;
    Fault fault;
    int retry_after;
  };
  struct FakeOrder {
    std::string sn;
    int64_t create_time;
    int64_t total;
    std::string status;
  };

  static std::string upper(std::string s) {
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
  }

  static std::string tag(const std::string& xml, const std::string& name) {
    auto open = xml.find("<" + name + ">");
    if (open == std::string::npos) return "";
    open += name.size() + 2;
    auto close = xml.find("</" + name + ">", open);
    return close == std::string::npos ? "" : xml.substr(open, close - open);
  }

  // Parameters in received order (query, then form fields), decoded.
  static std::vector<std::pair<std::string, std::string>> params_of(const httplib::Request& req) {
    std::vector<std::pair<std::string, std::string>> out(req.params.begin(), req.params.end());
    if (req.get_header_value("Content-Type").starts_with("application/x-www-form-urlencoded")) {
      httplib::Params form;
      httplib::detail::parse_query_text(req.body, form);
      // cpp-httplib may already have parsed the form into req.params.
      for (const auto& [k, v] : form) {
        std::pair<std::string, std::string> kv{k, v};
        if (std::find(out.begin(), out.end(), kv) == out.end()) out.push_back(kv);
      }
    }
    return out;
  }

  static std::string param(const std::vector<std::pair<std::string, std::string>>& ps,
                           const std::string& name) {
    for (const auto& [k, v] : ps) {
      if (k == name) return v;
    }
    return "";
  }

  void reject(httplib::Response& res, const std::string& why, const json& body, int status = 200) {
    rejections_.push_back(why);
    res.status = status;
    res.set_content(body.dump(), "application/json");
  }

  json error_body(const std::string& kind, const std::string& message) {
    const std::string rid = "rid-" + std::to_string(++request_counter_);
    switch (platform_) {
      case Platform::shopee:
        return {{"error", kind}, {"message", message}, {"request_id", rid}};
      case Platform::lazada:
        return {{"type", "ISV"}, {"code", kind}, {"message", message}, {"request_id", rid}};
      case Platform::tiktok:
        return {{"code", std::stoll(kind)}, {"message", message}, {"request_id", rid}};
    }
    return {};
  }

  json ok_body(json data) {
    const std::string rid = "rid-" + std::to_string(++request_counter_);
    switch (platform_) {
      case Platform::shopee:
        return {{"error", ""}, {"message", ""}, {"request_id", rid}, {"response", data}};
      case Platform::lazada:
        return {{"code", "0"}, {"data", data}, {"request_id", rid}};
      case Platform::tiktok:
        return {{"code", 0}, {"message", "Success"}, {"request_id", rid}, {"data", data}};
    }
    return {};
  }

  bool fresh(int64_t timestamp, int64_t window) const {
    return std::llabs(timestamp - clock_.now()) <= window;
  }

  // Checks the signature, timestamp and token as the platform does; false when refused.
  bool authenticate(const httplib::Request& req, httplib::Response& res, const std::string& path,
                    const std::vector<std::pair<std::string, std::string>>& ps, bool& is_token) {
    is_token = false;
    if (platform_ == Platform::shopee) {
      is_token = path.starts_with("/api/v2/auth/");
      const bool is_public =
          is_token || (path == "/api/v2/media_space/upload_image" && !shop_signed_uploads_);
      const int64_t ts = std::atoll(param(ps, "timestamp").c_str());
      std::string base = param(ps, "partner_id") + path + param(ps, "timestamp");
      if (!is_public) base += param(ps, "access_token") + param(ps, "shop_id");
      if (param(ps, "partner_id") != key_ ||
          !constant_time_equals(hmac_sha256_hex(secret_, base), param(ps, "sign"))) {
        reject(res, "shopee sign", error_body("error_sign", "Wrong sign."));
        return false;
      }
      if (!fresh(ts, 300)) {
        reject(res, "shopee timestamp", error_body("error_auth", "Invalid timestamp."));
        return false;
      }
      if (!is_public && std::find(access_tokens_.begin(), access_tokens_.end(),
                                  param(ps, "access_token")) == access_tokens_.end()) {
        reject(res, "shopee token", error_body("invalid_access_token", "Invalid access_token."));
        return false;
      }
      return true;
    }
    if (platform_ == Platform::lazada) {
      is_token = path.starts_with("/auth/");
      auto sorted = ps;
      std::erase_if(sorted, [](const auto& p) { return p.first == "sign"; });
      std::sort(sorted.begin(), sorted.end());
      std::string base = path;
      for (const auto& [k, v] : sorted) base += k + v;
      if (param(ps, "app_key") != key_ || param(ps, "sign_method") != "sha256" ||
          !constant_time_equals(upper(hmac_sha256_hex(secret_, base)), param(ps, "sign"))) {
        reject(res, "lazada sign",
               error_body("IncompleteSignature",
                          "The request signature does not conform to platform standards"));
        return false;
      }
      if (!fresh(std::atoll(param(ps, "timestamp").c_str()) / 1000, 7200)) {
        reject(res, "lazada timestamp", error_body("InvalidTimestamp", "Timestamp is invalid"));
        return false;
      }
      if (!is_token && std::find(access_tokens_.begin(), access_tokens_.end(),
                                 param(ps, "access_token")) == access_tokens_.end()) {
        reject(
            res, "lazada token",
            error_body("IllegalAccessToken", "The specified access token is invalid or expired"));
        return false;
      }
      return true;
    }
    is_token = path.starts_with("/api/v2/token/");
    if (is_token) {
      if (param(ps, "app_key") != key_ || param(ps, "app_secret") != secret_) {
        reject(res, "tiktok app secret", error_body("36004003", "invalid app secret"));
        return false;
      }
      return true;
    }
    auto sorted = ps;
    std::erase_if(sorted,
                  [](const auto& p) { return p.first == "sign" || p.first == "access_token"; });
    std::sort(sorted.begin(), sorted.end());
    std::string base = secret_ + path;
    for (const auto& [k, v] : sorted) base += k + v;
    const bool multipart = req.is_multipart_form_data();
    base += (multipart ? std::string() : req.body) + secret_;
    if (param(ps, "app_key") != key_ ||
        !constant_time_equals(hmac_sha256_hex(secret_, base), param(ps, "sign"))) {
      reject(res, "tiktok sign", error_body("106001", "Invalid signature"));
      return false;
    }
    if (!fresh(std::atoll(param(ps, "timestamp").c_str()), 300)) {
      reject(res, "tiktok timestamp", error_body("106002", "Invalid timestamp"));
      return false;
    }
    if (req.method == "POST" && !(path == "/product/202309/images/upload" && multipart) &&
        !req.get_header_value("Content-Type").starts_with("application/json")) {
      reject(res, "tiktok content type",
             error_body("36009001", "content-type must be application/json"));
      return false;
    }
    if (std::find(access_tokens_.begin(), access_tokens_.end(),
                  req.get_header_value("x-tts-access-token")) == access_tokens_.end()) {
      reject(res, "tiktok token",
             error_body("105002", "Expired credentials: access token is expired"));
      return false;
    }
    if (path.starts_with("/product/") && param(ps, "shop_cipher").empty()) {
      reject(res, "tiktok cipher", error_body("36009003", "shop_cipher is required"));
      return false;
    }
    return true;
  }

  void handle(const httplib::Request& req, httplib::Response& res) {
    std::unique_lock lock(mu_);
    std::string path = req.path;
    if (platform_ == Platform::lazada && path.starts_with("/rest")) path = path.substr(5);
    ++calls_[path];
    const auto ps = params_of(req);
    bool is_token = false;
    if (!authenticate(req, res, path, ps, is_token)) return;

    bool hang = false;
    for (auto it = faults_.begin(); it != faults_.end(); ++it) {
      if (!path.ends_with(it->suffix)) continue;
      Scripted f = *it;
      faults_.erase(it);
      switch (f.fault) {
        case Fault::throttle:
          if (platform_ == Platform::lazada && f.retry_after > 0) {
            reject(res, "throttled",
                   error_body("ApiCallLimit", "This ban will last " +
                                                  std::to_string(f.retry_after) + " more seconds"));
          } else {
            if (f.retry_after > 0) res.set_header("Retry-After", std::to_string(f.retry_after));
            reject(res, "throttled", json::object(), 429);
          }
          return;
        case Fault::server_error:
          reject(res, "server error", json::object(), 503);
          return;
        case Fault::validation:
          reject(
              res, "validation",
              platform_ == Platform::tiktok
                  ? error_body("12052048", "Tên sản phẩm chứa từ bị cấm")
                  : error_body(platform_ == Platform::shopee ? "error_param" : "InvalidParameter",
                               "Tên sản phẩm chứa từ bị cấm"));
          return;
        case Fault::expired_token:
          access_tokens_.clear();
          reject(res, "expired token",
                 platform_ == Platform::shopee
                     ? error_body("invalid_access_token", "access token is expired")
                 : platform_ == Platform::lazada
                     ? error_body("IllegalAccessToken",
                                  "The specified access token is invalid or expired")
                     : error_body("105002", "Expired credentials: access token is expired"));
          return;
        case Fault::duplicate_sku:
          reject(res, "duplicate",
                 error_body(platform_ == Platform::tiktok ? "12019003" : "DuplicateSku",
                            "SellerSku is duplicate: already exists"));
          return;
        case Fault::accept_then_hang:
          hang = true;
          break;
      }
      break;
    }

    json data = json::object();
    std::string problem = apply(req, path, ps, is_token, data);
    if (problem == "IllegalRefreshToken") {
      reject(res, problem, error_body("IllegalRefreshToken", "The refresh token is invalid"));
      return;
    }
    if (!problem.empty()) {
      reject(res, problem,
             platform_ == Platform::tiktok   ? error_body("12052000", problem)
             : platform_ == Platform::shopee ? error_body("error_param", problem)
                                             : error_body("MISSING_PARAMETER", problem));
      return;
    }
    json body = ok_body(data);
    if (is_token && platform_ != Platform::tiktok) body = data;  // Shopee/Lazada: top level
    if (is_token && platform_ == Platform::lazada) body["code"] = "0";
    if (is_token && platform_ == Platform::shopee) body["error"] = "";
    if (hang) {
      // Applied; now keep the client waiting past its read timeout.
      cv_.wait_for(lock, std::chrono::seconds(3), [this] { return released_; });
    }
    res.set_content(body.dump(), "application/json");
  }

  std::string new_tokens(json& data) {
    ++token_counter_;
    const std::string access = "acc-" + std::to_string(token_counter_);
    refresh_token_ = "ref-" + std::to_string(token_counter_);
    access_tokens_.push_back(access);
    const int64_t now = clock_.now();
    if (platform_ == Platform::shopee) {
      data = {{"access_token", access}, {"refresh_token", refresh_token_}, {"expire_in", 14400}};
    } else if (platform_ == Platform::lazada) {
      data = {{"access_token", access},
              {"refresh_token", refresh_token_},
              {"expires_in", 604800},
              {"refresh_expires_in", 2592000},
              {"country_user_info_list",
               json::array({{{"country", "vn"}, {"seller_id", "900100"}, {"short_code", "VN1"}}})}};
    } else {
      data = {{"access_token", access},
              {"refresh_token", refresh_token_},
              {"access_token_expire_in", now + 7 * 86400},
              {"refresh_token_expire_in", now + 60 * 86400},
              {"open_id", "open-1"},
              {"seller_name", "Shop Mật Ong"}};
    }
    return "";
  }

  // An image upload: multipart with the platform's part names, a JPEG or PNG within its limit.
  // Returns a refusal reason or "" with the platform's reference in `ref`.
  std::string accept_upload(const httplib::Request& req, std::string& ref) {
    if (!req.is_multipart_form_data()) return "image upload must be multipart/form-data";
    const char* part = platform_ == Platform::tiktok ? "data" : "image";
    if (!req.has_file(part)) return std::string("missing file part ") + part;
    const auto file = req.get_file_value(part);
    const std::string& b = file.content;
    const bool jpeg = b.size() > 3 && b.compare(0, 3, "\xFF\xD8\xFF") == 0;
    const bool png = b.size() > 8 && b.compare(0, 8, "\x89PNG\r\n\x1A\n") == 0;
    if (!jpeg && !png) return "image must be JPG or PNG";
    // The platforms' limits as this fake knows them (not the connectors' constants).
    const size_t limit = platform_ == Platform::shopee   ? 10u << 20
                         : platform_ == Platform::lazada ? 1u << 20
                                                         : 5u << 20;
    if (b.size() > limit) return "image too large";
    if (file.filename.empty()) return "file name required";
    if (platform_ == Platform::tiktok &&
        (!req.has_file("use_case") || req.get_file_value("use_case").content != "MAIN_IMAGE")) {
      return "use_case must be MAIN_IMAGE";
    }
    uploads_.push_back(b);
    const std::string n = std::to_string(uploads_.size());
    ref = platform_ == Platform::shopee   ? "sg-11134201-img" + n
          : platform_ == Platform::lazada ? "https://vn-live.slatic.net/p/fake-" + n + ".jpg"
                                          : "tos-maliva-i-fake/" + n;
    issued_images_.push_back(ref);
    return "";
  }

  // A create's attributes: recorded, and refused when a required one is missing.
  std::string check_create_attributes(
      const std::vector<std::pair<std::string, std::string>>& attributes) {
    last_create_attributes_ = attributes;
    for (const auto& wanted : required_attributes_) {
      const bool present = std::any_of(attributes.begin(), attributes.end(), [&](const auto& a) {
        return a.first == wanted && !a.second.empty();
      });
      if (!present) return "Thiếu thuộc tính bắt buộc " + wanted + " của ngành hàng";
    }
    return "";
  }

  // A create's images: recorded, and refused when one was not issued here (if required).
  std::string check_create_images(const std::vector<std::string>& images) {
    last_create_images_ = images;
    if (!require_uploaded_images_) return "";
    for (const auto& image : images) {
      if (std::find(issued_images_.begin(), issued_images_.end(), image) == issued_images_.end()) {
        return "image not uploaded to the platform: " + image;
      }
    }
    return "";
  }

  // Performs the call; returns a refusal reason or "".
  std::string apply(const httplib::Request& req, const std::string& path,
                    const std::vector<std::pair<std::string, std::string>>& ps, bool is_token,
                    json& data) {
    const json body = req.get_header_value("Content-Type").starts_with("application/json")
                          ? json::parse(req.body, nullptr, false)
                          : json();
    if (is_token) {
      std::string code, refresh;
      if (platform_ == Platform::shopee) {
        if (!body.is_object() || !body.contains("shop_id") || !body.contains("partner_id")) {
          return "shop_id and partner_id are required";
        }
        code = body.value("code", "");
        refresh = body.value("refresh_token", "");
      } else if (platform_ == Platform::lazada) {
        code = param(ps, "code");
        refresh = param(ps, "refresh_token");
      } else {
        code = param(ps, "auth_code");
        refresh = param(ps, "refresh_token");
      }
      if (path.ends_with("refresh") || path.ends_with("access_token/get")) {
        if (refresh.empty() || refresh != refresh_token_) {
          token_refused_ = true;
          return platform_ == Platform::lazada ? "IllegalRefreshToken" : "invalid refresh token";
        }
      } else if (code != "good-code") {
        return "invalid auth code";
      }
      return new_tokens(data);
    }
    if (platform_ == Platform::shopee) return apply_shopee(req, path, ps, body, data);
    if (platform_ == Platform::lazada) return apply_lazada(req, path, ps, data);
    return apply_tiktok(req, path, ps, body, data);
  }

  std::string next_id() { return std::to_string(700000 + (++id_counter_)); }

  std::string apply_shopee(const httplib::Request& req, const std::string& path,
                           const std::vector<std::pair<std::string, std::string>>& ps,
                           const json& body, json& data) {
    if (path == "/api/v2/media_space/upload_image") {
      std::string ref;
      if (auto bad = accept_upload(req, ref); !bad.empty()) return bad;
      data = {{"image_info", {{"image_id", ref}, {"image_url_list", json::array()}}}};
      return "";
    }
    if (path == "/api/v2/product/add_item") {
      for (const char* f : {"item_name", "description", "original_price", "category_id", "image",
                            "weight", "logistic_info", "seller_stock"}) {
        if (!body.is_object() || !body.contains(f)) return std::string("missing ") + f;
      }
      if (body["image"].value("image_id_list", json::array()).empty()) return "no image";
      if (auto bad =
              check_create_images(body["image"]["image_id_list"].get<std::vector<std::string>>());
          !bad.empty()) {
        return bad;
      }
      std::vector<std::pair<std::string, std::string>> attributes;
      for (const auto& a : body.value("attribute_list", json::array())) {
        const json values = a.value("attribute_value_list", json::array());
        if (!a.contains("attribute_id") || !a["attribute_id"].is_number_integer() ||
            values.empty() || !values[0].value("original_value_name", json()).is_string()) {
          return "attribute_list: attribute_id (int) and attribute_value_list are required";
        }
        attributes.emplace_back(std::to_string(a["attribute_id"].get<int64_t>()),
                                values[0]["original_value_name"].get<std::string>());
      }
      if (auto bad = check_create_attributes(attributes); !bad.empty()) return bad;
      const std::string sku = body.value("item_sku", "");
      FakeItem item{next_id(), "", body["original_price"].get<int64_t>(),
                    body["seller_stock"][0]["stock"].get<int64_t>()};
      items_[sku] = item;
      ++creates_;
      data = {{"item_id", std::stoll(item.item_id)}};
      return "";
    }
    if (path == "/api/v2/product/update_price" || path == "/api/v2/product/update_stock") {
      if (!body.is_object() || !body.contains("item_id")) return "missing item_id";
      const std::string id = std::to_string(body["item_id"].get<int64_t>());
      for (auto& [sku, item] : items_) {
        if (item.item_id != id) continue;
        if (path.ends_with("price"))
          item.price = body["price_list"][0]["original_price"].get<int64_t>();
        else
          item.stock = body["stock_list"][0]["seller_stock"][0]["stock"].get<int64_t>();
        return "";
      }
      return "item not found";
    }
    if (path == "/api/v2/product/get_item_list") {
      json list = json::array();
      for (const auto& [sku, item] : items_)
        list.push_back({{"item_id", std::stoll(item.item_id)}});
      data = {{"item", list}, {"has_next_page", false}, {"total_count", list.size()}};
      return "";
    }
    if (path == "/api/v2/product/get_item_base_info") {
      const std::string wanted = "," + param(ps, "item_id_list") + ",";
      json list = json::array();
      for (const auto& [sku, item] : items_) {
        if (wanted.find("," + item.item_id + ",") != std::string::npos) {
          list.push_back({{"item_id", std::stoll(item.item_id)}, {"item_sku", sku}});
        }
      }
      data = {{"item_list", list}};
      return "";
    }
    if (path == "/api/v2/order/get_order_list") {
      // Shopee: a create_time range of at most 15 days, both ends required.
      if (param(ps, "time_range_field") != "create_time") return "time_range_field is required";
      const int64_t from = std::atoll(param(ps, "time_from").c_str());
      const int64_t to = std::atoll(param(ps, "time_to").c_str());
      if (from <= 0 || to < from || to - from > 15 * 86400) return "invalid time range";
      if (param(ps, "page_size").empty()) return "page_size is required";
      json list = json::array();
      for (const auto& o : orders_) {
        if (o.create_time >= from && o.create_time <= to) list.push_back({{"order_sn", o.sn}});
      }
      data = {{"order_list", list}, {"more", false}};
      return "";
    }
    if (path == "/api/v2/order/get_order_detail") {
      const std::string wanted = "," + param(ps, "order_sn_list") + ",";
      if (wanted == ",,") return "order_sn_list is required";
      json list = json::array();
      for (const auto& o : orders_) {
        if (wanted.find("," + o.sn + ",") == std::string::npos) continue;
        json order = {
            {"order_sn", o.sn}, {"create_time", o.create_time}, {"order_status", o.status}};
        if (param(ps, "response_optional_fields").find("total_amount") != std::string::npos) {
          order["total_amount"] = o.total;
        }
        list.push_back(order);
      }
      data = {{"order_list", list}};
      return "";
    }
    return "unknown path " + path;
  }

  std::string apply_lazada(const httplib::Request& req, const std::string& path,
                           const std::vector<std::pair<std::string, std::string>>& ps, json& data) {
    const std::string payload = param(ps, "payload");
    if (path == "/image/upload") {
      std::string ref;
      if (auto bad = accept_upload(req, ref); !bad.empty()) return bad;
      data = {{"image", {{"url", ref}, {"hash_code", "h" + std::to_string(uploads_.size())}}}};
      return "";
    }
    if (path == "/product/create") {
      for (const char* f :
           {"PrimaryCategory", "name", "SellerSku", "price", "quantity", "package_weight",
            "package_length", "package_width", "package_height"}) {
        if (tag(payload, f).empty()) return std::string("MISSING_PARAMETER ") + f;
      }
      std::vector<std::string> images;
      for (std::string rest = tag(payload, "Images"); !tag(rest, "Image").empty();) {
        images.push_back(tag(rest, "Image"));
        rest = rest.substr(rest.find("</Image>") + 8);
      }
      if (auto bad = check_create_images(images); !bad.empty()) return bad;
      std::vector<std::pair<std::string, std::string>> attributes;
      const std::string attribute_xml = tag(payload, "Attributes");
      for (const auto& wanted : required_attributes_) {
        if (!tag(attribute_xml, wanted).empty()) {
          attributes.emplace_back(wanted, tag(attribute_xml, wanted));
        }
      }
      if (auto bad = check_create_attributes(attributes); !bad.empty()) return bad;
      const std::string sku = tag(payload, "SellerSku");
      if (items_.count(sku) != 0) return "SellerSku is duplicate";
      FakeItem item{next_id(), "sku-" + next_id(), std::stoll(tag(payload, "price")),
                    std::stoll(tag(payload, "quantity"))};
      items_[sku] = item;
      ++creates_;
      data = {
          {"item_id", std::stoll(item.item_id)},
          {"sku_list",
           json::array({{{"seller_sku", sku}, {"sku_id", std::stoll(item.sku_id.substr(4))}}})}};
      return "";
    }
    if (path == "/product/price_quantity/update") {
      const std::string sku = tag(payload, "SellerSku");
      auto it = items_.find(sku);
      if (it == items_.end()) return "SellerSku not found";
      if (!tag(payload, "Price").empty()) it->second.price = std::stoll(tag(payload, "Price"));
      if (!tag(payload, "Quantity").empty())
        it->second.stock = std::stoll(tag(payload, "Quantity"));
      return "";
    }
    if (path == "/orders/get") return apply_lazada_orders(ps, data);
    if (path == "/products/get") {
      json products = json::array();
      const std::string search = param(ps, "search");
      for (const auto& [sku, item] : items_) {
        if (sku.find(search) == std::string::npos) continue;
        products.push_back({{"item_id", std::stoll(item.item_id)},
                            {"skus", json::array({{{"SellerSku", sku}, {"SkuId", item.sku_id}}})}});
      }
      data = {{"total_products", products.size()}, {"products", products}};
      return "";
    }
    return "unknown path " + path;
  }

  // "2025-11-13T10:00:00+07:00" (an offset is required, as GetOrders asks) to unix seconds; -1
  // when not in that form.
  static int64_t parse_iso8601(const std::string& text) {
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, oh = 0, om = 0;
    char sign = 0;
    int used = 0;
    if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec,
                    &sign, &oh, &om, &used) != 9 ||
        used != static_cast<int>(text.size()) || (sign != '+' && sign != '-')) {
      return -1;
    }
    std::tm tm{};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    const int64_t offset = (oh * 60 + om) * 60;
    return static_cast<int64_t>(timegm(&tm)) - (sign == '+' ? offset : -offset);
  }

  // Lazada's order time: "2025-11-28 09:20:00 +0700".
  static std::string lazada_time(int64_t unix_seconds) {
    const std::time_t t = static_cast<std::time_t>(unix_seconds + 7 * 3600);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char out[32];
    std::strftime(out, sizeof out, "%Y-%m-%d %H:%M:%S +0700", &tm);
    return out;
  }

  static bool digits(const std::string& s) {
    return !s.empty() && s.size() < 10 &&
           std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
  }

  // The shop's orders created at or after `from`, oldest first.
  std::vector<const FakeOrder*> orders_since(int64_t from) const {
    std::vector<const FakeOrder*> out;
    for (const auto& o : orders_) {
      if (o.create_time >= from) out.push_back(&o);
    }
    std::stable_sort(out.begin(), out.end(), [](const FakeOrder* a, const FakeOrder* b) {
      return a->create_time < b->create_time;
    });
    return out;
  }

  std::string apply_lazada_orders(const std::vector<std::pair<std::string, std::string>>& ps,
                                  json& data) {
    // GetOrders: created_after or update_after (ISO 8601 with an offset) is required; limit at
    // most 100; offset from 0.
    const std::string after =
        param(ps, "created_after").empty() ? param(ps, "update_after") : param(ps, "created_after");
    if (after.empty()) return "created_after or update_after is required";
    const int64_t from = parse_iso8601(after);
    if (from < 0) return "created_after must be ISO 8601 with an offset: " + after;
    const std::string limit = param(ps, "limit"), offset = param(ps, "offset");
    if (!digits(limit) || std::stoi(limit) < 1 || std::stoi(limit) > 100) {
      return "limit must be 1-100";
    }
    if (!offset.empty() && !digits(offset)) return "offset must be a whole number";
    const std::string sort_by = param(ps, "sort_by");
    if (!sort_by.empty() && sort_by != "created_at" && sort_by != "updated_at") {
      return "sort_by must be created_at or updated_at";
    }
    const auto found = orders_since(from);
    const size_t start = offset.empty() ? 0 : std::stoul(offset);
    const size_t size = std::min<size_t>(std::stoul(limit), order_page_size_);
    json list = json::array();
    for (size_t i = start; i < found.size() && i < start + size; ++i) {
      const FakeOrder& o = *found[i];
      json statuses = json::array();
      for (size_t at = 0; at <= o.status.size();) {
        const size_t comma = std::min(o.status.find(',', at), o.status.size());
        statuses.push_back(o.status.substr(at, comma - at));
        at = comma + 1;
      }
      list.push_back({{"order_id", std::stoll(o.sn)},
                      {"created_at", lazada_time(o.create_time)},
                      {"updated_at", lazada_time(o.create_time)},
                      {"price", std::to_string(o.total) + ".00"},
                      {"statuses", statuses}});
    }
    data = {{"count", list.size()}, {"countTotal", found.size()}, {"orders", list}};
    return "";
  }

  std::string apply_tiktok_orders(const std::vector<std::pair<std::string, std::string>>& ps,
                                  const json& body, json& data) {
    // Get Order List: shop_cipher and page_size (1-100) in the query, page_token as given by the
    // previous page, filters in the JSON body.
    if (param(ps, "shop_cipher") != "ROW_fake") return "shop_cipher is missing or unknown";
    const std::string page_size = param(ps, "page_size");
    if (!digits(page_size) || std::stoi(page_size) < 1 || std::stoi(page_size) > 100) {
      return "page_size must be 1-100";
    }
    size_t start = 0;
    const std::string token = param(ps, "page_token");
    if (!token.empty()) {
      if (!token.starts_with("pt-") || !digits(token.substr(3))) return "invalid page_token";
      start = std::stoul(token.substr(3));
    }
    if (!body.is_object() || !body.contains("create_time_ge") ||
        !body["create_time_ge"].is_number_integer()) {
      return "create_time_ge (unix seconds) is required";
    }
    const auto found = orders_since(body["create_time_ge"].get<int64_t>());
    const size_t size = std::min<size_t>(std::stoul(page_size), order_page_size_);
    json list = json::array();
    for (size_t i = start; i < found.size() && i < start + size; ++i) {
      const FakeOrder& o = *found[i];
      list.push_back(
          {{"id", o.sn},
           {"create_time", o.create_time},
           {"update_time", o.create_time},
           {"status", o.status},
           {"payment", {{"currency", "VND"}, {"total_amount", std::to_string(o.total)}}}});
    }
    const std::string next =
        start + size < found.size() ? "pt-" + std::to_string(start + size) : "";
    data = {{"orders", list}, {"next_page_token", next}, {"total_count", found.size()}};
    return "";
  }

  std::string apply_tiktok(const httplib::Request& req, const std::string& path,
                           const std::vector<std::pair<std::string, std::string>>& ps,
                           const json& body, json& data) {
    if (path == "/product/202309/images/upload") {
      std::string ref;
      if (auto bad = accept_upload(req, ref); !bad.empty()) return bad;
      data = {{"uri", ref},
              {"url", "https://p16-oec-va.ibyteimg.com/" + ref},
              {"width", 960},
              {"height", 960},
              {"use_case", "MAIN_IMAGE"}};
      return "";
    }
    if (path == "/order/202309/orders/search") return apply_tiktok_orders(ps, body, data);
    if (path == "/authorization/202309/shops") {
      data = {
          {"shops", json::array({{{"id", "7495"}, {"cipher", "ROW_fake"}, {"name", "Shop VN"}}})}};
      return "";
    }
    if (path == "/product/202309/products") {
      for (const char* f : {"title", "description", "category_id", "main_images", "skus"}) {
        if (!body.is_object() || !body.contains(f)) return std::string("missing ") + f;
      }
      const json& sku = body["skus"][0];
      if (sku["price"].value("currency", "") != "VND" || !sku["price"]["amount"].is_string()) {
        return "price.amount must be a string in VND";
      }
      if (sku["inventory"][0].value("warehouse_id", "").empty()) return "missing warehouse_id";
      std::vector<std::string> images;
      for (const auto& image : body["main_images"]) images.push_back(image.value("uri", ""));
      if (auto bad = check_create_images(images); !bad.empty()) return bad;
      std::vector<std::pair<std::string, std::string>> attributes;
      for (const auto& a : body.value("product_attributes", json::array())) {
        const json values = a.value("values", json::array());
        if (!a.value("id", json()).is_string() || values.empty() ||
            !values[0].value("name", json()).is_string()) {
          return "product_attributes: id (string) and values[].name are required";
        }
        attributes.emplace_back(a["id"].get<std::string>(), values[0]["name"].get<std::string>());
      }
      if (auto bad = check_create_attributes(attributes); !bad.empty()) return bad;
      FakeItem item{next_id(), next_id(), std::stoll(sku["price"]["amount"].get<std::string>()),
                    sku["inventory"][0]["quantity"].get<int64_t>()};
      items_[sku.value("seller_sku", "")] = item;
      ++creates_;
      data = {{"product_id", item.item_id},
              {"skus",
               json::array({{{"id", item.sku_id}, {"seller_sku", sku.value("seller_sku", "")}}})}};
      return "";
    }
    if (path == "/product/202309/products/search") {
      json products = json::array();
      for (const auto& wanted : body.value("seller_skus", json::array())) {
        auto it = items_.find(wanted.get<std::string>());
        if (it == items_.end()) continue;
        products.push_back(
            {{"id", it->second.item_id},
             {"skus", json::array({{{"id", it->second.sku_id}, {"seller_sku", it->first}}})}});
      }
      data = {{"products", products}, {"total_count", products.size()}};
      return "";
    }
    const std::string prefix = "/product/202309/products/";
    if (path.starts_with(prefix)) {
      const std::string rest = path.substr(prefix.size());
      const std::string id = rest.substr(0, rest.find('/'));
      for (auto& [sku, item] : items_) {
        if (item.item_id != id) continue;
        const json& s = body["skus"][0];
        if (s.value("id", "") != item.sku_id) return "sku id does not belong to the product";
        if (rest.ends_with("/prices/update")) {
          item.price = std::stoll(s["price"]["amount"].get<std::string>());
        } else if (rest.ends_with("/inventory/update")) {
          item.stock = s["inventory"][0]["quantity"].get<int64_t>();
        } else {
          return "unknown path " + path;
        }
        return "";
      }
      return "product not found";
    }
    return "unknown path " + path;
  }

  Platform platform_;
  const core::Clock& clock_;
  std::string key_;
  std::string secret_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool released_ = false;
  std::vector<std::string> access_tokens_;
  std::string refresh_token_;
  std::deque<Scripted> faults_;
  std::map<std::string, int> calls_;
  std::map<std::string, FakeItem> items_;
  std::vector<FakeOrder> orders_;
  size_t order_page_size_ = 100;
  std::vector<std::string> rejections_;
  int creates_ = 0;
  bool require_uploaded_images_ = false;
  bool shop_signed_uploads_ = false;
  std::vector<std::string> uploads_;
  std::vector<std::string> issued_images_;
  std::vector<std::string> last_create_images_;
  std::vector<std::string> required_attributes_;
  std::vector<std::pair<std::string, std::string>> last_create_attributes_;
  int request_counter_ = 0;
  int token_counter_ = 0;
  int id_counter_ = 0;
  bool token_refused_ = false;
};

}  // namespace chophien::integrations::testing_support
