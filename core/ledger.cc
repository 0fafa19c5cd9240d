#include "core/ledger.h"

#include <array>
#include <chrono>
#include <cstdio>

#include "core/payment_code.h"

namespace chophien::core {
namespace {

constexpr std::array<std::string_view, 10> kChannels = {
    "storefront", "stall_qr", "shopee", "lazada", "tiktok_shop",
    "postmart",   "voso",     "social", "cash",   "other"};
constexpr std::array<std::string_view, 6> kSettlements = {"bank_transfer", "marketplace", "cash",
                                                          "e_wallet",      "card",        "other"};
constexpr int64_t kMaxAmountVnd = 10'000'000'000;
constexpr int64_t kLocalOffsetSeconds = 7 * 3600;  // Asia/Ho_Chi_Minh, no daylight saving

constexpr const char* kColumns =
    "id, producer_id, area_code, area_valid_from, channel, settlement, amount_vnd, occurred_at, "
    "source_kind, source_ref, entered_by, refund_of, note, recorded_at";

SaleRow read_row(const Statement& s) {
  SaleRow r;
  r.id = s.column_int(0);
  r.producer_id = s.column_int(1);
  r.area_code = s.column_optional_text(2);
  r.area_valid_from = s.column_optional_text(3);
  r.channel = s.column_text(4);
  r.settlement = s.column_text(5);
  r.amount_vnd = s.column_int(6);
  r.occurred_at = s.column_int(7);
  r.source_kind = s.column_text(8);
  r.source_ref = s.column_text(9);
  r.entered_by = s.column_optional_int(10);
  r.refund_of = s.column_optional_int(11);
  r.note = s.column_text(12);
  r.recorded_at = s.column_int(13);
  return r;
}

// The local calendar day of a unix time, as YYYY-MM-DD.
std::string local_iso_date(int64_t at) {
  using namespace std::chrono;
  const auto day = floor<days>(sys_seconds{seconds{at + kLocalOffsetSeconds}});
  const year_month_day ymd{day};
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buffer;
}

std::string hex_reference() {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "r";
  for (unsigned char b : random_bytes(12)) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0x0F]);
  }
  return out;
}

}  // namespace

bool is_sales_channel(std::string_view channel) {
  for (auto c : kChannels)
    if (c == channel) return true;
  return false;
}

bool is_settlement(std::string_view settlement) {
  for (auto s : kSettlements)
    if (s == settlement) return true;
  return false;
}

Result<std::optional<std::pair<std::string, std::string>>> Ledger::area_on(int64_t producer_id,
                                                                           int64_t at) {
  auto producer_lease =
      stmts_.get("SELECT area_code, area_valid_from FROM producers WHERE id = ?1");
  if (!producer_lease) return producer_lease.error();
  Statement& producer = producer_lease->get();
  producer.bind(1, producer_id);
  auto found = producer.step();
  if (!found) return found.error();
  if (!*found) return not_found("không tìm thấy chủ thể " + std::to_string(producer_id));
  if (producer.column_is_null(0) || producer.column_is_null(1))
    return std::optional<std::pair<std::string, std::string>>{};
  std::string code = producer.column_text(0);
  std::string valid_from = producer.column_text(1);
  const std::string day = local_iso_date(at);

  // Follow the succession while the unit had ceased on the sale's day. The chain is short (one
  // step for the 2025 reform); the bound only guards against a cycle in bad data.
  auto step_lease = stmts_.get(
      "SELECT s.new_code, s.new_valid_from FROM areas a JOIN area_successions s "
      "ON s.old_code = a.code AND s.old_valid_from = a.valid_from "
      "WHERE a.code = ?1 AND a.valid_from = ?2 AND a.valid_to IS NOT NULL AND a.valid_to <= ?3 "
      "ORDER BY s.new_code, s.new_valid_from LIMIT 1");
  if (!step_lease) return step_lease.error();
  Statement& step = step_lease->get();
  for (int hops = 0; hops < 8; ++hops) {
    step.reset();
    step.bind(1, code).bind(2, valid_from).bind(3, day);
    auto next = step.step();
    if (!next) return next.error();
    if (!*next) break;
    code = step.column_text(0);
    valid_from = step.column_text(1);
  }
  return std::optional{std::pair{code, valid_from}};
}

