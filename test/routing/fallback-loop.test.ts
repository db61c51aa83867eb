// The fallback loop against scripted upstreams (no network): order, recorded reasons,
// account rotation, cooldown expiry, breaker skips, retries with jitter, the final error.
import { describe, expect, test } from "bun:test";
import { GatewayError } from "../../src/errors.ts";
import type { Attempt } from "../../src/gateway/request-record.ts";
import type { ProviderRuntime } from "../../src/providers/types.ts";
import { ManualClock, seededRandom } from "../../src/routing/clock.ts";
import { runWithFallback, type FallbackResult, type RouteTarget } from "../../src/routing/fallback-loop.ts";
import { defaultResilienceConfig, ResilienceProfileSchema } from "../../src/routing/resilience-config.ts";
import { RoutingState } from "../../src/routing/routing-state.ts";
import { UpstreamFailure } from "../../src/routing/upstream-failure.ts";
import type { ConfigStore, ConnectionRuntime } from "../../src/store/config-store.ts";

const provider = (id: string, auth: ProviderRuntime["auth"] = "bearer"): ProviderRuntime =>
  ({ id, name: id, aliases: [], format: "openai", baseUrl: `http://${id}`, auth, models: [], kind: "registry" }) as ProviderRuntime;
const conn = (id: string, providerId: string, priority = 1): ConnectionRuntime => ({
  id,
  provider: providerId,
  name: id,
  priority,
  isActive: true,
  apiKey: "k",
  baseUrl: null,
  testStatus: "unknown",
});

/** An upstream's scripted answer for one call. */
type Outcome = "ok" | number | "refused" | "timeout";

function harness(connections: Record<string, ConnectionRuntime[]>) {
  const config = defaultResilienceConfig();
  config.profiles.default = ResilienceProfileSchema.parse({ failureThreshold: 3, windowMs: 60_000, openMs: 10_000 });
  const clock = new ManualClock(1_000_000);
  const state = new RoutingState(() => config, clock, seededRandom(3));
  const store = { activeConnections: (id: string) => connections[id] ?? [] } as unknown as ConfigStore;
  /** What each connection answers, call after call (the last entry repeats). */
  const script = new Map<string, Outcome[]>();
  const calls: string[] = [];
  const sleeps: number[] = [];

  async function run(targets: RouteTarget[], attempts: Attempt[] = []): Promise<{ result: FallbackResult; attempts: Attempt[] }> {
    const result = await runWithFallback({
      requested: "combo",
      targets,
      state,
      store,
      attempts,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      async send(target, c) {
        calls.push(`${target.provider.id}/${target.model}@${c.id || "keyless"}`);
        const queue = script.get(c.id) ?? ["ok"];
        const outcome = queue.length > 1 ? queue.shift()! : queue[0]!;
        const attempt: Attempt = { provider: target.provider.id, model: target.model, connectionId: c.id || null, status: 0, latencyMs: 12 };
        attempts.push(attempt);
        if (outcome === "ok") {
          attempt.status = 200;
          return new Response("ok");
        }
        if (outcome === "refused") throw new GatewayError(502, "upstream_unreachable", "Upstream is unreachable: ECONNREFUSED");
        if (outcome === "timeout") throw new GatewayError(504, "upstream_timeout", "did not answer");
        attempt.status = outcome;
        const message = outcome === 400 ? "Invalid 'temperature'" : outcome === 401 ? "Incorrect API key" : `HTTP ${outcome}`;
        const e = new GatewayError(outcome, "upstream_error", message, outcome === 429 ? { retryAfter: "7" } : {});
        throw new UpstreamFailure(e, () => new Response(`native ${outcome}`, { status: outcome }));
      },
    });
    return { result, attempts };
  }
  return { config, clock, state, script, calls, sleeps, run };
}

const openai = provider("openai");
const groq = provider("groq");
const anthropic = provider("anthropic");
const t = (p: ProviderRuntime, model = "m"): RouteTarget => ({ provider: p, model });

