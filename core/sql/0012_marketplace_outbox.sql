-- Marketplace publishing (integrations/outbox.h): each producer's shop connections, the listing
-- state of each of our SKUs per shop, and the durable outbox of outbound writes.
--
-- Tokens are never stored in clear: tokens_sealed is a SecretBox value of a JSON object
-- {access_token, refresh_token}. token_version grows with every saved refresh, and
-- refreshing_until is the per-shop refresh lock (one refresher at a time, across processes).
CREATE TABLE marketplace_shops (
  id INTEGER PRIMARY KEY,
  producer_id INTEGER NOT NULL REFERENCES producers (id),
  platform TEXT NOT NULL CHECK (platform = 'shopee' OR platform = 'lazada' OR platform = 'tiktok'),
  shop_id TEXT NOT NULL,
  shop_cipher TEXT NOT NULL DEFAULT '',
  shop_name TEXT NOT NULL DEFAULT '',
  warehouse_id TEXT NOT NULL DEFAULT '',
  tokens_sealed TEXT NOT NULL,
  access_expires_at INTEGER NOT NULL DEFAULT 0,
  refresh_expires_at INTEGER NOT NULL DEFAULT 0,
  grant_expires_at INTEGER NOT NULL DEFAULT 0,
  token_version INTEGER NOT NULL DEFAULT 0,
  refreshing_until INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL DEFAULT 'connected'
    CHECK (state = 'connected' OR state = 'needs_authorization'),
  state_reason TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (platform, shop_id)
);

-- What each shop shows for one of our SKUs: pending until created, then live with the platform's
-- ids, or failed with the platform's reason.
CREATE TABLE marketplace_listings (
  shop_ref INTEGER NOT NULL REFERENCES marketplace_shops (id),
  sku TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state = 'pending' OR state = 'live' OR state = 'failed'),
  item_id TEXT NOT NULL DEFAULT '',
  sku_id TEXT NOT NULL DEFAULT '',
  error TEXT NOT NULL DEFAULT '',
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (shop_ref, sku)
);

-- One row per outbound write. kind 'create' carries the listing, 'update' the absolute price
-- and/or stock ({"price_vnd":..,"stock":..}); pending updates of one SKU are merged into one row.
-- An in_flight row's next_attempt_at is its lease: past it, the sender is presumed dead and the
-- row is reconciled (a create is looked up by SKU before any resend).
CREATE TABLE marketplace_outbox (
  id INTEGER PRIMARY KEY,
  shop_ref INTEGER NOT NULL REFERENCES marketplace_shops (id),
  sku TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind = 'create' OR kind = 'update'),
  payload TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending'
    CHECK (state = 'pending' OR state = 'in_flight' OR state = 'done' OR state = 'failed'
           OR state = 'needs_reconcile'),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  request_id TEXT NOT NULL DEFAULT '',
  error TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX marketplace_outbox_due ON marketplace_outbox (state, next_attempt_at)
  WHERE state = 'pending' OR state = 'in_flight' OR state = 'needs_reconcile';
CREATE UNIQUE INDEX marketplace_outbox_one_pending_update ON marketplace_outbox (shop_ref, sku)
  WHERE kind = 'update' AND state = 'pending';
