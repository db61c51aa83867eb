// The gateway's own limits and policies, as each client format sees them: 429 with
// retry-after in the client's error shape, concurrent-stream slots, 403 for a denying
// policy, forced models and capped max tokens reaching the upstream.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/routing/clock.ts";
import { startFakeOpenAi, type FakeOpenAi } from "../support/fake-openai.ts";
import { startGateway, type TestGateway } from "../support/gateway.ts";
import { addConnection, chat, createKey } from "../support/setup.ts";

let fake: FakeOpenAi;
let gw: TestGateway;
let clock: ManualClock;

beforeAll(async () => {
  fake = startFakeOpenAi({ slowMs: 200 });
  gw = await startGateway();
  await addConnection(gw, { provider: "openai", baseUrl: fake.baseUrl });
});
afterAll(async () => {
  await gw.close();
  fake.close();
});
beforeEach(async () => {
  gw.services.routing.reset();
  clock = new ManualClock();
  gw.services.routing.clock = clock;
  await put("/api/rate-limit", { requestsPerMinute: 0, requestsPerMinutePerKey: 0, maxConcurrentStreams: 0 });
  for (const p of (await (await gw.request("/api/policies")).json()).policies) await gw.request(`/api/policies/${p.id}`, { method: "DELETE" });
});

async function put(path: string, json: unknown) {
  const res = await gw.request(path, { method: "PUT", json });
  expect(res.status).toBe(200);
  return res.json();
}

const model = "openai/gpt-4o-mini";
/** One request per client format, all to the same OpenAI-format upstream. */
const CLIENTS: { name: string; send: (headers?: Record<string, string>) => Promise<Response>; check: (body: any, res: Response) => void }[] = [
  {
    name: "openai chat",
    send: (headers) => gw.request("/v1/chat/completions", { method: "POST", json: chat(model), headers }),
    check: (b) => expect(b.error).toMatchObject({ type: "rate_limit_error", code: "rate_limited" }),
  },
  {
    name: "openai responses",
    send: (headers) => gw.request("/v1/responses", { method: "POST", json: { model, input: "ping" }, headers }),
    check: (b) => expect(b.error).toMatchObject({ type: "rate_limit_error", code: "rate_limited" }),
  },
  {
    name: "anthropic",
    send: (headers) => gw.request("/v1/messages", { method: "POST", json: { model, max_tokens: 50, messages: [{ role: "user", content: "ping" }] }, headers }),
    check: (b) => expect(b).toMatchObject({ type: "error", error: { type: "rate_limit_error" } }),
  },
  {
    name: "gemini",
    send: (headers) => gw.request(`/v1beta/models/${model}:generateContent`, { method: "POST", json: { contents: [{ role: "user", parts: [{ text: "ping" }] }] }, headers }),
    check: (b) => {
      expect(b.error).toMatchObject({ code: 429, status: "RESOURCE_EXHAUSTED" });
      expect(b.error.details[0]["@type"]).toBe("type.googleapis.com/google.rpc.RetryInfo");
    },
  },
  {
    name: "ollama",
    send: (headers) => gw.request("/api/chat", { method: "POST", json: { model, stream: false, messages: [{ role: "user", content: "ping" }] }, headers }),
    check: (b) => expect(typeof b.error).toBe("string"),
  },
];

describe("requests per minute", () => {
  for (const client of CLIENTS) {
    test(`over the global limit → 429 with retry-after, in the ${client.name} shape`, async () => {
      gw.services.routing.limiter.reset();
      await put("/api/rate-limit", { requestsPerMinute: 1 });
      expect((await client.send()).status).toBe(200);
      clock.advance(20_000);
      const refused = await client.send();
      expect(refused.status).toBe(429);
      expect(refused.headers.get("retry-after")).toBe("40");
      client.check(await refused.json(), refused);
      clock.advance(40_000);
      expect((await client.send()).status).toBe(200);
    });
  }

  test("per key: one key's excess does not limit another; refusals are recorded", async () => {
    await put("/api/rate-limit", { requestsPerMinutePerKey: 2 });
    const a = await createKey(gw, "a");
    const b = await createKey(gw, "b");
    const as = (k: string) => ({ authorization: `Bearer ${k}` });
    expect((await CLIENTS[0]!.send(as(a.key))).status).toBe(200);
    expect((await CLIENTS[0]!.send(as(a.key))).status).toBe(200);
    const refused = await CLIENTS[0]!.send(as(a.key));
    expect(refused.status).toBe(429);
    expect((await refused.json()).error.message).toContain("this API key");
    expect((await CLIENTS[0]!.send(as(b.key))).status).toBe(200);
    const state = await (await gw.request("/api/rate-limits")).json();
    expect(state.client.perKey[a.id]).toBe(2);
  });

  test("PUT /api/rate-limit changes only the fields given; invalid values → 400", async () => {
    await put("/api/rate-limit", { requestsPerMinute: 10 });
    expect(await put("/api/rate-limit", { maxConcurrentStreams: 3 })).toEqual({ requestsPerMinute: 10, requestsPerMinutePerKey: 0, maxConcurrentStreams: 3 });
    expect(await (await gw.request("/api/rate-limit")).json()).toEqual({ requestsPerMinute: 10, requestsPerMinutePerKey: 0, maxConcurrentStreams: 3 });
    const bad = await gw.request("/api/rate-limit", { method: "PUT", json: { requestsPerMinute: -1, burst: 2 } });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toBe("Invalid request");
  });
});

