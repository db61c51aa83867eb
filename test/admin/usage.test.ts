// /api/usage/*: history series and filters over seeded rows, request-log pagination and
// filters, per-connection usage, costs of real requests (reported and estimated), logged
// bodies (only when enabled; redacted, truncated) and retention.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { UsageEntry } from "../../src/usage/recorder.ts";
import { DAY_MS, HOUR_MS } from "../../src/usage/rollup.ts";
import { startFakeOpenAi, type FakeOpenAi } from "../support/fake-openai.ts";
import { startGateway, type TestGateway } from "../support/gateway.ts";
import { addConnection, chat, createKey, putSettings, requestLogRows, usageRows } from "../support/setup.ts";

let fake: FakeOpenAi;
let gw: TestGateway;
let conn: { id: string };

const DAY0 = Date.UTC(2025, 5, 1); // seeded history lives in June 2025, away from live traffic
const get = async (path: string) => {
  const res = await gw.request(path);
  return { status: res.status, body: (await res.json()) as any };
};

let seq = 0;
function row(ts: number, o: { provider?: string; model?: string; key?: string; conn?: string; status?: number; cost?: number; prompt?: number; completion?: number }): UsageEntry {
  const requestId = `seed-${seq++}`;
  return {
    requestId,
    timestamp: ts,
    endpoint: "/v1/chat/completions",
    clientFormat: "openai-chat",
    provider: o.provider ?? "openai",
    model: o.model ?? "gpt-4o",
    connectionId: o.conn ?? "c1",
    apiKeyId: o.key ?? null,
    status: o.status ?? 200,
    latencyMs: 100,
    promptTokens: o.prompt ?? 10,
    completionTokens: o.completion ?? 5,
    totalTokens: (o.prompt ?? 10) + (o.completion ?? 5),
    costUsd: o.cost ?? 0.01,
    method: "POST",
  };
}

beforeAll(async () => {
  fake = startFakeOpenAi();
  gw = await startGateway();
  conn = await addConnection(gw, { provider: "openai", baseUrl: fake.baseUrl });
  // 10 days × 3 rows: openai/gpt-4o on c1 (two keys) and anthropic on c2; one error a day.
  for (let d = 0; d < 10; d++) {
    const t = DAY0 + d * DAY_MS + 10 * HOUR_MS;
    gw.services.usage.record(row(t, { key: "kA", cost: 0.01 }));
    gw.services.usage.record(row(t + HOUR_MS, { key: "kB", cost: 0.02, status: 500 }));
    gw.services.usage.record(row(t + 2 * HOUR_MS, { provider: "anthropic", model: "claude-x", conn: "c2", key: "kA", cost: 0.1, prompt: 100, completion: 50 }));
  }
});
afterAll(async () => {
  await gw.close();
  fake.close();
});

describe("GET /api/usage/history", () => {
  const range = `from=${DAY0}&to=${DAY0 + 10 * DAY_MS}`;

  test("a day series with every day present, and totals", async () => {
    const { status, body } = await get(`/api/usage/history?granularity=day&${range}`);
    expect(status).toBe(200);
    expect(body.granularity).toBe("day");
    expect(body.series).toHaveLength(10);
    expect(body.series[0]).toMatchObject({ time: new Date(DAY0).toISOString(), requests: 3, errors: 1, promptTokens: 120, completionTokens: 60, totalTokens: 180 });
    expect(body.series[0].costUsd).toBeCloseTo(0.13, 9);
    expect(body.totals).toMatchObject({ requests: 30, errors: 10, avgLatencyMs: 100 });
    expect(body.totals.costUsd).toBeCloseTo(1.3, 9);
  });

  test("filters by provider, model, key and connection", async () => {
    const q = async (f: string) => (await get(`/api/usage/history?${range}&${f}`)).body.totals;
    expect((await q("provider=anthropic")).requests).toBe(10);
    expect((await q("model=gpt-4o")).requests).toBe(20);
    expect((await q("keyId=kA")).requests).toBe(20);
    expect((await q("keyId=kA&provider=openai")).requests).toBe(10);
    expect((await q("connectionId=c2")).costUsd).toBeCloseTo(1, 9);
    expect((await q("provider=nobody")).requests).toBe(0);
  });

  test("an hour series; a breakdown by dimension, most expensive first", async () => {
    const { body } = await get(`/api/usage/history?granularity=hour&from=${DAY0}&hours=24&groupBy=connection`);
    expect(body.series).toHaveLength(24);
    expect(body.series.filter((p: any) => p.requests > 0).map((p: any) => p.time)).toEqual([10, 11, 12].map((h) => new Date(DAY0 + h * HOUR_MS).toISOString()));
    expect(body.breakdown.map((b: any) => [b.value, b.requests])).toEqual([["c2", 1], ["c1", 2]]);
    const byKey = await get(`/api/usage/history?${range}&groupBy=key`);
    expect(byKey.body.breakdown.map((b: any) => b.value)).toEqual(["kA", "kB"]);
  });

  test("defaults to the last 30 days by day; bad ranges are 400s", async () => {
    const { body } = await get("/api/usage/history");
    expect(body.series).toHaveLength(30);
    expect((await get(`/api/usage/history?from=${DAY0 + DAY_MS}&to=${DAY0}`)).status).toBe(400);
    expect((await get("/api/usage/history?granularity=hour&days=365")).status).toBe(400);
    expect((await get("/api/usage/history?granularity=week")).status).toBe(400);
    expect((await get("/api/usage/history?from=yesterday")).status).toBe(400);
  });
});

