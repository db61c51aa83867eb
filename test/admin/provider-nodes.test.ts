// /api/provider-nodes: custom compatible endpoints, their prefixes and what deleting one removes.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { startGateway, type TestGateway } from "../support/gateway.ts";
import { closedPortBaseUrl, GOOD_KEY, startModelsUpstream, type ModelsUpstream } from "./models-upstream.ts";

let gw: TestGateway;
beforeEach(async () => {
  gw = await startGateway();
});
afterEach(async () => {
  await gw.close();
});

async function call(method: string, path: string, json?: unknown) {
  const res = await gw.request(path, { method, json });
  return { status: res.status, body: (await res.json()) as any };
}

const createNode = (body: unknown) => call("POST", "/api/provider-nodes", body);

describe("POST /api/provider-nodes", () => {
  test("creates an OpenAI-compatible node with a typed id and a cleaned base URL", async () => {
    const { status, body } = await createNode({ name: "Local vLLM", prefix: "vllm", baseUrl: "http://10.0.0.2:8000/v1/chat/completions/" });
    expect(status).toBe(201);
    const node = body.node;
    expect(node.id).toMatch(/^openai-compatible-chat-[0-9a-f-]{36}$/);
    expect(node).toMatchObject({ type: "openai-compatible", name: "Local vLLM", prefix: "vllm", apiType: "chat", baseUrl: "http://10.0.0.2:8000/v1" });
    expect(new Date(node.createdAt).toISOString()).toBe(node.createdAt);
    // The router resolves the prefix at once.
    expect(gw.services.store.prefixes.get("vllm")).toBe(node.id);
    expect(gw.services.store.providers.get(node.id)?.baseUrl).toBe("http://10.0.0.2:8000/v1");
  });

  test("a Responses-API node is accepted and speaks the Responses format; other apiTypes are refused", async () => {
    const resp = await createNode({ name: "R", prefix: "resp", apiType: "responses", baseUrl: "https://r.example/v1/responses" });
    expect(resp.status).toBe(201);
    expect(resp.body.node.id).toMatch(/^openai-compatible-responses-[0-9a-f-]{36}$/);
    expect(resp.body.node).toMatchObject({ type: "openai-compatible", prefix: "resp", apiType: "responses", baseUrl: "https://r.example/v1" });
    expect(gw.services.store.providers.get(resp.body.node.id)?.format).toBe("openai-responses");
    const listed = await call("GET", "/api/provider-nodes");
    expect(listed.body.nodes.find((n: any) => n.id === resp.body.node.id)?.apiType).toBe("responses");

    for (const apiType of ["completions", "RESPONSES", ""]) {
      const bad = await createNode({ name: "X", prefix: `x${apiType}`, apiType, baseUrl: "https://x.example/v1" });
      expect(bad.status).toBe(400);
      expect(bad.body.error.details).toEqual([{ field: "apiType", message: 'apiType must be "chat" or "responses"' }]);
    }
    // Switching a node's apiType moves it to the other format.
    const chat = await createNode({ name: "C", prefix: "chatty", baseUrl: "https://c.example/v1" });
    const put = await call("PUT", `/api/provider-nodes/${chat.body.node.id}`, { apiType: "responses" });
    expect(put.body.node.apiType).toBe("responses");
    expect(gw.services.store.providers.get(chat.body.node.id)?.format).toBe("openai-responses");
    expect((await call("PUT", `/api/provider-nodes/${chat.body.node.id}`, { apiType: "assistants" })).status).toBe(400);
  });

  test("anthropic-compatible nodes are accepted", async () => {
    const anth = await createNode({ name: "A", prefix: "anth", type: "anthropic-compatible", baseUrl: "https://a.example/v1/messages" });
    expect(anth.status).toBe(201);
    expect(anth.body.node.id).toMatch(/^anthropic-compatible-[0-9a-f-]{36}$/);
    expect(anth.body.node.baseUrl).toBe("https://a.example/v1");
    expect(anth.body.node.apiType).toBeUndefined();
    expect(gw.services.store.providers.get(anth.body.node.id)?.format).toBe("anthropic");
  });

  test("prefix must not shadow a built-in provider, an alias or another node", async () => {
    await createNode({ name: "One", prefix: "mine", baseUrl: "https://one.example/v1" });
    const cases: [string, string][] = [
      ["openai", 'Prefix "openai" is reserved for the built-in provider "openai"'],
      ["DS", 'Prefix "DS" is reserved for the built-in provider "deepseek"'],
      ["Mine", 'Prefix "Mine" is already used by provider node "One"'],
    ];
    for (const [prefix, message] of cases) {
      const res = await createNode({ name: "x", prefix, baseUrl: "https://x.example/v1" });
      expect(res).toEqual({ status: 400, body: { error: { message: "Invalid request", details: [{ field: "prefix", message }] } } });
    }
  });

  test("validation: required fields, prefix characters, URL scheme", async () => {
    const { status, body } = await createNode({ prefix: "-bad", baseUrl: "file:///etc/passwd" });
    expect(status).toBe(400);
    expect(body.error.details).toEqual([
      { field: "name", message: "Name is required" },
      { field: "prefix", message: "Prefix must start with a letter or digit and use only letters, digits, '.', '_' or '-'" },
      { field: "baseUrl", message: "Must be an http(s) URL" },
    ]);
    const noPrefix = await createNode({ name: "n", baseUrl: "https://x.example" });
    expect(noPrefix.body.error.details).toEqual([{ field: "prefix", message: "Prefix is required" }]);
  });
});

