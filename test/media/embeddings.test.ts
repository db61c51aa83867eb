// POST /v1/embeddings against fakes of each upstream's real wire format.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { base64ToEmbedding } from "../../src/formats/embeddings/openai.ts";
import { startFakeGeminiEmbeddings, type FakeGeminiEmbeddings } from "../support/fake-gemini-embeddings.ts";
import { startFakeOpenAi, type FakeOpenAi } from "../support/fake-openai.ts";
import type { TestGateway } from "../support/gateway.ts";
import { requestLogRows, usageRows } from "../support/setup.ts";
import { gatewayWith, json } from "./support.ts";
import { VERSION } from "../../src/config.ts";

let openai: FakeOpenAi;
let gemini: FakeGeminiEmbeddings;
let ollama: ReturnType<typeof Bun.serve>;
const ollamaBodies: any[] = [];
let gw: TestGateway;

beforeAll(async () => {
  openai = startFakeOpenAi();
  gemini = startFakeGeminiEmbeddings();
  // Ollama's native /api/embed, as `ollama serve` answers it.
  ollama = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const body = await req.json();
      ollamaBodies.push(body);
      if (new URL(req.url).pathname !== "/api/embed") return new Response("404 page not found", { status: 404 });
      return Response.json({ model: body.model, embeddings: body.input.map((t: string) => [t.length, 0.25]), total_duration: 14143917, load_duration: 1019500, prompt_eval_count: 8 });
    },
  });
  gw = await gatewayWith([
    { provider: "openai", baseUrl: openai.baseUrl },
    { provider: "mistral", baseUrl: openai.baseUrl },
    { provider: "together", baseUrl: openai.baseUrl },
    { provider: "fireworks", baseUrl: openai.baseUrl },
    { provider: "nebius", baseUrl: openai.baseUrl },
    { provider: "nvidia", baseUrl: openai.baseUrl },
    { provider: "gemini", baseUrl: gemini.baseUrl, apiKey: "gemini-fake-key" },
    { provider: "ollama", baseUrl: `http://127.0.0.1:${ollama.port}`, apiKey: "" },
  ]);
});
afterAll(async () => {
  await gw.close();
  openai.close();
  gemini.close();
  ollama.stop(true);
});

const lastOpenAi = () => openai.requests.at(-1)!;

test("OpenAI: a single input passes through with the upstream's model id and usage", async () => {
  const res = await json(gw, "/v1/embeddings", { model: "openai/text-embedding-3-small", input: "The food was delicious" });
  expect(res.status).toBe(200);
  expect(res.headers.get("x-omniroute-provider")).toBe("openai");
  const body = await res.json();
  expect(body).toMatchObject({ object: "list", model: "text-embedding-3-small", usage: { prompt_tokens: 6, total_tokens: 6 } });
  expect(body.data).toEqual([{ object: "embedding", index: 0, embedding: [22, 0, 0.5] }]);
  expect(lastOpenAi()).toMatchObject({ path: "/v1/embeddings", body: { model: "text-embedding-3-small", input: "The food was delicious" } });
  expect(lastOpenAi().headers.authorization).toBe("Bearer sk-fake-upstream");
  expect(lastOpenAi().headers).toMatchObject({ "content-type": "application/json", accept: "application/json", "user-agent": `OmniRoute/${VERSION}` });
  const row = usageRows(gw).at(-1);
  expect(row).toMatchObject({ endpoint: "/v1/embeddings", client_format: "openai", provider: "openai", model: "text-embedding-3-small", status: 200, prompt_tokens: 6, total_tokens: 6 });
});

test("batch input keeps its order; dimensions and extra fields are forwarded", async () => {
  const res = await json(gw, "/v1/embeddings", { model: "openai/text-embedding-3-large", input: ["a", "bbb", "cc"], dimensions: 4, user: "u1" });
  const body = await res.json();
  expect(body.data.map((d: any) => d.embedding)).toEqual([
    [1, 0, 0.5, 0.5],
    [3, 1, 0.5, 0.5],
    [2, 2, 0.5, 0.5],
  ]);
  expect(lastOpenAi().body).toMatchObject({ dimensions: 4, user: "u1" });
});

test("encoding_format base64 is produced by the gateway as float32 little-endian", async () => {
  const res = await json(gw, "/v1/embeddings", { model: "openai/text-embedding-3-small", input: ["hello", "hi"], encoding_format: "base64" });
  const body = await res.json();
  // The upstream was asked for floats (not every compatible server implements base64).
  expect(lastOpenAi().body.encoding_format).toBeUndefined();
  expect(typeof body.data[0].embedding).toBe("string");
  expect(base64ToEmbedding(body.data[0].embedding)).toEqual([5, 0, 0.5]);
  expect(base64ToEmbedding(body.data[1].embedding)).toEqual([2, 1, 0.5]);
});