describe("fallback order", () => {
  test("moves through the targets in order and records why each failed", async () => {
    const h = harness({ openai: [conn("o1", "openai")], groq: [conn("g1", "groq")], anthropic: [conn("a1", "anthropic")] });
    h.script.set("o1", [500]);
    h.script.set("g1", ["refused"]);
    const { result, attempts } = await h.run([t(openai), t(groq), t(anthropic)]);
    expect(result.kind).toBe("answered");
    expect(h.calls).toEqual(["openai/m@o1", "groq/m@g1", "anthropic/m@a1"]);
    expect(attempts.map((a) => [a.provider, a.status, a.reason])).toEqual([
      ["openai", 500, "server_error"],
      ["groq", 0, "unreachable"],
      ["anthropic", 200, undefined],
    ]);
  });

  test("a client error stops at once with the upstream's own answer", async () => {
    const h = harness({ openai: [conn("o1", "openai")], groq: [conn("g1", "groq")] });
    h.script.set("o1", [400]);
    const { result } = await h.run([t(openai), t(groq)]);
    expect(result.kind).toBe("failed");
    if (result.kind !== "failed") return;
    expect(await result.response!.text()).toBe("native 400");
    expect(h.calls).toEqual(["openai/m@o1"]);
  });

  test("a refusal before any upstream call (nothing recorded) does not advance", async () => {
    const h = harness({ openai: [conn("o1", "openai")], groq: [conn("g1", "groq")] });
    const result = await runWithFallback({
      requested: "x",
      targets: [t(openai), t(groq)],
      state: h.state,
      store: { activeConnections: () => [conn("o1", "openai")] } as unknown as ConfigStore,
      attempts: [],
      send: async () => {
        throw new GatewayError(400, "invalid_request", "cannot express this");
      },
    });
    expect(result).toMatchObject({ kind: "failed", error: { status: 400, message: "cannot express this" } });
  });

  test("all failing: one message naming each target and reason, with the last call's status", async () => {
    const h = harness({ openai: [conn("o1", "openai")], groq: [conn("g1", "groq")] });
    h.script.set("o1", ["refused"]);
    h.script.set("g1", [503]);
    const { result } = await h.run([t(openai, "gpt"), t(groq, "llama")]);
    expect(result.kind).toBe("failed");
    if (result.kind !== "failed") return;
    expect(result.response).toBeUndefined();
    expect(result.error.status).toBe(503);
    expect(result.error.message).toContain('All targets failed for "combo" (2 called, 0 skipped)');
    expect(result.error.message).toContain("openai/gpt [o1]: unreachable (502) — Upstream is unreachable: ECONNREFUSED");
    expect(result.error.message).toContain("groq/llama [g1]: server error (503) — HTTP 503");
  });

  test("a lone failure keeps its own answer (status and native body)", async () => {
    const h = harness({ openai: [conn("o1", "openai")] });
    h.script.set("o1", [500]);
    const { result } = await h.run([t(openai)]);
    if (result.kind !== "failed") throw new Error("expected a failure");
    expect(result.error.status).toBe(500);
    expect(await result.response!.text()).toBe("native 500");
  });

  test("a provider without connections is skipped as no_credentials; keyless providers need none", async () => {
    const ollama = provider("ollama", "none");
    const h = harness({});
    const { result, attempts } = await h.run([t(groq), t(ollama)]);
    expect(result.kind).toBe("answered");
    expect(attempts[0]).toMatchObject({ provider: "groq", skipped: true, reason: "no_credentials" });
    expect(h.calls).toEqual(["ollama/m@keyless"]);
  });
});

