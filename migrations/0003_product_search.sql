-- Text search for GET /products `q`: an FTS5 index of product titles and descriptions with the
-- trigram tokenizer, so any substring of 3 or more characters is found from the index instead
-- of scanning every product. External content (content='products'): the text is stored once,
-- in products, and the index holds only trigrams, kept in sync by the triggers below.
-- Nothing here writes to products: the 'delete' and 'rebuild' commands below act on the index only.
CREATE VIRTUAL TABLE `products_fts` USING fts5(
  title,
  description,
  content = 'products',
  content_rowid = 'id',
  tokenize = 'trigram case_sensitive 0'
);
--> statement-breakpoint
CREATE TRIGGER `products_fts_after_insert` AFTER INSERT ON `products` BEGIN
  INSERT INTO products_fts (rowid, title, description) VALUES (new.id, new.title, new.description);
END;
--> statement-breakpoint
-- An external-content index forgets a row through the 'delete' command given the old
-- text of the row, which must be exactly what was indexed.
CREATE TRIGGER `products_fts_after_delete` AFTER DELETE ON `products` BEGIN
  INSERT INTO products_fts (products_fts, rowid, title, description) VALUES ('delete', old.id, old.title, old.description);
END;
--> statement-breakpoint
-- `id` too: a changed rowid would otherwise leave the index pointing at the old one.
CREATE TRIGGER `products_fts_after_update` AFTER UPDATE OF id, title, description ON `products` BEGIN
  INSERT INTO products_fts (products_fts, rowid, title, description) VALUES ('delete', old.id, old.title, old.description);
  INSERT INTO products_fts (rowid, title, description) VALUES (new.id, new.title, new.description);
END;
--> statement-breakpoint
-- Indexes the products that exist before this migration: it reads products and writes only the index.
INSERT INTO products_fts (products_fts) VALUES ('rebuild');
