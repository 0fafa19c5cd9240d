#pragma once
// One interface for the marketplaces a producer sells on (Shopee, Lazada, TikTok Shop;
// integrations.md sections 1-3): connecting a shop (authorization link, code exchange, refresh),
// creating a listing, setting price and stock to absolute values, finding an item by our SKU and
// pulling recent orders. Each platform's connector (shopee.h, lazada.h, tiktok.h) builds and signs
// the real request; every host is a setting, so tests point them at fakes on 127.0.0.1.
//
// Failures are values. Every call returns an Answer: the Result plus what the outbox needs to
// decide what to do next (the platform's request id, a Retry-After or ban time, and whether the
// request may have reached the platform although no answer came back). Error codes:
//   invalid_input    the platform refused the request's content (validation); the message is the
//                    platform's own, safe to show the producer; do not resend unchanged
//   rate_limited     throttled (HTTP 429 or a throttling code); retry after info.retry_after
//   unavailable      5xx, no connection or no answer; retryable. With info.maybe_sent the request
//                    may have been applied (a timeout after sending)
//   unauthenticated  the access token is expired or invalid (refresh, then retry); from refresh()
//                    and exchange_code(): the refresh token or code is dead (authorize again)
//   forbidden        the platform refused the signature or the app's rights (a configuration
//                    problem; retrying will not help)
//   conflict         create only: the SKU already exists on the platform (look it up)
// Messages name the platform and carry its error code and message, never a token or secret.
//
// Thread-safety: a connector holds only its settings; calls may run from several threads.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace chophien::integrations {

enum class Platform { shopee, lazada, tiktok };

// "shopee", "lazada", "tiktok".
const char* platform_name(Platform platform);
std::optional<Platform> parse_platform(std::string_view name);

// One application registered with a platform, and where its APIs live.
struct MarketplaceApp {
  Platform platform = Platform::shopee;
  std::string key;        // Shopee partner_id (digits), Lazada / TikTok app_key
  std::string secret;     // Shopee partner_key, Lazada / TikTok app_secret
  std::string api_base;   // e.g. "https://partner.shopeemobile.com", "https://api.lazada.vn/rest"
  std::string auth_base;  // token calls: Lazada "https://auth.lazada.com/rest", TikTok
                          // "https://auth.tiktok-shops.com"; Shopee uses api_base
  std::string authorize_base;   // the seller's consent page (Lazada "https://auth.lazada.com",
                                // TikTok: the app's service-authorization URL from Partner Center)
  int read_timeout_ms = 15000;  // after this without an answer, a sent request is "maybe sent"
  // Shopee only: integrations.md cannot say whether media_space/upload_image is signed as a
  // public call (partner_id + path + timestamp, the default) or as a shop call (with the access
  // token and shop_id). CHOPHIEN_SHOPEE_UPLOAD_SIGNING=shop switches to the second.
  bool shop_signed_uploads = false;
};

// The defaults of integrations.md for `platform` (live hosts; key and secret empty).
MarketplaceApp default_app(Platform platform);

// What the platform granted for one shop. Times are unix seconds; 0 = not reported.
struct Grant {
  std::string shop_id;      // Shopee shop_id, Lazada seller_id, TikTok shop id
  std::string shop_cipher;  // TikTok only (from /authorization/202309/shops)
  std::string shop_name;
  std::string access_token;
  std::string refresh_token;
  int64_t access_expires_at = 0;
  int64_t refresh_expires_at = 0;
};

// What a shop call needs: the shop and a live access token.
struct ShopAccess {
  std::string shop_id;
  std::string shop_cipher;
  std::string access_token;
  std::string warehouse_id;  // TikTok warehouse / Shopee logistics channel id, per shop
};

// A listing to create; our SKU is the join key on every platform.
struct Listing {
  std::string sku;
  std::string name;
  std::string description;
  int64_t price_vnd = 0;
  int64_t stock = 0;
  std::string category_id;              // the platform's leaf category
  std::vector<std::string> image_refs;  // Shopee image_id, Lazada image URL, TikTok image uri
  int weight_grams = 0;
  int length_cm = 0, width_cm = 0, height_cm = 0;  // the package (Lazada requires it)
  std::string brand;                               // "" = no brand
  // The category's mandatory attributes, in order: Shopee and TikTok Shop attribute id (digits)
  // or Lazada attribute name (a-z 0-9 _) -> the value as text (1-255 characters).
  std::vector<std::pair<std::string, std::string>> attributes;
};

// invalid_input unless every attribute of `listing` is well-formed for `platform` (see
// Listing::attributes); Lazada's name, description and brand are set from the listing itself.
Result<void> check_attributes(Platform platform, const Listing& listing);