test("token-array input passes through to an OpenAI-compatible upstream", async () => {
  const res = await json(gw, "/v1/embeddings", { model: "openai/text-embedding-3-small", input: [[1, 2, 3], [4, 5]] });
  expect(res.status).toBe(200);
  expect(lastOpenAi().body.input).toEqual([[1, 2, 3], [4, 5]]);
});

test.each([
  ["mistral", "mistral-embed"],
  ["together", "BAAI/bge-large-en-v1.5"],
  ["fireworks", "nomic-ai/nomic-embed-text-v1.5"],
  ["nebius", "Qwen/Qwen3-Embedding-8B"],
])("%s is an OpenAI-compatible embeddings upstream", async (provider, model) => {
  const res = await json(gw, "/v1/embeddings", { model: `${provider}/${model}`, input: "x" });
  expect(res.status).toBe(200);
  expect(res.headers.get("x-omniroute-provider")).toBe(provider);
  expect(lastOpenAi().body.model).toBe(model);
});

test("NVIDIA's asymmetric models get input_type unless the client set it", async () => {
  const res = await json(gw, "/v1/embeddings", { model: "nvidia/nvidia/nv-embedqa-e5-v5", input: "what is a gateway?" });
  expect(res.status).toBe(200);
  expect(lastOpenAi().body).toMatchObject({ model: "nvidia/nv-embedqa-e5-v5", input_type: "query" });
  await json(gw, "/v1/embeddings", { model: "nvidia/nvidia/nv-embedqa-e5-v5", input: "a passage", input_type: "passage" });
  expect(lastOpenAi().body.input_type).toBe("passage");
});

test("Gemini is translated to batchEmbedContents, split at 100 inputs per batch", async () => {
  const input = Array.from({ length: 150 }, (_, i) => "w".repeat(i + 1));
  const before = gemini.requests.length;
  const res = await json(gw, "/v1/embeddings", { model: "gemini/gemini-embedding-001", input, dimensions: 5 });
  expect(res.status).toBe(200);
  const body = await res.json();
  const sent = gemini.requests.slice(before);
  expect(sent.map((r) => r.path)).toEqual(["/v1beta/models/gemini-embedding-001:batchEmbedContents", "/v1beta/models/gemini-embedding-001:batchEmbedContents"]);
  expect(sent.map((r) => r.body.requests.length)).toEqual([100, 50]);
  expect(sent[0]!.body.requests[0]).toEqual({ model: "models/gemini-embedding-001", content: { parts: [{ text: "w" }] }, outputDimensionality: 5 });
  expect(body.object).toBe("list");
  expect(body.model).toBe("gemini/gemini-embedding-001");
  expect(body.data).toHaveLength(150);
  expect(body.data[149]).toEqual({ object: "embedding", index: 149, embedding: [150, 49, 0.5, 0.5, 0.5] });
  // Gemini reports no tokens: the client sees 0, the usage row has none (cost estimated).
  expect(body.usage).toEqual({ prompt_tokens: 0, total_tokens: 0 });
  expect(usageRows(gw).at(-1)).toMatchObject({ provider: "gemini", status: 200, prompt_tokens: null });
});

test("Gemini with base64 and a single string", async () => {
  const res = await json(gw, "/v1/embeddings", { model: "gemini/text-embedding-004", input: "abc", encoding_format: "base64" });
  const body = await res.json();
  expect(base64ToEmbedding(body.data[0].embedding)).toEqual([3, 0, 0.5]);
});

test("Gemini refuses token arrays with a 400 that says why", async () => {
  const res = await json(gw, "/v1/embeddings", { model: "gemini/gemini-embedding-001", input: [1, 2, 3] });
  expect(res.status).toBe(400);
  expect((await res.json()).error).toMatchObject({ param: "input", message: expect.stringContaining("Token-array input") });
});

test("Gemini errors come back in OpenAI's shape with Gemini's message", async () => {
  const res = await json(gw, "/v1/embeddings", { model: "gemini/x-error-503", input: "a" });
  expect(res.status).toBe(503);
  expect((await res.json()).error.message).toBe("[gemini] Fake failure 503");
});

test("Ollama is translated to /api/embed", async () => {
  const res = await json(gw, "/v1/embeddings", { model: "ollama/nomic-embed-text", input: ["hey", "you"] });
  expect(res.status).toBe(200);
  expect(ollamaBodies.at(-1)).toEqual({ model: "nomic-embed-text", input: ["hey", "you"] });
  const body = await res.json();
  expect(body.data[1]).toEqual({ object: "embedding", index: 1, embedding: [3, 0.25] });
  expect(body.usage).toEqual({ prompt_tokens: 8, total_tokens: 8 });
});

