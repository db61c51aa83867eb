import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase, type Db } from "../../src/db/client.ts";
import { SqliteUsageSink } from "../../src/usage/recorder.ts";
import { SliceBuilder, SliceRows, StringIntern } from "../../src/usage/row-columns.ts";
import { RowQueue } from "../../src/usage/row-queue.ts";
import { UsageBatchWriter, type UsageEntry } from "../../src/usage/usage-writes.ts";

/** Rows as the writer thread receives them: one slice, with its own string table. */
function asSlice(entries: UsageEntry[]): SliceRows[] {
  const builder = new SliceBuilder(entries.length, new StringIntern());
  for (const e of entries) expect(builder.add(e)).toBe(true);
  const { wire, table } = builder.close();
  return [new SliceRows(wire, table)];
}

/** Runs `run` with a migrated database file in a fresh directory, removed afterwards. */
async function withDatabase(run: (db: Db) => unknown): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "omniroute-usage-"));
  const db = openDatabase(join(dir, "u.sqlite"));
  try {
    await run(db);
  } finally {
    db.$client.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function entry(i: number) {
  return { requestId: `r${i}`, timestamp: Date.now(), status: 200, latencyMs: 1, endpoint: "/v1/chat/completions", clientFormat: "openai-chat", promptTokens: i, method: "POST" };
}

for (const thread of [true, false]) describe(thread ? "on the writer thread" : "on the event loop", () => {
test("rows wait in memory until a flush, then land in one go; close() flushes the rest", () =>
  withDatabase(async (db) => {
    const sink = new SqliteUsageSink(db, 60_000, { thread });
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
  }));

test("rows spread over more slices than one transaction takes land in order, each with its texts", () =>
  withDatabase(async (db) => {
    const sink = new SqliteUsageSink(db, 60_000, { thread });
    // 2,345 rows: 12 slices, more than one transaction's worth; a new user agent every 150 rows,
    // so texts first seen in one transaction's slices are read by the next one's.
    const rows = Array.from({ length: 2345 }, (_, i) => ({ ...entry(i), userAgent: `agent-${Math.floor(i / 150)}` }));
    for (const r of rows) sink.record(r);
    sink.flush();
    expect(sink.stats()).toEqual({ queued: 0, written: 2345, dropped: 0 });
    const stored = db.$client.query("SELECT request_id, user_agent FROM usage_log ORDER BY id").all();
    expect(stored).toEqual(rows.map((r) => ({ request_id: r.requestId, user_agent: r.userAgent })));
    sink.close();
  }));

test("the periodic timer writes without an explicit flush", () =>
  withDatabase(async (db) => {
    const sink = new SqliteUsageSink(db, 20, { thread });
    sink.record(entry(1));
    await Bun.sleep(100);
    expect((db.$client.query("SELECT count(*) AS n FROM usage_records").get() as { n: number }).n).toBe(1);
    sink.close();
  }));

test("every column of every row lands as recorded, across multi-row statements and slices", () =>
  withDatabase(async (db) => {
    const sink = new SqliteUsageSink(db, 60_000, { thread });
    // 271 rows: a full 200-row slice and a 71-row one (on the thread one transaction: eight 32-row
    // statements and 15 single rows; on the event loop one per slice); twice.
    const rows = Array.from({ length: 542 }, (_, i) => ({
      ...entry(i),
      provider: i % 3 ? "openai" : null,
      stream: i % 2 === 0,
      costUsd: i / 1000,
      costEstimated: i % 5 === 0,
      attempts: [{ provider: "openai", model: `m${i}`, status: 200 + (i % 3), latencyMs: i }],
      userAgent: `agent "${i}"\n`,
    }));
    // Two rounds: the second fills the column arrays the first one's written slices handed back.
    for (const r of rows.slice(0, 271)) sink.record(r);
    // Before they are written, budgets read them back as they were recorded.
    expect(sink.pending().map((e) => e.requestId)).toEqual(rows.slice(0, 271).map((r) => r.requestId));
    sink.flush();
    expect(sink.stats().written).toBe(271);
    for (const r of rows.slice(271)) sink.record(r);
    sink.flush();
    const stored = db.$client.query("SELECT * FROM usage_log ORDER BY id").all() as Record<string, unknown>[];
    expect(stored.length).toBe(542);
    stored.forEach((row, i) => {
      const r = rows[i]!;
      expect(row).toMatchObject({
        request_id: r.requestId,
        prompt_tokens: r.promptTokens,
        provider: r.provider,
        stream: r.stream ? 1 : 0,
        cost_usd: r.costUsd,
        cost_estimated: r.costEstimated ? 1 : 0,
        user_agent: r.userAgent,
        method: "POST",
        model: null,
      });
      expect(JSON.parse(row.attempts as string)).toEqual(r.attempts);
    });
    sink.close();
  }));

test("budgets see every recorded row exactly once: in pending() or in the database, at any moment", () =>
  withDatabase(async (db) => {
    // A 5 ms flush: slices are handed over and written while the test records more.
    const sink = new SqliteUsageSink(db, 5, { thread });
    const count = () => (db.$client.query("SELECT count(*) AS n FROM usage_records").get() as { n: number }).n;
    let total = 0;
    for (let round = 0; round < 15; round++) {
      for (let i = 0; i < 300; i++) sink.record(entry(total++));
      await Bun.sleep(round % 4);
      expect(sink.pending().length + count()).toBe(total);
    }
    sink.flush();
    expect(sink.pending()).toHaveLength(0);
    expect(count()).toBe(total);
    sink.close();
  }));
});

test("an in-memory database is written on the event loop (no thread can open it)", () => {
  const db = openDatabase(":memory:");
  const sink = new SqliteUsageSink(db, 60_000);
  sink.record(entry(1));
  sink.flush();
  expect((db.$client.query("SELECT count(*) AS n FROM usage_records").get() as { n: number }).n).toBe(1);
  sink.close();
  db.$client.close();
});

test("a writer thread that cannot open the database gives its rows back: they are written on the event loop, none lost", () => {
  // The rows' real home is an in-memory database; the thread is pointed at a file it cannot open.
  const db = openDatabase(":memory:");
  const client = db.$client;
  const unreachable = new Proxy(client, {
    get(target, prop) {
      if (prop === "filename") return join(tmpdir(), "omniroute-no-such-dir", "nested", "u.sqlite");
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  const sink = new SqliteUsageSink({ ...db, $client: unreachable } as typeof db, 60_000);
  for (let i = 0; i < 250; i++) sink.record(entry(i));
  // Handed to the thread, which retries, gives up (~5 s) and hands them back; flush writes them here.
  sink.flush();
  expect((client.query("SELECT count(*) AS n FROM usage_records").get() as { n: number }).n).toBe(250);
  expect(sink.stats()).toEqual({ queued: 0, written: 250, dropped: 0 });
  sink.record(entry(999));
  sink.flush();
  expect((client.query("SELECT count(*) AS n FROM usage_records").get() as { n: number }).n).toBe(251);
  sink.close();
  client.close();
}, 20_000);

test("texts a failed write added are not remembered: the retried rows read back with their texts", () =>
  withDatabase(async (db) => {
    const writer = new UsageBatchWriter(db.$client);
    const row = (id: string, endpoint: string | null) =>
      ({ requestId: id, timestamp: 1, endpoint, clientFormat: "openai", provider: "brand-new", model: "new-model", userAgent: "new-agent", status: 200, latencyMs: 1 }) as UsageEntry;
    // The second row breaks a NOT NULL constraint after the first one's new texts were added.
    expect(() => writer.write(asSlice([row("a", "/v1/chat/completions"), row("b", null)]))).toThrow("NOT NULL");
    expect(db.$client.query("SELECT count(*) AS n FROM usage_texts WHERE text = 'brand-new'").get()).toEqual({ n: 0 });
    writer.write(asSlice([row("a", "/v1/chat/completions")]));
    expect(db.$client.query("SELECT request_id, provider, model, user_agent FROM usage_log").all()).toEqual([
      { request_id: "a", provider: "brand-new", model: "new-model", user_agent: "new-agent" },
    ]);
  }));

test("past its size the writer's memory of text ids starts over: texts are looked up again, never added twice", () =>
  withDatabase(async (db) => {
    const writer = new UsageBatchWriter(db.$client, { rememberTexts: 3 });
    const row = (id: string, agent: string): UsageEntry => ({ requestId: id, timestamp: 1, endpoint: "/v1/chat/completions", clientFormat: "openai", userAgent: agent, status: 200, latencyMs: 1 });
    const agents = ["agent-1", "agent-2", "agent-3", "agent-4", "agent-5"];
    writer.write(asSlice(agents.map((a, i) => row(`a${i}`, a))));
    // More than three texts were remembered: the next batch finds them in the table again (a second INSERT would break the unique index).
    writer.write(asSlice([...agents].reverse().map((a, i) => row(`b${i}`, a)).concat(row("c", "agent-6"))));
    const texts = db.$client.query("SELECT text FROM usage_texts WHERE text LIKE 'agent-%' ORDER BY text").all().map((t: any) => t.text);
    expect(texts).toEqual([...agents, "agent-6"]);
    const logged = db.$client.query("SELECT request_id, user_agent FROM usage_log WHERE request_id LIKE 'b%' OR request_id = 'c' ORDER BY request_id").all();
    expect(logged).toEqual([...[...agents].reverse().map((a, i) => ({ request_id: `b${i}`, user_agent: a })), { request_id: "c", user_agent: "agent-6" }]);
  }));

test("texts a full string table could not take are written from the row's rare values", () =>
  withDatabase(async (db) => {
    const writer = new UsageBatchWriter(db.$client);
    // A five-string table: most rows' user agents and models do not fit and travel as rare values.
    const queue = new RowQueue(4, 1000, 5);
    const rows: UsageEntry[] = Array.from({ length: 22 }, (_, i) => ({ ...entry(i), userAgent: `agent-${i}`, model: `model-${i % 6}`, error: i % 5 ? null : `failed ${i}` }));
    for (const r of rows) queue.push(r);
    const slices: SliceRows[] = [];
    for (let s = queue.take(); s; s = queue.take()) slices.push(new SliceRows(s.wire, s.table));
    writer.write(slices);
    expect(db.$client.query("SELECT request_id, user_agent, model, error FROM usage_log ORDER BY id").all()).toEqual(
      rows.map((r) => ({ request_id: r.requestId, user_agent: r.userAgent, model: r.model, error: r.error })),
    );
  }));
