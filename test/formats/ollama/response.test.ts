import { describe, expect, test } from "bun:test";
import { GatewayError } from "../../../src/errors.ts";
import type { CanonicalResponse } from "../../../src/formats/canonical.ts";
import { ollamaClient, ollamaUpstream } from "../../../src/formats/ollama/index.ts";
import { canonicalToOllamaResponse, ollamaResponseToCanonical } from "../../../src/formats/ollama/response.ts";

const fixture = async (name: string) => JSON.parse(await Bun.file(new URL(`../../fixtures/ollama/${name}`, import.meta.url)).text());
// RFC3339 with up to nanosecond precision, UTC, as Go marshals time.Time.
const RFC3339_NANO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/;

describe("Ollama response → canonical", () => {
  test("a recorded non-streamed answer", async () => {
    const res = ollamaResponseToCanonical(await fixture("chat-response.json"));
    expect(res.model).toBe("llama3.2");
    expect(res.id).toMatch(/^ollama-[A-Za-z0-9]{24}$/);
    expect(res.content).toEqual([{ type: "text", text: "Hello! How are you today?" }]);
    expect(res.finishReason).toBe("stop");
    expect(res.usage).toEqual({ promptTokens: 26, completionTokens: 298, totalTokens: 324, cachedTokens: null, reasoningTokens: null });
    expect(res.created).toBe(Math.floor(Date.parse("2023-12-12T14:13:43.416799Z") / 1000));
  });

  test("a recorded tool call: generated id, arguments as JSON text, finish tool_calls", async () => {
    const res = ollamaResponseToCanonical(await fixture("tool-call-response.json"));
    expect(res.finishReason).toBe("tool_calls");
    expect(res.content).toHaveLength(1);
    const call = res.content[0] as any;
    expect(call.type).toBe("tool_call");
    expect(call.id).toMatch(/^call_[A-Za-z0-9]{24}$/);
    expect(call.name).toBe("get_current_weather");
    expect(JSON.parse(call.arguments)).toEqual({ format: "celsius", location: "Paris, FR" });
  });

  test("thinking, done_reason length, an id the server sent", () => {
    const res = ollamaResponseToCanonical({
      model: "qwen3",
      created_at: "2025-01-01T00:00:00Z",
      message: { role: "assistant", content: "Three.", thinking: "Count r's.", tool_calls: [] },
      done_reason: "length",
      done: true,
    });
    expect(res.content).toEqual([{ type: "thinking", text: "Count r's." }, { type: "text", text: "Three." }]);
    expect(res.finishReason).toBe("length");
    expect(res.usage.promptTokens).toBeNull();
    const withId = ollamaResponseToCanonical({ model: "m", message: { role: "assistant", content: "", tool_calls: [{ id: "call_x", function: { name: "f", arguments: { a: 1 } } }] }, done: true });
    expect((withId.content[0] as any).id).toBe("call_x");
  });

  test("an {error} body is a GatewayError", () => {
    expect(() => ollamaResponseToCanonical({ error: "model \"x\" not found, try pulling it first" })).toThrow(GatewayError);
    expect(() => ollamaResponseToCanonical("nope")).toThrow(GatewayError);
  });
});

describe("canonical → Ollama response", () => {
  const res: CanonicalResponse = {
    id: "msg_1",
    model: "claude-sonnet-4-5",
    content: [
      { type: "thinking", text: "Plan.", signature: "sig" },
      { type: "text", text: "Calling " },
      { type: "text", text: "tools." },
      { type: "tool_call", id: "toolu_a", name: "get_weather", arguments: '{"city":"Paris"}' },
      { type: "tool_call", id: "toolu_b", name: "get_time", arguments: "{bad json" },
    ],
    finishReason: "tool_calls",
    usage: { promptTokens: 12, completionTokens: 5, totalTokens: 17, cachedTokens: 3, reasoningTokens: null },
  };

  test("exact shape, in Ollama's key order", () => {
    const out = canonicalToOllamaResponse(res, { requestedModel: "anthropic/claude-sonnet-4-5", includeUsage: true });
    expect(Object.keys(out)).toEqual([
      "model",
      "created_at",
      "message",
      "done_reason",
      "done",
      "total_duration",
      "load_duration",
      "prompt_eval_count",
      "prompt_eval_duration",
      "eval_count",
      "eval_duration",
    ]);
    expect(out.created_at).toMatch(RFC3339_NANO);
    expect({ ...out, created_at: "" }).toEqual({
      model: "anthropic/claude-sonnet-4-5",
      created_at: "",
      message: {
        role: "assistant",
        content: "Calling tools.",
        thinking: "Plan.",
        tool_calls: [
          { function: { index: 0, name: "get_weather", arguments: { city: "Paris" } } },
          { function: { index: 1, name: "get_time", arguments: {} } },
        ],
      },
      done_reason: "stop",
      done: true,
      total_duration: 0,
      load_duration: 0,
      prompt_eval_count: 12,
      prompt_eval_duration: 0,
      eval_count: 5,
      eval_duration: 0,
    });
  });

  test("plain text, length, unknown usage → zeros and no optional fields", () => {
    const out = canonicalToOllamaResponse(
      { id: "x", model: "m", content: [{ type: "text", text: "hi" }], finishReason: "length", usage: { promptTokens: null, completionTokens: null, totalTokens: null, cachedTokens: null, reasoningTokens: null } },
      { requestedModel: "openai/gpt-4o", includeUsage: false },
    );
    expect(out.message).toEqual({ role: "assistant", content: "hi" });
    expect(out.done_reason).toBe("length");
    expect(out.prompt_eval_count).toBe(0);
    expect(out.eval_count).toBe(0);
  });

  test("render → parse keeps text, thinking, tool calls and counts", () => {
    const back = ollamaResponseToCanonical(canonicalToOllamaResponse(res, { requestedModel: "m", includeUsage: true }));
    expect(back.finishReason).toBe("tool_calls");
    expect(back.content.map((p) => p.type)).toEqual(["thinking", "text", "tool_call", "tool_call"]);
    expect(back.usage).toMatchObject({ promptTokens: 12, completionTokens: 5, totalTokens: 17 });
  });
});

describe("ClientFormat / UpstreamFormatAdapter wiring", () => {
  test("ids, content type, error body", () => {
    expect(ollamaClient.id).toBe("ollama");
    expect(ollamaUpstream.format).toBe("ollama");
    expect(ollamaClient.streamContentType({ requestedModel: "m", includeUsage: true })).toBe("application/x-ndjson");
    expect(ollamaClient.errorBody(new GatewayError(404, "model_not_found", 'model "x" not found'))).toEqual({ error: 'model "x" not found' });
    expect(ollamaUpstream.buildRequest({ model: "a", system: [], messages: [], stream: false }, "b").path).toBe("/api/chat");
  });
});
