#include "core/products.h"

#include <openssl/evp.h>
#include <sqlite3.h>

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <utility>

#include "core/ocop.h"

namespace chophien::core {
namespace {

size_t count_chars(std::string_view utf8) {
  return static_cast<size_t>(
      std::count_if(utf8.begin(), utf8.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

std::string_view trim(std::string_view s) {
  const char* ws = " \t\r\n";
  auto begin = s.find_first_not_of(ws);
  if (begin == std::string_view::npos) return {};
  auto end = s.find_last_not_of(ws);
  return s.substr(begin, end - begin + 1);
}

bool has_control(std::string_view s, bool allow_newlines) {
  for (unsigned char c : s) {
    if (c == 0x7F) return true;
    if (c < 0x20 && !(allow_newlines && (c == '\n' || c == '\r' || c == '\t'))) return true;
  }
  return false;
}

// NFC, trimmed, checked for length (in characters) and control characters.
Result<std::string> clean_text(std::string_view text, std::string_view field, size_t min,
                               size_t max, bool multiline = false) {
  auto normal = nfc(text);
  if (!normal) return invalid_input(std::string(field) + " is not valid UTF-8", std::string(field));
  std::string value(trim(*normal));
  auto n = count_chars(value);
  if (n < min) {
    return invalid_input(std::string(field) + " is required", std::string(field));
  }
  if (n > max) {
    return invalid_input(
        std::string(field) + " is longer than " + std::to_string(max) + " characters",
        std::string(field));
  }
  if (has_control(value, multiline)) {
    return invalid_input(std::string(field) + " contains control characters", std::string(field));
  }
  return value;
}

bool valid_sku(std::string_view sku) {
  if (sku.empty() || sku.size() > 64) return false;
  return std::all_of(sku.begin(), sku.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    throw std::logic_error("SHA-256 failed");
  }
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(hex[digest[i] >> 4]);
    out.push_back(hex[digest[i] & 15]);
  }
  return out;
}

constexpr std::string_view kColumns = R"sql(
  p.id, p.producer_id, p.sku, p.name, p.description, p.ocop_group, p.ocop_stars, p.decision_no,
  p.decision_date, p.issuer, p.certificate_revoked_at, p.unit, p.price_vnd, p.stock, p.weight_g,
  p.status, p.created_at, p.updated_at, pr.name, pr.area_code)sql";

Product read_product(const Statement& s) {
  Product p;
  p.id = s.column_int(0);
  p.producer_id = s.column_int(1);
  auto& f = p.fields;
  f.sku = s.column_text(2);
  f.name = s.column_text(3);
  f.description = s.column_text(4);
  f.ocop_group = s.column_text(5);
  if (!s.column_is_null(6)) {
    f.certificate = OcopCertificate{static_cast<int>(s.column_int(6)), s.column_text(7),
                                    s.column_text(8), s.column_text(9)};
  }
  p.certificate_revoked_at = s.column_optional_int(10);
  f.unit = s.column_text(11);
  f.price_vnd = s.column_int(12);
  f.stock = s.column_int(13);
  f.weight_g = s.column_optional_int(14);
  f.status = parse_product_status(s.column_text(15)).value_or(ProductStatus::draft);
  p.created_at = s.column_int(16);
  p.updated_at = s.column_int(17);
  p.producer_name = s.column_text(18);
  p.area_code = s.column_text(19);
  return p;
}

// FTS5 query for user text: every folded word becomes a quoted prefix string ("mien"*), so no
// user input is ever read as FTS syntax; words are ANDed.
std::string match_expression(std::string_view q) {
  std::string folded = search_fold(q);
  std::string expr;
  std::string word;
  int words = 0;
  auto flush = [&] {
    if (!word.empty() && words < 16) {
      if (!expr.empty()) expr += ' ';
      expr += '"' + word + "\"*";
      ++words;
    }
    word.clear();
  };
  for (char c : folded) {
    auto u = static_cast<unsigned char>(c);
    bool part = u >= 0x80 || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (part) {
      word.push_back(c);
    } else {
      flush();
    }
  }
  flush();
  return expr;
}

}  // namespace

const char* product_status_name(ProductStatus status) {
  switch (status) {
    case ProductStatus::active:
      return "active";
    case ProductStatus::draft:
      return "draft";
    case ProductStatus::archived:
      return "archived";
  }
  return "draft";
}

std::optional<ProductStatus> parse_product_status(std::string_view name) {
  if (name == "active") return ProductStatus::active;
  if (name == "draft") return ProductStatus::draft;
  if (name == "archived") return ProductStatus::archived;
  return std::nullopt;
}

std::optional<Date> certificate_expires(const Product& product) {
  if (!product.fields.certificate) return std::nullopt;
  auto issued = parse_iso_date(product.fields.certificate->decision_date);
  if (!issued) return std::nullopt;
  Date end = *issued;
  end.year += kCertificateValidityMonths / 12;
  end.month += kCertificateValidityMonths % 12;
  if (end.month > 12) {
    end.month -= 12;
    ++end.year;
  }
  // 36 months keep the month, so only 29 February can be missing: it clamps to the 28th.
  bool leap = (end.year % 4 == 0 && end.year % 100 != 0) || end.year % 400 == 0;
  if (end.month == 2 && end.day > (leap ? 29 : 28)) end.day = leap ? 29 : 28;
  return end;
}

bool certificate_valid_on(const Product& product, Date day) {
  auto expires = certificate_expires(product);
  if (!expires) return false;
  auto issued = parse_iso_date(product.fields.certificate->decision_date);
  if (day < *issued || day >= *expires) return false;
  // Revocation ends validity on its calendar day in Vietnam.
  if (product.certificate_revoked_at && day >= vietnam_date(*product.certificate_revoked_at)) {
    return false;
  }
  return true;
}

Result<ProductFields> ProductStore::validate(ProductFields f) {
  f.sku = std::string(trim(f.sku));
  if (!f.sku.empty() && !valid_sku(f.sku)) {
    return invalid_input("sku must be 1-64 letters, digits, '.', '_' or '-'", "sku");
  }
  auto name = clean_text(f.name, "name", 1, 200);
  if (!name) return name.error();
  f.name = std::move(*name);
  auto description = clean_text(f.description, "description", 0, 5000, true);
  if (!description) return description.error();
  f.description = std::move(*description);
  if (find_ocop_group(f.ocop_group) == nullptr) {
    return invalid_input("ocop_group must be one of G1-G6", "ocop_group");
  }
  if (f.certificate) {
    auto& c = *f.certificate;
    if (!is_ocop_stars(c.stars)) return invalid_input("ocop_stars must be 3, 4 or 5", "ocop_stars");
    auto no = clean_text(c.decision_no, "decision_no", 1, 100);
    if (!no) return no.error();
    c.decision_no = std::move(*no);
    auto date = parse_iso_date(trim(c.decision_date));
    if (!date || date->year < 1900) {
      return invalid_input("decision_date must be a date YYYY-MM-DD", "decision_date");
    }
    c.decision_date = format_iso_date(*date);
    auto issuer = clean_text(c.issuer, "issuer", 1, 200);
    if (!issuer) return issuer.error();
    c.issuer = std::move(*issuer);
  }
  auto unit = clean_text(f.unit, "unit", 1, 50);
  if (!unit) return unit.error();
  f.unit = std::move(*unit);
  if (f.price_vnd < 0 || f.price_vnd > kMaxPriceVnd) {
    return invalid_input("price_vnd must be between 0 and 10.000.000.000", "price_vnd");
  }
  if (f.stock < 0 || f.stock > kMaxStock) {
    return invalid_input("stock must be between 0 and 1.000.000.000", "stock");
  }
  if (f.weight_g && (*f.weight_g < 1 || *f.weight_g > kMaxWeightG)) {
    return invalid_input("weight_g must be between 1 and 1.000.000", "weight_g");
  }
  return f;
}

Result<Product> ProductStore::create(int64_t producer_id, ProductFields fields) {
  auto valid = validate(std::move(fields));
  if (!valid) return valid.error();
  auto& f = *valid;
  auto tx = db_.begin_or_join();
  if (!tx) return tx.error();
  {
    auto s = db_.prepare("SELECT 1 FROM producers WHERE id = ?1");
    if (!s) return s.error();
    s->bind(1, producer_id);
    auto row = s->step();
    if (!row) return row.error();
    if (!*row) return not_found("producer " + std::to_string(producer_id) + " not found");
  }
  if (f.sku.empty()) {
    auto s = db_.prepare("SELECT COUNT(*) FROM products WHERE producer_id = ?1");
    if (!s) return s.error();
    s->bind(1, producer_id);
    if (auto row = s->step(); !row) return row.error();
    int64_t n = s->column_int(0) + 1;
    auto probe = db_.prepare("SELECT 1 FROM products WHERE sku = ?1");
    if (!probe) return probe.error();
    for (;; ++n) {
      std::string sku = "CP-" + std::to_string(producer_id) + "-" + std::to_string(n);
      probe->reset();
      probe->bind(1, sku);
      auto row = probe->step();
      if (!row) return row.error();
      if (!*row) {
        f.sku = sku;
        break;
      }
    }
  }
  constexpr std::string_view kInsert = R"sql(
    INSERT INTO products (producer_id, sku, name, name_key, description, ocop_group, ocop_stars,
                          decision_no, decision_date, issuer, unit, price_vnd, stock, weight_g,
                          status, created_at, updated_at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?16))sql";
  auto s = db_.prepare(kInsert);
  if (!s) return s.error();
  s->bind(1, producer_id).bind(2, f.sku).bind(3, f.name).bind(4, search_fold(f.name));
  s->bind(5, f.description).bind(6, f.ocop_group);
  if (f.certificate) {
    s->bind(7, f.certificate->stars)
        .bind(8, f.certificate->decision_no)
        .bind(9, f.certificate->decision_date)
        .bind(10, f.certificate->issuer);
  } else {
    s->bind_null(7).bind_null(8).bind_null(9).bind_null(10);
  }
  s->bind(11, f.unit).bind(12, f.price_vnd).bind(13, f.stock).bind(14, f.weight_g);
  s->bind(15, product_status_name(f.status)).bind(16, clock_.now());
  if (auto done = s->run(); !done) {
    if (done.error().code == ErrorCode::conflict) {
      return Error{ErrorCode::conflict, "sku " + f.sku + " is already used", "sku"};
    }
    return done.error();
  }
  int64_t id = db_.last_insert_id();
  if (auto indexed = index_product(id); !indexed) return indexed.error();
  if (auto done = tx->commit(); !done) return done.error();
  return find(id);
}

Result<Product> ProductStore::update(int64_t product_id, ProductFields fields) {
  auto valid = validate(std::move(fields));
  if (!valid) return valid.error();
  auto& f = *valid;
  auto tx = db_.begin_or_join();
  if (!tx) return tx.error();
  constexpr std::string_view kUpdate = R"sql(
    UPDATE products SET sku = COALESCE(NULLIF(?2, ''), sku), name = ?3, name_key = ?4,
      description = ?5, ocop_group = ?6, ocop_stars = ?7, decision_no = ?8, decision_date = ?9,
      issuer = ?10, unit = ?11, price_vnd = ?12, stock = ?13, weight_g = ?14, status = ?15,
      updated_at = ?16
    WHERE id = ?1)sql";
  auto s = db_.prepare(kUpdate);
  if (!s) return s.error();
  s->bind(1, product_id).bind(2, f.sku).bind(3, f.name).bind(4, search_fold(f.name));
  s->bind(5, f.description).bind(6, f.ocop_group);
  if (f.certificate) {
    s->bind(7, f.certificate->stars)
        .bind(8, f.certificate->decision_no)
        .bind(9, f.certificate->decision_date)
        .bind(10, f.certificate->issuer);
  } else {
    s->bind_null(7).bind_null(8).bind_null(9).bind_null(10);
  }
  s->bind(11, f.unit).bind(12, f.price_vnd).bind(13, f.stock).bind(14, f.weight_g);
  s->bind(15, product_status_name(f.status)).bind(16, clock_.now());
  if (auto done = s->run(); !done) {
    if (done.error().code == ErrorCode::conflict) {
      return Error{ErrorCode::conflict, "sku " + f.sku + " is already used", "sku"};
    }
    return done.error();
  }
  if (db_.changes() == 0) return not_found("product " + std::to_string(product_id) + " not found");
  if (auto indexed = index_product(product_id); !indexed) return indexed.error();
  if (auto done = tx->commit(); !done) return done.error();
  return find(product_id);
}