describe("/api/provider-nodes/:id", () => {
  test("GET one, GET list", async () => {
    const { body } = await createNode({ name: "N", prefix: "nn", baseUrl: "https://n.example/v1" });
    const one = await call("GET", `/api/provider-nodes/${body.node.id}`);
    expect(one).toEqual({ status: 200, body: { node: body.node } });
    const list = await call("GET", "/api/provider-nodes");
    expect(list.body.nodes).toEqual([body.node]);
  });

  test("PUT renames the prefix, carries aliases over and frees the old prefix", async () => {
    const { body } = await createNode({ name: "N", prefix: "old", baseUrl: "https://n.example/v1" });
    const id = body.node.id;
    expect((await call("PUT", "/api/models/alias", { model: "old/m1", alias: "fast" })).status).toBe(200);
    const res = await call("PUT", `/api/provider-nodes/${id}`, { prefix: "new", baseUrl: "https://m.example/v2/", apiType: "chat" });
    expect(res.status).toBe(200);
    expect(res.body.node).toMatchObject({ id, prefix: "new", baseUrl: "https://m.example/v2", apiType: "chat", name: "N" });
    expect(gw.services.store.prefixes.get("new")).toBe(id);
    expect(gw.services.store.prefixes.has("old")).toBe(false);
    expect((await call("GET", "/api/models/alias")).body.aliases).toEqual({ fast: "new/m1" });
    // Its own prefix is not a collision.
    expect((await call("PUT", `/api/provider-nodes/${id}`, { prefix: "NEW" })).status).toBe(200);
  });

  test("PUT: empty body → 400, taken prefix → 400", async () => {
    const { body } = await createNode({ name: "N", prefix: "nn", baseUrl: "https://n.example/v1" });
    const empty = await call("PUT", `/api/provider-nodes/${body.node.id}`, {});
    expect(empty.body.error.details).toEqual([{ field: "", message: "No valid fields to update" }]);
    const taken = await call("PUT", `/api/provider-nodes/${body.node.id}`, { prefix: "groq" });
    expect(taken.status).toBe(400);
    expect(taken.body.error.details[0].field).toBe("prefix");
  });

  test("DELETE removes the node, its connections, custom models and aliases through it", async () => {
    const keep = await createNode({ name: "Keep", prefix: "keep", baseUrl: "https://k.example/v1" });
    const { body } = await createNode({ name: "Gone", prefix: "gone", baseUrl: "https://g.example/v1" });
    const id = body.node.id;
    const conn = await call("POST", "/api/providers", { provider: id, name: "c" }); // nodes need no key
    expect(conn.status).toBe(201);
    expect(conn.body.connection.provider).toBe(id);
    await call("POST", "/api/provider-models", { provider: "gone", modelId: "m1" });
    await call("POST", "/api/provider-models", { provider: "keep", modelId: "k1" });
    await call("PUT", "/api/models/alias", { model: "gone/m1", alias: "a1" });
    await call("PUT", "/api/models/alias", { model: `${id}/m1`, alias: "a2" });
    await call("PUT", "/api/models/alias", { model: "keep/k1", alias: "a3" });

    expect(await call("DELETE", `/api/provider-nodes/${id}`)).toEqual({ status: 200, body: { success: true } });
    expect((await call("GET", "/api/providers")).body.total).toBe(0);
    expect((await call("GET", "/api/provider-models")).body.models).toEqual({
      [keep.body.node.id]: [{ id: "k1", name: "k1", type: "chat", source: "manual" }],
    });
    expect((await call("GET", "/api/models/alias")).body.aliases).toEqual({ a3: "keep/k1" });
    expect(gw.services.store.providers.has(id)).toBe(false);
    expect(await call("DELETE", `/api/provider-nodes/${id}`)).toEqual({ status: 404, body: { error: "Provider node not found" } });
  });

  test("unknown id → 404 on GET and PUT", async () => {
    expect(await call("GET", "/api/provider-nodes/nope")).toEqual({ status: 404, body: { error: "Provider node not found" } });
    expect(await call("PUT", "/api/provider-nodes/nope", { name: "x" })).toEqual({ status: 404, body: { error: "Provider node not found" } });
  });
});

