// Idempotency through a listening gateway: concurrent duplicates share one upstream call (the
// fake counts them), a duplicate after the first finished gets the same answer, streams are
// shared, the window closes, keys are per API key, and errors are not remembered.
import { afterAll, beforeAll, beforeEach, expect, test } from "bun:test";
import OpenAI from "openai";
import { startGateway, type TestGateway } from "../support/gateway.ts";
import { addConnection, createKey, putSettings } from "../support/setup.ts";

/** An OpenAI-compatible upstream that takes its time and counts what it is asked. */
function slowUpstream(delayMs: number) {
  let calls = 0;
  let errors = 0;
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const body = (await req.json()) as any;
      calls++;
      const n = calls;
      if (body.model === "fail") {
        errors++;
        return Response.json({ error: { message: "bad", type: "invalid_request_error" } }, { status: 400 });
      }
      await Bun.sleep(delayMs);
      const content = `answer #${n}`;
      if (!body.stream) {
        return Response.json({
          id: `chatcmpl-${n}`,
          object: "chat.completion",
          created: 1,
          model: body.model,
          choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
          usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
        });
      }
      const enc = new TextEncoder();
      const chunk = (delta: object, finish: string | null = null) =>
        enc.encode(`data: ${JSON.stringify({ id: `chatcmpl-${n}`, object: "chat.completion.chunk", created: 1, model: body.model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`);
      return new Response(
        new ReadableStream({
          async start(c) {
            c.enqueue(chunk({ role: "assistant", content: "answer " }));
            await Bun.sleep(delayMs);
            c.enqueue(chunk({ content: `#${n}` }));
            c.enqueue(chunk({}, "stop"));
            c.enqueue(enc.encode("data: [DONE]\n\n"));
            c.close();
          },
        }),
        { headers: { "content-type": "text/event-stream" } },
      );
    },
  });
  return {
    baseUrl: `http://127.0.0.1:${server.port}/v1`,
    get calls() {
      return calls;
    },
    get errors() {
      return errors;
    },
    close: () => server.stop(true),
  };
}

let gw: TestGateway;
let up: ReturnType<typeof slowUpstream>;
let base: string;
let key: string;

