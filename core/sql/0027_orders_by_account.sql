-- What the webhook asks for each notification naming an earlier account of a producer: does one
-- of that producer's recent orders show it (core/payments.h, receives_into)?
CREATE INDEX IF NOT EXISTS orders_producer_account ON orders (producer_id, pay_account, created_at);
-- It replaces the index of pending orders only.
DROP INDEX IF EXISTS orders_pending_account;