Result<Product> ProductStore::find(int64_t product_id) {
  auto s = db_.prepare("SELECT " + std::string(kColumns) +
                       " FROM products p JOIN producers pr ON pr.id = p.producer_id"
                       " WHERE p.id = ?1");
  if (!s) return s.error();
  s->bind(1, product_id);
  auto row = s->step();
  if (!row) return row.error();
  if (!*row) return not_found("product " + std::to_string(product_id) + " not found");
  return read_product(*s);
}

Result<Product> ProductStore::find_by_sku(std::string_view sku) {
  auto s = db_.prepare("SELECT " + std::string(kColumns) +
                       " FROM products p JOIN producers pr ON pr.id = p.producer_id"
                       " WHERE p.sku = ?1");
  if (!s) return s.error();
  s->bind(1, sku);
  auto row = s->step();
  if (!row) return row.error();
  if (!*row) return not_found("product " + std::string(sku) + " not found");
  return read_product(*s);
}

namespace {
Result<std::vector<Product>> read_all(Result<Statement> s) {
  if (!s) return s.error();
  std::vector<Product> out;
  for (;;) {
    auto row = s->step();
    if (!row) return row.error();
    if (!*row) break;
    out.push_back(read_product(*s));
  }
  return out;
}
}  // namespace

Result<std::vector<Product>> ProductStore::list_by_producer(int64_t producer_id) {
  auto s = db_.prepare("SELECT " + std::string(kColumns) +
                       " FROM products p JOIN producers pr ON pr.id = p.producer_id"
                       " WHERE p.producer_id = ?1 ORDER BY p.id");
  if (s) s->bind(1, producer_id);
  return read_all(std::move(s));
}