describe("accounts: rotation, cooldown, auth", () => {
  test("a 429 moves to the provider's next connection and cools the first for that model until retry-after", async () => {
    const h = harness({ openai: [conn("o1", "openai", 1), conn("o2", "openai", 2)] });
    h.script.set("o1", [429, "ok"]);
    expect((await h.run([t(openai)])).result.kind).toBe("answered");
    expect(h.calls).toEqual(["openai/m@o1", "openai/m@o2"]);

    // While cooling, o1 is skipped (recorded) without a call.
    const second = await h.run([t(openai)]);
    expect(h.calls.slice(2)).toEqual(["openai/m@o2"]);
    expect(second.attempts[0]).toMatchObject({ connectionId: "o1", skipped: true, reason: "cooling" });
    // Another model on the same connection is not affected.
    await h.run([t(openai, "other")]);
    expect(h.calls.at(-1)).toBe("openai/other@o1");

    h.clock.advance(7_000);
    await h.run([t(openai)]);
    expect(h.calls.at(-1)).toBe("openai/m@o1");
  });

  test("every connection cooling: 429 with the shortest retry-after, no call made", async () => {
    const h = harness({ openai: [conn("o1", "openai")] });
    h.script.set("o1", [429]);
    await h.run([t(openai)]);
    h.clock.advance(2_000);
    const { result } = await h.run([t(openai)]);
    expect(h.calls).toHaveLength(1);
    if (result.kind !== "failed") throw new Error("expected a failure");
    expect(result.error).toMatchObject({ status: 429, code: "rate_limited" });
    expect(result.error.details.retryAfter).toBe("5");
  });

  test("round-robin rotation spreads requests over connections", async () => {
    const h = harness({ openai: [conn("o1", "openai", 1), conn("o2", "openai", 2), conn("o3", "openai", 3)] });
    h.config.rotation.providers.openai = "round-robin";
    for (let i = 0; i < 6; i++) await h.run([t(openai)]);
    expect(h.calls.map((c) => c.split("@")[1])).toEqual(["o1", "o2", "o3", "o1", "o2", "o3"]);
  });

  test("an upstream failure skips the provider's other accounts on the same host, not those with their own base URL", async () => {
    const h = harness({
      openai: [conn("o1", "openai", 1), conn("o2", "openai", 2), { ...conn("o3", "openai", 3), baseUrl: "http://eu.proxy/v1" }],
      groq: [conn("g1", "groq")],
    });
    h.script.set("o1", [500]);
    h.script.set("o3", ["refused"]);
    await h.run([t(openai), t(groq)]);
    expect(h.calls).toEqual(["openai/m@o1", "openai/m@o3", "groq/m@g1"]);
  });

  test("fill-first sticks to the best priority", async () => {
    const h = harness({ openai: [conn("o1", "openai", 1), conn("o2", "openai", 2)] });
    for (let i = 0; i < 3; i++) await h.run([t(openai)]);
    expect(h.calls.map((c) => c.split("@")[1])).toEqual(["o1", "o1", "o1"]);
  });

  test("401 marks the connection unhealthy until a later successful test", async () => {
    const o1 = conn("o1", "openai", 1);
    const h = harness({ openai: [o1, conn("o2", "openai", 2)] });
    h.script.set("o1", [401, "ok"]);
    await h.run([t(openai)]);
    h.clock.advance(3_600_000);
    const { attempts } = await h.run([t(openai)]);
    expect(attempts[0]).toMatchObject({ connectionId: "o1", skipped: true, reason: "unhealthy" });
    o1.testStatus = "active";
    o1.lastTestedAt = h.clock.now();
    await h.run([t(openai)]);
    expect(h.calls.at(-1)).toBe("openai/m@o1");
  });
});

