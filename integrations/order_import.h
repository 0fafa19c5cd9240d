#pragma once
// A seller centre's order export file into the sales ledger (integrations.md section 6): for
// platforms whose orders cannot be pulled (postmart.vn, voso.vn) or when a producer has no API
// connection (Shopee, Lazada, TikTok Shop). CSV, UTF-8 with or without a byte-order mark, RFC 4180
// quoting (core/product_csv.h's parser), or XLSX as the seller centres export it, recognised by its
// content (a ZIP; the first worksheet, core/xlsx_reader.h); both become the same rows of cell texts
// and go through the same checks. Layout: docs/order-import.md.
//
// Columns are found by header name, Vietnamese or English, case and diacritics ignored: order id
// ("Mã đơn hàng", "Order ID", "orderNumber"...), date ("Ngày đặt hàng", "Created at"...), status
// (optional) and total ("Tổng giá trị đơn hàng", "Order Total", "paidPrice"...). Other columns
// are ignored. Seller-centre exports have one row per item: rows of one order are grouped; an
// order-level total must repeat the same amount, an item-level price (Lazada's paidPrice) is
// summed over the items whose own status is a sale. Cancelled, returned, refunded, failed and
// unpaid orders are skipped.
//
// Every row is validated first; when any row is bad nothing is written and the report lists every
// bad row with its line (an XLSX file: the sheet's row number) and reason. Each order becomes one
// ledger row (channel of the platform, settlement marketplace, source "marketplace" /
// "<platform>:<order id>", the same key as the API pull in sync.h), so an order is never recorded
// twice, whether it came by pull or by file. Dates without a zone are Vietnam time (UTC+7).
//
// Thread-safety: uses the given Database connection; one thread at a time.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/database.h"
#include "core/ledger.h"
#include "core/product_csv.h"
#include "core/result.h"

namespace chophien::integrations {

// The ledger key (source_kind "marketplace") of a marketplace order, pulled or imported:
// "<platform>:<producer id>:<order id>", so that one producer's file can never stand in for
// another producer's order. Rows written before the producer was part of the key carry
// "<platform>:<order id>"; marketplace_order_recorded() finds both.
std::string marketplace_sale_ref(std::string_view platform, int64_t producer_id,
                                 std::string_view order_id);
// Whether the producer's order is in the ledger already (under either key).
Result<bool> marketplace_order_recorded(core::Ledger& ledger, std::string_view platform,
                                        int64_t producer_id, std::string_view order_id);

inline constexpr size_t kMaxOrderFileBytes = 20 * 1024 * 1024;
inline constexpr size_t kMaxOrderFileRows = 100000;

// "shopee", "lazada", "tiktok", "postmart", "voso".
bool is_order_file_platform(std::string_view platform);
// The ledger channel of an order-file platform ("tiktok" -> "tiktok_shop").
std::string order_file_channel(std::string_view platform);

// Whether an export's status text is a sale: false for cancelled / returned / refunded / failed /
// unpaid ("Đã hủy", "Trả hàng/Hoàn tiền", "Canceled", "Chưa thanh toán"...).
bool order_file_status_counts(std::string_view status);

// "120.000", "120,000", "120000", "120.000 ₫", "₫120,000", "120000.00", "120.000 VND".
// nullopt for anything else (negative, fractional đồng, badly grouped digits).
std::optional<int64_t> parse_vnd_amount(std::string_view text);

// "2026-11-20 14:05[:09]", "2026-11-20T14:05:09", "20/11/2026 14:05[:09]", "20/11/2026",
// "2026-11-20", Vietnam time; unix seconds. nullopt when malformed or not a real date.
std::optional<int64_t> parse_order_time(std::string_view text);

struct OrderImportReport {
  int rows = 0;                           // data rows read
  int orders = 0;                         // distinct orders in the file
  int recorded = 0;                       // new ledger rows
  int already = 0;                        // already in the ledger (pulled or imported before)
  int skipped = 0;                        // cancelled / returned / unpaid
  std::vector<core::CsvRowError> errors;  // non-empty: nothing was written
  bool ok() const { return errors.empty(); }
};

// One order of a checked file: the line it starts on, its id and time, whether it is a sale
// (false: cancelled, returned, unpaid) and its total in đồng.
struct OrderFileOrder {
  int line = 0;
  std::string id;
  int64_t occurred_at = 0;
  bool counts = true;
  bool per_item = false;
  int64_t total = 0;
};

// A file read and checked, not yet recorded. report.errors non-empty: record_order_file writes
// nothing and answers that report.
struct OrderFile {
  std::string platform;
  OrderImportReport report;  // rows, orders and errors; nothing recorded yet
  std::vector<OrderFileOrder> orders;
};

// Reads and checks `file` without touching any database: everything that may take long (an
// XLSX of 100,000 rows takes seconds) happens here, so a server can do it before it takes its
// writer lock. Errors: invalid_input as import_order_file (platform, size, unreadable file).
Result<OrderFile> read_order_file(const core::Clock& clock, std::string_view platform,
                                  std::string_view file);
// Records a file read_order_file checked, for `producer_id`: the ledger writes only (a lookup
// and an insert per order). Errors as import_order_file; its own transaction or the caller's.
Result<OrderImportReport> record_order_file(core::Database& db, const core::Clock& clock,
                                            int64_t producer_id, const OrderFile& file);

// read_order_file then record_order_file. Imports `file` (CSV or XLSX) for `producer_id` from
// `platform`. Errors: invalid_input (unknown platform, file too big, not CSV, an XLSX file that
// cannot be read or is beyond the limits; field "file"), not_found (producer), unavailable/internal
// (storage). Row problems, missing columns included (on the header's line), are in the report. Its
// own transaction, or it joins the one open on `db` (so a caller can record the import in the
// action log with it).
Result<OrderImportReport> import_order_file(core::Database& db, const core::Clock& clock,
                                            int64_t producer_id, std::string_view platform,
                                            std::string_view file);

}  // namespace chophien::integrations
