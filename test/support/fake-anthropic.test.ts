import { afterAll, describe, expect, test } from "bun:test";
import type { CanonicalRequest, StreamEvent } from "../../src/formats/canonical.ts";
import { anthropicUpstream } from "../../src/formats/anthropic/index.ts";
import { FAKE_SIGNATURE, FAKE_TOOL_ID, startFakeAnthropic } from "./fake-anthropic.ts";

const fake = startFakeAnthropic({ slowMs: 150 });
afterAll(() => fake.close());

const HEADERS = { "x-api-key": "sk-ant-fake", "anthropic-version": "2023-06-01", "content-type": "application/json" };
const TINY_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

function post(body: unknown, headers: Record<string, string> = HEADERS, path = "/messages", signal?: AbortSignal) {
  return fetch(`${fake.baseUrl}${path}`, { method: "POST", headers, body: JSON.stringify(body), signal });
}

const msg = (model: string, extra: Record<string, unknown> = {}) => ({ model, max_tokens: 100, messages: [{ role: "user", content: "hi" }], ...extra });

/** Splits an SSE body into [event, data] pairs. */
function events(text: string): [string, any][] {
  return text
    .split("\n\n")
    .filter(Boolean)
    .map((block) => {
      const [ev, data] = block.split("\n");
      return [ev!.slice(7), JSON.parse(data!.slice(6))];
    });
}

async function readStream(res: Response): Promise<StreamEvent[]> {
  const reader = anthropicUpstream.createStreamReader();
  const body = res.body!.getReader();
  const out: StreamEvent[] = [];
  for (;;) {
    const { done, value } = await body.read();
    if (done) break;
    out.push(...reader.push(value));
  }
  out.push(...reader.end());
  return out;
}