Result<std::vector<Product>> ProductStore::list_all() {
  return read_all(db_.prepare("SELECT " + std::string(kColumns) +
                              " FROM products p JOIN producers pr ON pr.id = p.producer_id"
                              " ORDER BY p.id"));
}

Result<void> ProductStore::revoke_certificate(int64_t product_id, int64_t at) {
  auto product = find(product_id);
  if (!product) return product.error();
  if (!product->fields.certificate) {
    return invalid_input("the product has no OCOP certificate", "certificate");
  }
  auto s =
      db_.prepare("UPDATE products SET certificate_revoked_at = ?2, updated_at = ?3 WHERE id = ?1");
  if (!s) return s.error();
  s->bind(1, product_id).bind(2, at).bind(3, clock_.now());
  return s->run();
}

Result<ProductPage> ProductStore::search(const ProductQuery& query) {
  if (query.per_page < 1 || query.per_page > kMaxPerPage) {
    return invalid_input("per_page must be between 1 and 100", "per_page");
  }
  if (query.page < 1 || query.page > 100000) {
    return invalid_input("page must be between 1 and 100000", "page");
  }
  if (query.stars && !is_ocop_stars(*query.stars)) {
    return invalid_input("stars must be 3, 4 or 5", "stars");
  }
  if (query.ocop_group && find_ocop_group(*query.ocop_group) == nullptr) {
    return invalid_input("group must be one of G1-G6", "group");
  }
  if (count_chars(query.q) > 200) return invalid_input("q is longer than 200 characters", "q");
  const std::string match = match_expression(query.q);
  const bool text = !match.empty();

  // Only fixed fragments are concatenated, one per filter present, so that the planner can use
  // the indexes; every value is bound. With text, the FTS table drives the join (CROSS JOIN keeps
  // SQLite from probing the full-text index once per product). The count joins producers only
  // when it filters on them. Statements are kept per shape in stmts_.
  std::string where = text ? " WHERE product_search MATCH ?1" : " WHERE 1";
  if (query.area_code) where += " AND pr.area_code = ?2";
  if (query.ocop_group) where += " AND p.ocop_group = ?3";
  if (query.stars) where += " AND p.ocop_stars = ?4";
  if (query.producer_id) where += " AND p.producer_id = ?5";
  // With a narrower filter, the unary + keeps the planner off the status indexes (a walk of
  // every active product in date or name order, without statistics to tell it otherwise).
  const bool narrower = query.area_code || query.ocop_group || query.stars || query.producer_id;
  if (query.status) where += narrower ? " AND +p.status = ?6" : " AND p.status = ?6";
  const std::string products =
      text ? " FROM product_search s CROSS JOIN products p ON p.id = s.rowid" : " FROM products p";
  const std::string from =
      products + (query.area_code ? " JOIN producers pr ON pr.id = p.producer_id" : "") + where;
  auto bind_filters = [&](Statement& s, const std::string& expression) {
    if (text) s.bind(1, expression);
    if (query.area_code) s.bind(2, *query.area_code);
    if (query.ocop_group) s.bind(3, *query.ocop_group);
    if (query.stars) s.bind(4, *query.stars);
    if (query.producer_id) s.bind(5, *query.producer_id);
    if (query.status) s.bind(6, product_status_name(*query.status));
  };

  ProductPage page;
  page.page = query.page;
  page.per_page = query.per_page;
  // Counting stops past kMaxCounted: exact totals of broad queries cost more than the page.
  {
    auto count = stmts_.get("SELECT COUNT(*) FROM (SELECT 1" + from + " LIMIT ?9)");
    if (!count) return count.error();
    bind_filters(count->get(), match);
    count->get().bind(9, kMaxCounted + 1);
    if (auto row = count->get().step(); !row) return row.error();
    const int64_t counted = count->get().column_int(0);
    page.total = std::min<int64_t>(counted, kMaxCounted);
    page.total_is_lower_bound = counted > kMaxCounted;
  }
  const int64_t offset = static_cast<int64_t>(query.page - 1) * query.per_page;
  if (!page.total_is_lower_bound && page.total <= offset) return page;

  // The page's ids first (the sort carries ids only), then their rows.
  std::vector<int64_t> ids;
  auto collect_ids = [&](const std::string& sql, const std::string& expression, int64_t limit,
                         int64_t skip) -> Result<int64_t> {
    auto lease = stmts_.get(sql);
    if (!lease) return lease.error();
    Statement& s = lease->get();
    bind_filters(s, expression);
    s.bind(7, limit).bind(8, skip);
    int64_t n = 0;
    for (;;) {
      auto row = s.step();
      if (!row) return row.error();
      if (!*row) return n;
      ids.push_back(s.column_int(0));
      ++n;
    }
  };
  const bool relevance = text && query.order == ProductOrder::relevance;
  if (relevance && page.total > kRankedMatches) {
    // Too many matches to score each: names that match come first, then the rest, newest first
    // within each (the full-text index walks its rowids backwards, no sort at all).
    const std::string by_rowid = "SELECT p.id" + from + " ORDER BY s.rowid DESC LIMIT ?7 OFFSET ?8";
    const std::string in_name = "{name} : (" + match + ")";
    auto first = collect_ids(by_rowid, in_name, query.per_page, offset);
    if (!first) return first.error();
    if (*first < query.per_page) {
      int64_t named = offset + *first;  // exact once the first tier ran short inside the page
      if (*first == 0) {
        auto count = stmts_.get("SELECT COUNT(*) FROM (SELECT 1" + from + ")");
        if (!count) return count.error();
        bind_filters(count->get(), in_name);
        if (auto row = count->get().step(); !row) return row.error();
        named = count->get().column_int(0);
      }
      auto rest = collect_ids(by_rowid, "(" + match + ") NOT " + in_name, query.per_page - *first,
                              std::max<int64_t>(0, offset - named));
      if (!rest) return rest.error();
    }
  } else {
    std::string order;
    switch (query.order) {
      case ProductOrder::relevance:
        order = text ? " ORDER BY bm25(product_search, 4.0, 1.0), p.id DESC"
                     : " ORDER BY p.created_at DESC, p.id DESC";
        break;
      case ProductOrder::newest:
        order = " ORDER BY p.created_at DESC, p.id DESC";
        break;
      case ProductOrder::name:
        order = " ORDER BY p.name_key, p.name, p.id";
        break;
    }
    auto got = collect_ids("SELECT p.id" + from + order + " LIMIT ?7 OFFSET ?8", match,
                           query.per_page, offset);
    if (!got) return got.error();
  }

  auto row_lease = stmts_.get("SELECT " + std::string(kColumns) +
                              " FROM products p JOIN producers pr ON pr.id = p.producer_id"
                              " WHERE p.id = ?1");
  if (!row_lease) return row_lease.error();
  Statement& row = row_lease->get();
  page.items.reserve(ids.size());
  for (int64_t id : ids) {
    row.reset();
    row.bind(1, id);
    auto found = row.step();
    if (!found) return found.error();
    if (*found) page.items.push_back(read_product(row));
  }
  return page;
}

