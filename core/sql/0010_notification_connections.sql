-- Each producer's connection to the service that watches their bank account (SePay, Casso,
-- payOS; integrations/notification_accounts.h). Secrets are never stored in clear:
-- secrets_sealed is a SecretBox value ("v1:" + base64 of nonce, AES-256-GCM ciphertext and tag)
-- of a JSON object {api_key, secret, checksum_key, api_token}; hints holds only the last four
-- characters of each, for display.
CREATE TABLE notification_connections (
  producer_id INTEGER NOT NULL REFERENCES producers (id),
  provider TEXT NOT NULL CHECK (provider IN ('sepay', 'casso', 'payos')),
  mode TEXT NOT NULL DEFAULT '' CHECK (mode IN ('', 'apikey', 'hmac')),
  client_id TEXT NOT NULL DEFAULT '',       -- payOS client id (not a secret)
  secrets_sealed TEXT NOT NULL,
  hints TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (producer_id, provider)
);

-- payOS payment links created for orders (order code = the order's id), so that creating again
-- is idempotent and the order page can show the link.
CREATE TABLE payos_links (
  order_id INTEGER PRIMARY KEY REFERENCES orders (id),
  payment_link_id TEXT NOT NULL,
  checkout_url TEXT NOT NULL DEFAULT '',
  qr_code TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL
);
