-- The `state` of each marketplace authorization the workspace started (integrations/
-- marketplace_auth.h): random, bound to the producer, the platform and the signed-in user who
-- asked, single-use (used_at set by the callback that consumes it) and short-lived (expires_at).
-- Only the SHA-256 of the state is kept, so reading this table does not give a usable state.
CREATE TABLE marketplace_auth_states (
  state_hash TEXT PRIMARY KEY,
  producer_id INTEGER NOT NULL REFERENCES producers (id),
  platform TEXT NOT NULL CHECK (platform = 'shopee' OR platform = 'lazada' OR platform = 'tiktok'),
  user_id INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER NOT NULL DEFAULT 0
);
