CREATE TABLE `usage_texts` (
	`id` integer PRIMARY KEY NOT NULL,
	`text` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `usage_texts_text_unique` ON `usage_texts` (`text`);--> statement-breakpoint
-- Hand-written from here (drizzle-kit only generates schema changes): every text the rows
-- repeat goes into usage_texts once, and the rows are copied with their ids instead.
INSERT OR IGNORE INTO `usage_texts` (`text`)
  SELECT `endpoint` FROM `usage_records` UNION SELECT `client_format` FROM `usage_records`
  UNION SELECT `provider` FROM `usage_records` WHERE `provider` IS NOT NULL
  UNION SELECT `model` FROM `usage_records` WHERE `model` IS NOT NULL
  UNION SELECT `requested_model` FROM `usage_records` WHERE `requested_model` IS NOT NULL
  UNION SELECT `connection_id` FROM `usage_records` WHERE `connection_id` IS NOT NULL
  UNION SELECT `api_key_id` FROM `usage_records` WHERE `api_key_id` IS NOT NULL
  UNION SELECT `finish_reason` FROM `usage_records` WHERE `finish_reason` IS NOT NULL
  UNION SELECT `error_code` FROM `usage_records` WHERE `error_code` IS NOT NULL
  UNION SELECT `method` FROM `usage_records`
  UNION SELECT `user_agent` FROM `usage_records` WHERE `user_agent` IS NOT NULL
  UNION SELECT `client_ip` FROM `usage_records` WHERE `client_ip` IS NOT NULL;--> statement-breakpoint
CREATE TABLE `__new_usage_records` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`request_id` text NOT NULL,
	`timestamp` integer NOT NULL,
	`endpoint_ref` integer NOT NULL,
	`client_format_ref` integer NOT NULL,
	`provider_ref` integer,
	`model_ref` integer,
	`requested_model_ref` integer,
	`connection_ref` integer,
	`api_key_ref` integer,
	`status` integer NOT NULL,
	`stream` integer DEFAULT false NOT NULL,
	`latency_ms` integer NOT NULL,
	`ttfb_ms` integer,
	`prompt_tokens` integer,
	`completion_tokens` integer,
	`total_tokens` integer,
	`cached_tokens` integer,
	`reasoning_tokens` integer,
	`finish_reason_ref` integer,
	`error_code_ref` integer,
	`cost_usd` real,
	`cost_estimated` integer DEFAULT false NOT NULL,
	`method_ref` integer NOT NULL,
	`attempts` text DEFAULT '[]' NOT NULL,
	`error` text,
	`user_agent_ref` integer,
	`client_ip_ref` integer,
	`request_body` text,
	`response_body` text
);
--> statement-breakpoint
INSERT INTO `__new_usage_records` (
  `id`, `request_id`, `timestamp`, `endpoint_ref`, `client_format_ref`, `provider_ref`, `model_ref`, `requested_model_ref`,
  `connection_ref`, `api_key_ref`, `status`, `stream`, `latency_ms`, `ttfb_ms`, `prompt_tokens`, `completion_tokens`,
  `total_tokens`, `cached_tokens`, `reasoning_tokens`, `finish_reason_ref`, `error_code_ref`, `cost_usd`, `cost_estimated`,
  `method_ref`, `attempts`, `error`, `user_agent_ref`, `client_ip_ref`, `request_body`, `response_body`)
