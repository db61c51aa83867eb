// /api/db-backups: create, list, export → wipe → import, restore by name, and the full archive
// read back with the system's own tar and sha256sum.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pkg from "../../package.json";
import { startGateway, type TestGateway } from "../support/gateway.ts";
import { startFakeOpenAi, type FakeOpenAi } from "../support/fake-openai.ts";
import { addConnection, chat } from "../support/setup.ts";
import { bytesOf, dumpFile, dumpLive, importForm, json, seed } from "./helpers.ts";

let gw: TestGateway;
let fake: FakeOpenAi;
const scratch: string[] = [];

beforeEach(async () => {
  fake = startFakeOpenAi();
  gw = await startGateway();
});
afterEach(async () => {
  await gw.close();
  fake.close();
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function chatOnce(g: TestGateway, text: string): Promise<Response> {
  return g.request("/v1/chat/completions", { method: "POST", json: chat("openai/gpt-4o-mini", { messages: [{ role: "user", content: text }] }) });
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "omniroute-backup-test-"));
  scratch.push(dir);
  return dir;
}

describe("create and list", () => {
  test("PUT makes a backup that GET lists with its size, date and reason", async () => {
    await seed(gw);
    const created = await gw.request("/api/db-backups", { method: "PUT" });
    expect(created.status).toBe(200);
    const body = await json(created);
    expect(body).toMatchObject({ created: true, reason: "manual", connectionCount: 1 });
    expect(body.filename).toMatch(/^db_\d{4}-\d\d-\d\dT[\d-]+Z_manual\.sqlite$/);
    expect(body.size).toBeGreaterThan(4096);

    const list = await json(await gw.request("/api/db-backups"));
    expect(list.backups).toHaveLength(1);
    expect(list.backups[0]).toEqual({ id: body.filename, filename: body.filename, createdAt: body.createdAt, size: body.size, reason: "manual", connectionCount: 1 });
    expect(Math.abs(Date.parse(list.backups[0].createdAt) - Date.now())).toBeLessThan(60_000);
    expect(list.retention).toMatchObject({ keep: 10, maxAgeDays: 30, intervalHours: 24 });
    // The backup is a complete database of its own, in the data dir.
    const file = join(gw.dataDir, "db_backups", body.filename);
    expect(dumpFile(file)).toEqual(dumpLive(gw));
  });
});

describe("export → wipe → import", () => {
  test("gives back the same data, and the gateway uses it at once", async () => {
    await seed(gw);
    await addConnection(gw, { provider: "openai", name: "fake", baseUrl: fake.baseUrl, priority: 1 });
    expect((await chatOnce(gw, "before export")).status).toBe(200);
    const before = dumpLive(gw);
    expect(before.usage_records!.length).toBe(1);

    const exported = await gw.request("/api/db-backups/export");
    expect(exported.status).toBe(200);
    expect(exported.headers.get("content-disposition")).toMatch(/^attachment; filename="omniroute-backup-.+\.sqlite"$/);
    const bytes = await bytesOf(exported);
    expect(Number(exported.headers.get("content-length"))).toBe(bytes.length);
    expect(exported.headers.get("x-checksum-sha256")).toBe(new Bun.CryptoHasher("sha256").update(bytes).digest("hex"));
    expect(Buffer.from(bytes.subarray(0, 16)).toString("latin1")).toBe("SQLite format 3\0");

    // Wipe every row, as a disaster would.
    const raw = gw.services.db.$client;
    for (const table of Object.keys(before)) if (table !== "__drizzle_migrations") raw.exec(`DELETE FROM "${table}"`);
    gw.services.store.reload();
    expect(gw.services.store.connections.size).toBe(0);

    const imported = await importForm(gw, bytes, "mine.sqlite");
    expect(imported.status).toBe(200);
    const body = await json(imported);
    expect(body).toMatchObject({ imported: true, filename: "mine.sqlite", connectionCount: 2, apiKeyCount: 1, migrated: 0 });
    expect(body.safetyBackup).toMatch(/_pre-import\.sqlite$/);

    expect(dumpLive(gw)).toEqual(before);
    // In memory too, without a restart: connections decrypt and route again.
    expect(gw.services.store.connections.size).toBe(2);
    expect(gw.services.store.undecryptable.size).toBe(0);
    expect(gw.services.store.aliases.get("fast-a")).toBe("openai/gpt-4o-mini");
    expect((await chatOnce(gw, "after import")).status).toBe(200);
    expect(dumpLive(gw).usage_records!.length).toBe(2);
    // The wiped database was kept.
    const wiped = dumpFile(join(gw.dataDir, "db_backups", body.safetyBackup));
    expect(wiped.provider_connections).toEqual([]);
  });

  test("a raw body (curl --data-binary) works too", async () => {
    await seed(gw);
    const bytes = await bytesOf(await gw.request("/api/db-backups/export"));
    const res = await gw.request("/api/db-backups/import?filename=raw.sqlite", { method: "POST", body: bytes, headers: { "content-type": "application/octet-stream" } });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ imported: true, filename: "raw.sqlite", connectionCount: 1 });
  });

  test("a plain copy of a live database file (WAL mode in its header) imports too", async () => {
    await seed(gw);
    gw.services.db.$client.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    const copy = readFileSync(join(gw.dataDir, "omniroute.sqlite"));
    expect(copy[18]).toBe(2); // WAL
    const res = await importForm(gw, copy, "copied.sqlite");
    expect(res.status).toBe(200);
    expect((await json(res)).connectionCount).toBe(1);
  });
});

