-- When each marketplace listing was live, for the district figures (indicators.md:
-- ecom_producer_rate counts producers "with at least one live marketplace listing during the
-- period", ocop_ecom_product_rate valid OCOP products with one). marketplace_listings keeps only a
-- listing's present state; these rows keep its history: one row per stretch of time the listing
-- was live, open (live_until NULL) while it still is. Kept by triggers, so every path that
-- changes a listing's state is followed and the outbox knows nothing of the figures.
CREATE TABLE marketplace_listing_periods (
  shop_ref INTEGER NOT NULL REFERENCES marketplace_shops (id),
  sku TEXT NOT NULL,
  live_from INTEGER NOT NULL,  -- unix seconds
  live_until INTEGER,          -- unix seconds; NULL = live now
  PRIMARY KEY (shop_ref, sku, live_from)
) WITHOUT ROWID;
CREATE INDEX marketplace_listing_periods_by_time ON marketplace_listing_periods (live_from);

-- Listings already live when this migration runs: live since their last change.
INSERT INTO marketplace_listing_periods (shop_ref, sku, live_from, live_until)
SELECT shop_ref, sku, updated_at, NULL FROM marketplace_listings WHERE state = 'live';

CREATE TRIGGER marketplace_listing_created_live AFTER INSERT ON marketplace_listings
WHEN NEW.state = 'live'
BEGIN
  INSERT OR IGNORE INTO marketplace_listing_periods (shop_ref, sku, live_from, live_until)
  VALUES (NEW.shop_ref, NEW.sku, NEW.updated_at, NULL);
END;

CREATE TRIGGER marketplace_listing_state_changed AFTER UPDATE OF state ON marketplace_listings
WHEN NEW.state IS NOT OLD.state
BEGIN
  UPDATE marketplace_listing_periods SET live_until = MAX(NEW.updated_at, live_from)
  WHERE OLD.state = 'live' AND shop_ref = NEW.shop_ref AND sku = NEW.sku AND live_until IS NULL;
  -- Live again within the second it stopped: that stretch goes on.
  INSERT INTO marketplace_listing_periods (shop_ref, sku, live_from, live_until)
  SELECT NEW.shop_ref, NEW.sku, NEW.updated_at, NULL WHERE NEW.state = 'live'
  ON CONFLICT (shop_ref, sku, live_from) DO UPDATE SET live_until = NULL;
END;

-- A listing removed outright ends its open stretch.
CREATE TRIGGER marketplace_listing_deleted AFTER DELETE ON marketplace_listings
WHEN OLD.state = 'live'
BEGIN
  UPDATE marketplace_listing_periods SET live_until = MAX(unixepoch(), live_from)
  WHERE shop_ref = OLD.shop_ref AND sku = OLD.sku AND live_until IS NULL;
END;
