// /api/models/availability: which providers and connections can serve a model right now.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/routing/clock.ts";
import { startFakeOpenAi, type FakeOpenAi } from "../support/fake-openai.ts";
import { startGateway, type TestGateway } from "../support/gateway.ts";
import { addConnection, chat } from "../support/setup.ts";

let gw: TestGateway;
let fake: FakeOpenAi;
let clock: ManualClock;
beforeEach(async () => {
  fake = startFakeOpenAi();
  gw = await startGateway();
  clock = new ManualClock();
  gw.services.routing.clock = clock;
});
afterEach(async () => {
  await gw.close();
  fake.close();
});

async function call(method: string, path: string, json?: unknown) {
  const res = await gw.request(path, { method, json });
  return { status: res.status, body: (await res.json()) as any };
}

describe("/api/models/availability", () => {
  test("POST {model}: each connection's state for that model; a cooling model is unavailable, others not", async () => {
    const a = await addConnection(gw, { provider: "openai", name: "a", baseUrl: fake.baseUrl });
    const b = await addConnection(gw, { provider: "openai", name: "b", baseUrl: fake.baseUrl });
    expect((await call("POST", "/api/models/availability", { model: "openai/gpt-4o-mini" })).body).toEqual({
      model: "openai/gpt-4o-mini",
      available: true,
      targets: [
        {
          model: "openai/gpt-4o-mini",
          provider: "openai",
          available: true,
          connections: [
            { id: a.id, name: "a", status: "available" },
            { id: b.id, name: "b", status: "available" },
          ],
        },
      ],
    });
    // Both accounts answer 429 for this model: it cools on both.
    await gw.request("/v1/chat/completions", { method: "POST", json: chat("openai/x-error-429") });
    const cooling = (await call("POST", "/api/models/availability", { model: "openai/x-error-429" })).body;
    expect(cooling.available).toBe(false);
    expect(cooling.targets[0].connections).toEqual([
      { id: a.id, name: "a", status: "cooling", until: new Date(clock.now() + 7_000).toISOString(), reason: "rate_limited" },
      { id: b.id, name: "b", status: "cooling", until: new Date(clock.now() + 7_000).toISOString(), reason: "rate_limited" },
    ]);
    expect((await call("GET", "/api/models/availability?model=openai/gpt-4o-mini")).body.available).toBe(true);
    clock.advance(7_000);
    expect((await call("POST", "/api/models/availability", { model: "openai/x-error-429" })).body.available).toBe(true);
  });

  test("a combo lists its targets in order; unresolvable members are reported", async () => {
    await addConnection(gw, { provider: "groq", baseUrl: fake.baseUrl });
    await call("POST", "/api/combos", { name: "mix", targets: ["mistral/mistral-small-latest", "groq/llama-3.3-70b-versatile"] });
    const body = (await call("POST", "/api/models/availability", { model: "mix" })).body;
    expect(body).toMatchObject({ model: "mix", combo: true, available: true });
    expect(body.targets.map((t: any) => [t.model, t.available, t.connections.length])).toEqual([
      ["mistral/mistral-small-latest", false, 0],
      ["groq/llama-3.3-70b-versatile", true, 1],
    ]);
  });

  test("GET lists combos and every callable model; errors for unknown models and bad bodies", async () => {
    await addConnection(gw, { provider: "groq", baseUrl: fake.baseUrl });
    await call("POST", "/api/combos", { name: "c1", targets: ["groq/llama-3.3-70b-versatile"] });
    const { body } = await call("GET", "/api/models/availability");
    expect(body.models[0]).toMatchObject({ model: "c1", combo: true, available: true });
    const groq = body.models.find((m: any) => m.model === "groq/llama-3.3-70b-versatile");
    expect(groq).toMatchObject({ available: true, targets: [{ provider: "groq", available: true }] });
    expect(body.models.some((m: any) => m.model.startsWith("openai/"))).toBe(false);
    expect(body.total).toBe(body.models.length);
    expect(await call("POST", "/api/models/availability", { model: "nobody/x" })).toEqual({ status: 404, body: { error: 'Model "nobody/x" is not routable' } });
    expect((await call("POST", "/api/models/availability", {})).body.error.details).toEqual([{ field: "model", message: "Model is required" }]);
  });
});
