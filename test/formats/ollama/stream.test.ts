import { describe, expect, test } from "bun:test";
import { GatewayError } from "../../../src/errors.ts";
import type { StreamEvent } from "../../../src/formats/canonical.ts";
import { createOllamaStreamReader, createOllamaStreamWriter } from "../../../src/formats/ollama/stream.ts";
import { splitEvery as split } from "../../support/stream-splits.ts";

const bytes = async (name: string) => new Uint8Array(await Bun.file(new URL(`../../fixtures/ollama/${name}`, import.meta.url)).arrayBuffer());
const enc = new TextEncoder();
const RFC3339_NANO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/;

function read(chunks: Uint8Array[]): StreamEvent[] {
  const reader = createOllamaStreamReader();
  const events: StreamEvent[] = [];
  for (const c of chunks) events.push(...reader.push(c));
  events.push(...reader.end());
  return events;
}

/** Generated ids differ run to run; everything else must be identical. */
const stable = (events: StreamEvent[]) =>
  events.map((e) => (e.type === "start" ? { ...e, id: "<id>" } : e.type === "tool_call_start" ? { ...e, id: "<id>" } : e));

/** Deterministic pseudo-random sizes (mulberry32), so a failure can be replayed. */
function randomSizes(seed: number, count: number, max: number): number[] {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: count }, () => 1 + Math.floor(next() * max));
}

const CHAT_EVENTS: StreamEvent[] = [
  { type: "start", id: "<id>", model: "llama3.2" },
  { type: "text_delta", text: "The" },
  { type: "text_delta", text: " città" },
  { type: "text_delta", text: " è" },
  { type: "text_delta", text: " bella 🌍" },
  { type: "usage", usage: { promptTokens: 26, completionTokens: 282, totalTokens: 308, cachedTokens: null, reasoningTokens: null } },
  { type: "finish", reason: "stop" },
];

