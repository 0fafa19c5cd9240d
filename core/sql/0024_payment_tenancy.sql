-- Payments belong to the producer whose connection received them (core/payments.h).
--
-- 1. payments.producer_id is now the receiving producer, set when the notification is stored, and
--    the duplicate key is (producer_id, provider, provider_txn_id): one producer's notification can
--    no longer make another producer's real one look like a repeat. SQLite cannot change a UNIQUE
--    constraint in place, so the table is rebuilt and every row copied. A row without a producer
--    gets the one of its matched order, else the only producer holding its account number; rows
--    for which neither is known keep NULL (they stay for review; NULLs never collide).
-- 2. Each order keeps the receiving account its QR showed when it was placed (pay_bin,
--    pay_account, pay_holder; '' when the producer had none), so a later change of the producer's
--    account does not move where a pending order is paid. Existing orders get their producer's
--    current account.
-- 3. workspace_actions gets an index by action, for the register's list of account changes.
CREATE TABLE payments_0024 (
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
  producer_id INTEGER REFERENCES producers (id),  -- the producer whose connection received it
  order_id INTEGER REFERENCES orders (id),
  matched_code TEXT,                        -- the payment code found in the description
  matched_at INTEGER,
  matched_by_user INTEGER,                  -- NULL: matched automatically
  note TEXT NOT NULL DEFAULT '',
  UNIQUE (producer_id, provider, provider_txn_id)
);
INSERT INTO payments_0024 (id, provider, provider_txn_id, direction, amount_vnd, account_number,
                           description, transaction_at, received_at, raw_body, match_state,
                           producer_id, order_id, matched_code, matched_at, matched_by_user, note)
SELECT p.id, p.provider, p.provider_txn_id, p.direction, p.amount_vnd, p.account_number,
       p.description, p.transaction_at, p.received_at, p.raw_body, p.match_state,
       COALESCE(p.producer_id,
                (SELECT o.producer_id FROM orders o
                  WHERE o.id = p.order_id AND p.match_state <> 'wrong_account'),
                (SELECT MIN(pr.id) FROM producers pr
                  WHERE pr.bank_account = p.account_number AND pr.bank_account <> ''
                 HAVING COUNT(*) = 1)),
       p.order_id, p.matched_code, p.matched_at, p.matched_by_user, p.note
  FROM payments p;
DROP TABLE payments;
ALTER TABLE payments_0024 RENAME TO payments;
CREATE INDEX payments_received ON payments (id) WHERE match_state = 'received';

ALTER TABLE orders ADD COLUMN pay_bin TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN pay_account TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN pay_holder TEXT NOT NULL DEFAULT '';
UPDATE orders
   SET pay_bin = (SELECT bank_bin FROM producers WHERE id = orders.producer_id),
       pay_account = (SELECT bank_account FROM producers WHERE id = orders.producer_id),
       pay_holder = (SELECT bank_holder FROM producers WHERE id = orders.producer_id);
-- What the webhook asks for each notification: is this account one that a still-pending order
-- of this producer shows?
CREATE INDEX orders_pending_account ON orders (producer_id, pay_account)
  WHERE status = 'pending_payment';

CREATE INDEX workspace_actions_action ON workspace_actions (action, at);
