// /api/policies: CRUD and validation (enforcement is in test/routing/client-limits.test.ts).
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

describe("/api/policies", () => {
  test("POST creates with defaults; GET lists in evaluation order (priority, then age)", async () => {
    const first = await call("POST", "/api/policies", { name: "cap", action: "allow", maxTokens: 1000 });
    expect(first.status).toBe(201);
    expect(first.body.policy).toMatchObject({ name: "cap", action: "allow", enabled: true, priority: 100, match: {}, maxTokens: 1000 });
    expect(first.body.policy.id).toMatch(/^[0-9a-f-]{36}$/);
    const second = await call("POST", "/api/policies", {
      name: "night",
      priority: 10,
      action: "deny",
      match: { models: ["openai/*"], time: { from: "22:00", to: "06:00", days: [0, 6] } },
      message: "Closed at night",
    });
    expect(second.body.policy.match.time.utcOffsetMinutes).toBe(0);
    const list = (await call("GET", "/api/policies")).body;
    expect(list.total).toBe(2);
    expect(list.policies.map((p: any) => p.name)).toEqual(["night", "cap"]);
    expect(gw.services.store.routing.policies).toHaveLength(2);
  });

  test("PUT replaces one; DELETE removes one; unknown id → 404", async () => {
    const { body } = await call("POST", "/api/policies", { name: "x", action: "deny" });
    const id = body.policy.id;
    const put = await call("PUT", `/api/policies/${id}`, { name: "x2", action: "allow", forceModel: "openai/gpt-4o-mini" });
    expect(put.status).toBe(200);
    expect(put.body.policy).toMatchObject({ id, name: "x2", action: "allow", forceModel: "openai/gpt-4o-mini", createdAt: body.policy.createdAt });
    expect(await call("DELETE", `/api/policies/${id}`)).toEqual({ status: 200, body: { success: true } });
    expect(await call("DELETE", `/api/policies/${id}`)).toEqual({ status: 404, body: { error: "Policy not found" } });
    expect((await call("PUT", "/api/policies/nope", { name: "y", action: "deny" })).status).toBe(404);
  });

  test("validation", async () => {
    const cases: [unknown, string][] = [
      [{ action: "deny" }, "name"],
      [{ name: "x", action: "block" }, "action"],
      [{ name: "x", action: "deny", maxTokens: 10 }, "action"],
      [{ name: "x", action: "allow", maxTokens: 0 }, "maxTokens"],
      [{ name: "x", action: "allow", match: { time: { from: "25:00", to: "01:00" } } }, "match.time.from"],
      [{ name: "x", action: "allow", match: { colour: "red" } }, "match"],
      [{ name: "x", action: "allow", forceModel: "nowhere/model" }, "forceModel"],
    ];
    for (const [json, field] of cases) {
      const res = await call("POST", "/api/policies", json);
      expect(res.status).toBe(400);
      expect(res.body.error.details.map((d: any) => d.field)).toContain(field);
    }
    // A combo is a valid forced model.
    await call("POST", "/api/combos", { name: "backup", targets: ["openai/gpt-4o-mini"] });
    expect((await call("POST", "/api/policies", { name: "x", action: "allow", forceModel: "backup" })).status).toBe(201);
  });
});
