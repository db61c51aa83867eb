import { describe, expect, test } from "bun:test";
import { GatewayError } from "../../../src/errors.ts";
import type { CanonicalResponse } from "../../../src/formats/canonical.ts";
import { canonicalToOpenAiChatResponse, openAiChatResponseToCanonical } from "../../../src/formats/openai-chat/response.ts";
import { fixtureJson } from "./helpers.ts";

const ctx = { requestedModel: "anthropic/claude-sonnet-4-5", includeUsage: false };

describe("openAiChatResponseToCanonical", () => {
  test("plain completion (recorded)", async () => {
    const res = openAiChatResponseToCanonical(await fixtureJson("completion-plain.json"));
    expect(res).toEqual({
      id: "chatcmpl-BTxzRFcnu9JuXIVsmO0LY3d0zjVkE",
      model: "gpt-4o-mini-2024-07-18",
      content: [{ type: "text", text: "Bonjour ! Comment puis-je vous aider aujourd'hui ?" }],
      finishReason: "stop",
      usage: { promptTokens: 14, completionTokens: 12, totalTokens: 26, cachedTokens: 0, reasoningTokens: 0 },
      created: 1746532953,
    });
  });

  test("parallel tool calls (recorded)", async () => {
    const res = openAiChatResponseToCanonical(await fixtureJson("completion-tool-call.json"));
    expect(res.content).toEqual([
      { type: "tool_call", id: "call_8ZzG3yLuQWxC2kDm0Vf1Hq7B", name: "get_weather", arguments: '{"city":"Paris"}' },
      { type: "tool_call", id: "call_Xn4TqR9bJ2mKpL6wYe0sAa3D", name: "get_weather", arguments: '{"city":"Tokyo"}' },
    ]);
    expect(res.finishReason).toBe("tool_calls");
    expect(res.usage.cachedTokens).toBe(64);
  });

  test("DeepSeek reasoning_content and OpenRouter reasoning become thinking (first)", () => {
    const ds = openAiChatResponseToCanonical({
      id: "4f8e2c1a",
      object: "chat.completion",
      model: "deepseek-reasoner",
      choices: [{ index: 0, message: { role: "assistant", content: "9.8", reasoning_content: "compare decimals" }, finish_reason: "stop" }],
      usage: { prompt_tokens: 10, completion_tokens: 20, total_tokens: 30, prompt_cache_hit_tokens: 4, completion_tokens_details: { reasoning_tokens: 15 } },
    });
    expect(ds.content).toEqual([
      { type: "thinking", text: "compare decimals" },
      { type: "text", text: "9.8" },
    ]);
    expect(ds.usage).toEqual({ promptTokens: 10, completionTokens: 20, totalTokens: 30, cachedTokens: 4, reasoningTokens: 15 });
    const or = openAiChatResponseToCanonical({ choices: [{ message: { content: "hi", reasoning: "r", reasoning_content: null }, finish_reason: "stop" }] });
    expect(or.content[0]).toEqual({ type: "thinking", text: "r" });
  });

  test("finish reasons: length, content_filter, legacy function_call, stop-with-tool-calls", () => {
    const one = (message: object, finish_reason: unknown) => openAiChatResponseToCanonical({ choices: [{ index: 0, message, finish_reason }] });
    expect(one({ content: "x" }, "length").finishReason).toBe("length");
    expect(one({ content: "" }, "content_filter").finishReason).toBe("content_filter");
    const legacy = one({ content: null, function_call: { name: "f", arguments: "{}" } }, "function_call");
    expect(legacy.finishReason).toBe("tool_calls");
    expect(legacy.content[0]).toMatchObject({ type: "tool_call", name: "f", arguments: "{}" });
    // Ollama's OpenAI layer says "stop" after a tool call.
    expect(one({ content: "", tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: { a: 1 } } }] }, "stop")).toMatchObject({
      finishReason: "tool_calls",
      content: [{ type: "tool_call", id: "c", name: "f", arguments: '{"a":1}' }],
    });
    expect(one({ content: null, refusal: "I can't help with that." }, "stop").content).toEqual([{ type: "text", text: "I can't help with that." }]);
  });

  test("a 200 carrying {error} and a body without choices are upstream errors", () => {
    expect(() => openAiChatResponseToCanonical({ error: { message: "Provider returned error", code: 429 } })).toThrow(GatewayError);
    try {
      openAiChatResponseToCanonical({ error: { message: "Provider returned error", code: 429 } });
    } catch (e) {
      expect((e as GatewayError).status).toBe(429);
      expect((e as GatewayError).message).toBe("Provider returned error");
    }
    expect(() => openAiChatResponseToCanonical({ object: "list" })).toThrow(/no choices/);
    expect(() => openAiChatResponseToCanonical("<html>")).toThrow(GatewayError);
  });
});