describe("restore a named backup", () => {
  test("puts it back in memory and on disk; the replaced database becomes a pre-restore backup", async () => {
    await seed(gw, "a");
    const { filename } = await json(await gw.request("/api/db-backups", { method: "PUT" }));
    const stateA = dumpLive(gw);
    await seed(gw, "b");
    const stateB = dumpLive(gw);
    expect(gw.services.store.aliases.has("fast-b")).toBe(true);

    const res = await gw.request("/api/db-backups", { method: "POST", json: { backupId: filename } });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({ restored: true, backupId: filename, connectionCount: 1, apiKeyCount: 1, comboCount: 0, nodeCount: 0 });

    expect(dumpLive(gw)).toEqual(stateA);
    expect(gw.services.store.aliases.has("fast-b")).toBe(false);
    expect(gw.services.store.aliases.has("fast-a")).toBe(true);
    expect(gw.services.store.settings.streamKeepAliveSeconds).toBe(21);

    const list = (await json(await gw.request("/api/db-backups"))).backups;
    expect(list.map((b: any) => b.reason)).toEqual(["pre-restore", "manual"]);
    expect(list[0].filename).toBe(body.safetyBackup);
    expect(dumpFile(join(gw.dataDir, "db_backups", body.safetyBackup))).toEqual(stateB);
    // No -wal/-shm beside the kept file: it is a self-contained database.
    expect(readdirSync(join(gw.dataDir, "db_backups")).filter((f) => f.endsWith("-wal") || f.endsWith("-shm"))).toEqual([]);
  });

  test("unknown → 404, a name that is not a backup's → 400, no backupId → 400", async () => {
    const missing = await gw.request("/api/db-backups", { method: "POST", json: { backupId: "db_2020-01-01T00-00-00-000Z_manual.sqlite" } });
    expect(missing.status).toBe(404);
    expect((await json(missing)).error).toContain("Backup not found");
    for (const backupId of ["../omniroute.sqlite", "db_x/../../secret.key", "omniroute.sqlite"]) {
      const bad = await gw.request("/api/db-backups", { method: "POST", json: { backupId } });
      expect(bad.status).toBe(400);
    }
    const none = await gw.request("/api/db-backups", { method: "POST", json: {} });
    expect(none.status).toBe(400);
    expect((await json(none)).error.details[0].field).toBe("backupId");
  });
});

