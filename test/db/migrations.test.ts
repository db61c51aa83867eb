import { expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../../src/db/client.ts";
import { drizzle } from "drizzle-orm/bun-sqlite";
import { EMBEDDED_MIGRATIONS, embeddedMigrations } from "../../src/db/migrations.ts";

const root = join(import.meta.dir, "../../drizzle");

test("every migration drizzle-kit generated is embedded, byte for byte", () => {
  const files = readdirSync(root).filter((f) => f.endsWith(".sql"));
  const journal = JSON.parse(readFileSync(join(root, "meta/_journal.json"), "utf8"));
  expect(journal.entries.map((e: any) => `${e.tag}.sql`).sort()).toEqual(files.sort());
  for (const f of files) expect(EMBEDDED_MIGRATIONS[f.replace(/\.sql$/, "")]).toBe(readFileSync(join(root, f), "utf8"));
});

test("a new database is migrated once, in WAL mode, and reopening does not re-apply", () => {
  const dir = mkdtempSync(join(tmpdir(), "omniroute-db-"));
  try {
    const path = join(dir, "x.sqlite");
    openDatabase(path).$client.close();
    const db = openDatabase(path);
    expect(db.$client.query("PRAGMA journal_mode").get()).toEqual({ journal_mode: "wal" });
    db.$client.close();
    const raw = new Database(path);
    const tables = raw.query("SELECT name FROM sqlite_master WHERE type='table'").all().map((r: any) => r.name);
    for (const t of ["provider_connections", "provider_nodes", "provider_models", "api_keys", "model_aliases", "combos", "settings", "usage_records"]) {
      expect(tables).toContain(t);
    }
    expect(raw.query("SELECT count(*) AS n FROM __drizzle_migrations").get()).toEqual({ n: Object.keys(EMBEDDED_MIGRATIONS).length });
    raw.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("0003 moves each request's log detail into its usage row and drops request_logs", () => {
  const dir = mkdtempSync(join(tmpdir(), "omniroute-db-"));
  try {
    const path = join(dir, "old.sqlite");
    // A database as the build before 0003 left it, with one request in both tables and one usage row alone.
    const before = drizzle(new Database(path, { create: true }));
    (before as any).dialect.migrate(embeddedMigrations().slice(0, 3), (before as any).session, {});
    const raw = before.$client;
    raw.run(`INSERT INTO usage_records (request_id, timestamp, endpoint, client_format, status, latency_ms) VALUES ('r1', 1, '/v1/chat/completions', 'openai-chat', 502, 9), ('r2', 2, '/v1/messages', 'anthropic', 200, 3)`);
    raw.run(`INSERT INTO request_logs (request_id, timestamp, method, path, client_format, status, latency_ms, attempts, error, user_agent, client_ip, request_body, response_body)
             VALUES ('r1', 1, 'POST', '/v1/chat/completions', 'openai-chat', 502, 9, '[{"provider":"openai","status":502}]', 'upstream down', 'sdk/1', '10.0.0.7', '{"model":"x"}', 'oops')`);
    raw.close();

    const db = openDatabase(path);
    const rows = db.$client.query("SELECT request_id, method, attempts, error, user_agent, client_ip, request_body, response_body FROM usage_records ORDER BY id").all();
    expect(rows).toEqual([
      { request_id: "r1", method: "POST", attempts: '[{"provider":"openai","status":502}]', error: "upstream down", user_agent: "sdk/1", client_ip: "10.0.0.7", request_body: '{"model":"x"}', response_body: "oops" },
      { request_id: "r2", method: "POST", attempts: "[]", error: null, user_agent: null, client_ip: null, request_body: null, response_body: null },
    ]);
    expect(db.$client.query("SELECT name FROM sqlite_master WHERE name = 'request_logs'").all()).toEqual([]);
    db.$client.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
