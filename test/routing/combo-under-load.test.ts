// Combos under load: hundreds of parallel requests over a combo whose first member refuses
// connections (every request answered, none lost, every one in usage), and a three-provider
// combo that keeps answering while its members are killed and revived one at a time.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startFakeOpenAi, type FakeOpenAi } from "../support/fake-openai.ts";
import { closedPort, startFlakyUpstream } from "../support/flaky-upstream.ts";
import { startGateway, type TestGateway } from "../support/gateway.ts";
import { addConnection, chat, requestLogRows, usageRows } from "../support/setup.ts";

let fake: FakeOpenAi;
let gw: TestGateway;

beforeAll(async () => {
  fake = startFakeOpenAi();
  gw = await startGateway();
});
afterAll(async () => {
  await gw.close();
  fake.close();
});

test("300 parallel requests, first member refusing connections: all answered and recorded", async () => {
  await addConnection(gw, { provider: "cerebras", baseUrl: `http://127.0.0.1:${closedPort()}/v1` });
  await addConnection(gw, { provider: "groq", baseUrl: fake.baseUrl });
  const created = await gw.request("/api/combos", { method: "POST", json: { name: "load", targets: ["cerebras/llama-3.3-70b", "groq/llama-3.3-70b-versatile"] } });
  expect(created.status).toBe(201);

  const N = 300;
  const responses = await Promise.all(
    Array.from({ length: N }, (_, i) =>
      gw.request("/v1/chat/completions", { method: "POST", json: chat("load", i % 3 === 0 ? { stream: true } : {}) }).then(async (res) => ({
        status: res.status,
        provider: res.headers.get("x-omniroute-provider"),
        id: res.headers.get("x-request-id"),
        body: await res.text(),
      })),
    ),
  );
  expect(responses.filter((r) => r.status === 200)).toHaveLength(N);
  expect(new Set(responses.map((r) => r.provider))).toEqual(new Set(["groq"]));
  // Complete answers: the reply for plain requests, a stream that ends with [DONE] for streamed ones.
  expect(responses.every((r, i) => (i % 3 === 0 ? r.body.trimEnd().endsWith("data: [DONE]") : r.body.includes("Hello from fake: ping")))).toBe(true);

  const ids = new Set(responses.map((r) => r.id));
  const rows = usageRows(gw).filter((r) => ids.has(r.request_id));
  expect(rows).toHaveLength(N);
  expect(rows.every((r) => r.status === 200 && r.provider === "groq")).toBe(true);
  // The refused member was tried until its breaker opened, then skipped without a call.
  const attempts = requestLogRows(gw)
    .filter((r) => ids.has(r.request_id))
    .flatMap((r) => JSON.parse(r.attempts))
    .filter((a: any) => a.provider === "cerebras");
  expect(attempts.length).toBe(N);
  const refused = attempts.filter((a: any) => a.reason === "unreachable").length;
  const skipped = attempts.filter((a: any) => a.skipped && a.reason === "circuit_open").length;
  expect(refused).toBeGreaterThanOrEqual(5);
  expect(refused + skipped).toBe(N);

  // Once the breaker is open the dead member costs no call at all.
  const after = await gw.request("/v1/chat/completions", { method: "POST", json: chat("load") });
  expect(after.status).toBe(200);
  const log = requestLogRows(gw).find((r) => r.request_id === after.headers.get("x-request-id"));
  expect(JSON.parse(log.attempts)[0]).toMatchObject({ provider: "cerebras", skipped: true, reason: "circuit_open" });
});

test("a three-provider combo keeps answering while members are killed and revived one at a time", async () => {
  const members = [startFlakyUpstream(fake), startFlakyUpstream(fake), startFlakyUpstream(fake)];
  const providers = ["mistral", "together", "nebius"];
  try {
    for (let i = 0; i < 3; i++) await addConnection(gw, { provider: providers[i]!, baseUrl: members[i]!.baseUrl });
    // Short cool-offs so revived members are probed within the test.
    await gw.request("/api/resilience", { method: "PUT", json: { profiles: { default: { failureThreshold: 2, openMs: 150 } } } });
    await gw.request("/api/combos", {
      method: "POST",
      json: { name: "trio", strategy: "round-robin", targets: ["mistral/mistral-small-latest", "together/x", "nebius/y"] },
    });

    const statuses: number[] = [];
    let running = true;
    const load = (async () => {
      while (running) {
        const batch = await Promise.all(Array.from({ length: 10 }, () => gw.request("/v1/chat/completions", { method: "POST", json: chat("trio") })));
        for (const r of batch) {
          statuses.push(r.status);
          await r.text();
        }
      }
    })();
    for (const m of members) {
      m.kill();
      await Bun.sleep(200);
      m.revive();
      await Bun.sleep(200);
    }
    running = false;
    await load;
    expect(statuses.length).toBeGreaterThan(30);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    // Every member served again after its revival.
    const served = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const res = await gw.request("/v1/chat/completions", { method: "POST", json: chat("trio") });
      served.add(res.headers.get("x-omniroute-provider")!);
    }
    await Bun.sleep(200);
    for (let i = 0; i < 6; i++) {
      const res = await gw.request("/v1/chat/completions", { method: "POST", json: chat("trio") });
      served.add(res.headers.get("x-omniroute-provider")!);
    }
    expect(served).toEqual(new Set(providers));
  } finally {
    for (const m of members) m.close();
  }
});