Result<bool> ProductStore::reserve_stock(int64_t product_id, int64_t qty) {
  if (qty < 1 || qty > kMaxStock) return invalid_input("quantity must be positive", "quantity");
  auto s = db_.prepare("UPDATE products SET stock = stock - ?2 WHERE id = ?1 AND stock >= ?2");
  if (!s) return s.error();
  s->bind(1, product_id).bind(2, qty);
  if (auto done = s->run(); !done) return done.error();
  if (db_.changes() == 1) return true;
  auto exists = db_.prepare("SELECT 1 FROM products WHERE id = ?1");
  if (!exists) return exists.error();
  exists->bind(1, product_id);
  auto row = exists->step();
  if (!row) return row.error();
  if (!*row) return not_found("product " + std::to_string(product_id) + " not found");
  return false;
}

Result<void> ProductStore::release_stock(int64_t product_id, int64_t qty) {
  if (qty < 1 || qty > kMaxStock) return invalid_input("quantity must be positive", "quantity");
  auto s = db_.prepare("UPDATE products SET stock = MIN(stock + ?2, ?3) WHERE id = ?1");
  if (!s) return s.error();
  s->bind(1, product_id).bind(2, qty).bind(3, kMaxStock);
  if (auto done = s->run(); !done) return done.error();
  if (db_.changes() == 0) return not_found("product " + std::to_string(product_id) + " not found");
  return {};
}

