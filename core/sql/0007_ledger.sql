-- The sales ledger (indicators.md): one row per sale, append-only. Corrections and refunds are
-- new rows (refunds negative, refund_of = the original row); triggers refuse UPDATE and DELETE.
-- area_code + area_valid_from: the unit valid on the sale's date (through the succession table
-- when the producer registered under a unit that had ceased by then).
-- (source_kind, source_ref) is unique, so one source never yields two rows:
--   order       the order's payment code
--   bank_txn    provider:provider_txn_id (stall sales by static QR)
--   marketplace platform:order id
--   hand_entry  the reference given by the caller, or a random one; entered_by = the user
--   refund      the id of the refunded row
-- Enumerations are checked with OR chains rather than IN lists: SQLite builds a temporary
-- index for an IN list of more than two constants on every insert and update.
CREATE TABLE sales_ledger (
  id INTEGER PRIMARY KEY,
  producer_id INTEGER NOT NULL REFERENCES producers (id),
  area_code TEXT,                           -- NULL when the producer has no area
  area_valid_from TEXT,                     -- YYYY-MM-DD
  channel TEXT NOT NULL CHECK (channel = 'storefront' OR channel = 'stall_qr' OR
                               channel = 'shopee' OR channel = 'lazada' OR channel = 'tiktok_shop' OR
                               channel = 'postmart' OR channel = 'voso' OR channel = 'social' OR
                               channel = 'cash' OR channel = 'other'),
  settlement TEXT NOT NULL CHECK (settlement = 'bank_transfer' OR settlement = 'marketplace' OR
                                  settlement = 'cash' OR settlement = 'e_wallet' OR
                                  settlement = 'card' OR settlement = 'other'),
  amount_vnd INTEGER NOT NULL CHECK (amount_vnd <> 0),
  occurred_at INTEGER NOT NULL,
  source_kind TEXT NOT NULL CHECK (source_kind = 'order' OR source_kind = 'bank_txn' OR
                                   source_kind = 'marketplace' OR source_kind = 'hand_entry' OR
                                   source_kind = 'refund'),
  source_ref TEXT NOT NULL,
  entered_by INTEGER,
  refund_of INTEGER REFERENCES sales_ledger (id),
  note TEXT NOT NULL DEFAULT '',
  recorded_at INTEGER NOT NULL,
  UNIQUE (source_kind, source_ref),
  CHECK ((refund_of IS NULL) = (amount_vnd > 0)),
  CHECK ((source_kind = 'refund') = (refund_of IS NOT NULL))
);
-- Figures by producer or area read sales_summaries (0008), so the ledger itself is only read by
-- time (listing, summaries checks and rebuilds).
CREATE INDEX sales_ledger_occurred ON sales_ledger (occurred_at);

CREATE TRIGGER sales_ledger_no_update BEFORE UPDATE ON sales_ledger
BEGIN
  SELECT RAISE(ABORT, 'sales_ledger is append-only');
END;
CREATE TRIGGER sales_ledger_no_delete BEFORE DELETE ON sales_ledger
BEGIN
  SELECT RAISE(ABORT, 'sales_ledger is append-only');
END;
