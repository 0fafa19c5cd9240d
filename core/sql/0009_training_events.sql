-- Training events an officer records by hand (indicators.md "hand entry"): self-declared figures.
-- The area is the unit valid on the day the event was held; held_on is YYYY-MM-DD.
CREATE TABLE training_events (
  id INTEGER PRIMARY KEY,
  area_code TEXT NOT NULL,
  area_valid_from TEXT NOT NULL,
  held_on TEXT NOT NULL,
  title TEXT NOT NULL,
  participants INTEGER NOT NULL CHECK (participants >= 0),
  entered_by INTEGER,
  note TEXT NOT NULL DEFAULT '',
  recorded_at INTEGER NOT NULL,
  FOREIGN KEY (area_code, area_valid_from) REFERENCES areas (code, valid_from)
);
CREATE INDEX training_events_held_on ON training_events (held_on);
