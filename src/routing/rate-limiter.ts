// The gateway's own limits on its clients: requests per rolling minute (globally and per API
// key) and streams open at once. A sliding log is exact (no burst of 2× at a fixed window's
// edge) and cheap here: it never holds more than `limit` timestamps per key. Excess requests
// are refused up front with 429 and a retry-after, instead of queueing (bounded, never hang).
import type { RateLimitConfig } from "./resilience-config.ts";

const MINUTE = 60_000;

/** The last `limit` admissions of one key, oldest first. */
class SlidingLog {
  private stamps: number[] = [];
  private start = 0;

  constructor(readonly limit: number) {}

  /** ms until a slot frees, 0 if one is free now. */
  waitMs(now: number): number {
    while (this.start < this.stamps.length && this.stamps[this.start]! <= now - MINUTE) this.start++;
    if (this.start > 1024) {
      this.stamps = this.stamps.slice(this.start);
      this.start = 0;
    }
    const inWindow = this.stamps.length - this.start;
    return inWindow < this.limit ? 0 : this.stamps[this.start]! + MINUTE - now;
  }

  take(now: number): void {
    this.stamps.push(now);
  }

  used(now: number): number {
    this.waitMs(now);
    return this.stamps.length - this.start;
  }
}

export type RateVerdict = { ok: true } | { ok: false; scope: "global" | "key" | "streams"; limit: number; retryAfterMs: number };

export class RequestRateLimiter {
  private global: SlidingLog | null = null;
  private perKey = new Map<string, SlidingLog>();
  private openStreams = 0;

  /** Admits one request (counting it) or says how long to wait. Requests without a key count only globally. */
  admit(config: RateLimitConfig, apiKeyId: string | null, now: number): RateVerdict {
    const globalLog = config.requestsPerMinute > 0 ? this.logFor(null, config.requestsPerMinute) : null;
    const keyLog = apiKeyId && config.requestsPerMinutePerKey > 0 ? this.logFor(apiKeyId, config.requestsPerMinutePerKey) : null;
    // Check both before counting either, so a refused request uses no quota anywhere.
    const keyWait = keyLog?.waitMs(now) ?? 0;
    if (keyWait > 0) return { ok: false, scope: "key", limit: keyLog!.limit, retryAfterMs: keyWait };
    const globalWait = globalLog?.waitMs(now) ?? 0;
    if (globalWait > 0) return { ok: false, scope: "global", limit: globalLog!.limit, retryAfterMs: globalWait };
    keyLog?.take(now);
    globalLog?.take(now);
    return { ok: true };
  }

  /** Claims a stream slot; the caller must call releaseStream() exactly once when it ends. */
  acquireStream(config: RateLimitConfig): RateVerdict {
    if (config.maxConcurrentStreams > 0 && this.openStreams >= config.maxConcurrentStreams) {
      // No way to know when a stream ends; a second is what a client should wait before trying again.
      return { ok: false, scope: "streams", limit: config.maxConcurrentStreams, retryAfterMs: 1000 };
    }
    this.openStreams++;
    return { ok: true };
  }

  releaseStream(): void {
    this.openStreams = Math.max(0, this.openStreams - 1);
  }

  view(config: RateLimitConfig, now: number) {
    return {
      requestsLastMinute: this.global && config.requestsPerMinute > 0 ? this.global.used(now) : null,
      perKey: Object.fromEntries([...this.perKey].map(([k, log]) => [k, log.used(now)])),
      openStreams: this.openStreams,
    };
  }

  reset(): void {
    this.global = null;
    this.perKey.clear();
  }

  /** A log per key, replaced when its limit changes (the old counts would not mean the same). */
  private logFor(key: string | null, limit: number): SlidingLog {
    const current = key === null ? this.global : this.perKey.get(key);
    if (current && current.limit === limit) return current;
    const log = new SlidingLog(limit);
    if (key === null) this.global = log;
    else this.perKey.set(key, log);
    return log;
  }
}
