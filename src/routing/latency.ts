// Live latency per target ("provider/model"): an exponentially weighted moving average of the
// time to the upstream's response headers on successful calls. Recent calls weigh most
// (alpha 0.3 ≈ the last few calls), so a target that slows down loses its place quickly
// without one outlier deciding the order. Feeds the least-latency strategy.

export interface LatencyView {
  ewmaMs: number;
  samples: number;
  lastMs: number;
}

export class LatencyTracker {
  private stats = new Map<string, LatencyView>();

  constructor(private readonly alpha = 0.3) {}

  record(key: string, ms: number): void {
    const s = this.stats.get(key);
    if (!s) {
      // Keys include client-chosen model names: bound the table (telemetry rebuilds quickly).
      if (this.stats.size >= 10_000) this.stats.clear();
      this.stats.set(key, { ewmaMs: ms, samples: 1, lastMs: ms });
    }
    else {
      s.ewmaMs = s.ewmaMs + this.alpha * (ms - s.ewmaMs);
      s.samples++;
      s.lastMs = ms;
    }
  }

  /** The smoothed latency, or undefined when the target has never answered. */
  get(key: string): number | undefined {
    return this.stats.get(key)?.ewmaMs;
  }

  view(key: string): LatencyView | undefined {
    const s = this.stats.get(key);
    return s ? { ...s } : undefined;
  }

  reset(): void {
    this.stats.clear();
  }
}