describe("Ollama stream reader", () => {
  test("recorded chat stream, split at every size 1..40 and at random sizes", async () => {
    const data = await bytes("chat-stream.ndjson");
    const whole = stable(read([data]));
    expect(whole).toEqual(CHAT_EVENTS);
    for (let n = 1; n <= 40; n++) expect(stable(read(split(data, [n])))).toEqual(CHAT_EVENTS);
    for (let seed = 1; seed <= 25; seed++) expect(stable(read(split(data, randomSizes(seed, 64, 23))))).toEqual(CHAT_EVENTS);
  });

  test("CRLF line endings and a last line without its newline", async () => {
    const text = new TextDecoder().decode(await bytes("chat-stream.ndjson"));
    const crlf = enc.encode(text.replaceAll("\n", "\r\n").replace(/\r\n$/, ""));
    for (let n = 1; n <= 40; n++) expect(stable(read(split(crlf, [n])))).toEqual(CHAT_EVENTS);
  });

  test("recorded thinking stream", async () => {
    const data = await bytes("thinking-stream.ndjson");
    const expected: StreamEvent[] = [
      { type: "start", id: "<id>", model: "qwen3" },
      { type: "reasoning_delta", text: "Okay" },
      { type: "reasoning_delta", text: ", the user asks how many r’s are in “strawberry”." },
      { type: "text_delta", text: "There are" },
      { type: "text_delta", text: " **3** r’s." },
      { type: "usage", usage: { promptTokens: 18, completionTokens: 41, totalTokens: 59, cachedTokens: null, reasoningTokens: null } },
      { type: "finish", reason: "stop" },
    ];
    for (let n = 1; n <= 40; n++) expect(stable(read(split(data, [n])))).toEqual(expected);
    for (let seed = 100; seed < 110; seed++) expect(stable(read(split(data, randomSizes(seed, 50, 31))))).toEqual(expected);
  });

  test("recorded tool-call stream: whole calls, generated ids, finish tool_calls", async () => {
    const data = await bytes("tool-call-stream.ndjson");
    for (let n = 1; n <= 40; n++) {
      const events = read(split(data, [n]));
      expect(stable(events)).toEqual([
        { type: "start", id: "<id>", model: "qwen3" },
        { type: "reasoning_delta", text: "I should call the weather tool." },
        { type: "tool_call_start", index: 0, id: "<id>", name: "get_current_weather" },
        { type: "tool_call_delta", index: 0, arguments: '{"format":"celsius","location":"Toronto"}' },
        { type: "tool_call_end", index: 0 },
        { type: "tool_call_start", index: 1, id: "<id>", name: "get_time" },
        { type: "tool_call_delta", index: 1, arguments: '{"city":"Toronto"}' },
        { type: "tool_call_end", index: 1 },
        { type: "usage", usage: { promptTokens: 216, completionTokens: 49, totalTokens: 265, cachedTokens: null, reasoningTokens: null } },
        { type: "finish", reason: "tool_calls" },
      ]);
      const ids = events.filter((e) => e.type === "tool_call_start").map((e: any) => e.id);
      for (const id of ids) expect(id).toMatch(/^call_[A-Za-z0-9]{24}$/);
      expect(ids[0]).not.toBe(ids[1]);
    }
  });

  test("an error line mid-stream; no finish is invented for a cut stream", async () => {
    const data = await bytes("error-stream.ndjson");
    for (let n = 1; n <= 40; n++) {
      expect(stable(read(split(data, [n])))).toEqual([
        { type: "start", id: "<id>", model: "llama3.2" },
        { type: "text_delta", text: "Partial" },
        { type: "error", message: "an error was encountered while running the model: unexpected EOF" },
      ]);
    }
    const cut = read([enc.encode('{"model":"m","message":{"role":"assistant","content":"a"},"done":false}\n{"model":"m","mess')]);
    expect(cut.map((e) => e.type)).toEqual(["start", "text_delta", "error"]);
    expect(cut.some((e) => e.type === "finish")).toBe(false);
  });

  test("done_reason length; blank lines are skipped", () => {
    const events = read([enc.encode('\n{"model":"m","message":{"role":"assistant","content":"x"},"done":false}\n\n{"model":"m","message":{"role":"assistant","content":""},"done":true,"done_reason":"length","eval_count":3}\n')]);
    expect(events.at(-1)).toEqual({ type: "finish", reason: "length" });
    expect(events.at(-2)).toEqual({ type: "usage", usage: { promptTokens: null, completionTokens: 3, totalTokens: null, cachedTokens: null, reasoningTokens: null } });
  });
});

