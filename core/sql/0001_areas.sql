-- Administrative areas as a versioned hierarchy (docs: indicators.md "Areas").
-- A unit is keyed by (code, valid_from): official codes were reused across the 2025 reform, so a
-- code alone never identifies a unit. Dates are ISO calendar dates 'YYYY-MM-DD' (they compare as
-- text); valid_to is exclusive (the first day the unit no longer exists), NULL while still valid.
-- Units that existed before the earliest date a data set knows start on '1900-01-01'.
-- level is data ('province', 'district', 'commune', 'township', 'ward', or a user-defined group).
CREATE TABLE areas (
  code TEXT NOT NULL,
  valid_from TEXT NOT NULL,
  valid_to TEXT,
  level TEXT NOT NULL,
  name_vi TEXT NOT NULL,                    -- short name, NFC: 'Đức Hạnh'
  full_name_vi TEXT NOT NULL,               -- with the unit type: 'Xã Đức Hạnh'
  name_en TEXT NOT NULL DEFAULT '',
  parent_code TEXT,
  parent_valid_from TEXT,
  legal_basis TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (code, valid_from),
  FOREIGN KEY (parent_code, parent_valid_from) REFERENCES areas (code, valid_from),
  CHECK (valid_to IS NULL OR valid_to > valid_from),
  CHECK ((parent_code IS NULL) = (parent_valid_from IS NULL))
) WITHOUT ROWID;
CREATE INDEX areas_parent ON areas (parent_code, parent_valid_from);
CREATE INDEX areas_level ON areas (level, valid_from);

-- Which units a unit became: old (code, valid_from) -> new (code, valid_from). A unit split in
-- two has two rows; several units merged into one have one row each.
CREATE TABLE area_successions (
  old_code TEXT NOT NULL,
  old_valid_from TEXT NOT NULL,
  new_code TEXT NOT NULL,
  new_valid_from TEXT NOT NULL,
  PRIMARY KEY (old_code, old_valid_from, new_code, new_valid_from),
  FOREIGN KEY (old_code, old_valid_from) REFERENCES areas (code, valid_from),
  FOREIGN KEY (new_code, new_valid_from) REFERENCES areas (code, valid_from)
) WITHOUT ROWID;
CREATE INDEX area_successions_new ON area_successions (new_code, new_valid_from);
