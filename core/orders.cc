#include "core/orders.h"

#include <algorithm>
#include <array>
#include <map>

#include "core/payment_code.h"
#include "core/text.h"

namespace chophien::core {
namespace {

constexpr std::array<const char*, 5> kStatusNames = {"pending_payment", "paid", "fulfilled",
                                                     "cancelled", "expired"};

constexpr const char* kOrderColumns =
    "id, code, checkout_ref, producer_id, status, total_vnd, paid_vnd, payment_method, overpaid, "
    "customer_name, customer_phone, customer_address, delivery_method, delivery_address, note, "
    "created_at, expires_at, paid_at, updated_at, pay_bin, pay_account, pay_holder";

Order read_order(const Statement& s) {
  Order o;
  o.id = s.column_int(0);
  o.code = s.column_text(1);
  o.checkout_ref = s.column_text(2);
  o.producer_id = s.column_int(3);
  o.status = parse_order_status(s.column_text(4)).value_or(OrderStatus::pending_payment);
  o.total_vnd = s.column_int(5);
  o.paid_vnd = s.column_int(6);
  o.payment_method = s.column_text(7);
  o.overpaid = s.column_int(8) != 0;
  o.customer_name = s.column_text(9);
  o.customer_phone = s.column_text(10);
  o.customer_address = s.column_text(11);
  o.delivery_method = s.column_text(12);
  o.delivery_address = s.column_text(13);
  o.note = s.column_text(14);
  o.created_at = s.column_int(15);
  o.expires_at = s.column_int(16);
  o.paid_at = s.column_optional_int(17);
  o.updated_at = s.column_int(18);
  o.receiving.bin = s.column_text(19);
  o.receiving.account = s.column_text(20);
  o.receiving.holder = s.column_text(21);
  return o;
}

// Number of Unicode code points in valid UTF-8 (continuation bytes are not counted).
size_t char_count(std::string_view text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

std::string trim(std::string_view text) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return std::string(text);
}

bool valid_phone(std::string_view phone) {
  size_t digits = 0;
  for (size_t i = 0; i < phone.size(); ++i) {
    char c = phone[i];
    if (c >= '0' && c <= '9')
      ++digits;
    else if (c == '+' && i == 0)
      continue;
    else if (c != ' ' && c != '.' && c != '-')
      return false;
  }
  return digits >= 8 && digits <= 15;
}

std::string minutes_vi(int64_t seconds) {
  return std::to_string(std::max<int64_t>(1, (seconds + 59) / 60)) + " phút";
}

bool may_manage(const Actor& actor, int64_t producer_id) {
  switch (actor.kind) {
    case Actor::Kind::admin:
      return true;
    case Actor::Kind::producer:
      return actor.producer_id == producer_id;
    case Actor::Kind::officer:
      // An officer helping a producer (helper mode) acts for that producer only.
      return actor.producer_id && *actor.producer_id == producer_id;
    default:
      return false;
  }
}

Error product_error(std::string message, size_t line) {
  Error e = conflict(std::move(message));
  e.field = "items[" + std::to_string(line) + "]";
  return e;
}

}  // namespace

const char* order_status_name(OrderStatus status) {
  return kStatusNames[static_cast<size_t>(status)];
}

std::optional<OrderStatus> parse_order_status(std::string_view name) {
  for (size_t i = 0; i < kStatusNames.size(); ++i)
    if (name == kStatusNames[i]) return static_cast<OrderStatus>(i);
  return std::nullopt;
}

const char* actor_kind_name(Actor::Kind kind) {
  switch (kind) {
    case Actor::Kind::customer:
      return "customer";
    case Actor::Kind::producer:
      return "producer";
    case Actor::Kind::officer:
      return "officer";
    case Actor::Kind::admin:
      return "admin";
    case Actor::Kind::system:
      return "system";
  }
  return "system";
}

Result<std::string> OrderStore::unused_code() {
  auto taken_lease = stmts_.get("SELECT 1 FROM orders WHERE code = ?1");
  if (!taken_lease) return taken_lease.error();
  Statement& taken = taken_lease->get();
  for (int attempt = 0; attempt < 16; ++attempt) {
    std::string code = settings_.code_source ? settings_.code_source() : new_payment_code();
    taken.reset();
    taken.bind(1, code);
    auto row = taken.step();
    if (!row) return row.error();
    if (!*row) return code;
  }
  return Error{ErrorCode::unavailable, "không tạo được mã thanh toán, hãy thử lại", {}};
}

std::string phone_key(std::string_view phone) {
  std::string digits;
  for (char c : phone)
    if (c >= '0' && c <= '9') digits += c;
  size_t first = phone.find_first_not_of(" \t");
  if (first != std::string_view::npos && phone[first] == '+' && digits.starts_with("84")) {
    digits = "0" + digits.substr(2);
  }
  return digits;
}

Result<OrderStore::PendingCount> OrderStore::pending_for(bool by_phone, const std::string& key,
                                                         int64_t now) {
  // Each column has its own partial index (migration 0025); the SQL differs by the column only.
  auto lease = stmts_.get(
      by_phone ? "SELECT count(DISTINCT checkout_ref), min(min(expires_at, created_at + ?3)) "
                 "FROM orders WHERE phone_key = ?1 AND status = 'pending_payment' AND "
                 "created_at > ?2 - ?3 AND expires_at > ?2"
               : "SELECT count(DISTINCT checkout_ref), min(min(expires_at, created_at + ?3)) "
                 "FROM orders WHERE client_address = ?1 AND status = 'pending_payment' AND "
                 "client_address <> '' AND created_at > ?2 - ?3 AND expires_at > ?2");
  if (!lease) return lease.error();
  Statement& s = lease->get();
  s.reset();
  s.bind(1, key).bind(2, now).bind(3, settings_.pending_window_seconds);
  auto row = s.step();
  if (!row) return row.error();
  PendingCount out;
  if (*row) {
    out.checkouts = s.column_int(0);
    if (out.checkouts > 0) out.wait = std::max<int64_t>(1, s.column_int(1) - now);
  }
  s.reset();
  return out;
}

Result<int64_t> OrderStore::pending_cap_wait(const CheckoutRequest& request) {
  const int64_t now = clock_.now();
  int64_t wait = 0;
  if (settings_.max_pending_per_phone > 0) {
    auto phone = pending_for(true, phone_key(request.customer_phone), now);
    if (!phone) return phone.error();
    if (phone->checkouts >= settings_.max_pending_per_phone) wait = std::max(wait, phone->wait);
  }
  if (settings_.max_pending_per_address > 0 && !request.client_address.empty()) {
    auto address = pending_for(false, request.client_address, now);
    if (!address) return address.error();
    if (address->checkouts >= settings_.max_pending_per_address)
      wait = std::max(wait, address->wait);
  }
  return wait;
}

Result<std::vector<PlacedOrder>> OrderStore::checkout(const CheckoutRequest& request) {
  // Validation first: nothing touches the database for bad input.
  if (request.items.empty()) return invalid_input("giỏ hàng trống", "items");
  if (request.items.size() > kMaxCartLines)
    return invalid_input("giỏ hàng có quá nhiều dòng", "items");
  std::vector<CartLine> lines;  // one per product, in cart order, quantities summed
  for (size_t i = 0; i < request.items.size(); ++i) {
    const CartLine& line = request.items[i];
    if (line.quantity < 1 || line.quantity > kMaxQuantity)
      return invalid_input("số lượng phải là số nguyên từ 1 đến 1000",
                           "items[" + std::to_string(i) + "].quantity");
    auto same = std::find_if(lines.begin(), lines.end(),
                             [&](const CartLine& l) { return l.product_id == line.product_id; });
    if (same == lines.end()) {
      lines.push_back(line);
    } else if ((same->quantity += line.quantity) > kMaxQuantity) {
      return invalid_input("số lượng phải là số nguyên từ 1 đến 1000",
                           "items[" + std::to_string(i) + "].quantity");
    }
  }
  const std::string name = trim(request.customer_name);
  if (name.empty() || char_count(name) > 100)
    return invalid_input("họ tên phải có từ 1 đến 100 ký tự", "customer.name");
  const std::string phone = trim(request.customer_phone);
  if (!valid_phone(phone)) return invalid_input("số điện thoại không hợp lệ", "customer.phone");
  if (request.delivery_method != "pickup" && request.delivery_method != "delivery")
    return invalid_input("cách nhận hàng phải là pickup hoặc delivery", "delivery.method");
  const std::string delivery_address = trim(request.delivery_address);
  if (request.delivery_method == "delivery" && delivery_address.empty())
    return invalid_input("giao hàng cần địa chỉ", "delivery.address");
  if (char_count(delivery_address) > 500 || char_count(request.customer_address) > 500)
    return invalid_input("địa chỉ quá dài", "delivery.address");
  if (char_count(request.note) > 500) return invalid_input("ghi chú quá dài", "note");

  const int64_t now = clock_.now();
  auto tx = db_.begin_or_join();
  if (!tx) return tx.error();

  // The caps, counted inside the transaction that places the order: a checkout placed beside
  // this one (the same batch, another connection) is either seen here or waits for the lock.
  const std::string phone_digits = phone_key(phone);
  if (settings_.max_pending_per_phone > 0) {
    auto held = pending_for(true, phone_digits, now);
    if (!held) return held.error();
    if (held->checkouts >= settings_.max_pending_per_phone) {
      return Error{ErrorCode::rate_limited,
                   "số điện thoại này đã có " + std::to_string(held->checkouts) +
                       " đơn chưa thanh toán; hãy thanh toán đơn cũ hoặc đặt lại sau " +
                       minutes_vi(held->wait),
                   "customer.phone"};
    }
  }
  if (settings_.max_pending_per_address > 0 && !request.client_address.empty()) {
    auto held = pending_for(false, request.client_address, now);
    if (!held) return held.error();
    if (held->checkouts >= settings_.max_pending_per_address) {
      return Error{ErrorCode::rate_limited,
                   "có quá nhiều đơn chưa thanh toán từ địa chỉ mạng này; vui lòng đặt lại sau " +
                       minutes_vi(held->wait),
                   "client_address"};
    }
  }

  auto product_lease = stmts_.get(
      "SELECT producer_id, name, unit, price_vnd, stock, status FROM products WHERE id = ?1");
  if (!product_lease) return product_lease.error();
  Statement& product = product_lease->get();
  auto take_lease = stmts_.get(
      "UPDATE products SET stock = stock - ?2 WHERE id = ?1 AND status = 'active' AND stock >= ?2");
  if (!take_lease) return take_lease.error();
  Statement& take = take_lease->get();

  struct Group {
    int64_t producer_id;
    std::vector<OrderItem> items;
    int64_t total = 0;
  };
  std::vector<Group> groups;
  for (size_t i = 0; i < lines.size(); ++i) {
    const CartLine& line = lines[i];
    product.reset();
    product.bind(1, line.product_id);
    auto found = product.step();
    if (!found) return found.error();
    if (!*found)
      return product_error("sản phẩm #" + std::to_string(line.product_id) + " không tồn tại", i);
    OrderItem item{line.product_id, product.column_text(1), product.column_text(2), line.quantity,
                   product.column_int(3)};
    const int64_t producer_id = product.column_int(0);
    const int64_t stock = product.column_int(4);
    if (product.column_text(5) != "active")
      return product_error("sản phẩm «" + item.name + "» hiện không bán", i);
    if (stock < line.quantity)
      return product_error("sản phẩm «" + item.name + "» chỉ còn " + std::to_string(stock), i);
    take.reset();
    take.bind(1, line.product_id).bind(2, line.quantity);
    if (auto done = take.run(); !done) return done.error();
    if (db_.changes() != 1)  // cannot happen inside BEGIN IMMEDIATE; kept as a guard
      return product_error("sản phẩm «" + item.name + "» không đủ hàng", i);
    auto group = std::find_if(groups.begin(), groups.end(),
                              [&](const Group& g) { return g.producer_id == producer_id; });
    if (group == groups.end()) group = groups.insert(groups.end(), Group{producer_id, {}, 0});
    group->total += item.quantity * item.unit_price_vnd;
    group->items.push_back(std::move(item));
  }

  auto insert_order_lease = stmts_.get(
      "INSERT INTO orders (code, token_hash, checkout_ref, producer_id, status, total_vnd, "
      "customer_name, customer_phone, customer_address, delivery_method, delivery_address, note, "
      "created_at, expires_at, updated_at, phone_key, client_address, pay_bin, pay_account, "
      "pay_holder) "
      "VALUES (?1, ?2, ?3, ?4, 'pending_payment', ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?12, "
      "?14, ?15, ?16, ?17, ?18)");
  if (!insert_order_lease) return insert_order_lease.error();
  Statement& insert_order = insert_order_lease->get();
  auto insert_item_lease = stmts_.get(
      "INSERT INTO order_items (order_id, product_id, name, unit, quantity, unit_price_vnd) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (!insert_item_lease) return insert_item_lease.error();
  Statement& insert_item = insert_item_lease->get();
  // The account the order's QR shows, kept with the order (a later change of the producer's
  // account applies to later orders only).
  auto account_lease =
      stmts_.get("SELECT bank_bin, bank_account, bank_holder FROM producers WHERE id = ?1");
  if (!account_lease) return account_lease.error();
  Statement& account = account_lease->get();

  const std::string checkout_ref = new_access_token();
  std::vector<PlacedOrder> placed;
  for (Group& group : groups) {
    auto code = unused_code();
    if (!code) return code.error();
    PlacedOrder p;
    p.token = new_access_token();
    Order& o = p.order;
    o.code = *code;
    o.checkout_ref = checkout_ref;
    o.producer_id = group.producer_id;
    o.total_vnd = group.total;
    o.customer_name = name;
    o.customer_phone = phone;
    o.customer_address = trim(request.customer_address);
    o.delivery_method = request.delivery_method;
    o.delivery_address = delivery_address;
    o.note = trim(request.note);
    o.created_at = now;
    o.expires_at = now + settings_.payment_ttl_seconds;
    o.updated_at = now;
    account.reset();
    account.bind(1, o.producer_id);
    auto has_account = account.step();
    if (!has_account) return has_account.error();
    if (*has_account) {
      o.receiving.bin = account.column_text(0);
      o.receiving.account = account.column_text(1);
      o.receiving.holder = account.column_text(2);
    }
    insert_order.reset();
    insert_order.bind(1, o.code)
        .bind(2, hash_access_token(p.token))
        .bind(3, o.checkout_ref)
        .bind(4, o.producer_id)
        .bind(5, o.total_vnd)
        .bind(6, o.customer_name)
        .bind(7, o.customer_phone)
        .bind(8, o.customer_address)
        .bind(9, o.delivery_method)
        .bind(10, o.delivery_address)
        .bind(11, o.note)
        .bind(12, now)
        .bind(13, o.expires_at)
        .bind(14, phone_digits)
        .bind(15, request.client_address)
        .bind(16, o.receiving.bin)
        .bind(17, o.receiving.account)
        .bind(18, o.receiving.holder);
    if (auto done = insert_order.run(); !done) return done.error();
    o.id = db_.last_insert_id();
    for (const OrderItem& item : group.items) {
      insert_item.reset();
      insert_item.bind(1, o.id)
          .bind(2, item.product_id)
          .bind(3, item.name)
          .bind(4, item.unit)
          .bind(5, item.quantity)
          .bind(6, item.unit_price_vnd);
      if (auto done = insert_item.run(); !done) return done.error();
    }
    o.items = std::move(group.items);
    if (auto done = record_event(o.id, std::nullopt, OrderStatus::pending_payment,
                                 Actor::customer(), "", now);
        !done)
      return done.error();
    placed.push_back(std::move(p));
  }
  if (auto done = tx->commit(); !done) return done.error();
  return placed;
}

std::vector<Result<std::vector<PlacedOrder>>> OrderStore::checkout_batch(
    const std::vector<const CheckoutRequest*>& requests) {
  std::vector<Result<std::vector<PlacedOrder>>> out;
  out.reserve(requests.size());
  auto run = [&](const char* sql) -> bool {
    auto lease = stmts_.get(sql);
    return lease && lease->get().run();
  };
  // false when the transaction is lost: then nothing of it was stored, and it is rolled back.
  auto batch = [&](Transaction tx) -> bool {
    for (const CheckoutRequest* request : requests) {
      if (!run("SAVEPOINT checkout")) return false;
      auto placed = checkout(*request);
      // Some errors (I/O, memory) make SQLite roll the whole transaction back itself.
      if (!placed && (!db_.in_transaction() || !run("ROLLBACK TO checkout"))) return false;
      if (!run("RELEASE checkout")) return false;
      out.push_back(std::move(placed));
    }
    return static_cast<bool>(tx.commit());
  };
  auto tx = db_.begin();
  if (!tx) {  // busy past the timeout: the same answer for all, rather than N more waits
    for (size_t i = 0; i < requests.size(); ++i) out.emplace_back(tx.error());
    return out;
  }
  if (batch(std::move(*tx))) return out;
  out.clear();
  for (const CheckoutRequest* request : requests) out.push_back(checkout(*request));
  return out;
}

Result<void> OrderStore::record_event(int64_t order_id, std::optional<OrderStatus> from,
                                      OrderStatus to, const Actor& actor, std::string_view note,
                                      int64_t at) {
  auto s_lease = stmts_.get(
      "INSERT INTO order_events (order_id, from_status, to_status, actor_kind, actor_id, note, at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  if (!s_lease) return s_lease.error();
  Statement& s = s_lease->get();
  s.bind(1, order_id);
  if (from)
    s.bind(2, order_status_name(*from));
  else
    s.bind_null(2);
  s.bind(3, order_status_name(to))
      .bind(4, actor_kind_name(actor.kind))
      .bind(5, actor.user_id)
      .bind(6, note)
      .bind(7, at);
  return s.run();
}

Result<Order> OrderStore::load(const std::string& where, std::string_view code, int64_t id) {
  auto s_lease = stmts_.get(std::string("SELECT ") + kOrderColumns + " FROM orders WHERE " + where);
  if (!s_lease) return s_lease.error();
  Statement& s = s_lease->get();
  if (where.starts_with("code"))
    s.bind(1, code);
  else
    s.bind(1, id);
  auto found = s.step();
  if (!found) return found.error();
  if (!*found) return not_found("không tìm thấy đơn hàng");
  Order o = read_order(s);
  auto items = items_of(o.id);
  if (!items) return items.error();
  o.items = std::move(*items);
  return o;
}

Result<std::vector<OrderItem>> OrderStore::items_of(int64_t order_id) {
  auto s_lease = stmts_.get(
      "SELECT product_id, name, unit, quantity, unit_price_vnd FROM order_items "
      "WHERE order_id = ?1 ORDER BY id");
  if (!s_lease) return s_lease.error();
  Statement& s = s_lease->get();
  s.bind(1, order_id);
  std::vector<OrderItem> items;
  for (;;) {
    auto more = s.step();
    if (!more) return more.error();
    if (!*more) break;
    items.push_back(
        {s.column_int(0), s.column_text(1), s.column_text(2), s.column_int(3), s.column_int(4)});
  }
  return items;
}

Result<Order> OrderStore::find_by_code(std::string_view code) { return load("code = ?1", code, 0); }

Result<Order> OrderStore::find_by_id(int64_t order_id) { return load("id = ?1", {}, order_id); }

Result<Order> OrderStore::find_for_customer(std::string_view code, std::string_view token) {
  auto s_lease = stmts_.get("SELECT token_hash FROM orders WHERE code = ?1");
  if (!s_lease) return s_lease.error();
  Statement& s = s_lease->get();
  s.bind(1, code);
  auto found = s.step();
  if (!found) return found.error();
  // Hash even when the code is unknown, so both failures take the same time.
  const std::string stored = *found ? s.column_text(0) : std::string(64, '0');
  if (!access_token_matches(token, stored) || !*found) return not_found("không tìm thấy đơn hàng");
  return find_by_code(code);
}

Result<std::vector<Order>> OrderStore::list(const OrderQuery& q) {
  auto s_lease = stmts_.get(std::string("SELECT ") + kOrderColumns +
                            " FROM orders WHERE (?1 IS NULL OR producer_id = ?1) "
                            "AND (?2 IS NULL OR status = ?2) AND (?3 IS NULL OR created_at >= ?3) "
                            "AND (?4 IS NULL OR created_at < ?4) "
                            "ORDER BY created_at DESC, id DESC LIMIT ?5 OFFSET ?6");
  if (!s_lease) return s_lease.error();
  Statement& s = s_lease->get();
  s.bind(1, q.producer_id);
  if (q.status)
    s.bind(2, order_status_name(*q.status));
  else
    s.bind_null(2);
  s.bind(3, q.from)
      .bind(4, q.to)
      .bind(5, std::clamp(q.limit, 1, 1000))
      .bind(6, std::max<int64_t>(q.offset, 0));
  std::vector<Order> orders;
  for (;;) {
    auto more = s.step();
    if (!more) return more.error();
    if (!*more) break;
    orders.push_back(read_order(s));
  }
  return orders;
}

Result<std::vector<OrderEvent>> OrderStore::events(int64_t order_id) {
  auto s_lease = stmts_.get(
      "SELECT id, order_id, from_status, to_status, actor_kind, actor_id, note, at "
      "FROM order_events WHERE order_id = ?1 ORDER BY id");
  if (!s_lease) return s_lease.error();
  Statement& s = s_lease->get();
  s.bind(1, order_id);
  std::vector<OrderEvent> events;
  for (;;) {
    auto more = s.step();
    if (!more) return more.error();
    if (!*more) break;
    events.push_back({s.column_int(0), s.column_int(1), s.column_optional_text(2), s.column_text(3),
                      s.column_text(4), s.column_optional_int(5), s.column_text(6),
                      s.column_int(7)});
  }
  return events;
}

Result<void> OrderStore::change_status(const Order& order, OrderStatus to, const Actor& actor,
                                       std::string_view note) {
  const int64_t now = clock_.now();
  auto s_lease =
      stmts_.get("UPDATE orders SET status = ?3, updated_at = ?4 WHERE id = ?1 AND status = ?2");
  if (!s_lease) return s_lease.error();
  Statement& s = s_lease->get();
  s.bind(1, order.id)
      .bind(2, order_status_name(order.status))
      .bind(3, order_status_name(to))
      .bind(4, now);
  if (auto done = s.run(); !done) return done.error();
  if (db_.changes() != 1) return conflict("trạng thái đơn hàng đã thay đổi");
  return record_event(order.id, order.status, to, actor, note, now);
}

Result<void> OrderStore::release_stock(int64_t order_id) {
  auto s_lease = stmts_.get(
      "UPDATE products SET stock = MIN(stock + i.quantity, ?2) FROM "
      "(SELECT product_id, SUM(quantity) AS quantity FROM order_items WHERE order_id = ?1 "
      "GROUP BY product_id) AS i WHERE products.id = i.product_id");
  if (!s_lease) return s_lease.error();
  Statement& s = s_lease->get();
  s.bind(1, order_id).bind(2, int64_t{1'000'000'000});
  return s.run();
}

Result<PaymentEffect> OrderStore::apply_payment(int64_t order_id, int64_t amount_vnd,
                                                std::string_view method, const Actor& actor,
                                                std::string_view note) {
  // Only the columns the payment needs: no items, no customer fields.
  struct {
    OrderStatus status;
    int64_t producer_id, total_vnd, paid_vnd;
    std::string code;
  } order;
  {
    auto find_lease = stmts_.get(
        "SELECT status, producer_id, total_vnd, paid_vnd, code FROM orders WHERE id = ?1");
    if (!find_lease) return find_lease.error();
    Statement& find = find_lease->get();
    find.bind(1, order_id);
    auto found = find.step();
    if (!found) return found.error();
    if (!*found) return not_found("không tìm thấy đơn hàng");
    order = {parse_order_status(find.column_text(0)).value_or(OrderStatus::pending_payment),
             find.column_int(1), find.column_int(2), find.column_int(3), find.column_text(4)};
  }
  if (order.status == OrderStatus::expired || order.status == OrderStatus::cancelled)
    return PaymentEffect::late;
  const int64_t now = clock_.now();
  const int64_t paid = order.paid_vnd + amount_vnd;
  const bool was_pending = order.status == OrderStatus::pending_payment;
  const bool complete = paid >= order.total_vnd;
  const bool over = paid > order.total_vnd;
  auto s_lease = stmts_.get(
      "UPDATE orders SET paid_vnd = ?2, overpaid = ?3, updated_at = ?4, "
      "payment_method = COALESCE(payment_method, ?5), "
      "paid_at = CASE WHEN ?6 THEN ?4 ELSE paid_at END, "
      "status = CASE WHEN ?6 THEN 'paid' ELSE status END WHERE id = ?1");
  if (!s_lease) return s_lease.error();
  Statement& s = s_lease->get();
  const bool becomes_paid = was_pending && complete;
  s.bind(1, order_id)
      .bind(2, paid)
      .bind(3, over ? 1 : 0)
      .bind(4, now)
      .bind(5, becomes_paid ? std::optional<std::string>(std::string(method)) : std::nullopt)
      .bind(6, becomes_paid ? 1 : 0);
  if (auto done = s.run(); !done) return done.error();
  if (!was_pending) return PaymentEffect::overpaid;  // money for an order already paid
  if (!complete) return PaymentEffect::partial;
  if (auto done =
          record_event(order_id, OrderStatus::pending_payment, OrderStatus::paid, actor, note, now);
      !done)
    return done.error();
  SaleEntry sale;
  sale.producer_id = order.producer_id;
  sale.channel = "storefront";
  sale.settlement = method == "cash" ? "cash" : "bank_transfer";
  sale.amount_vnd = order.total_vnd;
  sale.occurred_at = now;
  sale.source_kind = "order";
  sale.source_ref = std::move(order.code);
  if (order.total_vnd > 0) {
    if (auto row = ledger_.append(sale); !row) return row.error();
  }
  return over ? PaymentEffect::overpaid : PaymentEffect::paid;
}

Result<Order> OrderStore::mark_paid(std::string_view code, const Actor& actor,
                                    std::string_view method, int64_t amount_vnd,
                                    std::string_view note, const InTransaction& also) {
  if (method != "cash" && method != "bank_transfer")
    return invalid_input("hình thức phải là cash hoặc bank_transfer", "method");
  if (amount_vnd < 0 || amount_vnd > 10'000'000'000)
    return invalid_input("số tiền không hợp lệ", "amount_vnd");
  if (char_count(note) > 500) return invalid_input("ghi chú quá dài", "note");
  auto tx = db_.begin();
  if (!tx) return tx.error();
  auto order = find_by_code(code);
  if (!order) return order.error();
  if (!may_manage(actor, order->producer_id))
    return Error{ErrorCode::forbidden, "đơn hàng của chủ thể khác", {}};
  if (order->status != OrderStatus::pending_payment)
    return conflict(std::string("đơn hàng đang ở trạng thái ") + order_status_name(order->status));
  const int64_t amount = amount_vnd == 0 ? order->total_vnd - order->paid_vnd : amount_vnd;
  if (amount <= 0) return invalid_input("số tiền không hợp lệ", "amount_vnd");
  auto effect = apply_payment(order->id, amount, method, actor, note);
  if (!effect) return effect.error();
  if (*effect == PaymentEffect::partial) {
    // The order stays pending; the event shows who took how much, and how.
    std::string what = "Đã nhận " + format_vnd(amount) +
                       (method == "cash" ? " tiền mặt" : " chuyển khoản") + ", còn thiếu " +
                       format_vnd(order->total_vnd - order->paid_vnd - amount);
    if (!note.empty()) what += ". " + std::string(note);
    if (auto done = record_event(order->id, OrderStatus::pending_payment,
                                 OrderStatus::pending_payment, actor, what, clock_.now());
        !done)
      return done.error();
  }
  if (also) {
    if (auto done = also(); !done) return done.error();
  }
  if (auto done = tx->commit(); !done) return done.error();
  return find_by_code(code);
}

Result<Order> OrderStore::transition(std::string_view code, const Actor& actor,
                                     std::string_view note, OrderStatus to,
                                     const InTransaction& also) {
  if (char_count(note) > 500) return invalid_input("ghi chú quá dài", "note");
  auto tx = db_.begin();
  if (!tx) return tx.error();
  auto order = find_by_code(code);
  if (!order) return order.error();
  if (!may_manage(actor, order->producer_id))
    return Error{ErrorCode::forbidden, "đơn hàng của chủ thể khác", {}};
  const OrderStatus from = order->status;
  const bool allowed = (to == OrderStatus::fulfilled && from == OrderStatus::paid) ||
                       (to == OrderStatus::cancelled &&
                        (from == OrderStatus::pending_payment || from == OrderStatus::paid));
  if (!allowed)
    return conflict(std::string("không thể chuyển đơn hàng từ ") + order_status_name(from) +
                    " sang " + order_status_name(to));
  if (auto done = change_status(*order, to, actor, note); !done) return done.error();
  if (to == OrderStatus::cancelled) {
    if (auto done = release_stock(order->id); !done) return done.error();
    if (from == OrderStatus::paid) {
      auto sale = ledger_.find_by_source("order", order->code);
      if (!sale) return sale.error();
      if (*sale) {
        auto refund = ledger_.append_refund((*sale)->id, (*sale)->amount_vnd, actor.user_id,
                                            "huỷ đơn " + order->code);
        if (!refund) return refund.error();
      }
    }
  }
  if (also) {
    if (auto done = also(); !done) return done.error();
  }
  if (auto done = tx->commit(); !done) return done.error();
  return find_by_code(code);
}

Result<Order> OrderStore::fulfil(std::string_view code, const Actor& actor, std::string_view note,
                                 const InTransaction& also) {
  return transition(code, actor, note, OrderStatus::fulfilled, also);
}

Result<Order> OrderStore::cancel(std::string_view code, const Actor& actor, std::string_view note,
                                 const InTransaction& also) {
  return transition(code, actor, note, OrderStatus::cancelled, also);
}

Result<int> OrderStore::expire_due() {
  constexpr int kBatch = 200;
  int expired = 0;
  for (;;) {
    auto tx = db_.begin();
    if (!tx) return tx.error();
    auto due_lease =
        stmts_.get(std::string("SELECT ") + kOrderColumns +
                   " FROM orders WHERE status = 'pending_payment' AND expires_at <= ?1 "
                   "ORDER BY expires_at LIMIT ?2");
    if (!due_lease) return due_lease.error();
    Statement& due = due_lease->get();
    due.bind(1, clock_.now()).bind(2, kBatch);
    std::vector<Order> orders;
    for (;;) {
      auto more = due.step();
      if (!more) return more.error();
      if (!*more) break;
      orders.push_back(read_order(due));
    }
    for (const Order& order : orders) {
      if (auto done = change_status(order, OrderStatus::expired, Actor::system(), "hết hạn"); !done)
        return done.error();
      if (auto done = release_stock(order.id); !done) return done.error();
    }
    if (auto done = tx->commit(); !done) return done.error();
    expired += static_cast<int>(orders.size());
    if (static_cast<int>(orders.size()) < kBatch) return expired;
  }
}

}  // namespace chophien::core
