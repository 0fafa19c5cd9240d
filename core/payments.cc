#include "core/payments.h"

#include <algorithm>

#include "core/payment_code.h"

namespace chophien::core {
namespace {

constexpr const char* kColumns =
    "id, provider, provider_txn_id, direction, amount_vnd, account_number, description, "
    "transaction_at, received_at, match_state, producer_id, order_id, matched_code, matched_at, "
    "matched_by_user, note";
constexpr size_t kMaxRawBody = 1 << 20;

Payment read_payment(const Statement& s) {
  Payment p;
  p.id = s.column_int(0);
  p.provider = s.column_text(1);
  p.provider_txn_id = s.column_text(2);
  p.direction = s.column_text(3);
  p.amount_vnd = s.column_int(4);
  p.account_number = s.column_text(5);
  p.description = s.column_text(6);
  p.transaction_at = s.column_optional_int(7);
  p.received_at = s.column_int(8);
  p.match_state = s.column_text(9);
  p.producer_id = s.column_optional_int(10);
  p.order_id = s.column_optional_int(11);
  p.matched_code = s.column_optional_text(12);
  p.matched_at = s.column_optional_int(13);
  p.matched_by_user = s.column_optional_int(14);
  p.note = s.column_text(15);
  return p;
}

const char* state_for(PaymentEffect effect) {
  switch (effect) {
    case PaymentEffect::paid:
      return "matched";
    case PaymentEffect::partial:
      return "partial";
    case PaymentEffect::overpaid:
      return "overpaid";
    case PaymentEffect::late:
      return "late";
  }
  return "unmatched";
}

const char* note_for(PaymentEffect effect) {
  switch (effect) {
    case PaymentEffect::paid:
      return "";
    case PaymentEffect::partial:
      return "chuyển thiếu, đơn còn chờ thanh toán";
    case PaymentEffect::overpaid:
      return "chuyển thừa, cần hoàn tiền";
    case PaymentEffect::late:
      return "đơn đã hết hạn hoặc đã huỷ: cần xử lý";
  }
  return "";
}

// What receive() refuses before storing anything.
Result<void> check(const BankNotification& n) {
  if (!n.producer_id || *n.producer_id <= 0)
    return invalid_input("thiếu chủ thể nhận giao dịch", "producer_id");
  if (n.provider != "sepay" && n.provider != "casso" && n.provider != "payos" &&
      n.provider != "manual")
    return invalid_input("nhà cung cấp không hợp lệ", "provider");
  if (n.provider_txn_id.empty() || n.provider_txn_id.size() > 200)
    return invalid_input("mã giao dịch không hợp lệ", "provider_txn_id");
  if (n.direction != "in" && n.direction != "out")
    return invalid_input("chiều giao dịch phải là in hoặc out", "direction");
  if (n.amount_vnd < 0 || n.amount_vnd > 100'000'000'000)
    return invalid_input("số tiền không hợp lệ", "amount_vnd");
  if (n.raw_body.size() > kMaxRawBody || n.description.size() > 4096)
    return Error{ErrorCode::too_large, "nội dung quá lớn", "raw_body"};
  return {};
}

// The row just written, built from what was bound rather than read back.
Payment fresh_payment(int64_t id, const BankNotification& n, int64_t received_at) {
  Payment p;
  p.id = id;
  p.producer_id = n.producer_id;
  p.provider = n.provider;
  p.provider_txn_id = n.provider_txn_id;
  p.direction = n.direction;
  p.amount_vnd = n.amount_vnd;
  p.account_number = n.account_number;
  p.description = n.description;
  p.transaction_at = n.transaction_at;
  p.received_at = received_at;
  p.match_state = "received";
  return p;
}

}  // namespace

Result<Payment> PaymentStore::find(int64_t payment_id) {
  auto s_lease = stmts_.get(std::string("SELECT ") + kColumns + " FROM payments WHERE id = ?1");
  if (!s_lease) return s_lease.error();
  Statement& s = s_lease->get();
  s.bind(1, payment_id);
  auto found = s.step();
  if (!found) return found.error();
  if (!*found) return not_found("không tìm thấy giao dịch " + std::to_string(payment_id));
  return read_payment(s);
}

Result<Payment> PaymentStore::find_by_key(const BankNotification& n) {
  auto s_lease = stmts_.get(
      std::string("SELECT ") + kColumns +
      " FROM payments WHERE producer_id = ?1 AND provider = ?2 AND provider_txn_id = ?3");
  if (!s_lease) return s_lease.error();
  Statement& s = s_lease->get();
  s.bind(1, n.producer_id).bind(2, n.provider).bind(3, n.provider_txn_id);
  auto found = s.step();
  if (!found) return found.error();
  if (!*found) return not_found("không tìm thấy giao dịch");
  return read_payment(s);
}

Result<std::optional<int64_t>> PaymentStore::insert_raw(const BankNotification& n,
                                                        int64_t received_at) {
  auto s_lease = stmts_.get(
      "INSERT INTO payments (provider, provider_txn_id, direction, amount_vnd, account_number, "
      "description, transaction_at, received_at, raw_body, producer_id) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
      "ON CONFLICT (producer_id, provider, provider_txn_id) DO NOTHING");
  if (!s_lease) return s_lease.error();
  Statement& s = s_lease->get();
  s.bind(1, n.provider)
      .bind(2, n.provider_txn_id)
      .bind(3, n.direction)
      .bind(4, n.amount_vnd)
      .bind(5, n.account_number)
      .bind(6, n.description)
      .bind(7, n.transaction_at)
      .bind(8, received_at)
      .bind(9, n.raw_body)
      .bind(10, n.producer_id);
  if (auto done = s.run(); !done) return done.error();
  if (db_.changes() != 1) return std::optional<int64_t>{};
  return std::optional<int64_t>{db_.last_insert_id()};
}

Result<ReceiveOutcome> PaymentStore::receive(const BankNotification& n) {
  if (auto valid = check(n); !valid) return valid.error();

  // The raw row is written first and matched in the same transaction. Should matching fail,
  // that transaction is rolled back and the raw row is stored on its own (still 'received', for
  // match_pending()), so a notification is never lost.
  const int64_t received_at = clock_.now();
  std::optional<Error> failure;
  {
    auto tx = db_.begin();
    if (!tx) return tx.error();
    auto id = insert_raw(n, received_at);
    if (!id) return id.error();
    if (*id) {
      Payment p = fresh_payment(**id, n, received_at);
      auto done = decide(p);
      if (done) {
        if (auto committed = tx->commit(); !committed) return committed.error();
        return ReceiveOutcome{std::move(p), false};
      }
      failure = done.error();
    }
  }
  if (failure) {
    auto tx = db_.begin();
    if (!tx) return tx.error();
    if (auto id = insert_raw(n, received_at); !id) return id.error();
    if (auto committed = tx->commit(); !committed) return committed.error();
    return *failure;
  }
  // A duplicate. If the first delivery's matching has not finished (it failed, or another
  // connection is at it this very moment), match it now: match() is idempotent.
  auto stored = find_by_key(n);
  if (!stored) return stored.error();
  auto matched = match(stored->id);
  if (!matched) return matched.error();
  return ReceiveOutcome{std::move(*matched), true};
}

Result<ReceiveOutcome> PaymentStore::receive_here(const BankNotification& n, int64_t received_at) {
  auto id = insert_raw(n, received_at);
  if (!id) return id.error();
  if (*id) {
    Payment p = fresh_payment(**id, n, received_at);
    if (auto done = decide(p); !done) return done.error();
    return ReceiveOutcome{std::move(p), false};
  }
  // A duplicate (possibly of an earlier notification of this very batch); one whose first
  // delivery was stored but not matched is matched now, as receive() does.
  auto stored = find_by_key(n);
  if (!stored) return stored.error();
  if (stored->match_state == "received") {
    if (auto done = decide(*stored); !done) return done.error();
  }
  return ReceiveOutcome{std::move(*stored), true};
}

std::vector<Result<ReceiveOutcome>> PaymentStore::receive_batch(
    const std::vector<const BankNotification*>& notifications) {
  std::vector<Result<ReceiveOutcome>> out;
  out.reserve(notifications.size());
  auto run = [&](const char* sql) -> bool {
    auto lease = stmts_.get(sql);
    return lease && lease->get().run();
  };
  // false when the transaction is lost: then nothing of it was stored, and it is rolled back.
  auto batch = [&](Transaction tx) -> bool {
    const int64_t received_at = clock_.now();
    for (const BankNotification* n : notifications) {
      if (auto valid = check(*n); !valid) {
        out.emplace_back(valid.error());
        continue;
      }
      if (!run("SAVEPOINT notification")) return false;
      auto outcome = receive_here(*n, received_at);
      if (!outcome) {
        // Some errors (I/O, memory) make SQLite roll the whole transaction back itself.
        if (!db_.in_transaction() || !run("ROLLBACK TO notification")) return false;
        // As in receive(): the raw row is stored alone, still 'received', for match_pending().
        if (!insert_raw(*n, received_at)) return false;
      }
      if (!run("RELEASE notification")) return false;
      out.push_back(std::move(outcome));
    }
    return static_cast<bool>(tx.commit());
  };
  auto tx = db_.begin();
  if (!tx) {  // busy past the timeout: the same answer for all, rather than N more waits
    for (const BankNotification* n : notifications) {
      auto valid = check(*n);
      out.emplace_back(valid ? tx.error() : valid.error());
    }
    return out;
  }
  if (batch(std::move(*tx))) return out;
  out.clear();
  for (const BankNotification* n : notifications) out.push_back(receive(*n));
  return out;
}

Result<void> PaymentStore::set_state(Payment& payment, std::string_view state,
                                     std::optional<int64_t> producer_id,
                                     std::optional<int64_t> order_id,
                                     std::optional<std::string> code, std::optional<int64_t> user,
                                     std::string_view note) {
  const int64_t now = clock_.now();
  auto s_lease = stmts_.get(
      "UPDATE payments SET match_state = ?2, producer_id = ?3, order_id = ?4, matched_code = ?5, "
      "matched_at = ?6, matched_by_user = ?7, note = ?8 WHERE id = ?1");
  if (!s_lease) return s_lease.error();
  Statement& s = s_lease->get();
  s.bind(1, payment.id)
      .bind(2, state)
      .bind(3, producer_id)
      .bind(4, order_id)
      .bind(5, code)
      .bind(6, now)
      .bind(7, user)
      .bind(8, note);
  if (auto done = s.run(); !done) return done.error();
  payment.match_state = state;
  payment.producer_id = producer_id;
  payment.order_id = order_id;
  payment.matched_code = std::move(code);
  payment.matched_at = now;
  payment.matched_by_user = user;
  payment.note = note;
  return {};
}

Result<bool> PaymentStore::receives_into(int64_t producer_id, std::string_view account_number) {
  if (account_number.empty()) return false;
  auto s_lease = stmts_.get(
      "SELECT EXISTS (SELECT 1 FROM producers WHERE id = ?1 AND bank_account = ?2) OR "
      "(EXISTS (SELECT 1 FROM orders WHERE producer_id = ?1 AND pay_account = ?2 AND "
      "created_at > ?3) AND "
      "NOT EXISTS (SELECT 1 FROM producers WHERE id <> ?1 AND bank_account = ?2))");
  if (!s_lease) return s_lease.error();
  Statement& s = s_lease->get();
  s.bind(1, producer_id)
      .bind(2, account_number)
      .bind(3, clock_.now() - kEarlierAccountDays * 86400);
  auto found = s.step();
  if (!found) return found.error();
  return *found && s.column_int(0) != 0;
}

Result<void> PaymentStore::decide(Payment& payment) {
  Payment* p = &payment;
  // The payment's producer was fixed when it was stored (the connection's); matching never
  // changes it, and nothing below touches another producer's order or ledger.
  const std::optional<int64_t> owner = p->producer_id;
  auto unmatched = [&](std::optional<std::string> code, std::string_view note) {
    return set_state(*p, "unmatched", owner, std::nullopt, std::move(code), std::nullopt, note);
  };
  if (!owner) return unmatched(std::nullopt, "không rõ chủ thể nhận giao dịch");
  if (p->direction == "out")
    return set_state(*p, "ignored", owner, std::nullopt, std::nullopt, std::nullopt, "chuyển đi");
  // Callers refuse such notifications before storing them; a row stored otherwise (by hand, or
  // before the producer changed accounts and its orders were settled) is left for review.
  auto ours = receives_into(*owner, p->account_number);
  if (!ours) return ours.error();
  if (!*ours) return unmatched(std::nullopt, "tài khoản nhận không phải của chủ thể");
  if (p->amount_vnd == 0) return unmatched(std::nullopt, "số tiền bằng 0");

  const auto codes = find_codes_in(p->description);
  auto lookup_lease = stmts_.get("SELECT id, producer_id FROM orders WHERE code = ?1");
  if (!lookup_lease) return lookup_lease.error();
  Statement& lookup = lookup_lease->get();
  std::optional<std::string> foreign_code;  // a code of another producer's order
  for (const std::string& code : codes) {
    lookup.reset();
    lookup.bind(1, code);
    auto found = lookup.step();
    if (!found) return found.error();
    if (!*found) continue;
    const int64_t order_id = lookup.column_int(0);
    if (lookup.column_int(1) != *owner) {
      if (!foreign_code) foreign_code = code;
      continue;
    }
    auto effect = orders_.apply_payment(order_id, p->amount_vnd, "bank_transfer", Actor::system(),
                                        p->provider + ":" + p->provider_txn_id);
    if (!effect) return effect.error();
    return set_state(*p, state_for(*effect), owner, order_id, code, std::nullopt,
                     note_for(*effect));
  }
  if (foreign_code)
    return set_state(*p, "wrong_account", owner, std::nullopt, foreign_code, std::nullopt,
                     "mã thanh toán của đơn thuộc chủ thể khác: không áp dụng");
  if (!codes.empty()) return unmatched(codes.front(), "mã thanh toán không khớp đơn hàng nào");
  if (auto typo = find_mistyped_codes_in(p->description); !typo.empty())
    return unmatched(typo.front(), "mã thanh toán sai ký tự kiểm tra");
  SaleEntry sale;
  sale.producer_id = *owner;
  sale.channel = "stall_qr";
  sale.settlement = "bank_transfer";
  sale.amount_vnd = p->amount_vnd;
  sale.occurred_at = p->transaction_at.value_or(p->received_at);
  sale.source_kind = "bank_txn";
  // Per producer, as the payment's key is: another producer's transaction with the same id
  // is another sale.
  sale.source_ref = p->provider + ":" + std::to_string(*owner) + ":" + p->provider_txn_id;
  if (auto row = ledger_.append(sale); !row) return row.error();
  return set_state(*p, "stall", owner, std::nullopt, std::nullopt, std::nullopt,
                   "bán tại quầy qua QR tĩnh");
}

Result<Payment> PaymentStore::match(int64_t payment_id) {
  auto tx = db_.begin();
  if (!tx) return tx.error();
  auto p = find(payment_id);
  if (!p) return p.error();
  if (p->match_state != "received") return p;

  if (auto done = decide(*p); !done) return done.error();
  if (auto done = tx->commit(); !done) return done.error();
  return p;
}

Result<int> PaymentStore::match_pending() {
  std::vector<int64_t> ids;
  {
    auto s_lease = stmts_.get("SELECT id FROM payments WHERE match_state = 'received' ORDER BY id");
    if (!s_lease) return s_lease.error();
    Statement& s = s_lease->get();
    for (;;) {
      auto more = s.step();
      if (!more) return more.error();
      if (!*more) break;
      ids.push_back(s.column_int(0));
    }
  }
  for (int64_t id : ids)
    if (auto done = match(id); !done) return done.error();
  return static_cast<int>(ids.size());
}

Result<Payment> PaymentStore::assign(int64_t payment_id, std::string_view order_code,
                                     const Actor& actor) {
  auto tx = db_.begin_or_join();
  if (!tx) return tx.error();
  auto p = find(payment_id);
  if (!p) return p.error();
  if (actor.kind == Actor::Kind::customer || actor.kind == Actor::Kind::system)
    return Error{ErrorCode::forbidden, "không có quyền gán giao dịch", {}};
  if ((actor.kind == Actor::Kind::producer ||
       (actor.kind == Actor::Kind::officer && actor.producer_id)) &&
      p->producer_id != actor.producer_id)
    return Error{ErrorCode::forbidden, "giao dịch của chủ thể khác", {}};
  if (p->match_state != "unmatched")
    return conflict("chỉ gán được giao dịch chưa khớp (đang ở trạng thái " + p->match_state + ")");
  if (!p->producer_id) return conflict("giao dịch không rõ chủ thể nhận, không gán được");
  auto order = orders_.find_by_code(order_code);
  if (!order) return order.error();
  if (order->producer_id != *p->producer_id)
    return conflict("đơn hàng thuộc chủ thể khác chủ thể nhận tiền");
  auto effect = orders_.apply_payment(order->id, p->amount_vnd, "bank_transfer", actor,
                                      "gán tay " + p->provider + ":" + p->provider_txn_id);
  if (!effect) return effect.error();
  if (auto done = set_state(*p, state_for(*effect), p->producer_id, order->id, order->code,
                            actor.user_id, note_for(*effect));
      !done)
    return done.error();
  if (auto done = tx->commit(); !done) return done.error();
  return p;
}

Result<std::vector<Payment>> PaymentStore::list(const PaymentQuery& q) {
  auto s_lease = stmts_.get(std::string("SELECT ") + kColumns +
                            " FROM payments WHERE (?1 IS NULL OR producer_id = ?1) "
                            "AND (?2 IS NULL OR match_state = ?2) ORDER BY id DESC LIMIT ?3");
  if (!s_lease) return s_lease.error();
  Statement& s = s_lease->get();
  s.bind(1, q.producer_id).bind(2, q.match_state).bind(3, std::clamp(q.limit, 1, 1000));
  std::vector<Payment> payments;
  for (;;) {
    auto more = s.step();
    if (!more) return more.error();
    if (!*more) break;
    payments.push_back(read_payment(s));
  }
  return payments;
}

}  // namespace chophien::core
