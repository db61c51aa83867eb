// Restoring while the gateway serves: every request the gateway acknowledged (a 200 with its
// x-request-id) has its usage row afterwards — in the final database, or in the pre-restore
// safety backup of the database it was written to — and none of the requests fails.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { startFakeOpenAi, type FakeOpenAi } from "../support/fake-openai.ts";
import { startGateway, type TestGateway } from "../support/gateway.ts";
import { addConnection } from "../support/setup.ts";
import { dumpFile, json } from "./helpers.ts";

let gw: TestGateway;
let fake: FakeOpenAi;
let base: string;

beforeAll(async () => {
  fake = startFakeOpenAi();
  // A slow flush: most rows are still queued in memory when a restore swaps the file.
  gw = await startGateway({ usageFlushMs: 250 });
  base = await gw.listen();
  await addConnection(gw, { provider: "openai", name: "fake", baseUrl: fake.baseUrl });
});
afterAll(async () => {
  await gw.close();
  fake.close();
});

test("restore under concurrent traffic loses no acknowledged usage row", async () => {
  const { filename } = await json(await fetch(`${base}/api/db-backups`, { method: "PUT" }));

  const acknowledged: string[] = [];
  const failures: string[] = [];
  let stop = false;
  const client = async (n: number) => {
    for (let i = 0; !stop && i < 5_000; i++) {
      const stream = i % 3 === 0;
      const res = await fetch(`${base}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "openai/gpt-4o-mini", stream, messages: [{ role: "user", content: `client ${n} request ${i}` }] }),
      });
      const text = await res.text();
      if (res.status === 200 && (!stream || text.includes("[DONE]"))) acknowledged.push(res.headers.get("x-request-id")!);
      else failures.push(`${res.status} ${text.slice(0, 200)}`);
    }
  };
  const clients = Array.from({ length: 6 }, (_, n) => client(n));

  const safety: string[] = [];
  for (let r = 0; r < 4; r++) {
    await Bun.sleep(150);
    const res = await fetch(`${base}/api/db-backups`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ backupId: filename }) });
    expect(res.status).toBe(200);
    safety.push((await json(res)).safetyBackup);
  }
  await Bun.sleep(150);
  stop = true;
  await Promise.all(clients);
  gw.services.usage.flush();

  expect(failures).toEqual([]);
  expect(acknowledged.length).toBeGreaterThan(50);
  expect(new Set(safety).size).toBe(4);

  const idsIn = (rows: unknown[] | undefined) => new Set((rows ?? []).map((r: any) => r.request_id as string));
  const live = idsIn(gw.services.db.$client.query("SELECT request_id FROM usage_records").all());
  const kept = safety.map((name) => idsIn(dumpFile(join(gw.dataDir, "db_backups", name)).usage_records));
  const missing = acknowledged.filter((id) => !live.has(id) && !kept.some((s) => s.has(id)));
  expect(missing).toEqual([]);
  // The sink kept working after the last swap: rows recorded since are in the live file.
  expect(live.size).toBeGreaterThan(0);
  expect(gw.services.usage.stats().queued).toBe(0);
  expect(gw.services.usage.stats().dropped).toBe(0);
}, 60_000);
