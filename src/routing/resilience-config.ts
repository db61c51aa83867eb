// The operator's routing knobs: resilience profiles (breaker, timeouts, retries) and their
// assignment to providers, 429 cooldowns, connection rotation per provider, when fallback
// advances, and the gateway's own request rate limits. Stored as JSON rows of the settings
// table (keys below) so no migration is needed; a row that no longer validates falls back
// to the defaults rather than breaking routing.
import { z } from "zod";

export const RESILIENCE_KEY = "resilience";
export const RATE_LIMIT_KEY = "rateLimit";
export const POLICIES_KEY = "policies";

const ms = (min: number, max: number) => z.number().int().min(min).max(max);

/** One resilience profile. Absent fields take the defaults, so `{retries: 2}` is a whole profile. */
export const ResilienceProfileSchema = z.object({
  /** Failures (network, timeout, 5xx, garbage) within `windowMs` that open the breaker. */
  failureThreshold: z.number().int().min(1).max(1000).default(5),
  windowMs: ms(1000, 3_600_000).default(60_000),
  /** How long an open breaker refuses traffic before letting one probe through (half-open). */
  openMs: ms(100, 3_600_000).default(30_000),
  /** Whole-request limit until the answer (or a stream) starts; null = the --upstream-timeout-ms flag. */
  requestTimeoutMs: ms(1000, 3_600_000).nullable().default(null),
  /** Limit until the upstream's response headers arrive; null = no separate limit. */
  ttfbTimeoutMs: ms(100, 3_600_000).nullable().default(null),
  /** Extra tries on the same connection for failures that are safe to repeat (refused, 502/503/529). */
  retries: z.number().int().min(0).max(5).default(0),
  retryBaseMs: ms(0, 60_000).default(250),
  retryMaxMs: ms(0, 300_000).default(5_000),
});
export type ResilienceProfile = z.infer<typeof ResilienceProfileSchema>;

export const ROTATIONS = ["fill-first", "round-robin"] as const;
export type Rotation = (typeof ROTATIONS)[number];

export const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/**
 * Provider-side 4xx answers that mean "this model/account can't" rather than "your request is
 * wrong": advancing to another target can succeed where this one never will.
 */
export const DEFAULT_MESSAGE_PATTERNS = [
  "context.?length",
  "context window",
  "maximum context",
  "too many tokens",
  "prompt is too long",
  "request too large",
  "reduce the length",
  "model.{0,40}(not found|does not exist|not available|not supported|unsupported|decommissioned|deprecated)",
  "(unknown|unsupported|invalid|no such) model",
  "not_found_error",
  "quota",
  "insufficient",
  "billing",
  "credit",
];

const defaultProfile = () => ResilienceProfileSchema.parse({});

export const ResilienceConfigSchema = z.object({
  /** Named profiles; "default" always exists and serves every provider without an assignment. */
  profiles: z.record(z.string().regex(PROFILE_NAME), ResilienceProfileSchema).default(() => ({ default: defaultProfile() })),
  /** provider id → profile name. */
  assignments: z.record(z.string(), z.string()).default(() => ({})),
  /** 429 without retry-after: baseMs × 2^(consecutive 429s), never more than maxMs (retry-after is capped too). */
  cooldown: z
    .object({ baseMs: ms(100, 3_600_000).default(2_000), maxMs: ms(1_000, 86_400_000).default(300_000) })
    .default(() => ({ baseMs: 2_000, maxMs: 300_000 })),
  /** Which connection of a provider serves next: the best priority first, or each in turn. */
  rotation: z
    .object({ default: z.enum(ROTATIONS).default("fill-first"), providers: z.record(z.string(), z.enum(ROTATIONS)).default(() => ({})) })
    .default(() => ({ default: "fill-first" as const, providers: {} })),
  fallback: z
    .object({
      /** 4xx statuses that always move on (5xx, network errors and timeouts always do). */
      statuses: z.array(z.number().int().min(400).max(499)).default(() => [401, 402, 403, 408, 429]),
      /** 4xx statuses that move on only when the message matches one of `messagePatterns`. */
      conditionalStatuses: z.array(z.number().int().min(400).max(499)).default(() => [400, 404, 413, 422]),
      /** Case-insensitive regular expressions over the upstream's error message. */
      messagePatterns: z.array(z.string().min(1).refine(isRegex, "Invalid regular expression")).default(() => [...DEFAULT_MESSAGE_PATTERNS]),
      /** Upper bound on upstream calls for one request, across targets, connections and retries. */
      maxAttempts: z.number().int().min(1).max(100).default(20),
    })
    .default(() => ({ statuses: [401, 402, 403, 408, 429], conditionalStatuses: [400, 404, 413, 422], messagePatterns: [...DEFAULT_MESSAGE_PATTERNS], maxAttempts: 20 })),
});
export type ResilienceConfig = z.infer<typeof ResilienceConfigSchema>;

/** The gateway's own limits on its clients (0 = no limit). */
export const RateLimitConfigSchema = z.object({
  /** All requests together, per rolling minute. */
  requestsPerMinute: z.number().int().min(0).max(1_000_000).default(0),
  /** Per gateway API key, per rolling minute (requests without a key count only globally). */
  requestsPerMinutePerKey: z.number().int().min(0).max(1_000_000).default(0),
  /** Streamed responses open at the same time. */
  maxConcurrentStreams: z.number().int().min(0).max(100_000).default(0),
});
export type RateLimitConfig = z.infer<typeof RateLimitConfigSchema>;

export function isRegex(source: string): boolean {
  try {
    new RegExp(source, "i");
    return true;
  } catch {
    return false;
  }
}

export function defaultResilienceConfig(): ResilienceConfig {
  return ResilienceConfigSchema.parse({});
}

/** A stored row, or the defaults when it is missing or no longer valid. */
export function parseStored<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const parsed = schema.safeParse(value ?? {});
  return parsed.success ? parsed.data : schema.parse({});
}

/** The stored resilience row, always with a "default" profile. */
export function parseResilience(value: unknown): ResilienceConfig {
  const config = parseStored(ResilienceConfigSchema, value);
  if (!config.profiles.default) config.profiles.default = defaultProfile();
  return config;
}

export function profileFor(config: ResilienceConfig, providerId: string): ResilienceProfile {
  const name = config.assignments[providerId];
  return (name && config.profiles[name]) || config.profiles.default || defaultProfile();
}

export function rotationFor(config: ResilienceConfig, providerId: string): Rotation {
  return config.rotation.providers[providerId] ?? config.rotation.default;
}

const compiled = new WeakMap<string[], RegExp[]>();

/** The fallback message patterns as RegExps, compiled once per config object. */
export function messageRegexes(patterns: string[]): RegExp[] {
  let out = compiled.get(patterns);
  if (!out) {
    out = patterns.map((p) => new RegExp(p, "i"));
    compiled.set(patterns, out);
  }
  return out;
}