test("GET /v1/embeddings lists the callable embedding models only", async () => {
  const res = await gw.request("/v1/embeddings");
  expect(res.status).toBe(200);
  const body = await res.json();
  const ids = body.data.map((m: any) => m.id);
  expect(ids).toContain("openai/text-embedding-3-small");
  expect(ids).toContain("gemini/gemini-embedding-001");
  expect(ids).toContain("nebius/Qwen/Qwen3-Embedding-8B");
  expect(ids).not.toContain("openai/gpt-4o");
  expect(ids).not.toContain("openai/dall-e-3");
  expect(ids).not.toContain("cerebras/llama-3.3-70b"); // not connected
  expect(body.data.every((m: any) => m.type === "embedding")).toBe(true);
});

test("an unknown model is a 404 in OpenAI's shape, recorded", async () => {
  const res = await json(gw, "/v1/embeddings", { model: "nope/nothing", input: "a" });
  expect(res.status).toBe(404);
  expect((await res.json()).error).toMatchObject({ code: "model_not_found", param: "model" });
  expect(usageRows(gw).at(-1)).toMatchObject({ endpoint: "/v1/embeddings", status: 404, error_code: "model_not_found" });
});

test("an upstream error keeps its status and message, and the attempt is logged", async () => {
  const res = await json(gw, "/v1/embeddings", { model: "openai/x-error-400", input: "a" });
  expect(res.status).toBe(400);
  expect((await res.json()).error.message).toContain("[openai] This model's maximum context length");
  const log = requestLogRows(gw).at(-1);
  expect(JSON.parse(log.attempts)[0]).toMatchObject({ provider: "openai", model: "x-error-400", status: 400 });
});

test("an upstream answering HTML is a 502", async () => {
  const res = await json(gw, "/v1/embeddings", { model: "openai/x-garbage", input: "a" });
  expect(res.status).toBe(502);
  expect((await res.json()).error.code).toBe("upstream_bad_response");
});

test("bad requests: malformed JSON, missing input, wrong encoding_format", async () => {
  const bad = await gw.request("/v1/embeddings", { method: "POST", body: "{", headers: { "content-type": "application/json" } });
  expect(bad.status).toBe(400);
  expect((await bad.json()).error.code).toBe("invalid_json");
  const missing = await json(gw, "/v1/embeddings", { model: "openai/text-embedding-3-small" });
  expect(missing.status).toBe(400);
  expect((await missing.json()).error.param).toBe("input");
  const fmt = await json(gw, "/v1/embeddings", { model: "openai/text-embedding-3-small", input: "a", encoding_format: "int8" });
  expect(fmt.status).toBe(400);
  const empty = await json(gw, "/v1/embeddings", { model: "openai/text-embedding-3-small", input: [] });
  expect(empty.status).toBe(400);
});

test("a provider without an embeddings API says so", async () => {
  const gw2 = await gatewayWith([{ provider: "anthropic", baseUrl: openai.baseUrl }]);
  try {
    const res = await json(gw2, "/v1/embeddings", { model: "anthropic/claude-haiku-4-5-20251001", input: "a" });
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toContain('Provider "anthropic" does not offer embeddings');
  } finally {
    await gw2.close();
  }
});

test("dedicated provider route: bare model gets the prefix, another provider's model is a 400", async () => {
  const ok = await json(gw, "/v1/providers/mistral/embeddings", { model: "mistral-embed", input: "x" });
  expect(ok.status).toBe(200);
  expect(ok.headers.get("x-omniroute-provider")).toBe("mistral");
  expect(lastOpenAi().body.model).toBe("mistral-embed");
  expect(usageRows(gw).at(-1)).toMatchObject({ endpoint: "/v1/providers/mistral/embeddings", requested_model: "mistral/mistral-embed" });
  const prefixed = await json(gw, "/v1/providers/nebius/embeddings", { model: "nebius/Qwen/Qwen3-Embedding-8B", input: "x" });
  expect(prefixed.status).toBe(200);
  const slashId = await json(gw, "/v1/providers/nebius/embeddings", { model: "Qwen/Qwen3-Embedding-8B", input: "x" });
  expect(slashId.status).toBe(200);
  expect(lastOpenAi().body.model).toBe("Qwen/Qwen3-Embedding-8B");
  const other = await json(gw, "/v1/providers/mistral/embeddings", { model: "openai/text-embedding-3-small", input: "x" });
  expect(other.status).toBe(400);
  const unknown = await json(gw, "/v1/providers/nowhere/embeddings", { model: "m", input: "x" });
  expect(unknown.status).toBe(404);
});
