// Behaviour that needs a real socket: client disconnects, keep-alives, idle connections.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startFakeOpenAi, type FakeOpenAi } from "../support/fake-openai.ts";
import { startGateway, type TestGateway } from "../support/gateway.ts";
import { addConnection, chat, putSettings, usageRows } from "../support/setup.ts";

let fake: FakeOpenAi;
let gw: TestGateway;
let base: string;

beforeAll(async () => {
  fake = startFakeOpenAi();
  gw = await startGateway();
  await addConnection(gw, { provider: "openai", baseUrl: fake.baseUrl });
  base = await gw.listen();
});
afterAll(async () => {
  await gw.close();
  fake.close();
});

async function until(cond: () => boolean, ms = 3000) {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await Bun.sleep(10);
  return cond();
}

test("a client that disconnects before the upstream answers aborts the upstream request", async () => {
  const before = fake.aborted;
  const controller = new AbortController();
  const pending = fetch(`${base}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(chat("openai/x-hang", { stream: true })),
    signal: controller.signal,
  }).catch((e) => e);
  await until(() => fake.requests.some((r) => r.body?.model === "x-hang"));
  controller.abort();
  await pending;
  expect(await until(() => fake.aborted > before)).toBe(true);
});

test("a client that disconnects mid-stream aborts the upstream stream and the request is logged as 499", async () => {
  fake.slowMs = 5000;
  const before = fake.aborted;
  const controller = new AbortController();
  const res = await fetch(`${base}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(chat("openai/x-slow-stream", { stream: true })),
    signal: controller.signal,
  });
  const requestId = res.headers.get("x-request-id");
  const reader = res.body!.getReader();
  const first = await reader.read();
  expect(new TextDecoder().decode(first.value)).toContain('"role":"assistant"');
  controller.abort();
  expect(await until(() => fake.aborted > before)).toBe(true);
  expect(await until(() => usageRows(gw).some((r) => r.request_id === requestId))).toBe(true);
  const row = usageRows(gw).find((r) => r.request_id === requestId);
  expect(row.status).toBe(499);
  expect(row.error_code).toBe("client_disconnected");
  expect(gw.services.live.size).toBe(0);
});

test("a long upstream silence gets SSE keep-alive comments and the stream still completes", async () => {
  await putSettings(gw, { streamKeepAliveSeconds: 1 });
  fake.slowMs = 2300;
  try {
    const res = await fetch(`${base}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(chat("openai/x-slow-stream", { stream: true })),
    });
    const text = await res.text();
    expect(text).toContain(": keep-alive\n\n");
    expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);
    // Keep-alives only ever sit between events, never inside one.
    for (const event of text.split("\n\n").filter(Boolean)) {
      expect(event === ": keep-alive" || event.startsWith("data: ")).toBe(true);
    }
  } finally {
    await putSettings(gw, { streamKeepAliveSeconds: 15 });
  }
});

test("HEAD /v1/models and unknown paths answer fast with JSON", async () => {
  const head = await fetch(`${base}/v1/models`, { method: "HEAD" });
  expect(head.status).toBe(200);
  const missing = await fetch(`${base}/v1/nothing/here`);
  expect(missing.status).toBe(404);
  expect((await missing.json()).error.code).toBe("not_found");
});
