// /api/usage/*: history (time series), logs (latest requests in short), request-logs (per
// request, paginated; bodies only when the requestLogBodies setting kept them) and the usage
// of one connection. Reads go to the hourly rollup or down an index: never a full scan.
import { Elysia } from "elysia";
import { z } from "zod";
import { badRequest, notFound } from "../errors.ts";
import type { Services } from "../services.ts";
import { alignRange, GROUP_BY, usageBreakdown, usageSeries, usageTotals, type Granularity, type GroupBy } from "../usage/history.ts";
import { InvalidQuery, lastUseOf, queryRequestLogs, recentLogLines } from "../usage/request-logs.ts";
import { DAY_MS, HOUR_MS } from "../usage/rollup.ts";
import { parseWith } from "./http.ts";

/** An instant as epoch ms or an ISO 8601 date/time. */
const Instant = z.union([z.string().regex(/^\d{10,16}$/).transform(Number), z.iso.datetime({ offset: true }).transform((s) => Date.parse(s)), z.iso.date().transform((s) => Date.parse(s))]);

const Filters = {
  provider: z.string().min(1).optional(),
  model: z.string().min(1).optional(),
  keyId: z.string().min(1).optional(),
  connectionId: z.string().min(1).optional(),
};

const HistoryQuery = z.object({
  granularity: z.enum(["day", "hour"]).optional(),
  interval: z.enum(["day", "hour"]).optional(),
  from: Instant.optional(),
  to: Instant.optional(),
  days: z.coerce.number().int().min(1).max(3660).optional(),
  hours: z.coerce.number().int().min(1).max(24 * 93).optional(),
  groupBy: z.enum(Object.keys(GROUP_BY) as [GroupBy, ...GroupBy[]]).optional(),
  ...Filters,
});

/** Points a series may have: ~10 years of days, ~3 months of hours. */
const MAX_POINTS = { day: 3660, hour: 24 * 93 };

const RequestLogsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
  cursor: z.string().optional(),
  from: Instant.optional(),
  to: Instant.optional(),
  status: z.string().optional(),
  requestId: z.string().optional(),
  includeBodies: z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1").default(false),
  ...Filters,
});

const LogsQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(200) });

export function usageRoutes(services: Services) {
  const { db, store } = services;
  const sqlite = () => db.$client;

  const keyName = (id: string) => (db.$client.query("SELECT name FROM api_keys WHERE id = $id").get({ id }) as { name: string } | null)?.name ?? null;
  const connectionName = (id: string) => store.connections.get(id)?.name ?? null;

  function history(query: Record<string, string | undefined>) {
    const q = parseWith(HistoryQuery, query);
    const g: Granularity = q.granularity ?? q.interval ?? "day";
    const now = Date.now();
    const spanGiven = q.hours !== undefined || q.days !== undefined;
    const span = q.hours !== undefined ? q.hours * HOUR_MS : (q.days ?? (g === "day" ? 30 : 1)) * DAY_MS;
    // `from` alone runs for the span given (else until now); otherwise the span ends at `to`
    // (default: the end of the current day or hour, so the last point is the current one).
    let [from, to] = alignRange(q.from ?? 0, q.to ?? (q.from !== undefined && spanGiven ? q.from + span : now), g);
    if (q.from === undefined) from = to - span;
    if (to <= from) throw badRequest("`to` must be after `from`");
    if ((to - from) / (g === "day" ? DAY_MS : HOUR_MS) > MAX_POINTS[g]) throw badRequest(`At most ${MAX_POINTS[g]} ${g} points per query`);
    services.usage.flush(); // the last second of traffic too
    const filters = { provider: q.provider, model: q.model, keyId: q.keyId, connectionId: q.connectionId };
    const out: Record<string, unknown> = {
      granularity: g,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      filters: Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined)),
      ...usageSeries(sqlite(), g, from, to, filters),
    };
    if (q.groupBy) {
      out.groupBy = q.groupBy;
      out.breakdown = usageBreakdown(sqlite(), q.groupBy, from, to, filters).map((b) => ({
        ...b,
        ...(q.groupBy === "key" && b.value ? { name: keyName(b.value) } : {}),
        ...(q.groupBy === "connection" && b.value ? { name: connectionName(b.value) } : {}),
      }));
    }
    return out;
  }

  function requestLogs(query: Record<string, string | undefined>, requestId?: string) {
    const q = parseWith(RequestLogsQuery, query);
    services.usage.flush();
    try {
      return queryRequestLogs(sqlite(), { ...q, ...(requestId ? { requestId, includeBodies: true, limit: 1, offset: 0 } : {}) });
    } catch (err) {
      if (err instanceof InvalidQuery) throw badRequest(err.message);
      throw err;
    }
  }

  function connectionUsage(connectionId: string) {
    const conn = store.connections.get(connectionId);
    services.usage.flush();
    const last = lastUseOf(sqlite(), connectionId);
    if (!conn && last.at === null) throw notFound("Connection not found");
    const now = Date.now();
    const today = Math.floor(now / DAY_MS) * DAY_MS;
    const end = today + DAY_MS;
    const f = { connectionId };
    return {
      connectionId,
      provider: conn?.provider ?? null,
      name: conn?.name ?? null,
      lastUsedAt: last.at === null ? null : new Date(last.at).toISOString(),
      today: usageTotals(sqlite(), today, end, f),
      last7Days: usageTotals(sqlite(), end - 7 * DAY_MS, end, f),
      last30Days: usageTotals(sqlite(), end - 30 * DAY_MS, end, f),
      daily: usageSeries(sqlite(), "day", end - 30 * DAY_MS, end, f).series,
      models: usageBreakdown(sqlite(), "model", end - 30 * DAY_MS, end, f),
    };
  }

  return new Elysia({ name: "admin-usage" })
    .get("/api/usage/history", ({ query }) => history(query))
    .get("/api/usage/logs", ({ query }) => {
      const { limit } = parseWith(LogsQuery, query);
      services.usage.flush();
      return recentLogLines(sqlite(), limit, { key: keyName, connection: connectionName });
    })
    .get("/api/usage/request-logs", ({ query }) => requestLogs(query))
    .get("/api/usage/request-logs/:requestId", ({ params }) => {
      const page = requestLogs({}, params.requestId);
      if (page.logs.length === 0) throw notFound("Request log not found");
      return page.logs[0];
    })
    .get("/api/usage/:connectionId", ({ params }) => connectionUsage(params.connectionId));
}
