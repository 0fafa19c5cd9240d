-- The amount a payOS payment link asks for (integrations/payos_link.h): the order page offers the
-- link only while it equals what the order still owes.
ALTER TABLE payos_links ADD COLUMN amount_vnd INTEGER NOT NULL DEFAULT 0 CHECK (amount_vnd >= 0);
