// The gateway's Prometheus metrics (GET /metrics). Counters and histograms are fed once per
// finished request from the usage row; gauges (queue, in-flight, budgets, breakers) are read
// from live state at scrape time. Other areas (cache, …) add families with addCollector().
import { Counter, PromHistogram, header, sample, type HistogramSeries } from "./prometheus.ts";
import type { UsageEntry } from "./recorder.ts";
import { isErrorStatus } from "./rollup.ts";

/** Seconds; spans a fast cache hit to a long reasoning stream. */
const LATENCY_BOUNDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const TTFT_BOUNDS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60];

interface RequestSeries {
  requests: { value: number };
  latency: HistogramSeries;
  ttft?: HistogramSeries;
  prompt?: { value: number };
  completion?: { value: number };
  cached?: { value: number };
  reasoning?: { value: number };
  cost?: { value: number };
  estimated?: { value: number };
}

export interface ScrapeState {
  usageQueue: { queued: number; written: number; dropped: number };
  inFlight: number;
  streams: number;
  budgets: { keyId: string; limit: number; spent: number }[];
  /** services.routing.breakers(), when the routing layer provides it. */
  breakers?: { scope: string; key: string; providerId: string; view: { state: string; trips: number } }[];
  startedAt: number;
}

export class GatewayMetrics {
  private readonly requests = new Counter("omniroute_requests_total", "Gateway requests by provider, client format and HTTP status.", ["provider", "client_format", "status"]);
  private readonly errors = new Counter("omniroute_request_errors_total", "Failed gateway requests by provider and error code.", ["provider", "code"]);
  private readonly latency = new PromHistogram("omniroute_request_duration_seconds", "Time from request received to response finished.", ["provider"], LATENCY_BOUNDS);
  private readonly ttft = new PromHistogram("omniroute_time_to_first_token_seconds", "Time to the first upstream byte of streamed responses.", ["provider"], TTFT_BOUNDS);
  private readonly tokens = new Counter("omniroute_tokens_total", "Tokens reported by upstreams, by kind (cached ⊂ prompt, reasoning ⊂ completion).", ["provider", "model", "kind"]);
  private readonly cost = new Counter("omniroute_cost_usd_total", "Cost in US dollars (includes estimates).", ["provider", "model"]);
  private readonly estimated = new Counter("omniroute_cost_estimated_requests_total", "Requests whose cost was estimated because the upstream reported no usage.", ["provider"]);
  private readonly collectors: (() => string)[] = [];
  /** provider → model → client format → status → the series its requests update. */
  private readonly byKind = new Map<string, Map<string, Map<string, Map<number, RequestSeries>>>>();
  /** The previous request's kind: under load most requests are of the same kind as the one before. */
  private last: { provider: string; model: string; clientFormat: string; status: number; series: RequestSeries } | null = null;

  /** Renders extra metric families (already in exposition format) at each scrape. */
  addCollector(collect: () => string): void {
    this.collectors.push(collect);
  }

  observe(row: UsageEntry): void {
    const provider = row.provider ?? "none";
    const model = row.model ?? "none";
    const s = this.seriesOf(provider, model, row.clientFormat, row.status);
    s.requests.value++;
    if (isErrorStatus(row.status)) this.errors.inc([provider, row.errorCode ?? "error"]);
    this.latency.observeIn(s.latency, row.latencyMs / 1000);
    if (row.stream && row.ttfbMs != null) this.ttft.observeIn((s.ttft ??= this.ttft.at([provider])), row.ttfbMs / 1000);
    if (row.promptTokens) (s.prompt ??= this.tokens.at([provider, model, "prompt"])).value += row.promptTokens;
    if (row.completionTokens) (s.completion ??= this.tokens.at([provider, model, "completion"])).value += row.completionTokens;
    if (row.cachedTokens) (s.cached ??= this.tokens.at([provider, model, "cached"])).value += row.cachedTokens;
    if (row.reasoningTokens) (s.reasoning ??= this.tokens.at([provider, model, "reasoning"])).value += row.reasoningTokens;
    if (row.costUsd) (s.cost ??= this.cost.at([provider, model])).value += row.costUsd;
    if (row.costEstimated) (s.estimated ??= this.estimated.at([provider])).value++;
  }

