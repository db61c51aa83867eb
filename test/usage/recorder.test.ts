import { expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../../src/db/client.ts";
import { SqliteUsageSink } from "../../src/usage/recorder.ts";

function entry(i: number) {
  return { requestId: `r${i}`, timestamp: Date.now(), status: 200, latencyMs: 1, endpoint: "/v1/chat/completions", clientFormat: "openai-chat", promptTokens: i, method: "POST" };
}

test("rows wait in memory until a flush, then land in one go; close() flushes the rest", () => {
  const dir = mkdtempSync(join(tmpdir(), "omniroute-usage-"));
  try {
    const db = openDatabase(join(dir, "u.sqlite"));
    const sink = new SqliteUsageSink(db, 60_000);
    const count = () => (db.$client.query("SELECT count(*) AS n FROM usage_records").get() as { n: number }).n;
    for (let i = 0; i < 2500; i++) sink.record(entry(i));
    expect(count()).toBe(0);
    expect(sink.stats().queued).toBe(2500);
    sink.flush();
    expect(count()).toBe(2500);
    sink.record(entry(9999));
    sink.close();
    expect(count()).toBe(2501);
    expect(sink.stats()).toEqual({ queued: 0, written: 2501, dropped: 0 });
    db.$client.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the periodic timer writes without an explicit flush", async () => {
  const dir = mkdtempSync(join(tmpdir(), "omniroute-usage-"));
  try {
    const db = openDatabase(join(dir, "u.sqlite"));
    const sink = new SqliteUsageSink(db, 20);
    sink.record(entry(1));
    await Bun.sleep(100);
    expect((db.$client.query("SELECT count(*) AS n FROM usage_records").get() as { n: number }).n).toBe(1);
    sink.close();
    db.$client.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
