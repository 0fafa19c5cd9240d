#pragma once
// Products of a producer: catalogue fields, the OCOP certificate, price, stock, photos, and the
// public search (FTS5 over diacritic-folded text, so "mien dong" and "MIẾN" both find "Miến dong").
//
// Rules (validation errors are invalid_input with `field` set to the offending field):
// - sku: 1..64 of [A-Za-z0-9._-], unique across all producers (the join key for marketplaces);
//   generated as "CP-<producer>-<n>" when empty.
// - name: 1..200 characters after NFC and trimming; description: at most 5000 characters.
// - ocop_group: G1..G6, always required (it is also the browsing category).
// - certificate: optional; when present stars 3..5, decision_no (1..100 characters), decision_date
//   (a real YYYY-MM-DD date) and issuer (1..200 characters) are all required. It is valid from
//   decision_date for 36 months (until the day before the same date 36 months later; 29 Feb
//   clamps to 28 Feb), unless revoked: revocation ends validity on the local (UTC+7) day it took
//   effect.
// - unit: 1..50 characters ("gói 500 g"); price_vnd 0..10,000,000,000; stock 0..1,000,000,000;
//   weight_g absent or 1..1,000,000; status active|draft|archived.
// Text is stored NFC. Times are unix seconds from the Clock.
//
// Thread-safety: a ProductStore uses one Database connection; one thread at a time. Stock
// operations are single atomic statements, safe against other connections on the same file.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/database.h"
#include "core/result.h"
#include "core/statement_cache.h"
#include "core/text.h"

namespace chophien::core {

inline constexpr int64_t kMaxPriceVnd = 10'000'000'000;
inline constexpr int64_t kMaxStock = 1'000'000'000;
inline constexpr int64_t kMaxWeightG = 1'000'000;
// A photo's original bytes; 7 MB leaves room for a multipart upload under the server's 8 MB body
// limit. Phone photos (12 MP JPEG) are 2-6 MB.
inline constexpr size_t kMaxPhotoBytes = 7 * 1024 * 1024;
inline constexpr int kMaxPerPage = 100;
inline constexpr int64_t kMaxCounted = 1000;
// Text searches by relevance score (bm25, the name weighing 4x the rest) when they match at most
// this many products; broader ones list the products whose name matches first, then the rest,
// newest first within each.
inline constexpr int64_t kRankedMatches = 200;

enum class ProductStatus { active, draft, archived };
const char* product_status_name(ProductStatus status);  // "active", "draft", "archived"
std::optional<ProductStatus> parse_product_status(std::string_view name);

struct OcopCertificate {
  int stars = 0;
  std::string decision_no;    // "1234/QĐ-UBND"
  std::string decision_date;  // YYYY-MM-DD
  std::string issuer;         // "UBND tỉnh Cao Bằng"
};

// What a producer edits.
struct ProductFields {
  std::string sku;  // empty on create: generated
  std::string name;
  std::string description;
  std::string ocop_group;  // G1..G6
  std::optional<OcopCertificate> certificate;
  std::string unit;
  int64_t price_vnd = 0;
  int64_t stock = 0;
  std::optional<int64_t> weight_g;
  ProductStatus status = ProductStatus::draft;
};

struct Product {
  int64_t id = 0;
  int64_t producer_id = 0;
  ProductFields fields;
  std::optional<int64_t> certificate_revoked_at;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  // Filled by reads for display and search: the producer's name and area code.
  std::string producer_name;
  std::string area_code;
};

// Certificate arithmetic on a product (false / nullopt when it has no certificate).
std::optional<Date> certificate_expires(const Product& product);  // first day no longer valid
bool certificate_valid_on(const Product& product, Date day);

struct Photo {
  int64_t id = 0;
  int64_t product_id = 0;
  int position = 0;    // 0 = main photo; positions are 0..n-1 in display order
  std::string sha256;  // hex; the key of the stored bytes
  std::string content_type;
  int width = 0;  // as displayed (after the EXIF orientation), 0 when unknown
  int height = 0;
  int64_t bytes = 0;
  // Pixel widths of the stored WebP copies (photo_variant), ascending; empty for a photo shown
  // as stored (the demo's SVG tiles).
  std::vector<int> variant_widths = {};
};

// A resized copy of a photo's bytes: `width` x `height` pixels, `format` "webp" or "jpg".
struct PhotoVariant {
  int width = 0;
  int height = 0;
  std::string format;
  std::string bytes;
};

struct PhotoData {
  std::string content_type;
  std::string bytes;
};

enum class ProductOrder { relevance, newest, name };

struct ProductQuery {
  // Free text: folded, split into words, each matched as a prefix, all required.
  std::string q = {};
  std::optional<std::string> area_code = {};  // the producer's commune code
  std::optional<std::string> ocop_group = {};
  std::optional<int> stars = {};
  std::optional<int64_t> producer_id = {};
  // Public listing: active only. nullopt lists every status (a producer's own dashboard).
  std::optional<ProductStatus> status = ProductStatus::active;
  int page = 1;       // 1-based
  int per_page = 20;  // 1..100
  // relevance applies only with q; without q it falls back to newest.
  ProductOrder order = ProductOrder::relevance;
};

struct ProductPage {
  std::vector<Product> items;
  // Matches over all pages, counted up to kMaxCounted; beyond that total == kMaxCounted and
  // total_is_lower_bound is set ("hơn 1.000 sản phẩm").
  int64_t total = 0;
  bool total_is_lower_bound = false;
  int page = 1;
  int per_page = 20;
};

class ProductStore {
 public:
  // `db` and `clock` must outlive this object.
  ProductStore(Database& db, const Clock& clock) : db_(db), clock_(clock), stmts_(db) {}

