-- Marketplace sync (integrations/sync.h): a per-shop dry-run setting, where the last order pull
-- ended, and the products' price and stock followed onto their listings.
--
-- dry_run = 1: the worker builds and checks every request of the shop but sends nothing; the
-- rows stay pending until the shop is switched to live.
ALTER TABLE marketplace_shops ADD COLUMN dry_run INTEGER NOT NULL DEFAULT 0 CHECK (dry_run IN (0, 1));
-- Unix seconds up to which the shop's orders were pulled into the ledger; 0 = never.
ALTER TABLE marketplace_shops ADD COLUMN orders_pulled_at INTEGER NOT NULL DEFAULT 0;

-- A product's price or stock changed (an edit, a CSV import, a checkout reserving stock, an
-- order giving it back): every shop of the producer that lists the SKU gets the new absolute
-- values, coalesced like Outbox::enqueue_price_stock does (integrations/outbox.h): into the SKU's
-- create that is not sent yet, else into its one pending update row. Only the values that
-- changed are set, and a price of 0 (not for sale) is never sent. next_attempt_at 0 = due now.
-- A trigger, so every path that writes products is followed and core knows nothing of the
-- marketplaces.
CREATE TRIGGER products_follow_listings AFTER UPDATE OF price_vnd, stock ON products
WHEN (NEW.price_vnd IS NOT OLD.price_vnd AND NEW.price_vnd > 0) OR NEW.stock IS NOT OLD.stock
BEGIN
  UPDATE marketplace_outbox
  SET payload = json_set(payload,
                         '$.price_vnd', CASE WHEN NEW.price_vnd > 0 THEN NEW.price_vnd
                                             ELSE json_extract(payload, '$.price_vnd') END,
                         '$.stock', NEW.stock),
      updated_at = unixepoch()
  WHERE kind = 'create' AND state = 'pending' AND sku = NEW.sku
    AND shop_ref IN (SELECT id FROM marketplace_shops WHERE producer_id = NEW.producer_id);

  INSERT INTO marketplace_outbox (shop_ref, sku, kind, payload, next_attempt_at, created_at,
                                  updated_at)
  SELECT l.shop_ref, NEW.sku, 'update',
         json_patch(
           CASE WHEN NEW.price_vnd IS NOT OLD.price_vnd AND NEW.price_vnd > 0
                THEN json_object('price_vnd', NEW.price_vnd) ELSE '{}' END,
           CASE WHEN NEW.stock IS NOT OLD.stock THEN json_object('stock', NEW.stock) ELSE '{}' END),
         0, unixepoch(), unixepoch()
  FROM marketplace_listings l JOIN marketplace_shops s ON s.id = l.shop_ref
  WHERE l.sku = NEW.sku AND s.producer_id = NEW.producer_id AND l.state <> 'failed'
    AND NOT EXISTS (SELECT 1 FROM marketplace_outbox o
                    WHERE o.shop_ref = l.shop_ref AND o.sku = NEW.sku AND o.kind = 'create'
                      AND o.state = 'pending')
  ON CONFLICT (shop_ref, sku) WHERE kind = 'update' AND state = 'pending'
  DO UPDATE SET payload = json_patch(payload, excluded.payload), updated_at = excluded.updated_at;
END;
