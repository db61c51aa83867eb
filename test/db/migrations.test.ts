import { expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { backupsDir } from "../../src/backup/files.ts";
import { makeConfig } from "../../src/config.ts";
import { openDatabase } from "../../src/db/client.ts";
import { EMBEDDED_MIGRATIONS } from "../../src/db/migrations.ts";
import { createServices, databasePath } from "../../src/services.ts";
import { databaseAtMigration } from "../support/old-database.ts";

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
    const raw = databaseAtMigration(path, 3);
    raw.run(`INSERT INTO usage_records (request_id, timestamp, endpoint, client_format, status, latency_ms) VALUES ('r1', 1, '/v1/chat/completions', 'openai-chat', 502, 9), ('r2', 2, '/v1/messages', 'anthropic', 200, 3)`);
    raw.run(`INSERT INTO request_logs (request_id, timestamp, method, path, client_format, status, latency_ms, attempts, error, user_agent, client_ip, request_body, response_body)
             VALUES ('r1', 1, 'POST', '/v1/chat/completions', 'openai-chat', 502, 9, '[{"provider":"openai","status":502}]', 'upstream down', 'sdk/1', '10.0.0.7', '{"model":"x"}', 'oops')`);
    raw.close();

    const db = openDatabase(path);
    const rows = db.$client.query("SELECT request_id, method, attempts, error, user_agent, client_ip, request_body, response_body FROM usage_log ORDER BY id").all();
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

test("0005 keeps every row's texts: usage_log reads back what usage_records held, each text stored once", () => {
  const dir = mkdtempSync(join(tmpdir(), "omniroute-db-"));
  try {
    const path = join(dir, "old.sqlite");
    const before = databaseAtMigration(path, 5);
    const cols = `request_id, timestamp, endpoint, client_format, provider, model, requested_model, connection_id, api_key_id,
      status, stream, latency_ms, ttfb_ms, prompt_tokens, completion_tokens, total_tokens, cached_tokens, reasoning_tokens,
      finish_reason, error_code, cost_usd, cost_estimated, method, attempts, error, user_agent, client_ip, request_body, response_body`;
    const rows = [
      ["r1", 1000, "/v1/chat/completions", "openai", "openai", "gpt-4o", "openai/gpt-4o", "conn-1", "key-1", 200, 1, 12, 5, 10, 20, 30, 2, 1,
        "stop", null, 0.25, 0, "POST", "12", null, "sdk/1", "10.0.0.7", '{"a":1}', '{"b":2}'],
      ["r2", 2000, "/v1/messages", "anthropic", "anthropic", "claude", "claude", null, "key-1", 502, 0, 40, null, null, null, null, null, null,
        null, "upstream_error", null, 1, "POST", '[{"provider":"anthropic","status":502}]', "down", "sdk/1", null, null, null],
      ["r3", 3000, "/api/chat", "ollama", null, null, "nope", null, null, 404, 0, 1, null, null, null, null, null, null,
        null, "not_found", null, 0, "GET", "[]", "unknown model", null, "::1", null, null],
    ];
    const insert = before.prepare(`INSERT INTO usage_records (${cols}) VALUES (${rows[0]!.map(() => "?").join(", ")})`);
    for (const r of rows) insert.run(...(r as never[]));
    const old = before.query(`SELECT id, ${cols} FROM usage_records ORDER BY id`).all();
    before.close();

    const db = openDatabase(path);
    expect(db.$client.query(`SELECT id, ${cols} FROM usage_log ORDER BY id`).all()).toEqual(old);
    const texts = db.$client.query("SELECT text FROM usage_texts").all().map((t: any) => t.text);
    expect(texts.length).toBe(new Set(texts).size);
    expect(texts).toContain("key-1");
    // The key filter's index is on the text's id now.
    const plan = db.$client.query("EXPLAIN QUERY PLAN SELECT id FROM usage_records WHERE api_key_ref = (SELECT id FROM usage_texts WHERE text = 'key-1') ORDER BY timestamp DESC").all();
    expect(JSON.stringify(plan)).toContain("usage_records_key_ts_idx");
    db.$client.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a migration that fails at start changes nothing: the process says why, the old rows stay, and it starts once the cause is gone", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "omniroute-failed-migration-"));
  try {
    const path = databasePath(dataDir);
    const old = databaseAtMigration(path, 5);
    old.run(`INSERT INTO usage_records (request_id, timestamp, endpoint, client_format, provider, model, status, latency_ms, method, attempts)
      VALUES ('old-1', 1000, '/v1/chat/completions', 'openai', 'openai', 'gpt-4o', 200, 12, 'POST', '12')`);
    // 0005 rebuilds usage_records through this name: its CREATE TABLE fails halfway through the migration.
    old.run("CREATE TABLE __new_usage_records (x)");
    old.close();

    const proc = Bun.spawnSync([process.execPath, join(import.meta.dir, "../../src/main.ts"), "--data-dir", dataDir, "--port", "0", "--host", "127.0.0.1"], {
      env: { ...process.env, LOG_LEVEL: "silent" },
      stderr: "pipe",
      stdout: "pipe",
    });
    expect(proc.exitCode).toBe(1);
    const said = proc.stderr.toString();
    expect(said).toContain("migrating the database failed, nothing was changed");
    expect(said).toContain("__new_usage_records");
    expect(said).toContain(backupsDir(dataDir));
    expect(said).not.toContain("    at "); // a sentence, not a stack trace

    // Rolled back: still at 0004, usage_texts (created earlier in 0005) is not there, the row is untouched.
    const after = new Database(path);
    expect(after.query("SELECT count(*) AS n FROM __drizzle_migrations").get()).toEqual({ n: 5 });
    expect(after.query("SELECT name FROM sqlite_master WHERE name = 'usage_texts'").all()).toEqual([]);
    expect(after.query("SELECT request_id, endpoint, model FROM usage_records").all()).toEqual([{ request_id: "old-1", endpoint: "/v1/chat/completions", model: "gpt-4o" }]);
    after.run("DROP TABLE __new_usage_records");
    after.close();
    // The copy taken before the attempt holds the same row.
    const copies = readdirSync(backupsDir(dataDir)).filter((n) => n.endsWith("_pre-migration.sqlite"));
    expect(copies).toHaveLength(1);
    const copy = new Database(join(backupsDir(dataDir), copies[0]!), { readonly: true });
    expect(copy.query("SELECT request_id FROM usage_records").all()).toEqual([{ request_id: "old-1" }]);
    copy.close();

    const services = createServices(makeConfig({ dataDir, logLevel: "silent" }));
    try {
      expect(services.db.$client.query("SELECT request_id, endpoint, model FROM usage_log").all()).toEqual([{ request_id: "old-1", endpoint: "/v1/chat/completions", model: "gpt-4o" }]);
    } finally {
      services.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
