// /api/providers/:id/test, /:id/models and /api/providers/validate against a real (fake) upstream.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { startGateway, type TestGateway } from "../support/gateway.ts";
import { closedPortBaseUrl, GOOD_KEY, startModelsUpstream, type ModelsUpstream } from "./models-upstream.ts";

let upstream: ModelsUpstream;
let gw: TestGateway;
beforeAll(() => {
  upstream = startModelsUpstream();
});
afterAll(() => upstream.stop());
beforeEach(async () => {
  gw = await startGateway();
  upstream.seen.length = 0;
});
afterEach(async () => {
  await gw.close();
});

async function connect(apiKey: string, baseUrl = upstream.baseUrl, provider = "openai"): Promise<string> {
  const res = await gw.request("/api/providers", {
    method: "POST",
    json: { provider, apiKey, name: `c-${apiKey.slice(-6)}`, providerSpecificData: { baseUrl } },
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as any).connection.id;
}

const post = async (path: string, json?: unknown) => {
  const res = await gw.request(path, { method: "POST", json });
  return { status: res.status, body: (await res.json()) as any };
};

describe("POST /api/providers/:id/test", () => {
  test("a good key: valid, ok diagnosis, saved as active", async () => {
    const id = await connect(GOOD_KEY);
    const { status, body } = await post(`/api/providers/${id}/test`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      valid: true,
      error: null,
      statusCode: 200,
      diagnosis: { type: "ok", source: "upstream", message: null, code: null },
    });
    expect(typeof body.latencyMs).toBe("number");
    expect(new Date(body.testedAt).toISOString()).toBe(body.testedAt);
    expect(upstream.seen).toEqual([{ method: "GET", path: "/v1/models", authorization: `Bearer ${GOOD_KEY}` }]);

    const c = ((await (await gw.request(`/api/providers/${id}`)).json()) as any).connection;
    expect(c.testStatus).toBe("active");
    expect(c.lastTested).toBe(body.testedAt);
    expect(c.lastError).toBeUndefined();
    expect(gw.services.store.connections.get(id)!.testStatus).toBe("active");
  });

  test("a bad key: upstream_auth_error with OpenAI's own message and code, saved as error", async () => {
    const id = await connect("sk-bad-key-000000000000");
    const { status, body } = await post(`/api/providers/${id}/test`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      valid: false,
      error: "Invalid API key",
      statusCode: 401,
      diagnosis: {
        type: "upstream_auth_error",
        source: "upstream",
        message: "Incorrect API key provided: sk-bad. You can find your API key at https://platform.openai.com/account/api-keys.",
        code: "invalid_api_key",
      },
    });
    const c = ((await (await gw.request(`/api/providers/${id}`)).json()) as any).connection;
    expect(c.testStatus).toBe("error");
    expect(c.lastError).toBe("Invalid API key");
  });

  test("an unreachable base URL: network_error", async () => {
    const id = await connect(GOOD_KEY, await closedPortBaseUrl());
    const { body } = await post(`/api/providers/${id}/test`);
    expect(body.valid).toBe(false);
    expect(body.statusCode).toBeNull();
    expect(body.diagnosis.type).toBe("network_error");
    expect(body.diagnosis.source).toBe("upstream");
    expect(body.error).toContain("is unreachable");
    expect(gw.services.store.connections.get(id)!.testStatus).toBe("error");
  });

  test("a later success clears the stored error", async () => {
    const id = await connect("sk-bad-key-000000000000");
    await post(`/api/providers/${id}/test`);
    await gw.request(`/api/providers/${id}`, { method: "PUT", json: { apiKey: GOOD_KEY } });
    const { body } = await post(`/api/providers/${id}/test`);
    expect(body.valid).toBe(true);
    const c = ((await (await gw.request(`/api/providers/${id}`)).json()) as any).connection;
    expect(c).toMatchObject({ testStatus: "active" });
    expect(c.lastError).toBeUndefined();
  });
});

describe("GET /api/providers/:id/models", () => {
  test("lists the upstream's models, plus custom ones", async () => {
    const id = await connect(GOOD_KEY);
    await post("/api/provider-models", { provider: "openai", modelId: "my-finetune", modelName: "My finetune" });
    const res = await gw.request(`/api/providers/${id}/models`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      provider: "openai",
      connectionId: id,
      source: "api",
      models: [
        { id: "gpt-4o-mini", owned_by: "system", type: "chat" },
        { id: "my-finetune", name: "My finetune", owned_by: "openai", type: "chat" },
      ],
    });
  });

  test("falls back to the local catalog with a warning when the upstream refuses", async () => {
    const id = await connect("sk-bad-key-000000000000");
    const body = (await (await gw.request(`/api/providers/${id}/models`)).json()) as any;
    expect(body.source).toBe("local_catalog");
    expect(body.warning).toBe("API unavailable — using local catalog (Invalid API key)");
    expect(body.models.length).toBe(gw.services.store.modelsOf("openai").length);
    expect(body.models).toContainEqual({ id: "text-embedding-3-small", owned_by: "openai", type: "embedding" });
  });

  test("unknown connection → 404", async () => {
    const res = await gw.request("/api/providers/nope/models");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: "Connection not found" });
  });
});

describe("POST /api/providers/validate", () => {
  test("checks a key without saving anything", async () => {
    const good = await post("/api/providers/validate", { provider: "openai", apiKey: GOOD_KEY, baseUrl: upstream.baseUrl });
    expect(good).toEqual({ status: 200, body: { valid: true, error: null, warning: null, method: "models" } });
    const bad = await post("/api/providers/validate", { provider: "openai", apiKey: "sk-nope", baseUrl: upstream.baseUrl });
    expect(bad).toEqual({ status: 200, body: { valid: false, error: "Invalid API key", warning: null, method: "models" } });
    expect(upstream.seen.map((s) => s.authorization)).toEqual([`Bearer ${GOOD_KEY}`, "Bearer sk-nope"]);
    expect(((await (await gw.request("/api/providers")).json()) as any).total).toBe(0);
  });

  test("an unreachable base URL is not valid", async () => {
    const { status, body } = await post("/api/providers/validate", { provider: "openai", apiKey: GOOD_KEY, baseUrl: await closedPortBaseUrl() });
    expect(status).toBe(200);
    expect(body.valid).toBe(false);
    expect(body.error).toContain("is unreachable");
  });

  test("unknown provider → 400; missing key → 400 on apiKey", async () => {
    expect(await post("/api/providers/validate", { provider: "nope", apiKey: "x" })).toEqual({
      status: 400,
      body: { error: "Invalid provider" },
    });
    const missing = await post("/api/providers/validate", { provider: "openai" });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details).toEqual([{ field: "apiKey", message: "API key is required" }]);
  });

  test("a node id uses the node's base URL", async () => {
    const node = await post("/api/provider-nodes", { name: "Fake", prefix: "fake", baseUrl: upstream.baseUrl });
    const { body } = await post("/api/providers/validate", { provider: node.body.node.id, apiKey: GOOD_KEY });
    expect(body.valid).toBe(true);
    expect(upstream.seen.at(-1)?.path).toBe("/v1/models");
  });
});
