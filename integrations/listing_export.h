#pragma once
// Publishing where there is no seller API (integrations.md section 6): postmart.vn and voso.vn
// take products by a bulk-upload file in their seller centres. A ListingExporter writes that file
// for a producer's active products (CSV, UTF-8 with a byte-order mark, CRLF) plus a checklist in
// Vietnamese: the manual upload steps and, per product, what is missing or worth adding.
//
// The platforms do not publish their bulk-upload templates. The column layouts below are this
// project's reading of the fields their seller forms ask for (SKU, name, description, category,
// price, stock, weight, photo URLs, OCOP stars and certificate, origin); they are data
// (kPostmartColumns, kVosoColumns in listing_export.cc: header, field, required, limit), so a
// producer's real template can be matched by editing one table. docs/listing-export.md.
//
// Validation is per product and complete: a required field missing or a limit exceeded is a
// problem naming the product and the column, and when there is any problem no file is produced
// (the checklist still lists them). A platform that opens an API later gets a Connector
// (marketplace.h) instead; this interface is the file-based counterpart.
//
// Thread-safety: exporters are immutable; listing_items uses the given Database connection.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/database.h"
#include "core/products.h"
#include "core/result.h"

namespace chophien::integrations {

// What a column takes from the product.
enum class ListingField {
  sku,
  name,
  description,
  category,   // the OCOP group's Vietnamese name ("Thực phẩm")
  price_vnd,  // whole đồng, digits only
  stock,
  unit,
  weight_g,
  photo_main,   // absolute URL of the main photo
  photo_extra,  // the other photos' URLs, separated by " | "
  ocop_stars,
  ocop_certificate,  // "1234/QĐ-UBND, 2025-03-01, UBND tỉnh Cao Bằng"
  origin,            // the producer's name and address
};

struct ListingColumn {
  std::string_view header;
  ListingField field;
  bool required = false;
  size_t max_chars = 0;  // Unicode characters; 0: no limit
};

// A product with what the file needs beyond its own fields.
struct ListingItem {
  core::Product product;
  std::vector<std::string> photo_urls;  // absolute, main photo first
  std::string origin;
};

struct ListingProblem {
  std::string sku;
  std::string column;  // header of the column at fault
  std::string message;
};

struct ListingFile {
  std::string file_name;     // suggested download name, "postmart-san-pham.csv"
  std::string content_type;  // "text/csv; charset=utf-8"
  std::string bytes;         // empty when there are problems
  std::string checklist;     // Vietnamese, plain text
  int products = 0;
  std::vector<ListingProblem> problems;  // non-empty: no file
  bool ok() const { return problems.empty(); }
};

class ListingExporter {
 public:
  virtual ~ListingExporter() = default;
  virtual std::string_view platform() const = 0;      // "postmart"
  virtual std::string_view display_name() const = 0;  // "postmart.vn"
  virtual const std::vector<ListingColumn>& columns() const = 0;
  virtual ListingFile write(const std::vector<ListingItem>& items) const = 0;
};

// "postmart" or "voso"; nullptr for anything else.
std::unique_ptr<ListingExporter> make_listing_exporter(std::string_view platform);

// The producer's active products with their photo URLs (under `public_url`, e.g.
// "https://chophien.vn") and origin. Errors: not_found (producer), storage errors.
Result<std::vector<ListingItem>> listing_items(core::Database& db, const core::Clock& clock,
                                               int64_t producer_id, std::string_view public_url);

}  // namespace chophien::integrations
