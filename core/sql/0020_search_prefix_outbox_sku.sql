-- Product search with prefix indexes. Every word of a search is a prefix query ("dong"*); without
-- a prefix index FTS5 merges the doclists of every term that starts with it ("dong"* is in
-- nearly every row, through "đóng gói") before it can stop at a page or at the capped count. With
-- prefix='1 2 3 4' the merged lists of prefixes of one to four characters are kept in the index
-- (most folded Vietnamese syllables are at most four letters: mien, dong, che, shan, gao, nep).
-- Same columns, tokenizer and rowids as migration 0004; the folded text is copied as it is (the
-- folding is done in C++), so no product needs saving again.
CREATE VIRTUAL TABLE product_search_prefixed USING fts5 (
  name, body, tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3 4'
);
INSERT INTO product_search_prefixed (rowid, name, body)
  SELECT rowid, name, body FROM product_search ORDER BY rowid;
DROP TABLE product_search;
ALTER TABLE product_search_prefixed RENAME TO product_search;

-- Queueing a marketplace change looks for the SKU's open row in its shop (integrations/outbox.cc:
-- one create per SKU while one is open, price and stock merged into the pending row). Neither
-- lookup could use an index (the unique index is partial on kind = 'update' and the lookups bind
-- kind or list three states), so each enqueue scanned the whole outbox, done rows included:
-- queueing N changes cost N^2 row reads.
CREATE INDEX marketplace_outbox_sku ON marketplace_outbox (shop_ref, sku);
