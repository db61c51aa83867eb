// GET /api/telemetry/summary: latency percentiles and counts per provider over a sliding
// window, plus time to first token for streams. Fed once per finished request.
import { WindowedCounter, WindowedHistogram, type Histogram } from "./histogram.ts";

export const TELEMETRY_SLOT_MS = 60_000;
export const TELEMETRY_SLOTS = 60;

interface ProviderSeries {
  latency: WindowedHistogram;
  ttft: WindowedHistogram;
  errors: WindowedCounter;
}

export interface PercentileSummary {
  p50: number | null;
  p95: number | null;
  p99: number | null;
  count: number;
}

export interface ProviderTelemetry extends PercentileSummary {
  mean: number | null;
  max: number | null;
  errors: number;
  ttft: PercentileSummary;
}

const summarize = (h: Histogram): PercentileSummary => ({
  p50: h.quantile(0.5),
  p95: h.quantile(0.95),
  p99: h.quantile(0.99),
  count: h.count,
});

export class Telemetry {
  private readonly providers = new Map<string, ProviderSeries>();

  constructor(private readonly now: () => number = Date.now) {}

  private series(provider: string): ProviderSeries {
    let s = this.providers.get(provider);
    if (!s) {
      const make = () => new WindowedHistogram(TELEMETRY_SLOT_MS, TELEMETRY_SLOTS, this.now);
      s = { latency: make(), ttft: make(), errors: new WindowedCounter(TELEMETRY_SLOT_MS, TELEMETRY_SLOTS, this.now) };
      this.providers.set(provider, s);
    }
    return s;
  }

  /** One finished request. `ttftMs` only for streams (the first upstream byte). */
  record(provider: string, latencyMs: number, ttftMs: number | null, isError: boolean): void {
    const s = this.series(provider);
    s.latency.record(latencyMs);
    if (ttftMs !== null) s.ttft.record(ttftMs);
    if (isError) s.errors.add();
  }

  summary(windowMs: number): Record<string, ProviderTelemetry> {
    const out: Record<string, ProviderTelemetry> = {};
    for (const [provider, s] of this.providers) {
      const latency = s.latency.window(windowMs);
      if (latency.count === 0) continue;
      out[provider] = {
        ...summarize(latency),
        mean: Math.round(latency.sum / latency.count),
        max: Math.round(latency.max),
        errors: s.errors.window(windowMs),
        ttft: summarize(s.ttft.window(windowMs)),
      };
    }
    return out;
  }
}
