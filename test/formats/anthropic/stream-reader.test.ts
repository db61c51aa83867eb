import { describe, expect, test } from "bun:test";
import type { StreamEvent } from "../../../src/formats/canonical.ts";
import { createAnthropicStreamReader } from "../../../src/formats/anthropic/stream.ts";
import { randomSizes, readAll, splitEvery } from "./split.ts";

const load = async (name: string) => new Uint8Array(await Bun.file(new URL(`../../fixtures/anthropic/${name}`, import.meta.url)).arrayBuffer());
const usage = (prompt: number, completion: number, cached = 0) => ({ promptTokens: prompt, completionTokens: completion, totalTokens: prompt + completion, cachedTokens: cached, reasoningTokens: null });

const THINKING_SIG =
  "ErUBCkYIARgCIkACJWxzySUOJzOlZ8WFdgQSbeQA3H1i5rfkKLV9eC4HN6Jcnrlw1NcnPRIPaTs9jLF3rllsfoidjZapJ+5MLwjVEgzTfQ6r9tDZvyBP0nEaDHWRqRWP7CoPOc+ksSIwSlxHzaMbnyXGoiNmCj9thC3N6EDMpemJPx3UZqDtrgmKZgQMMzNzNsh9IxgvtuYKKh1PxXUmWexqlckSVETQj3LbHLK/nwEK+bz0+2b/pA==";

const CASES: Record<string, StreamEvent[]> = {
  "stream-thinking.sse": [
    { type: "start", id: "msg_01DfGoUwMtftE8VM22axQ2Jc", model: "claude-sonnet-4-5-20250929", usage: usage(778, 5) },
    { type: "reasoning_delta", text: 'The user said "ciao" — a greeting.' },
    { type: "reasoning_delta", text: " I should greet back in Italian." },
    { type: "reasoning_signature", signature: THINKING_SIG },
    { type: "text_delta", text: "Ciao! Come posso " },
    { type: "text_delta", text: "aiutarti? 🌍" },
    { type: "usage", usage: usage(778, 71) },
    { type: "finish", reason: "stop", stopSequence: null },
  ],
  "stream-tool-use.sse": [
    { type: "start", id: "msg_014p7gG3wDgGV9EUtLvnow3U", model: "claude-sonnet-4-5-20250929", usage: usage(600, 2, 128) },
    { type: "text_delta", text: "Okay, let's check the weather for San Francisco, CA:" },
    { type: "tool_call_start", index: 1, id: "toolu_01T1x1fJ34qAmk2tNTrN7Up6", name: "get_weather" },
    { type: "tool_call_delta", index: 1, arguments: '{"location":' },
    { type: "tool_call_delta", index: 1, arguments: ' "San Franc' },
    { type: "tool_call_delta", index: 1, arguments: 'isco, CA", "unit": "fah' },
    { type: "tool_call_delta", index: 1, arguments: 'renheit"}' },
    { type: "tool_call_end", index: 1 },
    // message_delta only has output_tokens: input comes from message_start.
    { type: "usage", usage: usage(600, 89, 128) },
    { type: "finish", reason: "tool_calls", stopSequence: null },
  ],
  "stream-error.sse": [
    { type: "start", id: "msg_01Vt5wZdPKhxGbq5xQ7m3sLr", model: "claude-sonnet-4-5-20250929", usage: usage(25, 1) },
    { type: "text_delta", text: "Once upon a" },
    { type: "error", message: "Overloaded", code: "overloaded_error", status: 529 },
  ],
  "stream-redacted-thinking.sse": [
    { type: "start", id: "msg_01RdQ7cZmF3XaJpP9sT2vYkL", model: "claude-3-7-sonnet-20250219", usage: usage(92, 3) },
    { type: "redacted_reasoning", data: "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpPkNRj2YfWXGmKDxH4mPnZ5sQ7vB8URj2pLmN9JkL3fs5v/3nPq8AXdQ==" },
    { type: "reasoning_delta", text: "Answering plainly." },
    { type: "reasoning_signature", signature: expect.stringMatching(/^EqgBCkgIARAB/) as unknown as string },
    { type: "text_delta", text: "Here is the answer." },
    { type: "usage", usage: usage(92, 48) },
    { type: "finish", reason: "stop", stopSequence: null },
  ],
};

describe("Anthropic stream reader", () => {
  for (const [name, expected] of Object.entries(CASES)) {
    test(`${name}: same events whatever the chunking (every size 1..40, random, whole)`, async () => {
      const bytes = await load(name);
      const splits = [...Array.from({ length: 40 }, (_, i) => [i + 1]), randomSizes(7, 500, 64), randomSizes(42, 500, 9), [bytes.length]];
      for (const sizes of splits) expect(readAll(createAnthropicStreamReader(), splitEvery(bytes, sizes))).toEqual(expected);
    });

    test(`${name}: CRLF line endings`, async () => {
      const crlf = new TextEncoder().encode(new TextDecoder().decode(await load(name)).replaceAll("\n", "\r\n"));
      for (const sizes of [[1], [2], [3], [5], [crlf.length]]) expect(readAll(createAnthropicStreamReader(), splitEvery(crlf, sizes))).toEqual(expected);
    });
  }

  test("a last event without its blank line is flushed at end()", () => {
    const reader = createAnthropicStreamReader();
    const text = 'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"max_tokens","stop_sequence":null},"usage":{"output_tokens":3}}';
    expect(reader.push(new TextEncoder().encode(text))).toEqual([]);
    expect(reader.end()).toEqual([
      { type: "usage", usage: { promptTokens: null, completionTokens: 3, totalTokens: null, cachedTokens: null, reasoningTokens: null } },
      { type: "finish", reason: "length", stopSequence: null },
    ]);
  });

  test("open tool calls are ended before finish; comments, pings and unknown events are ignored", () => {
    const sse = [
      ": comment\n\n",
      'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","model":"c","content":[],"usage":{"input_tokens":5,"output_tokens":0}}}\n\n',
      'data: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_1","name":"f","input":{}}}\n\n',
      'data: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{}"}}\n\n',
      'event: ping\ndata: {"type": "ping"}\n\n',
      'event: future_event\ndata: {"type":"future_event"}\n\n',
      'data: {"type":"content_block_start","index":1,"content_block":{"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{}}}\n\n',
      'data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\\"q\\":1}"}}\n\n',
      'data: {"type":"message_delta","delta":{"stop_reason":"stop_sequence","stop_sequence":"END"},"usage":{"output_tokens":4}}\n\n',
      'data: {"type":"message_stop"}\n\n',
    ].join("");
    const events = readAll(createAnthropicStreamReader(), [new TextEncoder().encode(sse)]);
    expect(events.map((e) => e.type)).toEqual(["start", "tool_call_start", "tool_call_delta", "tool_call_end", "usage", "finish"]);
    expect(events.at(-1)).toEqual({ type: "finish", reason: "stop", stopSequence: "END" });
  });

  test("a tool_use block with its whole input in content_block_start (some proxies) still yields the arguments", () => {
    const sse =
      'data: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_1","name":"f","input":{"a":1}}}\n\n' +
      'data: {"type":"content_block_stop","index":0}\n\n' +
      'data: {"type":"message_stop"}\n\n';
    expect(readAll(createAnthropicStreamReader(), [new TextEncoder().encode(sse)])).toEqual([
      { type: "tool_call_start", index: 0, id: "toolu_1", name: "f" },
      { type: "tool_call_delta", index: 0, arguments: '{"a":1}' },
      { type: "tool_call_end", index: 0 },
      { type: "finish", reason: "stop" },
    ]);
  });
});
