#pragma once
// Orders: checkout of a cart into one order per producer, the payment code and access token,
// stock reservation, and the status machine
//
//   pending_payment -> paid -> fulfilled
//   pending_payment -> cancelled | expired    (the reserved stock is given back)
//   paid -> cancelled                         (producer or admin; stock given back and a
//                                              negative refund row written to the ledger)
//
// fulfilled, cancelled and expired are final. Every transition (and the creation) is recorded in
// order_events with the actor and the time. A paid order writes one storefront row to the sales
// ledger (amount = total_vnd, settlement bank_transfer or cash).
//
// Checkout rules (api.md): 1..100 cart lines, quantities 1..1000 (the same product twice is
// summed), customer name 1..100 characters and a phone of 8..15 digits (spaces, dots, dashes
// and a leading + allowed), delivery pickup or delivery (delivery needs an address), note at
// most 500 characters. An unknown, inactive or out-of-stock product gives conflict naming the
// product, and nothing is created. All orders, items, events and stock reservations are written
// in ONE transaction (BEGIN IMMEDIATE), so concurrent checkouts never oversell and a process
// killed mid-way leaves nothing behind. Unit prices are snapshotted. Unpaid orders expire after
// OrderSettings::payment_ttl_seconds (default 2 hours, as in api.md's example).
//
// Caps on unpaid orders (OrderSettings::max_pending_per_phone / _per_address): a checkout is
// refused with rate_limited while the customer's phone number (or the client address it came
// from) already holds that many unpaid checkouts placed within the window, so one visitor cannot
// reserve the whole stock. A checkout counts once however many producers' orders it made; paid,
// cancelled and expired ones never count. The count is taken inside the checkout's transaction,
// so checkouts written together (checkout_batch) see each other.
//
// Thread-safety: one Database connection, one thread at a time; open one OrderStore per thread on
// the same file for concurrency.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/database.h"
#include "core/ledger.h"
#include "core/producers.h"
#include "core/result.h"
#include "core/statement_cache.h"

namespace chophien::core {

enum class OrderStatus { pending_payment, paid, fulfilled, cancelled, expired };
const char* order_status_name(OrderStatus status);
std::optional<OrderStatus> parse_order_status(std::string_view name);

// Who did something. user_id is the signed-in user (none for customers and the system);
// producer_id is the producer a producer user is bound to.
struct Actor {
  enum class Kind { customer, producer, officer, admin, system };
  Kind kind = Kind::system;
  std::optional<int64_t> user_id;
  std::optional<int64_t> producer_id;

  static Actor system() { return {}; }
  static Actor customer() { return {Kind::customer, std::nullopt, std::nullopt}; }
  static Actor producer(int64_t user, int64_t producer) { return {Kind::producer, user, producer}; }
  static Actor admin(int64_t user) { return {Kind::admin, user, std::nullopt}; }
  static Actor officer(int64_t user) { return {Kind::officer, user, std::nullopt}; }
  // An officer in helper mode, acting for one producer (may manage that producer's orders).
  static Actor officer_for(int64_t user, int64_t producer) {
    return {Kind::officer, user, producer};
  }
};
const char* actor_kind_name(Actor::Kind kind);

inline constexpr int kMaxQuantity = 1000;
inline constexpr size_t kMaxCartLines = 100;

struct CartLine {
  int64_t product_id = 0;
  int64_t quantity = 0;
};

struct CheckoutRequest {
  std::vector<CartLine> items;
  std::string customer_name;
  std::string customer_phone;
  std::string customer_address;
  std::string delivery_method = "pickup";  // pickup | delivery
  std::string delivery_address;
  std::string note;
  // Where the checkout came from (storefront/client_address.h); "" when unknown: then only the
  // phone number is capped.
  std::string client_address;
};

// A phone number as the checkout caps count it: its digits, a leading +84 written as 0
// ("+84 912.345.678" and "0912345678" are one number).
std::string phone_key(std::string_view phone);

struct OrderItem {
  int64_t product_id = 0;
  std::string name;
  std::string unit;
  int64_t quantity = 0;
  int64_t unit_price_vnd = 0;
};

struct Order {
  int64_t id = 0;
  std::string code;
  std::string checkout_ref;
  int64_t producer_id = 0;
  OrderStatus status = OrderStatus::pending_payment;
  int64_t total_vnd = 0;
  int64_t paid_vnd = 0;
  std::string payment_method;  // "", bank_transfer or cash
  bool overpaid = false;
  std::string customer_name;
  std::string customer_phone;
  std::string customer_address;
  std::string delivery_method;
  std::string delivery_address;
  std::string note;
  int64_t created_at = 0;
  int64_t expires_at = 0;
  std::optional<int64_t> paid_at;
  int64_t updated_at = 0;
  // The producer's receiving account when the order was placed: what its QR shows and where
  // its transfer is expected. Empty when the producer had none then.
  BankAccount receiving;
  std::vector<OrderItem> items;
};

// A new order and its access token, which exists only here (only its hash is stored).
struct PlacedOrder {
  Order order;
  std::string token;
};

struct OrderEvent {
  int64_t id = 0;
  int64_t order_id = 0;
  std::optional<std::string> from_status;  // none for the creation
  std::string to_status;
  std::string actor_kind;
  std::optional<int64_t> actor_id;
  std::string note;
  int64_t at = 0;
};

struct OrderQuery {
  std::optional<int64_t> producer_id;
  std::optional<OrderStatus> status;
  std::optional<int64_t> from;  // created_at >= from
  std::optional<int64_t> to;    // created_at < to
  int limit = 100;              // 1..1000
  int64_t offset = 0;           // rows skipped first, for paging (0..)
};

struct OrderSettings {
  int64_t payment_ttl_seconds = 2 * 3600;
  // Where payment codes come from; new_payment_code() when empty. A code already taken is
  // drawn again (up to 16 times, then unavailable). Tests use this to force collisions.
  std::function<std::string()> code_source;
  // Unpaid checkouts one phone number / one client address may hold, placed within the last
  // pending_window_seconds; 0: no cap.
  int max_pending_per_phone = 0;
  int max_pending_per_address = 0;
  int64_t pending_window_seconds = 3600;
};

// What applying an amount to an order did (see apply_payment).
enum class PaymentEffect { paid, partial, overpaid, late };

class OrderStore {
 public:
  // Runs inside the transaction of a change by mark_paid, fulfil or cancel, after the change and
  // before the commit (the workspace writes its action log there): an error from it rolls the
  // change back and is returned.
  using InTransaction = std::function<Result<void>()>;

