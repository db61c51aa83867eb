// /api/models/alias: short names for provider/model targets, used by the router at once.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { resolveModel } from "../../src/gateway/resolve.ts";
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

describe("/api/models/alias", () => {
  test("PUT and POST set an alias; GET lists them; the router follows them", async () => {
    expect(await call("PUT", "/api/models/alias", { model: "openai/gpt-4o-mini", alias: "fast" })).toEqual({
      status: 200,
      body: { success: true, model: "openai/gpt-4o-mini", alias: "fast" },
    });
    expect((await call("POST", "/api/models/alias", { model: "ds/deepseek-chat", alias: "cheap" })).status).toBe(200);
    expect((await call("GET", "/api/models/alias")).body).toEqual({ aliases: { cheap: "ds/deepseek-chat", fast: "openai/gpt-4o-mini" } });
    const [target] = resolveModel("cheap", gw.services.store);
    expect(target!.provider.id).toBe("deepseek");
    expect(target!.model).toBe("deepseek-chat");
  });

  test("setting an existing alias again replaces its target", async () => {
    await call("PUT", "/api/models/alias", { model: "openai/gpt-4o-mini", alias: "fast" });
    await call("PUT", "/api/models/alias", { model: "groq/llama-3.1-8b-instant", alias: "fast" });
    expect((await call("GET", "/api/models/alias")).body.aliases).toEqual({ fast: "groq/llama-3.1-8b-instant" });
    expect(gw.services.store.aliases.get("fast")).toBe("groq/llama-3.1-8b-instant");
  });

  test("the target must name a known provider; the alias has no spaces", async () => {
    const cases: [unknown, { field: string; message: string }[]][] = [
      [{ model: "nope/x", alias: "a" }, [{ field: "model", message: 'Unknown provider prefix "nope"' }]],
      [{ model: "gpt-4o", alias: "a" }, [{ field: "model", message: 'Model must be "provider/model"' }]],
      [{ model: "openai/gpt-4o", alias: "my alias" }, [{ field: "alias", message: "Alias must not contain whitespace" }]],
      [{ model: "openai/gpt-4o", alias: "openai/gpt-4o" }, [{ field: "alias", message: "Alias must differ from the model it points to" }]],
      [
        {},
        [
          { field: "model", message: "Model is required" },
          { field: "alias", message: "Alias is required" },
        ],
      ],
    ];
    for (const [json, details] of cases) {
      expect(await call("PUT", "/api/models/alias", json)).toEqual({ status: 400, body: { error: { message: "Invalid request", details } } });
    }
  });

  test("DELETE removes; missing → 404; no param → 400", async () => {
    await call("PUT", "/api/models/alias", { model: "openai/gpt-4o", alias: "x" });
    expect(await call("DELETE", "/api/models/alias?alias=x")).toEqual({ status: 200, body: { success: true } });
    expect(gw.services.store.aliases.size).toBe(0);
    expect(await call("DELETE", "/api/models/alias?alias=x")).toEqual({ status: 404, body: { error: "Alias not found" } });
    expect(await call("DELETE", "/api/models/alias")).toEqual({ status: 400, body: { error: "Alias required" } });
  });
});
