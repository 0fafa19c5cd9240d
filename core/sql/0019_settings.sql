-- Installation settings an administrator may change while the server runs (core/settings.h).
-- One row per key; a key without a row takes the value of the configuration.
CREATE TABLE settings (
  key TEXT PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 64),
  value TEXT NOT NULL CHECK (length(value) <= 500),
  updated_at INTEGER NOT NULL,
  updated_by INTEGER REFERENCES users (id)
);
