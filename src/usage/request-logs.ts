// Per-request rows for /api/usage/request-logs and /api/usage/logs: always one page,
// newest first, walked down an index (timestamp, or key + timestamp) — for a provider,
// connection or model, within the hours the rollup says have its rows — never an unbounded
// SELECT. Pages go by offset or, for deep paging, by cursor.
import type { Database } from "bun:sqlite";
import { expandAttempts } from "./attempts-column.ts";
import { HOUR_MS, hourOf } from "./rollup.ts";

export interface RequestLogQuery {
  limit: number;
  offset: number;
  /** "<timestamp>:<id>" of the last row of the previous page. */
  cursor?: string;
  from?: number;
  to?: number;
  provider?: string;
  model?: string;
  keyId?: string;
  connectionId?: string;
  /** An exact status, or a class: success | error | 2xx | 4xx | 5xx. */
  status?: string;
  requestId?: string;
  includeBodies: boolean;
}

interface Row {
  id: number;
  request_id: string;
  timestamp: number;
  endpoint: string;
  client_format: string;
  provider: string | null;
  model: string | null;
  requested_model: string | null;
  connection_id: string | null;
  api_key_id: string | null;
  status: number;
  stream: number;
  latency_ms: number;
  ttfb_ms: number | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  total_tokens: number | null;
  cached_tokens: number | null;
  reasoning_tokens: number | null;
  finish_reason: string | null;
  error_code: string | null;
  cost_usd: number | null;
  cost_estimated: number;
  method: string | null;
  attempts: string | null;
  error: string | null;
  user_agent: string | null;
  client_ip: string | null;
  request_body?: string | null;
  response_body?: string | null;
}

const STATUS_CLASSES: Record<string, string> = {
  success: "u.status < 400",
  error: "u.status >= 400 AND u.status <> 499",
  "2xx": "u.status BETWEEN 200 AND 299",
  "4xx": "u.status BETWEEN 400 AND 499",
  "5xx": "u.status BETWEEN 500 AND 599",
};

export class InvalidQuery extends Error {}

/** Every column but the bodies, which are read only when asked for (they can be large). */
const ROW_COLUMNS = [
  "id", "request_id", "timestamp", "endpoint", "client_format", "provider", "model", "requested_model", "connection_id",
  "api_key_id", "status", "stream", "latency_ms", "ttfb_ms", "prompt_tokens", "completion_tokens", "total_tokens",
  "cached_tokens", "reasoning_tokens", "finish_reason", "error_code", "cost_usd", "cost_estimated", "method", "attempts",
  "error", "user_agent", "client_ip",
].map((c) => `u.${c}`).join(", ");

/** The usage_texts id of the text in parameter `$name` (null when no row has it: nothing matches). */
const TEXT_ID = (name: string) => `(SELECT id FROM usage_texts WHERE text = $${name})`;

/** Between the id's time and the row's timestamp (both taken as the request starts); generous. */
const ID_CLOCK_SLACK_MS = 60_000;

/** The millisecond time in a UUIDv7, or null for any other id. */
export function uuidV7Millis(id: string): number | null {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i.test(id)) return null;
  return Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

function view(r: Row) {
  const out: Record<string, unknown> = {
    id: r.id,
    requestId: r.request_id,
    timestamp: new Date(r.timestamp).toISOString(),
    method: r.method ?? "POST",
    endpoint: r.endpoint,
    clientFormat: r.client_format,
    requestedModel: r.requested_model,
    provider: r.provider,
    model: r.model,
    connectionId: r.connection_id,
    keyId: r.api_key_id,
    status: r.status,
    stream: r.stream === 1,
    latencyMs: r.latency_ms,
    ttfbMs: r.ttfb_ms,
    tokens: {
      prompt: r.prompt_tokens,
      completion: r.completion_tokens,
      total: r.total_tokens,
      cached: r.cached_tokens,
      reasoning: r.reasoning_tokens,
    },
    costUsd: r.cost_usd,
    costEstimated: r.cost_estimated === 1,
    finishReason: r.finish_reason,
    errorCode: r.error_code,
    error: r.error,
    attempts: expandAttempts(r.attempts, r),
    userAgent: r.user_agent,
    clientIp: r.client_ip,
  };
  if ("request_body" in r) {
    out.requestBody = r.request_body ?? null;
    out.responseBody = r.response_body ?? null;
  }
  return out;
}

