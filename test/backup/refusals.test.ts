// Imports that must be refused — with a clear message and the live database untouched — and
// the schema rules: older databases are migrated forward, newer ones refused, also at start.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { guardBeforeMigration, IncompatibleDatabase, type Migration } from "../../src/backup/compat.ts";
import { stagingFile } from "../../src/backup/files.ts";
import { BackupManager } from "../../src/backup/manager.ts";
import { makeConfig } from "../../src/config.ts";
import { embeddedMigrations, latestMigrationMillis } from "../../src/db/migrations.ts";
import { createServices } from "../../src/services.ts";
import { startGateway, type TestGateway } from "../support/gateway.ts";
import { databaseAtMigration } from "../support/old-database.ts";
import { bytesOf, dumpFile, dumpLive, importForm, json, seed } from "./helpers.ts";

let gw: TestGateway;
let exported: Uint8Array;
beforeEach(async () => {
  gw = await startGateway();
  await seed(gw);
  exported = await bytesOf(await gw.request("/api/db-backups/export"));
});
afterEach(async () => {
  await gw.close();
});

/** A copy of the exported database, changed by `edit` (plain SQL on the file). */
function editedCopy(edit: (db: Database) => void): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), "omniroute-refusal-"));
  try {
    const path = join(dir, "x.sqlite");
    writeFileSync(path, exported);
    const db = new Database(path);
    edit(db);
    db.close(true);
    return new Uint8Array(readFileSync(path));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A page in the middle overwritten with noise: the header is fine, the b-tree is not. */
function corrupted(): Uint8Array {
  const copy = new Uint8Array(exported);
  const pageSize = (copy[16]! << 8) | copy[17]!;
  const pages = copy.length / pageSize;
  expect(pages).toBeGreaterThan(4);
  for (let p = 2; p < pages; p += 2) for (let i = 0; i < pageSize; i += 7) copy[p * pageSize + i] = (i * 131 + p) & 0xff;
  return copy;
}

const SYNTHETIC = (offsetMs: number, table = "zz_synthetic"): Migration => ({
  sql: [`CREATE TABLE \`${table}\` (\`id\` integer PRIMARY KEY)`],
  bps: true,
  folderMillis: latestMigrationMillis() + offsetMs,
  hash: `synthetic-${table}`,
});

describe("import refuses a bad file and leaves the database as it was", () => {
  const cases: [string, () => Uint8Array | string, RegExp][] = [
    ["not SQLite at all", () => "this is not a database\n".repeat(500), /Not a SQLite database/],
    ["truncated", () => exported.subarray(0, Math.floor(exported.length / 2) + 100), /truncated/],
    ["cut to whole pages", () => exported.subarray(0, 4096 * 2), /truncated/],
    ["corrupt pages", corrupted, /integrity check failed|cannot read/i],
    ["from a newer OmniRoute", () => editedCopy((db) => db.run("INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('future', ?)", [latestMigrationMillis() + 86_400_000])), /newer OmniRoute/],
    ["with a migration history this build never had", () => editedCopy((db) => db.run("INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('other', ?)", [latestMigrationMillis() - 1])), /does not match/],
    ["SQLite but not OmniRoute's", () => editedCopy((db) => db.exec("DROP TABLE __drizzle_migrations")), /Not an OmniRoute database/],
    ["OmniRoute's with a core table missing", () => editedCopy((db) => db.exec("DROP TABLE provider_connections")), /missing tables provider_connections/],
    ["an empty SQLite database", () => new Uint8Array(new Database(":memory:").serialize()), /Not a SQLite database|Not an OmniRoute database|truncated/],
  ];

  for (const [name, make, message] of cases) {
    test(name, async () => {
      const before = dumpLive(gw);
      const res = await importForm(gw, make());
      expect(res.status).toBe(400);
      const body = await json(res);
      expect(body.error).toMatch(message);
      expect(dumpLive(gw)).toEqual(before);
      expect(gw.services.store.connections.size).toBe(1);
      // No safety backup was needed, and nothing is left in .staging.
      expect((await json(await gw.request("/api/db-backups"))).backups).toEqual([]);
      expect(readdirSync(join(gw.dataDir, "db_backups", ".staging"))).toEqual([]);
    });
  }

  test("no file, an empty body, a missing field", async () => {
    const empty = await gw.request("/api/db-backups/import", { method: "POST", body: new Uint8Array(0), headers: { "content-type": "application/octet-stream" } });
    expect(empty.status).toBe(400);
    const form = new FormData();
    form.append("other", "x");
    const noFile = await gw.request("/api/db-backups/import", { method: "POST", body: form });
    expect(noFile.status).toBe(400);
    expect((await json(noFile)).error).toContain('"file"');
  });

  test("a file over the size limit is refused with 413", async () => {
    const small = await startGateway({ backupImportMaxMb: 1 });
    try {
      const big = new Uint8Array(2 * 1024 * 1024);
      const raw = await small.request("/api/db-backups/import", { method: "POST", body: big, headers: { "content-type": "application/octet-stream" } });
      expect(raw.status).toBe(413);
      expect((await json(raw)).error).toContain("Maximum allowed size is 1 MB");
      expect((await importForm(small, big)).status).toBe(413);
    } finally {
      await small.close();
    }
  });
});

describe("schema versions", () => {
  test("an older database is migrated forward on import", async () => {
    // This build's migrations plus one more: the exported file is then "older" than the build.
    const known = [...embeddedMigrations(), SYNTHETIC(1_000)];
    const manager = new BackupManager({ config: gw.services.config, live: gw.services.database, usage: gw.services.usage, store: gw.services.store, migrations: known });
    const staged = stagingFile(gw.dataDir, "test");
    await Bun.write(staged, exported);
    const result = await manager.importFile(staged);
    expect(result.migrated).toBe(1);
    const tables = gw.services.db.$client.query("SELECT name FROM sqlite_master WHERE name = 'zz_synthetic'").all();
    expect(tables).toHaveLength(1);
    expect(gw.services.store.connections.size).toBe(1);
    expect(existsSync(staged)).toBe(false);
  });

  test("a database from before usage_texts (0004) is imported with its usage rows and their texts", async () => {
    const dir = mkdtempSync(join(tmpdir(), "omniroute-old-usage-"));
    try {
      const path = join(dir, "old.sqlite");
      const old = databaseAtMigration(path, 5);
      old.run(`INSERT INTO usage_records (request_id, timestamp, endpoint, client_format, provider, model, requested_model,
        connection_id, status, latency_ms, finish_reason, method, attempts, user_agent, client_ip)
        VALUES ('old-1', ${Date.now() - 60_000}, '/v1/messages', 'anthropic', 'anthropic', 'claude-x', 'claude-x', 'conn-old', 200, 40,
        'end_turn', 'POST', '40', 'claude-cli/1.0', '10.1.2.3')`);
      old.close();
      const res = await importForm(gw, new Uint8Array(readFileSync(path)));
      expect(res.status).toBe(200);
      expect((await res.json()).migrated).toBe(embeddedMigrations().length - 5);
      const logs = (await json(await gw.request("/api/usage/request-logs?provider=anthropic"))).logs;
      expect(logs).toHaveLength(1);
      expect(logs[0]).toMatchObject({ requestId: "old-1", endpoint: "/v1/messages", clientFormat: "anthropic", provider: "anthropic", model: "claude-x",
        connectionId: "conn-old", finishReason: "end_turn", method: "POST", userAgent: "claude-cli/1.0", clientIp: "10.1.2.3" });
      expect(logs[0].attempts).toEqual([{ provider: "anthropic", model: "claude-x", connectionId: "conn-old", status: 200, latencyMs: 40 }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("before migrating an existing database at start, a pre-migration backup is written", () => {
    const dir = mkdtempSync(join(tmpdir(), "omniroute-premigrate-"));
    try {
      const path = join(dir, "omniroute.sqlite");
      gw.services.usage.flush();
      gw.services.db.$client.prepare("VACUUM INTO ?").run(path);
      const backup = join(dir, "pre.sqlite");
      expect(guardBeforeMigration(path, () => backup)).toBe(false); // up to date: nothing to do
      expect(guardBeforeMigration(path, () => backup, [...embeddedMigrations(), SYNTHETIC(5_000)])).toBe(true);
      expect(dumpFile(backup)).toEqual(dumpFile(path));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a database from a newer build is refused at start (and the process says why)", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "omniroute-newer-"));
    try {
      const path = join(dataDir, "omniroute.sqlite");
      gw.services.db.$client.prepare("VACUUM INTO ?").run(path);
      const db = new Database(path);
      db.run("INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('future', ?)", [latestMigrationMillis() + 60_000]);
      db.close(true);
      expect(() => createServices(makeConfig({ dataDir, logLevel: "silent" }))).toThrow(IncompatibleDatabase);
      const proc = Bun.spawnSync([process.execPath, join(import.meta.dir, "../../src/main.ts"), "--data-dir", dataDir, "--port", "0", "--host", "127.0.0.1"], { stderr: "pipe", stdout: "pipe" });
      expect(proc.exitCode).toBe(1);
      expect(proc.stderr.toString()).toContain("written by a newer OmniRoute");
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
