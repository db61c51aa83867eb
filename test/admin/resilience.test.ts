// /api/resilience (profiles, assignments, cooldown, rotation, fallback rules), its reset, and
// /api/rate-limits + /api/monitoring/health showing the live routing state.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/routing/clock.ts";
import { defaultResilienceConfig } from "../../src/routing/resilience-config.ts";
import { startFakeOpenAi, type FakeOpenAi } from "../support/fake-openai.ts";
import { startGateway, type TestGateway } from "../support/gateway.ts";
import { addConnection, chat } from "../support/setup.ts";

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

describe("/api/resilience", () => {
  test("GET returns the defaults", async () => {
    const { status, body } = await call("GET", "/api/resilience");
    expect(status).toBe(200);
    expect(body).toEqual(defaultResilienceConfig());
    expect(body.profiles.default).toEqual({
      failureThreshold: 5,
      windowMs: 60_000,
      openMs: 30_000,
      requestTimeoutMs: null,
      ttfbTimeoutMs: null,
      retries: 0,
      retryBaseMs: 250,
      retryMaxMs: 5_000,
    });
    expect(body.rotation).toEqual({ default: "fill-first", providers: {} });
    expect(body.fallback.statuses).toEqual([401, 402, 403, 408, 429]);
  });

  test("PUT merges: partial profiles keep their other fields, maps merge key by key, null removes", async () => {
    let res = await call("PUT", "/api/resilience", {
      profiles: { default: { failureThreshold: 3 }, aggressive: { retries: 2, openMs: 5_000 } },
      assignments: { groq: "aggressive", ds: "aggressive" },
      rotation: { providers: { openai: "round-robin" } },
      cooldown: { maxMs: 60_000 },
    });
    expect(res.status).toBe(200);
    expect(res.body.profiles.default).toMatchObject({ failureThreshold: 3, windowMs: 60_000, openMs: 30_000 });
    expect(res.body.profiles.aggressive).toMatchObject({ retries: 2, openMs: 5_000, failureThreshold: 5 });
    // Aliases are stored under the provider id.
    expect(res.body.assignments).toEqual({ groq: "aggressive", deepseek: "aggressive" });
    expect(res.body.rotation).toEqual({ default: "fill-first", providers: { openai: "round-robin" } });
    expect(res.body.cooldown).toEqual({ baseMs: 2_000, maxMs: 60_000 });
    expect(gw.services.routing.profile("groq").retries).toBe(2);
    expect(gw.services.routing.profile("openai").failureThreshold).toBe(3);

    res = await call("PUT", "/api/resilience", { profiles: { default: { windowMs: 10_000 } }, assignments: { deepseek: null }, fallback: { maxAttempts: 4 } });
    expect(res.body.profiles.default).toMatchObject({ failureThreshold: 3, windowMs: 10_000 });
    expect(res.body.assignments).toEqual({ groq: "aggressive" });
    expect(res.body.fallback).toMatchObject({ maxAttempts: 4, statuses: [401, 402, 403, 408, 429] });
    // Persisted: a reload from SQLite gives the same.
    gw.services.store.reload();
    expect((await call("GET", "/api/resilience")).body).toEqual(res.body);
  });

  test("validation: unknown provider, unknown or removed profile, bad values, default not removable", async () => {
    const cases: [unknown, string][] = [
      [{ assignments: { nope: "default" } }, "assignments.nope"],
      [{ assignments: { openai: "missing" } }, "assignments.openai"],
      [{ profiles: { default: null } }, "profiles.default"],
      [{ profiles: { "bad name": {} } }, "profiles.bad name"],
      [{ profiles: { default: { failureThreshold: 0 } } }, "profiles.default.failureThreshold"],
      [{ fallback: { messagePatterns: ["("] } }, "fallback.messagePatterns.0"],
      [{ cooldown: { baseMs: 600_000, maxMs: 1_000 } }, "cooldown.baseMs"],
      [{ rotation: { default: "sticky" } }, "rotation.default"],
      [{ unknown: 1 }, ""],
    ];
    for (const [json, field] of cases) {
      const res = await call("PUT", "/api/resilience", json);
      expect(res.status).toBe(400);
      expect(res.body.error.details.map((d: any) => d.field)).toContain(field);
    }
    await call("PUT", "/api/resilience", { profiles: { slow: {} }, assignments: { openai: "slow" } });
    // A profile in use cannot be removed out from under its assignment.
    expect((await call("PUT", "/api/resilience", { profiles: { slow: null } })).status).toBe(400);
    expect((await call("PUT", "/api/resilience", { profiles: { slow: null }, assignments: { openai: null } })).status).toBe(200);
  });
});