namespace {

constexpr size_t kMaxVariants = 8;

// The photo columns of product_photos `ph`, then the widths of its WebP copies ("160,480").
constexpr const char* kPhotoColumns = R"sql(
    ph.id, ph.product_id, ph.position, ph.sha256, ph.content_type, ph.width, ph.height, ph.bytes,
    (SELECT group_concat(width) FROM (SELECT v.width FROM photo_variants v
       WHERE v.sha256 = ph.sha256 AND v.format = 'webp' ORDER BY v.width)))sql";

Photo read_photo(const Statement& s) {
  Photo photo{s.column_int(0),
              s.column_int(1),
              static_cast<int>(s.column_int(2)),
              s.column_text(3),
              s.column_text(4),
              static_cast<int>(s.column_int(5)),
              static_cast<int>(s.column_int(6)),
              s.column_int(7)};
  const std::string widths = s.column_text(8);
  for (size_t at = 0; at < widths.size();) {
    size_t end = widths.find(',', at);
    if (end == std::string::npos) end = widths.size();
    photo.variant_widths.push_back(std::atoi(widths.substr(at, end - at).c_str()));
    at = end + 1;
  }
  return photo;
}

Result<void> check_variants(const std::vector<PhotoVariant>& variants) {
  if (variants.size() > kMaxVariants) return invalid_input("too many photo variants", "photo");
  for (const auto& v : variants) {
    if (v.width < 1 || v.width > 4096 || v.height < 1 || v.height > 16384 || v.bytes.empty() ||
        v.bytes.size() > kMaxPhotoBytes || (v.format != "webp" && v.format != "jpg")) {
      return invalid_input("photo variant must be a webp or jpg copy 1..4096 px wide", "photo");
    }
  }
  return {};
}

}  // namespace

