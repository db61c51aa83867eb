// The hourly rollup written with each batch agrees with the rows, can be rebuilt from them,
// and is pruned with them.
import { expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../../src/db/client.ts";
import { SqliteUsageSink, type UsageEntry } from "../../src/usage/recorder.ts";
import { HOUR_MS, pruneUsage, rebuildRollupIfEmpty } from "../../src/usage/rollup.ts";

const T0 = Date.UTC(2026, 2, 1);

function entry(i: number): UsageEntry {
  const ts = T0 + ((i * 7919) % 72) * HOUR_MS + (i % 3600) * 1000;
  const requestId = `r${i}`;
  return {
    requestId,
    timestamp: ts,
    endpoint: "/v1/chat/completions",
    clientFormat: "openai-chat",
    provider: ["openai", "anthropic", null][i % 3],
    model: ["a", "b"][i % 2],
    apiKeyId: i % 5 === 0 ? null : `k${i % 4}`,
    connectionId: i % 7 === 0 ? null : `c${i % 2}`,
    status: i % 11 === 0 ? 500 : i % 13 === 0 ? 499 : 200,
    latencyMs: i % 100,
    promptTokens: i % 17 === 0 ? null : i % 50,
    completionTokens: i % 9,
    totalTokens: null,
    cachedTokens: i % 4,
    reasoningTokens: i % 2,
    costUsd: i % 19 === 0 ? null : (i % 10) / 1000,
    costEstimated: i % 23 === 0,
    method: "POST",
  };
}

const DIRECT = `SELECT (timestamp / ${HOUR_MS}) * ${HOUR_MS} AS bucket, coalesce(provider, '') AS provider, coalesce(model, '') AS model,
  coalesce(api_key_id, '') AS key, coalesce(connection_id, '') AS conn, count(*) AS requests,
  sum(status >= 400 AND status <> 499) AS errors, coalesce(sum(prompt_tokens), 0) AS prompt, sum(completion_tokens) AS completion,
  coalesce(sum(coalesce(total_tokens, coalesce(prompt_tokens, 0) + coalesce(completion_tokens, 0))), 0) AS total,
  round(coalesce(sum(cost_usd), 0), 9) AS cost, sum(cost_estimated) AS estimated, sum(latency_ms) AS latency
  FROM usage_log GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`;
const ROLLUP = `SELECT bucket, provider, model, api_key_id AS key, connection_id AS conn, requests, errors, prompt_tokens AS prompt,
  completion_tokens AS completion, total_tokens AS total, round(cost_usd, 9) AS cost, estimated_requests AS estimated, latency_ms_sum AS latency
  FROM usage_hourly ORDER BY 1, 2, 3, 4, 5`;

test("rollup = GROUP BY of the rows, across batches; a rebuild gives the same; pruning removes old hours", async () => {
  const dir = mkdtempSync(join(tmpdir(), "omniroute-rollup-"));
  try {
    const db = openDatabase(join(dir, "r.sqlite"));
    const sink = new SqliteUsageSink(db, 60_000);
    // Several flushes, so hours are upserted across batches.
    for (let i = 0; i < 2500; i++) {
      sink.record(entry(i));
      // Runs of one group too (the aggregation checks the previous row's group first), and
      // neighbours that differ in one dimension only.
      if (i % 5 === 0) {
        let e: UsageEntry = { ...entry(i), requestId: `again-${i}`, latencyMs: 7 };
        sink.record(e);
        for (const change of [{ model: "z" }, { apiKeyId: "kz" }, { connectionId: "cz" }, { provider: "pz" }, { timestamp: e.timestamp + HOUR_MS }]) {
          e = { ...e, ...change, requestId: `${e.requestId}+` };
          sink.record(e);
        }
      }
      if (i % 700 === 0) sink.flush();
    }
    sink.close();
    const direct = db.$client.query(DIRECT).all();
    expect(direct.length).toBeGreaterThan(100);
    expect(db.$client.query(ROLLUP).all()).toEqual(direct);

    db.$client.run("DELETE FROM usage_hourly");
    expect(rebuildRollupIfEmpty(db.$client)).toBe(true);
    expect(db.$client.query(ROLLUP).all()).toEqual(direct);
    expect(rebuildRollupIfEmpty(db.$client)).toBe(false); // only when empty

    const cutoff = T0 + 24 * HOUR_MS;
    const old = (db.$client.query("SELECT count(*) AS n FROM usage_records WHERE timestamp < $c").get({ c: cutoff }) as { n: number }).n;
    const pruned = await pruneUsage(db.$client, cutoff, T0 + 12 * HOUR_MS, 97);
    expect(pruned.usage).toBe(old);
    expect((db.$client.query("SELECT min(timestamp) AS t FROM usage_records").get() as { t: number }).t).toBeGreaterThanOrEqual(cutoff);
    expect((db.$client.query("SELECT min(bucket) AS t FROM usage_hourly").get() as { t: number }).t).toBe(T0 + 12 * HOUR_MS);
    db.$client.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
