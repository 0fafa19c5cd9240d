#pragma once
// The sales ledger (indicators.md, "The sales ledger the figures rest on"): one row per sale,
// append-only. Rows are written by the paths that create sales: an order paid (storefront), a
// stall payment by static QR, a hand-entered sale, marketplace sales, and refunds (negative rows
// that refer to the original). There is no update or delete: SQLite triggers refuse both.
//
// Each row records the area valid on the sale's date (Asia/Ho_Chi_Minh calendar day): the
// producer's registered unit, or, when that unit had ceased by then (the 1 July 2025 reform),
// its successor from area_successions (the first by code when a unit was split). When the areas
// table does not know the unit, the producer's registered unit is kept as it is.
//
// One source never yields two rows: (source kind, reference) is unique, and a repeat gives
// ErrorCode::conflict.
//
// Thread-safety: one Database connection, one thread at a time.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/database.h"
#include "core/result.h"
#include "core/statement_cache.h"

namespace chophien::core {

// storefront, stall_qr, shopee, lazada, tiktok_shop, postmart, voso, social, cash, other.
bool is_sales_channel(std::string_view channel);
// bank_transfer, marketplace, cash, e_wallet, card, other. All but cash count as cashless.
bool is_settlement(std::string_view settlement);

struct SaleEntry {
  int64_t producer_id = 0;
  std::string channel;
  std::string settlement;
  int64_t amount_vnd = 0;  // > 0
  int64_t occurred_at = 0;
  std::string source_kind;  // order, bank_txn, marketplace, hand_entry
  std::string source_ref;   // bank_txn: provider:producer_id:provider_txn_id (rows of before
                            // migration 0024: provider:provider_txn_id)
  std::optional<int64_t> entered_by;  // user id for hand entries
  std::string note;
};

struct SaleRow {
  int64_t id = 0;
  int64_t producer_id = 0;
  std::optional<std::string> area_code;  // none when the producer has no area
  std::optional<std::string> area_valid_from;
  std::string channel;
  std::string settlement;
  int64_t amount_vnd = 0;
  int64_t occurred_at = 0;
  std::string source_kind;
  std::string source_ref;
  std::optional<int64_t> entered_by;
  std::optional<int64_t> refund_of;
  std::string note;
  int64_t recorded_at = 0;
};

// A sale typed in by a producer or officer (cash at the fair, an order taken on Zalo).
struct ManualSale {
  int64_t producer_id = 0;
  std::string channel = "cash";     // any sales channel except storefront and stall_qr
  std::string settlement = "cash";  // any settlement
  int64_t amount_vnd = 0;           // 1 .. 10,000,000,000
  int64_t occurred_at = 0;          // not in the future
  std::string reference;  // optional idempotency key: the same reference twice is a conflict
  std::string note;
};

struct LedgerQuery {
  std::optional<int64_t> from;  // occurred_at >= from
  std::optional<int64_t> to;    // occurred_at < to
  std::optional<int64_t> producer_id;
  std::optional<std::string> channel;
  int limit = 1000;
};

class Ledger {
 public:
  // `db` and `clock` must outlive this object.
  Ledger(Database& db, const Clock& clock) : db_(db), clock_(clock), stmts_(db) {}

  // Records a hand-entered sale by `user_id`, in its own transaction or in the caller's when
  // one is open (Database::begin_or_join). Errors: invalid_input
  // (field named), not_found (producer), conflict (reference already used).
  Result<SaleRow> record_manual_sale(const ManualSale& sale, int64_t user_id);

  // A refund of (part of) row `original_id`: a negative row of -amount_vnd referring to it.
  // At most one refund per row; amount 1..original amount. Own transaction.
  Result<SaleRow> record_refund(int64_t original_id, int64_t amount_vnd,
                                std::optional<int64_t> user_id, std::string_view note);

  // For paths that already hold a transaction (order paid, stall payment): append inside it.
  Result<SaleRow> append(const SaleEntry& entry);
  Result<SaleRow> append_refund(int64_t original_id, int64_t amount_vnd,
                                std::optional<int64_t> user_id, std::string_view note);

  // Cancels row `original_id` entered by mistake: a negative row of its full amount referring
  // to it (so it counts as that row's one refund), dated at the original's occurred_at so the
  // period the mistake was in is corrected. Inside the caller's transaction; same errors as
  // append_refund (conflict when the row was already refunded or reversed).
  Result<SaleRow> append_reversal(int64_t original_id, std::optional<int64_t> user_id,
                                  std::string_view note);

  Result<std::optional<SaleRow>> find_by_source(std::string_view kind, std::string_view ref);
  Result<std::vector<SaleRow>> list(const LedgerQuery& query);

  // The area (code, valid_from) valid for `producer_id` on the day of `at`; none when the
  // producer has no area.
  Result<std::optional<std::pair<std::string, std::string>>> area_on(int64_t producer_id,
                                                                     int64_t at);

 private:
  Result<SaleRow> insert(const SaleEntry& entry, std::optional<int64_t> refund_of);
  Result<SaleRow> find(int64_t id);
  Result<SaleRow> negative_row(int64_t original_id, int64_t amount_vnd,
                               std::optional<int64_t> occurred_at, std::optional<int64_t> user_id,
                               std::string_view note);
  Database& db_;
  const Clock& clock_;
  StatementCache stmts_;
};

}  // namespace chophien::core