Result<Photo> ProductStore::add_photo(int64_t product_id, std::string_view bytes,
                                      std::string_view content_type, int width, int height,
                                      const std::vector<PhotoVariant>& variants) {
  static constexpr std::string_view kTypes[] = {"image/png", "image/jpeg", "image/webp",
                                                "image/svg+xml"};
  if (std::find(std::begin(kTypes), std::end(kTypes), content_type) == std::end(kTypes)) {
    return invalid_input("photo must be PNG, JPEG, WebP or SVG", "content_type");
  }
  if (bytes.empty()) return invalid_input("photo is empty", "photo");
  if (bytes.size() > kMaxPhotoBytes) {
    return Error{ErrorCode::too_large, "photo is larger than 7 MB", "photo"};
  }
  if (width < 0 || height < 0 || width > 20000 || height > 20000) {
    return invalid_input("photo size must be between 0 and 20000 pixels", "width");
  }
  if (auto ok = check_variants(variants); !ok) return ok.error();
  auto tx = db_.begin_or_join();
  if (!tx) return tx.error();
  if (auto product = find(product_id); !product) return product.error();
  Photo photo;
  photo.product_id = product_id;
  photo.sha256 = sha256_hex(bytes);
  auto same = db_.prepare(std::string("SELECT") + kPhotoColumns +
                          " FROM product_photos ph WHERE ph.product_id = ?1 AND ph.sha256 = ?2");
  if (!same) return same.error();
  same->bind(1, product_id).bind(2, photo.sha256);
  auto found = same->step();
  if (!found) return found.error();
  if (*found) return read_photo(*same);  // already there: nothing to write
  photo.content_type = std::string(content_type);
  photo.width = width;
  photo.height = height;
  photo.bytes = static_cast<int64_t>(bytes.size());
  auto blob = db_.prepare("INSERT OR IGNORE INTO photo_blobs (sha256, data) VALUES (?1, ?2)");
  if (!blob) return blob.error();
  blob->bind(1, photo.sha256).bind_blob(2, bytes);
  if (auto done = blob->run(); !done) return done.error();
  if (db_.changes() == 1) {
    for (const auto& v : variants) {
      auto put = db_.prepare(
          "INSERT INTO photo_variants (sha256, width, height, format, data)"
          " VALUES (?1, ?2, ?3, ?4, ?5)");
      if (!put) return put.error();
      put->bind(1, photo.sha256).bind(2, v.width).bind(3, v.height).bind(4, v.format);
      put->bind_blob(5, v.bytes);
      if (auto done = put->run(); !done) return done.error();
    }
  }
  auto pos = db_.prepare(
      "SELECT COALESCE(MAX(position) + 1, 0) FROM product_photos WHERE product_id = ?1");
  if (!pos) return pos.error();
  pos->bind(1, product_id);
  if (auto row = pos->step(); !row) return row.error();
  photo.position = static_cast<int>(pos->column_int(0));
  auto s = db_.prepare(R"sql(
    INSERT INTO product_photos (product_id, position, sha256, content_type, width, height, bytes)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7))sql");
  if (!s) return s.error();
  s->bind(1, product_id).bind(2, photo.position).bind(3, photo.sha256).bind(4, photo.content_type);
  s->bind(5, width).bind(6, height).bind(7, photo.bytes);
  if (auto done = s->run(); !done) return done.error();
  photo.id = db_.last_insert_id();
  auto stored = find_photo(photo.id);  // with the widths of the copies actually stored
  if (!stored) return stored.error();
  if (auto done = tx->commit(); !done) return done.error();
  return stored;
}

