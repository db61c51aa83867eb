// Live latency per target (provider and model): an exponentially weighted moving average of the
// time to the upstream's response headers on successful calls. Recent calls weigh most
// (alpha 0.3 ≈ the last few calls), so a target that slows down loses its place quickly
// without one outlier deciding the order. Feeds the least-latency strategy.

export interface LatencyView {
  ewmaMs: number;
  samples: number;
  lastMs: number;
}

export class LatencyTracker {
  /** provider → model → stats: looked up per request without building a "provider/model" string. */
  private stats = new Map<string, Map<string, LatencyView>>();
  private count = 0;

  constructor(private readonly alpha = 0.3) {}

  record(providerId: string, model: string, ms: number): void {
    let byModel = this.stats.get(providerId);
    const s = byModel?.get(model);
    if (s) {
      s.ewmaMs = s.ewmaMs + this.alpha * (ms - s.ewmaMs);
      s.samples++;
      s.lastMs = ms;
      return;
    }
    // Keys include client-chosen model names: bound the table (telemetry rebuilds quickly).
    if (this.count >= 10_000) {
      this.reset();
      byModel = undefined;
    }
    if (!byModel) this.stats.set(providerId, (byModel = new Map()));
    byModel.set(model, { ewmaMs: ms, samples: 1, lastMs: ms });
    this.count++;
  }

  /** The smoothed latency, or undefined when the target has never answered. */
  get(providerId: string, model: string): number | undefined {
    return this.stats.get(providerId)?.get(model)?.ewmaMs;
  }

  reset(): void {
    this.stats.clear();
    this.count = 0;
  }
}
