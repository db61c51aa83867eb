// Combos and fallback through the public surface: fake upstreams that fail on command, the
// order targets are tried in, the reasons recorded for each attempt, cooldowns and breakers
// observed through /api, and no fallback once a stream has started.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { ManualClock, seededRandom } from "../../src/routing/clock.ts";
import { startFakeOpenAi, type FakeOpenAi } from "../support/fake-openai.ts";
import { closedPort, startFlakyUpstream, type FlakyUpstream } from "../support/flaky-upstream.ts";
import { startGateway, type TestGateway } from "../support/gateway.ts";
import { addConnection, chat, requestLogRows, sseData, usageRows } from "../support/setup.ts";

let fake: FakeOpenAi;
let flaky: FlakyUpstream;
let gw: TestGateway;
let clock: ManualClock;

beforeAll(async () => {
  fake = startFakeOpenAi();
  flaky = startFlakyUpstream(fake);
  gw = await startGateway();
  // Three healthy OpenAI-format providers on the fake, one behind the flaky proxy, one refusing connections.
  await addConnection(gw, { provider: "groq", baseUrl: fake.baseUrl });
  await addConnection(gw, { provider: "mistral", baseUrl: fake.baseUrl });
  await addConnection(gw, { provider: "together", baseUrl: fake.baseUrl });
  await addConnection(gw, { provider: "openai", baseUrl: flaky.baseUrl });
  await addConnection(gw, { provider: "cerebras", baseUrl: `http://127.0.0.1:${closedPort()}/v1` });
});
afterAll(async () => {
  await gw.close();
  flaky.close();
  fake.close();
});
beforeEach(() => {
  gw.services.routing.reset();
  clock = new ManualClock();
  gw.services.routing.clock = clock;
  gw.services.routing.random = seededRandom(11);
  flaky.mode = "ok";
  flaky.retryAfter = "7";
});

async function combo(name: string, targets: unknown[], strategy = "priority", config?: unknown) {
  const res = await gw.request("/api/combos", { method: "POST", json: { name, strategy, targets, ...(config ? { config } : {}) } });
  expect(res.status).toBe(201);
}

const complete = (model: string, extra: Record<string, unknown> = {}) => gw.request("/v1/chat/completions", { method: "POST", json: chat(model, extra) });
const logOf = (res: Response) => requestLogRows(gw).find((r) => r.request_id === res.headers.get("x-request-id"));
const attemptsOf = (res: Response) => JSON.parse(logOf(res).attempts) as any[];

