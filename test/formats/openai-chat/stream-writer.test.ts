import { describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { GatewayError } from "../../../src/errors.ts";
import type { StreamEvent } from "../../../src/formats/canonical.ts";
import { createOpenAiChatStreamReader, createOpenAiChatStreamWriter } from "../../../src/formats/openai-chat/stream.ts";
import { coalesce, enc, fixtureBytes, readAll } from "./helpers.ts";

const usage = { promptTokens: 19, completionTokens: 10, totalTokens: 29, cachedTokens: 4, reasoningTokens: 2 };

function render(events: StreamEvent[], includeUsage: boolean, model = "client/model"): string {
  const w = createOpenAiChatStreamWriter({ requestedModel: model, includeUsage });
  return events.map((e) => w.write(e)).join("") + w.end();
}

/** Each SSE event's data, parsed ([DONE] kept as the string). */
function dataOf(text: string): any[] {
  expect(text.endsWith("\n\n")).toBe(true);
  return text
    .split("\n\n")
    .filter(Boolean)
    .map((e) => {
      expect(e.startsWith("data: ")).toBe(true);
      expect(e.includes("\n")).toBe(false);
      const d = e.slice(6);
      return d === "[DONE]" ? d : JSON.parse(d);
    });
}

describe("OpenAI Chat stream writer", () => {
  test("text stream with include_usage: exact chunks like api.openai.com", () => {
    const out = render(
      [
        { type: "start", id: "msg_01abc", model: "claude-sonnet-4-5" },
        { type: "text_delta", text: "Ciao" },
        { type: "text_delta", text: " — città 🌍" },
        { type: "usage", usage },
        { type: "finish", reason: "stop" },
      ],
      true,
    );
    const data = dataOf(out);
    const { id, created } = data[0];
    expect(id).toMatch(/^chatcmpl-[A-Za-z0-9]{29}$/);
    const head = { id, object: "chat.completion.chunk", created, model: "client/model" };
    expect(data).toEqual([
      { ...head, choices: [{ index: 0, delta: { role: "assistant", content: "", refusal: null }, logprobs: null, finish_reason: null }], usage: null },
      { ...head, choices: [{ index: 0, delta: { content: "Ciao" }, logprobs: null, finish_reason: null }], usage: null },
      { ...head, choices: [{ index: 0, delta: { content: " — città 🌍" }, logprobs: null, finish_reason: null }], usage: null },
      { ...head, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: "stop" }], usage: null },
      {
        ...head,
        choices: [],
        usage: { prompt_tokens: 19, completion_tokens: 10, total_tokens: 29, prompt_tokens_details: { cached_tokens: 4 }, completion_tokens_details: { reasoning_tokens: 2 } },
      },
      "[DONE]",
    ]);
    expect(Object.keys(data[1])).toEqual(["id", "object", "created", "model", "choices", "usage"]);
  });

  test("without include_usage: no usage field and no usage chunk", () => {
    const data = dataOf(render([{ type: "start", id: "chatcmpl-up", model: "x" }, { type: "text_delta", text: "hi" }, { type: "finish", reason: "length" }, { type: "usage", usage }], false));
    expect(data.map((d) => (typeof d === "string" ? d : d.choices[0]?.finish_reason ?? null))).toEqual([null, null, "length", "[DONE]"]);
    expect(data.slice(0, -1).every((d) => !("usage" in d))).toBe(true);
    // An upstream id already in OpenAI's shape is kept.
    expect(data[0].id).toBe("chatcmpl-up");
  });

  test("tool calls: canonical indexes (Anthropic block indexes) become 0,1…; id/type/name first, then argument pieces", () => {
    const data = dataOf(
      render(
        [
          { type: "start", id: "msg_1", model: "claude" },
          { type: "reasoning_delta", text: "Need weather." },
          { type: "reasoning_signature", signature: "sig" },
          { type: "text_delta", text: "Checking." },
          { type: "tool_call_start", index: 2, id: "toolu_A", name: "get_weather" },
          { type: "tool_call_delta", index: 2, arguments: '{"city":' },
          { type: "tool_call_delta", index: 2, arguments: '"Paris"}' },
          { type: "tool_call_end", index: 2 },
          { type: "tool_call_start", index: 3, id: "toolu_B", name: "get_time" },
          { type: "tool_call_delta", index: 3, arguments: "{}" },
          { type: "tool_call_end", index: 3 },
          { type: "finish", reason: "tool_calls" },
        ],
        false,
      ),
    );
    expect(data.slice(1, -1).map((d) => [d.choices[0].delta, d.choices[0].finish_reason])).toEqual([
      [{ reasoning_content: "Need weather." }, null],
      [{ content: "Checking." }, null],
      [{ tool_calls: [{ index: 0, id: "toolu_A", type: "function", function: { name: "get_weather", arguments: "" } }] }, null],
      [{ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }, null],
      [{ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }, null],
      [{ tool_calls: [{ index: 1, id: "toolu_B", type: "function", function: { name: "get_time", arguments: "" } }] }, null],
      [{ tool_calls: [{ index: 1, function: { arguments: "{}" } }] }, null],
      [{}, "tool_calls"],
    ]);
    const ids = new Set(data.slice(0, -1).map((d) => `${d.id}/${d.created}/${d.model}`));
    expect(ids.size).toBe(1);
  });

  test("a missing start still produces a role chunk; a missing finish is closed at end(); stop after tool calls says tool_calls", () => {
    const data = dataOf(render([{ type: "tool_call_start", index: 0, id: "c", name: "f" }, { type: "tool_call_delta", index: 0, arguments: "{}" }], false));
    expect(data[0].choices[0].delta).toEqual({ role: "assistant", content: "", refusal: null });
    expect(data[0].id).toMatch(/^chatcmpl-/);
    expect(data.at(-2).choices[0].finish_reason).toBe("tool_calls");
    expect(data.at(-1)).toBe("[DONE]");
  });

  test("keep-alive is an SSE comment; error() is a data error object and ends the stream", () => {
    const w = createOpenAiChatStreamWriter({ requestedModel: "m", includeUsage: true });
    expect(w.keepAlive()).toBe(": keep-alive\n\n");
    const start = w.write({ type: "text_delta", text: "par" });
    expect(start.split("\n\n").filter(Boolean)).toHaveLength(2);
    const err = w.error(new GatewayError(502, "upstream_bad_response", "upstream closed the connection"));
    expect(err).toBe('data: {"error":{"message":"upstream closed the connection","type":"server_error","param":null,"code":"upstream_bad_response"}}\n\n');
    expect(w.write({ type: "text_delta", text: "more" })).toBe("");
    expect(w.end()).toBe("");
    expect(w.error(new GatewayError(500, "internal_error", "again"))).toBe("");
  });

  test("an upstream error event is written as an error data line and nothing follows", () => {
    const w = createOpenAiChatStreamWriter({ requestedModel: "m", includeUsage: false });
    w.write({ type: "start", id: "x", model: "y" });
    expect(w.write({ type: "error", message: "Overloaded", status: 529, code: "overloaded_error" })).toBe(
      'data: {"error":{"message":"Overloaded","type":"server_error","param":null,"code":"overloaded_error"}}\n\n',
    );
    expect(w.end()).toBe("");
  });

  test("writer output read back by the reader gives the same events (recorded streams)", async () => {
    for (const name of ["stream-with-usage.sse", "stream-parallel-tool-calls.sse", "stream-deepseek-reasoning.sse", "stream-openrouter-reasoning.sse"]) {
      const events = readAll(createOpenAiChatStreamReader(), [await fixtureBytes(name)]);
      const text = render(events, true, "client/model");
      const back = readAll(createOpenAiChatStreamReader(), [enc(text)]);
      const strip = (es: StreamEvent[]) => coalesce(es).filter((e) => e.type !== "start");
      expect(strip(back)).toEqual(strip(events));
      expect(back[0]).toMatchObject({ type: "start", model: "client/model" });
    }
  });
});

