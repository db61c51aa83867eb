import { describe, expect, test } from "bun:test";
import { GatewayError } from "../../../src/errors.ts";
import type { CanonicalResponse } from "../../../src/formats/canonical.ts";
import { anthropicErrorBody, anthropicStreamErrorEvent } from "../../../src/formats/anthropic/errors.ts";
import { anthropicClient, anthropicUpstream } from "../../../src/formats/anthropic/index.ts";
import { anthropicResponseToCanonical, canonicalToAnthropicResponse } from "../../../src/formats/anthropic/response.ts";

const fixture = (name: string) => Bun.file(new URL(`../../fixtures/anthropic/${name}`, import.meta.url)).json();
const PLAIN = await fixture("message-plain.json");
const TOOL_USE = await fixture("message-tool-use.json");
const ctx = { requestedModel: "claude-sonnet-4-5", includeUsage: true };

describe("Anthropic message → canonical", () => {
  test("plain message", () => {
    expect(anthropicResponseToCanonical(PLAIN)).toEqual({
      id: "msg_01XFDUDYJgAACzvnptvVoYEL",
      model: "claude-sonnet-4-5-20250929",
      content: [{ type: "text", text: "Ciao! Come posso aiutarti oggi? 🌍" }],
      finishReason: "stop",
      stopSequence: null,
      usage: { promptTokens: 12, completionTokens: 17, totalTokens: 29, cachedTokens: 0, reasoningTokens: null },
    });
  });

  test("thinking, text and tool_use; cache reads and writes count as prompt", () => {
    const res = anthropicResponseToCanonical(TOOL_USE);
    expect(res.content).toEqual([
      { type: "thinking", text: TOOL_USE.content[0].thinking, signature: TOOL_USE.content[0].signature },
      { type: "text", text: "I'll check the current weather in San Francisco for you." },
      { type: "tool_call", id: "toolu_01A09q90qw90lq917835lq9", name: "get_weather", arguments: '{"location":"San Francisco, CA","unit":"celsius"}' },
    ]);
    expect(res.finishReason).toBe("tool_calls");
    expect(res.usage).toEqual({ promptTokens: 472 + 1024 + 2048, completionTokens: 89, totalTokens: 472 + 1024 + 2048 + 89, cachedTokens: 2048, reasoningTokens: null });
  });

  test("stop reasons", () => {
    const reason = (stop_reason: string) => anthropicResponseToCanonical({ ...PLAIN, stop_reason }).finishReason;
    expect(reason("end_turn")).toBe("stop");
    expect(reason("stop_sequence")).toBe("stop");
    expect(reason("pause_turn")).toBe("stop");
    expect(reason("max_tokens")).toBe("length");
    expect(reason("tool_use")).toBe("tool_calls");
    expect(reason("refusal")).toBe("content_filter");
    expect(anthropicResponseToCanonical({ ...PLAIN, stop_reason: "stop_sequence", stop_sequence: "END" }).stopSequence).toBe("END");
  });

  test("redacted thinking is kept; a body that is not a message is a 502", () => {
    expect(anthropicResponseToCanonical({ ...PLAIN, content: [{ type: "redacted_thinking", data: "abc" }] }).content).toEqual([{ type: "redacted_thinking", data: "abc" }]);
    expect(() => anthropicUpstream.parseResponse("<html>")).toThrow(GatewayError);
    expect(() => anthropicUpstream.parseResponse({ type: "error", error: {} })).toThrow(/not an Anthropic message/);
  });
});

describe("canonical → Anthropic message", () => {
  test("round trip of the tool_use message keeps content, signature and stop reason", () => {
    const out = canonicalToAnthropicResponse(anthropicResponseToCanonical(TOOL_USE), ctx);
    expect(out).toEqual({
      id: TOOL_USE.id.startsWith("msg_") ? TOOL_USE.id : expect.any(String),
      type: "message",
      role: "assistant",
      model: "claude-sonnet-4-5",
      content: TOOL_USE.content,
      stop_reason: "tool_use",
      stop_sequence: null,
      // Cache writes fold into input_tokens: canonical usage has no field for them.
      usage: { input_tokens: 472 + 1024, cache_creation_input_tokens: 0, cache_read_input_tokens: 2048, output_tokens: 89 },
    });
  });

  test("exact Message object from another provider's answer", () => {
    const res: CanonicalResponse = {
      id: "chatcmpl-abc",
      model: "gpt-4o-mini",
      content: [
        { type: "thinking", text: "hmm" },
        { type: "text", text: "Hel" },
        { type: "text", text: "lo" },
        { type: "tool_call", id: "call_1", name: "f", arguments: '{"a":1}' },
      ],
      finishReason: "stop",
      usage: { promptTokens: 10, completionTokens: 5, totalTokens: 15, cachedTokens: 4, reasoningTokens: null },
    };
    const out = anthropicClient.renderResponse(res, ctx) as any;
    expect(Object.keys(out)).toEqual(["id", "type", "role", "model", "content", "stop_reason", "stop_sequence", "usage"]);
    expect(out.id).toMatch(/^msg_01[0-9A-Za-z]{22}$/);
    expect(out.content).toEqual([
      { type: "thinking", thinking: "hmm", signature: "" },
      { type: "text", text: "Hello" },
      { type: "tool_use", id: "call_1", name: "f", input: { a: 1 } },
    ]);
    // The turn ends in a call, whatever the upstream said.
    expect(out.stop_reason).toBe("tool_use");
    expect(out.usage).toEqual({ input_tokens: 6, cache_creation_input_tokens: 0, cache_read_input_tokens: 4, output_tokens: 5 });
  });

  test("finish reasons map back; stop_sequence only with stop_sequence", () => {
    const res = (finishReason: CanonicalResponse["finishReason"], stopSequence?: string) =>
      canonicalToAnthropicResponse({ id: "x", model: "m", content: [{ type: "text", text: "t" }], finishReason, stopSequence, usage: { promptTokens: null, completionTokens: null, totalTokens: null, cachedTokens: null, reasoningTokens: null } }, ctx);
    expect(res("length").stop_reason).toBe("max_tokens");
    expect(res("content_filter").stop_reason).toBe("refusal");
    expect(res("stop").stop_reason).toBe("end_turn");
    expect(res("stop", "END")).toMatchObject({ stop_reason: "stop_sequence", stop_sequence: "END" });
    expect(res("stop").usage).toEqual({ input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 });
  });
});

describe("Anthropic error bodies", () => {
  const type = (status: number) => anthropicErrorBody(new GatewayError(status, "upstream_error", "boom")).error.type;
  test("type by status, 529 kept", () => {
    expect(anthropicClient.errorBody(new GatewayError(400, "invalid_request", "bad"))).toEqual({ type: "error", error: { type: "invalid_request_error", message: "bad" } });
    expect([400, 401, 403, 404, 413, 429, 500, 502, 503, 504, 529, 422].map(type)).toEqual([
      "invalid_request_error",
      "authentication_error",
      "permission_error",
      "not_found_error",
      "request_too_large",
      "rate_limit_error",
      "api_error",
      "api_error",
      "overloaded_error",
      "api_error",
      "overloaded_error",
      "invalid_request_error",
    ]);
  });

  test("in-stream error event", () => {
    expect(anthropicStreamErrorEvent(new GatewayError(529, "upstream_error", "Overloaded"))).toBe(
      'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n',
    );
    expect(anthropicClient.streamContentType(ctx)).toBe("text/event-stream; charset=utf-8");
  });
});