Result<std::vector<Photo>> ProductStore::photos(int64_t product_id) {
  auto s = db_.prepare(std::string("SELECT") + kPhotoColumns +
                       " FROM product_photos ph WHERE ph.product_id = ?1 ORDER BY ph.position");
  if (!s) return s.error();
  s->bind(1, product_id);
  std::vector<Photo> out;
  for (;;) {
    auto row = s->step();
    if (!row) return row.error();
    if (!*row) break;
    out.push_back(read_photo(*s));
  }
  return out;
}

Result<Photo> ProductStore::find_photo(int64_t photo_id) {
  auto s = db_.prepare(std::string("SELECT") + kPhotoColumns +
                       " FROM product_photos ph WHERE ph.id = ?1");
  if (!s) return s.error();
  s->bind(1, photo_id);
  auto row = s->step();
  if (!row) return row.error();
  if (!*row) return not_found("photo " + std::to_string(photo_id) + " not found");
  return read_photo(*s);
}

Result<PhotoData> ProductStore::photo_data(std::string_view sha256) {
  auto s = db_.prepare(R"sql(
    SELECT ph.content_type, b.data FROM photo_blobs b
    JOIN product_photos ph ON ph.sha256 = b.sha256 WHERE b.sha256 = ?1 LIMIT 1)sql");
  if (!s) return s.error();
  s->bind(1, sha256);
  auto row = s->step();
  if (!row) return row.error();
  if (!*row) return not_found("photo not found");
  return PhotoData{s->column_text(0), s->column_text(1)};
}

Result<PhotoData> ProductStore::photo_variant(std::string_view sha256, int width,
                                              std::string_view format) {
  auto s = db_.prepare(R"sql(
    SELECT v.data FROM photo_variants v
    WHERE v.sha256 = ?1 AND v.width = ?2 AND v.format = ?3
      AND EXISTS (SELECT 1 FROM product_photos ph WHERE ph.sha256 = v.sha256)
      AND NOT EXISTS (SELECT 1 FROM photo_copies_to_strip q WHERE q.sha256 = v.sha256))sql");
  if (!s) return s.error();
  s->bind(1, sha256).bind(2, width).bind(3, format);
  auto row = s->step();
  if (!row) return row.error();
  if (!*row) return not_found("photo not found");
  return PhotoData{format == "webp" ? "image/webp" : "image/jpeg", s->column_text(0)};
}

Result<std::optional<int>> ProductStore::jpeg_copy_width(std::string_view sha256) {
  auto s = db_.prepare(R"sql(
    SELECT MAX(v.width) FROM photo_variants v
    WHERE v.sha256 = ?1 AND v.format = 'jpg'
      AND EXISTS (SELECT 1 FROM product_photos ph WHERE ph.sha256 = v.sha256)
      AND NOT EXISTS (SELECT 1 FROM photo_copies_to_strip q WHERE q.sha256 = v.sha256))sql");
  if (!s) return s.error();
  s->bind(1, sha256);
  auto row = s->step();
  if (!row) return row.error();
  if (!*row || s->column_is_null(0)) return std::optional<int>();
  return std::optional<int>(static_cast<int>(s->column_int(0)));
}

Result<std::vector<std::string>> ProductStore::photos_to_strip(int limit) {
  auto s = db_.prepare("SELECT sha256 FROM photo_copies_to_strip ORDER BY sha256 LIMIT ?1");
  if (!s) return s.error();
  s->bind(1, limit);
  std::vector<std::string> out;
  for (;;) {
    auto row = s->step();
    if (!row) return row.error();
    if (!*row) break;
    out.push_back(s->column_text(0));
  }
  return out;
}