describe("live state: /api/rate-limits, health, reset", () => {
  let fake: FakeOpenAi;
  beforeEach(() => {
    fake = startFakeOpenAi();
  });
  afterEach(() => fake.close());

  test("breakers, cooldowns and auth failures show up, and reset clears them", async () => {
    const clock = new ManualClock();
    gw.services.routing.clock = clock;
    const good = await addConnection(gw, { provider: "openai", name: "good", baseUrl: fake.baseUrl });
    const bad = await addConnection(gw, { provider: "groq", name: "bad", apiKey: "sk-wrong", baseUrl: fake.baseUrl });
    const send = (model: string) => gw.request("/v1/chat/completions", { method: "POST", json: chat(model) });
    expect((await send("openai/m-error-429")).status).toBe(429);
    for (let i = 0; i < 5; i++) await send("openai/m-error-500");
    expect((await send("groq/llama-3.3-70b-versatile")).status).toBe(401);

    const state = (await call("GET", "/api/rate-limits")).body;
    const goodView = state.connections.find((c: any) => c.id === good.id);
    expect(goodView).toMatchObject({ provider: "openai", name: "good", status: "circuit_open", breaker: { state: "open", trips: 1 } });
    expect(goodView.breaker.lastError).toContain("The server had an error");
    expect(goodView.breaker.retryAt).toBe(new Date(clock.now() + 30_000).toISOString());
    expect(goodView.cooldowns).toEqual([{ model: "m-error-429", reason: "rate_limited", until: new Date(clock.now() + 7_000).toISOString(), level: 1 }]);
    const badView = state.connections.find((c: any) => c.id === bad.id);
    expect(badView).toMatchObject({ status: "unhealthy", unhealthy: { reason: expect.stringContaining("Incorrect API key") } });
    expect(state.providers.find((p: any) => p.provider === "openai").breaker.state).toBe("open");
    expect(state.client).toMatchObject({ config: { requestsPerMinute: 0 }, openStreams: 0 });

    const health = (await call("GET", "/api/monitoring/health")).body;
    expect(health.circuitBreakers.open).toBe(2); // openai's connection and provider
    expect(health.connectionHealth).toEqual({ cooling: 1, unhealthy: 1 });
    expect(health.providerHealth.openai).toMatchObject({ state: "open", failures: 0 });

    const reset = await call("POST", "/api/resilience/reset");
    expect(reset.status).toBe(200);
    expect(reset.body.success).toBe(true);
    expect(reset.body.resetCount).toBeGreaterThan(0);
    const after = (await call("GET", "/api/monitoring/health")).body;
    expect(after.circuitBreakers.open).toBe(0);
    expect(after.connectionHealth).toEqual({ cooling: 0, unhealthy: 0 });

    // OmniRoute's DELETE on the health route resets too.
    for (let i = 0; i < 5; i++) await send("openai/m-error-500");
    expect((await call("GET", "/api/monitoring/health")).body.circuitBreakers.open).toBe(2);
    const deleted = await call("DELETE", "/api/monitoring/health");
    expect(deleted.body).toMatchObject({ success: true });
    expect(deleted.body.resetCount).toBeGreaterThan(0);
    expect((await call("GET", "/api/monitoring/health")).body.circuitBreakers.open).toBe(0);
  });

  test("a successful connection test brings an unhealthy connection back", async () => {
    const conn = await addConnection(gw, { provider: "openai", name: "k", apiKey: "sk-wrong", baseUrl: fake.baseUrl });
    const send = () => gw.request("/v1/chat/completions", { method: "POST", json: chat("openai/gpt-4o-mini") });
    expect((await send()).status).toBe(401);
    const skipped = await send();
    expect(skipped.status).toBe(503);
    expect((await skipped.json()).error.message).toContain("failed authentication");
    await call("PUT", `/api/providers/${conn.id}`, { apiKey: "sk-fake-upstream" });
    // Still out of rotation: only a passing test clears it.
    expect((await send()).status).toBe(503);
    await Bun.sleep(2);
    expect((await call("POST", `/api/providers/${conn.id}/test`)).body.valid).toBe(true);
    expect((await send()).status).toBe(200);
  });

  test("limits announced in upstream headers are shown per connection", async () => {
    const upstream = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: () =>
        Response.json(
          { id: "x", object: "chat.completion", created: 1, model: "m", choices: [{ index: 0, message: { role: "assistant", content: "hi" }, finish_reason: "stop" }] },
          { headers: { "x-ratelimit-limit-requests": "500", "x-ratelimit-remaining-requests": "499", "x-ratelimit-reset-requests": "120ms", "x-ratelimit-remaining-tokens": "1000" } },
        ),
    });
    try {
      const clock = new ManualClock();
      gw.services.routing.clock = clock;
      const conn = await addConnection(gw, { provider: "openai", baseUrl: `http://127.0.0.1:${upstream.port}/v1` });
      expect((await gw.request("/v1/chat/completions", { method: "POST", json: chat("openai/gpt-4o-mini") })).status).toBe(200);
      const view = (await call("GET", "/api/rate-limits")).body.connections.find((c: any) => c.id === conn.id);
      expect(view.limits).toEqual({
        requests: { limit: 500, remaining: 499, resetAt: new Date(clock.now() + 120).toISOString() },
        tokens: { remaining: 1000 },
        seenAt: new Date(clock.now()).toISOString(),
      });
    } finally {
      upstream.stop(true);
    }
  });
});