describe("Ollama stream writer", () => {
  const ctx = { requestedModel: "anthropic/claude-sonnet-4-5", includeUsage: true };

  test("one object per line, exactly as Ollama writes it", () => {
    const w = createOllamaStreamWriter(ctx);
    const events: StreamEvent[] = [
      { type: "start", id: "msg_1", model: "claude-sonnet-4-5" },
      { type: "reasoning_delta", text: "Hmm." },
      { type: "reasoning_signature", signature: "sig" },
      { type: "text_delta", text: "Hi" },
      { type: "tool_call_start", index: 0, id: "toolu_1", name: "get_weather" },
      { type: "tool_call_delta", index: 0, arguments: '{"city":' },
      { type: "tool_call_delta", index: 0, arguments: '"Paris"}' },
      { type: "tool_call_end", index: 0 },
      { type: "finish", reason: "tool_calls" },
      { type: "usage", usage: { promptTokens: 10, completionTokens: 4, totalTokens: 14, cachedTokens: null, reasoningTokens: null } },
    ];
    let text = "";
    for (const e of events) text += w.write(e);
    text += w.end();
    expect(text.endsWith("\n")).toBe(true);
    const lines = text.trimEnd().split("\n").map((l) => JSON.parse(l));
    for (const l of lines) expect(l.created_at).toMatch(RFC3339_NANO);
    const noTime = lines.map(({ created_at, ...rest }) => rest);
    const model = "anthropic/claude-sonnet-4-5";
    expect(noTime).toEqual([
      { model, message: { role: "assistant", content: "", thinking: "Hmm." }, done: false },
      { model, message: { role: "assistant", content: "Hi" }, done: false },
      { model, message: { role: "assistant", content: "", tool_calls: [{ function: { index: 0, name: "get_weather", arguments: { city: "Paris" } } }] }, done: false },
      {
        model,
        message: { role: "assistant", content: "" },
        done_reason: "stop",
        done: true,
        total_duration: 0,
        load_duration: 0,
        prompt_eval_count: 10,
        prompt_eval_duration: 0,
        eval_count: 4,
        eval_duration: 0,
      },
    ]);
    expect(Object.keys(lines.at(-1))).toEqual(["model", "created_at", "message", "done_reason", "done", "total_duration", "load_duration", "prompt_eval_count", "prompt_eval_duration", "eval_count", "eval_duration"]);
    expect(w.end()).toBe("");
  });

  test("keep-alive is null; error() is one {error} line and closes the stream", () => {
    const w = createOllamaStreamWriter(ctx);
    expect(w.keepAlive()).toBeNull();
    w.write({ type: "text_delta", text: "a" });
    expect(w.error(new GatewayError(502, "upstream_error", "upstream died"))).toBe('{"error":"upstream died"}\n');
    expect(w.write({ type: "text_delta", text: "b" })).toBe("");
    expect(w.end()).toBe("");
  });

  test("an in-stream error event becomes the {error} line and end() adds nothing", () => {
    const w = createOllamaStreamWriter(ctx);
    expect(w.write({ type: "error", message: "overloaded" })).toBe('{"error":"overloaded"}\n');
    expect(w.end()).toBe("");
  });

  test("missing start, length finish, a tool call never ended is still sent", () => {
    const w = createOllamaStreamWriter({ requestedModel: "", includeUsage: false });
    let text = w.write({ type: "tool_call_start", index: 3, id: "x", name: "f" }) + w.write({ type: "tool_call_delta", index: 3, arguments: "{}" });
    text += w.write({ type: "finish", reason: "length" }) + w.end();
    const lines = text.trimEnd().split("\n").map((l) => JSON.parse(l));
    expect(lines[0].message.tool_calls).toEqual([{ function: { index: 0, name: "f", arguments: {} } }]);
    expect(lines[1]).toMatchObject({ done: true, done_reason: "length", prompt_eval_count: 0, eval_count: 0 });
  });

  test("writer → reader round trip (split at every size) gives the same events", () => {
    const events: StreamEvent[] = [
      { type: "start", id: "x", model: "m" },
      { type: "reasoning_delta", text: "Thinking about “ünïcödé” 🤔" },
      { type: "text_delta", text: "Answer: " },
      { type: "text_delta", text: "città 🌍\nnext line" },
      { type: "tool_call_start", index: 0, id: "a", name: "get_weather" },
      { type: "tool_call_delta", index: 0, arguments: '{"city":"Zürich"}' },
      { type: "tool_call_end", index: 0 },
      { type: "tool_call_start", index: 1, id: "b", name: "noop" },
      { type: "tool_call_end", index: 1 },
      { type: "usage", usage: { promptTokens: 9, completionTokens: 8, totalTokens: 17, cachedTokens: null, reasoningTokens: null } },
      { type: "finish", reason: "tool_calls" },
    ];
    const w = createOllamaStreamWriter({ requestedModel: "m", includeUsage: true });
    let text = "";
    for (const e of events) text += w.write(e);
    text += w.end();
    const data = enc.encode(text);
    const expected = stable(events);
    // The reader re-serialises object arguments; an empty call comes back as "{}".
    const withArgs = [...expected.slice(0, 8), { type: "tool_call_delta", index: 1, arguments: "{}" }, ...expected.slice(8)];
    for (let n = 1; n <= 40; n++) expect(stable(read(split(data, [n])))).toEqual(withArgs as StreamEvent[]);
    for (let seed = 7; seed < 17; seed++) expect(stable(read(split(data, randomSizes(seed, 80, 29))))).toEqual(withArgs as StreamEvent[]);
  });
});
