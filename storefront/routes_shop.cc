// The customer's pages: home (search and filters), product, producer, cart (in a cookie),
// checkout, the order page with its VietQR, and the order's QR images. Vietnamese first with
// small English subtitles; no JavaScript; every form carries the double-submit CSRF token.
// Product photos: the resized copies made at upload (storefront/photos.h) and the originals,
// with a year-long immutable cache, keyed by the SHA-256 of the uploaded bytes.
#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/areas.h"
#include "core/ocop.h"
#include "core/orders.h"
#include "core/producers.h"
#include "core/products.h"
#include "core/text.h"
#include "qr/image.h"
#include "storefront/cart.h"
#include "storefront/client_address.h"
#include "storefront/form_token.h"
#include "storefront/front_answer.h"
#include "storefront/http_errors.h"
#include "storefront/page_cache.h"
#include "storefront/payment_info.h"
#include "storefront/photos.h"
#include "storefront/routes.h"

namespace chophien::storefront {
namespace {

constexpr int kPerPage = 12;
constexpr int kMaxPage = 1000;
constexpr int64_t kCartMaxAgeSeconds = 30 * 24 * 3600;
constexpr size_t kMaxNameChars = 100;
constexpr size_t kMaxNoteChars = 500;
constexpr size_t kMaxAddressChars = 300;

// The key that signs cart cookies: the configured secret, or one drawn at start-up (carts then
// do not survive a restart, which is harmless).
std::string cart_key(const Config& config) {
  if (!config.secret_key.empty()) return config.secret_key;
  static const std::string key = new_form_token() + new_form_token();
  return key;
}

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

std::optional<int64_t> parse_int(std::string_view text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

std::string param(const httplib::Request& req, const char* name) {
  return req.has_param(name) ? req.get_param_value(name) : std::string();
}

size_t utf8_length(std::string_view text) {
  size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

std::string stars_text(int stars) {
  std::string out;
  for (int i = 1; i <= core::kOcopMaxStars; ++i) out += i <= stars ? "★" : "☆";
  return out;
}

// Card and product page widths in CSS pixels: a card is at most about 300 px wide, the product
// photo at most the page's column (about 720 px); the srcset lets a dense screen take more.
constexpr int kCardPhotoWidth = 480;
constexpr int kPagePhotoWidth = 960;
constexpr const char* kCardSizes = "(max-width: 600px) 50vw, 300px";
constexpr const char* kPageSizes = "(max-width: 760px) 100vw, 720px";

const char* entity_type_vi(core::EntityType type) {
  switch (type) {
    case core::EntityType::enterprise:
      return "Doanh nghiệp";
    case core::EntityType::cooperative:
      return "Hợp tác xã";
    case core::EntityType::cooperative_group:
      return "Tổ hợp tác";
    case core::EntityType::household_business:
      return "Hộ kinh doanh";
  }
  return "";
}

const char* status_vi(core::OrderStatus status) {
  switch (status) {
    case core::OrderStatus::pending_payment:
      return "Chờ thanh toán";
    case core::OrderStatus::paid:
      return "Đã thanh toán";
    case core::OrderStatus::fulfilled:
      return "Đã hoàn tất";
    case core::OrderStatus::cancelled:
      return "Đã hủy";
    case core::OrderStatus::expired:
      return "Hết hạn thanh toán";
  }
  return "";
}

class Shop {
 public:
  explicit Shop(AppContext& app)
      : app_(app),
        key_(cart_key(app.config)),
        pages_(*app.pages),
        page_hits_(page_cache_requests(app.metrics, true)),
        page_misses_(page_cache_requests(app.metrics, false)) {}

  void home(const httplib::Request& req, httplib::Response& res);
  void product(const httplib::Request& req, httplib::Response& res);
  void producer(const httplib::Request& req, httplib::Response& res);
  void photo(const httplib::Request& req, httplib::Response& res);
  void photo_copy(const httplib::Request& req, httplib::Response& res);
  void cart(const httplib::Request& req, httplib::Response& res);
  void cart_add(const httplib::Request& req, httplib::Response& res);
  void cart_update(const httplib::Request& req, httplib::Response& res);
  void cart_remove(const httplib::Request& req, httplib::Response& res);
  void checkout_form(const httplib::Request& req, httplib::Response& res);
  void checkout(const httplib::Request& req, httplib::Response& res);
  void placed(const httplib::Request& req, httplib::Response& res);
  void order(const httplib::Request& req, httplib::Response& res);
  void order_qr(const httplib::Request& req, httplib::Response& res, bool svg);

 private:
  struct CartGroup {
    int64_t producer_id = 0;
    std::string producer;
    mustache::data lines{mustache::data::type::list};
    int64_t subtotal = 0;
    int count = 0;
  };
  struct CartView {
    std::vector<CartGroup> groups;
    int64_t total = 0;
    bool dropped = false;  // lines of unknown or withdrawn products were left out
  };

  void send_page(httplib::Response& res, std::string_view name, mustache::data data,
                 const PageInfo& info, int status = 200);
  // Public pages (home, product, producer) through the page cache, keyed by the request target
  // (path and query). serve_cached() answers from the cache when it can; otherwise the handler
  // reads the generation, renders, and calls send_cached_page(). `form`: the page has a form, so
  // the visitor's CSRF token goes into it (rendered as the cache's placeholder).
  bool serve_cached(const httplib::Request& req, httplib::Response& res, bool form);
  void send_cached_page(const httplib::Request& req, httplib::Response& res, std::string_view name,
                        mustache::data data, const PageInfo& info, uint64_t generation, bool form);
  void send_from_cache(const httplib::Request& req, httplib::Response& res,
                       const PageCache::Page& page, bool form);
  void not_found_page(httplib::Response& res, const std::string& message);
  void forbidden_page(httplib::Response& res);
  mustache::data card(core::ProductStore& products, const core::Product& product);
  Cart read_cart(const httplib::Request& req) const;
  void write_cart(httplib::Response& res, const Cart& cart) const;
  Result<CartView> cart_view(core::Database& db, const Cart& cart);
  mustache::data cart_data(const CartView& view);
  std::string absolute(const std::string& path) const { return app_.config.base_url() + path; }

  AppContext& app_;
  std::string key_;
  PageCache& pages_;  // the server's, shared with the front door
  Counter& page_hits_;
  Counter& page_misses_;
};

void Shop::send_page(httplib::Response& res, std::string_view name, mustache::data data,
                     const PageInfo& info, int status) {
  auto html = app_.render.page(name, std::move(data), info);
  if (!html) return write_html_error(res, html.error());
  res.status = status;
  res.set_content(*html, "text/html; charset=utf-8");
}

bool Shop::serve_cached(const httplib::Request& req, httplib::Response& res, bool form) {
  auto page = pages_.find(req.target, app_.db.generation(), std::chrono::steady_clock::now());
  if (!page) {
    page_misses_.add();
    return false;
  }
  page_hits_.add();
  send_from_cache(req, res, *page, form);
  return true;
}

void Shop::send_cached_page(const httplib::Request& req, httplib::Response& res,
                            std::string_view name, mustache::data data, const PageInfo& info,
                            uint64_t generation, bool form) {
  auto html = app_.render.page(name, std::move(data), info);
  if (!html) return write_html_error(res, html.error());
  auto page = pages_.store(req.target, generation, std::move(*html),
                           std::chrono::steady_clock::now(), std::string(current_route()), form);
  send_from_cache(req, res, *page, form);
}

void Shop::send_from_cache(const httplib::Request& req, httplib::Response& res,
                           const PageCache::Page& page, bool form) {
  const std::string token = form ? form_token_for(req, res, app_.config.tls()) : std::string();
  // httplib compresses the answer when Accept-Encoding names gzip (brotli is taken out of the
  // header before routing: server.h); the compressed bytes are not the identity page's, so their
  // tag is weak.
  const std::string accepted = req.get_header_value("Accept-Encoding");
  const bool compressed =
      accepted.find("br") != std::string::npos || accepted.find("gzip") != std::string::npos;
  const std::string strong = page.etag_for(token);
  res.set_header("ETag", compressed ? "W/" + strong : strong);
  // Browsers revalidate (a 304 costs no rendering); a page with the visitor's token is theirs.
  res.set_header("Cache-Control", form ? "private, no-cache" : "no-cache");
  // httplib compresses for clients that accept it; the front door answers gzip or identity.
  res.set_header("Vary", "Accept-Encoding");
  // Weak comparison (RFC 9110 13.1.2): W/ is dropped from the listed tags.
  if (req.has_header("If-None-Match") &&
      PageCache::etag_listed(req.get_header_value("If-None-Match"), strong)) {
    res.status = 304;
    return;
  }
  res.status = 200;
  res.set_content(page.with_token(token), "text/html; charset=utf-8");
}

void Shop::not_found_page(httplib::Response& res, const std::string& message) {
  mustache::data data;
  data.set("message", message);
  PageInfo info;
  info.title = "Không tìm thấy";
  send_page(res, "not_found", std::move(data), info, 404);
}

void Shop::forbidden_page(httplib::Response& res) {
  write_html_error(res, Error{ErrorCode::forbidden,
                              "Phiên biểu mẫu đã hết hạn. Vui lòng quay lại trang trước, tải lại "
                              "và gửi lại.",
                              ""});
}

mustache::data Shop::card(core::ProductStore& products, const core::Product& product) {
  mustache::data item;
  item.set("id", std::to_string(product.id));
  item.set("name", product.fields.name);
  item.set("producer", product.producer_name);
  item.set("price", core::format_vnd(product.fields.price_vnd));
  if (product.fields.certificate) {
    item.set("stars", std::to_string(product.fields.certificate->stars));
    item.set("stars_text", stars_text(product.fields.certificate->stars));
  }
  if (auto photos = products.photos(product.id); photos && !photos->empty()) {
    const core::Photo& photo = photos->front();
    item.set("photo", photo_src(photo, kCardPhotoWidth));
    if (!photo.variant_widths.empty()) {
      item.set("srcset", photo_srcset(photo));
      item.set("sizes", kCardSizes);
    }
    item.set("photo_width", std::to_string(kCardPhotoWidth));
    item.set("photo_height", std::to_string(photo_height_at(photo, kCardPhotoWidth)));
  }
  return item;
}

void Shop::home(const httplib::Request& req, httplib::Response& res) {
  if (serve_cached(req, res, false)) return;
  // Read before the database: a commit during rendering then leaves the page stale at once.
  const uint64_t generation = app_.db.generation();
  auto db = app_.db.acquire();
  if (!db) return write_html_error(res, db.error());
  core::ProductStore products(*db, app_.clock);
  core::AreaStore areas(*db);
  const core::Date today = core::vietnam_date(app_.clock.now());

  core::ProductQuery query;
  query.q = trim(param(req, "q"));
  if (utf8_length(query.q) > 200) query.q.clear();
  query.per_page = kPerPage;
  if (auto page = parse_int(param(req, "trang")); page && *page >= 1 && *page <= kMaxPage) {
    query.page = static_cast<int>(*page);
  }
  // Filters that do not parse are ignored rather than refused: these are links people share.
  auto communes = areas.valid_on(today, "commune");
  const std::string xa = param(req, "xa");
  mustache::data commune_list{mustache::data::type::list};
  if (communes) {
    for (const auto& area : *communes) {
      mustache::data c;
      c.set("code", area.key.code);
      c.set("name", area.full_name_vi);
      if (area.key.code == xa) {
        c.set("selected", true);
        query.area_code = xa;
      }
      commune_list.push_back(c);
    }
  }
  const std::string nhom = param(req, "nhom");
  mustache::data group_list{mustache::data::type::list};
  for (const auto& group : core::ocop_groups()) {
    mustache::data g;
    g.set("code", group.code);
    g.set("name", group.name_vi);
    if (group.code == nhom) {
      g.set("selected", true);
      query.ocop_group = nhom;
    }
    group_list.push_back(g);
  }
  const auto sao = parse_int(param(req, "sao"));
  mustache::data star_list{mustache::data::type::list};
  for (int s = core::kOcopMinStars; s <= core::kOcopMaxStars; ++s) {
    mustache::data o;
    o.set("value", std::to_string(s));
    if (sao && *sao == s) {
      o.set("selected", true);
      query.stars = s;
    }
    star_list.push_back(o);
  }

  auto page = products.search(query);
  if (!page) return write_html_error(res, page.error());
  mustache::data items{mustache::data::type::list};
  for (const auto& product : page->items) items.push_back(card(products, product));

  std::string base = "/?q=" + percent_encode(query.q);
  if (query.area_code) base += "&xa=" + percent_encode(*query.area_code);
  if (query.ocop_group) base += "&nhom=" + percent_encode(*query.ocop_group);
  if (query.stars) base += "&sao=" + std::to_string(*query.stars);
  mustache::data data;
  data.set("q", query.q);
  data.set("communes", commune_list);
  data.set("groups", group_list);
  data.set("star_options", star_list);
  data.set("items", items);
  data.set("has_items", !page->items.empty());
  data.set("page", std::to_string(query.page));
  const std::string count = std::to_string(page->total);
  data.set("count_text",
           page->total_is_lower_bound ? "Hơn " + count + " sản phẩm" : count + " sản phẩm");
  if (query.page > 1) data.set("prev_url", base + "&trang=" + std::to_string(query.page - 1));
  if (int64_t{query.page} * kPerPage < page->total && query.page < kMaxPage) {
    data.set("next_url", base + "&trang=" + std::to_string(query.page + 1));
  }
  PageInfo info;
  info.title = query.q.empty() ? "Sản phẩm OCOP" : "Tìm “" + query.q + "”";
  info.description =
      "Mua sản phẩm OCOP của các hợp tác xã và hộ sản xuất huyện Bảo Lâm, Cao Bằng: miến dong, "
      "mật ong, chè, gạo nếp, thổ cẩm. Thanh toán VietQR.";
  info.url = absolute("/");
  send_cached_page(req, res, "home", std::move(data), info, generation, false);
}

void Shop::product(const httplib::Request& req, httplib::Response& res) {
  if (serve_cached(req, res, true)) return;
  const uint64_t generation = app_.db.generation();
  const auto id = parse_int(req.matches[1].str());
  auto db = app_.db.acquire();
  if (!db) return write_html_error(res, db.error());
  core::ProductStore products(*db, app_.clock);
  auto product = id ? products.find(*id) : Result<core::Product>(not_found(""));
  if (!product || product->fields.status != core::ProductStatus::active) {
    if (product || product.error().code == ErrorCode::not_found) {
      return not_found_page(res, "Sản phẩm này không có hoặc đã ngừng bán.");
    }
    return write_html_error(res, product.error());
  }
  const core::ProductFields& f = product->fields;
  mustache::data data;
  data.set("id", std::to_string(product->id));
  data.set("name", f.name);
  data.set("producer", product->producer_name);
  data.set("producer_id", std::to_string(product->producer_id));
  data.set("price", core::format_vnd(f.price_vnd));
  data.set("unit", f.unit);
  data.set("stock", std::to_string(f.stock));
  data.set("in_stock", f.stock > 0);
  data.set("max_quantity", std::to_string(std::min<int64_t>(f.stock, kMaxCartQuantity)));
  data.set("description", f.description);
  data.set("group_code", f.ocop_group);
  const core::OcopGroup* group = core::find_ocop_group(f.ocop_group);
  data.set("group_name", group ? group->name_vi : std::string());
  if (f.certificate) {
    mustache::data cert;
    cert.set("stars", std::to_string(f.certificate->stars));
    cert.set("stars_text", stars_text(f.certificate->stars));
    cert.set("decision_no", f.certificate->decision_no);
    auto date = core::parse_iso_date(f.certificate->decision_date);
    cert.set("decision_date", date ? core::format_date_vi(*date) : f.certificate->decision_date);
    cert.set("issuer", f.certificate->issuer);
    const core::Date today = core::vietnam_date(app_.clock.now());
    std::string validity;
    if (product->certificate_revoked_at &&
        core::vietnam_date(*product->certificate_revoked_at) <= today) {
      validity = "Đã bị thu hồi từ ngày " +
                 core::format_date_vi(core::vietnam_date(*product->certificate_revoked_at));
    } else if (auto expires = core::certificate_expires(*product)) {
      const core::Date last = core::date_from_days(core::days_since_epoch(*expires) - 1);
      validity = core::certificate_valid_on(*product, today)
                     ? "Còn hiệu lực đến ngày " + core::format_date_vi(last)
                     : "Đã hết hiệu lực từ ngày " + core::format_date_vi(*expires);
    }
    cert.set("validity", validity);
    data.set("certificate", cert);
  }
  PageInfo info;
  info.title = f.name;
  info.description = f.name + " · " + core::format_vnd(f.price_vnd) + " / " + f.unit + " · " +
                     product->producer_name;
  info.url = absolute("/san-pham/" + std::to_string(product->id));
  info.og_type = "product";
  mustache::data photo_list{mustache::data::type::list};
  if (auto photos = products.photos(product->id)) {
    bool first = true;
    for (const auto& photo : *photos) {
      mustache::data p;
      // The first photo is in view at once: the 480 px copy keeps it small (tens of KB); the
      // srcset offers the larger one to wide or dense screens.
      const int shown = first ? kCardPhotoWidth : kPagePhotoWidth;
      p.set("url", photo_src(photo, shown));
      if (!photo.variant_widths.empty()) {
        p.set("srcset", photo_srcset(photo));
        p.set("sizes", kPageSizes);
      }
      p.set("alt", first ? "Ảnh " + f.name : "Ảnh khác của " + f.name);
      p.set("width", std::to_string(shown));
      p.set("height", std::to_string(photo_height_at(photo, shown)));
      p.set("first", first);
      if (first) info.image = absolute(photo_preview_url(photo));
      first = false;
      photo_list.push_back(p);
    }
  }
  data.set("photos", photo_list);
  info.csrf_token = pages_.token_placeholder();
  send_cached_page(req, res, "product", std::move(data), info, generation, true);
}

void Shop::producer(const httplib::Request& req, httplib::Response& res) {
  if (serve_cached(req, res, false)) return;
  const uint64_t generation = app_.db.generation();
  const auto id = parse_int(req.matches[1].str());
  auto db = app_.db.acquire();
  if (!db) return write_html_error(res, db.error());
  core::ProducerStore producers(*db, app_.clock);
  auto producer = id ? producers.get(*id) : Result<core::Producer>(not_found(""));
  if (!producer || producer->fields.status != core::ProducerStatus::active) {
    if (producer || producer.error().code == ErrorCode::not_found) {
      return not_found_page(res, "Không tìm thấy nhà sản xuất này.");
    }
    return write_html_error(res, producer.error());
  }
  core::ProductStore products(*db, app_.clock);
  core::ProductQuery query;
  query.producer_id = producer->id;
  query.per_page = core::kMaxPerPage;
  query.order = core::ProductOrder::name;
  auto page = products.search(query);
  if (!page) return write_html_error(res, page.error());
  mustache::data items{mustache::data::type::list};
  for (const auto& product : page->items) items.push_back(card(products, product));
  mustache::data data;
  data.set("name", producer->fields.name);
  data.set("entity_type", entity_type_vi(producer->fields.entity_type));
  core::AreaStore areas(*db);
  if (auto area = areas.find({producer->fields.area_code, producer->fields.area_valid_from})) {
    data.set("commune", area->full_name_vi);
  }
  data.set("items", items);
  data.set("has_items", !page->items.empty());
  PageInfo info;
  info.title = producer->fields.name;
  info.description = std::string(entity_type_vi(producer->fields.entity_type)) + " " +
                     producer->fields.name + ": sản phẩm OCOP Bảo Lâm";
  info.url = absolute("/nha-san-xuat/" + std::to_string(producer->id));
  info.og_type = "profile";
  send_cached_page(req, res, "producer", std::move(data), info, generation, false);
}

// /anh/{sha256}: the uploaded original is never served, it may carry the place the photo was
// taken. A photo with copies leads to its JPEG copy (stripped of metadata, photos.h); one
// without copies is served only when it is one of the demo's SVG tiles, drawn by us.
void Shop::photo(const httplib::Request& req, httplib::Response& res) {
  const std::string sha = req.matches[1].str();
  auto db = app_.db.acquire();
  if (!db) return write_html_error(res, db.error());
  core::ProductStore products(*db, app_.clock);
  auto copy = products.jpeg_copy_width(sha);
  if (!copy) return write_error(req, res, copy.error());
  if (*copy) {
    res.status = 301;
    res.set_header("Location", "/anh/" + sha + "-" + std::to_string(**copy) + ".jpg");
    res.set_header("Cache-Control", "public, max-age=86400");
    return;
  }
  auto data = products.photo_data(sha);
  if (!data) return write_error(req, res, data.error());
  if (data->content_type != "image/svg+xml") {
    return write_error(req, res, Error{ErrorCode::not_found, "photo not found", ""});
  }
  const std::string etag = "\"" + sha + "\"";
  if (req.has_header("If-None-Match") &&
      PageCache::etag_listed(req.get_header_value("If-None-Match"), etag)) {
    res.status = 304;
    res.set_header("ETag", etag);
    return;
  }
  res.set_header("ETag", etag);
  res.set_header("Cache-Control", "public, max-age=31536000, immutable");
  // Shown through <img>, where scripts never run; opened on its own it must not run them either.
  res.set_header("Content-Security-Policy",
                 "default-src 'none'; style-src 'unsafe-inline'; sandbox");
  res.set_content(data->bytes, data->content_type);
}

// /anh/{sha256}-{width}.{webp|jpg}: a copy made at upload. The name says the content, so it never
// changes: a long immutable cache, and the name itself as the ETag.
void Shop::photo_copy(const httplib::Request& req, httplib::Response& res) {
  const std::string sha = req.matches[1].str();
  const auto width = parse_int(req.matches[2].str());
  const std::string format = req.matches[3].str();
  const std::string etag = "\"" + sha + "-" + req.matches[2].str() + "." + format + "\"";
  if (req.has_header("If-None-Match") &&
      PageCache::etag_listed(req.get_header_value("If-None-Match"), etag)) {
    res.status = 304;
    res.set_header("ETag", etag);
    res.set_header("Cache-Control", "public, max-age=31536000, immutable");
    return;
  }
  auto db = app_.db.acquire();
  if (!db) return write_html_error(res, db.error());
  core::ProductStore products(*db, app_.clock);
  auto data = products.photo_variant(sha, static_cast<int>(width.value_or(0)), format);
  if (!data) return write_error(req, res, data.error());
  res.set_header("ETag", etag);
  res.set_header("Cache-Control", "public, max-age=31536000, immutable");
  res.set_content(data->bytes, data->content_type);
}

Cart Shop::read_cart(const httplib::Request& req) const {
  auto value = cookie_value(req, kCartCookie);
  return value ? open_cart(*value, key_) : Cart{};
}

void Shop::write_cart(httplib::Response& res, const Cart& cart) const {
  std::string cookie = std::string(kCartCookie) + "=";
  if (cart.empty()) {
    cookie += "; Max-Age=0";
  } else {
    cookie += seal_cart(cart, key_) + "; Max-Age=" + std::to_string(kCartMaxAgeSeconds);
  }
  cookie += "; Path=/; HttpOnly; SameSite=Lax";
  if (app_.config.tls()) cookie += "; Secure";
  res.set_header("Set-Cookie", cookie);
}

Result<Shop::CartView> Shop::cart_view(core::Database& db, const Cart& cart) {
  core::ProductStore products(db, app_.clock);
  CartView view;
  std::map<int64_t, size_t> group_of;
  for (const auto& line : cart.lines()) {
    auto product = products.find(line.product_id);
    if (!product) {
      if (product.error().code != ErrorCode::not_found) return product.error();
      view.dropped = true;
      continue;
    }
    if (product->fields.status != core::ProductStatus::active) {
      view.dropped = true;
      continue;
    }
    auto [it, added] = group_of.emplace(product->producer_id, view.groups.size());
    if (added) {
      view.groups.push_back({});
      view.groups.back().producer_id = product->producer_id;
      view.groups.back().producer = product->producer_name;
    }
    CartGroup& group = view.groups[it->second];
    const int64_t line_total = product->fields.price_vnd * line.quantity;
    mustache::data l;
    l.set("id", std::to_string(product->id));
    l.set("name", product->fields.name);
    l.set("unit", product->fields.unit);
    l.set("price", core::format_vnd(product->fields.price_vnd));
    l.set("quantity", std::to_string(line.quantity));
    l.set("line_total", core::format_vnd(line_total));
    group.lines.push_back(l);
    group.subtotal += line_total;
    group.count += 1;
    view.total += line_total;
  }
  return view;
}

mustache::data Shop::cart_data(const CartView& view) {
  mustache::data groups{mustache::data::type::list};
  for (const auto& g : view.groups) {
    mustache::data d;
    d.set("producer", g.producer);
    d.set("lines", g.lines);
    d.set("subtotal", core::format_vnd(g.subtotal));
    d.set("count", std::to_string(g.count));
    groups.push_back(d);
  }
  mustache::data data;
  data.set("groups", groups);
  data.set("has_groups", !view.groups.empty());
  data.set("total", core::format_vnd(view.total));
  data.set("dropped", view.dropped);
  return data;
}

void Shop::cart(const httplib::Request& req, httplib::Response& res) {
  auto db = app_.db.acquire();
  if (!db) return write_html_error(res, db.error());
  auto view = cart_view(*db, read_cart(req));
  if (!view) return write_html_error(res, view.error());
  PageInfo info;
  info.title = "Giỏ hàng";
  info.csrf_token = form_token_for(req, res, app_.config.tls());
  res.set_header("Cache-Control", "no-store");
  send_page(res, "cart", cart_data(*view), info);
}

void redirect(httplib::Response& res, const std::string& to) {
  res.status = 303;
  res.set_header("Location", to);
}

void Shop::cart_add(const httplib::Request& req, httplib::Response& res) {
  if (!form_token_ok(req)) return forbidden_page(res);
  const auto id = parse_int(param(req, "product_id"));
  const std::string qty_text = param(req, "quantity");
  const auto qty = qty_text.empty() ? std::optional<int64_t>(1) : parse_int(qty_text);
  if (!id || !qty) {
    return write_html_error(res,
                            invalid_input("Số lượng phải là số nguyên từ 1 đến 1000.", "quantity"));
  }
  auto db = app_.db.acquire();
  if (!db) return write_html_error(res, db.error());
  core::ProductStore products(*db, app_.clock);
  auto product = products.find(*id);
  if (!product || product->fields.status != core::ProductStatus::active) {
    return not_found_page(res, "Sản phẩm này không có hoặc đã ngừng bán.");
  }
  Cart cart = read_cart(req);
  if (auto added = cart.add(*id, *qty); !added) {
    const std::string message = added.error().field == "quantity"
                                    ? "Số lượng mỗi sản phẩm từ 1 đến 1000."
                                    : "Giỏ hàng có tối đa 50 sản phẩm khác nhau.";
    return write_html_error(res, invalid_input(message, added.error().field));
  }
  write_cart(res, cart);
  redirect(res, "/gio-hang");
}

void Shop::cart_update(const httplib::Request& req, httplib::Response& res) {
  if (!form_token_ok(req)) return forbidden_page(res);
  const auto id = parse_int(param(req, "product_id"));
  const auto qty = parse_int(param(req, "quantity"));
  Cart cart = read_cart(req);
  if (!id || !qty || *qty < 0 || *qty > kMaxCartQuantity) {
    return write_html_error(res,
                            invalid_input("Số lượng phải là số nguyên từ 0 đến 1000.", "quantity"));
  }
  (void)cart.set(*id, *qty);  // a line no longer in the cart is simply not there
  write_cart(res, cart);
  redirect(res, "/gio-hang");
}

void Shop::cart_remove(const httplib::Request& req, httplib::Response& res) {
  if (!form_token_ok(req)) return forbidden_page(res);
  const auto id = parse_int(param(req, "product_id"));
  Cart cart = read_cart(req);
  if (id) cart.remove(*id);
  write_cart(res, cart);
  redirect(res, "/gio-hang");
}

// The checkout form's fields, as typed, and the messages for those at fault.
struct CheckoutInput {
  std::string name, phone, delivery, address, note;
  std::map<std::string, std::string> errors;
};

// "0912345678", "+84912345678" and the same with spaces, dots or dashes: a Vietnamese mobile.
bool is_vietnamese_mobile(std::string_view text) {
  std::string digits;
  for (char c : text) {
    if (c == ' ' || c == '.' || c == '-') continue;
    digits.push_back(c);
  }
  auto all_digits = [](std::string_view s) {
    return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
  };
  if (digits.starts_with("+84")) {
    return digits.size() == 12 && digits[3] != '0' && all_digits(digits.substr(3));
  }
  return digits.size() == 10 && digits[0] == '0' && all_digits(digits);
}

CheckoutInput read_checkout_input(const httplib::Request& req) {
  CheckoutInput in;
  in.name = trim(param(req, "name"));
  in.phone = trim(param(req, "phone"));
  in.delivery = param(req, "delivery");
  in.address = trim(param(req, "address"));
  in.note = trim(param(req, "note"));
  auto bad_text = [](const std::string& s) { return !core::is_valid_utf8(s); };
  if (in.name.empty()) {
    in.errors["name"] = "Vui lòng nhập họ và tên người nhận.";
  } else if (bad_text(in.name) || utf8_length(in.name) > kMaxNameChars) {
    in.errors["name"] = "Họ và tên tối đa 100 ký tự.";
  }
  if (in.phone.empty()) {
    in.errors["phone"] = "Vui lòng nhập số điện thoại.";
  } else if (!is_vietnamese_mobile(in.phone)) {
    in.errors["phone"] =
        "Số điện thoại không hợp lệ: cần 10 chữ số bắt đầu bằng 0 (ví dụ 0912345678) hoặc "
        "+84 và 9 chữ số.";
  }
  if (in.delivery != "pickup" && in.delivery != "delivery") {
    in.errors["delivery"] = "Vui lòng chọn cách nhận hàng.";
  }
  if (in.delivery == "delivery" && in.address.empty()) {
    in.errors["address"] = "Vui lòng nhập địa chỉ giao hàng.";
  } else if (bad_text(in.address) || utf8_length(in.address) > kMaxAddressChars) {
    in.errors["address"] = "Địa chỉ tối đa 300 ký tự.";
  }
  if (bad_text(in.note) || utf8_length(in.note) > kMaxNoteChars) {
    in.errors["note"] = "Ghi chú tối đa 500 ký tự.";
  }
  return in;
}

void fill_checkout_fields(mustache::data& data, const CheckoutInput& in) {
  data.set("name", in.name);
  data.set("phone", in.phone);
  data.set("address", in.address);
  data.set("note", in.note);
  data.set("pickup", in.delivery != "delivery");
  data.set("delivery", in.delivery == "delivery");
  for (const auto& [field, message] : in.errors) data.set(field + "_error", message);
  data.set("has_errors", !in.errors.empty());
}

void Shop::checkout_form(const httplib::Request& req, httplib::Response& res) {
  auto db = app_.db.acquire();
  if (!db) return write_html_error(res, db.error());
  auto view = cart_view(*db, read_cart(req));
  if (!view) return write_html_error(res, view.error());
  mustache::data data = cart_data(*view);
  CheckoutInput empty;
  empty.delivery = "pickup";
  fill_checkout_fields(data, empty);
  PageInfo info;
  info.title = "Đặt hàng";
  info.csrf_token = form_token_for(req, res, app_.config.tls());
  res.set_header("Cache-Control", "no-store");
  send_page(res, "checkout", std::move(data), info);
}

void Shop::checkout(const httplib::Request& req, httplib::Response& res) {
  if (!form_token_ok(req)) return forbidden_page(res);
  const Cart cart = read_cart(req);
  if (cart.empty()) return redirect(res, "/gio-hang");
  // A reader: the checkout itself is written by the group commit (checkout_batch.h).
  auto db = app_.db.acquire();
  if (!db) return write_html_error(res, db.error());
  auto view = cart_view(*db, cart);
  if (!view) return write_html_error(res, view.error());
  CheckoutInput in = read_checkout_input(req);

  auto show_form = [&](int status, const std::string& conflict_message) {
    mustache::data data = cart_data(*view);
    fill_checkout_fields(data, in);
    if (!conflict_message.empty()) data.set("conflict", conflict_message);
    PageInfo info;
    info.title = "Đặt hàng";
    info.csrf_token = form_token_for(req, res, app_.config.tls());
    res.set_header("Cache-Control", "no-store");
    send_page(res, "checkout", std::move(data), info, status);
  };
  if (!in.errors.empty()) return show_form(400, "");

  // Name the product at fault in Vietnamese before core is asked (core checks again, atomically).
  core::ProductStore products(*db, app_.clock);
  for (const auto& line : cart.lines()) {
    auto product = products.find(line.product_id);
    if (!product || product->fields.status != core::ProductStatus::active) {
      if (product || product.error().code == ErrorCode::not_found) {
        return show_form(409, "Một sản phẩm trong giỏ (mã " + std::to_string(line.product_id) +
                                  ") không còn bán. Vui lòng xóa nó khỏi giỏ hàng.");
      }
      return write_html_error(res, product.error());
    }
    if (product->fields.stock < line.quantity) {
      return show_form(409, product->fields.stock == 0
                                ? "Sản phẩm “" + product->fields.name + "” đã hết hàng."
                                : "Sản phẩm “" + product->fields.name + "” chỉ còn " +
                                      std::to_string(product->fields.stock) + " (bạn chọn " +
                                      std::to_string(line.quantity) + ").");
    }
  }

  core::CheckoutRequest request;
  request.items = cart.lines();
  request.customer_name = in.name;
  request.customer_phone = in.phone;
  request.delivery_method = in.delivery;
  if (in.delivery == "delivery") {
    request.delivery_address = in.address;
    request.customer_address = in.address;
  }
  request.note = in.note;
  request.client_address = limited_address(req, app_.config.trusted_proxies);
  auto placed = app_.checkouts->checkout(request);
  if (!placed) {
    const Error& e = placed.error();
    if (e.code == ErrorCode::rate_limited) {
      const int wait = app_.checkouts->retry_after(request);
      res.set_header("Retry-After", std::to_string(wait));
      const std::string minutes = std::to_string((wait + 59) / 60);
      return show_form(
          429, e.field == "customer.phone"
                   ? "Số điện thoại này đang có nhiều đơn chưa thanh toán. Vui lòng thanh toán "
                     "các đơn đã đặt, hoặc đặt lại sau khoảng " +
                         minutes + " phút."
                   : "Có quá nhiều đơn chưa thanh toán được đặt từ mạng của bạn. Vui lòng đặt "
                     "lại sau khoảng " +
                         minutes + " phút.");
    }
    if (e.code == ErrorCode::conflict) return show_form(409, "Không đặt được hàng: " + e.message);
    if (e.code == ErrorCode::invalid_input) {
      const std::string field = e.field.starts_with("customer.phone")  ? "phone"
                                : e.field.starts_with("customer.name") ? "name"
                                : e.field.starts_with("delivery")      ? "address"
                                : e.field == "note"                    ? "note"
                                                                       : "";
      if (field.empty()) return show_form(400, "Giỏ hàng không hợp lệ. Vui lòng kiểm tra lại.");
      in.errors[field] = "Thông tin này không hợp lệ, vui lòng kiểm tra lại.";
      return show_form(400, "");
    }
    return write_html_error(res, e);
  }
  write_cart(res, Cart{});
  if (placed->size() == 1) {
    const auto& p = placed->front();
    return redirect(res, "/don-hang/" + p.order.code + "?token=" + percent_encode(p.token));
  }
  std::string to = "/don-hang-moi?";
  for (size_t i = 0; i < placed->size(); ++i) {
    if (i > 0) to += "&";
    to += "don=" + percent_encode((*placed)[i].order.code + ":" + (*placed)[i].token);
  }
  redirect(res, to);
}

void Shop::placed(const httplib::Request& req, httplib::Response& res) {
  auto db = app_.db.acquire();
  if (!db) return write_html_error(res, db.error());
  core::OrderStore orders(*db, app_.clock);
  core::ProducerStore producers(*db, app_.clock);
  mustache::data list{mustache::data::type::list};
  const size_t n = std::min<size_t>(req.get_param_value_count("don"), 100);
  size_t shown = 0;
  for (size_t i = 0; i < n; ++i) {
    const std::string pair = req.get_param_value("don", i);
    const size_t colon = pair.find(':');
    if (colon == std::string::npos) continue;
    const std::string code = pair.substr(0, colon);
    const std::string token = pair.substr(colon + 1);
    auto order = orders.find_for_customer(code, token);
    if (!order) continue;
    mustache::data o;
    o.set("code", order->code);
    o.set("url", "/don-hang/" + percent_encode(order->code) + "?token=" + percent_encode(token));
    auto producer = producers.get(order->producer_id);
    o.set("producer", producer ? producer->fields.name : std::string());
    o.set("total", core::format_vnd(order->total_vnd));
    o.set("status", status_vi(order->status));
    list.push_back(o);
    ++shown;
  }
  if (shown == 0) return not_found_page(res, "Không tìm thấy đơn hàng.");
  mustache::data data;
  data.set("orders", list);
  data.set("count", std::to_string(shown));
  PageInfo info;
  info.title = "Đơn hàng đã đặt";
  res.set_header("Cache-Control", "private, no-store");
  send_page(res, "orders_placed", std::move(data), info);
}

void Shop::order(const httplib::Request& req, httplib::Response& res) {
  const std::string code = req.matches[1].str();
  const std::string token = param(req, "token");
  auto db = app_.db.acquire();
  if (!db) return write_html_error(res, db.error());
  core::OrderStore orders(*db, app_.clock);
  auto order = orders.find_for_customer(code, token);
  if (!order) {
    if (order.error().code == ErrorCode::not_found) {
      return not_found_page(res,
                            "Không tìm thấy đơn hàng. Hãy mở đúng liên kết nhận được khi "
                            "đặt hàng.");
    }
    return write_html_error(res, order.error());
  }
  core::ProducerStore producers(*db, app_.clock);
  auto producer = producers.get(order->producer_id);
  if (!producer) return write_html_error(res, producer.error());

  mustache::data data;
  data.set("code", order->code);
  data.set("producer", producer->fields.name);
  data.set("producer_id", std::to_string(producer->id));
  const bool pending = order->status == core::OrderStatus::pending_payment;
  data.set("pending", pending);
  data.set("paid", order->status == core::OrderStatus::paid);
  data.set("fulfilled", order->status == core::OrderStatus::fulfilled);
  data.set("expired", order->status == core::OrderStatus::expired);
  data.set("cancelled", order->status == core::OrderStatus::cancelled);
  data.set("expires", core::format_rfc3339_vietnam(order->expires_at).substr(11, 5) + " ngày " +
                          core::format_date_vi(core::vietnam_date(order->expires_at)));
  if (pending) {
    if (auto pay = payment_info(*order, *producer)) {
      mustache::data p;
      const std::string base = "/api/v1/orders/" + order->code;
      p.set("qr_png", base + "/qr.png?token=" + percent_encode(token));
      p.set("qr_svg", base + "/qr.svg?token=" + percent_encode(token));
      p.set("bank", pay->bank.empty() ? "BIN " + pay->bin : pay->bank + " (BIN " + pay->bin + ")");
      p.set("account", pay->account);
      p.set("holder", pay->holder);
      p.set("amount", core::format_vnd(pay->amount_vnd));
      p.set("description", pay->description);
      data.set("payment", p);
    }
    // payOS, when the producer connected it: its QR and checkout page beside our VietQR.
    const std::string order_url = app_.config.base_url() + "/don-hang/" +
                                  percent_encode(order->code) + "?token=" + percent_encode(token);
    if (auto offer = payos_offer(app_.config, app_.db, app_.clock, *order, order_url)) {
      mustache::data p;
      p.set("checkout_url", offer->checkout_url);
      if (!offer->qr_image.empty()) p.set("qr_image", offer->qr_image);
      p.set("amount", core::format_vnd(offer->amount_vnd));
      data.set("payos", p);
    }
  }
  mustache::data items{mustache::data::type::list};
  for (const auto& item : order->items) {
    mustache::data i;
    i.set("name", item.name);
    i.set("unit", item.unit);
    i.set("quantity", std::to_string(item.quantity));
    i.set("line_total", core::format_vnd(item.unit_price_vnd * item.quantity));
    items.push_back(i);
  }
  data.set("items", items);
  data.set("total", core::format_vnd(order->total_vnd));
  data.set("customer_name", order->customer_name);
  data.set("delivery_text",
           order->delivery_method == "delivery" ? "Giao hàng tận nơi" : "Nhận tại nơi sản xuất");
  data.set("delivery_address", order->delivery_address);
  data.set("note", order->note);
  PageInfo info;
  info.title = "Đơn hàng " + order->code;
  res.set_header("Cache-Control", "private, no-store");
  auto html = app_.render.page("order", std::move(data), info);
  if (!html) return write_html_error(res, html.error());
  if (pending) {
    // The layout has no head slot for this page-only tag; it goes right after the charset.
    const std::string charset = "<meta charset=\"utf-8\">";
    const size_t at = html->find(charset);
    if (at != std::string::npos) {
      html->insert(at + charset.size(), "\n<meta http-equiv=\"refresh\" content=\"10\">");
    }
  }
  res.set_content(*html, "text/html; charset=utf-8");
}

void Shop::order_qr(const httplib::Request& req, httplib::Response& res, bool svg) {
  const std::string code = req.matches[1].str();
  auto db = app_.db.acquire();
  if (!db) return write_error(req, res, db.error());
  core::OrderStore orders(*db, app_.clock);
  auto order = orders.find_for_customer(code, param(req, "token"));
  if (!order) return write_error(req, res, order.error());
  core::ProducerStore producers(*db, app_.clock);
  auto producer = producers.get(order->producer_id);
  if (!producer) return write_error(req, res, producer.error());
  auto pay = payment_info(*order, *producer);
  if (!pay) return write_error(req, res, pay.error());
  qr::ImageOptions options;
  options.scale = svg ? 8 : 8;
  auto image = svg ? qr::render_svg(pay->vietqr, options) : qr::render_png(pay->vietqr, options);
  if (!image.has_value()) {
    return write_error(req, res, Error{ErrorCode::internal, image.error->message, ""});
  }
  res.set_header("Cache-Control", "private, max-age=60");
  res.set_content(*image.value, svg ? "image/svg+xml" : "image/png");
}

}  // namespace

void register_shop_routes(Router& router, AppContext& app) {
  // Lives as long as the routes: the server keeps the handlers until it is destroyed.
  auto shop = std::make_shared<Shop>(app);
  auto get = [&](const std::string& pattern,
                 void (Shop::*fn)(const httplib::Request&, httplib::Response&)) {
    router.get(pattern, [shop, fn](const httplib::Request& req, httplib::Response& res) {
      ((*shop).*fn)(req, res);
    });
  };
  auto post = [&](const std::string& pattern,
                  void (Shop::*fn)(const httplib::Request&, httplib::Response&)) {
    router.post(pattern, [shop, fn](const httplib::Request& req, httplib::Response& res) {
      ((*shop).*fn)(req, res);
    });
  };
  // The pages served through the page cache, which the front door may also render.
  auto page = [&](const std::string& pattern,
                  void (Shop::*fn)(const httplib::Request&, httplib::Response&)) {
    router.page(pattern, [shop, fn](const httplib::Request& req, httplib::Response& res) {
      ((*shop).*fn)(req, res);
    });
  };
  page("/", &Shop::home);
  page("/san-pham", &Shop::home);
  page(R"(/san-pham/(\d{1,18}))", &Shop::product);
  page(R"(/nha-san-xuat/(\d{1,18}))", &Shop::producer);
  get(R"(/anh/([0-9a-f]{64}))", &Shop::photo);
  get(R"(/anh/([0-9a-f]{64})-([1-9]\d{0,3})\.(webp|jpg))", &Shop::photo_copy);
  get("/gio-hang", &Shop::cart);
  post("/gio-hang/them", &Shop::cart_add);
  post("/gio-hang/cap-nhat", &Shop::cart_update);
  post("/gio-hang/xoa", &Shop::cart_remove);
  get("/thanh-toan", &Shop::checkout_form);
  post("/thanh-toan", &Shop::checkout);
  get("/don-hang-moi", &Shop::placed);
  get(R"(/don-hang/([A-Za-z0-9]{1,32}))", &Shop::order);
  router.get(R"(/api/v1/orders/([A-Za-z0-9]{1,32})/qr\.png)",
             [shop](const httplib::Request& req, httplib::Response& res) {
               shop->order_qr(req, res, false);
             });
  router.get(R"(/api/v1/orders/([A-Za-z0-9]{1,32})/qr\.svg)",
             [shop](const httplib::Request& req, httplib::Response& res) {
               shop->order_qr(req, res, true);
             });
}

}  // namespace chophien::storefront
