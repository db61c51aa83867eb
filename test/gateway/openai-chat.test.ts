import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startFakeOpenAi, type FakeOpenAi } from "../support/fake-openai.ts";
import { startGateway, type TestGateway } from "../support/gateway.ts";
import { addConnection, chat, requestLogRows, sseData, usageRows } from "../support/setup.ts";
import { VERSION } from "../../src/config.ts";

let fake: FakeOpenAi;
let gw: TestGateway;

beforeAll(async () => {
  fake = startFakeOpenAi();
  gw = await startGateway();
  await addConnection(gw, { provider: "openai", baseUrl: fake.baseUrl });
});
afterAll(async () => {
  await gw.close();
  fake.close();
});

const post = (body: unknown, headers: Record<string, string> = {}) =>
  gw.request("/v1/chat/completions", { method: "POST", json: body, headers });

describe("non-streamed completions", () => {
  test("routes provider/model to the upstream with the prefix removed and returns its body", async () => {
    const res = await post(chat("openai/gpt-4o-mini"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/json");
    const body = await res.json();
    expect(body.object).toBe("chat.completion");
    expect(body.choices[0].message.content).toBe("Hello from fake: ping");
    expect(body.system_fingerprint).toBe("fp_06737a9306");
    const sent = fake.requests.at(-1)!;
    expect(sent.body.model).toBe("gpt-4o-mini");
    expect(sent.headers.authorization).toBe("Bearer sk-fake-upstream");
    expect(sent.headers).toMatchObject({ "content-type": "application/json", accept: "application/json", "user-agent": `OmniRoute/${VERSION}` });
    // OpenAI's default: no `stream` field means not streamed, and we must not add one.
    expect(sent.body.stream).toBeUndefined();
    expect(sent.body.stream_options).toBeUndefined();
  });

  test("reports the upstream's usage unchanged and records it", async () => {
    const res = await post(chat("openai/gpt-4o-mini", { messages: [{ role: "user", content: "count these tokens" }] }));
    const body = await res.json();
    const row = usageRows(gw).find((r) => r.request_id === res.headers.get("x-request-id"));
    expect(row).toBeDefined();
    expect(row.prompt_tokens).toBe(body.usage.prompt_tokens);
    expect(row.completion_tokens).toBe(body.usage.completion_tokens);
    expect(row.total_tokens).toBe(body.usage.total_tokens);
    expect(row.provider).toBe("openai");
    expect(row.model).toBe("gpt-4o-mini");
    expect(row.requested_model).toBe("openai/gpt-4o-mini");
    expect(row.status).toBe(200);
    expect(row.stream).toBe(0);
    expect(row.finish_reason).toBe("stop");
    expect(row.connection_id).toBeTruthy();
  });

  test("a bare model id known to a configured provider is routed to it", async () => {
    const res = await post(chat("gpt-4o-mini"));
    expect(res.status).toBe(200);
    expect(fake.requests.at(-1)!.body.model).toBe("gpt-4o-mini");
  });

  test("tool calls pass through intact", async () => {
    const res = await post(chat("openai/gpt-4o-mini-tool-call", { tools: [{ type: "function", function: { name: "get_weather", parameters: { type: "object" } } }] }));
    const body = await res.json();
    expect(body.choices[0].finish_reason).toBe("tool_calls");
    expect(body.choices[0].message.tool_calls[0].function).toEqual({ name: "get_weather", arguments: '{"city":"Paris"}' });
    expect(fake.requests.at(-1)!.body.tools[0].function.name).toBe("get_weather");
  });
});

describe("streamed completions", () => {
  test("streams SSE chunks and ends with [DONE]; the injected usage chunk is hidden from the client", async () => {
    const res = await post(chat("openai/gpt-4o-mini", { stream: true }));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const data = await sseData(res);
    expect(data.at(-1)).toBe("[DONE]");
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("")).toBe("Hello from fake: ping");
    expect(chunks.every((c) => c.choices.length > 0)).toBe(true);
    // The gateway asked upstream for usage so it can account for the request…
    expect(fake.requests.at(-1)!.body.stream_options).toEqual({ include_usage: true });
    // …and recorded it.
    const row = usageRows(gw).find((r) => r.request_id === res.headers.get("x-request-id"));
    expect(row.stream).toBe(1);
    expect(row.completion_tokens).toBeGreaterThan(0);
    expect(row.finish_reason).toBe("stop");
    expect(row.ttfb_ms).not.toBeNull();
  });

  test("a client that asked for usage gets the usage chunk", async () => {
    const res = await post(chat("openai/gpt-4o-mini", { stream: true, stream_options: { include_usage: true } }));
    const data = await sseData(res);
    const usageChunk = JSON.parse(data.at(-2)!);
    expect(usageChunk.choices).toEqual([]);
    expect(usageChunk.usage.total_tokens).toBeGreaterThan(0);
  });

  test("streamed tool-call deltas arrive in order", async () => {
    const res = await post(chat("openai/x-tool-call", { stream: true }));
    const chunks = (await sseData(res)).slice(0, -1).map((d) => JSON.parse(d));
    const args = chunks.flatMap((c) => c.choices[0]?.delta?.tool_calls ?? []).map((t: any) => t.function.arguments).join("");
    expect(args).toBe('{"city":"Paris"}');
    expect(chunks.at(-1).choices[0].finish_reason).toBe("tool_calls");
  });

  test("an upstream that dies mid-stream ends the stream with an OpenAI error event", async () => {
    const res = await post(chat("openai/x-broken-stream", { stream: true }));
    expect(res.status).toBe(200);
    const data = await sseData(res);
    const last = JSON.parse(data.at(-1)!);
    expect(last.error.code).toBe("upstream_bad_response");
    expect(last.error.message).toContain("upstream stream failed");
    const row = usageRows(gw).find((r) => r.request_id === res.headers.get("x-request-id"));
    expect(row.status).toBe(502);
  });
});

describe("errors in OpenAI's shape", () => {
  test("malformed JSON → 400 invalid_json", async () => {
    const res = await gw.request("/v1/chat/completions", { method: "POST", body: "{not json", headers: { "content-type": "application/json" } });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.code).toBe("invalid_json");
    expect(body.error.type).toBe("invalid_request_error");
  });

  test("missing messages → 400 naming the parameter", async () => {
    const res = await post({ model: "openai/gpt-4o-mini" });
    expect(res.status).toBe(400);
    expect((await res.json()).error.param).toBe("messages");
  });

  test("a JSON array body → 400", async () => {
    const res = await post([1, 2]);
    expect(res.status).toBe(400);
  });

  test("unknown model → 404 model_not_found", async () => {
    const res = await post(chat("nobody/nothing-9"));
    expect(res.status).toBe(404);
    const body = await res.json();
    expect(body.error.code).toBe("model_not_found");
    expect(body.error.message).toContain("nobody/nothing-9");
  });

  test("a known provider without any connection → 503 no_credentials", async () => {
    const res = await post(chat("groq/llama-3.3-70b-versatile"));
    expect(res.status).toBe(503);
    expect((await res.json()).error.code).toBe("no_credentials");
  });

  test("upstream 400 is passed through with its status and body", async () => {
    const res = await post(chat("openai/x-error-400"));
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.code).toBe("context_length_exceeded");
  });

  test("upstream 429 keeps retry-after", async () => {
    const res = await post(chat("openai/x-error-429"));
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("7");
  });

  test("upstream 500 is passed through as 500", async () => {
    const res = await post(chat("openai/x-error-500"));
    expect(res.status).toBe(500);
    expect((await res.json()).error.type).toBe("server_error");
  });

  test("upstream garbage (HTML with 200) → 502 upstream_bad_response", async () => {
    const res = await post(chat("openai/x-garbage"));
    expect(res.status).toBe(502);
    expect((await res.json()).error.code).toBe("upstream_bad_response");
  });

  test("every failed request is recorded with its attempt", async () => {
    const res = await post(chat("openai/x-error-500"));
    const log = requestLogRows(gw).find((r) => r.request_id === res.headers.get("x-request-id"));
    expect(log.status).toBe(500);
    const attempts = JSON.parse(log.attempts);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ provider: "openai", model: "x-error-500", status: 500 });
    expect(log.error).toContain("The server had an error");
  });
});