  /**
   * The series a request of this kind updates, looked up once per request instead of once per
   * family (about ten map lookups and label arrays per request before). A series is created
   * the first time it is added to, as before: /metrics lists only what happened.
   */
  private seriesOf(provider: string, model: string, clientFormat: string, status: number): RequestSeries {
    const last = this.last;
    if (last && last.provider === provider && last.model === model && last.clientFormat === clientFormat && last.status === status) return last.series;
    const series = this.lookUp(provider, model, clientFormat, status);
    this.last = { provider, model, clientFormat, status, series };
    return series;
  }

  private lookUp(provider: string, model: string, clientFormat: string, status: number): RequestSeries {
    let byModel = this.byKind.get(provider);
    if (!byModel) this.byKind.set(provider, (byModel = new Map()));
    let byFormat = byModel.get(model);
    if (!byFormat) byModel.set(model, (byFormat = new Map()));
    let byStatus = byFormat.get(clientFormat);
    if (!byStatus) byFormat.set(clientFormat, (byStatus = new Map()));
    let s = byStatus.get(status);
    if (!s) {
      s = { requests: this.requests.at([provider, clientFormat, String(status)]), latency: this.latency.at([provider]) };
      byStatus.set(status, s);
    }
    return s;
  }

  render(state: ScrapeState): string {
    let out = "";
    for (const family of [this.requests, this.errors, this.latency, this.ttft, this.tokens, this.cost, this.estimated]) out += family.render();

    out += header("omniroute_usage_queue_depth", "gauge", "Usage rows waiting for the next batched write.");
    out += sample("omniroute_usage_queue_depth", {}, state.usageQueue.queued);
    out += header("omniroute_usage_rows_written_total", "counter", "Usage rows written to the database.");
    out += sample("omniroute_usage_rows_written_total", {}, state.usageQueue.written);
    out += header("omniroute_usage_rows_dropped_total", "counter", "Usage rows dropped because the queue was full.");
    out += sample("omniroute_usage_rows_dropped_total", {}, state.usageQueue.dropped);

    out += header("omniroute_requests_in_flight", "gauge", "Gateway requests being served.");
    out += sample("omniroute_requests_in_flight", {}, state.inFlight);
    out += header("omniroute_streams_active", "gauge", "Responses currently streaming to clients.");
    out += sample("omniroute_streams_active", {}, state.streams);

    if (state.budgets.length) {
      out += header("omniroute_budget_limit_usd", "gauge", "Budget limit per API key for its current period.");
      for (const b of state.budgets) out += sample("omniroute_budget_limit_usd", { key_id: b.keyId }, b.limit);
      out += header("omniroute_budget_spent_usd", "gauge", "Spend per API key in its current budget period.");
      for (const b of state.budgets) out += sample("omniroute_budget_spent_usd", { key_id: b.keyId }, b.spent);
    }

    if (state.breakers?.length) {
      out += header("omniroute_circuit_breaker_open", "gauge", "1 when a circuit breaker is open or half-open.");
      for (const b of state.breakers) {
        out += sample("omniroute_circuit_breaker_open", { scope: b.scope, key: b.key, provider: b.providerId, state: b.view.state }, b.view.state === "closed" ? 0 : 1);
      }
      out += header("omniroute_circuit_breaker_trips_total", "counter", "Times a circuit breaker has opened.");
      for (const b of state.breakers) out += sample("omniroute_circuit_breaker_trips_total", { scope: b.scope, key: b.key, provider: b.providerId }, b.view.trips);
    }

    out += header("omniroute_start_time_seconds", "gauge", "Unix time the process started.");
    out += sample("omniroute_start_time_seconds", {}, Math.floor(state.startedAt / 1000));
    for (const collect of this.collectors) out += collect();
    return out;
  }
}