describe("canonicalToOpenAiChatResponse", () => {
  const usage = { promptTokens: 30, completionTokens: 12, totalTokens: 42, cachedTokens: 8, reasoningTokens: 5 };

  test("text + thinking: exact chat.completion object", () => {
    const res: CanonicalResponse = {
      id: "msg_01XFDUDYJgAACzvnptvVoYEL",
      model: "claude-sonnet-4-5-20250929",
      content: [
        { type: "thinking", text: "Simple greeting.", signature: "sig" },
        { type: "text", text: "Hello" },
        { type: "text", text: " there" },
      ],
      finishReason: "stop",
      usage,
      created: 1746532953,
    };
    const out = canonicalToOpenAiChatResponse(res, ctx);
    expect(out.id).toMatch(/^chatcmpl-[A-Za-z0-9]{29}$/);
    expect(out).toEqual({
      id: out.id,
      object: "chat.completion",
      created: 1746532953,
      model: "anthropic/claude-sonnet-4-5",
      choices: [{ index: 0, message: { role: "assistant", content: "Hello there", reasoning_content: "Simple greeting.", refusal: null }, logprobs: null, finish_reason: "stop" }],
      usage: { prompt_tokens: 30, completion_tokens: 12, total_tokens: 42, prompt_tokens_details: { cached_tokens: 8 }, completion_tokens_details: { reasoning_tokens: 5 } },
    });
    // Field order as api.openai.com sends it (some clients diff raw JSON).
    expect(Object.keys(out)).toEqual(["id", "object", "created", "model", "choices", "usage"]);
    expect(Object.keys(out.choices[0]!.message)).toEqual(["role", "content", "reasoning_content", "refusal"]);
  });

  test("only tool calls: content null, tool_calls, finish tool_calls; a chatcmpl- id is kept", () => {
    const out = canonicalToOpenAiChatResponse(
      {
        id: "chatcmpl-keepme",
        model: "m",
        content: [{ type: "tool_call", id: "toolu_01A", name: "get_weather", arguments: '{"city":"Paris"}' }],
        finishReason: "tool_calls",
        usage: { promptTokens: null, completionTokens: null, totalTokens: null, cachedTokens: null, reasoningTokens: null },
      },
      ctx,
    );
    expect(out.id).toBe("chatcmpl-keepme");
    expect(typeof out.created).toBe("number");
    expect(out.choices[0]).toEqual({
      index: 0,
      message: { role: "assistant", content: null, tool_calls: [{ id: "toolu_01A", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }], refusal: null },
      logprobs: null,
      finish_reason: "tool_calls",
    });
    expect(out.usage).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } });
  });

  test("round trip: recorded completion → canonical → completion keeps what a client reads", async () => {
    const json = await fixtureJson("completion-tool-call.json");
    const out = canonicalToOpenAiChatResponse(openAiChatResponseToCanonical(json), { requestedModel: json.model, includeUsage: false });
    expect(out.id).toBe(json.id);
    expect(out.created).toBe(json.created);
    const { annotations: _a, ...message } = json.choices[0].message;
    expect(out.choices[0]!.message).toEqual(message);
    expect(out.choices[0]!.finish_reason).toBe("tool_calls");
    expect(out.usage.total_tokens).toBe(128);
  });

  test("an error finish is reported as stop (OpenAI has no error finish_reason); length and content_filter kept", () => {
    const mk = (finishReason: CanonicalResponse["finishReason"]) =>
      canonicalToOpenAiChatResponse({ id: "", model: "", content: [], finishReason, usage }, ctx).choices[0]!;
    expect(mk("error").finish_reason).toBe("stop");
    expect(mk("length").finish_reason).toBe("length");
    expect(mk("content_filter").finish_reason).toBe("content_filter");
    expect(mk("stop").message.content).toBe("");
  });
});
