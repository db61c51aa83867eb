// One batch of usage rows written to one SQLite connection: the usage_records rows (one per
// request, request-log detail included), their share of the hourly rollup and the keys'
// "last used", in one transaction, through statements prepared once per connection.
import type { Database, Statement } from "bun:sqlite";
import { rollupBatch } from "./rollup.ts";
import { NUM, TEXT, type SliceRows } from "./row-columns.ts";
import { UsageInsert } from "./usage-insert.ts";
import { UsageTextIds } from "./usage-texts.ts";

/**
 * A finished request as queued for the batched write: its one usage_records row, with its
 * texts as texts (the write turns them into usage_texts ids) — the shape the usage_log view
 * reads back.
 */
export interface UsageEntry {
  requestId: string;
  timestamp: number;
  endpoint: string;
  clientFormat: string;
  provider?: string | null;
  model?: string | null;
  requestedModel?: string | null;
  connectionId?: string | null;
  apiKeyId?: string | null;
  status: number;
  stream?: boolean;
  latencyMs: number;
  ttfbMs?: number | null;
  promptTokens?: number | null;
  completionTokens?: number | null;
  totalTokens?: number | null;
  cachedTokens?: number | null;
  reasoningTokens?: number | null;
  finishReason?: string | null;
  errorCode?: string | null;
  costUsd?: number | null;
  costEstimated?: boolean;
  /** Absent: POST. */
  method?: string;
  /** Every target tried (src/gateway/request-record.ts Attempt), or one plain attempt's latency (attempts-column.ts). */
  attempts?: unknown[] | number;
  error?: string | null;
  userAgent?: string | null;
  clientIp?: string | null;
  requestBody?: string | null;
  responseBody?: string | null;
}

export class UsageBatchWriter {
  private readonly texts: UsageTextIds;
  private readonly insertUsage: UsageInsert;
  private readonly touchKey: Statement;

  constructor(
    readonly client: Database,
    /** usage-texts.ts's memory size; small only in tests. */
    opts: { rememberTexts?: number } = {},
  ) {
    this.texts = new UsageTextIds(client, opts.rememberTexts);
    this.insertUsage = new UsageInsert(client, this.texts);
    this.touchKey = client.prepare("UPDATE api_keys SET last_used_at = ?1 WHERE id = ?2 AND (last_used_at IS NULL OR last_used_at < ?1)");
  }

  /** Throws (nothing written) when the transaction fails, e.g. SQLITE_BUSY during a backup. */
  write(slices: readonly SliceRows[]): void {
    try {
      this.client.transaction(() => {
        this.insertUsage.runMany(slices);
        // The hourly rollup rides in the same transaction, so it never disagrees with the rows.
        rollupBatch(this.client, slices);
        // A key's "last used" rides on the usage batch instead of a write per request.
        for (const [keyId, at] of lastUseByKey(slices)) this.touchKey.run(at, keyId);
      })();
    } catch (err) {
      this.texts.rolledBack();
      throw err;
    }
    this.texts.committed();
  }
}

function lastUseByKey(slices: readonly SliceRows[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const rows of slices) {
    for (let row = 0; row < rows.count; row++) {
      const keyId = rows.text(row, TEXT.apiKeyId);
      if (keyId) out.set(keyId, Math.max(out.get(keyId) ?? 0, rows.number(row, NUM.timestamp)!));
    }
  }
  return out;
}
