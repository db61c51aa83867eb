// Model resolution through the public surface: prefixes, aliases, custom nodes, /v1/models.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startFakeOpenAi, type FakeOpenAi } from "../support/fake-openai.ts";
import { startGateway, type TestGateway } from "../support/gateway.ts";
import { addConnection, chat } from "../support/setup.ts";

let fake: FakeOpenAi;
let gw: TestGateway;

beforeAll(async () => {
  fake = startFakeOpenAi();
  gw = await startGateway();
  await addConnection(gw, { provider: "openai", baseUrl: fake.baseUrl });
});
afterAll(async () => {
  await gw.close();
  fake.close();
});

const complete = (model: string) => gw.request("/v1/chat/completions", { method: "POST", json: chat(model) });

test("a custom OpenAI-compatible node is addressed as <prefix>/<model>", async () => {
  const created = await gw.request("/api/provider-nodes", {
    method: "POST",
    json: { name: "My vLLM", prefix: "myvllm", type: "openai-compatible", apiType: "chat", baseUrl: fake.baseUrl },
  });
  expect(created.status).toBe(201);
  const { node } = await created.json();
  await addConnection(gw, { provider: node.id, apiKey: "sk-fake-upstream", name: "vllm-key" });
  const res = await complete("myvllm/Qwen/Qwen3-8B");
  expect(res.status).toBe(200);
  expect(res.headers.get("x-omniroute-provider")).toBe(node.id);
  // Only the node prefix is removed; the rest of the id (with its own slash) is the upstream's.
  expect(fake.requests.at(-1)!.body.model).toBe("Qwen/Qwen3-8B");
});

test("an alias resolves to its target", async () => {
  const put = await gw.request("/api/models/alias", { method: "PUT", json: { model: "openai/gpt-4o", alias: "smart" } });
  expect(put.status).toBe(200);
  const res = await complete("smart");
  expect(res.status).toBe(200);
  expect(fake.requests.at(-1)!.body.model).toBe("gpt-4o");
});

test("the provider prefix is case-insensitive and the deepseek alias `ds` maps to deepseek", async () => {
  expect((await complete("OpenAI/gpt-4o-mini")).status).toBe(200);
  const ds = await complete("ds/deepseek-chat");
  // deepseek has no connection here: the alias resolved (503, not 404).
  expect(ds.status).toBe(503);
});

test("/v1/models lists callable providers' models, custom models and aliases", async () => {
  const custom = await gw.request("/api/provider-models", { method: "POST", json: { provider: "openai", modelId: "ft:gpt-4o-mini:acme" } });
  expect(custom.status).toBe(200);
  const res = await gw.request("/v1/models");
  expect(res.status).toBe(200);
  const body = await res.json();
  expect(body.object).toBe("list");
  const ids = body.data.map((m: any) => m.id);
  expect(ids).toContain("openai/gpt-4o-mini");
  expect(ids).toContain("openai/ft:gpt-4o-mini:acme");
  expect(ids).toContain("smart");
  // groq has no connection, so none of its models are offered.
  expect(ids.some((id: string) => id.startsWith("groq/"))).toBe(false);
  const embedding = body.data.find((m: any) => m.id === "openai/text-embedding-3-small");
  expect(embedding.type).toBe("embedding");
  expect(embedding.owned_by).toBe("openai");
});

test("/v1/models/{id} returns one model or a JSON 404", async () => {
  const one = await gw.request("/v1/models/openai/gpt-4o-mini");
  expect(one.status).toBe(200);
  expect((await one.json()).id).toBe("openai/gpt-4o-mini");
  const none = await gw.request("/v1/models/openai/nope");
  expect(none.status).toBe(404);
  expect((await none.json()).error.code).toBe("model_not_found");
});

test("configuration written through /api is used by the very next request (no restart)", async () => {
  const before = await complete("groq/llama-3.3-70b-versatile");
  expect(before.status).toBe(503);
  await addConnection(gw, { provider: "groq", baseUrl: fake.baseUrl });
  const after = await complete("groq/llama-3.3-70b-versatile");
  expect(after.status).toBe(200);
  expect(fake.requests.at(-1)!.body.model).toBe("llama-3.3-70b-versatile");
});
