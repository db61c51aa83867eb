// GET /api/telemetry/summary and GET /api/sessions over real traffic through the gateway.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startFakeOpenAi, type FakeOpenAi } from "../support/fake-openai.ts";
import { startGateway, type TestGateway } from "../support/gateway.ts";
import { addConnection, chat, createKey } from "../support/setup.ts";

let fake: FakeOpenAi;
let gw: TestGateway;

const get = async (path: string) => {
  const res = await gw.request(path);
  return { status: res.status, body: (await res.json()) as any };
};

beforeAll(async () => {
  fake = startFakeOpenAi({ slowMs: 300 });
  gw = await startGateway();
  await addConnection(gw, { provider: "openai", baseUrl: fake.baseUrl });
});
afterAll(async () => {
  await gw.close();
  fake.close();
});

describe("GET /api/telemetry/summary", () => {
  test("p50/p95/p99 and count per provider, errors, and time to first token of streams", async () => {
    for (let i = 0; i < 5; i++) await (await gw.request("/v1/chat/completions", { method: "POST", json: chat("openai/gpt-4o-mini") })).text();
    for (let i = 0; i < 3; i++) await (await gw.request("/v1/chat/completions", { method: "POST", json: chat("openai/gpt-4o-mini", { stream: true }) })).text();
    await (await gw.request("/v1/chat/completions", { method: "POST", json: chat("openai/gpt-4o-mini-error-500") })).text();
    const { status, body } = await get("/api/telemetry/summary");
    expect(status).toBe(200);
    expect(body.windowMinutes).toBe(15);
    const openai = body.providers.openai;
    expect(openai).toMatchObject({ count: 9, errors: 1 });
    for (const p of ["p50", "p95", "p99"]) expect(openai[p]).toBeGreaterThanOrEqual(0);
    expect(openai.p50).toBeLessThanOrEqual(openai.p95);
    expect(openai.p95).toBeLessThanOrEqual(openai.p99);
    expect(openai.ttft.count).toBe(3);
    expect((await get("/api/telemetry/summary?window=60")).body.providers.openai.count).toBe(9);
    expect((await get("/api/telemetry/summary?window=61")).status).toBe(400);
  });
});

describe("GET /api/sessions", () => {
  test("a stream in flight is listed with its key, client, model and tokens so far; then it is a recent client", async () => {
    const key = await createKey(gw, "watcher");
    const res = await gw.request("/v1/chat/completions", {
      method: "POST",
      json: chat("openai/gpt-4o-mini-slow-stream", { stream: true }),
      headers: { authorization: `Bearer ${key.key}`, "user-agent": "session-test/2.0" },
    });
    const reader = res.body!.getReader();
    await reader.read(); // the first chunk; the fake now pauses
    const live = (await get("/api/sessions")).body;
    expect(live.count).toBe(1);
    expect(live.streaming).toBe(1);
    expect(live.byApiKey).toEqual({ [key.id]: 1 });
    expect(live.sessions[0]).toMatchObject({
      requestId: res.headers.get("x-request-id"),
      keyId: key.id,
      keyName: "watcher",
      clientFormat: "openai-chat",
      endpoint: "/v1/chat/completions",
      userAgent: "session-test/2.0",
      requestedModel: "openai/gpt-4o-mini-slow-stream",
      provider: "openai",
      model: "gpt-4o-mini-slow-stream",
      stream: true,
      streaming: true,
      tokensEstimated: true,
    });
    expect(live.sessions[0].tokensSoFar).toBeGreaterThanOrEqual(1);
    expect(live.sessions[0].elapsedMs).toBeGreaterThanOrEqual(0);
    while (!(await reader.read()).done);

    const after = (await get("/api/sessions")).body;
    expect(after.count).toBe(0);
    expect(after.recentClients[0]).toMatchObject({ keyId: key.id, keyName: "watcher", clientFormat: "openai-chat", userAgent: "session-test/2.0", lastModel: "openai/gpt-4o-mini-slow-stream", requests: 1 });
    expect(after.recentClients[0].tokens).toBeGreaterThan(0);
  });
});