describe("the official openai SDK reads the writer's stream", () => {
  function sdkOver(text: string) {
    return new OpenAI({
      apiKey: "sk-test",
      baseURL: "http://gateway.test/v1",
      maxRetries: 0,
      fetch: async () => new Response(text, { headers: { "content-type": "text/event-stream; charset=utf-8" } }),
    });
  }

  test("ChatCompletionStream assembles text, reasoning-free message, tool calls and usage", async () => {
    const text = render(
      [
        { type: "start", id: "msg_1", model: "claude" },
        { type: "text_delta", text: "Let me check." },
        { type: "tool_call_start", index: 1, id: "toolu_A", name: "get_weather" },
        { type: "tool_call_delta", index: 1, arguments: '{"city":"Paris"}' },
        { type: "tool_call_end", index: 1 },
        { type: "finish", reason: "tool_calls" },
        { type: "usage", usage },
      ],
      true,
    );
    const final = await sdkOver(text)
      .chat.completions.stream({ model: "client/model", messages: [{ role: "user", content: "x" }], stream_options: { include_usage: true } })
      .finalChatCompletion();
    expect(final.choices[0]!.finish_reason).toBe("tool_calls");
    expect(final.choices[0]!.message.content).toBe("Let me check.");
    expect(final.choices[0]!.message.tool_calls).toEqual([{ id: "toolu_A", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }] as any);
    expect(final.usage?.total_tokens).toBe(29);
    expect(final.model).toBe("client/model");
  });

  test("an in-stream error makes the SDK throw an APIError", async () => {
    const w = createOpenAiChatStreamWriter({ requestedModel: "m", includeUsage: false });
    const text = w.write({ type: "text_delta", text: "a" }) + w.error(new GatewayError(502, "upstream_bad_response", "cut"));
    const stream = await sdkOver(text).chat.completions.create({ model: "m", messages: [{ role: "user", content: "x" }], stream: true });
    const err = await (async () => {
      for await (const _ of stream);
    })().then(
      () => null,
      (e) => e,
    );
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect(err.message).toContain("cut");
  });
});
