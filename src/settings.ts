// Runtime settings an operator changes from /api/settings or the dashboard. Stored as
// key/value JSON rows; anything missing takes its default, so new settings need no migration.
import { z } from "zod";

export const SettingsSchema = z.object({
  /** Demand a gateway API key on /v1/*. REQUIRE_API_KEY / --require-api-key override it. */
  requireApiKey: z.boolean().default(false),
  /** Seconds of upstream silence after which a streamed response gets a keep-alive comment (0 = never). */
  streamKeepAliveSeconds: z.number().int().min(0).max(300).default(15),
  /** Days per-request usage rows and request logs are kept (0 = forever); hourly aggregates keep ≥ 400 days. */
  usageRetentionDays: z.number().int().min(0).max(3650).default(90),
  /** Keep request/response bodies in request logs (redacted and truncated). Off: prompts are users' data. */
  requestLogBodies: z.boolean().default(false),
  /** Characters of each logged body kept. */
  requestLogBodyMaxChars: z.number().int().min(256).max(1_000_000).default(16_384),
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
