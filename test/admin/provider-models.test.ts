// /api/provider-models: custom models per provider, visible in the store (and so the router).
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { startGateway, type TestGateway } from "../support/gateway.ts";

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

describe("/api/provider-models", () => {
  test("POST adds a model (alias mapped to the id), idempotently", async () => {
    const first = await call("POST", "/api/provider-models", { provider: "ds", modelId: "deepseek-v4", modelName: "DeepSeek V4" });
    expect(first).toEqual({ status: 200, body: { model: { id: "deepseek-v4", name: "DeepSeek V4", type: "chat", source: "manual" } } });
    const again = await call("POST", "/api/provider-models", { provider: "deepseek", modelId: "deepseek-v4", modelName: "Other", type: "image" });
    expect(again.body.model).toEqual(first.body.model);
    expect(gw.services.store.customModels.get("deepseek")).toEqual([{ id: "deepseek-v4", name: "DeepSeek V4", type: "chat" }]);
    expect(gw.services.store.modelsOf("deepseek")[0]!.id).toBe("deepseek-v4");
  });

  test("GET for one provider, and for all keyed by provider id", async () => {
    await call("POST", "/api/provider-models", { provider: "openai", modelId: "ft:gpt-4o:me", type: "chat" });
    await call("POST", "/api/provider-models", { provider: "openai", modelId: "emb-x", type: "embedding" });
    await call("POST", "/api/provider-models", { provider: "groq", modelId: "g1" });
    const one = await call("GET", "/api/provider-models?provider=openai");
    expect(one.body).toEqual({
      models: [
        { id: "ft:gpt-4o:me", name: "ft:gpt-4o:me", type: "chat", source: "manual" },
        { id: "emb-x", name: "emb-x", type: "embedding", source: "manual" },
      ],
    });
    const all = await call("GET", "/api/provider-models");
    expect(Object.keys(all.body.models).sort()).toEqual(["groq", "openai"]);
    expect(all.body.models.groq).toEqual([{ id: "g1", name: "g1", type: "chat", source: "manual" }]);
    expect((await call("GET", "/api/provider-models?provider=mistral")).body).toEqual({ models: [] });
  });

  test("DELETE removes one model and reports whether it existed", async () => {
    await call("POST", "/api/provider-models", { provider: "openai", modelId: "m1" });
    expect(await call("DELETE", "/api/provider-models?provider=openai&model=m1")).toEqual({ status: 200, body: { removed: true } });
    expect(await call("DELETE", "/api/provider-models?provider=openai&model=m1")).toEqual({ status: 200, body: { removed: false } });
    expect(gw.services.store.customModels.has("openai")).toBe(false);
  });

  test("errors: missing params, unknown provider, bad type", async () => {
    expect(await call("DELETE", "/api/provider-models?model=m1")).toEqual({ status: 400, body: { error: "provider query param is required" } });
    expect(await call("DELETE", "/api/provider-models?provider=openai")).toEqual({ status: 400, body: { error: "model query param is required" } });
    expect(await call("POST", "/api/provider-models", { provider: "nope", modelId: "m" })).toEqual({ status: 400, body: { error: "Invalid provider" } });
    expect(await call("GET", "/api/provider-models?provider=nope")).toEqual({ status: 400, body: { error: "Invalid provider" } });
    const bad = await call("POST", "/api/provider-models", { provider: "openai", type: "video" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: any) => d.field)).toEqual(["modelId", "type"]);
    expect(bad.body.error.details[0].message).toBe("Model id is required");
  });
});