describe("unreachable and slow upstreams", () => {
  test("connection refused → 502 upstream_unreachable", async () => {
    const closed = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("") });
    const port = closed.port;
    closed.stop(true);
    const gw2 = await startGateway();
    try {
      await addConnection(gw2, { provider: "openai", baseUrl: `http://127.0.0.1:${port}/v1` });
      const res = await gw2.request("/v1/chat/completions", { method: "POST", json: chat("openai/gpt-4o-mini") });
      expect(res.status).toBe(502);
      expect((await res.json()).error.code).toBe("upstream_unreachable");
    } finally {
      await gw2.close();
    }
  });

  test("an upstream that never answers → 504 after the configured timeout", async () => {
    const gw2 = await startGateway({ upstreamTimeoutMs: 1000 });
    try {
      await addConnection(gw2, { provider: "openai", baseUrl: fake.baseUrl });
      const started = performance.now();
      const res = await gw2.request("/v1/chat/completions", { method: "POST", json: chat("openai/x-hang") });
      expect(res.status).toBe(504);
      expect((await res.json()).error.code).toBe("upstream_timeout");
      expect(performance.now() - started).toBeGreaterThanOrEqual(900);
    } finally {
      await gw2.close();
    }
  });
});

describe("same-format pass-through leaves judgement to the upstream", () => {
  test("fields the translator would refuse (n > 1, non-function tools) still reach an OpenAI upstream", async () => {
    const res = await post(chat("openai/gpt-4o-mini", { n: 2, tools: [{ type: "custom", custom: { name: "apply_patch" } }] }));
    expect(res.status).toBe(200);
    const sent = fake.requests.at(-1)!.body;
    expect(sent.n).toBe(2);
    expect(sent.tools[0].type).toBe("custom");
  });
});
