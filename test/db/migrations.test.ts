import { expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../../src/db/client.ts";
import { EMBEDDED_MIGRATIONS } from "../../src/db/migrations.ts";

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
    for (const t of ["provider_connections", "provider_nodes", "provider_models", "api_keys", "model_aliases", "combos", "settings", "usage_records", "request_logs"]) {
      expect(tables).toContain(t);
    }
    expect(raw.query("SELECT count(*) AS n FROM __drizzle_migrations").get()).toEqual({ n: Object.keys(EMBEDDED_MIGRATIONS).length });
    raw.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