describe("GET /api/usage/request-logs", () => {
  const seeded = `from=${DAY0}&to=${DAY0 + 10 * DAY_MS}`;

  test("newest first, paged by offset and by cursor, the same rows either way", async () => {
    const first = (await get(`/api/usage/request-logs?${seeded}&limit=7`)).body;
    expect(first.logs).toHaveLength(7);
    expect(first.hasMore).toBe(true);
    const times = first.logs.map((l: any) => Date.parse(l.timestamp));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const byOffset = (await get(`/api/usage/request-logs?${seeded}&limit=7&offset=7`)).body;
    const byCursor = (await get(`/api/usage/request-logs?${seeded}&limit=7&cursor=${first.nextCursor}`)).body;
    expect(byCursor.logs.map((l: any) => l.requestId)).toEqual(byOffset.logs.map((l: any) => l.requestId));
    const all: string[] = [];
    let cursor = "";
    for (;;) {
      const page = (await get(`/api/usage/request-logs?${seeded}&limit=8${cursor}`)).body;
      all.push(...page.logs.map((l: any) => l.requestId));
      if (!page.hasMore) break;
      cursor = `&cursor=${page.nextCursor}`;
    }
    expect(all).toHaveLength(30);
    expect(new Set(all).size).toBe(30);
  });

  test("pages filtered by provider, connection or model (read through the hourly rollup) hold the same rows as the whole log filtered", async () => {
    const everything = (await get(`/api/usage/request-logs?${seeded}&limit=500`)).body.logs as any[];
    expect(everything).toHaveLength(30);
    const cases: [string, (l: any) => boolean][] = [
      ["provider=anthropic", (l) => l.provider === "anthropic"],
      // The rollup counts 20 openai requests in these hours but only 10 are errors: the range read must widen.
      ["provider=openai&status=error", (l) => l.provider === "openai" && l.status >= 400],
      ["provider=openai&status=200", (l) => l.provider === "openai" && l.status === 200],
      ["connectionId=c1&keyId=kA", (l) => l.connectionId === "c1" && l.keyId === "kA"],
      ["model=gpt-4o&status=2xx", (l) => l.model === "gpt-4o" && l.status < 300],
      ["connectionId=c2&status=500", () => false],
    ];
    for (const [filter, keep] of cases) {
      const expected = everything.filter(keep).map((l) => l.requestId);
      const byCursor: string[] = [];
      for (let cursor = ""; ; ) {
        const page = (await get(`/api/usage/request-logs?${seeded}&${filter}&limit=3${cursor}`)).body;
        byCursor.push(...page.logs.map((l: any) => l.requestId));
        if (!page.hasMore) break;
        cursor = `&cursor=${page.nextCursor}`;
      }
      expect(byCursor).toEqual(expected);
      const byOffset = (await get(`/api/usage/request-logs?${seeded}&${filter}&limit=4&offset=5`)).body;
      expect(byOffset.logs.map((l: any) => l.requestId)).toEqual(expected.slice(5, 9));
      expect(byOffset.hasMore).toBe(expected.length > 9);
    }
    // A connection's last use comes from its latest hour in the rollup.
    expect((await get("/api/usage/c2")).body.lastUsedAt).toBe(new Date(DAY0 + 9 * DAY_MS + 12 * HOUR_MS).toISOString());
  });

  test("filters: provider, key, connection, status class or code", async () => {
    const n = async (f: string) => (await get(`/api/usage/request-logs?${seeded}&limit=500&${f}`)).body.logs.length;
    expect(await n("provider=anthropic")).toBe(10);
    expect(await n("keyId=kB")).toBe(10);
    expect(await n("connectionId=c1&keyId=kA")).toBe(10);
    expect(await n("status=error")).toBe(10);
    expect(await n("status=500")).toBe(10);
    expect(await n("status=2xx")).toBe(20);
    // A value no row has (so no stored text either) matches nothing, whichever column.
    for (const f of ["provider=nobody", "keyId=nobody", "connectionId=nobody", "model=nobody", "keyId=kB&provider=nobody"]) expect(await n(f)).toBe(0);
    expect((await get("/api/usage/request-logs?status=bad")).status).toBe(400);
    expect((await get("/api/usage/request-logs?cursor=zzz")).status).toBe(400);
    expect((await get("/api/usage/request-logs?limit=100000")).status).toBe(400);
  });
});

