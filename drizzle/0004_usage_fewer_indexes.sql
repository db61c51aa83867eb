DROP INDEX `usage_records_conn_ts_idx`;--> statement-breakpoint
DROP INDEX `usage_records_provider_ts_idx`;--> statement-breakpoint
DROP INDEX `usage_records_key_ts_idx`;--> statement-breakpoint
CREATE INDEX `usage_records_key_ts_idx` ON `usage_records` (`api_key_id`,`timestamp`) WHERE "usage_records"."api_key_id" IS NOT NULL;