#include "integrations/payos_link.h"

namespace chophien::integrations {

Result<std::optional<PaymentLink>> PayosLinkStore::find(int64_t order_id) {
  auto stmt = db_.prepare(
      "SELECT payment_link_id, checkout_url, qr_code, status, amount_vnd FROM payos_links "
      "WHERE order_id = ?1");
  if (!stmt) return stmt.error();
  stmt->bind(1, order_id);
  auto row = stmt->step();
  if (!row) return row.error();
  if (!*row) return std::optional<PaymentLink>();
  PaymentLink link;
  link.order_code = order_id;
  link.payment_link_id = stmt->column_text(0);
  link.checkout_url = stmt->column_text(1);
  link.qr_code = stmt->column_text(2);
  link.status = stmt->column_text(3);
  link.amount = stmt->column_int(4);
  link.existed = true;
  return std::optional<PaymentLink>(std::move(link));
}

Result<void> PayosLinkStore::save(int64_t order_id, const PaymentLink& link) {
  auto stmt = db_.prepare(
      "INSERT INTO payos_links (order_id, payment_link_id, checkout_url, qr_code, status, "
      "amount_vnd, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (order_id) DO "
      "UPDATE SET payment_link_id = excluded.payment_link_id, checkout_url = "
      "excluded.checkout_url, qr_code = excluded.qr_code, status = excluded.status, amount_vnd = "
      "excluded.amount_vnd");
  if (!stmt) return stmt.error();
  stmt->bind(1, order_id)
      .bind(2, link.payment_link_id)
      .bind(3, link.checkout_url)
      .bind(4, link.qr_code)
      .bind(5, link.status)
      .bind(6, link.amount)
      .bind(7, clock_.now());
  return stmt->run();
}

}  // namespace chophien::integrations
