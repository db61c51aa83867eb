// Time and chance, injected. Every routing decision that depends on "now" (cooldowns,
// breaker windows, policy time windows) or on a random draw (weighted/random strategies,
// retry jitter) reads them from here, so unit tests drive a manual clock and a seeded
// generator instead of sleeping or asserting on luck.

export interface Clock {
  /** Milliseconds since the epoch (same scale as Date.now, so it compares with DB timestamps). */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that moves only when told to. Starts at the real time so DB timestamps compare sensibly. */
export class ManualClock implements Clock {
  constructor(private t = Date.now()) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
  set(ms: number): void {
    this.t = ms;
  }
}

/** A uniform draw in [0, 1). */
export type Random = () => number;

/** mulberry32: tiny, fast and good enough to spread traffic; seeded for reproducible tests. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
