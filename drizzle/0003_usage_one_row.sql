ALTER TABLE `usage_records` ADD `method` text DEFAULT 'POST' NOT NULL;--> statement-breakpoint
ALTER TABLE `usage_records` ADD `attempts` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `usage_records` ADD `error` text;--> statement-breakpoint
ALTER TABLE `usage_records` ADD `user_agent` text;--> statement-breakpoint
ALTER TABLE `usage_records` ADD `client_ip` text;--> statement-breakpoint
ALTER TABLE `usage_records` ADD `request_body` text;--> statement-breakpoint
ALTER TABLE `usage_records` ADD `response_body` text;--> statement-breakpoint
-- The request-log detail joins its usage row (hand-written: drizzle-kit only generates schema changes).
UPDATE `usage_records` SET
  `method` = l.`method`, `attempts` = l.`attempts`, `error` = l.`error`, `user_agent` = l.`user_agent`,
  `client_ip` = l.`client_ip`, `request_body` = l.`request_body`, `response_body` = l.`response_body`
FROM `request_logs` AS l WHERE l.`request_id` = `usage_records`.`request_id`;--> statement-breakpoint
DROP TABLE `request_logs`;
