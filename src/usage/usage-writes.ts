// One batch of usage rows written to one SQLite connection: the usage_records rows (one per
// request, request-log detail included), their share of the hourly rollup and the keys'
// "last used", in one transaction, through statements prepared once per connection.
import type { Database, Statement } from "bun:sqlite";
import { usageRecords } from "../db/schema.ts";
import { fastInsert, type FastInsert } from "../db/fast-insert.ts";
import { rollupBatch } from "./rollup.ts";

export type UsageRow = typeof usageRecords.$inferInsert;
/** A finished request as queued for the batched write: its one usage_records row. */
export type UsageEntry = UsageRow;

export class UsageBatchWriter {
  private readonly insertUsage: FastInsert<UsageRow>;
  private readonly touchKey: Statement;

  constructor(readonly client: Database) {
    this.insertUsage = fastInsert(client, usageRecords);
    this.touchKey = client.prepare("UPDATE api_keys SET last_used_at = ?1 WHERE id = ?2 AND (last_used_at IS NULL OR last_used_at < ?1)");
  }

  /** Throws (nothing written) when the transaction fails, e.g. SQLITE_BUSY during a backup. */
  write(batch: readonly UsageEntry[]): void {
    this.client.transaction(() => {
      this.insertUsage.runMany(batch);
      // The hourly rollup rides in the same transaction, so it never disagrees with the rows.
      rollupBatch(this.client, batch);
      // A key's "last used" rides on the usage batch instead of a write per request.
      for (const [keyId, at] of lastUseByKey(batch)) this.touchKey.run(at, keyId);
    })();
  }
}

function lastUseByKey(batch: readonly UsageEntry[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const usage of batch) {
    if (usage.apiKeyId) out.set(usage.apiKeyId, Math.max(out.get(usage.apiKeyId) ?? 0, usage.timestamp));
  }
  return out;
}