describe("costs of real requests", () => {
  test("priced from the upstream's usage at the built-in price; the row, the log and the series agree", async () => {
    const res = await gw.request("/v1/chat/completions", { method: "POST", json: chat("openai/gpt-4o-mini") });
    const usage = (await res.json()).usage;
    const id = res.headers.get("x-request-id")!;
    const { body } = await get(`/api/usage/request-logs/${id}`);
    // gpt-4o-mini: $0.15 in, $0.60 out per 1M tokens (src/usage/prices.ts).
    expect(body.costUsd).toBeCloseTo((usage.prompt_tokens * 0.15 + usage.completion_tokens * 0.6) / 1e6, 12);
    expect(body).toMatchObject({ requestId: id, provider: "openai", model: "gpt-4o-mini", costEstimated: false, status: 200, connectionId: conn.id });
    // One plain attempt is stored as its latency and read back whole.
    expect(body.attempts).toEqual([{ provider: "openai", model: "gpt-4o-mini", connectionId: conn.id, status: 200, latencyMs: expect.any(Number) }]);
    expect(usageRows(gw).find((r) => r.request_id === id).attempts).toBe(String(body.attempts[0].latencyMs));
    const today = await get(`/api/usage/${conn.id}`);
    expect(today.status).toBe(200);
    expect(today.body).toMatchObject({ connectionId: conn.id, provider: "openai", name: "openai-test" });
    expect(today.body.today.requests).toBeGreaterThanOrEqual(1);
    expect(today.body.daily).toHaveLength(30);
    expect(today.body.models[0].value).toBe("gpt-4o-mini");
    expect((await get("/api/usage/no-such-connection")).status).toBe(404);
  });

  test("a stream cut before its usage chunk is priced from estimates and marked so", async () => {
    await gw.request("/api/pricing", { method: "PATCH", json: { openai: { "gpt-4o-mini-broken-stream": { input: 1, output: 1 } } } });
    const res = await gw.request("/v1/chat/completions", { method: "POST", json: chat("openai/gpt-4o-mini-broken-stream", { stream: true }) });
    await res.text();
    const { body } = await get(`/api/usage/request-logs/${res.headers.get("x-request-id")}`);
    expect(body.costEstimated).toBe(true);
    expect(body.tokens.prompt).toBeNull(); // the row keeps what the upstream reported: nothing
    expect(body.costUsd).toBeGreaterThan(0);
  });

  test("GET /api/usage/logs: the latest requests in short", async () => {
    const { body } = await get("/api/usage/logs?limit=2");
    expect(body).toHaveLength(2);
    expect(body[0].line).toMatch(/^\d{4}-.* \| \d{3} \| openai\/gpt-4o-mini.* \| openai-test \| - \| in [\d?]+ out [\d?]+ \| \$\d+\.\d{6}( \(est\.\))? \| \d+ms$/);
  });
});