describe("exportAll", () => {
  function untar(archive: Uint8Array): { dir: string; listing: string[]; folder: string } {
    const dir = tempDir();
    writeFileSync(join(dir, "a.tar.gz"), archive);
    const list = spawnSync("tar", ["-tzf", join(dir, "a.tar.gz")], { encoding: "utf8" });
    expect(list.status).toBe(0);
    const listing = list.stdout.trim().split("\n").sort();
    const x = spawnSync("tar", ["-xzf", join(dir, "a.tar.gz"), "-C", dir], { encoding: "utf8" });
    expect(x.status).toBe(0);
    return { dir, listing, folder: listing[0]!.split("/")[0]! };
  }

  test("a .tar.gz that system tar lists and extracts: snapshot, settings, manifest with checksums; no secret key", async () => {
    await seed(gw);
    const res = await gw.request("/api/db-backups/exportAll");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/gzip");
    const name = /filename="(omniroute-backup-[^"]+\.tar\.gz)"/.exec(res.headers.get("content-disposition") ?? "")?.[1];
    expect(name).toBeDefined();
    const { dir, listing, folder } = untar(await bytesOf(res));
    expect(`${folder}.tar.gz`).toBe(name!);
    expect(listing).toEqual([`${folder}/SHA256SUMS`, `${folder}/manifest.json`, `${folder}/omniroute.sqlite`, `${folder}/settings.json`]);

    const root = join(dir, folder);
    const sums = spawnSync("sha256sum", ["-c", "SHA256SUMS"], { cwd: root, encoding: "utf8" });
    expect(sums.status).toBe(0);
    expect(sums.stdout).toContain("omniroute.sqlite: OK");

    const manifest = JSON.parse(readFileSync(join(root, "manifest.json"), "utf8"));
    expect(manifest).toMatchObject({ format: "omniroute-backup/1", version: pkg.version, secrets: { included: false, keySource: "file" } });
    expect(manifest.secrets.note).toContain("includeSecrets=true");
    expect(manifest.files["omniroute.sqlite"].sha256).toBe(new Bun.CryptoHasher("sha256").update(readFileSync(join(root, "omniroute.sqlite"))).digest("hex"));
    expect(dumpFile(join(root, "omniroute.sqlite"))).toEqual(dumpLive(gw));

    const settings = JSON.parse(readFileSync(join(root, "settings.json"), "utf8"));
    expect(settings.settings.streamKeepAliveSeconds).toBe(21);
    expect(settings.options).toMatchObject({ dataDir: gw.dataDir, backupKeep: 10 });
    // Nothing left behind in .staging.
    expect(readdirSync(join(gw.dataDir, "db_backups", ".staging"))).toEqual([]);
  });

  test("?includeSecrets=true adds secret.key, which makes the archive a complete move to a new machine", async () => {
    await addConnection(gw, { provider: "openai", name: "fake", baseUrl: fake.baseUrl });
    const { dir, listing, folder } = untar(await bytesOf(await gw.request("/api/db-backups/exportAll?includeSecrets=true")));
    expect(listing).toContain(`${folder}/secret.key`);
    const root = join(dir, folder);
    expect(readFileSync(join(root, "secret.key"), "utf8")).toBe(readFileSync(join(gw.dataDir, "secret.key"), "utf8"));
    expect(JSON.parse(readFileSync(join(root, "manifest.json"), "utf8")).secrets.included).toBe(true);
    expect(spawnSync("sha256sum", ["-c", "SHA256SUMS"], { cwd: root }).status).toBe(0);

    // The new machine: the key file first, then the database through the API.
    const other = await startGateway({ secretKey: readFileSync(join(root, "secret.key"), "utf8") });
    try {
      const res = await importForm(other, readFileSync(join(root, "omniroute.sqlite")));
      expect(res.status).toBe(200);
      expect(other.services.store.undecryptable.size).toBe(0);
      expect((await chatOnce(other, "moved")).status).toBe(200);
    } finally {
      await other.close();
    }
  });

  test("settings.json never carries secrets, and an env secret key is never archived", async () => {
    const other = await startGateway({ secretKey: "from-the-environment", adminToken: "admin-tok-123" } as any);
    try {
      const { dir, listing, folder } = untar(await bytesOf(await other.request("/api/db-backups/exportAll?includeSecrets=true")));
      expect(listing).not.toContain(`${folder}/secret.key`);
      const text = readFileSync(join(dir, folder, "settings.json"), "utf8");
      expect(text).not.toContain("from-the-environment");
      expect(text).not.toContain("admin-tok-123");
      expect(JSON.parse(readFileSync(join(dir, folder, "manifest.json"), "utf8")).secrets).toMatchObject({ included: false, keySource: "environment" });
    } finally {
      await other.close();
    }
  });
});
