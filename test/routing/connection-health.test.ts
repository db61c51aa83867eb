// Cooldowns (retry-after or exponential, capped, per model or per account), auth failures
// cleared only by a later successful test, and limits read from upstream headers.
import { describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/routing/clock.ts";
import { ConnectionHealth } from "../../src/routing/connection-health.ts";
import { exhaustedUntil, parseDuration, parseRetryAfter, readUpstreamLimits } from "../../src/routing/upstream-limits.ts";

const cfg = { baseMs: 1_000, maxMs: 10_000 };

describe("cooldowns", () => {
  test("retry-after wins; without it the wait doubles per consecutive 429, capped", () => {
    const clock = new ManualClock(0);
    const h = new ConnectionHealth();
    expect(h.coolDown("c1", "m", 7_000, cfg, clock.now(), "rate_limited").until).toBe(7_000);
    clock.set(100_000);
    const waits = [1, 2, 3, 4, 5].map(() => {
      const c = h.coolDown("c2", "m", null, cfg, clock.now(), "rate_limited");
      return c.until - clock.now();
    });
    expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 10_000]);
    // A bogus retry-after is capped too.
    expect(h.coolDown("c3", null, 86_400_000, cfg, clock.now(), "quota").until - clock.now()).toBe(10_000);
  });

  test("a cooldown expires on the clock; success restarts the exponential series", () => {
    const clock = new ManualClock(0);
    const h = new ConnectionHealth();
    h.coolDown("c", "m", null, cfg, clock.now(), "rate_limited");
    h.coolDown("c", "m", null, cfg, clock.now(), "rate_limited");
    expect(h.cooldownOf("c", "m", clock.now())?.until).toBe(2_000);
    clock.advance(1_999);
    expect(h.cooldownOf("c", "m", clock.now())).not.toBeNull();
    clock.advance(1);
    expect(h.cooldownOf("c", "m", clock.now())).toBeNull();
    h.onSuccess("c", "m");
    expect(h.coolDown("c", "m", null, cfg, clock.now(), "rate_limited").until - clock.now()).toBe(1_000);
  });

  test("a model cooldown leaves the connection's other models alone; an account cooldown covers all", () => {
    const h = new ConnectionHealth();
    h.coolDown("c", "gpt-4o", 5_000, cfg, 0, "rate_limited");
    expect(h.cooldownOf("c", "gpt-4o", 1)).not.toBeNull();
    expect(h.cooldownOf("c", "gpt-4o-mini", 1)).toBeNull();
    h.coolDown("c", null, 8_000, cfg, 0, "quota");
    expect(h.cooldownOf("c", "gpt-4o-mini", 1)).toMatchObject({ reason: "quota", until: 8_000, model: null });
    expect(h.counts(1)).toEqual({ cooling: 1, unhealthy: 0 });
    expect(h.cooldownsOf("c", 1)).toHaveLength(2);
  });

  test("with the account and the model both cooling, the later end applies; each expires on its own", () => {
    const h = new ConnectionHealth();
    h.coolDown("d", "m", 9_000, cfg, 0, "rate_limited");
    h.coolDown("d", null, 3_000, cfg, 0, "quota");
    expect(h.cooldownOf("d", "m", 1)).toMatchObject({ until: 9_000, model: "m" });
    expect(h.cooldownOf("d", "other", 1)).toMatchObject({ until: 3_000, model: null });
    expect(h.cooldownOf("d", null, 1)).toMatchObject({ until: 3_000, model: null });
    // The account's ends first; the model's still holds.
    expect(h.cooldownOf("d", "other", 3_000)).toBeNull();
    expect(h.cooldownOf("d", "m", 3_000)).toMatchObject({ until: 9_000, model: "m" });
    h.coolDown("e", "m", 2_000, cfg, 0, "rate_limited");
    h.coolDown("e", null, 6_000, cfg, 0, "quota");
    expect(h.cooldownOf("e", "m", 1)).toMatchObject({ until: 6_000, model: null });
    expect(h.cooldownOf("e", "m", 9_000)).toBeNull();
    expect(h.counts(8_999)).toEqual({ cooling: 1, unhealthy: 0 });
  });
});

