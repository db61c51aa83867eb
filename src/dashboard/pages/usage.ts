// /dashboard/usage: totals, charts and the request log, all read through /api/usage/* so the
// page shows exactly what the API reports. Filters are a GET form (bookmarkable); the log
// pages with the API's cursor.
import { Elysia } from "elysia";
import * as t from "../../db/schema.ts";
import type { SeriesPoint } from "../../../views/charts.tsx";
import { RequestDetail, RequestLog, UsageArea, UsagePage, type LogRow, type UsageFilters, type UsageProps } from "../../../views/usage.tsx";
import { html, isHx, renderPage, type Dash, type DashboardPage } from "../http.ts";

const PATH = "/dashboard/usage";
const LOG_PAGE = 25;

function filtersOf(query: Record<string, string | undefined>): UsageFilters {
  const range = query.range === "7d" || query.range === "30d" ? query.range : "24h";
  return { range, provider: query.provider ?? "", status: query.status === "success" || query.status === "error" ? query.status : "", keyId: query.keyId ?? "" };
}

function apiFilters(f: UsageFilters): URLSearchParams {
  const q = new URLSearchParams();
  if (f.provider) q.set("provider", f.provider);
  if (f.keyId) q.set("keyId", f.keyId);
  return q;
}

export function usageRoutes(dash: Dash) {
  const { services } = dash;

  const keyNames = () => new Map(services.db.select({ id: t.apiKeys.id, name: t.apiKeys.name }).from(t.apiKeys).all().map((k) => [k.id, k.name]));

  async function logPage(f: UsageFilters, cursor: string | undefined) {
    const q = apiFilters(f);
    q.set("limit", String(LOG_PAGE));
    if (f.status) q.set("status", f.status);
    if (cursor) q.set("cursor", cursor);
    const res = await dash.api("GET", `/api/usage/request-logs?${q}`);
    if (!res.ok) return { logs: [] as LogRow[], olderQuery: null, error: res.error };
    const names = keyNames();
    const logs: LogRow[] = (res.data.logs ?? []).map((l: any) => ({
      requestId: l.requestId,
      timestamp: Date.parse(l.timestamp),
      endpoint: l.endpoint,
      requestedModel: l.requestedModel,
      provider: l.provider,
      model: l.model,
      status: l.status,
      stream: l.stream,
      latencyMs: l.latencyMs,
      totalTokens: l.tokens?.total ?? null,
      costUsd: l.costUsd ?? null,
      costEstimated: !!l.costEstimated,
      error: l.error ?? l.errorCode ?? null,
      keyName: l.keyId ? (names.get(l.keyId) ?? null) : null,
    }));
    const older = new URLSearchParams({ range: f.range, provider: f.provider, status: f.status, keyId: f.keyId });
    if (res.data.nextCursor) older.set("cursor", res.data.nextCursor);
    return { logs, olderQuery: res.data.nextCursor ? older.toString() : null, error: null };
  }

  async function props(f: UsageFilters, cursor?: string): Promise<UsageProps> {
    const q = apiFilters(f);
    if (f.range === "24h") q.set("granularity", "hour"), q.set("hours", "24");
    else q.set("granularity", "day"), q.set("days", f.range === "7d" ? "7" : "30");
    q.set("groupBy", "model");
    const [history, log] = await Promise.all([dash.api("GET", `/api/usage/history?${q}`), logPage(f, cursor)]);
    const series: any[] = history.ok ? (history.data.series ?? []) : [];
    const points = (pick: (s: any) => number, errors?: (s: any) => number): SeriesPoint[] =>
      series.map((s) => ({ at: Date.parse(s.time), value: pick(s), ...(errors ? { errors: errors(s) } : {}) }));
    const providers = [...services.store.providers.values()].map((p) => ({ value: p.id, label: p.name }));
    const keys = [...keyNames()].map(([id, name]) => ({ value: id, label: name }));
    return {
      filters: f,
      providers,
      keys,
      totals: history.ok ? history.data.totals : null,
      requests: points((s) => s.requests, (s) => s.errors),
      cost: points((s) => Math.round((s.costUsd ?? 0) * 1e6) / 1e6),
      byModel: history.ok ? (history.data.breakdown ?? []).map((b: any) => ({ label: b.value ?? "(none)", value: b.requests })) : [],
      logs: log.logs,
      olderQuery: log.olderQuery,
      firstPage: !cursor,
      error: history.ok ? log.error : history.error,
    };
  }

  return new Elysia({ name: "dashboard-usage" })
    .get(PATH, async ({ request, query }) => {
      const p = await props(filtersOf(query), query.cursor);
      return renderPage(dash, request, { title: "Usage", current: PATH, body: UsagePage(p) as string, fragment: UsageArea(p) as string });
    })
    .get(`${PATH}/log`, async ({ query }) => {
      const f = filtersOf(query);
      const page = await logPage(f, query.cursor);
      return html(RequestLog({ logs: page.logs, olderQuery: page.olderQuery, firstPage: !query.cursor }) as string);
    })
    .get(`${PATH}/requests/:requestId`, async ({ request, params }) => {
      const res = await dash.api("GET", `/api/usage/request-logs/${encodeURIComponent(params.requestId)}`);
      if (!res.ok) {
        const body = `<h1>Request not found</h1><p class="muted">It may have been removed by the retention setting. <a href="${PATH}">Back to usage</a></p>`;
        return renderPage(dash, request, { title: "Request", current: PATH, body, status: res.status });
      }
      const body = RequestDetail({ log: res.data }) as string;
      return isHx(request) ? html(body) : renderPage(dash, request, { title: "Request", current: PATH, body });
    });
}

export const usagePage: DashboardPage = { path: PATH, label: "Usage", group: "Observe", order: 0, routes: usageRoutes };