describe("concurrent streams", () => {
  test("over the limit → 429; the slot frees when the stream ends", async () => {
    await put("/api/rate-limit", { maxConcurrentStreams: 1 });
    const first = await gw.request("/v1/chat/completions", { method: "POST", json: chat("openai/x-slow-stream", { stream: true }) });
    expect(first.status).toBe(200);
    const second = await gw.request("/v1/chat/completions", { method: "POST", json: chat(model, { stream: true }) });
    expect(second.status).toBe(429);
    expect((await second.json()).error.message).toContain("concurrent streams");
    // Non-streamed requests are not counted.
    expect((await gw.request("/v1/chat/completions", { method: "POST", json: chat(model) })).status).toBe(200);
    await first.text();
    const third = await gw.request("/v1/chat/completions", { method: "POST", json: chat(model, { stream: true }) });
    expect(third.status).toBe(200);
    await third.text();
  });
});

describe("policies", () => {
  const post = (json: unknown) => gw.request("/api/policies", { method: "POST", json });

  test("deny by model glob → 403 in the client's format", async () => {
    expect((await post({ name: "no gpt-4o", action: "deny", match: { models: ["openai/gpt-4o*"] }, message: "Not on this plan." })).status).toBe(201);
    const chatRes = await CLIENTS[0]!.send();
    expect(chatRes.status).toBe(403);
    expect((await chatRes.json()).error).toMatchObject({ type: "permission_error", code: "policy_denied", message: "Not on this plan." });
    const anthropic = await CLIENTS[2]!.send();
    expect(anthropic.status).toBe(403);
    expect((await anthropic.json()).error.type).toBe("permission_error");
    const other = await gw.request("/v1/chat/completions", { method: "POST", json: chat("openai/o4-mini") });
    expect(other.status).toBe(200);
  });

  test("by API key, with an allow rule ahead of a catch-all deny", async () => {
    const vip = await createKey(gw, "vip");
    const other = await createKey(gw, "other");
    await post({ name: "vip ok", priority: 1, action: "allow", match: { apiKeyIds: [vip.id] } });
    await post({ name: "nobody else", priority: 2, action: "deny" });
    expect((await CLIENTS[0]!.send({ authorization: `Bearer ${vip.key}` })).status).toBe(200);
    expect((await CLIENTS[0]!.send({ authorization: `Bearer ${other.key}` })).status).toBe(403);
  });

  test("time window: deny only inside it", async () => {
    clock.set(Date.parse("2025-01-06T03:00:00Z"));
    await post({ name: "maintenance", action: "deny", match: { time: { from: "02:00", to: "04:00" } } });
    expect((await CLIENTS[0]!.send()).status).toBe(403);
    clock.set(Date.parse("2025-01-06T05:00:00Z"));
    expect((await CLIENTS[0]!.send()).status).toBe(200);
  });

  test("allow with a forced model and a max-tokens cap: the upstream sees both", async () => {
    await post({ name: "downgrade", action: "allow", match: { models: ["openai/gpt-4o"] }, forceModel: "openai/gpt-4o-mini", maxTokens: 64 });
    const res = await gw.request("/v1/chat/completions", { method: "POST", json: chat("openai/gpt-4o", { max_tokens: 4000 }) });
    expect(res.status).toBe(200);
    expect(fake.requests.at(-1)!.body).toMatchObject({ model: "gpt-4o-mini", max_tokens: 64 });
    // Through translation too (Anthropic client → OpenAI upstream).
    const anthropic = await gw.request("/v1/messages", { method: "POST", json: { model: "openai/gpt-4o", max_tokens: 4000, messages: [{ role: "user", content: "hi" }] } });
    expect(anthropic.status).toBe(200);
    expect(fake.requests.at(-1)!.body).toMatchObject({ model: "gpt-4o-mini", max_tokens: 64 });
  });
});
