-- Rollups of the sales summaries (0008) without the producer, so that a year of figures reads a
-- few hundred rows whatever the number of producers (core/summaries.h):
--   sales_rollups          per calendar month, area (as recorded), channel, settlement and origin
--   producer_sales_flags   per calendar month and producer: whether it sold (a row with a positive
--                          amount) on a marketplace or through a social network, by the system's
--                          records or by hand entry; only producers with such a sale have a row
-- start_day is the month's first day as days since 1970-01-01 (Vietnam calendar, UTC+7), area_*
-- is '' when the sale has none and hand is 1 for hand-entered sales and refunds of them, all as
-- in sales_summaries. The trigger below keeps both in step with every ledger insert, in the
-- insert's transaction; SalesSummaries::rebuild() recomputes them with the summaries.
CREATE TABLE sales_rollups (
  start_day INTEGER NOT NULL,
  area_code TEXT NOT NULL,
  area_valid_from TEXT NOT NULL,
  channel TEXT NOT NULL,
  settlement TEXT NOT NULL,
  hand INTEGER NOT NULL CHECK (hand IN (0, 1)),
  sales_count INTEGER NOT NULL,
  refunds_count INTEGER NOT NULL,
  sales_vnd INTEGER NOT NULL,
  refunds_vnd INTEGER NOT NULL,
  PRIMARY KEY (start_day, area_code, area_valid_from, channel, settlement, hand)
) WITHOUT ROWID;

CREATE TABLE producer_sales_flags (
  start_day INTEGER NOT NULL,
  producer_id INTEGER NOT NULL,
  marketplace_system INTEGER NOT NULL CHECK (marketplace_system IN (0, 1)),
  marketplace_hand INTEGER NOT NULL CHECK (marketplace_hand IN (0, 1)),
  social_system INTEGER NOT NULL CHECK (social_system IN (0, 1)),
  social_hand INTEGER NOT NULL CHECK (social_hand IN (0, 1)),
  PRIMARY KEY (start_day, producer_id)
) WITHOUT ROWID;

-- Both filled from the month summaries the ledger already has.
INSERT INTO sales_rollups (start_day, area_code, area_valid_from, channel, settlement, hand,
                           sales_count, refunds_count, sales_vnd, refunds_vnd)
SELECT start_day, area_code, area_valid_from, channel, settlement, hand, sum(sales_count),
       sum(refunds_count), sum(sales_vnd), sum(refunds_vnd)
FROM sales_summaries WHERE grain = 1
GROUP BY start_day, area_code, area_valid_from, channel, settlement, hand;

INSERT INTO producer_sales_flags (start_day, producer_id, marketplace_system, marketplace_hand,
                                  social_system, social_hand)
SELECT start_day, producer_id,
       max(channel <> 'social' AND hand = 0), max(channel <> 'social' AND hand = 1),
       max(channel = 'social' AND hand = 0), max(channel = 'social' AND hand = 1)
FROM sales_summaries
WHERE grain = 1 AND sales_count > 0 AND
      (channel = 'shopee' OR channel = 'lazada' OR channel = 'tiktok_shop' OR
       channel = 'postmart' OR channel = 'voso' OR channel = 'social')
GROUP BY start_day, producer_id;

CREATE TRIGGER sales_ledger_rollups AFTER INSERT ON sales_ledger
BEGIN
  INSERT INTO sales_rollups (start_day, area_code, area_valid_from, channel, settlement, hand,
                             sales_count, refunds_count, sales_vnd, refunds_vnd)
  SELECT CAST(julianday(date(NEW.occurred_at + 25200, 'unixepoch', 'start of month'))
              - 2440587.5 AS INTEGER),
         coalesce(NEW.area_code, ''), coalesce(NEW.area_valid_from, ''), NEW.channel,
         NEW.settlement,
         (NEW.source_kind = 'hand_entry'
          OR coalesce((SELECT o.source_kind = 'hand_entry' FROM sales_ledger o
                       WHERE o.id = NEW.refund_of), 0)),
         NEW.amount_vnd > 0, NEW.amount_vnd < 0, max(NEW.amount_vnd, 0), min(NEW.amount_vnd, 0)
  WHERE true
  ON CONFLICT (start_day, area_code, area_valid_from, channel, settlement, hand)
  DO UPDATE SET sales_count = sales_count + excluded.sales_count,
                refunds_count = refunds_count + excluded.refunds_count,
                sales_vnd = sales_vnd + excluded.sales_vnd,
                refunds_vnd = refunds_vnd + excluded.refunds_vnd;

  INSERT INTO producer_sales_flags (start_day, producer_id, marketplace_system, marketplace_hand,
                                    social_system, social_hand)
  SELECT CAST(julianday(date(NEW.occurred_at + 25200, 'unixepoch', 'start of month'))
              - 2440587.5 AS INTEGER),
         NEW.producer_id,
         NEW.channel <> 'social' AND NEW.source_kind <> 'hand_entry',
         NEW.channel <> 'social' AND NEW.source_kind = 'hand_entry',
         NEW.channel = 'social' AND NEW.source_kind <> 'hand_entry',
         NEW.channel = 'social' AND NEW.source_kind = 'hand_entry'
  WHERE NEW.amount_vnd > 0 AND
        (NEW.channel = 'shopee' OR NEW.channel = 'lazada' OR NEW.channel = 'tiktok_shop' OR
         NEW.channel = 'postmart' OR NEW.channel = 'voso' OR NEW.channel = 'social')
  ON CONFLICT (start_day, producer_id)
  DO UPDATE SET marketplace_system = max(marketplace_system, excluded.marketplace_system),
                marketplace_hand = max(marketplace_hand, excluded.marketplace_hand),
                social_system = max(social_system, excluded.social_system),
                social_hand = max(social_hand, excluded.social_hand);
END;
