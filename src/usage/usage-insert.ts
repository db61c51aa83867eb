// The prepared INSERT of usage_records rows, bypassing drizzle's query builder: building a
// 1000-row multi-VALUES statement through drizzle took most of the gateway's CPU under load
// (profiled: buildQueryFromSourceParams ~45%). Statements prepared once, several rows each,
// run inside the batch's transaction, is what SQLite is fastest at. Texts go in as their
// usage_texts ids (usage-texts.ts).
import type { Database, Statement } from "bun:sqlite";
import { getTableColumns } from "drizzle-orm";
import { usageRecords } from "../db/schema.ts";
import type { UsageTextIds } from "./usage-texts.ts";
import type { UsageEntry } from "./usage-writes.ts";

type Column = Exclude<keyof typeof usageRecords.$inferInsert, "id">;

/** The columns written, in the order fill() writes them. */
const COLUMNS = [
  "requestId", "timestamp", "endpointRef", "clientFormatRef", "providerRef", "modelRef", "requestedModelRef", "connectionRef",
  "apiKeyRef", "status", "stream", "latencyMs", "ttfbMs", "promptTokens", "completionTokens", "totalTokens", "cachedTokens",
  "reasoningTokens", "finishReasonRef", "errorCodeRef", "costUsd", "costEstimated", "methodRef", "attempts", "error",
  "userAgentRef", "clientIpRef", "requestBody", "responseBody",
] as const satisfies readonly Column[];
// Does not compile when usage_records gains a column this file does not write.
const everyColumnWritten: [Exclude<Column, (typeof COLUMNS)[number]>] extends [never] ? true : never = true;
void everyColumnWritten;

const N = COLUMNS.length;

/**
 * Rows per multi-row statement: one call into SQLite and one statement run per chunk instead of
 * per row. Measured (four indexes then): 4.0 → 2.6 µs per row for the inserts of a 200-row
 * batch. Such a statement keeps a statement journal; with it in a temporary file the gain went
 * into extra writes, so the connection should have `temp_store = MEMORY` (the usage writer
 * thread's has).
 */
const ROWS_PER_STATEMENT = 32;

export class UsageInsert {
  private readonly one: Statement;
  private readonly many: Statement;
  private readonly single = new Array<string | number | null>(N);
  private readonly chunk = new Array<string | number | null>(N * ROWS_PER_STATEMENT);

  constructor(
    client: Database,
    private readonly texts: UsageTextIds,
  ) {
    const columns = getTableColumns(usageRecords);
    const tuple = `(${COLUMNS.map(() => "?").join(", ")})`;
    const insert = `INSERT INTO usage_records (${COLUMNS.map((c) => `"${columns[c].name}"`).join(", ")}) VALUES `;
    this.one = client.prepare(insert + tuple);
    this.many = client.prepare(insert + Array.from({ length: ROWS_PER_STATEMENT }, () => tuple).join(", "));
  }

  /**
   * All rows, several per statement (call inside a transaction). The values go to run() as one
   * array (bun:sqlite binds an array positionally): spreading 928 arguments into the call cost
   * ~0.1 µs per row more (writer path measured in process, 400,000 rows).
   */
  runMany(rows: readonly UsageEntry[]): void {
    let i = 0;
    for (; i + ROWS_PER_STATEMENT <= rows.length; i += ROWS_PER_STATEMENT) {
      for (let j = 0; j < ROWS_PER_STATEMENT; j++) this.fill(rows[i + j]!, this.chunk, j * N);
      this.many.run(this.chunk as never);
    }
    for (; i < rows.length; i++) {
      this.fill(rows[i]!, this.single, 0);
      this.one.run(this.single as never);
    }
  }

  /** One row's values into `args` from `at`, in COLUMNS order; every property read by name (this runs per request). */
  private fill(e: UsageEntry, args: (string | number | null)[], at: number): void {
    const t = this.texts;
    args[at] = e.requestId;
    args[at + 1] = e.timestamp;
    args[at + 2] = t.ref(0, e.endpoint);
    args[at + 3] = t.ref(1, e.clientFormat);
    args[at + 4] = t.ref(2, e.provider);
    args[at + 5] = t.ref(3, e.model);
    args[at + 6] = t.ref(4, e.requestedModel);
    args[at + 7] = t.ref(5, e.connectionId);
    args[at + 8] = t.ref(6, e.apiKeyId);
    args[at + 9] = e.status;
    args[at + 10] = e.stream ? 1 : 0;
    args[at + 11] = e.latencyMs;
    args[at + 12] = e.ttfbMs ?? null;
    args[at + 13] = e.promptTokens ?? null;
    args[at + 14] = e.completionTokens ?? null;
    args[at + 15] = e.totalTokens ?? null;
    args[at + 16] = e.cachedTokens ?? null;
    args[at + 17] = e.reasoningTokens ?? null;
    args[at + 18] = t.ref(7, e.finishReason);
    args[at + 19] = t.ref(8, e.errorCode);
    args[at + 20] = e.costUsd ?? null;
    args[at + 21] = e.costEstimated ? 1 : 0;
    args[at + 22] = t.ref(9, e.method ?? "POST");
    args[at + 23] = e.attempts === undefined ? "[]" : JSON.stringify(e.attempts);
    args[at + 24] = e.error ?? null;
    args[at + 25] = t.ref(10, e.userAgent);
    args[at + 26] = t.ref(11, e.clientIp);
    args[at + 27] = e.requestBody ?? null;
    args[at + 28] = e.responseBody ?? null;
  }
}
