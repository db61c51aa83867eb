// Automatic backups and retention (count and age), and the backup endpoints' admin-only rule.
import { afterEach, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { backupsDir, listBackups, newBackupName, pruneBackups } from "../../src/backup/files.ts";
import { startGateway, type TestGateway } from "../support/gateway.ts";
import { json } from "./helpers.ts";

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0)) await f();
});

function fakeBackups(stamps: [string, string][]): string {
  const dataDir = mkdtempSync(join(tmpdir(), "omniroute-retention-"));
  cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
  mkdirSync(backupsDir(dataDir), { recursive: true });
  for (const [iso, reason] of stamps) writeFileSync(join(backupsDir(dataDir), newBackupName(dataDir, reason as any, new Date(iso))), "x");
  return dataDir;
}

describe("retention", () => {
  const now = Date.parse("2026-06-30T12:00:00Z");

  test("keeps the newest N", async () => {
    const dir = fakeBackups([
      ["2026-06-30T10:00:00Z", "auto"],
      ["2026-06-29T10:00:00Z", "manual"],
      ["2026-06-28T10:00:00Z", "auto"],
      ["2026-06-27T10:00:00Z", "pre-restore"],
    ]);
    const deleted = await pruneBackups(dir, { keep: 2, maxAgeDays: 0 }, now);
    expect(deleted).toHaveLength(2);
    expect(listBackups(dir).map((b) => b.createdAt)).toEqual(["2026-06-30T10:00:00.000Z", "2026-06-29T10:00:00.000Z"]);
  });

  test("deletes those older than the age limit, but never the newest one", async () => {
    const dir = fakeBackups([
      ["2026-06-29T10:00:00Z", "auto"],
      ["2026-06-20T10:00:00Z", "auto"],
      ["2026-05-01T10:00:00Z", "manual"],
    ]);
    await pruneBackups(dir, { keep: 10, maxAgeDays: 7 }, now);
    expect(listBackups(dir).map((b) => b.createdAt)).toEqual(["2026-06-29T10:00:00.000Z"]);

    const old = fakeBackups([["2025-01-01T00:00:00Z", "auto"]]);
    expect(await pruneBackups(old, { keep: 10, maxAgeDays: 7 }, now)).toEqual([]);
  });

  test("the date comes from the name, not the file's mtime (a copy keeps its date)", () => {
    const dir = fakeBackups([["2026-01-02T03:04:05.678Z", "manual"]]);
    const [b] = listBackups(dir);
    utimesSync(join(backupsDir(dir), b!.filename), new Date(), new Date());
    expect(listBackups(dir)[0]!.createdAt).toBe("2026-01-02T03:04:05.678Z");
  });

  test("two backups in the same millisecond get distinct names", () => {
    const at = new Date("2026-01-01T00:00:00Z");
    const dir = fakeBackups([["2026-01-01T00:00:00Z", "manual"]]);
    const second = newBackupName(dir, "manual", at);
    expect(second).toBe("db_2026-01-01T00-00-00-000Z-1_manual.sqlite");
    writeFileSync(join(backupsDir(dir), second), "x");
    expect(listBackups(dir)).toHaveLength(2);
  });
});

describe("schedule", () => {
  test("an automatic backup is made one interval after start, then retention applies", async () => {
    const gw = await startGateway({ backupIntervalHours: 0.0003, backupKeep: 2 }); // ≈ 1.1 s
    cleanup.push(() => gw.close());
    const deadline = Date.now() + 10_000;
    let autos: any[] = [];
    while (Date.now() < deadline && autos.length < 3) {
      await Bun.sleep(200);
      autos = (await json(await gw.request("/api/db-backups"))).backups.filter((b: any) => b.reason === "auto");
      if (autos.length >= 2) break;
    }
    expect(autos.length).toBe(2);
    // Never more than `keep`, however long it runs.
    await Bun.sleep(1_500);
    expect((await json(await gw.request("/api/db-backups"))).backups.length).toBeLessThanOrEqual(2);
  });

  test("0 turns the schedule off", async () => {
    const gw = await startGateway({ backupIntervalHours: 0 });
    cleanup.push(() => gw.close());
    expect(gw.services.backups.nextDueAt()).toBeNull();
    expect((await json(await gw.request("/api/db-backups"))).retention.nextAutomaticAt).toBeNull();
  });
});

describe("admin only", () => {
  let gw: TestGateway;

  test("a request relayed by a proxy (X-Forwarded-For) from a loopback peer is refused without the admin token", async () => {
    gw = await startGateway({ adminToken: "tok-admin-1" } as any);
    cleanup.push(() => gw.close());
    const base = await gw.listen();
    const relayed = { "x-forwarded-for": "203.0.113.9" };
    for (const [method, path] of [
      ["GET", "/api/db-backups"],
      ["PUT", "/api/db-backups"],
      ["GET", "/api/db-backups/export"],
      ["GET", "/api/db-backups/exportAll?includeSecrets=true"],
      ["POST", "/api/db-backups/import"],
    ] as const) {
      const res = await fetch(`${base}${path}`, { method, headers: relayed });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect((await res.json()).error).toContain("Admin only");
    }
    const withToken = await fetch(`${base}/api/db-backups`, { headers: { ...relayed, authorization: "Bearer tok-admin-1" } });
    expect(withToken.status).toBe(200);
    const wrong = await fetch(`${base}/api/db-backups`, { headers: { ...relayed, authorization: "Bearer nope" } });
    expect(wrong.status).toBe(403);
    // Straight from loopback, no proxy: the machine's own operator.
    expect((await fetch(`${base}/api/db-backups`)).status).toBe(200);
  });
});
