// Runtime settings an operator changes from /api/settings or the dashboard. Stored as
// key/value JSON rows; anything missing takes its default, so new settings need no migration.
import { z } from "zod";

export const SettingsSchema = z.object({
  /** Demand a gateway API key on /v1/*. REQUIRE_API_KEY / --require-api-key override it. */
  requireApiKey: z.boolean().default(false),
  /** Seconds of upstream silence after which a streamed response gets a keep-alive comment (0 = never). */
  streamKeepAliveSeconds: z.number().int().min(0).max(300).default(15),
  /**
   * Record finished requests (usage rows, request logs, cost, telemetry, metrics). Off keeps
   * nothing about them — and so budgets see no spend; for benchmarks and strict no-log setups.
   */
  usageRecording: z.boolean().default(true),
  /** Days per-request usage rows and request logs are kept (0 = forever); hourly aggregates keep ≥ 400 days. */
  usageRetentionDays: z.number().int().min(0).max(3650).default(90),
  /** Days compliance audit log entries are kept (0 = forever); pruned with usage, hourly. */
  auditRetentionDays: z.number().int().min(0).max(3650).default(365),
  /** Keep request/response bodies in request logs (redacted and truncated). Off: prompts are users' data. */
  requestLogBodies: z.boolean().default(false),
  /** Characters of each logged body kept. */
  requestLogBodyMaxChars: z.number().int().min(256).max(1_000_000).default(16_384),
  /** Response cache (src/features/cache): answers to deterministic requests served from memory / SQLite. */
  cacheEnabled: z.boolean().default(true),
  /** Seconds a cached answer is served. */
  cacheTtlSeconds: z.number().int().min(1).max(30 * 86_400).default(3600),
  /** Answers held in the memory LRU (GET /api/cache memoryMaxSize); 0 = SQLite tier only. */
  cacheMemoryMaxEntries: z.number().int().min(0).max(1_000_000).default(500),
  /** Upper bound on the memory tier's size, in MiB. */
  cacheMemoryMaxMb: z.number().int().min(1).max(16_384).default(64),
  /** Rows kept in the SQLite tier, oldest removed first; 0 = memory only. */
  cacheDbMaxEntries: z.number().int().min(0).max(10_000_000).default(10_000),
  /** Cache requests that leave temperature unset (by default only temperature 0 counts as deterministic). */
  cacheUnsetTemperature: z.boolean().default(false),
  /** Cache every request whatever its temperature. */
  cacheNonDeterministic: z.boolean().default(false),
  /** How long an Idempotency-Key / X-Request-Id is remembered after its request started. */
  idempotencyWindowMs: z.number().int().min(0).max(600_000).default(5000),
});

export type Settings = z.infer<typeof SettingsSchema>;

/** PUT /api/settings takes any subset; unknown keys are dropped (as OmniRoute does), and the answer shows what is in force. */
export const SettingsPatchSchema = SettingsSchema.partial().strict();

export function settingsFromRows(rows: { key: string; value: unknown }[]): Settings {
  const raw: Record<string, unknown> = {};
  for (const row of rows) raw[row.key] = row.value;
  const shape = SettingsSchema.shape as Record<string, z.ZodType>;
  const out: Record<string, unknown> = {};
  // A row that no longer validates (older build, hand edit) falls back to its default.
  for (const key of Object.keys(shape)) {
    const parsed = shape[key]!.safeParse(raw[key]);
    if (parsed.success) out[key] = parsed.data;
  }
  return SettingsSchema.parse(out);
}