describe("request and response bodies", () => {
  const secret = "sk-proj-abcdefghijklmnopqrstuvwxyz012345";

  test("not kept unless the setting is on", async () => {
    const res = await gw.request("/v1/chat/completions", { method: "POST", json: chat("openai/gpt-4o-mini") });
    await res.text();
    const log = requestLogRows(gw).find((r) => r.request_id === res.headers.get("x-request-id"));
    expect(log).toMatchObject({ request_body: null, response_body: null });
  });

  test("when on: redacted of secrets, long strings shortened, truncated to the limit; streams too", async () => {
    await putSettings(gw, { requestLogBodies: true, requestLogBodyMaxChars: 600 });
    try {
      const k = await createKey(gw, "bodies");
      const content = `my key is ${secret} and Bearer abc.def.ghijklmnop; ${"x".repeat(5000)}`;
      const res = await gw.request("/v1/chat/completions", {
        method: "POST",
        json: { ...chat("openai/gpt-4o-mini"), messages: [{ role: "user", content }], metadata: { api_key: "plain-secret-value" } },
        headers: { authorization: `Bearer ${k.key}` },
      });
      const answer = await res.text();
      expect(answer).toContain(secret); // the client gets its answer untouched (the fake echoes)
      await Bun.sleep(20);
      const { body } = await get(`/api/usage/request-logs/${res.headers.get("x-request-id")}`);
      for (const text of [body.requestBody, body.responseBody]) {
        expect(text).toBeString();
        expect(text).not.toContain(secret);
        expect(text).not.toContain(k.key);
        expect(text.length).toBeLessThanOrEqual(600 + 40);
      }
      expect(body.requestBody).toContain("[REDACTED]");
      expect(body.requestBody).not.toContain("plain-secret-value");
      expect(body.requestBody).toContain("chars omitted");
      expect(body.responseBody).toContain("[REDACTED]");

      const streamed = await gw.request("/v1/chat/completions", { method: "POST", json: chat("openai/gpt-4o-mini", { stream: true, messages: [{ role: "user", content: secret }] }) });
      expect(await streamed.text()).toContain("[DONE]");
      await Bun.sleep(20);
      const s = (await get(`/api/usage/request-logs/${streamed.headers.get("x-request-id")}`)).body;
      expect(s.responseBody).toStartWith("data: ");
      expect(s.responseBody).not.toContain(secret);
      // The list leaves bodies out unless asked.
      const list = (await get("/api/usage/request-logs?limit=1")).body.logs[0];
      expect(list.requestBody).toBeUndefined();
      expect((await get("/api/usage/request-logs?limit=1&includeBodies=true")).body.logs[0].requestBody).toBeString();
    } finally {
      await putSettings(gw, { requestLogBodies: false });
    }
  });
});

describe("recording switch", () => {
  test("usageRecording: false keeps nothing about finished requests; true records again", async () => {
    await putSettings(gw, { usageRecording: false });
    try {
      const res = await gw.request("/v1/chat/completions", { method: "POST", json: chat("openai/gpt-4o-mini") });
      expect(res.status).toBe(200);
      await res.text();
      expect((await get(`/api/usage/request-logs?requestId=${res.headers.get("x-request-id")}`)).body.logs).toHaveLength(0);
      expect((await get("/api/sessions")).body.count).toBe(0);
    } finally {
      await putSettings(gw, { usageRecording: true });
    }
    const res = await gw.request("/v1/chat/completions", { method: "POST", json: chat("openai/gpt-4o-mini") });
    await res.text();
    expect((await get(`/api/usage/request-logs?requestId=${res.headers.get("x-request-id")}`)).body.logs).toHaveLength(1);
  });
});

describe("retention", () => {
  test("rows older than usageRetentionDays are pruned; hourly aggregates are kept longer", async () => {
    const old = Date.now() - 40 * DAY_MS;
    const ancient = Date.now() - 500 * DAY_MS;
    gw.services.usage.record(row(old, { provider: "prune-me" }));
    gw.services.usage.record(row(ancient, { provider: "prune-me" }));
    gw.services.usage.flush();
    await putSettings(gw, { usageRetentionDays: 30 });
    const before = (await get("/api/usage/request-logs?provider=prune-me")).body.logs.length;
    expect(before).toBe(2);
    const pruned = await gw.services.accounting.prune();
    expect(pruned.usage).toBeGreaterThanOrEqual(2);
    expect((await get("/api/usage/request-logs?provider=prune-me")).body.logs).toHaveLength(0);
    // The 40-day-old hour is still in the aggregates (≥ 400 days), the 500-day-old one is not.
    const hist = (await get(`/api/usage/history?provider=prune-me&from=${ancient - DAY_MS}&to=${Date.now()}`)).body;
    expect(hist.totals.requests).toBe(1);
    // 0 keeps everything.
    await putSettings(gw, { usageRetentionDays: 0 });
    expect(await gw.services.accounting.prune()).toEqual({ usage: 0, hourly: 0, hourlyTotals: 0, audit: 0 });
  });
});