describe("auth failures", () => {
  test("unhealthy until a test passes after the failure", () => {
    const h = new ConnectionHealth();
    h.markUnhealthy("c", 1_000, "Incorrect API key");
    expect(h.unhealthy("c", { testStatus: "active", lastTestedAt: 500 })).toMatchObject({ message: "Incorrect API key" });
    expect(h.unhealthy("c", { testStatus: "error", lastTestedAt: 2_000 })).not.toBeNull();
    expect(h.unhealthy("c", { testStatus: "active", lastTestedAt: 2_000 })).toBeNull();
    // Cleared for good.
    expect(h.unhealthy("c", { testStatus: "unknown" })).toBeNull();
  });

  test("reset clears everything", () => {
    const h = new ConnectionHealth();
    h.markUnhealthy("a", 0, "x");
    h.coolDown("b", null, 1_000, cfg, 0, "quota");
    expect(h.reset()).toBe(2);
    expect(h.counts(0)).toEqual({ cooling: 0, unhealthy: 0 });
  });
});

describe("upstream limit headers", () => {
  test("durations, retry-after in seconds and as a date", () => {
    expect(parseDuration("6m0s")).toBe(360_000);
    expect(parseDuration("1.5s")).toBe(1_500);
    expect(parseDuration("20ms")).toBe(20);
    expect(parseDuration("1h2m3s")).toBe(3_723_000);
    expect(parseDuration("7")).toBe(7_000);
    expect(parseDuration("soon")).toBeNull();
    expect(parseRetryAfter("7", 0)).toBe(7_000);
    expect(parseRetryAfter(new Date(61_000).toUTCString(), 1_000)).toBe(60_000);
    expect(parseRetryAfter("nonsense", 0)).toBeNull();
    expect(parseRetryAfter(null, 0)).toBeNull();
  });

  test("OpenAI, Anthropic and generic headers", () => {
    const now = 1_000_000;
    const openai = readUpstreamLimits(
      new Headers({
        "x-ratelimit-limit-requests": "500",
        "x-ratelimit-remaining-requests": "0",
        "x-ratelimit-reset-requests": "1m0s",
        "x-ratelimit-limit-tokens": "30000",
        "x-ratelimit-remaining-tokens": "29000",
        "x-ratelimit-reset-tokens": "2s",
      }),
      now,
    )!;
    expect(openai).toEqual({
      requests: { limit: 500, remaining: 0, resetAt: now + 60_000 },
      tokens: { limit: 30_000, remaining: 29_000, resetAt: now + 2_000 },
      seenAt: now,
    });
    expect(exhaustedUntil(openai, now)).toBe(now + 60_000);
    const anthropic = readUpstreamLimits(
      new Headers({ "anthropic-ratelimit-requests-limit": "50", "anthropic-ratelimit-requests-remaining": "49", "anthropic-ratelimit-requests-reset": new Date(now + 5_000).toISOString() }),
      now,
    )!;
    expect(anthropic.requests).toEqual({ limit: 50, remaining: 49, resetAt: now + 5_000 });
    expect(exhaustedUntil(anthropic, now)).toBeNull();
    expect(readUpstreamLimits(new Headers({ "x-ratelimit-remaining": "3", "x-ratelimit-reset": "30" }), now)!.requests).toEqual({ remaining: 3, resetAt: now + 30_000 });
    expect(readUpstreamLimits(new Headers({ "content-type": "application/json" }), now)).toBeNull();
  });

  test("an exhausted window cools the connection for that model until it refills", () => {
    const h = new ConnectionHealth();
    const limits = readUpstreamLimits(new Headers({ "x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "3s" }), 0)!;
    h.recordLimits("c", "m", limits, cfg, 0);
    expect(h.cooldownOf("c", "m", 1)).toMatchObject({ reason: "limit_exhausted", until: 3_000 });
    expect(h.limitsOf("c")).toBe(limits);
  });
});
