import { describe, expect, test } from "bun:test";
import type { StreamEvent } from "../../../src/formats/canonical.ts";
import { createOpenAiChatStreamReader } from "../../../src/formats/openai-chat/stream.ts";
import { coalesce, enc, fixtureBytes, readAll, splitEvery, splitRandom } from "./helpers.ts";

const read = (bytes: Uint8Array, parts?: Uint8Array[]) => readAll(createOpenAiChatStreamReader(), parts ?? [bytes]);
const readText = (text: string) => read(enc(text));

// Expected canonical events of each recorded stream (deltas coalesced).
const CASES: Record<string, StreamEvent[]> = {
  "stream-with-usage.sse": [
    { type: "start", id: "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG", model: "gpt-4o-2024-08-06" },
    { type: "text_delta", text: "Ciao — città 🌍" },
    { type: "finish", reason: "stop" },
    { type: "usage", usage: { promptTokens: 19, completionTokens: 10, totalTokens: 29, cachedTokens: 4, reasoningTokens: 2 } },
  ],
  "stream-parallel-tool-calls.sse": [
    { type: "start", id: "chatcmpl-BU0mXk2c9FvTqL1sYh7RdWnP3aZeG", model: "gpt-4.1-2025-04-14" },
    { type: "tool_call_start", index: 0, id: "call_8ZzG3yLuQWxC2kDm0Vf1Hq7B", name: "get_weather" },
    { type: "tool_call_delta", index: 0, arguments: '{"city": "Paris"}' },
    { type: "tool_call_start", index: 1, id: "call_Xn4TqR9bJ2mKpL6wYe0sAa3D", name: "get_weather" },
    { type: "tool_call_delta", index: 1, arguments: '{"city": "Tokyo"}' },
    { type: "tool_call_end", index: 0 },
    { type: "tool_call_end", index: 1 },
    { type: "finish", reason: "tool_calls" },
    { type: "usage", usage: { promptTokens: 82, completionTokens: 46, totalTokens: 128, cachedTokens: 64, reasoningTokens: 0 } },
  ],
  "stream-deepseek-reasoning.sse": [
    { type: "start", id: "4f8e2c1a-7b3d-4e9f-a1c2-5d6e7f8a9b0c", model: "deepseek-reasoner" },
    { type: "reasoning_delta", text: "Compare 9.11 and 9.8: 0.11 < 0.8, so 9.8 is larger — 明白." },
    { type: "text_delta", text: "9.8 is greater than 9.11. ✅" },
    { type: "finish", reason: "stop" },
    { type: "usage", usage: { promptTokens: 16, completionTokens: 41, totalTokens: 57, cachedTokens: 0, reasoningTokens: 28 } },
  ],
  "stream-openrouter-reasoning.sse": [
    { type: "start", id: "gen-1747213456-Qx7LmN2pR4sT6uV8wY0z", model: "deepseek/deepseek-r1" },
    { type: "reasoning_delta", text: "The user greets me in French; reply politely." },
    { type: "text_delta", text: "Bonjour ! Ça va ?" },
    { type: "finish", reason: "stop" },
    { type: "usage", usage: { promptTokens: 11, completionTokens: 24, totalTokens: 35, cachedTokens: 0, reasoningTokens: 17 } },
  ],
};

describe.each(Object.keys(CASES))("reader on recorded %s", (name) => {
  test("whole input gives the expected events", async () => {
    expect(coalesce(read(await fixtureBytes(name)))).toEqual(CASES[name]!);
  });

  test("same events at every split size 1..40 and at random splits", async () => {
    const bytes = await fixtureBytes(name);
    const reference = read(bytes);
    for (let size = 1; size <= 40; size++) expect(read(bytes, splitEvery(bytes, size))).toEqual(reference);
    for (let seed = 1; seed <= 30; seed++) expect(read(bytes, splitRandom(bytes, seed))).toEqual(reference);
  });

  test("CRLF line endings and missing blank lines between events", async () => {
    const text = new TextDecoder().decode(await fixtureBytes(name));
    const reference = read(enc(text));
    const crlf = enc(text.replaceAll("\n", "\r\n"));
    for (const size of [1, 2, 3, 7, 64]) expect(read(crlf, splitEvery(crlf, size))).toEqual(reference);
    const tight = enc(text.replaceAll("\n\n", "\n"));
    for (const size of [1, 5, 33]) expect(read(tight, splitEvery(tight, size))).toEqual(reference);
  });
});

