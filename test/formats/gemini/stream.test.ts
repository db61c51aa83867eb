import { describe, expect, test } from "bun:test";
import { GatewayError } from "../../../src/errors.ts";
import type { StreamEvent } from "../../../src/formats/canonical.ts";
import { createGeminiStreamReader, createGeminiStreamWriter, geminiClient, geminiRequestToCanonical } from "../../../src/formats/gemini/index.ts";
import { splitEvery as split } from "../../support/stream-splits.ts";

const bytes = async (name: string) => new Uint8Array(await Bun.file(new URL(`../../fixtures/gemini/${name}`, import.meta.url)).arrayBuffer());
const SSE = await bytes("stream-text.sse");
const ARRAY = await bytes("stream-text.array.json");
const THINKING = await bytes("stream-thinking.sse");

function read(parts: Uint8Array[]): StreamEvent[] {
  const r = createGeminiStreamReader();
  const ev: StreamEvent[] = [];
  for (const p of parts) ev.push(...r.push(p));
  ev.push(...r.end());
  return ev;
}

/** Adjacent deltas of one kind joined, so that event lists compare whatever the splitting. */
function normalize(events: StreamEvent[]): StreamEvent[] {
  const out: StreamEvent[] = [];
  for (const e of events) {
    const last = out.at(-1);
    if (last && e.type === last.type && (e.type === "text_delta" || e.type === "reasoning_delta")) (last as any).text += e.text;
    else out.push({ ...e });
  }
  return out;
}

/** A deterministic pseudo-random sequence of chunk sizes. */
function randomSizes(seed: number, count: number, max: number): number[] {
  let x = seed;
  return Array.from({ length: count }, () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return 1 + (x % max);
  });
}

const TEXT_EVENTS: StreamEvent[] = [
  { type: "start", id: "IZI2acSKMoWl0-kPmYj2yQc", model: "gemini-2.5-flash" },
  { type: "text_delta", text: "Voilà la città" },
  { type: "usage", usage: { promptTokens: 7, completionTokens: 25, totalTokens: 32, cachedTokens: null, reasoningTokens: 21 } },
  { type: "text_delta", text: " 🌍 <b>belle</b>, " },
  { type: "usage", usage: { promptTokens: 7, completionTokens: 30, totalTokens: 37, cachedTokens: null, reasoningTokens: 21 } },
  { type: "text_delta", text: "n’est-ce pas ?" },
  { type: "usage", usage: { promptTokens: 7, completionTokens: 35, totalTokens: 42, cachedTokens: null, reasoningTokens: 21 } },
  { type: "finish", reason: "stop" },
];

