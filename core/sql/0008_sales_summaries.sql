-- Sales summaries: the ledger summed per bucket, producer, area, channel, settlement and origin,
-- so that a year of figures reads a few thousand rows instead of scanning the ledger
-- (core/summaries.h). Kept in step with every ledger insert by the trigger below, in the same
-- transaction as the insert; `chophien export --rebuild-summaries` rebuilds them from the ledger.
--   grain      0: one Vietnam calendar day; 1: one calendar month
--   start_day  the bucket's first day, as days since 1970-01-01 (Vietnam calendar, UTC+7)
--   area_*     the ledger row's area (valid on the sale's date); '' when the sale has none
--   hand       1 for hand-entered (self-declared) sales and refunds of them
CREATE TABLE sales_summaries (
  grain INTEGER NOT NULL CHECK (grain IN (0, 1)),
  start_day INTEGER NOT NULL,
  producer_id INTEGER NOT NULL,
  area_code TEXT NOT NULL,
  area_valid_from TEXT NOT NULL,
  channel TEXT NOT NULL,
  settlement TEXT NOT NULL,
  hand INTEGER NOT NULL CHECK (hand IN (0, 1)),
  sales_count INTEGER NOT NULL,             -- rows with amount_vnd > 0
  refunds_count INTEGER NOT NULL,           -- rows with amount_vnd < 0
  sales_vnd INTEGER NOT NULL,               -- sum of positive amounts
  refunds_vnd INTEGER NOT NULL,             -- sum of negative amounts (<= 0)
  PRIMARY KEY (grain, start_day, producer_id, area_code, area_valid_from, channel, settlement,
               hand)
) WITHOUT ROWID;

CREATE TRIGGER sales_ledger_summaries AFTER INSERT ON sales_ledger
BEGIN
  INSERT INTO sales_summaries (grain, start_day, producer_id, area_code, area_valid_from, channel,
                               settlement, hand, sales_count, refunds_count, sales_vnd,
                               refunds_vnd)
  SELECT g.grain,
         CASE g.grain
           WHEN 0 THEN (NEW.occurred_at + 25200) / 86400
           ELSE CAST(julianday(date(NEW.occurred_at + 25200, 'unixepoch', 'start of month'))
                     - 2440587.5 AS INTEGER)
         END,
         NEW.producer_id, coalesce(NEW.area_code, ''), coalesce(NEW.area_valid_from, ''),
         NEW.channel, NEW.settlement,
         (NEW.source_kind = 'hand_entry'
          OR coalesce((SELECT o.source_kind = 'hand_entry' FROM sales_ledger o
                       WHERE o.id = NEW.refund_of), 0)),
         NEW.amount_vnd > 0, NEW.amount_vnd < 0, max(NEW.amount_vnd, 0), min(NEW.amount_vnd, 0)
  FROM (SELECT 0 AS grain UNION ALL SELECT 1 AS grain) AS g
  WHERE true
  ON CONFLICT (grain, start_day, producer_id, area_code, area_valid_from, channel, settlement, hand)
  DO UPDATE SET sales_count = sales_count + excluded.sales_count,
                refunds_count = refunds_count + excluded.refunds_count,
                sales_vnd = sales_vnd + excluded.sales_vnd,
                refunds_vnd = refunds_vnd + excluded.refunds_vnd;
END;
