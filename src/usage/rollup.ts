// Hourly rollup of usage_records (table usage_hourly). A written batch is folded into a few
// rows per (hour, provider, model, key, connection) and upserted in the batch's transaction,
// so /api/usage/history over a month reads ~hours × combinations rows instead of every request.
import type { Database } from "bun:sqlite";
import { NUM, TEXT, type SliceRows } from "./row-columns.ts";

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

export const hourOf = (ts: number) => Math.floor(ts / HOUR_MS) * HOUR_MS;

/** A request the client walked away from (499) is not an error of the gateway or the upstream. */
export const isErrorStatus = (status: number) => status >= 400 && status !== 499;

interface Agg {
  bucket: number;
  provider: string;
  model: string;
  apiKeyId: string;
  connectionId: string;
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
  totalTokens: number;
  costUsd: number;
  estimatedRequests: number;
  latencyMsSum: number;
}

export function aggregate(slices: readonly SliceRows[]): Agg[] {
  const groups = new Map<string, Agg>();
  let g: Agg | undefined;
  for (const rows of slices) {
    for (let row = 0; row < rows.count; row++) {
      const bucket = hourOf(rows.number(row, NUM.timestamp)!);
      const provider = rows.text(row, TEXT.provider) ?? "";
      const model = rows.text(row, TEXT.model) ?? "";
      const apiKeyId = rows.text(row, TEXT.apiKeyId) ?? "";
      const connectionId = rows.text(row, TEXT.connectionId) ?? "";
      // Rows in a batch mostly come in runs of one group: the previous row's is checked first.
      if (!g || g.bucket !== bucket || g.provider !== provider || g.model !== model || g.apiKeyId !== apiKeyId || g.connectionId !== connectionId) {
        const key = `${bucket}\u0000${provider}\u0000${model}\u0000${apiKeyId}\u0000${connectionId}`;
        g = groups.get(key);
        if (!g) {
          g = { bucket, provider, model, apiKeyId, connectionId, requests: 0, errors: 0, promptTokens: 0, completionTokens: 0, cachedTokens: 0, reasoningTokens: 0, totalTokens: 0, costUsd: 0, estimatedRequests: 0, latencyMsSum: 0 };
          groups.set(key, g);
        }
      }
      const prompt = rows.number(row, NUM.promptTokens) ?? 0;
      const completion = rows.number(row, NUM.completionTokens) ?? 0;
      g.requests++;
      if (isErrorStatus(rows.number(row, NUM.status)!)) g.errors++;
      g.promptTokens += prompt;
      g.completionTokens += completion;
      g.cachedTokens += rows.number(row, NUM.cachedTokens) ?? 0;
      g.reasoningTokens += rows.number(row, NUM.reasoningTokens) ?? 0;
      g.totalTokens += rows.number(row, NUM.totalTokens) ?? prompt + completion;
      g.costUsd += rows.number(row, NUM.costUsd) ?? 0;
      if (rows.costEstimated(row)) g.estimatedRequests++;
      g.latencyMsSum += rows.number(row, NUM.latencyMs)!;
    }
  }
  return [...groups.values()];
}

const MEASURES = [
  "requests",
  "errors",
  "prompt_tokens",
  "completion_tokens",
  "cached_tokens",
  "reasoning_tokens",
  "total_tokens",
  "cost_usd",
  "estimated_requests",
  "latency_ms_sum",
] as const;

const UPSERT = `INSERT INTO usage_hourly (bucket, provider, model, api_key_id, connection_id, ${MEASURES.join(", ")})
VALUES ($bucket, $provider, $model, $apiKeyId, $connectionId, $requests, $errors, $promptTokens, $completionTokens,
        $cachedTokens, $reasoningTokens, $totalTokens, $costUsd, $estimatedRequests, $latencyMsSum)
ON CONFLICT (bucket, provider, model, api_key_id, connection_id) DO UPDATE SET
${MEASURES.map((m) => `${m} = ${m} + excluded.${m}`).join(",\n")}`;

const UPSERT_TOTALS = `INSERT INTO usage_hourly_totals (bucket, ${MEASURES.join(", ")})
VALUES ($bucket, $requests, $errors, $promptTokens, $completionTokens, $cachedTokens, $reasoningTokens, $totalTokens,
        $costUsd, $estimatedRequests, $latencyMsSum)
ON CONFLICT (bucket) DO UPDATE SET
${MEASURES.map((m) => `${m} = ${m} + excluded.${m}`).join(",\n")}`;

const SUMMED = ["requests", "errors", "promptTokens", "completionTokens", "cachedTokens", "reasoningTokens", "totalTokens", "costUsd", "estimatedRequests", "latencyMsSum"] as const;

