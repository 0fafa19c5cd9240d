-- Bank-transfer notifications (SePay, Casso, payOS, or entered by hand), stored raw before they
-- are acted on; (provider, provider_txn_id) is the deduplication key. match_state (core/payments.h):
--   received       stored, not matched yet (only when matching failed; retried by match_pending())
--   matched        exact amount; the order is paid
--   partial        less than the order's remainder; the order stays pending_payment
--   overpaid       more than the total (or money for an order already paid): flagged for refund
--   late           for an expired or cancelled order: kept and flagged for the producer
--   wrong_account  a valid code, but paid into an account that is not the order producer's
--   stall          no order code, into a producer's account: a stall sale by static QR (ledger)
--   ignored        outgoing transfer
--   unmatched      kept for review; assignable by hand to an order of the same producer
-- Enumerations are checked with OR chains rather than IN lists: SQLite builds a temporary
-- index for an IN list of more than two constants on every insert and update.
CREATE TABLE payments (
  id INTEGER PRIMARY KEY,
  provider TEXT NOT NULL CHECK (provider = 'sepay' OR provider = 'casso' OR provider = 'payos' OR
                                 provider = 'manual'),
  provider_txn_id TEXT NOT NULL,
  direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
  amount_vnd INTEGER NOT NULL CHECK (amount_vnd >= 0),
  account_number TEXT NOT NULL,             -- the receiving account (ours), digits as sent
  description TEXT NOT NULL,
  transaction_at INTEGER,                   -- the bank's time, when given
  received_at INTEGER NOT NULL,
  raw_body TEXT NOT NULL,
  match_state TEXT NOT NULL DEFAULT 'received'
    CHECK (match_state = 'received' OR match_state = 'matched' OR match_state = 'partial' OR
           match_state = 'overpaid' OR match_state = 'late' OR match_state = 'wrong_account' OR
           match_state = 'stall' OR match_state = 'ignored' OR match_state = 'unmatched'),
  producer_id INTEGER REFERENCES producers (id),  -- owner of the receiving account, when known
  order_id INTEGER REFERENCES orders (id),
  matched_code TEXT,                        -- the payment code found in the description
  matched_at INTEGER,
  matched_by_user INTEGER,                  -- NULL: matched automatically
  note TEXT NOT NULL DEFAULT '',
  UNIQUE (provider, provider_txn_id)
);
-- Only what match_pending() reads: the rows still 'received'. Listing walks the rows newest first,
-- so indexes on state, producer or order would only be extra writes for every notification.
CREATE INDEX payments_received ON payments (id) WHERE match_state = 'received';
