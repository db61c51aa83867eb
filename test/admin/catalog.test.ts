// GET /api/models/catalog: registry providers and nodes, under the prefix clients use.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { PROVIDERS } from "../../src/providers/registry.ts";
import { startGateway, type TestGateway } from "../support/gateway.ts";

let gw: TestGateway;
beforeEach(async () => {
  gw = await startGateway();
});
afterEach(async () => {
  await gw.close();
});

const catalog = async () => ((await (await gw.request("/api/models/catalog")).json()) as any).catalog;
const post = (path: string, json: unknown) => gw.request(path, { method: "POST", json });

describe("GET /api/models/catalog", () => {
  test("lists every registry provider; active only with a connection or no auth", async () => {
    const before = await catalog();
    expect(Object.keys(before).sort()).toEqual(PROVIDERS.map((p) => p.id).sort());
    expect(before.openai).toMatchObject({ providerId: "openai", provider: "OpenAI", format: "openai", active: false });
    expect(before.openai.models).toContainEqual({ id: "openai/gpt-4o-mini", name: "gpt-4o-mini", type: "chat", custom: false });
    expect(before.openai.models).toContainEqual({ id: "openai/dall-e-3", name: "dall-e-3", type: "image", custom: false });
    expect(before.ollama.active).toBe(true);

    await post("/api/providers", { provider: "openai", apiKey: "sk-abcdefghijklmnopqrstu", name: "k" });
    expect((await catalog()).openai.active).toBe(true);
  });

  test("an inactive connection does not make a provider active", async () => {
    await post("/api/providers", { provider: "groq", apiKey: "gsk-abcdefghijklmnopqrstu", name: "k", isActive: false });
    expect((await catalog()).groq.active).toBe(false);
  });

  test("nodes appear under their prefix, with custom models flagged", async () => {
    const node = ((await (await post("/api/provider-nodes", { name: "My vLLM", prefix: "vl", baseUrl: "http://10.1.1.1/v1" })).json()) as any).node;
    await post("/api/provider-models", { provider: "vl", modelId: "qwen3-32b", modelName: "Qwen3 32B" });
    await post("/api/provider-models", { provider: "openai", modelId: "ft:gpt-4o:me", type: "chat" });
    const c = await catalog();
    expect(c.vl).toEqual({
      providerId: node.id,
      provider: "My vLLM",
      format: "openai",
      active: false,
      models: [{ id: "vl/qwen3-32b", name: "Qwen3 32B", type: "chat", custom: true }],
    });
    expect(c.openai.models[0]).toEqual({ id: "openai/ft:gpt-4o:me", name: "ft:gpt-4o:me", type: "chat", custom: true });
    expect(c[node.id]).toBeUndefined();
  });
});
