-- Producers (chủ thể OCOP): who sells, where, and the bank account that receives payments.
-- Text is NFC; "not given" is '' for text (never NULL), so lookups can compare with ''.
-- The area is the unit valid when the producer registered: (area_code, area_valid_from) -> areas.
-- Times are unix seconds UTC. ProducerStore (core/producers.h) validates every field; the
-- defaults below only keep hand-written SQL (tests, repairs) short.
CREATE TABLE producers (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  entity_type TEXT NOT NULL DEFAULT 'household_business'
    CHECK (entity_type IN ('enterprise', 'cooperative', 'cooperative_group', 'household_business')),
  area_code TEXT,
  area_valid_from TEXT,
  phone TEXT NOT NULL DEFAULT '',             -- digits, national form '0...'
  address TEXT NOT NULL DEFAULT '',
  bank_bin TEXT NOT NULL DEFAULT '',          -- 6 digits (NAPAS BIN); '' = no account yet
  bank_account TEXT NOT NULL DEFAULT '',
  bank_holder TEXT NOT NULL DEFAULT '',
  social_zalo TEXT NOT NULL DEFAULT '',
  social_facebook TEXT NOT NULL DEFAULT '',
  social_tiktok TEXT NOT NULL DEFAULT '',
  social_source TEXT NOT NULL DEFAULT 'self_declared'
    CHECK (social_source IN ('self_declared', 'officer')),
  -- The register an officer keeps.
  registration_no TEXT NOT NULL DEFAULT '',   -- tax code or business registration number
  representative TEXT NOT NULL DEFAULT '',
  ocop_registered_year INTEGER,
  notes TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive')),
  registered_at INTEGER NOT NULL DEFAULT (CAST(strftime('%s', 'now') AS INTEGER)),
  inactive_since INTEGER,                     -- set when status becomes 'inactive'
  created_at INTEGER NOT NULL DEFAULT (CAST(strftime('%s', 'now') AS INTEGER)),
  updated_at INTEGER NOT NULL DEFAULT (CAST(strftime('%s', 'now') AS INTEGER)),
  FOREIGN KEY (area_code, area_valid_from) REFERENCES areas (code, valid_from)
);
CREATE INDEX producers_area ON producers (area_code, area_valid_from);
CREATE INDEX producers_status ON producers (status, entity_type);
CREATE INDEX producers_bank_account ON producers (bank_account) WHERE bank_account <> '';