Result<void> ProductStore::replace_photo_copies(std::string_view sha256,
                                                const std::vector<PhotoVariant>& variants) {
  if (auto ok = check_variants(variants); !ok) return ok.error();
  auto tx = db_.begin_or_join();
  if (!tx) return tx.error();
  auto stored = db_.prepare("SELECT 1 FROM photo_blobs WHERE sha256 = ?1");
  if (!stored) return stored.error();
  stored->bind(1, sha256);
  auto row = stored->step();
  if (!row) return row.error();
  if (!*row) return not_found("photo not found");
  auto drop = db_.prepare("DELETE FROM photo_variants WHERE sha256 = ?1");
  if (!drop) return drop.error();
  drop->bind(1, sha256);
  if (auto done = drop->run(); !done) return done.error();
  for (const auto& v : variants) {
    auto put = db_.prepare(
        "INSERT INTO photo_variants (sha256, width, height, format, data)"
        " VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!put) return put.error();
    put->bind(1, sha256).bind(2, v.width).bind(3, v.height).bind(4, v.format);
    put->bind_blob(5, v.bytes);
    if (auto done = put->run(); !done) return done.error();
  }
  auto listed = db_.prepare("DELETE FROM photo_copies_to_strip WHERE sha256 = ?1");
  if (!listed) return listed.error();
  listed->bind(1, sha256);
  if (auto done = listed->run(); !done) return done.error();
  return tx->commit();
}

Result<void> ProductStore::renumber_photos(int64_t product_id, const std::vector<int64_t>& ids) {
  // Two passes because (product_id, position) is unique: first to negative positions, then back.
  auto park = db_.prepare("UPDATE product_photos SET position = ?2 WHERE id = ?1");
  if (!park) return park.error();
  for (size_t i = 0; i < ids.size(); ++i) {
    park->reset();
    park->bind(1, ids[i]).bind(2, -1 - static_cast<int64_t>(i));
    if (auto done = park->run(); !done) return done.error();
  }
  auto flip = db_.prepare(
      "UPDATE product_photos SET position = -1 - position WHERE product_id = ?1 AND position < 0");
  if (!flip) return flip.error();
  flip->bind(1, product_id);
  return flip->run();
}

Result<std::vector<Photo>> ProductStore::move_photo(int64_t product_id, int64_t photo_id,
                                                    int position) {
  auto tx = db_.begin_or_join();
  if (!tx) return tx.error();
  auto current = photos(product_id);
  if (!current) return current.error();
  std::vector<int64_t> ids;
  for (const auto& p : *current) {
    if (p.id != photo_id) ids.push_back(p.id);
  }
  if (ids.size() == current->size()) {
    return not_found("photo " + std::to_string(photo_id) + " not found");
  }
  const size_t at = static_cast<size_t>(std::clamp(position, 0, static_cast<int>(ids.size())));
  ids.insert(ids.begin() + static_cast<std::ptrdiff_t>(at), photo_id);
  if (auto ok = renumber_photos(product_id, ids); !ok) return ok.error();
  auto moved = photos(product_id);
  if (!moved) return moved.error();
  if (auto done = tx->commit(); !done) return done.error();
  return moved;
}

Result<void> ProductStore::remove_photo(int64_t photo_id) {
  auto tx = db_.begin_or_join();
  if (!tx) return tx.error();
  auto photo = find_photo(photo_id);
  if (!photo) return photo.error();
  auto del = db_.prepare("DELETE FROM product_photos WHERE id = ?1");
  if (!del) return del.error();
  del->bind(1, photo_id);
  if (auto done = del->run(); !done) return done.error();
  // The copies in photo_variants go with the bytes (ON DELETE CASCADE).
  auto gc = db_.prepare(
      "DELETE FROM photo_blobs WHERE sha256 = ?1"
      " AND NOT EXISTS (SELECT 1 FROM product_photos WHERE sha256 = ?1)");
  if (!gc) return gc.error();
  gc->bind(1, photo->sha256);
  if (auto done = gc->run(); !done) return done.error();
  auto rest = photos(photo->product_id);
  if (!rest) return rest.error();
  std::vector<int64_t> ids;
  for (const auto& p : *rest) ids.push_back(p.id);
  if (auto ok = renumber_photos(photo->product_id, ids); !ok) return ok.error();
  return tx->commit();
}

Result<void> ProductStore::index_product(int64_t product_id) {
  auto s = db_.prepare(
      "SELECT p.name, p.description, pr.name FROM products p"
      " JOIN producers pr ON pr.id = p.producer_id WHERE p.id = ?1");
  if (!s) return s.error();
  s->bind(1, product_id);
  auto row = s->step();
  if (!row) return row.error();
  if (!*row) return not_found("product " + std::to_string(product_id) + " not found");
  std::string name = search_fold(s->column_text(0));
  std::string body = search_fold(s->column_text(1) + "\n" + s->column_text(2));
  auto del = db_.prepare("DELETE FROM product_search WHERE rowid = ?1");
  if (!del) return del.error();
  del->bind(1, product_id);
  if (auto done = del->run(); !done) return done.error();
  auto ins = db_.prepare("INSERT INTO product_search (rowid, name, body) VALUES (?1, ?2, ?3)");
  if (!ins) return ins.error();
  ins->bind(1, product_id).bind(2, name).bind(3, body);
  return ins->run();
}

Result<void> ProductStore::reindex_producer(int64_t producer_id) {
  auto tx = db_.begin_or_join();
  if (!tx) return tx.error();
  auto products = list_by_producer(producer_id);
  if (!products) return products.error();
  for (const auto& p : *products) {
    if (auto done = index_product(p.id); !done) return done.error();
  }
  return tx->commit();
}

Result<void> ProductStore::reindex_all() {
  auto tx = db_.begin_or_join();
  if (!tx) return tx.error();
  auto products = list_all();
  if (!products) return products.error();
  for (const auto& p : *products) {
    if (auto done = index_product(p.id); !done) return done.error();
  }
  return tx->commit();
}

}  // namespace chophien::core
