// POST /v1/providers/{provider}/chat/completions: the provider from the path.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startFakeOpenAi, type FakeOpenAi } from "../support/fake-openai.ts";
import { startGateway, type TestGateway } from "../support/gateway.ts";
import { addConnection, chat, usageRows } from "../support/setup.ts";

let fake: FakeOpenAi;
let gw: TestGateway;

beforeAll(async () => {
  fake = startFakeOpenAi();
  gw = await startGateway();
  await addConnection(gw, { provider: "groq", baseUrl: fake.baseUrl });
  await addConnection(gw, { provider: "together", baseUrl: fake.baseUrl });
});
afterAll(async () => {
  await gw.close();
  fake.close();
});

const post = (provider: string, model: string, extra: Record<string, unknown> = {}) =>
  gw.request(`/v1/providers/${provider}/chat/completions`, { method: "POST", json: chat(model, extra) });

test("a bare model gets the provider's prefix", async () => {
  const res = await post("groq", "llama-3.3-70b-versatile");
  expect(res.status).toBe(200);
  expect(res.headers.get("x-omniroute-provider")).toBe("groq");
  expect(fake.requests.at(-1)!.body.model).toBe("llama-3.3-70b-versatile");
  const row = usageRows(gw).find((r) => r.request_id === res.headers.get("x-request-id"));
  expect(row).toMatchObject({ endpoint: "/v1/providers/groq/chat/completions", requested_model: "groq/llama-3.3-70b-versatile", provider: "groq" });
});

test("a model already carrying this provider's prefix is kept; an upstream id with its own slash is prefixed", async () => {
  expect((await post("groq", "groq/llama-3.1-8b-instant")).status).toBe(200);
  expect(fake.requests.at(-1)!.body.model).toBe("llama-3.1-8b-instant");
  expect((await post("together", "meta-llama/Llama-3.3-70B-Instruct-Turbo", { stream: true })).status).toBe(200);
  expect(fake.requests.at(-1)!.body.model).toBe("meta-llama/Llama-3.3-70B-Instruct-Turbo");
});

test("a model of another provider → 400; an unknown provider → 404, in OpenAI's shape", async () => {
  const other = await post("groq", "openai/gpt-4o");
  expect(other.status).toBe(400);
  expect((await other.json()).error).toMatchObject({ code: "invalid_request", param: "model", message: 'Model "openai/gpt-4o" belongs to provider "openai", not "groq".' });
  const unknown = await post("nobody", "x");
  expect(unknown.status).toBe(404);
  expect((await unknown.json()).error.message).toBe('Unknown provider "nobody".');
});