// A product photo to put in the platform's image store; the answer is what Listing::image_refs
// carries (Shopee image_id, Lazada image URL, TikTok Shop uri).
struct ImageFile {
  std::string bytes;
  std::string content_type;  // image/jpeg or image/png
  std::string file_name;     // as the multipart part names it, e.g. "3f2a9c1d.jpg"
};

// The largest image each platform takes as a product photo upload (Shopee 10 MB, Lazada 1 MB,
// TikTok Shop 5 MB); all three take JPEG and PNG.
size_t max_image_bytes(Platform platform);

// The platform's identity for our SKU.
struct ItemRef {
  std::string item_id;  // Shopee item_id, Lazada item_id, TikTok product_id
  std::string sku_id;   // Lazada sku_id, TikTok sku id; "" for Shopee (model_id 0)
};

// Absolute values to set; at least one of price and stock.
struct PriceStock {
  std::string sku;
  ItemRef item;
  std::optional<int64_t> price_vnd;
  std::optional<int64_t> stock;
};

struct MarketplaceOrder {
  std::string order_id;
  int64_t created_at = 0;
  int64_t total_vnd = 0;
  std::string status;
};

// A request exactly as it would be sent: what dry-run shows and what the fakes check.
struct PreparedRequest {
  std::string method;                                      // "GET" or "POST"
  std::string base;                                        // api_base or auth_base
  std::string path;                                        // the path after base, without query
  std::vector<std::pair<std::string, std::string>> query;  // in order, unencoded
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // sent byte for byte
  std::string content_type;
  std::string base_string;  // what was signed (secrets in it are the caller's to keep)
  std::string signature;
  // path + "?" + URL-encoded query.
  std::string target() const;
};

struct CallInfo {
  std::string request_id;
  int64_t retry_after = 0;  // seconds the platform asked us to wait; 0 = none given
  bool maybe_sent = false;  // no answer after the request was written
};

template <typename T>
struct Answer {
  Result<T> result;
  CallInfo info;
};

class Connector {
 public:
  virtual ~Connector() = default;
  virtual Platform platform() const = 0;

  // The page the producer opens to grant access; `state` comes back on the redirect.
  virtual std::string authorization_url(const std::string& redirect_url,
                                        const std::string& state) const = 0;
  // `shop_id` is what Shopee's redirect carries ("" elsewhere).
  virtual Answer<Grant> exchange_code(const std::string& code, const std::string& shop_id) = 0;
  // A new access token and (rotated) refresh token for `grant.shop_id`.
  virtual Answer<Grant> refresh(const Grant& grant) = 0;

  // Builds and checks the request (field limits, signature) without sending: dry-run.
  virtual Result<PreparedRequest> prepare_create(const ShopAccess& shop,
                                                 const Listing& listing) const = 0;
  // One request per call the update needs (Shopee and TikTok set price and stock separately).
  virtual Result<std::vector<PreparedRequest>> prepare_update(const ShopAccess& shop,
                                                              const PriceStock& update) const = 0;

  // The multipart upload of one product photo (invalid_input: not JPEG or PNG, empty, larger
  // than max_image_bytes). Uploading creates nothing visible; sending it twice leaves an unused
  // image on the platform, so a retry after a timeout simply uploads again.
  virtual Result<PreparedRequest> prepare_upload(const ShopAccess& shop,
                                                 const ImageFile& image) const = 0;
  virtual Answer<std::string> upload_image(const ShopAccess& shop, const ImageFile& image) = 0;

  virtual Answer<ItemRef> create_listing(const ShopAccess& shop, const Listing& listing) = 0;
  virtual Answer<void> update_price_stock(const ShopAccess& shop, const PriceStock& update) = 0;
  // nullopt when no item carries `sku`.
  virtual Answer<std::optional<ItemRef>> find_by_sku(const ShopAccess& shop,
                                                     const std::string& sku) = 0;
  virtual Answer<std::vector<MarketplaceOrder>> recent_orders(const ShopAccess& shop,
                                                              int64_t since) = 0;
  // Whether recent_orders() is implemented for this platform (Shopee, Lazada and TikTok Shop).
  virtual bool pulls_orders() const { return false; }
};

// The connector for app.platform. `clock` gives the signing timestamps and must outlive it.
std::unique_ptr<Connector> make_connector(const MarketplaceApp& app, const core::Clock& clock);

// Characters (UTF-8 code points) in `text`, as the platforms count field lengths.
size_t utf8_length(std::string_view text);

}  // namespace chophien::integrations