describe("fake Anthropic upstream", () => {
  test("auth: x-api-key and anthropic-version are required", async () => {
    const bad = await post(msg("claude"), { ...HEADERS, "x-api-key": "nope" });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({ type: "error", error: { type: "authentication_error", message: "invalid x-api-key" } });
    const bearer = await post(msg("claude"), { authorization: "Bearer sk-ant-fake", "anthropic-version": "2023-06-01" });
    expect(bearer.status).toBe(401);
    const noVersion = await post(msg("claude"), { "x-api-key": "sk-ant-fake" });
    expect(noVersion.status).toBe(400);
    expect((await noVersion.json()).error).toEqual({ type: "invalid_request_error", message: "anthropic-version: header is required" });
  });

  test("GET /v1/models in Anthropic's list shape", async () => {
    const res = await fetch(`${fake.baseUrl}/models`, { headers: HEADERS });
    const body = await res.json();
    expect(body).toMatchObject({ has_more: false, first_id: body.data[0].id, last_id: body.data.at(-1).id });
    for (const m of body.data) expect(Object.keys(m)).toEqual(["type", "id", "display_name", "created_at"]);
  });

  test("count_tokens", async () => {
    const body = { model: "claude", messages: [{ role: "user", content: "hello there" }] };
    const res = await post(body, HEADERS, "/messages/count_tokens");
    expect(await res.json()).toEqual({ input_tokens: JSON.stringify(body.messages).length >> 2 });
  });

  test("a plain message echoes the last user text and counts images; requests are recorded", async () => {
    const body = msg("claude-sonnet-4-5", {
      messages: [{ role: "user", content: [{ type: "text", text: "look" }, { type: "image", source: { type: "base64", media_type: "image/png", data: TINY_PNG } }] }],
    });
    const before = fake.requests.length;
    const res = await post(body);
    expect(res.status).toBe(200);
    expect(res.headers.get("request-id")).toMatch(/^req_/);
    const json = await res.json();
    expect(json).toMatchObject({ type: "message", role: "assistant", model: "claude-sonnet-4-5", content: [{ type: "text", text: "Hello from fake: look [images:1]" }], stop_reason: "end_turn", stop_sequence: null });
    expect(json.id).toMatch(/^msg_01/);
    expect(json.usage).toMatchObject({ input_tokens: JSON.stringify(body.messages).length >> 2, output_tokens: 5, cache_read_input_tokens: 0 });
    const rec = fake.requests[before]!;
    expect(rec).toMatchObject({ path: "/v1/messages", url: "/v1/messages", body });
    expect(rec.headers["anthropic-version"]).toBe("2023-06-01");
  });

  test("a stream has Anthropic's event sequence and reads back to the same reply", async () => {
    const res = await post(msg("claude", { stream: true }));
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const text = await res.text();
    const names = events(text).map(([n]) => n);
    expect(names).toEqual(["message_start", "content_block_start", "ping", ...Array(4).fill("content_block_delta"), "content_block_stop", "message_delta", "message_stop"]);
    for (const [name, data] of events(text)) expect(data.type).toBe(name);
    const reader = anthropicUpstream.createStreamReader();
    const evs = [...reader.push(new TextEncoder().encode(text)), ...reader.end()];
    expect(evs.filter((e) => e.type === "text_delta").map((e: any) => e.text).join("")).toBe("Hello from fake: hi");
    expect(evs.at(-1)).toEqual({ type: "finish", reason: "stop", stopSequence: null });
  });

  test("tool-call: a get_weather call, then an answer from the tool result", async () => {
    const first = await (await post(msg("claude-tool-call"))).json();
    expect(first.content).toEqual([{ type: "tool_use", id: FAKE_TOOL_ID, name: "get_weather", input: { city: "Paris" } }]);
    expect(first.stop_reason).toBe("tool_use");

    const streamed = await readStream(await post(msg("claude-tool-call", { stream: true })));
    expect(streamed.filter((e) => e.type === "tool_call_delta").map((e: any) => e.arguments).join("")).toBe('{"city":"Paris"}');
    expect(streamed.filter((e) => e.type === "tool_call_start" || e.type === "tool_call_end")).toEqual([
      { type: "tool_call_start", index: 0, id: FAKE_TOOL_ID, name: "get_weather" },
      { type: "tool_call_end", index: 0 },
    ]);
    expect(streamed.at(-1)).toMatchObject({ type: "finish", reason: "tool_calls" });

    // The conversation as an OpenAI client would have it, translated by the Anthropic writer.
    const canonical: CanonicalRequest = {
      model: "x",
      system: [],
      stream: false,
      messages: [
        { role: "user", content: [{ type: "text", text: "Weather in Paris?" }] },
        { role: "assistant", content: [{ type: "tool_call", id: FAKE_TOOL_ID, name: "get_weather", arguments: '{"city":"Paris"}' }] },
        { role: "user", content: [{ type: "tool_result", toolCallId: FAKE_TOOL_ID, content: [{ type: "text", text: "sunny, 21°C" }] }] },
      ],
      tools: [{ name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } }],
    };
    const up = anthropicUpstream.buildRequest(canonical, "claude-tool-call");
    const second = await post(up.body, HEADERS, up.path);
    expect(second.status).toBe(200);
    expect(anthropicUpstream.parseResponse(await second.json()).content).toEqual([{ type: "text", text: "The weather is: sunny, 21°C" }]);
  });

  test("reasoning: a signed thinking block before the reply", async () => {
    const json = await (await post(msg("claude-reasoning"))).json();
    expect(json.content[0]).toEqual({ type: "thinking", thinking: "Let me think.", signature: FAKE_SIGNATURE });
    const streamed = await readStream(await post(msg("claude-reasoning", { stream: true })));
    expect(streamed.slice(1, 3)).toEqual([
      { type: "reasoning_delta", text: "Let me think." },
      { type: "reasoning_signature", signature: FAKE_SIGNATURE },
    ]);
  });

  test("error-<status> with Anthropic's error bodies", async () => {
    const overloaded = await post(msg("claude-error-529"));
    expect(overloaded.status).toBe(529);
    expect(await overloaded.json()).toEqual({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } });
    const limited = await post(msg("claude-error-429"));
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("7");
    expect((await limited.json()).error.type).toBe("rate_limit_error");
    expect((await (await post(msg("claude-error-400"))).json()).error.type).toBe("invalid_request_error");
  });

  test("the API's own 400s: missing max_tokens, orphan tool_result, unanswered tool_use, thinking rules", async () => {
    const problem = async (body: unknown) => {
      const res = await post(body);
      expect(res.status).toBe(400);
      return (await res.json()).error.message as string;
    };
    expect(await problem({ model: "claude", messages: [{ role: "user", content: "hi" }] })).toBe("max_tokens: Field required");
    expect(await problem(msg("claude", { messages: [{ role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_x", content: "r" }] }] }))).toMatch(/unexpected `tool_use_id`/);
    expect(
      await problem(
        msg("claude", {
          messages: [
            { role: "user", content: "q" },
            { role: "assistant", content: [{ type: "tool_use", id: "toolu_a", name: "f", input: {} }] },
            { role: "user", content: "no result" },
          ],
        }),
      ),
    ).toMatch(/`tool_use` ids were found without `tool_result` blocks/);
    expect(
      await problem(
        msg("claude", {
          messages: [
            { role: "user", content: "q" },
            { role: "assistant", content: [{ type: "tool_use", id: "toolu_a", name: "f", input: {} }] },
            { role: "user", content: [{ type: "text", text: "first" }, { type: "tool_result", tool_use_id: "toolu_a", content: "r" }] },
          ],
        }),
      ),
    ).toMatch(/must come first/);
    expect(await problem(msg("claude", { thinking: { type: "enabled", budget_tokens: 2000 }, max_tokens: 1000 }))).toMatch(/max_tokens/);
    expect(await problem(msg("claude", { thinking: { type: "enabled", budget_tokens: 2000 }, max_tokens: 4000, temperature: 0.5 }))).toMatch(/temperature/);
    expect(await problem(msg("claude", { messages: [{ role: "user", content: [{ type: "text", text: " " }] }] }))).toMatch(/non-whitespace/);
  });

  test("garbage: 200 with HTML", async () => {
    const res = await post(msg("claude-garbage"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html");
  });

  test("broken-stream: two events, then the connection is cut", async () => {
    const res = await post(msg("claude-broken-stream", { stream: true }));
    const decoder = new TextDecoder();
    let text = "";
    let failed = false;
    const body = res.body!.getReader();
    try {
      for (;;) {
        const { done, value } = await body.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
    } catch {
      failed = true;
    }
    expect(failed).toBe(true);
    expect(events(text).map(([n]) => n)).toEqual(["message_start", "content_block_start"]);
  });

  test("slow-stream pauses after the first event", async () => {
    const res = await post(msg("claude-slow-stream", { stream: true }));
    const it = res.body!.getReader();
    await it.read();
    const t0 = performance.now();
    await it.read();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(fake.slowMs - 20);
    await it.cancel().catch(() => {});
  });

  test("hang: no answer until the client aborts", async () => {
    const before = fake.aborted;
    const ctl = new AbortController();
    const pending = post(msg("claude-hang"), HEADERS, "/messages", ctl.signal).catch((e) => e);
    await Bun.sleep(50);
    ctl.abort();
    expect(await pending).toBeInstanceOf(Error);
    for (let i = 0; i < 50 && fake.aborted === before; i++) await Bun.sleep(10);
    expect(fake.aborted).toBe(before + 1);
  });
});
