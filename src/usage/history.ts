// Time series and breakdowns of usage, read from the hourly rollup (usage_hourly) with one
// GROUP BY over an indexed range: a month is ~720 hours × the combinations seen, whatever
// the number of requests. Times are UTC; a day series is grouped on UTC midnights.
import type { Database } from "bun:sqlite";
import { DAY_MS, HOUR_MS } from "./rollup.ts";

export type Granularity = "hour" | "day";
export const GROUP_BY = { provider: "provider", model: "model", key: "api_key_id", connection: "connection_id" } as const;
export type GroupBy = keyof typeof GROUP_BY;

export interface UsageFilters {
  provider?: string;
  model?: string;
  keyId?: string;
  connectionId?: string;
}

export interface UsageTotals {
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
  totalTokens: number;
  costUsd: number;
  estimatedRequests: number;
  avgLatencyMs: number | null;
}

const SUMS = `sum(requests) AS requests, sum(errors) AS errors, sum(prompt_tokens) AS promptTokens,
  sum(completion_tokens) AS completionTokens, sum(cached_tokens) AS cachedTokens, sum(reasoning_tokens) AS reasoningTokens,
  sum(total_tokens) AS totalTokens, sum(cost_usd) AS costUsd, sum(estimated_requests) AS estimatedRequests,
  sum(latency_ms_sum) AS latencySum`;

type SumRow = Record<keyof Omit<UsageTotals, "avgLatencyMs">, number | null> & { latencySum: number | null };

function totalsOf(r: SumRow | null | undefined): UsageTotals {
  const requests = r?.requests ?? 0;
  return {
    requests,
    errors: r?.errors ?? 0,
    promptTokens: r?.promptTokens ?? 0,
    completionTokens: r?.completionTokens ?? 0,
    cachedTokens: r?.cachedTokens ?? 0,
    reasoningTokens: r?.reasoningTokens ?? 0,
    totalTokens: r?.totalTokens ?? 0,
    costUsd: Math.round((r?.costUsd ?? 0) * 1e6) / 1e6,
    estimatedRequests: r?.estimatedRequests ?? 0,
    avgLatencyMs: requests > 0 ? Math.round((r?.latencySum ?? 0) / requests) : null,
  };
}

const filtered = (f: UsageFilters) => f.provider !== undefined || f.model !== undefined || f.keyId !== undefined || f.connectionId !== undefined;

/** Unfiltered reads go to the per-hour totals (≤ 24 rows a day whatever the combinations). */
const tableFor = (f: UsageFilters) => (filtered(f) ? "usage_hourly" : "usage_hourly_totals");

/** WHERE clause and parameters for a bucket range plus filters ('' stands for "none" in the rollup). */
function where(from: number, to: number, f: UsageFilters): { sql: string; params: Record<string, string | number> } {
  const parts = ["bucket >= $from", "bucket < $to"];
  const params: Record<string, string | number> = { from, to };
  if (f.provider !== undefined) (parts.push("provider = $provider"), (params.provider = f.provider));
  if (f.model !== undefined) (parts.push("model = $model"), (params.model = f.model));
  if (f.keyId !== undefined) (parts.push("api_key_id = $keyId"), (params.keyId = f.keyId));
  if (f.connectionId !== undefined) (parts.push("connection_id = $connectionId"), (params.connectionId = f.connectionId));
  return { sql: parts.join(" AND "), params };
}

export const stepOf = (g: Granularity) => (g === "day" ? DAY_MS : HOUR_MS);

/** Aligns [from, to) outward to whole steps. */
export function alignRange(from: number, to: number, g: Granularity): [number, number] {
  const step = stepOf(g);
  return [Math.floor(from / step) * step, Math.ceil(to / step) * step];
}

/** The series (every step present, zeros included, so a chart needs no gap handling) and its totals, in one pass. */
export function usageSeries(sqlite: Database, g: Granularity, from: number, to: number, f: UsageFilters) {
  const step = stepOf(g);
  const w = where(from, to, f);
  const rows = sqlite
    .query(`SELECT (bucket / ${step}) * ${step} AS t, ${SUMS} FROM ${tableFor(f)} WHERE ${w.sql} GROUP BY t ORDER BY t`)
    .all(w.params) as (SumRow & { t: number })[];
  const byTime = new Map(rows.map((r) => [r.t, r]));
  const series: ({ time: string } & UsageTotals)[] = [];
  for (let t = from; t < to; t += step) series.push({ time: new Date(t).toISOString(), ...totalsOf(byTime.get(t)) });
  const sum = Object.fromEntries(Object.keys(rows[0] ?? {}).map((k) => [k, 0])) as Record<string, number>;
  for (const r of rows) for (const k of Object.keys(sum)) sum[k]! += (r as unknown as Record<string, number>)[k] ?? 0;
  return { series, totals: totalsOf(rows.length ? (sum as unknown as SumRow) : null) };
}

export function usageTotals(sqlite: Database, from: number, to: number, f: UsageFilters): UsageTotals {
  const w = where(from, to, f);
  return totalsOf(sqlite.query(`SELECT ${SUMS} FROM ${tableFor(f)} WHERE ${w.sql}`).get(w.params) as SumRow);
}

/** Totals per value of one dimension, most expensive (then busiest) first. */
export function usageBreakdown(sqlite: Database, by: GroupBy, from: number, to: number, f: UsageFilters, limit = 50) {
  const column = GROUP_BY[by];
  const w = where(from, to, f);
  const rows = sqlite
    .query(`SELECT ${column} AS value, ${SUMS} FROM usage_hourly WHERE ${w.sql} GROUP BY ${column} ORDER BY costUsd DESC, requests DESC LIMIT ${limit}`)
    .all(w.params) as (SumRow & { value: string })[];
  return rows.map((r) => ({ value: r.value === "" ? null : r.value, ...totalsOf(r) }));
}