describe("fallback through a combo", () => {
  test("refused, then 500, then served: each attempt recorded with its reason", async () => {
    flaky.mode = 500;
    await combo("chain", ["cerebras/llama-3.3-70b", "openai/gpt-4o-mini", "groq/llama-3.3-70b-versatile"]);
    const res = await complete("chain");
    expect(res.status).toBe(200);
    expect(res.headers.get("x-omniroute-provider")).toBe("groq");
    expect((await res.json()).choices[0].message.content).toBe("Hello from fake: ping");
    expect(attemptsOf(res).map((a) => [a.provider, a.status, a.reason ?? null])).toEqual([
      ["cerebras", 502, "unreachable"],
      ["openai", 500, "server_error"],
      ["groq", 200, null],
    ]);
    const row = usageRows(gw).find((r) => r.request_id === res.headers.get("x-request-id"));
    expect(row).toMatchObject({ status: 200, provider: "groq", model: "llama-3.3-70b-versatile", requested_model: "chain" });
  });

  test("a context-length 400 moves on; a plain 400 stops with the upstream's own error", async () => {
    await combo("ctx", ["mistral/m-error-400", "groq/llama-3.3-70b-versatile"]);
    const moved = await complete("ctx");
    expect(moved.status).toBe(200);
    expect(attemptsOf(moved)[0]).toMatchObject({ provider: "mistral", status: 400, reason: "capability" });

    // A 400 about the request itself: another target would refuse it too.
    flaky.mode = 400;
    await combo("bad-param", ["openai/gpt-4o-mini", "groq/llama-3.3-70b-versatile"]);
    const stopped = await complete("bad-param");
    expect(stopped.status).toBe(400);
    expect((await stopped.json()).error.message).toBe("flaky upstream says 400");
    expect(attemptsOf(stopped)).toHaveLength(1);
  });

  test("all targets failing: the error names each target and why, with the last call's status", async () => {
    flaky.mode = 503;
    await combo("doomed", ["cerebras/x", "openai/gpt-4o-mini", "together/m-error-500"]);
    const res = await complete("doomed");
    expect(res.status).toBe(500);
    const body = await res.json();
    expect(body.error.type).toBe("server_error");
    expect(body.error.message).toContain('All targets failed for "doomed" (3 called, 0 skipped)');
    expect(body.error.message).toContain("cerebras/x [cerebras-test]: unreachable (502)");
    expect(body.error.message).toContain("openai/gpt-4o-mini [openai-test]: server error (503) — [openai] flaky upstream says 503");
    expect(body.error.message).toContain("together/m-error-500 [together-test]: server error (500)");
  });

  test("a combo can nest another combo and an alias", async () => {
    await gw.request("/api/models/alias", { method: "PUT", json: { model: "mistral/mistral-small-latest", alias: "small" } });
    await combo("inner", ["cerebras/x", "small"]);
    await combo("outer", ["inner", "groq/llama-3.3-70b-versatile"]);
    const res = await complete("outer");
    expect(res.status).toBe(200);
    expect(res.headers.get("x-omniroute-provider")).toBe("mistral");
    expect(fake.requests.at(-1)!.body.model).toBe("mistral-small-latest");
  });

  test("no fallback after the first streamed byte: the stream ends with an error event", async () => {
    await combo("streamy", ["together/t-broken-stream", "groq/llama-3.3-70b-versatile"]);
    const before = fake.requests.length;
    const res = await complete("streamy", { stream: true });
    expect(res.status).toBe(200);
    const data = await sseData(res);
    expect(JSON.parse(data.at(-1)!).error.code).toBe("upstream_bad_response");
    expect(fake.requests.length - before).toBe(1);
    expect(attemptsOf(res)).toHaveLength(1);
    expect(usageRows(gw).find((r) => r.request_id === res.headers.get("x-request-id")).status).toBe(502);
  });

  test("a failure before the stream starts still falls back (streamed request)", async () => {
    flaky.mode = 529;
    await combo("stream-fb", ["openai/gpt-4o-mini", "groq/llama-3.3-70b-versatile"]);
    const res = await complete("stream-fb", { stream: true });
    expect(res.status).toBe(200);
    const data = await sseData(res);
    expect(data.at(-1)).toBe("[DONE]");
    expect(res.headers.get("x-omniroute-provider")).toBe("groq");
  });

  test("a combo answers to combo/<name>, and to <name>:latest from Ollama clients", async () => {
    await combo("named", ["groq/llama-3.3-70b-versatile"]);
    expect((await complete("combo/named")).status).toBe(200);
    const ollama = await gw.request("/api/chat", { method: "POST", json: { model: "named:latest", stream: false, messages: [{ role: "user", content: "hi" }] } });
    expect(ollama.status).toBe(200);
    expect((await ollama.json()).message.content).toBe("Hello from fake: hi");
  });

  test("combos are listed first in /v1/models, owned by combo", async () => {
    await combo("listed", ["groq/llama-3.3-70b-versatile"]);
    const { data } = await (await gw.request("/v1/models")).json();
    const firstNonCombo = data.findIndex((m: any) => m.owned_by !== "combo");
    const combos = data.slice(0, firstNonCombo);
    expect(combos.map((m: any) => m.id)).toContain("listed");
    expect(combos.find((m: any) => m.id === "listed")).toMatchObject({ object: "model", owned_by: "combo", root: "listed", parent: null, permission: [] });
    expect(data.slice(firstNonCombo).some((m: any) => m.owned_by === "combo")).toBe(false);
  });
});

