-- Products of producers, their photos and the search index.
-- Text is NFC. The OCOP certificate columns are all NULL (no certificate) or all set.
-- decision_date is an ISO date (YYYY-MM-DD); certificate validity (36 months unless revoked) is
-- computed by core/products.cc, not stored.
CREATE TABLE products (
  id INTEGER PRIMARY KEY,
  producer_id INTEGER NOT NULL REFERENCES producers (id),
  sku TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  name_key TEXT NOT NULL,                   -- folded name: ordering by name
  description TEXT NOT NULL DEFAULT '',
  ocop_group TEXT NOT NULL CHECK (ocop_group IN ('G1', 'G2', 'G3', 'G4', 'G5', 'G6')),
  ocop_stars INTEGER CHECK (ocop_stars BETWEEN 3 AND 5),
  decision_no TEXT,
  decision_date TEXT,
  issuer TEXT,
  certificate_revoked_at INTEGER,
  unit TEXT NOT NULL,
  price_vnd INTEGER NOT NULL CHECK (price_vnd BETWEEN 0 AND 10000000000),
  stock INTEGER NOT NULL CHECK (stock >= 0),
  weight_g INTEGER CHECK (weight_g > 0),
  status TEXT NOT NULL CHECK (status IN ('active', 'draft', 'archived')),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  CHECK ((ocop_stars IS NULL) = (decision_no IS NULL)
         AND (ocop_stars IS NULL) = (decision_date IS NULL)
         AND (ocop_stars IS NULL) = (issuer IS NULL))
);
CREATE INDEX products_producer ON products (producer_id);
CREATE INDEX products_status_created ON products (status, created_at);
CREATE INDEX products_status_name ON products (status, name_key);
CREATE INDEX products_group_stars ON products (ocop_group, ocop_stars);

-- Photo bytes, stored once per distinct content (SHA-256, lower-case hex).
CREATE TABLE photo_blobs (
  sha256 TEXT PRIMARY KEY,
  data BLOB NOT NULL
) WITHOUT ROWID;

CREATE TABLE product_photos (
  id INTEGER PRIMARY KEY,
  product_id INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  sha256 TEXT NOT NULL REFERENCES photo_blobs (sha256),
  content_type TEXT NOT NULL,
  width INTEGER NOT NULL DEFAULT 0,
  height INTEGER NOT NULL DEFAULT 0,
  bytes INTEGER NOT NULL,
  UNIQUE (product_id, position)
);
CREATE INDEX product_photos_sha256 ON product_photos (sha256);

-- Search text: the name, and the description with the producer name, folded by core/products.cc
-- (lower case, no diacritics, đ -> d), rowid = products.id; ranked with the name weighing more. Kept in step by ProductStore, not by triggers,
-- because the folding is done in C++.
CREATE VIRTUAL TABLE product_search USING fts5 (name, body, tokenize = 'unicode61 remove_diacritics 2');