  // Validates and normalises `fields` (NFC, trimmed) without touching storage.
  static Result<ProductFields> validate(ProductFields fields);

  // Errors: invalid_input (field named), not_found (producer), conflict (sku taken).
  Result<Product> create(int64_t producer_id, ProductFields fields);
  // Replaces every editable field. An empty sku keeps the current one.
  Result<Product> update(int64_t product_id, ProductFields fields);
  Result<Product> find(int64_t product_id);
  Result<Product> find_by_sku(std::string_view sku);
  // Every product of a producer (any status), by id.
  Result<std::vector<Product>> list_by_producer(int64_t producer_id);
  Result<std::vector<Product>> list_all();

  // Revocation of the OCOP certificate at `at` (unix seconds); not_found, invalid_input when the
  // product has no certificate.
  Result<void> revoke_certificate(int64_t product_id, int64_t at);

  Result<ProductPage> search(const ProductQuery& query);

  // Atomically takes `qty` (>= 1) from stock if at least that much is there. Returns false
  // (not an error) when stock is short; not_found for an unknown product. Never goes below 0,
  // also with other connections racing. Call inside the caller's transaction if needed.
  Result<bool> reserve_stock(int64_t product_id, int64_t qty);
  // Gives `qty` (>= 1) back, capped at kMaxStock.
  Result<void> release_stock(int64_t product_id, int64_t qty);

  // Photos. Bytes are stored once per distinct SHA-256 in photo_blobs; product_photos refer to
  // them. content_type: image/png, image/jpeg, image/webp or image/svg+xml; 1..kMaxPhotoBytes.
  // The caller gives the pixel size (0 when unknown) and the resized copies (`variants`, at most
  // 8, each 1..4096 px wide, webp or jpg); they are stored with the bytes the first time those
  // bytes arrive and kept as they are afterwards. Appended at the next position; bytes the
  // product already has return that photo unchanged (one row, not two). Nothing changes on error.
  // This checks no image content: storefront/photos.h decodes and makes the variants.
  Result<Photo> add_photo(int64_t product_id, std::string_view bytes, std::string_view content_type,
                          int width, int height, const std::vector<PhotoVariant>& variants = {});
  Result<std::vector<Photo>> photos(int64_t product_id);
  Result<Photo> find_photo(int64_t photo_id);  // not_found
  Result<PhotoData> photo_data(std::string_view sha256);
  // A stored copy: not_found unless the bytes are in use by a product photo and have a copy of
  // exactly this width and format, made after copies were stripped (photos_to_strip lists the
  // others). content_type image/webp or image/jpeg.
  Result<PhotoData> photo_variant(std::string_view sha256, int width, std::string_view format);
  // The width of the photo's JPEG copy (the largest; what /anh/{sha256} leads to), nullopt for
  // a photo without one or not in use; a photo still listed for stripping has none.
  Result<std::optional<int>> jpeg_copy_width(std::string_view sha256);

  // Photos whose copies were made before copies were stripped of metadata (migration 0026): up
  // to `limit` SHA-256s. Their copies are never served (photo_variant answers not_found).
  Result<std::vector<std::string>> photos_to_strip(int limit);
  // Replaces every copy of `sha256` by `variants` (checked as add_photo's) and takes it off the
  // list, in one transaction (or the caller's). Empty `variants`: the photo keeps no copy (an
  // original that no longer decodes). not_found unless the bytes are stored.
  Result<void> replace_photo_copies(std::string_view sha256,
                                    const std::vector<PhotoVariant>& variants);

  // Moves the photo to `position` (0 = main; clamped to the last), the others keeping their
  // order. not_found when the photo is not the product's. Returns the photos in the new order.
  Result<std::vector<Photo>> move_photo(int64_t product_id, int64_t photo_id, int position);
  // Removes the photo; its bytes and their copies go when no other photo uses them. The
  // remaining photos of the product are renumbered 0..n-1.
  Result<void> remove_photo(int64_t photo_id);

  // Recomputes the search text of the producer's products (after a producer rename), or of
  // every product.
  Result<void> reindex_producer(int64_t producer_id);
  Result<void> reindex_all();

 private:
  Result<void> index_product(int64_t product_id);
  // Writes positions 0..n-1 in the order of `ids` (all the product's photos).
  Result<void> renumber_photos(int64_t product_id, const std::vector<int64_t>& ids);
  Database& db_;
  const Clock& clock_;
  StatementCache stmts_;  // search statements, one per shape of query
};

}  // namespace chophien::core
