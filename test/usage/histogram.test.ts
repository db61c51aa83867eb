// Percentiles from the streaming histogram against distributions whose percentiles are
// known exactly, and the sliding window's ageing.
import { describe, expect, test } from "bun:test";
import { boundsOf, bucketOf, BUCKETS, Histogram, WindowedCounter, WindowedHistogram } from "../../src/usage/histogram.ts";
import { Telemetry } from "../../src/usage/telemetry.ts";

/** Exact nearest-rank percentile, by sorting (what the histogram must approximate). */
function exact(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("buckets", () => {
  test("every value falls in its bucket, and a bucket is at most 6.25% of its lower bound wide", () => {
    for (const v of [0, 1, 15, 16, 17, 31, 32, 100, 999, 1000, 12_345, 600_000, 2 ** 27]) {
      const [lower, width] = boundsOf(bucketOf(v));
      expect(v).toBeGreaterThanOrEqual(lower);
      expect(v).toBeLessThan(lower + width);
      if (v >= 16) expect(width / lower).toBeLessThanOrEqual(1 / 16);
    }
    expect(bucketOf(1e12)).toBe(BUCKETS - 1);
    expect(bucketOf(-5)).toBe(0);
  });
});

describe("percentiles", () => {
  test("uniform 1..1000: p50 500, p95 950, p99 990", () => {
    const h = new Histogram();
    for (let v = 1; v <= 1000; v++) h.record(v);
    expect(h.count).toBe(1000);
    for (const [q, want] of [[0.5, 500], [0.95, 950], [0.99, 990]] as const) {
      expect(Math.abs(h.quantile(q)! - want) / want).toBeLessThanOrEqual(0.02);
    }
  });

  test("small integers below 16 ms are exact", () => {
    const h = new Histogram();
    for (const v of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) h.record(v);
    expect([h.quantile(0.5), h.quantile(0.9), h.quantile(1)]).toEqual([5, 9, 10]);
  });

  test("a skewed latency distribution (log-normal, 100 000 samples) within 4% of the exact percentiles", () => {
    const random = rng(42);
    const values: number[] = [];
    const h = new Histogram();
    for (let i = 0; i < 100_000; i++) {
      // Box–Muller: median e^6 ≈ 403 ms, a long tail into seconds.
      const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
      const v = Math.round(Math.exp(6 + 0.8 * z));
      values.push(v);
      h.record(v);
    }
    for (const q of [0.5, 0.95, 0.99]) {
      const want = exact(values, q);
      expect(Math.abs(h.quantile(q)! - want) / want).toBeLessThanOrEqual(0.04);
    }
    expect(h.max).toBe(Math.max(...values));
  });

  test("a bimodal distribution (cache hits and upstream calls)", () => {
    const h = new Histogram();
    const values: number[] = [];
    for (let i = 0; i < 900; i++) values.push(5 + (i % 5)); // 5..9 ms
    for (let i = 0; i < 100; i++) values.push(2000 + i * 10); // 2000..2990 ms
    for (const v of values) h.record(v);
    expect(h.quantile(0.5)).toBe(exact(values, 0.5));
    expect(Math.abs(h.quantile(0.95)! - exact(values, 0.95)) / exact(values, 0.95)).toBeLessThanOrEqual(0.04);
    expect(Math.abs(h.quantile(0.99)! - exact(values, 0.99)) / exact(values, 0.99)).toBeLessThanOrEqual(0.04);
  });

  test("empty is null", () => {
    expect(new Histogram().quantile(0.5)).toBeNull();
  });
});

describe("sliding window", () => {
  test("samples age out slot by slot; the window merges only recent slots", () => {
    let now = 0;
    const w = new WindowedHistogram(60_000, 60, () => now);
    for (let v = 1; v <= 100; v++) w.record(1000); // minute 0: slow
    now = 5 * 60_000;
    for (let v = 1; v <= 100; v++) w.record(10); // minute 5: fast
    expect(w.window(60_000).count).toBe(100);
    expect(w.window(60_000).quantile(0.5)).toBe(10);
    expect(w.window(10 * 60_000).count).toBe(200);
    now = 61 * 60_000; // minute 0 has left the 60-minute ring; minute 5 is still in it
    expect(w.window(60 * 60_000).count).toBe(100);
    now = 5 * 60_000 + 60 * 60_000; // the ring came round to minute 5's slot: cleared on write
    w.record(20);
    expect(w.window(60 * 60_000).count).toBe(1);
  });

  test("counters age the same way", () => {
    let now = 0;
    const c = new WindowedCounter(60_000, 60, () => now);
    c.add();
    c.add(2);
    now = 3 * 60_000;
    c.add();
    expect(c.window(60_000)).toBe(1);
    expect(c.window(15 * 60_000)).toBe(4);
  });
});

describe("telemetry summary", () => {
  test("per provider: p50/p95/p99, count, errors and time to first token of streams", () => {
    let now = 1_000_000;
    const t = new Telemetry(() => now);
    for (let v = 1; v <= 200; v++) t.record("openai", v * 10, v % 2 === 0 ? v : null, v > 190);
    t.record("anthropic", 500, null, false);
    const s = t.summary(15 * 60_000);
    expect(Object.keys(s).sort()).toEqual(["anthropic", "openai"]);
    expect(s.openai).toMatchObject({ count: 200, errors: 10, ttft: { count: 100 } });
    expect(Math.abs(s.openai!.p50! - 1000) / 1000).toBeLessThanOrEqual(0.02);
    expect(Math.abs(s.openai!.p99! - 1980) / 1980).toBeLessThanOrEqual(0.04);
    expect(s.anthropic).toMatchObject({ p50: 500, p95: 500, p99: 500, count: 1, errors: 0, ttft: { count: 0, p50: null } });
    now += 16 * 60_000;
    expect(t.summary(15 * 60_000)).toEqual({});
  });
});
