// Client rate limits: rolling minute per key and global, concurrent streams.
import { describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/routing/clock.ts";
import { RequestRateLimiter } from "../../src/routing/rate-limiter.ts";

const cfg = (over = {}) => ({ requestsPerMinute: 0, requestsPerMinutePerKey: 0, maxConcurrentStreams: 0, ...over });

describe("RequestRateLimiter", () => {
  test("per key: the limit inside a rolling minute, with the wait until the oldest request leaves it", () => {
    const clock = new ManualClock(0);
    const l = new RequestRateLimiter();
    const c = cfg({ requestsPerMinutePerKey: 2 });
    expect(l.admit(c, "k1", clock.now()).ok).toBe(true);
    clock.advance(10_000);
    expect(l.admit(c, "k1", clock.now()).ok).toBe(true);
    expect(l.admit(c, "k1", clock.now())).toEqual({ ok: false, scope: "key", limit: 2, retryAfterMs: 50_000 });
    // Other keys and keyless requests are not affected by k1's limit.
    expect(l.admit(c, "k2", clock.now()).ok).toBe(true);
    expect(l.admit(c, null, clock.now()).ok).toBe(true);
    clock.advance(50_000);
    expect(l.admit(c, "k1", clock.now()).ok).toBe(true);
  });

  test("global limit counts everyone; a refused request uses no quota", () => {
    const l = new RequestRateLimiter();
    const c = cfg({ requestsPerMinute: 3, requestsPerMinutePerKey: 1 });
    expect(l.admit(c, "a", 0).ok).toBe(true);
    expect(l.admit(c, "a", 0)).toMatchObject({ ok: false, scope: "key" });
    expect(l.admit(c, "b", 0).ok).toBe(true);
    expect(l.admit(c, null, 0).ok).toBe(true);
    expect(l.admit(c, "c", 0)).toMatchObject({ ok: false, scope: "global", retryAfterMs: 60_000 });
    expect(l.view(c, 0)).toMatchObject({ requestsLastMinute: 3 });
  });

  test("0 means unlimited", () => {
    const l = new RequestRateLimiter();
    for (let i = 0; i < 1000; i++) expect(l.admit(cfg(), "k", 0).ok).toBe(true);
  });

  test("concurrent streams: slots are claimed and released", () => {
    const l = new RequestRateLimiter();
    const c = cfg({ maxConcurrentStreams: 2 });
    expect(l.acquireStream(c).ok).toBe(true);
    expect(l.acquireStream(c).ok).toBe(true);
    expect(l.acquireStream(c)).toMatchObject({ ok: false, scope: "streams", limit: 2 });
    l.releaseStream();
    expect(l.acquireStream(c).ok).toBe(true);
  });
});