describe("Gemini stream reader", () => {
  for (const [name, data] of [["SSE", SSE], ["JSON array", ARRAY]] as const) {
    test(`${name}: whole transcript`, () => {
      expect(read([data])).toEqual(TEXT_EVENTS);
    });

    test(`${name}: split at every size 1..40`, () => {
      for (let n = 1; n <= 40; n++) expect(normalize(read(split(data, [n])))).toEqual(TEXT_EVENTS);
    });

    test(`${name}: split at random sizes`, () => {
      for (let seed = 1; seed <= 30; seed++) expect(normalize(read(split(data, randomSizes(seed, 64, 23))))).toEqual(TEXT_EVENTS);
    });
  }

  test("SSE with LF-only or CR-only line endings and a final event without a blank line", () => {
    const text = new TextDecoder().decode(SSE);
    for (const eol of ["\n", "\r"]) {
      const data = new TextEncoder().encode(text.replaceAll("\r\n", eol).replace(/\s+$/, ""));
      for (const n of [1, 2, 5, 64]) expect(normalize(read(split(data, [n])))).toEqual(TEXT_EVENTS);
    }
  });

  test("thinking stream: reasoning, its signature before the answer, a signed function call, tool_calls", () => {
    const expected: any[] = [
      { type: "start", id: "b5NoaJmGH8S91MkP-Ny2oQk", model: "gemini-2.5-pro" },
      { type: "reasoning_delta", text: "**Checking the weather**\n\nThe user wants Paris" },
      { type: "usage", usage: { promptTokens: 40, completionTokens: 55, totalTokens: 40, cachedTokens: null, reasoningTokens: 55 } },
      { type: "reasoning_delta", text: "; I'll call the tool." },
      { type: "usage", usage: { promptTokens: 40, completionTokens: 88, totalTokens: 40, cachedTokens: null, reasoningTokens: 88 } },
      { type: "reasoning_signature", signature: "CiQBcsjafD1x8G0s6pV3Gv7y0Zr0F2t6mNqkJ3mB1uQpWz9Hc4EKXgFyyNp8Wb1oR2tF" },
      { type: "text_delta", text: "Let me check." },
      { type: "usage", usage: { promptTokens: 40, completionTokens: 91, totalTokens: 131, cachedTokens: null, reasoningTokens: 88 } },
      { type: "tool_call_start", index: 0, id: "", name: "get_weather" },
      { type: "tool_call_delta", index: 0, arguments: '{"city":"Paris"}' },
      { type: "tool_call_end", index: 0, signature: "" },
      { type: "usage", usage: { promptTokens: 40, completionTokens: 106, totalTokens: 146, cachedTokens: null, reasoningTokens: 88 } },
      { type: "finish", reason: "tool_calls" },
    ];
    for (const sizes of [[THINKING.length], ...Array.from({ length: 40 }, (_, i) => [i + 1]), randomSizes(9, 50, 31)]) {
      const ev = read(split(THINKING, sizes));
      const start = ev.find((e) => e.type === "tool_call_start") as any;
      const end = ev.find((e) => e.type === "tool_call_end") as any;
      expect(start.id).toMatch(/^call_[A-Za-z0-9]{24}$/);
      expect(end.signature).toMatch(/^CtgB/);
      expect(ev.map((e) => (e.type === "tool_call_start" ? { ...e, id: "" } : e.type === "tool_call_end" ? { ...e, signature: "" } : e))).toEqual(expected);
    }
  });

  test("an in-stream error object becomes an error event (both framings)", () => {
    const err = { error: { code: 503, message: "The model is overloaded. Please try again later.", status: "UNAVAILABLE" } };
    const expected = { type: "error", message: err.error.message, status: 503, code: "UNAVAILABLE" };
    expect(read([new TextEncoder().encode(`data: ${JSON.stringify(err)}\r\n\r\n`)])).toEqual([expected as StreamEvent]);
    expect(read([new TextEncoder().encode(`[${JSON.stringify(err, null, 2)}\r\n]`)])).toEqual([expected as StreamEvent]);
  });

  test("comments and blank keep-alive lines are ignored; garbage and torn arrays are reported", () => {
    const sse = new TextEncoder().encode(`: keep-alive\r\n\r\n\r\n${new TextDecoder().decode(SSE)}\r\n`);
    expect(read(split(sse, [7]))).toEqual(read([SSE]));
    const html = read([new TextEncoder().encode("<html><body>502 Bad Gateway</body></html>")]);
    expect(html).toEqual([{ type: "error", message: "the upstream stream contained no Gemini response", status: 502 }]);
    const torn = read([ARRAY.subarray(0, ARRAY.length - 200)]);
    expect(torn.at(-1)).toEqual({ type: "error", message: "the upstream stream ended inside a response", status: 502 });
    expect(read([new TextEncoder().encode("  \r\n")])).toEqual([]);
  });

  test("a blocked prompt finishes as content_filter", () => {
    const ev = read([new TextEncoder().encode(`data: ${JSON.stringify({ promptFeedback: { blockReason: "PROHIBITED_CONTENT" }, usageMetadata: { promptTokenCount: 5, totalTokenCount: 5 } })}\r\n\r\n`)]);
    expect(ev.at(-1)).toEqual({ type: "finish", reason: "content_filter" });
  });
});

const ROUND_TRIP: StreamEvent[] = [
  { type: "start", id: "rid-123", model: "gemini-2.5-flash" },
  { type: "reasoning_delta", text: "Let me think." },
  { type: "reasoning_signature", signature: "c2lnLWZha2UtMQ==" },
  { type: "text_delta", text: "Voilà " },
  { type: "text_delta", text: "la città 🌍" },
  { type: "tool_call_start", index: 0, id: "call_A", name: "get_weather" },
  { type: "tool_call_delta", index: 0, arguments: '{"city":"Paris"}' },
  { type: "tool_call_end", index: 0, signature: "Q0FGRQ==" },
  { type: "tool_call_start", index: 1, id: "call_B", name: "get_time" },
  { type: "tool_call_delta", index: 1, arguments: "{}" },
  { type: "tool_call_end", index: 1 },
  { type: "usage", usage: { promptTokens: 10, completionTokens: 7, totalTokens: 17, cachedTokens: 2, reasoningTokens: 3 } },
  { type: "finish", reason: "tool_calls" },
];