export function queryRequestLogs(sqlite: Database, q: RequestLogQuery) {
  const parts: string[] = [];
  const params: Record<string, string | number> = {};
  const add = (sql: string, name?: string, value?: string | number) => {
    parts.push(sql);
    if (name !== undefined) params[name] = value!;
  };
  if (q.from !== undefined) add("u.timestamp >= $from", "from", q.from);
  if (q.to !== undefined) add("u.timestamp < $to", "to", q.to);
  // On the texts' ids (usage_texts), found once: the key filter walks its index that way.
  if (q.provider !== undefined) add(`u.provider_ref = ${TEXT_ID("provider")}`, "provider", q.provider);
  if (q.model !== undefined) add(`u.model_ref = ${TEXT_ID("model")}`, "model", q.model);
  if (q.keyId !== undefined) add(`u.api_key_ref = ${TEXT_ID("keyId")}`, "keyId", q.keyId);
  if (q.connectionId !== undefined) add(`u.connection_ref = ${TEXT_ID("connectionId")}`, "connectionId", q.connectionId);
  if (q.requestId !== undefined) {
    add("u.request_id = $requestId", "requestId", q.requestId);
    // The gateway's ids are UUIDv7, stamped when the request started: a narrow range of the
    // timestamp index finds the row without an index of its own on request_id.
    const started = uuidV7Millis(q.requestId);
    if (started !== null) {
      add("u.timestamp BETWEEN $idFrom AND $idTo");
      params.idFrom = started - ID_CLOCK_SLACK_MS;
      params.idTo = started + ID_CLOCK_SLACK_MS;
    }
  }
  if (q.status !== undefined) {
    if (STATUS_CLASSES[q.status]) add(STATUS_CLASSES[q.status]!);
    else if (/^\d{3}$/.test(q.status)) add("u.status = $status", "status", Number(q.status));
    else throw new InvalidQuery("status must be a 3-digit code or one of success, error, 2xx, 4xx, 5xx");
  }
  if (q.cursor !== undefined) {
    const m = /^(\d+):(\d+)$/.exec(q.cursor);
    if (!m) throw new InvalidQuery("cursor must be the nextCursor of a previous page");
    add("(u.timestamp < $cts OR (u.timestamp = $cts AND u.id < $cid))");
    params.cts = Number(m[1]);
    params.cid = Number(m[2]);
  }
  const bodies = q.includeBodies ? ", u.request_body, u.response_body" : "";
  const sql = (narrowed: boolean) => `SELECT ${ROW_COLUMNS}${bodies}
    FROM usage_log u
    WHERE ${[...parts, ...(narrowed ? ["u.timestamp >= $hoursFrom AND u.timestamp < $hoursTo"] : [])].join(" AND ") || "1"}
    ORDER BY u.timestamp DESC, u.id DESC LIMIT $limit OFFSET $offset`;
  // One row more than asked says whether there is a next page, without a count(*).
  const page1 = { ...params, limit: q.limit + 1, offset: q.offset };
  const rows = narrowable(q) ? readThroughHours(sqlite, q, sql(true), page1) : (sqlite.query(sql(false)).all(page1) as Row[]);
  const hasMore = rows.length > q.limit;
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return {
    logs: page.map(view),
    limit: q.limit,
    offset: q.offset,
    hasMore,
    nextCursor: hasMore && last ? `${last.timestamp}:${last.id}` : null,
  };
}

/** Filters usage_records has no index for, but the hourly rollup has (by provider, connection, model). */
const narrowable = (q: RequestLogQuery) => q.requestId === undefined && (q.provider !== undefined || q.connectionId !== undefined || q.model !== undefined);

/**
 * A filtered page read through the hourly rollup: its hours with matching requests, newest
 * first, tell how far back the page's rows can be, and only that time range of usage_records
 * is read (walking the timestamp index). The rollup counts every request (or every error) of
 * those hours, whatever else the query asks (a status, a key), so when the range gave too few
 * rows and older hours remain, it is widened and read again.
 */
