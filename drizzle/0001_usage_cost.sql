CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`timestamp` integer NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`method` text NOT NULL,
	`path` text NOT NULL,
	`target` text,
	`status` integer NOT NULL,
	`ip` text,
	`user_agent` text,
	`details` text
);
--> statement-breakpoint
CREATE INDEX `audit_log_ts_idx` ON `audit_log` (`timestamp`);--> statement-breakpoint
CREATE TABLE `budgets` (
	`key_id` text PRIMARY KEY NOT NULL,
	`limit_usd` real NOT NULL,
	`period` text NOT NULL,
	`warning_threshold` real DEFAULT 0.8 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`key_id`) REFERENCES `api_keys`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `model_prices` (
	`provider` text NOT NULL,
	`model` text NOT NULL,
	`input` real NOT NULL,
	`output` real NOT NULL,
	`cached` real,
	`reasoning` real,
	`cache_creation` real,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`provider`, `model`)
);
--> statement-breakpoint
CREATE TABLE `usage_hourly` (
	`bucket` integer NOT NULL,
	`provider` text DEFAULT '' NOT NULL,
	`model` text DEFAULT '' NOT NULL,
	`api_key_id` text DEFAULT '' NOT NULL,
	`connection_id` text DEFAULT '' NOT NULL,
	`requests` integer DEFAULT 0 NOT NULL,
	`errors` integer DEFAULT 0 NOT NULL,
	`prompt_tokens` integer DEFAULT 0 NOT NULL,
	`completion_tokens` integer DEFAULT 0 NOT NULL,
	`cached_tokens` integer DEFAULT 0 NOT NULL,
	`reasoning_tokens` integer DEFAULT 0 NOT NULL,
	`total_tokens` integer DEFAULT 0 NOT NULL,
	`cost_usd` real DEFAULT 0 NOT NULL,
	`estimated_requests` integer DEFAULT 0 NOT NULL,
	`latency_ms_sum` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`bucket`, `provider`, `model`, `api_key_id`, `connection_id`)
);
--> statement-breakpoint
CREATE INDEX `usage_hourly_key_bucket_idx` ON `usage_hourly` (`api_key_id`,`bucket`);--> statement-breakpoint
CREATE INDEX `usage_hourly_conn_bucket_idx` ON `usage_hourly` (`connection_id`,`bucket`);--> statement-breakpoint
CREATE INDEX `usage_hourly_provider_bucket_idx` ON `usage_hourly` (`provider`,`bucket`);--> statement-breakpoint
CREATE INDEX `usage_hourly_model_bucket_idx` ON `usage_hourly` (`model`,`bucket`);--> statement-breakpoint
CREATE TABLE `usage_hourly_totals` (
	`bucket` integer PRIMARY KEY NOT NULL,
	`requests` integer DEFAULT 0 NOT NULL,
	`errors` integer DEFAULT 0 NOT NULL,
	`prompt_tokens` integer DEFAULT 0 NOT NULL,
	`completion_tokens` integer DEFAULT 0 NOT NULL,
	`cached_tokens` integer DEFAULT 0 NOT NULL,
	`reasoning_tokens` integer DEFAULT 0 NOT NULL,
	`total_tokens` integer DEFAULT 0 NOT NULL,
	`cost_usd` real DEFAULT 0 NOT NULL,
	`estimated_requests` integer DEFAULT 0 NOT NULL,
	`latency_ms_sum` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE `usage_records` ADD `cost_usd` real;--> statement-breakpoint
ALTER TABLE `usage_records` ADD `cost_estimated` integer DEFAULT false NOT NULL;