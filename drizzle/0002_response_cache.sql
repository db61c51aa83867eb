CREATE TABLE `response_cache` (
	`key` text PRIMARY KEY NOT NULL,
	`model` text,
	`response` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `response_cache_expires_idx` ON `response_cache` (`expires_at`);