function readThroughHours(sqlite: Database, q: RequestLogQuery, sql: string, params: Record<string, string | number>): Row[] {
  const where: string[] = [];
  const args: Record<string, string | number> = {};
  if (q.provider !== undefined) (where.push("provider = $provider"), (args.provider = q.provider));
  if (q.connectionId !== undefined) (where.push("connection_id = $connectionId"), (args.connectionId = q.connectionId));
  if (q.model !== undefined) (where.push("model = $model"), (args.model = q.model));
  if (q.from !== undefined) (where.push("bucket >= $from"), (args.from = hourOf(q.from)));
  if (q.to !== undefined) (where.push("bucket < $to"), (args.to = q.to));
  if (params.cts !== undefined) (where.push("bucket <= $cts"), (args.cts = params.cts));
  const counted = sqlite
    .query(`SELECT bucket, sum(${q.status === "error" ? "errors" : "requests"}) AS n FROM usage_hourly WHERE ${where.join(" AND ")} GROUP BY bucket ORDER BY bucket DESC`)
    .all(args) as { bucket: number; n: number }[];
  // When errors are asked for, hours without one hold nothing to read.
  const hours = counted.filter((h) => h.n > 0);
  if (hours.length === 0) return [];
  const stmt = sqlite.query(sql);
  const limit = params.limit as number;
  let oldest = 0;
  let seen = hours[0]!.n;
  for (let need = (params.offset as number) + limit; ; need = Math.max(need * 4, seen + 1)) {
    while (seen < need && oldest < hours.length - 1) seen += hours[++oldest]!.n;
    const rows = stmt.all({ ...params, hoursFrom: hours[oldest]!.bucket, hoursTo: hours[0]!.bucket + HOUR_MS }) as Row[];
    if (rows.length >= limit || oldest === hours.length - 1) return rows;
  }
}

/** When a connection last served a request: its latest hour in the rollup, then that hour's rows. */
export function lastUseOf(sqlite: Database, connectionId: string): { at: number | null } {
  const hour = sqlite.query("SELECT max(bucket) AS bucket FROM usage_hourly WHERE connection_id = $id").get({ id: connectionId }) as { bucket: number | null };
  if (hour.bucket === null) return { at: null };
  return sqlite
    .query(`SELECT max(timestamp) AS at FROM usage_records WHERE connection_ref = ${TEXT_ID("id")} AND timestamp >= $from AND timestamp < $to`)
    .get({ id: connectionId, from: hour.bucket, to: hour.bucket + HOUR_MS }) as { at: number | null };
}

/** The latest rows as short lines (GET /api/usage/logs). */
export function recentLogLines(sqlite: Database, limit: number, names: { key: (id: string) => string | null; connection: (id: string) => string | null }) {
  const rows = sqlite.query(`SELECT ${ROW_COLUMNS} FROM usage_log u ORDER BY u.id DESC LIMIT $limit`).all({ limit }) as Row[];
  return rows.map((r) => {
    const key = r.api_key_id ? (names.key(r.api_key_id) ?? r.api_key_id) : null;
    const connection = r.connection_id ? (names.connection(r.connection_id) ?? r.connection_id) : null;
    const cost = r.cost_usd === null ? "unpriced" : `$${r.cost_usd.toFixed(6)}${r.cost_estimated ? " (est.)" : ""}`;
    const target = r.provider ? `${r.provider}/${r.model ?? "?"}` : (r.requested_model ?? "-");
    return {
      timestamp: new Date(r.timestamp).toISOString(),
      requestId: r.request_id,
      status: r.status,
      provider: r.provider,
      model: r.model,
      connection,
      key,
      promptTokens: r.prompt_tokens,
      completionTokens: r.completion_tokens,
      costUsd: r.cost_usd,
      latencyMs: r.latency_ms,
      line: `${new Date(r.timestamp).toISOString()} | ${r.status} | ${target} | ${connection ?? "-"} | ${key ?? "-"} | in ${r.prompt_tokens ?? "?"} out ${r.completion_tokens ?? "?"} | ${cost} | ${r.latency_ms}ms`,
    };
  });
}