describe("strategies through the gateway", () => {
  const servedBy = async (model: string, n: number) => {
    const counts: Record<string, number> = {};
    for (let i = 0; i < n; i++) {
      const res = await complete(model);
      expect(res.status).toBe(200);
      const p = res.headers.get("x-omniroute-provider")!;
      counts[p] = (counts[p] ?? 0) + 1;
    }
    return counts;
  };

  test("round-robin alternates members", async () => {
    await combo("rr", ["groq/llama-3.3-70b-versatile", "mistral/mistral-small-latest", "together/x"], "round-robin");
    expect(await servedBy("rr", 9)).toEqual({ groq: 3, mistral: 3, together: 3 });
  });

  test("weighted follows the weights (seeded)", async () => {
    await combo("w", [{ model: "groq/llama-3.3-70b-versatile", weight: 3 }, { model: "mistral/mistral-small-latest", weight: 1 }], "weighted");
    const counts = await servedBy("w", 200);
    expect(counts.groq! + counts.mistral!).toBe(200);
    expect(counts.groq!).toBeGreaterThan(130);
    expect(counts.groq!).toBeLessThan(170);
  });

  test("least-latency prefers the target with the lowest measured latency", async () => {
    await combo("fast", ["groq/llama-3.3-70b-versatile", "mistral/mistral-small-latest"], "least-latency");
    gw.services.routing.latency.record("groq", "llama-3.3-70b-versatile", 900);
    gw.services.routing.latency.record("mistral", "mistral-small-latest", 20);
    const res = await complete("fast");
    expect(res.headers.get("x-omniroute-provider")).toBe("mistral");
  });

  test("cheapest uses the combo's prices, unknown prices last", async () => {
    await combo("cheap", ["groq/llama-3.3-70b-versatile", { model: "mistral/mistral-small-latest", cost: 0.2 }, "together/x"], "cheapest", {
      costs: { "together/x": 0.1 },
    });
    expect((await complete("cheap")).headers.get("x-omniroute-provider")).toBe("together");
  });

  test("cheapest falls back to the pricing table", async () => {
    // groq llama-3.3-70b: 0.59 + 0.79; mistral-small: 0.1 + 0.3 (src/usage/prices.ts).
    await combo("cheap-table", ["groq/llama-3.3-70b-versatile", "mistral/mistral-small-latest"], "cheapest");
    expect((await complete("cheap-table")).headers.get("x-omniroute-provider")).toBe("mistral");
  });
});

