CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`key_hash` text NOT NULL,
	`key_prefix` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_used_at` integer,
	`revoked_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_key_hash_unique` ON `api_keys` (`key_hash`);--> statement-breakpoint
CREATE TABLE `combos` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`strategy` text DEFAULT 'priority' NOT NULL,
	`targets` text DEFAULT '[]' NOT NULL,
	`config` text DEFAULT '{}' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `combos_name_unique` ON `combos` (`name`);--> statement-breakpoint
CREATE TABLE `model_aliases` (
	`alias` text PRIMARY KEY NOT NULL,
	`target` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `provider_connections` (
	`id` text PRIMARY KEY NOT NULL,
	`provider` text NOT NULL,
	`auth_type` text DEFAULT 'apikey' NOT NULL,
	`name` text NOT NULL,
	`priority` integer DEFAULT 1 NOT NULL,
	`is_active` integer DEFAULT true NOT NULL,
	`api_key_enc` text,
	`access_token_enc` text,
	`refresh_token_enc` text,
	`expires_at` integer,
	`provider_specific_data` text DEFAULT '{}' NOT NULL,
	`test_status` text DEFAULT 'unknown' NOT NULL,
	`last_error` text,
	`last_tested_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `provider_connections_provider_idx` ON `provider_connections` (`provider`);--> statement-breakpoint
CREATE TABLE `provider_models` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`provider` text NOT NULL,
	`model_id` text NOT NULL,
	`name` text,
	`type` text DEFAULT 'chat' NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `provider_models_provider_model_uq` ON `provider_models` (`provider`,`model_id`);--> statement-breakpoint
CREATE TABLE `provider_nodes` (
	`id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`name` text NOT NULL,
	`prefix` text NOT NULL,
	`api_type` text DEFAULT 'chat' NOT NULL,
	`base_url` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `provider_nodes_prefix_unique` ON `provider_nodes` (`prefix`);--> statement-breakpoint
CREATE TABLE `request_logs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`request_id` text NOT NULL,
	`timestamp` integer NOT NULL,
	`method` text NOT NULL,
	`path` text NOT NULL,
	`client_format` text NOT NULL,
	`requested_model` text,
	`status` integer NOT NULL,
	`latency_ms` integer NOT NULL,
	`attempts` text DEFAULT '[]' NOT NULL,
	`error` text,
	`user_agent` text,
	`client_ip` text,
	`request_body` text,
	`response_body` text
);
--> statement-breakpoint
CREATE INDEX `request_logs_ts_idx` ON `request_logs` (`timestamp`);--> statement-breakpoint
CREATE INDEX `request_logs_request_id_idx` ON `request_logs` (`request_id`);--> statement-breakpoint
CREATE TABLE `settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `usage_records` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`request_id` text NOT NULL,
	`timestamp` integer NOT NULL,
	`endpoint` text NOT NULL,
	`client_format` text NOT NULL,
	`provider` text,
	`model` text,
	`requested_model` text,
	`connection_id` text,
	`api_key_id` text,
	`status` integer NOT NULL,
	`stream` integer DEFAULT false NOT NULL,
	`latency_ms` integer NOT NULL,
	`ttfb_ms` integer,
	`prompt_tokens` integer,
	`completion_tokens` integer,
	`total_tokens` integer,
	`cached_tokens` integer,
	`reasoning_tokens` integer,
	`finish_reason` text,
	`error_code` text
);
--> statement-breakpoint
CREATE INDEX `usage_records_ts_idx` ON `usage_records` (`timestamp`);--> statement-breakpoint
CREATE INDEX `usage_records_key_ts_idx` ON `usage_records` (`api_key_id`,`timestamp`);--> statement-breakpoint
CREATE INDEX `usage_records_conn_ts_idx` ON `usage_records` (`connection_id`,`timestamp`);--> statement-breakpoint
CREATE INDEX `usage_records_provider_ts_idx` ON `usage_records` (`provider`,`timestamp`);