const chat = (content: string, headers: Record<string, string>, extra: Record<string, unknown> = {}, apiKey = key) =>
  fetch(`${base}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json", ...headers },
    body: JSON.stringify({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content }], ...extra }),
  });

beforeAll(async () => {
  up = slowUpstream(150);
  gw = await startGateway();
  await addConnection(gw, { provider: "openai", baseUrl: up.baseUrl });
  key = (await createKey(gw, "idem")).key;
  await putSettings(gw, { requireApiKey: true });
  base = await gw.listen();
});
afterAll(async () => {
  await gw.close();
  up.close();
});
beforeEach(() => putSettings(gw, { idempotencyWindowMs: 5000 }));

test("concurrent duplicates: exactly one upstream call, every client gets the first answer", async () => {
  const before = up.calls;
  const h = { "idempotency-key": "concurrent-1" };
  const responses = await Promise.all([chat("dup", h), chat("dup", h), chat("dup", h)]);
  expect(up.calls - before).toBe(1);
  const bodies = await Promise.all(responses.map((r) => r.json() as Promise<any>));
  expect(new Set(bodies.map((b) => b.choices[0].message.content)).size).toBe(1);
  expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
  expect(responses.filter((r) => r.headers.get("x-omniroute-idempotent") === "true").length).toBe(2);
  expect(responses.map((r) => r.headers.get("x-request-id"))).toEqual(Array(3).fill(responses[0]!.headers.get("x-request-id")));

  const stats = (await (await gw.request("/api/cache")).json()) as any;
  expect(stats.idempotency).toEqual({ activeKeys: 1, windowMs: 5000 });
});

test("a duplicate after the first finished, within the window, gets the same answer; X-Request-Id works too", async () => {
  const before = up.calls;
  const first = await (await chat("later", { "x-request-id": "req-abc" })).json();
  const again = await chat("later", { "x-request-id": "req-abc" });
  expect(again.headers.get("x-omniroute-idempotent")).toBe("true");
  expect(await again.json()).toEqual(first);
  expect(up.calls - before).toBe(1);
});

test("streamed duplicates share one upstream stream (the official SDK reads both)", async () => {
  const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: key, maxRetries: 0 });
  const before = up.calls;
  const read = async () => {
    const stream = await client.chat.completions.create(
      { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "stream dup" }], stream: true },
      { headers: { "Idempotency-Key": "stream-1" } },
    );
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
    return text;
  };
  const first = read();
  await Bun.sleep(50); // the second joins while the first is mid-stream
  const texts = await Promise.all([first, read()]);
  expect(texts[0]).toMatch(/^answer #\d+$/);
  expect(texts[1]).toBe(texts[0]);
  expect(up.calls - before).toBe(1);
});

test("the window closes: the same key later is a new request", async () => {
  await putSettings(gw, { idempotencyWindowMs: 200 });
  const before = up.calls;
  await (await chat("window", { "idempotency-key": "w-1" })).text();
  await Bun.sleep(250);
  const res = await chat("window", { "idempotency-key": "w-1" });
  expect(res.headers.get("x-omniroute-idempotent")).toBeNull();
  await res.text();
  expect(up.calls - before).toBe(2);
});

test("keys are per API key: another tenant's identical key is not shared", async () => {
  const other = (await createKey(gw, "other")).key;
  const before = up.calls;
  const [a, b] = await Promise.all([chat("tenant", { "idempotency-key": "same" }), chat("tenant", { "idempotency-key": "same" }, {}, other)]);
  expect(a.headers.get("x-omniroute-idempotent")).toBeNull();
  expect(b.headers.get("x-omniroute-idempotent")).toBeNull();
  await Promise.all([a.text(), b.text()]);
  expect(up.calls - before).toBe(2);
});

test("an error answer is shared with waiting duplicates but not remembered for a retry", async () => {
  const before = up.errors;
  const h = { "idempotency-key": "err-1" };
  const [a, b] = await Promise.all([chat("x", h, { model: "openai/fail" }), chat("x", h, { model: "openai/fail" })]);
  expect([a.status, b.status]).toEqual([400, 400]);
  const retry = await chat("x", h, { model: "openai/fail" });
  expect(retry.headers.get("x-omniroute-idempotent")).toBeNull();
  await Promise.all([a.text(), b.text(), retry.text()]);
  expect(up.errors - before).toBe(2);
});

test("without a key nothing is deduplicated", async () => {
  const before = up.calls;
  await Promise.all([chat("plain", {}).then((r) => r.text()), chat("plain", {}).then((r) => r.text())]);
  expect(up.calls - before).toBe(2);
});

test("a first request whose client leaves mid-stream, with no duplicate reading, still aborts the upstream", async () => {
  const { startFakeOpenAi } = await import("../support/fake-openai.ts");
  const fake = startFakeOpenAi({ slowMs: 2000 });
  const g = await startGateway();
  try {
    await addConnection(g, { provider: "openai", baseUrl: fake.baseUrl });
    const url = `${await g.listen()}/v1/chat/completions`;
    const controller = new AbortController();
    const res = await fetch(url, {
      method: "POST",
      signal: controller.signal,
      headers: { "content-type": "application/json", "idempotency-key": "leaving" },
      body: JSON.stringify({ model: "openai/gpt-4o-mini-slow-stream", stream: true, messages: [{ role: "user", content: "bye" }] }),
    });
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort();
    for (let i = 0; i < 50 && fake.aborted === 0; i++) await Bun.sleep(20);
    expect(fake.aborted).toBe(1);
  } finally {
    await g.close();
    fake.close();
  }
});