Result<SaleRow> Ledger::insert(const SaleEntry& e, std::optional<int64_t> refund_of) {
  auto area = area_on(e.producer_id, e.occurred_at);
  if (!area) return area.error();
  auto s_lease = stmts_.get(
      "INSERT INTO sales_ledger (producer_id, area_code, area_valid_from, channel, settlement, "
      "amount_vnd, occurred_at, source_kind, source_ref, entered_by, refund_of, note, "
      "recorded_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
  if (!s_lease) return s_lease.error();
  Statement& s = s_lease->get();
  s.bind(1, e.producer_id)
      .bind(2, *area ? std::optional((*area)->first) : std::nullopt)
      .bind(3, *area ? std::optional((*area)->second) : std::nullopt)
      .bind(4, e.channel)
      .bind(5, e.settlement)
      .bind(6, e.amount_vnd)
      .bind(7, e.occurred_at)
      .bind(8, e.source_kind)
      .bind(9, e.source_ref)
      .bind(10, e.entered_by)
      .bind(11, refund_of)
      .bind(12, e.note)
      .bind(13, clock_.now());
  if (auto done = s.run(); !done) {
    if (done.error().code == ErrorCode::conflict)
      return conflict("nguồn " + e.source_kind + ":" + e.source_ref + " đã có trong sổ bán hàng");
    return done.error();
  }
  SaleRow row;
  row.id = db_.last_insert_id();
  row.producer_id = e.producer_id;
  if (*area) {
    row.area_code = (*area)->first;
    row.area_valid_from = (*area)->second;
  }
  row.channel = e.channel;
  row.settlement = e.settlement;
  row.amount_vnd = e.amount_vnd;
  row.occurred_at = e.occurred_at;
  row.source_kind = e.source_kind;
  row.source_ref = e.source_ref;
  row.entered_by = e.entered_by;
  row.refund_of = refund_of;
  row.note = e.note;
  row.recorded_at = clock_.now();
  return row;
}

Result<SaleRow> Ledger::append(const SaleEntry& entry) {
  if (!is_sales_channel(entry.channel)) return invalid_input("kênh bán không hợp lệ", "channel");
  if (!is_settlement(entry.settlement))
    return invalid_input("hình thức thanh toán không hợp lệ", "settlement");
  if (entry.amount_vnd < 1 || entry.amount_vnd > kMaxAmountVnd)
    return invalid_input("số tiền phải từ 1 đến 10.000.000.000 ₫", "amount_vnd");
  if (entry.source_kind == "refund" || entry.source_ref.empty())
    return invalid_input("nguồn không hợp lệ", "source");
  return insert(entry, std::nullopt);
}

Result<SaleRow> Ledger::find(int64_t id) {
  auto s_lease = stmts_.get(std::string("SELECT ") + kColumns + " FROM sales_ledger WHERE id = ?1");
  if (!s_lease) return s_lease.error();
  Statement& s = s_lease->get();
  s.bind(1, id);
  auto found = s.step();
  if (!found) return found.error();
  if (!*found) return not_found("không tìm thấy dòng sổ bán hàng " + std::to_string(id));
  return read_row(s);
}

Result<SaleRow> Ledger::append_refund(int64_t original_id, int64_t amount_vnd,
                                      std::optional<int64_t> user_id, std::string_view note) {
  return negative_row(original_id, amount_vnd, std::nullopt, user_id, note);
}

Result<SaleRow> Ledger::append_reversal(int64_t original_id, std::optional<int64_t> user_id,
                                        std::string_view note) {
  auto original = find(original_id);
  if (!original) return original.error();
  return negative_row(original_id, original->amount_vnd, original->occurred_at, user_id, note);
}

Result<SaleRow> Ledger::negative_row(int64_t original_id, int64_t amount_vnd,
                                     std::optional<int64_t> occurred_at,
                                     std::optional<int64_t> user_id, std::string_view note) {
  auto original = find(original_id);
  if (!original) return original.error();
  if (original->refund_of) return invalid_input("không hoàn tiền cho một dòng hoàn tiền", "id");
  if (amount_vnd < 1 || amount_vnd > original->amount_vnd)
    return invalid_input("số tiền hoàn phải từ 1 đến số tiền đã bán", "amount_vnd");
  SaleEntry e;
  e.producer_id = original->producer_id;
  e.channel = original->channel;
  e.settlement = original->settlement;
  e.amount_vnd = -amount_vnd;
  e.occurred_at = occurred_at.value_or(clock_.now());
  e.source_kind = "refund";
  e.source_ref = std::to_string(original_id);
  e.entered_by = user_id;
  e.note = std::string(note);
  auto row = insert(e, original_id);
  if (!row && row.error().code == ErrorCode::conflict)
    return conflict("dòng " + std::to_string(original_id) + " đã được hoàn tiền");
  return row;
}

Result<SaleRow> Ledger::record_refund(int64_t original_id, int64_t amount_vnd,
                                      std::optional<int64_t> user_id, std::string_view note) {
  auto tx = db_.begin();
  if (!tx) return tx.error();
  auto row = append_refund(original_id, amount_vnd, user_id, note);
  if (!row) return row.error();
  if (auto done = tx->commit(); !done) return done.error();
  return row;
}

Result<SaleRow> Ledger::record_manual_sale(const ManualSale& sale, int64_t user_id) {
  if (!is_sales_channel(sale.channel) || sale.channel == "storefront" || sale.channel == "stall_qr")
    return invalid_input("kênh bán không hợp lệ cho bán hàng nhập tay", "channel");
  if (sale.occurred_at > clock_.now() || sale.occurred_at <= 0)
    return invalid_input("thời điểm bán không hợp lệ", "occurred_at");
  if (sale.reference.size() > 100) return invalid_input("mã tham chiếu quá dài", "reference");
  SaleEntry e;
  e.producer_id = sale.producer_id;
  e.channel = sale.channel;
  e.settlement = sale.settlement;
  e.amount_vnd = sale.amount_vnd;
  e.occurred_at = sale.occurred_at;
  e.source_kind = "hand_entry";
  e.source_ref = sale.reference.empty() ? hex_reference()
                                        : std::to_string(sale.producer_id) + ":" + sale.reference;
  e.entered_by = user_id;
  e.note = sale.note;
  auto tx = db_.begin_or_join();
  if (!tx) return tx.error();
  auto row = append(e);
  if (!row) return row.error();
  if (auto done = tx->commit(); !done) return done.error();
  return row;
}

Result<std::optional<SaleRow>> Ledger::find_by_source(std::string_view kind, std::string_view ref) {
  auto s_lease = stmts_.get(std::string("SELECT ") + kColumns +
                            " FROM sales_ledger WHERE source_kind = ?1 AND source_ref = ?2");
  if (!s_lease) return s_lease.error();
  Statement& s = s_lease->get();
  s.bind(1, kind).bind(2, ref);
  auto found = s.step();
  if (!found) return found.error();
  if (!*found) return std::optional<SaleRow>{};
  return std::optional<SaleRow>{read_row(s)};
}

Result<std::vector<SaleRow>> Ledger::list(const LedgerQuery& q) {
  auto s_lease =
      stmts_.get(std::string("SELECT ") + kColumns +
                 " FROM sales_ledger WHERE (?1 IS NULL OR occurred_at >= ?1) "
                 "AND (?2 IS NULL OR occurred_at < ?2) AND (?3 IS NULL OR producer_id = ?3) "
                 "AND (?4 IS NULL OR channel = ?4) ORDER BY occurred_at, id LIMIT ?5");
  if (!s_lease) return s_lease.error();
  Statement& s = s_lease->get();
  s.bind(1, q.from).bind(2, q.to).bind(3, q.producer_id).bind(4, q.channel).bind(5, q.limit);
  std::vector<SaleRow> rows;
  for (;;) {
    auto more = s.step();
    if (!more) return more.error();
    if (!*more) break;
    rows.push_back(read_row(s));
  }
  return rows;
}

}  // namespace chophien::core