const chunk = (delta: object, finish: string | null = null, extra: object = {}) =>
  `data: ${JSON.stringify({ id: "chatcmpl-x", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`;

describe("reader edge cases", () => {
  test("parallel calls interleaved by index keep their own arguments", () => {
    const events = readText(
      chunk({ role: "assistant", tool_calls: [{ index: 0, id: "call_a", type: "function", function: { name: "a", arguments: "" } }, { index: 1, id: "call_b", type: "function", function: { name: "b", arguments: "" } }] }) +
        chunk({ tool_calls: [{ index: 1, function: { arguments: '{"y"' } }] }) +
        chunk({ tool_calls: [{ index: 0, function: { arguments: '{"x"' } }] }) +
        chunk({ tool_calls: [{ index: 1, function: { arguments: ":2}" } }, { index: 0, function: { arguments: ":1}" } }] }) +
        chunk({}, "tool_calls") +
        "data: [DONE]\n\n",
    );
    const args = (i: number) => events.filter((e) => e.type === "tool_call_delta" && e.index === i).map((e) => (e as { arguments: string }).arguments).join("");
    expect(args(0)).toBe('{"x":1}');
    expect(args(1)).toBe('{"y":2}');
    expect(events.filter((e) => e.type === "tool_call_end")).toEqual([
      { type: "tool_call_end", index: 0 },
      { type: "tool_call_end", index: 1 },
    ]);
    expect(events.at(-1)).toEqual({ type: "finish", reason: "tool_calls" });
  });

  test("servers that omit index, or put every call at index 0 with new ids", () => {
    const noIndex = readText(
      chunk({ tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: '{"a":' } }] }) +
        chunk({ tool_calls: [{ function: { arguments: "1}" } }] }) +
        chunk({ tool_calls: [{ id: "c2", type: "function", function: { name: "g", arguments: "{}" } }] }) +
        chunk({}, "stop"),
    );
    expect(coalesce(noIndex).filter((e) => e.type.startsWith("tool_call"))).toEqual([
      { type: "tool_call_start", index: 0, id: "c1", name: "f" },
      { type: "tool_call_delta", index: 0, arguments: '{"a":1}' },
      { type: "tool_call_start", index: 1, id: "c2", name: "g" },
      { type: "tool_call_delta", index: 1, arguments: "{}" },
      { type: "tool_call_end", index: 0 },
      { type: "tool_call_end", index: 1 },
    ]);
    // "stop" after tool calls (Ollama, older vLLM) is a tool_calls finish.
    expect(noIndex.at(-1)).toEqual({ type: "finish", reason: "tool_calls" });

    const allZero = readText(
      chunk({ tool_calls: [{ index: 0, id: "c1", function: { name: "f", arguments: "{}" } }] }) + chunk({ tool_calls: [{ index: 0, id: "c2", function: { name: "g", arguments: "{}" } }] }) + chunk({}, "tool_calls"),
    );
    expect(allZero.filter((e) => e.type === "tool_call_start")).toEqual([
      { type: "tool_call_start", index: 0, id: "c1", name: "f" },
      { type: "tool_call_start", index: 1, id: "c2", name: "g" },
    ]);
  });

  test("a tool call without id gets a generated call_ id; arguments sent as an object are serialised", () => {
    const events = readText(chunk({ tool_calls: [{ index: 0, function: { name: "f", arguments: { a: 1 } } }] }) + chunk({}, "tool_calls"));
    const start = events.find((e) => e.type === "tool_call_start") as { id: string };
    expect(start.id).toMatch(/^call_[A-Za-z0-9]{24}$/);
    expect(events.find((e) => e.type === "tool_call_delta")).toEqual({ type: "tool_call_delta", index: 0, arguments: '{"a":1}' });
  });

  test("legacy streamed function_call", () => {
    const events = coalesce(readText(chunk({ role: "assistant", function_call: { name: "f", arguments: "" } }) + chunk({ function_call: { arguments: '{"q":1}' } }) + chunk({}, "function_call")));
    expect(events.slice(1)).toMatchObject([
      { type: "tool_call_start", index: 0, name: "f" },
      { type: "tool_call_delta", index: 0, arguments: '{"q":1}' },
      { type: "tool_call_end", index: 0 },
      { type: "finish", reason: "tool_calls" },
    ]);
  });

  test("both reasoning_content and reasoning with the same text are read once", () => {
    const events = readText(chunk({ reasoning_content: "abc", reasoning: "abc" }) + chunk({}, "stop"));
    expect(events.filter((e) => e.type === "reasoning_delta")).toEqual([{ type: "reasoning_delta", text: "abc" }]);
  });

  test("an in-stream error object is an error event, with no invented finish", () => {
    const events = readText(chunk({ content: "par" }) + 'data: {"error":{"message":"The server had an error","type":"server_error","param":null,"code":null}}\n\n');
    expect(events).toEqual([
      { type: "start", id: "chatcmpl-x", model: "m" },
      { type: "text_delta", text: "par" },
      { type: "error", message: "The server had an error", code: "server_error" },
    ]);
  });

  test("OpenRouter mid-stream error (numeric code, finish_reason error)", () => {
    const events = readText(chunk({ content: "a" }) + chunk({ content: "" }, "error", { error: { code: 502, message: "Provider disconnected" } }) + "data: [DONE]\n\n");
    expect(events.slice(2)).toEqual([{ type: "error", message: "Provider disconnected", status: 502 }]);
  });

  test("[DONE] without a finish_reason still finishes; a cut stream does not", () => {
    expect(readText(chunk({ content: "a" }) + "data: [DONE]\n\n").at(-1)).toEqual({ type: "finish", reason: "stop" });
    expect(readText(chunk({ content: "a" })).map((e) => e.type)).toEqual(["start", "text_delta"]);
  });

  test("a last event without a trailing newline is flushed at end()", () => {
    const text = chunk({ content: "a" }) + 'data: {"choices":[{"index":0,"delta":{},"finish_reason":"length"}]}';
    expect(readText(text).at(-1)).toEqual({ type: "finish", reason: "length" });
  });

  test("Groq's x_groq usage, usage repeated unchanged is reported once", () => {
    const u = { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 };
    const events = readText(chunk({ content: "a" }, null, { usage: u }) + chunk({}, "stop", { usage: u }) + chunk({}, null, { x_groq: { id: "req_1", usage: { ...u, completion_tokens: 3, total_tokens: 8 } } }));
    expect(events.filter((e) => e.type === "usage").map((e) => (e as { usage: { completionTokens: number } }).usage.completionTokens)).toEqual([2, 3]);
  });

  test("comments, empty data lines, non-JSON noise and other choices are ignored", () => {
    const events = readText(
      ": keep-alive\n\ndata: \n\ndata: not json\n\n" +
        `data: ${JSON.stringify({ id: "i", model: "m", choices: [{ index: 1, delta: { content: "other" } }, { index: 0, delta: { content: "mine" } }] })}\n\n` +
        chunk({}, "stop"),
    );
    expect(events).toEqual([
      { type: "start", id: "i", model: "m" },
      { type: "text_delta", text: "mine" },
      { type: "finish", reason: "stop" },
    ]);
  });

  test("refusal deltas are text; content after finish is ignored", () => {
    const events = readText(chunk({ refusal: "I can't." }) + chunk({}, "stop") + chunk({ content: "late" }));
    expect(events.filter((e) => e.type === "text_delta")).toEqual([{ type: "text_delta", text: "I can't." }]);
  });
});
