-- Abuse limits (issue 17): first logins that must change their password, sign-in throttling per
-- (account, address) pair, and the caps on unpaid orders per phone number and client address.

-- 1 for a login whose password someone else set (an officer or an administrator created it): it
-- must choose its own password before it may do anything else. Existing logins keep 0.
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0
  CHECK (must_change_password IN (0, 1));

-- Failed sign-ins are now counted per (login key, address) pair ('pair', key = login key, a line
-- feed, the address) and per address; the per-login count ('login') is no longer read, so nobody
-- can lock an account out from elsewhere. Its rows are kept and age out with their window.
CREATE TABLE login_failures_0025 (
  kind TEXT NOT NULL CHECK (kind = 'pair' OR kind = 'address' OR kind = 'login'),
  key TEXT NOT NULL,
  failures INTEGER NOT NULL,
  window_start INTEGER NOT NULL,
  PRIMARY KEY (kind, key)
) WITHOUT ROWID;
INSERT INTO login_failures_0025 (kind, key, failures, window_start)
SELECT kind, key, failures, window_start FROM login_failures;
DROP TABLE login_failures;
ALTER TABLE login_failures_0025 RENAME TO login_failures;
CREATE INDEX login_failures_window ON login_failures (window_start);

-- What the checkout caps count: the phone number as digits (a leading +84 written 0) and the
-- client address the order came from ('' when unknown, as for orders placed before this).
ALTER TABLE orders ADD COLUMN phone_key TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN client_address TEXT NOT NULL DEFAULT '';
UPDATE orders SET phone_key =
  CASE WHEN ltrim(customer_phone) LIKE '+84%'
       THEN '0' || substr(replace(replace(replace(replace(customer_phone, ' ', ''), '.', ''), '-', ''),
                              '+', ''), 3)
       ELSE replace(replace(replace(replace(customer_phone, ' ', ''), '.', ''), '-', ''), '+', '')
  END;
CREATE INDEX orders_pending_phone ON orders (phone_key, created_at)
  WHERE status = 'pending_payment';
CREATE INDEX orders_pending_client ON orders (client_address, created_at)
  WHERE status = 'pending_payment' AND client_address <> '';