SELECT u.`id`, u.`request_id`, u.`timestamp`,
  (SELECT t.`id` FROM `usage_texts` t WHERE t.`text` = u.`endpoint`),
  (SELECT t.`id` FROM `usage_texts` t WHERE t.`text` = u.`client_format`),
  (SELECT t.`id` FROM `usage_texts` t WHERE t.`text` = u.`provider`),
  (SELECT t.`id` FROM `usage_texts` t WHERE t.`text` = u.`model`),
  (SELECT t.`id` FROM `usage_texts` t WHERE t.`text` = u.`requested_model`),
  (SELECT t.`id` FROM `usage_texts` t WHERE t.`text` = u.`connection_id`),
  (SELECT t.`id` FROM `usage_texts` t WHERE t.`text` = u.`api_key_id`),
  u.`status`, u.`stream`, u.`latency_ms`, u.`ttfb_ms`, u.`prompt_tokens`, u.`completion_tokens`, u.`total_tokens`,
  u.`cached_tokens`, u.`reasoning_tokens`,
  (SELECT t.`id` FROM `usage_texts` t WHERE t.`text` = u.`finish_reason`),
  (SELECT t.`id` FROM `usage_texts` t WHERE t.`text` = u.`error_code`),
  u.`cost_usd`, u.`cost_estimated`,
  (SELECT t.`id` FROM `usage_texts` t WHERE t.`text` = u.`method`),
  u.`attempts`, u.`error`,
  (SELECT t.`id` FROM `usage_texts` t WHERE t.`text` = u.`user_agent`),
  (SELECT t.`id` FROM `usage_texts` t WHERE t.`text` = u.`client_ip`),
  u.`request_body`, u.`response_body`
FROM `usage_records` u;--> statement-breakpoint
DROP TABLE `usage_records`;--> statement-breakpoint
ALTER TABLE `__new_usage_records` RENAME TO `usage_records`;--> statement-breakpoint
CREATE INDEX `usage_records_ts_idx` ON `usage_records` (`timestamp`);--> statement-breakpoint
CREATE INDEX `usage_records_key_ts_idx` ON `usage_records` (`api_key_ref`,`timestamp`) WHERE "usage_records"."api_key_ref" IS NOT NULL;--> statement-breakpoint
-- The rows with their texts, under usage_records' former column names: what every reader
-- queries. The ids of the filterable texts come along, so a filter can be on an id (the key's
-- rows are found through their index that way).
CREATE VIEW `usage_log` AS
SELECT u.`id`, u.`request_id`, u.`timestamp`,
  endpoint.`text` AS `endpoint`, client_format.`text` AS `client_format`, provider.`text` AS `provider`,
  model.`text` AS `model`, requested_model.`text` AS `requested_model`, connection.`text` AS `connection_id`,
  api_key.`text` AS `api_key_id`, u.`status`, u.`stream`, u.`latency_ms`, u.`ttfb_ms`, u.`prompt_tokens`,
  u.`completion_tokens`, u.`total_tokens`, u.`cached_tokens`, u.`reasoning_tokens`,
  finish_reason.`text` AS `finish_reason`, error_code.`text` AS `error_code`, u.`cost_usd`, u.`cost_estimated`,
  method.`text` AS `method`, u.`attempts`, u.`error`, user_agent.`text` AS `user_agent`,
  client_ip.`text` AS `client_ip`, u.`request_body`, u.`response_body`,
  u.`provider_ref`, u.`model_ref`, u.`connection_ref`, u.`api_key_ref`
FROM `usage_records` u
  LEFT JOIN `usage_texts` endpoint ON endpoint.`id` = u.`endpoint_ref`
  LEFT JOIN `usage_texts` client_format ON client_format.`id` = u.`client_format_ref`
  LEFT JOIN `usage_texts` provider ON provider.`id` = u.`provider_ref`
  LEFT JOIN `usage_texts` model ON model.`id` = u.`model_ref`
  LEFT JOIN `usage_texts` requested_model ON requested_model.`id` = u.`requested_model_ref`
  LEFT JOIN `usage_texts` connection ON connection.`id` = u.`connection_ref`
  LEFT JOIN `usage_texts` api_key ON api_key.`id` = u.`api_key_ref`
  LEFT JOIN `usage_texts` finish_reason ON finish_reason.`id` = u.`finish_reason_ref`
  LEFT JOIN `usage_texts` error_code ON error_code.`id` = u.`error_code_ref`
  LEFT JOIN `usage_texts` method ON method.`id` = u.`method_ref`
  LEFT JOIN `usage_texts` user_agent ON user_agent.`id` = u.`user_agent_ref`
  LEFT JOIN `usage_texts` client_ip ON client_ip.`id` = u.`client_ip_ref`;
