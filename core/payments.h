#pragma once
// Received bank transfers (SePay, Casso, payOS webhooks, or typed in by hand) and their matching
// to orders: product.md flow 3 and integrations.md section 5.
//
// A payment belongs to one producer: the one whose connection received it (the webhook's
// ?producer=, the connection reconciliation asked), set by the caller in
// BankNotification::producer_id and never looked up by account number. It can pay only that
// producer's orders and record only that producer's sales. Before calling receive(), the caller
// checks that the notification names an account the producer receives on now (receives_into():
// the producer's registered account, or an earlier one a recent order of theirs shows); a
// notification that does not is refused there and never reaches this store. (Matching checks it
// again: a row stored otherwise is left 'unmatched'.)
//
// receive() first stores the notification raw under the unique key (producer, provider,
// provider_txn_id): the same notification twice stores nothing new and returns the existing result
// (duplicate = true); another producer's notification with the same id is another payment. Then it
// matches, in the same transaction as the order update and the ledger row; if matching fails, that
// transaction is rolled back and the raw row is stored alone ('received'). The match states:
//   matched        a valid code (check character) of an order of the payment's producer, exact
//                  amount (or completing earlier partial transfers): the order is paid
//   partial        less than the order's remainder: it stays pending_payment, paid_vnd records
//                  the sum; later transfers can complete it
//   overpaid       more than the total: paid, and flagged for a refund; also money for an order
//                  already paid
//   late           for an expired or cancelled order: kept, the order unchanged, flagged for the
//                  producer
//   wrong_account  a valid code of another producer's order: flagged for the payment's producer
//                  only; that order is not touched, not even linked (order_id stays empty)
//   stall          incoming, with no order code at all: a sale at the stall by static QR, written
//                  to the payment producer's ledger (channel stall_qr, source
//                  provider:producer:provider_txn_id)
//   ignored        outgoing transfer (stored, nothing else)
//   unmatched      anything else (a code of no order, a code with a wrong check character, zero
//                  amount, an account the producer does not receive on, a row of before
//                  migration 0024 with no known producer): kept for
//                  review, assignable by hand
//   received       stored but not matched yet (only seen if matching failed; match_pending()
//                  retries)
//
// Thread-safety: one Database connection, one thread at a time; one PaymentStore per thread on
// the same file for concurrency (the unique key and BEGIN IMMEDIATE serialise duplicates).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/database.h"
#include "core/ledger.h"
#include "core/orders.h"
#include "core/result.h"
#include "core/statement_cache.h"

namespace chophien::core {

struct BankNotification {
  // The producer whose connection received it (or who typed it in): required, 1..
  std::optional<int64_t> producer_id;
  std::string provider;                   // sepay, casso, payos, manual
  std::string provider_txn_id;            // the provider's dedup key (1..200 characters)
  std::string direction = "in";           // in, out
  int64_t amount_vnd = 0;                 // >= 0 (Casso's negative amounts arrive as direction out)
  std::string account_number;             // the receiving account (one of the producer's)
  std::string description;                // the transfer description as sent
  std::optional<int64_t> transaction_at;  // the bank's time, unix seconds
  std::string raw_body;                   // the body as received, at most 1 MiB
};

struct Payment {
  int64_t id = 0;
  std::string provider;
  std::string provider_txn_id;
  std::string direction;
  int64_t amount_vnd = 0;
  std::string account_number;
  std::string description;
  std::optional<int64_t> transaction_at;
  int64_t received_at = 0;
  std::string match_state;
  std::optional<int64_t> producer_id;
  std::optional<int64_t> order_id;
  std::optional<std::string> matched_code;
  std::optional<int64_t> matched_at;
  std::optional<int64_t> matched_by_user;
  std::string note;
};

struct ReceiveOutcome {
  Payment payment;
  bool duplicate = false;  // this (producer, provider, provider_txn_id) had been received before
};

struct PaymentQuery {
  std::optional<int64_t> producer_id;
  std::optional<std::string> match_state;
  int limit = 100;  // 1..1000
};

class PaymentStore {
 public:
  // `db` and `clock` must outlive this object.
  PaymentStore(Database& db, const Clock& clock)
      : db_(db), clock_(clock), orders_(db, clock), ledger_(db, clock), stmts_(db) {}

  // Whether `producer_id` receives payments into `account_number` now: it is the producer's
  // registered account, or an earlier account that one of that producer's orders of the last
  // kEarlierAccountDays shows (an order placed before the producer changed accounts keeps the
  // account its QR shows, and its transfer, or a late or second one, still arrives there) while
  // no other producer has registered that account since. Never true for an empty account number.
  static constexpr int64_t kEarlierAccountDays = 90;
  Result<bool> receives_into(int64_t producer_id, std::string_view account_number);

  // Stores, then matches. Errors: invalid_input (field named; producer_id missing); unavailable
  // (busy). When matching fails after storing, the payment stays 'received' and the error is
  // returned.
  Result<ReceiveOutcome> receive(const BankNotification& notification);

  // receive() for several notifications in ONE write transaction (one commit, so a burst of
  // webhooks costs one write of the log instead of one each). Each notification is stored and
  // matched inside its own savepoint: one that is refused or whose matching fails changes
  // nothing for the others (a failed match leaves its raw row 'received', as receive() does).
  // Outcomes are in the order of `notifications`. When the database stays busy past the timeout,
  // each valid notification gets that unavailable error (no second wait per notification); should
  // the transaction be lost later (I/O error), every notification goes through receive() alone. The
  // same notification twice in one batch is stored once; the second is a duplicate.
  std::vector<Result<ReceiveOutcome>> receive_batch(
      const std::vector<const BankNotification*>& notifications);

  // Matches a stored 'received' payment; any other state is returned unchanged.
  Result<Payment> match(int64_t payment_id);
  // Matches every payment still 'received'; returns how many.
  Result<int> match_pending();

  // A person assigns an 'unmatched' payment to an order of the payment's producer. The amount is
  // applied as a transfer would be. Errors: not_found, forbidden (a producer user of another
  // producer), conflict (payment not unmatched, or the order belongs to another producer). Joins
  // the caller's transaction when one is open.
  Result<Payment> assign(int64_t payment_id, std::string_view order_code, const Actor& actor);

  Result<Payment> find(int64_t payment_id);
  Result<std::vector<Payment>> list(const PaymentQuery& query);  // newest first

 private:
  // Inside a transaction; updates `payment` to what it stored.
  Result<void> decide(Payment& payment);
  // Inside a transaction: the raw row, or nothing when the key is already stored.
  Result<std::optional<int64_t>> insert_raw(const BankNotification& n, int64_t received_at);
  // Inside a transaction and a savepoint: what receive() does for one notification.
  Result<ReceiveOutcome> receive_here(const BankNotification& n, int64_t received_at);
  Result<Payment> find_by_key(const BankNotification& n);
  Result<void> set_state(Payment& payment, std::string_view state,
                         std::optional<int64_t> producer_id, std::optional<int64_t> order_id,
                         std::optional<std::string> code, std::optional<int64_t> user,
                         std::string_view note);
  Database& db_;
  const Clock& clock_;
  OrderStore orders_;
  Ledger ledger_;
  StatementCache stmts_;
};

}  // namespace chophien::core