describe("circuit breaker in the loop", () => {
  test("N failures open the connection and provider breakers; the target is skipped, then probed once", async () => {
    const h = harness({ openai: [conn("o1", "openai")], groq: [conn("g1", "groq")] });
    h.script.set("o1", ["refused"]);
    for (let i = 0; i < 3; i++) await h.run([t(openai), t(groq)]);
    expect(h.calls.filter((c) => c.startsWith("openai"))).toHaveLength(3);
    expect(h.state.providerBreakerView("openai").state).toBe("open");

    const skipped = await h.run([t(openai), t(groq)]);
    expect(skipped.attempts[0]).toMatchObject({ provider: "openai", skipped: true, reason: "circuit_open" });
    expect(h.calls.filter((c) => c.startsWith("openai"))).toHaveLength(3);

    // After openMs: one probe; it succeeds and closes both breakers.
    h.clock.advance(10_000);
    h.script.set("o1", ["ok"]);
    await h.run([t(openai), t(groq)]);
    expect(h.calls.at(-1)).toBe("openai/m@o1");
    expect(h.state.providerBreakerView("openai").state).toBe("closed");
    expect(h.state.breakerCounts()).toMatchObject({ open: 0 });
  });

  test("while the probe is in flight, concurrent requests skip the half-open target", async () => {
    const h = harness({ openai: [conn("o1", "openai")], groq: [conn("g1", "groq")] });
    h.script.set("o1", ["refused"]);
    for (let i = 0; i < 3; i++) await h.run([t(openai), t(groq)]);
    h.clock.advance(10_000);
    const lease = h.state.acquire("openai", "o1", "m");
    expect(lease).not.toBeNull();
    const { attempts } = await h.run([t(openai), t(groq)]);
    expect(attempts[0]).toMatchObject({ provider: "openai", skipped: true, reason: "circuit_open" });
  });
});

describe("retries and limits", () => {
  test("idempotent failures are retried on the same connection with jittered backoff, then fall back", async () => {
    const h = harness({ openai: [conn("o1", "openai")], groq: [conn("g1", "groq")] });
    h.config.profiles.default = { ...h.config.profiles.default!, retries: 2, retryBaseMs: 100, retryMaxMs: 1_000, failureThreshold: 10 };
    h.script.set("o1", ["refused"]);
    await h.run([t(openai), t(groq)]);
    expect(h.calls).toEqual(["openai/m@o1", "openai/m@o1", "openai/m@o1", "groq/m@g1"]);
    expect(h.sleeps).toHaveLength(2);
    expect(h.sleeps[0]).toBeGreaterThanOrEqual(50);
    expect(h.sleeps[0]).toBeLessThanOrEqual(100);
    expect(h.sleeps[1]).toBeGreaterThanOrEqual(100);
    expect(h.sleeps[1]).toBeLessThanOrEqual(200);
  });

  test("a timeout is not retried on the same connection (the upstream may have done the work)", async () => {
    const h = harness({ openai: [conn("o1", "openai")], groq: [conn("g1", "groq")] });
    h.config.profiles.default = { ...h.config.profiles.default!, retries: 2 };
    h.script.set("o1", ["timeout"]);
    await h.run([t(openai), t(groq)]);
    expect(h.calls).toEqual(["openai/m@o1", "groq/m@g1"]);
  });

  test("maxAttempts bounds the upstream calls and says so", async () => {
    const h = harness({ openai: [conn("o1", "openai")], groq: [conn("g1", "groq")], anthropic: [conn("a1", "anthropic")] });
    h.config.fallback.maxAttempts = 2;
    for (const id of ["o1", "g1", "a1"]) h.script.set(id, [500]);
    const { result } = await h.run([t(openai), t(groq), t(anthropic)]);
    expect(h.calls).toHaveLength(2);
    if (result.kind !== "failed") throw new Error("expected a failure");
    expect(result.error.message).toContain("Stopped after 2 upstream calls");
  });

  test("latency telemetry: successes are averaged, failures sink a target", async () => {
    const h = harness({ openai: [conn("o1", "openai")], groq: [conn("g1", "groq")] });
    await h.run([t(openai)]);
    expect(h.state.latency.get("openai", "m")).toBe(12);
    h.script.set("g1", [500]);
    await h.run([t(groq), t(openai)]);
    expect(h.state.latency.get("groq", "m")).toBeGreaterThan(1_000);
  });
});