describe("accounts, cooldowns and breakers through the gateway", () => {
  test("429 cools the account for its retry-after; the other account serves; expiry brings it back", async () => {
    const gw2 = await startGateway();
    const c2 = new ManualClock();
    gw2.services.routing.clock = c2;
    try {
      flaky.mode = 429;
      await addConnection(gw2, { provider: "openai", name: "limited", baseUrl: flaky.baseUrl, priority: 1 });
      await addConnection(gw2, { provider: "openai", name: "spare", baseUrl: fake.baseUrl, priority: 2 });
      const call = () => gw2.request("/v1/chat/completions", { method: "POST", json: chat("openai/gpt-4o-mini") });
      const first = await call();
      expect(first.status).toBe(200);
      expect(flaky.requests).toBeGreaterThan(0);
      const flakyCalls = flaky.requests;

      const second = await call();
      expect(second.status).toBe(200);
      expect(flaky.requests).toBe(flakyCalls);
      const state = await (await gw2.request("/api/rate-limits")).json();
      const limited = state.connections.find((c: any) => c.name === "limited");
      expect(limited.cooldowns).toEqual([{ model: "gpt-4o-mini", reason: "rate_limited", until: new Date(c2.now() + 7_000).toISOString(), level: 1 }]);
      expect((await (await gw2.request("/api/monitoring/health")).json()).connectionHealth).toEqual({ cooling: 1, unhealthy: 0 });

      c2.advance(7_000);
      flaky.mode = "ok";
      await call();
      expect(flaky.requests).toBe(flakyCalls + 1);
    } finally {
      await gw2.close();
    }
  });

  test("breaker: opens after repeated failures, skips without a call, half-opens after openMs, closes on a good probe", async () => {
    flaky.mode = 500;
    await combo("guarded", ["openai/gpt-4o-mini", "groq/llama-3.3-70b-versatile"]);
    for (let i = 0; i < 5; i++) expect((await complete("guarded")).status).toBe(200);
    const calls = flaky.requests;
    const health = await (await gw.request("/api/monitoring/health")).json();
    expect(health.circuitBreakers.open).toBeGreaterThanOrEqual(1);
    expect(health.providerHealth.openai).toMatchObject({ state: "open" });

    const skipped = await complete("guarded");
    expect(flaky.requests).toBe(calls);
    expect(attemptsOf(skipped)[0]).toMatchObject({ provider: "openai", skipped: true, reason: "circuit_open" });

    clock.advance(30_000);
    flaky.mode = "ok";
    const probe = await complete("guarded");
    expect(probe.headers.get("x-omniroute-provider")).toBe("openai");
    expect(flaky.requests).toBe(calls + 1);
    const after = await (await gw.request("/api/monitoring/health")).json();
    expect(after.providerHealth.openai.state).toBe("closed");
  });

  test("a single target whose breaker is open answers 503 with retry-after, without calling", async () => {
    flaky.mode = 502;
    for (let i = 0; i < 5; i++) await complete("openai/gpt-4o-mini");
    const calls = flaky.requests;
    const res = await complete("openai/gpt-4o-mini");
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("30");
    expect((await res.json()).error.code).toBe("service_unavailable");
    expect(flaky.requests).toBe(calls);
    expect((await (await gw.request("/api/resilience/reset", { method: "POST" })).json()).success).toBe(true);
    flaky.mode = "ok";
    expect((await complete("openai/gpt-4o-mini")).status).toBe(200);
  });

  test("a time-to-first-byte limit from the provider's profile turns a hang into a fallback", async () => {
    flaky.mode = "hang";
    await gw.request("/api/resilience", { method: "PUT", json: { profiles: { impatient: { ttfbTimeoutMs: 300 } }, assignments: { openai: "impatient" } } });
    try {
      await combo("patient", ["openai/gpt-4o-mini", "groq/llama-3.3-70b-versatile"]);
      const started = performance.now();
      const res = await complete("patient");
      expect(res.status).toBe(200);
      expect(performance.now() - started).toBeLessThan(2_000);
      expect(attemptsOf(res)[0]).toMatchObject({ provider: "openai", status: 504, reason: "timeout" });
    } finally {
      await gw.request("/api/resilience", { method: "PUT", json: { assignments: { openai: null } } });
    }
  });
});

describe("a target that cannot express the request", () => {
  test("is skipped as refused and the next member (another wire format) serves it", async () => {
    await addConnection(gw, { provider: "anthropic", apiKey: "sk-ant-unused", baseUrl: `http://127.0.0.1:${closedPort()}/v1` });
    await combo("mixed-formats", ["anthropic/claude-sonnet-4-5", "groq/llama-3.3-70b-versatile"]);
    // n > 1 cannot be translated to Anthropic; an OpenAI-format member takes it as it is.
    const res = await complete("mixed-formats", { n: 2 });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-omniroute-provider")).toBe("groq");
    expect(attemptsOf(res).map((a) => [a.provider, a.reason ?? null, !!a.skipped])).toEqual([
      ["anthropic", "refused", true],
      ["groq", null, false],
    ]);
  });

  test("when every member refuses, the client gets the refusal's own 400", async () => {
    await combo("only-refusing", ["anthropic/claude-sonnet-4-5"]);
    const res = await complete("only-refusing", { n: 2 });
    expect(res.status).toBe(400);
    expect((await res.json()).error.param).toBe("n");
  });
});
