// Drizzle schema. After editing, run `npm run db:generate` and add the new
// migration to src/db/migrations.ts (a test fails if one is missing).
import { sql } from "drizzle-orm";
import { sqliteTable, text, integer, real, index, uniqueIndex, primaryKey } from "drizzle-orm/sqlite-core";

const createdAt = () => integer("created_at").notNull();
const updatedAt = () => integer("updated_at").notNull();

/** A credential for one provider (registry id or custom node id). Secrets are AES-GCM ciphertext. */
export const providerConnections = sqliteTable(
  "provider_connections",
  {
    id: text("id").primaryKey(),
    provider: text("provider").notNull(),
    authType: text("auth_type").notNull().default("apikey"),
    name: text("name").notNull(),
    priority: integer("priority").notNull().default(1),
    isActive: integer("is_active", { mode: "boolean" }).notNull().default(true),
    apiKeyEnc: text("api_key_enc"),
    accessTokenEnc: text("access_token_enc"),
    refreshTokenEnc: text("refresh_token_enc"),
    expiresAt: integer("expires_at"),
    providerSpecificData: text("provider_specific_data", { mode: "json" })
      .$type<Record<string, unknown>>()
      .notNull()
      .default({}),
    testStatus: text("test_status").notNull().default("unknown"),
    lastError: text("last_error"),
    lastTestedAt: integer("last_tested_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("provider_connections_provider_idx").on(t.provider)],
);

/** User-defined OpenAI- or Anthropic-compatible endpoints, addressed as `<prefix>/<model>`. */
export const providerNodes = sqliteTable("provider_nodes", {
  id: text("id").primaryKey(),
  type: text("type").notNull(),
  name: text("name").notNull(),
  prefix: text("prefix").notNull().unique(),
  apiType: text("api_type").notNull().default("chat"),
  baseUrl: text("base_url").notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** Models a user added by hand to a provider or node. */
export const providerModels = sqliteTable(
  "provider_models",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    provider: text("provider").notNull(),
    modelId: text("model_id").notNull(),
    name: text("name"),
    type: text("type").notNull().default("chat"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("provider_models_provider_model_uq").on(t.provider, t.modelId)],
);

/** Gateway API keys: only a SHA-256 of the key is kept, plus a display prefix. */
export const apiKeys = sqliteTable("api_keys", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  keyHash: text("key_hash").notNull().unique(),
  keyPrefix: text("key_prefix").notNull(),
  createdAt: createdAt(),
  lastUsedAt: integer("last_used_at"),
  revokedAt: integer("revoked_at"),
});

export const modelAliases = sqliteTable("model_aliases", {
  alias: text("alias").primaryKey(),
  target: text("target").notNull(),
  createdAt: createdAt(),
});

/** A named virtual model over ordered targets; strategies are applied by src/routing. */
export const combos = sqliteTable("combos", {
  id: text("id").primaryKey(),
  name: text("name").notNull().unique(),
  strategy: text("strategy").notNull().default("priority"),
  targets: text("targets", { mode: "json" }).$type<unknown[]>().notNull().default([]),
  config: text("config", { mode: "json" }).$type<Record<string, unknown>>().notNull().default({}),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** Key/value settings; values are JSON. Typed and defaulted in src/settings.ts. */
export const settings = sqliteTable("settings", {
  key: text("key").primaryKey(),
  value: text("value", { mode: "json" }).notNull(),
  updatedAt: updatedAt(),
});

/**
 * The texts usage rows repeat (endpoint, provider, model, connection and key ids, user agent,
 * client address, …), each stored once; usage_records refers to them by id (the `*_ref`
 * columns). A row is about half the size it was with the texts inline (migration 0005), and
 * the writer binds integers instead of copying a dozen strings per request. Never pruned:
 * the set of distinct values is small next to the rows.
 */
export const usageTexts = sqliteTable("usage_texts", {
  id: integer("id").primaryKey(),
  text: text("text").notNull().unique(),
});

/**
 * One row per gateway request: the numbers usage, cost and telemetry are built from, and the
 * request log's detail — what was tried and why it failed, who asked, bodies only when a
 * setting enables it. (Until migration 0003 the detail was a second row in request_logs:
 * one row instead of two halves what every request costs to record.) Repeating texts are
 * ids in usage_texts; the view usage_log (migration 0005, not known to drizzle) shows the
 * rows with their texts under the original column names, and is what readers query. A
 * migration that rebuilds this table must drop the view first and create it again after.
 */
export const usageRecords = sqliteTable(
  "usage_records",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    requestId: text("request_id").notNull(),
    timestamp: integer("timestamp").notNull(),
    endpointRef: integer("endpoint_ref").notNull(),
    clientFormatRef: integer("client_format_ref").notNull(),
    providerRef: integer("provider_ref"),
    modelRef: integer("model_ref"),
    requestedModelRef: integer("requested_model_ref"),
    connectionRef: integer("connection_ref"),
    apiKeyRef: integer("api_key_ref"),
    status: integer("status").notNull(),
    stream: integer("stream", { mode: "boolean" }).notNull().default(false),
    latencyMs: integer("latency_ms").notNull(),
    ttfbMs: integer("ttfb_ms"),
    promptTokens: integer("prompt_tokens"),
    completionTokens: integer("completion_tokens"),
    totalTokens: integer("total_tokens"),
    cachedTokens: integer("cached_tokens"),
    reasoningTokens: integer("reasoning_tokens"),
    finishReasonRef: integer("finish_reason_ref"),
    errorCodeRef: integer("error_code_ref"),
    /** USD from src/usage/pricing.ts; null when the model has no price. */
    costUsd: real("cost_usd"),
    /** True when the upstream reported no usage and the cost is an estimate (see src/usage/estimate.ts). */
    costEstimated: integer("cost_estimated", { mode: "boolean" }).notNull().default(false),
    methodRef: integer("method_ref").notNull(),
    /** Every target tried, in order (src/gateway/request-record.ts Attempt); one plain attempt is stored as its latency (src/usage/attempts-column.ts). */
    attempts: text("attempts", { mode: "json" }).$type<unknown[] | number>().notNull().default([]),
    error: text("error"),
    userAgentRef: integer("user_agent_ref"),
    clientIpRef: integer("client_ip_ref"),
    /** Redacted and truncated, only while the requestLogBodies setting is on (src/usage/bodies.ts). */
    requestBody: text("request_body"),
    responseBody: text("response_body"),
  },
  // Every index costs every request a B-tree insert: there is one for time ranges and one for
  // a key's rows (key filters), which only requests made with a key enter — a gateway without
  // keys writes one index per request. Provider and connection filters find their hours in
  // usage_hourly first and read only those (migration 0004 dropped their indexes; see
  // src/usage/request-logs.ts).
  (t) => [
    index("usage_records_ts_idx").on(t.timestamp),
    index("usage_records_key_ts_idx").on(t.apiKeyRef, t.timestamp).where(sql`${t.apiKeyRef} IS NOT NULL`),
  ],
);

/**
 * usage_records rolled up per UTC hour and (provider, model, key, connection), written in the
 * same transaction as the rows (src/usage/rollup.ts). History, per-connection usage and budget
 * spend read this instead of scanning every request. Absent dimensions are '' (not NULL) so
 * the primary key matches them in ON CONFLICT.
 */
export const usageHourly = sqliteTable(
  "usage_hourly",
  {
    bucket: integer("bucket").notNull(),
    provider: text("provider").notNull().default(""),
    model: text("model").notNull().default(""),
    apiKeyId: text("api_key_id").notNull().default(""),
    connectionId: text("connection_id").notNull().default(""),
    requests: integer("requests").notNull().default(0),
    errors: integer("errors").notNull().default(0),
    promptTokens: integer("prompt_tokens").notNull().default(0),
    completionTokens: integer("completion_tokens").notNull().default(0),
    cachedTokens: integer("cached_tokens").notNull().default(0),
    reasoningTokens: integer("reasoning_tokens").notNull().default(0),
    totalTokens: integer("total_tokens").notNull().default(0),
    costUsd: real("cost_usd").notNull().default(0),
    estimatedRequests: integer("estimated_requests").notNull().default(0),
    latencyMsSum: integer("latency_ms_sum").notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.bucket, t.provider, t.model, t.apiKeyId, t.connectionId] }),
    index("usage_hourly_key_bucket_idx").on(t.apiKeyId, t.bucket),
    index("usage_hourly_conn_bucket_idx").on(t.connectionId, t.bucket),
    index("usage_hourly_provider_bucket_idx").on(t.provider, t.bucket),
    index("usage_hourly_model_bucket_idx").on(t.model, t.bucket),
  ],
);

/** The same hours with no dimensions: an unfiltered month is ≤ 744 rows however many combinations there are. */
export const usageHourlyTotals = sqliteTable("usage_hourly_totals", {
  bucket: integer("bucket").primaryKey(),
  requests: integer("requests").notNull().default(0),
  errors: integer("errors").notNull().default(0),
  promptTokens: integer("prompt_tokens").notNull().default(0),
  completionTokens: integer("completion_tokens").notNull().default(0),
  cachedTokens: integer("cached_tokens").notNull().default(0),
  reasoningTokens: integer("reasoning_tokens").notNull().default(0),
  totalTokens: integer("total_tokens").notNull().default(0),
  costUsd: real("cost_usd").notNull().default(0),
  estimatedRequests: integer("estimated_requests").notNull().default(0),
  latencyMsSum: integer("latency_ms_sum").notNull().default(0),
});

/** Operator prices (USD per 1M tokens) that override src/usage/prices.ts or price custom models. */
export const modelPrices = sqliteTable(
  "model_prices",
  {
    provider: text("provider").notNull(),
    model: text("model").notNull(),
    input: real("input").notNull(),
    output: real("output").notNull(),
    cached: real("cached"),
    reasoning: real("reasoning"),
    cacheCreation: real("cache_creation"),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.provider, t.model] })],
);