describe("POST /api/provider-nodes/validate", () => {
  let upstream: ModelsUpstream;
  beforeAll(() => {
    upstream = startModelsUpstream();
  });
  afterAll(() => upstream.stop());

  test("probes GET {baseUrl}/models", async () => {
    expect(await call("POST", "/api/provider-nodes/validate", { baseUrl: upstream.baseUrl, apiKey: GOOD_KEY })).toEqual({
      status: 200,
      body: { valid: true, error: null },
    });
    expect(await call("POST", "/api/provider-nodes/validate", { baseUrl: `${upstream.baseUrl}/chat/completions`, apiKey: "sk-x" })).toEqual({
      status: 200,
      body: { valid: false, error: "API key unauthorized" },
    });
    const wrongPath = await call("POST", "/api/provider-nodes/validate", { baseUrl: upstream.baseUrl.replace("/v1", "/v9"), apiKey: GOOD_KEY });
    expect(wrongPath.body).toEqual({ valid: false, error: "/models endpoint not found - check the base URL" });
    expect(upstream.seen.map((s) => s.path)).toEqual(["/v1/models", "/v1/models", "/v9/models"]);
  });

  test("a Responses-API base URL (even pasted with /responses) is probed at GET {base}/models", async () => {
    const before = upstream.seen.length;
    const ok = await call("POST", "/api/provider-nodes/validate", { baseUrl: `${upstream.baseUrl}/responses`, apiKey: GOOD_KEY, apiType: "responses" });
    expect(ok).toEqual({ status: 200, body: { valid: true, error: null } });
    expect(upstream.seen.slice(before).map((s) => s.path)).toEqual(["/v1/models"]);
    const bad = await call("POST", "/api/provider-nodes/validate", { baseUrl: upstream.baseUrl, apiType: "batch" });
    expect(bad.status).toBe(400);
  });

  test("an unreachable endpoint and a bad URL", async () => {
    const down = await call("POST", "/api/provider-nodes/validate", { baseUrl: await closedPortBaseUrl() });
    expect(down.body.valid).toBe(false);
    expect(down.body.error).toContain("is unreachable");
    const bad = await call("POST", "/api/provider-nodes/validate", { baseUrl: "not a url" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([{ field: "baseUrl", message: "Must be an http(s) URL" }]);
  });
});
