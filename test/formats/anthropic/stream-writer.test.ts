import { describe, expect, test } from "bun:test";
import { GatewayError } from "../../../src/errors.ts";
import type { StreamEvent } from "../../../src/formats/canonical.ts";
import { anthropicClient } from "../../../src/formats/anthropic/index.ts";
import { createAnthropicStreamReader, createAnthropicStreamWriter } from "../../../src/formats/anthropic/stream.ts";
import { randomSizes, readAll, splitEvery } from "./split.ts";

const ctx = { requestedModel: "claude-sonnet-4-5", includeUsage: true };
const usage = (prompt: number | null, completion: number | null, cached: number | null = null) => ({
  promptTokens: prompt,
  completionTokens: completion,
  totalTokens: prompt !== null && completion !== null ? prompt + completion : null,
  cachedTokens: cached,
  reasoningTokens: null,
});

function run(events: StreamEvent[], c = ctx): string {
  const w = createAnthropicStreamWriter(c);
  return events.map((e) => w.write(e)).join("") + w.end();
}

/** Parses writer output into [event name, data] pairs, checking each `event:` matches data.type. */
function parse(text: string): [string, any][] {
  expect(text.endsWith("\n\n")).toBe(true);
  return text
    .slice(0, -2)
    .split("\n\n")
    .map((block) => {
      const [ev, data, ...rest] = block.split("\n");
      expect(rest).toEqual([]);
      expect(ev!.startsWith("event: ")).toBe(true);
      expect(data!.startsWith("data: ")).toBe(true);
      const json = JSON.parse(data!.slice(6));
      expect(json.type).toBe(ev!.slice(7));
      return [ev!.slice(7), json];
    });
}

const line = (type: string, payload: Record<string, unknown> = {}) => `event: ${type}\ndata: ${JSON.stringify({ type, ...payload })}\n\n`;