  // `db` and `clock` must outlive this object.
  OrderStore(Database& db, const Clock& clock, OrderSettings settings = {})
      : db_(db), clock_(clock), settings_(settings), ledger_(db, clock), stmts_(db) {}

  // Errors: invalid_input (field named: items, quantity, customer.name, customer.phone,
  // delivery.method, delivery.address, note), conflict (a product unknown, inactive or short of
  // stock: the message names it), rate_limited (a cap on unpaid orders; field customer.phone or
  // client_address: see pending_cap_wait()), unavailable (database busy).
  // Joins a transaction already open on the connection (its owner commits).
  Result<std::vector<PlacedOrder>> checkout(const CheckoutRequest& request);

  // Group commit: the checkouts in ONE transaction, each in its own savepoint, so one that is
  // refused (bad input, a product short of stock) changes nothing and leaves the others; the
  // results are checkout()'s, in order. Should the shared transaction be lost (busy, I/O), each
  // checkout is run again on its own. The stock rules are those of checkout(): the checkouts of
  // a batch take stock one after the other, as if each had its own transaction.
  std::vector<Result<std::vector<PlacedOrder>>> checkout_batch(
      const std::vector<const CheckoutRequest*>& requests);

  // Seconds until a checkout of this phone and client address would no longer meet a cap (the
  // first counted checkout leaves the window or expires); 0 when none is met now. For
  // Retry-After after rate_limited.
  Result<int64_t> pending_cap_wait(const CheckoutRequest& request);

  // By code, no token: for the producer, officers and admins (the caller authorises).
  Result<Order> find_by_code(std::string_view code);
  // By code and token (compared in constant time). A wrong token is not_found, like an
  // unknown code, so that a code alone reveals nothing.
  Result<Order> find_for_customer(std::string_view code, std::string_view token);
  Result<std::vector<Order>> list(const OrderQuery& query);  // newest first, without items
  Result<std::vector<OrderEvent>> events(int64_t order_id);

  // A producer records a payment seen by hand: method cash or bank_transfer, amount 1.. (0 means
  // the remainder). Adds to paid_vnd; at or above the total the order becomes paid.
  // Errors: forbidden (another producer's order), conflict (not pending_payment).
  Result<Order> mark_paid(std::string_view code, const Actor& actor, std::string_view method,
                          int64_t amount_vnd, std::string_view note,
                          const InTransaction& also = {});
  // paid -> fulfilled (the owning producer or an admin).
  Result<Order> fulfil(std::string_view code, const Actor& actor, std::string_view note,
                       const InTransaction& also = {});
  // pending_payment or paid -> cancelled (the owning producer or an admin).
  Result<Order> cancel(std::string_view code, const Actor& actor, std::string_view note,
                       const InTransaction& also = {});

  // Expires every pending order whose expires_at <= now, releasing its stock; returns how many.
  // One transaction per batch of at most 200 orders.
  Result<int> expire_due();

  // For payment matching, inside the caller's transaction: adds `amount_vnd` received for
  // order `order_id` with `method`, moving pending_payment to paid when the total is reached.
  // A payment for an expired or cancelled order changes nothing and reports `late`.
  Result<PaymentEffect> apply_payment(int64_t order_id, int64_t amount_vnd, std::string_view method,
                                      const Actor& actor, std::string_view note);
  Result<Order> find_by_id(int64_t order_id);

 private:
  Result<Order> transition(std::string_view code, const Actor& actor, std::string_view note,
                           OrderStatus to, const InTransaction& also);
  Result<void> record_event(int64_t order_id, std::optional<OrderStatus> from, OrderStatus to,
                            const Actor& actor, std::string_view note, int64_t at);
  Result<void> change_status(const Order& order, OrderStatus to, const Actor& actor,
                             std::string_view note);
  Result<void> release_stock(int64_t order_id);
  Result<std::vector<OrderItem>> items_of(int64_t order_id);
  Result<Order> load(const std::string& where, std::string_view code, int64_t id);
  Result<std::string> unused_code();
  // For the caps: how many unpaid checkouts `key` holds in the window, and the seconds until the
  // first of them stops counting.
  struct PendingCount {
    int64_t checkouts = 0;
    int64_t wait = 0;
  };
  Result<PendingCount> pending_for(bool by_phone, const std::string& key, int64_t now);

  Database& db_;
  const Clock& clock_;
  OrderSettings settings_;
  Ledger ledger_;
  StatementCache stmts_;
};

}  // namespace chophien::core
