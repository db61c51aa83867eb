// /api/pricing: the merged table in OmniRoute's shape, overrides and their validation, a
// price for a custom model applied to the next request, and the list of unpriced models.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startFakeOpenAi, type FakeOpenAi } from "../support/fake-openai.ts";
import { startGateway, type TestGateway } from "../support/gateway.ts";
import { addConnection, chat } from "../support/setup.ts";

let fake: FakeOpenAi;
let gw: TestGateway;

const call = async (method: string, path: string, json?: unknown) => {
  const res = await gw.request(path, { method, json });
  return { status: res.status, body: (await res.json()) as any };
};

beforeAll(async () => {
  fake = startFakeOpenAi();
  gw = await startGateway();
  await addConnection(gw, { provider: "openai", baseUrl: fake.baseUrl });
});
afterAll(async () => {
  await gw.close();
  fake.close();
});

describe("/api/pricing", () => {
  test("GET: provider → model → {input, output, cached, reasoning, cache_creation} in USD per 1M tokens", async () => {
    const { status, body } = await call("GET", "/api/pricing");
    expect(status).toBe(200);
    expect(body.openai["gpt-4o-mini"]).toEqual({ input: 0.15, output: 0.6, cached: 0.075 });
    expect(body.anthropic["claude-sonnet-4-5-20250929"]).toEqual({ input: 3, output: 15, cached: 0.3, cache_creation: 3.75 });
    expect(body.ollama["*"]).toEqual({ input: 0, output: 0 });
  });

  test("PATCH merges into what is in force; PUT is the same; DELETE resets one model, a provider or all", async () => {
    const patched = await call("PATCH", "/api/pricing", { openai: { "gpt-4o-mini": { output: 0.9, reasoning: 1.2 } } });
    expect(patched.status).toBe(200);
    expect(patched.body.openai["gpt-4o-mini"]).toEqual({ input: 0.15, output: 0.9, cached: 0.075, reasoning: 1.2 });
    await call("PUT", "/api/pricing", { groq: { "llama-3.1-8b-instant": { input: 0.06 } } });
    expect((await call("GET", "/api/pricing")).body.groq["llama-3.1-8b-instant"]).toEqual({ input: 0.06, output: 0.08 });

    const one = await call("DELETE", "/api/pricing?provider=openai&model=gpt-4o-mini");
    expect(one.body.openai["gpt-4o-mini"]).toEqual({ input: 0.15, output: 0.6, cached: 0.075 });
    expect(one.body.groq["llama-3.1-8b-instant"].input).toBe(0.06);
    await call("DELETE", "/api/pricing?provider=groq");
    expect((await call("GET", "/api/pricing")).body.groq["llama-3.1-8b-instant"].input).toBe(0.05);
    expect((await call("DELETE", "/api/pricing?model=x")).status).toBe(400);
  });

  test("validation: numbers ≥ 0, known fields only, input and output for a model nothing prices yet", async () => {
    const negative = await call("PATCH", "/api/pricing", { openai: { "gpt-4o": { input: -1 } } });
    expect(negative.status).toBe(400);
    expect(negative.body.error.details[0].field).toBe("openai.gpt-4o.input");
    const unknown = await call("PATCH", "/api/pricing", { openai: { "gpt-4o": { per_image: 1 } } });
    expect(unknown.status).toBe(400);
    const incomplete = await call("PATCH", "/api/pricing", { "my-node": { "house-model": { input: 1 } } });
    expect(incomplete.status).toBe(400);
    expect(incomplete.body.error.details[0].message).toMatch(/input and output are required/);
    expect((await call("PATCH", "/api/pricing", [1, 2])).status).toBe(400);
  });

  test("a custom model is unpriced until given a price, which the next request uses", async () => {
    expect((await call("POST", "/api/provider-models", { provider: "openai", modelId: "ft-house-1" })).status).toBeLessThan(300);
    const before = await call("GET", "/api/pricing/models");
    expect(before.body.unit).toBe("USD per 1M tokens");
    expect(before.body.unpriced).toContainEqual({ provider: "openai", model: "ft-house-1" });
    expect(before.body.models).toContainEqual({ provider: "openai", model: "gpt-4o", type: "chat", custom: false, source: "builtin", input: 2.5, output: 10, cached: 1.25 });

    const unpricedRes = await gw.request("/v1/chat/completions", { method: "POST", json: chat("openai/ft-house-1") });
    await unpricedRes.text();
    const unpriced = await call("GET", `/api/usage/request-logs/${unpricedRes.headers.get("x-request-id")}`);
    expect(unpriced.body.costUsd).toBeNull();

    await call("PATCH", "/api/pricing", { openai: { "ft-house-1": { input: 100, output: 300 } } });
    const after = await call("GET", "/api/pricing/models");
    expect(after.body.models).toContainEqual({ provider: "openai", model: "ft-house-1", type: "chat", custom: true, source: "override", input: 100, output: 300 });
    const res = await gw.request("/v1/chat/completions", { method: "POST", json: chat("openai/ft-house-1") });
    const usage = (await res.json()).usage;
    const log = await call("GET", `/api/usage/request-logs/${res.headers.get("x-request-id")}`);
    expect(log.body.costUsd).toBeCloseTo((usage.prompt_tokens * 100 + usage.completion_tokens * 300) / 1e6, 12);
  });
});