describe("Anthropic stream writer", () => {
  test("text then a tool call: the documented event sequence, byte for byte", () => {
    const out = run([
      { type: "start", id: "msg_01Test", model: "upstream-model", usage: usage(20, null, 5) },
      { type: "text_delta", text: "Let me check." },
      { type: "tool_call_start", index: 0, id: "toolu_01X", name: "get_weather" },
      { type: "tool_call_delta", index: 0, arguments: '{"city":' },
      { type: "tool_call_delta", index: 0, arguments: '"Paris"}' },
      { type: "tool_call_end", index: 0 },
      { type: "finish", reason: "tool_calls" },
      { type: "usage", usage: usage(20, 12, 5) },
    ]);
    expect(out).toBe(
      line("message_start", {
        message: {
          id: "msg_01Test",
          type: "message",
          role: "assistant",
          model: "claude-sonnet-4-5",
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 15, cache_creation_input_tokens: 0, cache_read_input_tokens: 5, output_tokens: 0 },
        },
      }) +
        line("content_block_start", { index: 0, content_block: { type: "text", text: "" } }) +
        line("content_block_delta", { index: 0, delta: { type: "text_delta", text: "Let me check." } }) +
        line("content_block_stop", { index: 0 }) +
        line("content_block_start", { index: 1, content_block: { type: "tool_use", id: "toolu_01X", name: "get_weather", input: {} } }) +
        line("content_block_delta", { index: 1, delta: { type: "input_json_delta", partial_json: '{"city":' } }) +
        line("content_block_delta", { index: 1, delta: { type: "input_json_delta", partial_json: '"Paris"}' } }) +
        line("content_block_stop", { index: 1 }) +
        line("message_delta", {
          delta: { stop_reason: "tool_use", stop_sequence: null },
          usage: { input_tokens: 15, cache_creation_input_tokens: 0, cache_read_input_tokens: 5, output_tokens: 12 },
        }) +
        line("message_stop"),
    );
  });

  test("thinking blocks get thinking_delta, then signature_delta, then stop", () => {
    const events = parse(
      run([
        { type: "start", id: "msg_1", model: "m" },
        { type: "reasoning_delta", text: "Let me " },
        { type: "reasoning_delta", text: "think." },
        { type: "reasoning_signature", signature: "sig-1" },
        { type: "text_delta", text: "Hi" },
        { type: "finish", reason: "stop" },
      ]),
    );
    expect(events.map(([name, d]) => `${name}${d.delta ? `:${d.delta.type ?? d.delta.stop_reason}` : ""}${d.content_block ? `:${d.content_block.type}` : ""}`)).toEqual([
      "message_start",
      "content_block_start:thinking",
      "content_block_delta:thinking_delta",
      "content_block_delta:thinking_delta",
      "content_block_delta:signature_delta",
      "content_block_stop",
      "content_block_start:text",
      "content_block_delta:text_delta",
      "content_block_stop",
      "message_delta:end_turn",
      "message_stop",
    ]);
    expect(events[1]![1].content_block).toEqual({ type: "thinking", thinking: "", signature: "" });
    expect(events[4]![1].delta).toEqual({ type: "signature_delta", signature: "sig-1" });
  });

  test("unsigned reasoning (DeepSeek-style) still gets a signature_delta before its stop", () => {
    const events = parse(run([{ type: "reasoning_delta", text: "hmm" }, { type: "text_delta", text: "ok" }]));
    expect(events.map(([n]) => n).slice(1, 5)).toEqual(["content_block_start", "content_block_delta", "content_block_delta", "content_block_stop"]);
    expect(events[3]![1].delta).toEqual({ type: "signature_delta", signature: "" });
  });

  test("a signature that arrives mid-answer (Gemini signs its last text part) does not split the text block", () => {
    const events = parse(
      run([
        { type: "start", id: "msg_1", model: "m" },
        { type: "reasoning_delta", text: "Let me think." },
        { type: "text_delta", text: "Hello " },
        { type: "reasoning_signature", signature: "c2lnLWZha2UtMQ==" },
        { type: "text_delta", text: "world" },
        { type: "finish", reason: "stop" },
      ]),
    );
    const blocks = events.filter(([n]) => n === "content_block_start").map(([, d]) => [d.index, d.content_block.type]);
    expect(blocks).toEqual([
      [0, "thinking"],
      [1, "text"],
      [2, "thinking"],
    ]);
    const deltas = (index: number) => events.filter(([n, d]) => n === "content_block_delta" && d.index === index).map(([, d]) => d.delta);
    expect(deltas(0)).toEqual([
      { type: "thinking_delta", thinking: "Let me think." },
      { type: "signature_delta", signature: "" },
    ]);
    expect(deltas(1)).toEqual([
      { type: "text_delta", text: "Hello " },
      { type: "text_delta", text: "world" },
    ]);
    expect(deltas(2)).toEqual([{ type: "signature_delta", signature: "c2lnLWZha2UtMQ==" }]);
    // Read back, the signature is an empty signed thinking part after the text.
    const reread = readAll(createAnthropicStreamReader(), [new TextEncoder().encode(events.map(([n, d]) => line(n, (({ type: _, ...rest }) => rest)(d))).join(""))]);
    expect(reread.filter((e) => e.type === "reasoning_signature")).toEqual([{ type: "reasoning_signature", signature: "c2lnLWZha2UtMQ==" }]);
  });

  test("redacted thinking is one start/stop pair carrying its data", () => {
    const events = parse(run([{ type: "redacted_reasoning", data: "ENCRYPTED" }]));
    expect(events[1]).toEqual(["content_block_start", { type: "content_block_start", index: 0, content_block: { type: "redacted_thinking", data: "ENCRYPTED" } }]);
    expect(events[2]).toEqual(["content_block_stop", { type: "content_block_stop", index: 0 }]);
  });

  test("interleaved parallel tool calls (OpenAI) become whole, consecutive blocks — one start per call", () => {
    const events = parse(
      run([
        { type: "start", id: "chatcmpl-9", model: "gpt-4o" },
        { type: "tool_call_start", index: 0, id: "call_a", name: "f" },
        { type: "tool_call_start", index: 1, id: "call_b", name: "g" },
        { type: "tool_call_delta", index: 0, arguments: '{"x"' },
        { type: "tool_call_delta", index: 1, arguments: '{"y"' },
        { type: "tool_call_delta", index: 1, arguments: ":2}" },
        { type: "tool_call_delta", index: 0, arguments: ":1}" },
        { type: "tool_call_start", index: 2, id: "call_c", name: "h" },
        { type: "tool_call_delta", index: 2, arguments: "{}" },
        { type: "tool_call_end", index: 1 },
        { type: "tool_call_end", index: 0 },
        { type: "tool_call_end", index: 2 },
        { type: "finish", reason: "tool_calls" },
      ]),
    );
    expect(events[0]![1].message.id).toMatch(/^msg_01[0-9A-Za-z]{22}$/);
    const starts = events.filter(([n]) => n === "content_block_start").map(([, d]) => [d.index, d.content_block.id]);
    expect(starts).toEqual([
      [0, "call_a"],
      [1, "call_b"],
      [2, "call_c"],
    ]);
    const args = (index: number) =>
      events
        .filter(([n, d]) => n === "content_block_delta" && d.index === index)
        .map(([, d]) => d.delta.partial_json)
        .join("");
    expect([args(0), args(1), args(2)]).toEqual(['{"x":1}', '{"y":2}', "{}"]);
    // Blocks never interleave: each start is followed by its own deltas and stop.
    let openIndex: number | null = null;
    for (const [name, d] of events) {
      if (name === "content_block_start") {
        expect(openIndex).toBeNull();
        openIndex = d.index;
      } else if (name === "content_block_delta") expect(d.index).toBe(openIndex);
      else if (name === "content_block_stop") {
        expect(d.index).toBe(openIndex);
        openIndex = null;
      }
    }
    expect(events.at(-2)![1].delta.stop_reason).toBe("tool_use");
  });

  test("without a start event a message id is made; a stop after a tool call becomes tool_use", () => {
    const events = parse(
      run([
        { type: "tool_call_start", index: 0, id: "call_1", name: "f" },
        { type: "tool_call_delta", index: 0, arguments: "{}" },
        { type: "finish", reason: "stop" },
      ]),
    );
    expect(events[0]![1].message).toMatchObject({ id: expect.stringMatching(/^msg_/), model: "claude-sonnet-4-5", usage: { input_tokens: 0, output_tokens: 0 } });
    expect(events.at(-2)![1]).toEqual({ type: "message_delta", delta: { stop_reason: "tool_use", stop_sequence: null }, usage: { output_tokens: 0 } });
  });

  test("finish reasons: length → max_tokens, stop sequence kept", () => {
    const delta = (events: StreamEvent[]) => parse(run(events)).at(-2)![1].delta;
    expect(delta([{ type: "text_delta", text: "a" }, { type: "finish", reason: "length" }])).toEqual({ stop_reason: "max_tokens", stop_sequence: null });
    expect(delta([{ type: "text_delta", text: "a" }, { type: "finish", reason: "stop", stopSequence: "END" }])).toEqual({ stop_reason: "stop_sequence", stop_sequence: "END" });
    expect(delta([{ type: "finish", reason: "content_filter" }])).toEqual({ stop_reason: "refusal", stop_sequence: null });
  });

  test("an upstream error mid-stream becomes Anthropic's error event and ends the stream", () => {
    const w = createAnthropicStreamWriter(ctx);
    const out = w.write({ type: "start", id: "msg_1", model: "m" }) + w.write({ type: "text_delta", text: "Once" });
    expect(w.write({ type: "error", message: "Overloaded", code: "overloaded_error" })).toBe(
      'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n',
    );
    expect(out).toContain("text_delta");
    expect(w.write({ type: "text_delta", text: "more" })).toBe("");
    expect(w.end()).toBe("");
  });

  test("error(), keepAlive()", () => {
    const w = anthropicClient.createStreamWriter(ctx);
    expect(w.keepAlive()).toBe('event: ping\ndata: {"type": "ping"}\n\n');
    expect(w.error(new GatewayError(429, "rate_limited", "slow down"))).toBe('event: error\ndata: {"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}\n\n');
    expect(w.end()).toBe("");
  });

  for (const name of ["stream-thinking.sse", "stream-tool-use.sse", "stream-error.sse", "stream-redacted-thinking.sse"]) {
    test(`writer → reader round trip equals the events read from ${name}`, async () => {
      const bytes = new Uint8Array(await Bun.file(new URL(`../../fixtures/anthropic/${name}`, import.meta.url)).arrayBuffer());
      const events = readAll(createAnthropicStreamReader(), [bytes]);
      const model = (events[0] as Extract<StreamEvent, { type: "start" }>).model;
      const written = new TextEncoder().encode(run(events, { requestedModel: model, includeUsage: true }));
      for (const sizes of [[written.length], [1], [3], randomSizes(3, 400, 17)]) {
        expect(readAll(createAnthropicStreamReader(), splitEvery(written, sizes))).toEqual(events);
      }
    });
  }
});
