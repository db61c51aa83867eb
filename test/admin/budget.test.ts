// /api/usage/budget end to end: real requests through the gateway to a fake upstream, a
// price that makes every request cost the same, bursts of concurrent requests at the limit.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startFakeOpenAi, type FakeOpenAi } from "../support/fake-openai.ts";
import { startGateway, type TestGateway } from "../support/gateway.ts";
import { addConnection, chat, createKey } from "../support/setup.ts";

let fake: FakeOpenAi;
let gw: TestGateway;
let key: { id: string; key: string };
/** What one `chat("openai/gpt-4o-mini")` costs at the price set below. */
let unit = 0;

const auth = (k: string) => ({ authorization: `Bearer ${k}` });
const ask = (k: string) => gw.request("/v1/chat/completions", { method: "POST", json: chat("openai/gpt-4o-mini"), headers: auth(k) });
const spent = async (keyId: string) => (await (await gw.request(`/api/usage/budget?keyId=${keyId}`)).json()).spent as number;

beforeAll(async () => {
  fake = startFakeOpenAi({ slowMs: 50 });
  gw = await startGateway();
  await addConnection(gw, { provider: "openai", baseUrl: fake.baseUrl });
  // $1 per 1000 input tokens, $2 per 1000 output tokens: cents per request, easy to read.
  const priced = await gw.request("/api/pricing", { method: "PATCH", json: { openai: { "gpt-4o-mini": { input: 1000, output: 2000 } } } });
  expect(priced.status).toBe(200);
  key = await createKey(gw, "budgeted");
  const first = await ask(key.key);
  expect(first.status).toBe(200);
  const log = await (await gw.request(`/api/usage/request-logs?keyId=${key.id}`)).json();
  unit = log.logs[0].costUsd;
  expect(unit).toBeGreaterThan(0);
});
afterAll(async () => {
  await gw.close();
  fake.close();
});

describe("POST/GET /api/usage/budget", () => {
  test("validation: known key, positive limit, a period of the three", async () => {
    const post = (json: unknown) => gw.request("/api/usage/budget", { method: "POST", json });
    expect((await post({ keyId: "nope", limit: 5, period: "monthly" })).status).toBe(404);
    const bad = await post({ keyId: key.id, limit: -1, period: "yearly" });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.details.map((d: any) => d.field).sort()).toEqual(["limit", "period"]);
    expect((await post({ limit: 5 })).status).toBe(400);
    expect((await gw.request("/api/usage/budget?keyId=nope")).status).toBe(404);
  });

  test("the status shows spend so far in the period, what is left and the warning threshold", async () => {
    const other = await createKey(gw, "watch");
    for (let i = 0; i < 4; i++) expect((await ask(other.key)).status).toBe(200);
    const res = await gw.request("/api/usage/budget", { method: "POST", json: { keyId: other.id, limit: unit * 5, period: "daily", warningThreshold: 0.75 } });
    expect(res.status).toBe(200);
    const { budget } = await res.json();
    expect(budget).toMatchObject({ keyId: other.id, keyName: "watch", period: "daily", warningThreshold: 0.75, warning: true, exceeded: false, status: "warning", inFlight: 0 });
    expect(budget.spent).toBeCloseTo(unit * 4, 9);
    expect(budget.remaining).toBeCloseTo(unit, 9);
    expect(budget.percentUsed).toBe(80);
    const list = await (await gw.request("/api/usage/budget")).json();
    expect(list.budgets.map((b: any) => b.keyId)).toContain(other.id);
    // Deleting the budget lifts the cap.
    expect((await gw.request(`/api/usage/budget?keyId=${other.id}`, { method: "DELETE" })).status).toBe(200);
    expect((await gw.request(`/api/usage/budget?keyId=${other.id}`)).status).toBe(404);
  });
});

describe("enforcement", () => {
  test("bursts of concurrent requests at the boundary never overspend by more than one request", async () => {
    const k = await createKey(gw, "burst");
    const limit = unit * 3.5;
    await gw.request("/api/usage/budget", { method: "POST", json: { keyId: k.id, limit, period: "monthly" } });
    let ok = 0;
    let refused = 0;
    for (let round = 0; round < 8; round++) {
      const statuses = await Promise.all(Array.from({ length: 12 }, () => ask(k.key).then((r) => r.status)));
      ok += statuses.filter((s) => s === 200).length;
      refused += statuses.filter((s) => s === 429).length;
      expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
    }
    const total = await spent(k.id);
    expect(total).toBeCloseTo(ok * unit, 9);
    // The budget was used (not refused early) and at most one request ran past it.
    expect(total).toBeGreaterThanOrEqual(limit - unit);
    expect(total).toBeLessThanOrEqual(limit + unit);
    expect(ok).toBe(4);
    expect(refused).toBe(8 * 12 - 4);
    // Every reservation was released when its request ended, admitted or refused.
    const status = await (await gw.request(`/api/usage/budget?keyId=${k.id}`)).json();
    expect(status).toMatchObject({ inFlight: 0, reserved: 0 });
  });

  test("the refusal is a 429 in the client's own format, with a message that says why and when it resets", async () => {
    const k = await createKey(gw, "tiny");
    await gw.request("/api/usage/budget", { method: "POST", json: { keyId: k.id, limit: unit / 2, period: "weekly" } });
    expect((await ask(k.key)).status).toBe(200); // the one request that may run past the limit
    const openai = await ask(k.key);
    expect(openai.status).toBe(429);
    expect(openai.headers.get("x-should-retry")).toBe("false");
    const body = await openai.json();
    expect(body.error).toMatchObject({ type: "rate_limit_error", code: "budget_exceeded" });
    expect(body.error.message).toMatch(/^Budget exhausted for this API key: .* weekly limit .* resets at \d{4}-\d\d-\d\dT00:00:00\.000Z/);

    const anthropic = await gw.request("/v1/messages", {
      method: "POST",
      json: { model: "openai/gpt-4o-mini", max_tokens: 50, messages: [{ role: "user", content: "hi" }] },
      headers: { "x-api-key": k.key, "anthropic-version": "2023-06-01" },
    });
    expect(anthropic.status).toBe(429);
    const ab = await anthropic.json();
    expect(ab.type).toBe("error");
    expect(ab.error.type).toBe("rate_limit_error");
    expect(ab.error.message).toMatch(/Budget exhausted/);

    // Refused requests are recorded (status 429, never routed, no cost) and nothing reached the upstream.
    const before = fake.requests.length;
    await ask(k.key);
    expect(fake.requests.length).toBe(before);
    const logs = await (await gw.request(`/api/usage/request-logs?keyId=${k.id}&status=429`)).json();
    expect(logs.logs[0]).toMatchObject({ status: 429, errorCode: "budget_exceeded", provider: null, costUsd: null, requestedModel: "openai/gpt-4o-mini" });
  });

  test("other keys and keyless requests are unaffected", async () => {
    expect((await gw.request("/v1/chat/completions", { method: "POST", json: chat("openai/gpt-4o-mini") })).status).toBe(200);
    expect((await ask(key.key)).status).toBe(200);
  });
});
