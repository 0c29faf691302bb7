CREATE TABLE `catalog_counts_as_of` (
	`id` integer PRIMARY KEY NOT NULL,
	`released_by` text NOT NULL,
	CONSTRAINT "catalog_counts_as_of_one_row" CHECK("catalog_counts_as_of"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE `count_levels` (
	`level` integer PRIMARY KEY NOT NULL
);
--> statement-breakpoint
CREATE TABLE `product_counts` (
	`scope` text NOT NULL,
	`in_stock` integer NOT NULL,
	`level` integer NOT NULL,
	`bucket` integer NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`scope`, `in_stock`, `level`, `bucket`)
);
--> statement-breakpoint
-- Written by hand below this line (drizzle-kit generated only the three tables above). Nothing
-- here rebuilds or deletes from products: it reads products and writes only the new tables.
INSERT INTO `count_levels` (`level`) VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9), (10), (11), (12), (13), (14);
--> statement-breakpoint
INSERT INTO `catalog_counts_as_of` (`id`, `released_by`) VALUES (1, date('now'));
--> statement-breakpoint
-- The products that exist before this migration.
INSERT INTO `product_counts` (`scope`, `in_stock`, `level`, `bucket`, `n`)
  SELECT 'all', p.quantity > 0, l.level, p.price >> (3 * l.level), count(*)
  FROM products p, count_levels l
  GROUP BY 1, 2, 3, 4;
--> statement-breakpoint
INSERT INTO `product_counts` (`scope`, `in_stock`, `level`, `bucket`, `n`)
  SELECT 'on_sale', p.quantity > 0, l.level, p.price >> (3 * l.level), count(*)
  FROM products p, count_levels l
  WHERE p.is_visible = 1 AND p.release_date <= date('now')
  GROUP BY 1, 2, 3, 4;
--> statement-breakpoint
-- A product counts once in `all`, and in `on_sale` when visible and released by released_by.
-- (`WHERE true` before ON CONFLICT: SQLite's parser needs it after INSERT … SELECT … FROM.)
CREATE TRIGGER `product_counts_after_insert` AFTER INSERT ON `products` BEGIN
  INSERT INTO product_counts (scope, in_stock, level, bucket, n)
    SELECT 'all', new.quantity > 0, level, new.price >> (3 * level), 1 FROM count_levels WHERE true
    ON CONFLICT (scope, in_stock, level, bucket) DO UPDATE SET n = n + excluded.n;
  INSERT INTO product_counts (scope, in_stock, level, bucket, n)
    SELECT 'on_sale', new.quantity > 0, level, new.price >> (3 * level), 1 FROM count_levels
    WHERE new.is_visible = 1 AND new.release_date <= (SELECT released_by FROM catalog_counts_as_of WHERE id = 1)
    ON CONFLICT (scope, in_stock, level, bucket) DO UPDATE SET n = n + excluded.n;
END;
--> statement-breakpoint
CREATE TRIGGER `product_counts_after_delete` AFTER DELETE ON `products` BEGIN
  INSERT INTO product_counts (scope, in_stock, level, bucket, n)
    SELECT 'all', old.quantity > 0, level, old.price >> (3 * level), -1 FROM count_levels WHERE true
    ON CONFLICT (scope, in_stock, level, bucket) DO UPDATE SET n = n + excluded.n;
  INSERT INTO product_counts (scope, in_stock, level, bucket, n)
    SELECT 'on_sale', old.quantity > 0, level, old.price >> (3 * level), -1 FROM count_levels
    WHERE old.is_visible = 1 AND old.release_date <= (SELECT released_by FROM catalog_counts_as_of WHERE id = 1)
    ON CONFLICT (scope, in_stock, level, bucket) DO UPDATE SET n = n + excluded.n;
END;
--> statement-breakpoint
-- Only a change of what is counted moves a product: selling units of a product that stays in
-- stock (every order) writes nothing here.
CREATE TRIGGER `product_counts_after_update` AFTER UPDATE OF price, quantity, is_visible, release_date ON `products`
  WHEN old.price IS NOT new.price OR (old.quantity > 0) IS NOT (new.quantity > 0)
    OR old.is_visible IS NOT new.is_visible OR old.release_date IS NOT new.release_date
BEGIN
  INSERT INTO product_counts (scope, in_stock, level, bucket, n)
    SELECT 'all', old.quantity > 0, level, old.price >> (3 * level), -1 FROM count_levels WHERE true
    ON CONFLICT (scope, in_stock, level, bucket) DO UPDATE SET n = n + excluded.n;
  INSERT INTO product_counts (scope, in_stock, level, bucket, n)
    SELECT 'on_sale', old.quantity > 0, level, old.price >> (3 * level), -1 FROM count_levels
    WHERE old.is_visible = 1 AND old.release_date <= (SELECT released_by FROM catalog_counts_as_of WHERE id = 1)
    ON CONFLICT (scope, in_stock, level, bucket) DO UPDATE SET n = n + excluded.n;
  INSERT INTO product_counts (scope, in_stock, level, bucket, n)
    SELECT 'all', new.quantity > 0, level, new.price >> (3 * level), 1 FROM count_levels WHERE true
    ON CONFLICT (scope, in_stock, level, bucket) DO UPDATE SET n = n + excluded.n;
  INSERT INTO product_counts (scope, in_stock, level, bucket, n)
    SELECT 'on_sale', new.quantity > 0, level, new.price >> (3 * level), 1 FROM count_levels
    WHERE new.is_visible = 1 AND new.release_date <= (SELECT released_by FROM catalog_counts_as_of WHERE id = 1)
    ON CONFLICT (scope, in_stock, level, bucket) DO UPDATE SET n = n + excluded.n;
END;
--> statement-breakpoint
-- Moving released_by on (advanceCatalogCounts, from the cron) adds the visible products
-- released in between to `on_sale`, in the same statement.
CREATE TRIGGER `catalog_counts_after_advance` AFTER UPDATE OF released_by ON `catalog_counts_as_of`
  WHEN new.released_by > old.released_by
BEGIN
  INSERT INTO product_counts (scope, in_stock, level, bucket, n)
    SELECT 'on_sale', p.quantity > 0, l.level, p.price >> (3 * l.level), count(*)
    FROM products p, count_levels l
    WHERE p.is_visible = 1 AND p.release_date > old.released_by AND p.release_date <= new.released_by
    GROUP BY 1, 2, 3, 4
    ON CONFLICT (scope, in_stock, level, bucket) DO UPDATE SET n = n + excluded.n;
END;