function write(events: StreamEvent[], sse: boolean): string {
  const w = createGeminiStreamWriter({ requestedModel: "gemini-2.5-flash", includeUsage: true, sse });
  return events.map((e) => w.write(e)).join("") + w.end();
}

describe("Gemini stream writer", () => {
  test("SSE: one `data:` event per chunk, finishReason and usage on the last", () => {
    const out = write(ROUND_TRIP, true);
    const events = out.split("\r\n\r\n");
    expect(events.at(-1)).toBe("");
    const chunks = events.slice(0, -1).map((e) => {
      expect(e.startsWith("data: ")).toBe(true);
      return JSON.parse(e.slice(6));
    });
    expect(chunks.map((c) => c.candidates[0].content.parts)).toEqual([
      [{ text: "Let me think.", thought: true }],
      [{ text: "Voilà ", thoughtSignature: "c2lnLWZha2UtMQ==" }],
      [{ text: "la città 🌍" }],
      [{ functionCall: { id: "call_A", name: "get_weather", args: { city: "Paris" } }, thoughtSignature: "Q0FGRQ==" }],
      [{ functionCall: { id: "call_B", name: "get_time", args: {} } }],
      [{ text: "" }],
    ]);
    expect(chunks.at(-1)).toEqual({
      candidates: [{ content: { parts: [{ text: "" }], role: "model" }, finishReason: "STOP", index: 0 }],
      usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 4, totalTokenCount: 17, cachedContentTokenCount: 2, thoughtsTokenCount: 3 },
      modelVersion: "gemini-2.5-flash",
      responseId: "rid-123",
    });
    expect(chunks[0]).toEqual({ candidates: [{ content: { parts: [{ text: "Let me think.", thought: true }], role: "model" }, index: 0 }], modelVersion: "gemini-2.5-flash", responseId: "rid-123" });
  });

  test("JSON array: `[` then `\\r\\n,\\r\\n` between pretty-printed elements, `\\r\\n]` at the end; valid JSON", () => {
    const out = write(ROUND_TRIP, false);
    expect(out.startsWith('[{\n  "candidates": [')).toBe(true);
    expect(out.endsWith("}\r\n]")).toBe(true);
    expect(out.split("\r\n,\r\n")).toHaveLength(6);
    const arr = JSON.parse(out);
    expect(arr).toHaveLength(6);
    expect(arr[5].candidates[0].finishReason).toBe("STOP");
    expect(write([], false)).toBe("[]");
    expect(JSON.parse(write([{ type: "finish", reason: "length" }], false))[0].candidates[0].finishReason).toBe("MAX_TOKENS");
  });

  for (const sse of [true, false]) {
    test(`writer → reader round trip (${sse ? "SSE" : "JSON array"})`, () => {
      const text = write(ROUND_TRIP, sse);
      const data = new TextEncoder().encode(text);
      for (const sizes of [[data.length], [1], [2], [7], randomSizes(3, 80, 40)]) {
        expect(normalize(read(split(data, sizes)))).toEqual(normalize(ROUND_TRIP));
      }
    });
  }

  test("content type, keep-alive and errors follow the framing", () => {
    expect(geminiClient.streamContentType({ requestedModel: "m", includeUsage: true, sse: true })).toBe("text/event-stream");
    expect(geminiClient.streamContentType({ requestedModel: "m", includeUsage: true })).toBe("application/json; charset=UTF-8");
    const sse = createGeminiStreamWriter({ requestedModel: "m", includeUsage: true, sse: true });
    expect(sse.keepAlive()).toBe("\r\n");
    expect(createGeminiStreamWriter({ requestedModel: "m", includeUsage: true }).keepAlive()).toBeNull();

    const err = new GatewayError(429, "rate_limited", "slow down");
    const body = { error: { code: 429, message: "slow down", status: "RESOURCE_EXHAUSTED" } };
    expect(sse.write({ type: "text_delta", text: "a" }).startsWith("data: ")).toBe(true);
    expect(sse.error(err)).toBe(`data: ${JSON.stringify(body)}\r\n\r\n`);
    expect(sse.error(err)).toBe("");
    expect(sse.end()).toBe("");

    const arr = createGeminiStreamWriter({ requestedModel: "m", includeUsage: true });
    const text = arr.write({ type: "text_delta", text: "a" }) + arr.write({ type: "error", message: "slow down", status: 429 }) + arr.end();
    const parsed = JSON.parse(text);
    expect(parsed[1]).toEqual(body);
    const early = createGeminiStreamWriter({ requestedModel: "m", includeUsage: true });
    expect(JSON.parse(early.error(err))).toEqual([body]);
  });

  test("an error after end() still reaches an SSE client; a closed array stays valid JSON", () => {
    const err = new GatewayError(502, "upstream_bad_response", "cut");
    const sse = createGeminiStreamWriter({ requestedModel: "m", includeUsage: true, sse: true });
    const sseText = sse.write({ type: "text_delta", text: "a" }) + sse.end() + sse.error(err);
    expect(sseText.endsWith(`data: ${JSON.stringify({ error: { code: 502, message: "cut", status: "UNAVAILABLE" } })}\r\n\r\n`)).toBe(true);
    // No finish was seen: the last chunk claims no finishReason.
    expect(sseText).not.toContain("finishReason");
    const arr = createGeminiStreamWriter({ requestedModel: "m", includeUsage: true });
    const arrText = arr.write({ type: "text_delta", text: "a" }) + arr.end() + arr.error(err);
    expect(JSON.parse(arrText)).toHaveLength(1);
  });

  test("a missing start gets an id; a signature with nothing after it ends on an empty text part", () => {
    const out = write([{ type: "text_delta", text: "hi" }, { type: "reasoning_signature", signature: "U0lH" }, { type: "finish", reason: "stop" }], true);
    const chunks = out.split("\r\n\r\n").filter(Boolean).map((e) => JSON.parse(e.slice(6)));
    expect(chunks[0].responseId).toMatch(/^[A-Za-z0-9_-]{23}$/);
    expect(chunks[1].responseId).toBe(chunks[0].responseId);
    expect(chunks[1].candidates[0]).toEqual({ content: { parts: [{ text: "", thoughtSignature: "U0lH" }], role: "model" }, finishReason: "STOP", index: 0 });
  });

  test("reasoning signed before a function call comes back on the reasoning, not on the call", () => {
    // Anthropic: a signed thinking block, then tool_use. The history a Gemini chat keeps (one
    // model turn per streamed chunk) must read back as that thinking block, signature included.
    const events: StreamEvent[] = [
      { type: "start", id: "r", model: "claude" },
      { type: "reasoning_delta", text: "Let " },
      { type: "reasoning_delta", text: "me think." },
      { type: "reasoning_signature", signature: "sig-fake-1" },
      { type: "tool_call_start", index: 0, id: "toolu_1", name: "get_weather" },
      { type: "tool_call_delta", index: 0, arguments: '{"city":"Paris"}' },
      { type: "tool_call_end", index: 0 },
      { type: "finish", reason: "tool_calls" },
    ];
    const chunks = write(events, true).split("\r\n\r\n").filter(Boolean).map((e) => JSON.parse(e.slice(6)));
    expect(chunks[2].candidates[0].content.parts).toEqual([
      { text: "", thought: true, thoughtSignature: "sig-fake-1" },
      { functionCall: { id: "toolu_1", name: "get_weather", args: { city: "Paris" } } },
    ]);
    const history = chunks.map((c) => c.candidates[0].content);
    const back = geminiRequestToCanonical({ contents: [{ role: "user", parts: [{ text: "weather?" }] }, ...history] });
    expect(back.messages[1]!.content).toEqual([
      { type: "thinking", text: "Let me think.", signature: "sig-fake-1" },
      { type: "tool_call", id: "toolu_1", name: "get_weather", arguments: '{"city":"Paris"}' },
    ]);
    // A call's own signature (Gemini 3) stays on the call.
    const own = write([{ type: "tool_call_start", index: 0, id: "c", name: "f" }, { type: "tool_call_end", index: 0, signature: "Q0FG" }], true);
    expect(JSON.parse(own.split("\r\n\r\n")[0]!.slice(6)).candidates[0].content.parts).toEqual([{ functionCall: { id: "c", name: "f", args: {} }, thoughtSignature: "Q0FG" }]);
  });

  test("usage known early is repeated on every chunk, as Google does", () => {
    const usage = { promptTokens: 5, completionTokens: null, totalTokens: null, cachedTokens: null, reasoningTokens: null };
    const out = write([{ type: "start", id: "r", model: "x", usage }, { type: "text_delta", text: "a" }, { type: "finish", reason: "stop" }], true);
    const chunks = out.split("\r\n\r\n").filter(Boolean).map((e) => JSON.parse(e.slice(6)));
    expect(chunks.map((c) => c.usageMetadata)).toEqual([{ promptTokenCount: 5 }, { promptTokenCount: 5 }]);
  });
});
