// /api/combos: CRUD, validation (names, targets, strategies), cycles and depth refused at
// write time, references protected on rename/delete.
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
const create = (json: unknown) => call("POST", "/api/combos", json);

describe("/api/combos", () => {
  test("POST creates (default strategy priority), GET lists and reads by id or name, the router sees it", async () => {
    const created = await create({ name: "smart", targets: ["openai/gpt-4o", { model: "anthropic/claude-opus-4-6", weight: 2 }, { model: "groq/llama-3.3-70b-versatile" }] });
    expect(created.status).toBe(201);
    const combo = created.body.combo;
    expect(combo).toMatchObject({
      name: "smart",
      strategy: "priority",
      targets: ["openai/gpt-4o", { model: "anthropic/claude-opus-4-6", weight: 2 }, "groq/llama-3.3-70b-versatile"],
      config: {},
    });
    expect(combo.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Date(combo.createdAt).toISOString()).toBe(combo.createdAt);
    expect(await call("GET", "/api/combos")).toEqual({ status: 200, body: { combos: [combo], total: 1 } });
    expect((await call("GET", `/api/combos/${combo.id}`)).body.combo).toEqual(combo);
    expect((await call("GET", "/api/combos/smart")).body.combo).toEqual(combo);
    expect(gw.services.store.combos.get("smart")?.targets).toHaveLength(3);
  });

  test("OmniRoute's `models` field is accepted for targets; config is kept", async () => {
    const res = await create({ name: "legacy", strategy: "round-robin", models: ["openai/gpt-4o", "ds/deepseek-chat"], config: { maxAttempts: 3, note: "kept" } });
    expect(res.status).toBe(201);
    expect(res.body.combo).toMatchObject({ strategy: "round-robin", targets: ["openai/gpt-4o", "ds/deepseek-chat"], config: { maxAttempts: 3, note: "kept" } });
  });

  test("validation: name rules, prefixes and aliases, unknown targets, strategy, empty targets", async () => {
    await call("PUT", "/api/models/alias", { model: "openai/gpt-4o", alias: "fast" });
    const cases: [unknown, string, string][] = [
      [{ targets: ["openai/gpt-4o"] }, "name", "Name is required"],
      [{ name: "a/b", targets: ["openai/gpt-4o"] }, "name", 'Name may hold letters, digits and . _ : - (no "/" or spaces)'],
      [{ name: "openai", targets: ["openai/gpt-4o"] }, "name", '"openai" is a provider prefix; pick another name'],
      [{ name: "DS", targets: ["openai/gpt-4o"] }, "name", '"DS" is a provider prefix; pick another name'],
      [{ name: "fast", targets: ["openai/gpt-4o"] }, "name", '"fast" is already an alias'],
      [{ name: "x", targets: [] }, "targets", "At least one target is required"],
      [{ name: "x", targets: ["nobody/model"] }, "targets.0", 'Unknown target "nobody/model": use provider/model, an alias or a combo name'],
      [{ name: "x", targets: ["openai/gpt-4o", "no-such-thing"] }, "targets.1", 'Unknown target "no-such-thing": use provider/model, an alias or a combo name'],
      [{ name: "x", strategy: "fastest", targets: ["openai/gpt-4o"] }, "strategy", "Strategy must be one of: priority, round-robin, weighted, random, least-latency, cheapest"],
      [{ name: "x", targets: [{ model: "openai/gpt-4o", weight: -1 }] }, "targets.0", ""],
      [{ name: "x", targets: ["openai/gpt-4o"], config: { fallbackMessagePatterns: ["("] } }, "config.fallbackMessagePatterns", "Invalid regular expression"],
    ];
    for (const [json, field, message] of cases) {
      const res = await create(json);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe("Invalid request");
      const detail = res.body.error.details.find((d: any) => d.field === field || d.field.startsWith(`${field}.`));
      expect(detail).toBeDefined();
      if (message) expect(detail.message).toBe(message);
    }
    expect((await call("GET", "/api/combos")).body.total).toBe(0);
  });

  test("a duplicate name → 409", async () => {
    await create({ name: "dup", targets: ["openai/gpt-4o"] });
    expect(await create({ name: "dup", targets: ["openai/gpt-4o"] })).toEqual({ status: 409, body: { error: 'A combo named "dup" already exists' } });
  });

  test("cycles are refused with 400, directly and through other combos", async () => {
    expect((await create({ name: "a", targets: ["openai/gpt-4o"] })).status).toBe(201);
    expect((await create({ name: "b", targets: ["a"] })).status).toBe(201);
    const self = await create({ name: "c", targets: ["c"] });
    expect(self.status).toBe(400);
    expect(self.body.error.details).toEqual([{ field: "targets", message: "Combo cycle: c → c" }]);
    const loop = await call("PUT", "/api/combos/a", { targets: ["openai/gpt-4o", "b"] });
    expect(loop.status).toBe(400);
    expect(loop.body.error.details).toEqual([{ field: "targets", message: "Combo cycle: a → b → a" }]);
    // Nothing changed.
    expect((await call("GET", "/api/combos/a")).body.combo.targets).toEqual(["openai/gpt-4o"]);
  });

  test("nesting deeper than the limit is refused", async () => {
    await create({ name: "l1", targets: ["openai/gpt-4o"] });
    for (let i = 2; i <= 5; i++) expect((await create({ name: `l${i}`, targets: [`l${i - 1}`] })).status).toBe(201);
    const deep = await create({ name: "l6", targets: ["l5"] });
    expect(deep.status).toBe(400);
    expect(deep.body.error.details[0].message).toContain("nest deeper than 5");
  });

  test("PUT updates given fields; an empty body → 400; rename and delete of a referenced combo → 409", async () => {
    const { body } = await create({ name: "inner", targets: ["openai/gpt-4o"] });
    await create({ name: "outer", targets: ["inner", "groq/llama-3.3-70b-versatile"] });
    const updated = await call("PUT", `/api/combos/${body.combo.id}`, { strategy: "random", config: { maxAttempts: 2 } });
    expect(updated.status).toBe(200);
    expect(updated.body.combo).toMatchObject({ name: "inner", strategy: "random", targets: ["openai/gpt-4o"], config: { maxAttempts: 2 } });
    expect((await call("PUT", "/api/combos/inner", {})).body.error.details).toEqual([{ field: "", message: "No valid fields to update" }]);
    expect(await call("PUT", "/api/combos/inner", { name: "renamed" })).toEqual({
      status: 409,
      body: { error: 'Combo "inner" is a target of "outer"; renaming it would break them' },
    });
    expect((await call("DELETE", "/api/combos/inner")).status).toBe(409);
    expect(await call("DELETE", "/api/combos/outer")).toEqual({ status: 200, body: { success: true } });
    expect(await call("DELETE", "/api/combos/inner")).toEqual({ status: 200, body: { success: true } });
    expect(gw.services.store.combos.size).toBe(0);
  });

  test("unknown id → 404", async () => {
    expect(await call("GET", "/api/combos/nope")).toEqual({ status: 404, body: { error: "Combo not found" } });
    expect((await call("PUT", "/api/combos/nope", { strategy: "random" })).status).toBe(404);
    expect((await call("DELETE", "/api/combos/nope")).status).toBe(404);
  });

  test("GET /v1/models lists combos first with owned_by combo", async () => {
    await call("POST", "/api/providers", { provider: "openai", apiKey: "sk-abcdefghijklmnopqrstu", name: "k" });
    await create({ name: "zeta", targets: ["openai/gpt-4o"] });
    const { data } = (await call("GET", "/v1/models")).body;
    expect(data[0]).toMatchObject({ id: "zeta", object: "model", owned_by: "combo", root: "zeta", parent: null, permission: [] });
    expect(data.slice(1).every((m: any) => m.owned_by !== "combo")).toBe(true);
  });
});