/** Spending caps per gateway API key; spend itself is derived from usage (usage_hourly). */
export const budgets = sqliteTable("budgets", {
  keyId: text("key_id")
    .primaryKey()
    .references(() => apiKeys.id, { onDelete: "cascade" }),
  limitUsd: real("limit_usd").notNull(),
  period: text("period").notNull(),
  warningThreshold: real("warning_threshold").notNull().default(0.8),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** Compliance trail of control-plane writes: who, what, when, from where. Never bodies or secrets. */
export const auditLog = sqliteTable(
  "audit_log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    timestamp: integer("timestamp").notNull(),
    actor: text("actor").notNull(),
    action: text("action").notNull(),
    method: text("method").notNull(),
    path: text("path").notNull(),
    target: text("target"),
    status: integer("status").notNull(),
    ip: text("ip"),
    userAgent: text("user_agent"),
    details: text("details", { mode: "json" }).$type<Record<string, unknown>>(),
  },
  (t) => [index("audit_log_ts_idx").on(t.timestamp)],
);

/**
 * Response cache, SQLite tier (src/features/cache): the canonical answer of a deterministic
 * request, keyed by the SHA-256 of its normalised form, valid until expires_at.
 */
export const responseCache = sqliteTable(
  "response_cache",
  {
    key: text("key").primaryKey(),
    /** "provider/model" that produced the answer (DELETE /api/cache?model=). */
    model: text("model"),
    response: text("response").notNull(),
    createdAt: createdAt(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [index("response_cache_expires_idx").on(t.expiresAt)],
);
