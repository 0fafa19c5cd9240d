-- Orders: one per producer per checkout, their items (prices snapshotted at checkout) and every
-- status transition. Status machine (core/orders.h):
--   pending_payment -> paid -> fulfilled
--   pending_payment -> cancelled | expired   (both give the reserved stock back)
--   paid -> cancelled                        (producer only; a refund row goes into the ledger)
-- code: the payment code (core/payment_code.h), unique for ever. The customer's page is opened
-- with a separate random token, stored only as its SHA-256 (hex).
-- Enumerations are checked with OR chains rather than IN lists: SQLite builds a temporary
-- index for an IN list of more than two constants on every insert and update.
CREATE TABLE orders (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  token_hash TEXT NOT NULL,
  checkout_ref TEXT NOT NULL,               -- shared by the orders of one checkout
  producer_id INTEGER NOT NULL REFERENCES producers (id),
  status TEXT NOT NULL CHECK (status = 'pending_payment' OR status = 'paid' OR
                               status = 'fulfilled' OR status = 'cancelled' OR status = 'expired'),
  total_vnd INTEGER NOT NULL CHECK (total_vnd >= 0),
  paid_vnd INTEGER NOT NULL DEFAULT 0 CHECK (paid_vnd >= 0),  -- sum of matched transfers / hand entries
  payment_method TEXT CHECK (payment_method IN ('bank_transfer', 'cash')),  -- set when paid
  overpaid INTEGER NOT NULL DEFAULT 0,      -- 1: more than total received, refund due
  customer_name TEXT NOT NULL,
  customer_phone TEXT NOT NULL,
  customer_address TEXT NOT NULL DEFAULT '',
  delivery_method TEXT NOT NULL CHECK (delivery_method IN ('pickup', 'delivery')),
  delivery_address TEXT NOT NULL DEFAULT '',
  note TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  paid_at INTEGER,
  updated_at INTEGER NOT NULL
);
CREATE INDEX orders_producer_created ON orders (producer_id, created_at);
-- No index on status: every payment changes it, and no query filters on it alone (listing
-- scans by creation time; expiry has its own partial index).
CREATE INDEX orders_pending_expiry ON orders (expires_at) WHERE status = 'pending_payment';
CREATE INDEX orders_checkout ON orders (checkout_ref);

CREATE TABLE order_items (
  id INTEGER PRIMARY KEY,
  order_id INTEGER NOT NULL REFERENCES orders (id),
  product_id INTEGER NOT NULL REFERENCES products (id),
  name TEXT NOT NULL,                       -- as at checkout
  unit TEXT NOT NULL,
  quantity INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 1000),
  unit_price_vnd INTEGER NOT NULL CHECK (unit_price_vnd >= 0)
);
CREATE INDEX order_items_order ON order_items (order_id);

-- Every transition, including creation (from_status NULL). actor_kind: customer, producer,
-- officer, admin (actor_id = the user id, NULL for a customer) or system (payment matching,
-- expiry).
CREATE TABLE order_events (
  id INTEGER PRIMARY KEY,
  order_id INTEGER NOT NULL REFERENCES orders (id),
  from_status TEXT,
  to_status TEXT NOT NULL,
  actor_kind TEXT NOT NULL CHECK (actor_kind = 'customer' OR actor_kind = 'producer' OR
                                   actor_kind = 'officer' OR actor_kind = 'admin' OR
                                   actor_kind = 'system'),
  actor_id INTEGER,
  note TEXT NOT NULL DEFAULT '',
  at INTEGER NOT NULL
);
CREATE INDEX order_events_order ON order_events (order_id);
