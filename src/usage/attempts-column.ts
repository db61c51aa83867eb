// How a request's attempts are stored in usage_records.attempts. Almost every request has one
// attempt, and it says nothing the row does not (same provider, model, connection and status)
// except how long the upstream call took: that case is stored as just that number, and read
// back as the one-attempt list. The full list was ~100 of a row's ~550 bytes, written for
// every request (docs/BENCHMARKS.md, issue 6).

// Type only: the gateway's record of an attempt, the one this column stores.
import type { Attempt } from "../gateway/request-record.ts";

/** The row's own fields an implicit attempt is rebuilt from (camelCase or column names). */
interface RowTarget {
  provider?: string | null;
  model?: string | null;
  connectionId?: string | null;
  status: number;
}

/** The value to store: the attempts, or the one attempt's latency when the row says the rest. */
export function compactAttempts(attempts: unknown[] | number | undefined, row: RowTarget): unknown[] | number | undefined {
  if (!Array.isArray(attempts) || attempts.length !== 1) return attempts;
  const a = attempts[0] as Attempt;
  if (a.provider !== row.provider || a.model !== row.model || a.status !== row.status) return attempts;
  if ((a.connectionId ?? null) !== (row.connectionId ?? null) || typeof a.latencyMs !== "number") return attempts;
  // The Attempt fields beyond the plain five (a for-in over the keys cost ~0.3 µs a request).
  if (a.error !== undefined || a.reason !== undefined || a.skipped !== undefined || a.units !== undefined) return attempts;
  return a.latencyMs;
}

/** The attempts list from the stored column text and the row's columns. */
export function expandAttempts(
  stored: string | null,
  row: { provider: string | null; model: string | null; connection_id: string | null; status: number },
): unknown[] {
  if (!stored) return [];
  const value = JSON.parse(stored) as unknown;
  if (typeof value !== "number") return Array.isArray(value) ? value : [];
  return [{ provider: row.provider, model: row.model, connectionId: row.connection_id, status: row.status, latencyMs: value }];
}
