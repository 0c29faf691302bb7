CREATE INDEX `products_visible_idx` ON `products` (`is_visible`);--> statement-breakpoint
CREATE INDEX `products_visible_price_idx` ON `products` (`is_visible`,`price`);--> statement-breakpoint
CREATE INDEX `products_visible_title_idx` ON `products` (`is_visible`,`title`);