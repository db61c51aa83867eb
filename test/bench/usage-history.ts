// `bun test/bench/usage-history.ts [rows]`: seeds a temporary database with 1,000,000 usage
// rows spread over the last 30 days (20 models, 6 providers, 50 keys, 30 connections),
// builds the hourly rollup the way an upgrade does, then times the control-plane reads a
// dashboard makes over that month through the app (in process, no socket). Prints figures;
// asserts nothing (the target: /api/usage/history for a month under 100 ms).
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp } from "../../src/app.ts";
import { makeConfig } from "../../src/config.ts";
import { openDatabase } from "../../src/db/client.ts";
import { createServices, databasePath } from "../../src/services.ts";
import { rebuildRollupIfEmpty } from "../../src/usage/rollup.ts";
import { UsageTextIds } from "../../src/usage/usage-texts.ts";

const ROWS = Number(process.argv[2] ?? 1_000_000);
const DAY = 86_400_000;
const PROVIDERS = ["openai", "anthropic", "gemini", "groq", "deepseek", "openrouter"];
const MODELS = Array.from({ length: 20 }, (_, i) => `model-${i}`);

const ms = (t0: number) => Math.round((performance.now() - t0) * 10) / 10;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function seed(path: string, now: number): void {
  const db = openDatabase(path);
  const sqlite = db.$client;
  // Texts as the gateway stores them: ids in usage_texts (src/usage/usage-texts.ts).
  const texts = new UsageTextIds(sqlite);
  const insert = sqlite.prepare(`INSERT INTO usage_records (request_id, timestamp, endpoint_ref, client_format_ref, provider_ref, model_ref,
    requested_model_ref, connection_ref, api_key_ref, status, stream, latency_ms, ttfb_ms, prompt_tokens, completion_tokens,
    total_tokens, cached_tokens, reasoning_tokens, finish_reason_ref, cost_usd, cost_estimated, method_ref)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, 0, 0, ?, ?, 0, ?)`);
  const start = now - 30 * DAY;
  let t0 = performance.now();
  const CHUNK = 50_000;
  for (let done = 0; done < ROWS; done += CHUNK) {
    sqlite.transaction(() => {
      for (let i = done; i < Math.min(ROWS, done + CHUNK); i++) {
        const provider = PROVIDERS[i % PROVIDERS.length]!;
        const model = MODELS[(i * 7) % MODELS.length]!;
        const prompt = 50 + (i % 2000);
        const completion = 10 + (i % 500);
        insert.run(
          `bench-${i}`,
          start + Math.floor((i / ROWS) * 30 * DAY),
          texts.id("/v1/chat/completions"),
          texts.id("openai-chat"),
          texts.id(provider),
          texts.id(model),
          texts.id(`${provider}/${model}`),
          texts.id(`conn-${i % 30}`),
          texts.id(`key-${i % 50}`),
          i % 97 === 0 ? 500 : 200,
          100 + (i % 3000),
          50 + (i % 500),
          prompt,
          completion,
          prompt + completion,
          texts.id("stop"),
          (prompt * 2.5 + completion * 10) / 1e6,
          texts.id("POST"),
        );
      }
    })();
    texts.committed();
  }
  console.log(`seeded ${ROWS.toLocaleString()} usage rows in ${ms(t0)} ms`);
  t0 = performance.now();
  rebuildRollupIfEmpty(sqlite);
  const hourly = (sqlite.query("SELECT count(*) AS n FROM usage_hourly").get() as { n: number }).n;
  console.log(`built the hourly rollup (${hourly.toLocaleString()} rows) in ${ms(t0)} ms`);
  sqlite.close();
}

/** What the same month costs read straight from usage_records (no rollup), for comparison. */
function rawGroupBy(path: string, now: number): number {
  const sqlite = new Database(path, { readonly: true });
  const t0 = performance.now();
  sqlite
    .query(`SELECT timestamp / ${DAY} AS d, count(*), sum(prompt_tokens), sum(completion_tokens), sum(cost_usd)
            FROM usage_records WHERE timestamp >= ? GROUP BY d`)
    .all(now - 30 * DAY);
  const t = ms(t0);
  sqlite.close();
  return t;
}

const dataDir = mkdtempSync(join(tmpdir(), "omniroute-bench-history-"));
try {
  const now = Date.now();
  seed(databasePath(dataDir), now);
  const services = createServices(makeConfig({ dataDir, logLevel: "silent" }));
  const app = createApp(services);
  const time = async (label: string, path: string, runs = 15) => {
    const samples: number[] = [];
    let status = 0;
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const res = await app.handle(new Request(`http://localhost${path}`));
      await res.arrayBuffer();
      samples.push(performance.now() - t0);
      status = res.status;
    }
    console.log(`${label.padEnd(58)} first ${samples[0]!.toFixed(1).padStart(6)} ms   median ${median(samples).toFixed(1).padStart(6)} ms   (HTTP ${status})`);
  };
  console.log("");
  await time("GET /api/usage/history (30 days by day)", "/api/usage/history?days=30");
  await time("GET /api/usage/history (30 days by hour, 720 points)", "/api/usage/history?granularity=hour&days=30");
  await time("GET /api/usage/history?keyId=… (one key, 30 days)", "/api/usage/history?days=30&keyId=key-7");
  await time("GET /api/usage/history?provider=…&groupBy=model", "/api/usage/history?days=30&provider=openai&groupBy=model");
  await time("GET /api/usage/conn-3 (one connection)", "/api/usage/conn-3");
  await time("GET /api/usage/request-logs (first page of 50)", "/api/usage/request-logs");
  await time("GET /api/usage/request-logs?keyId=… (page at offset 5000)", "/api/usage/request-logs?keyId=key-7&offset=5000");
  // No index on provider or connection: these read the hours the rollup names (src/usage/request-logs.ts).
  await time("GET /api/usage/request-logs?provider=… (offset 5000)", "/api/usage/request-logs?provider=groq&offset=5000");
  await time("GET /api/usage/request-logs?connectionId=…&status=500", "/api/usage/request-logs?connectionId=conn-3&status=500");
  console.log(`\nfor comparison, the same month by day straight from usage_records (GROUP BY, no rollup): ${rawGroupBy(databasePath(dataDir), now)} ms`);
  services.close();
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