/** Adds a batch to the rollup. Call inside the transaction that inserts the rows. */
export function rollupBatch(sqlite: Database, rows: readonly SliceRows[]): void {
  const stmt = sqlite.query(UPSERT); // query() caches the prepared statement per connection
  const totals = new Map<number, Record<string, number>>();
  for (const g of aggregate(rows)) {
    stmt.run(g as never);
    let t = totals.get(g.bucket);
    if (!t) totals.set(g.bucket, (t = { bucket: g.bucket, ...Object.fromEntries(SUMMED.map((k) => [k, 0])) }));
    for (const k of SUMMED) t[k]! += g[k];
  }
  const upsertTotals = sqlite.query(UPSERT_TOTALS);
  for (const t of totals.values()) upsertTotals.run(t as never);
}

/**
 * Rebuilds the rollup from usage_records when it is empty but rows exist (a database from
 * before the rollup, or a bulk import): one INSERT … SELECT … GROUP BY per table.
 */
export function rebuildRollupIfEmpty(sqlite: Database): boolean {
  const has = sqlite.query("SELECT 1 AS x FROM usage_hourly LIMIT 1").get();
  const raw = sqlite.query("SELECT 1 AS x FROM usage_records LIMIT 1").get();
  if (has || !raw) return false;
  sqlite.transaction(() => {
    sqlite.run(`INSERT INTO usage_hourly (bucket, provider, model, api_key_id, connection_id, ${MEASURES.join(", ")})
      SELECT (timestamp / ${HOUR_MS}) * ${HOUR_MS}, coalesce(provider, ''), coalesce(model, ''), coalesce(api_key_id, ''),
             coalesce(connection_id, ''), count(*),
             sum(CASE WHEN status >= 400 AND status <> 499 THEN 1 ELSE 0 END),
             coalesce(sum(prompt_tokens), 0), coalesce(sum(completion_tokens), 0), coalesce(sum(cached_tokens), 0),
             coalesce(sum(reasoning_tokens), 0),
             coalesce(sum(coalesce(total_tokens, coalesce(prompt_tokens, 0) + coalesce(completion_tokens, 0))), 0),
             coalesce(sum(cost_usd), 0), sum(cost_estimated), sum(latency_ms)
      FROM usage_log GROUP BY 1, 2, 3, 4, 5`);
    sqlite.run("DELETE FROM usage_hourly_totals");
    sqlite.run(`INSERT INTO usage_hourly_totals (bucket, ${MEASURES.join(", ")})
      SELECT bucket, ${MEASURES.map((m) => `sum(${m})`).join(", ")} FROM usage_hourly GROUP BY bucket`);
  })();
  return true;
}

export interface PruneResult {
  usage: number;
  hourly: number;
  hourlyTotals: number;
}

/**
 * Runs a `DELETE … LIMIT $chunk` statement (parameters $cutoff, $chunk) until it deletes less
 * than a chunk, yielding to the event loop in between; returns the rows deleted.
 */
export async function deleteInChunks(sqlite: Database, sql: string, cutoff: number, chunk = 1_000): Promise<number> {
  const stmt = sqlite.prepare(sql);
  let total = 0;
  for (;;) {
    const n = stmt.run({ cutoff, chunk }).changes;
    total += n;
    if (n < chunk) return total;
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

/**
 * Deletes per-request rows older than `rawCutoff` and rollup hours older than `rollupCutoff`,
 * in chunks so a large prune never holds the write lock for long.
 */
/**
 * Deletes in small chunks and yields to the event loop between them: one big DELETE of a
 * month of logs held the gateway's only thread for most of a second (measured 300–800 ms).
 */
export async function pruneUsage(sqlite: Database, rawCutoff: number, rollupCutoff: number, chunk = 1_000): Promise<PruneResult> {
  const drain = (sql: string, cutoff: number) => deleteInChunks(sqlite, sql, cutoff, chunk);
  return {
    usage: await drain("DELETE FROM usage_records WHERE id IN (SELECT id FROM usage_records WHERE timestamp < $cutoff LIMIT $chunk)", rawCutoff),
    hourly: await drain("DELETE FROM usage_hourly WHERE rowid IN (SELECT rowid FROM usage_hourly WHERE bucket < $cutoff LIMIT $chunk)", rollupCutoff),
    hourlyTotals: await drain("DELETE FROM usage_hourly_totals WHERE bucket IN (SELECT bucket FROM usage_hourly_totals WHERE bucket < $cutoff LIMIT $chunk)", rollupCutoff),
  };
}
