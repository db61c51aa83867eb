// The overview's numbers, read straight from usage_records with bounded queries: every one is
// a range on the timestamp index or a LIMIT, so a large log never makes the page slow.
import type { Services } from "../services.ts";
import type { SeriesPoint } from "../../views/charts.tsx";

export interface TodayTotals {
  requests: number;
  errors: number;
  tokens: number;
  /** Null when this build records no cost. */
  costUsd: number | null;
  avgLatencyMs: number | null;
}

export interface RecentRequest {
  requestId: string;
  timestamp: number;
  endpoint: string;
  clientFormat: string;
  requestedModel: string | null;
  provider: string | null;
  model: string | null;
  status: number;
  latencyMs: number;
  totalTokens: number | null;
  stream: boolean;
  error: string | null;
}

export function startOfToday(now = Date.now()): number {
  const d = new Date(now);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

const columnCache = new WeakMap<Services, Set<string>>();

/** usage_log's columns (cost_usd arrives with pricing; older databases lack it). */
function usageColumns(services: Services): Set<string> {
  let cols = columnCache.get(services);
  if (!cols) {
    const rows = services.db.$client.query("PRAGMA table_info(usage_log)").all() as { name: string }[];
    cols = new Set(rows.map((r) => r.name));
    columnCache.set(services, cols);
  }
  return cols;
}

export function todayTotals(services: Services, now = Date.now()): TodayTotals {
  const hasCost = usageColumns(services).has("cost_usd");
  const row = services.db.$client
    .query(
      `SELECT count(*) AS requests, coalesce(sum(status >= 400), 0) AS errors, coalesce(sum(total_tokens), 0) AS tokens,
              avg(latency_ms) AS avgLatencyMs${hasCost ? ", sum(cost_usd) AS costUsd" : ""}
         FROM usage_records WHERE timestamp >= ?`,
    )
    .get(startOfToday(now)) as Record<string, number | null>;
  return {
    requests: Number(row.requests ?? 0),
    errors: Number(row.errors ?? 0),
    tokens: Number(row.tokens ?? 0),
    costUsd: hasCost ? Number(row.costUsd ?? 0) : null,
    avgLatencyMs: row.avgLatencyMs === null ? null : Number(row.avgLatencyMs),
  };
}

/** Requests per minute over the last `minutes`, oldest first, empty minutes included. */
export function requestsPerMinute(services: Services, minutes = 60, now = Date.now()): SeriesPoint[] {
  const minute = 60_000;
  const first = Math.floor(now / minute) * minute - (minutes - 1) * minute;
  const rows = services.db.$client
    .query(
      `SELECT (timestamp / 60000) * 60000 AS at, count(*) AS n, sum(status >= 400) AS e
         FROM usage_records WHERE timestamp >= ? GROUP BY timestamp / 60000`,
    )
    .all(first) as { at: number; n: number; e: number }[];
  const byMinute = new Map(rows.map((r) => [r.at, r]));
  const points: SeriesPoint[] = [];
  for (let i = 0; i < minutes; i++) {
    const at = first + i * minute;
    const r = byMinute.get(at);
    points.push({ at, value: r?.n ?? 0, errors: r?.e ?? 0 });
  }
  return points;
}

/** Requests per provider since midnight (the overview's bar list). */
export function requestsByProvider(services: Services, now = Date.now()): { provider: string; n: number }[] {
  // Counted by the provider's text id, named after: the day's rows are not joined one by one.
  return services.db.$client
    .query(
      `SELECT coalesce(t.text, '(unresolved)') AS provider, g.n FROM
         (SELECT provider_ref, count(*) AS n FROM usage_records WHERE timestamp >= ? GROUP BY provider_ref) g
         LEFT JOIN usage_texts t ON t.id = g.provider_ref
        ORDER BY g.n DESC LIMIT 8`,
    )
    .all(startOfToday(now)) as { provider: string; n: number }[];
}

export function recentRequests(services: Services, limit = 15): RecentRequest[] {
  const rows = services.db.$client
    .query(
      `SELECT u.request_id AS requestId, u.timestamp, u.endpoint, u.client_format AS clientFormat,
              u.requested_model AS requestedModel, u.provider, u.model, u.status, u.latency_ms AS latencyMs,
              u.total_tokens AS totalTokens, u.stream, coalesce(u.error, u.error_code) AS error
         FROM usage_log u ORDER BY u.id DESC LIMIT ?`,
    )
    .all(limit) as (Omit<RecentRequest, "stream"> & { stream: number })[];
  return rows.map((r) => ({ ...r, stream: Boolean(r.stream) }));
}
