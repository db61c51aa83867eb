// What the writers produce, read by the real @google/genai SDK (it always streams with
// alt=sse): text, function calls with ids, usage, keep-alives between events, and an
// in-stream error that the SDK must raise.
import { afterAll, describe, expect, test } from "bun:test";
import { GoogleGenAI } from "@google/genai";
import { GatewayError } from "../../../src/errors.ts";
import type { StreamEvent } from "../../../src/formats/canonical.ts";
import { canonicalToGeminiResponse, createGeminiStreamWriter } from "../../../src/formats/gemini/index.ts";

const EVENTS: StreamEvent[] = [
  { type: "start", id: "rid-1", model: "gemini-2.5-flash" },
  { type: "reasoning_delta", text: "Let me think." },
  { type: "reasoning_signature", signature: "c2lnLWZha2UtMQ==" },
  { type: "text_delta", text: "Hello " },
  { type: "text_delta", text: "wörld" },
  { type: "tool_call_start", index: 0, id: "call_A", name: "get_weather" },
  { type: "tool_call_delta", index: 0, arguments: '{"city":"Paris"}' },
  { type: "tool_call_end", index: 0, signature: "Q0FGRQ==" },
  { type: "usage", usage: { promptTokens: 10, completionTokens: 7, totalTokens: 17, cachedTokens: null, reasoningTokens: 3 } },
  { type: "finish", reason: "tool_calls" },
];

const encoder = new TextEncoder();
const server = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  fetch(req) {
    const url = new URL(req.url);
    const ctx = { requestedModel: "gemini-2.5-flash", includeUsage: true, sse: url.searchParams.get("alt") === "sse" };
    if (url.pathname.endsWith(":generateContent")) {
      return Response.json(
        canonicalToGeminiResponse(
          {
            id: "r1",
            model: "x",
            content: [{ type: "text", text: "Hi" }, { type: "tool_call", id: "c1", name: "f", arguments: '{"a":1}' }],
            finishReason: "tool_calls",
            usage: { promptTokens: 1, completionTokens: 2, totalTokens: 3, cachedTokens: null, reasoningTokens: null },
          },
          ctx,
        ),
      );
    }
    const w = createGeminiStreamWriter(ctx);
    const keepAlive = w.keepAlive();
    const failing = url.pathname.includes("failing");
    const stream = new ReadableStream<Uint8Array>({
      async start(c) {
        for (const e of EVENTS) {
          if (failing && e.type === "tool_call_start") {
            c.enqueue(encoder.encode(w.error(new GatewayError(503, "upstream_error", "overloaded"))));
            c.close();
            return;
          }
          const text = w.write(e);
          if (text) c.enqueue(encoder.encode(text));
          if (keepAlive) c.enqueue(encoder.encode(keepAlive + keepAlive));
          await Bun.sleep(1);
        }
        c.enqueue(encoder.encode(w.end()));
        c.close();
      },
    });
    return new Response(stream, { headers: { "content-type": ctx.sse ? "text/event-stream" : "application/json" } });
  },
});
afterAll(() => server.stop(true));

const ai = new GoogleGenAI({ apiKey: "AIza-test", httpOptions: { baseUrl: `http://127.0.0.1:${server.port}` } });

describe("@google/genai reads what the Gemini writers produce", () => {
  test("generateContent", async () => {
    const r = await ai.models.generateContent({ model: "gemini-2.5-flash", contents: "hi" });
    expect(r.candidates?.[0]?.content?.parts?.[0]?.text).toBe("Hi");
    expect(r.functionCalls).toEqual([{ id: "c1", name: "f", args: { a: 1 } }]);
    expect(r.usageMetadata).toEqual({ promptTokenCount: 1, candidatesTokenCount: 2, totalTokenCount: 3 });
  });

  test("generateContentStream, with blank-line keep-alives between events", async () => {
    let text = "";
    const calls: unknown[] = [];
    let last: any;
    for await (const chunk of await ai.models.generateContentStream({ model: "gemini-2.5-flash", contents: "hi" })) {
      for (const p of chunk.candidates?.[0]?.content?.parts ?? []) if (p.text && !p.thought) text += p.text;
      if (chunk.functionCalls) calls.push(...chunk.functionCalls);
      last = chunk;
    }
    expect(text).toBe("Hello wörld");
    expect(calls).toEqual([{ id: "call_A", name: "get_weather", args: { city: "Paris" } }]);
    expect(last.candidates[0].finishReason).toBe("STOP");
    expect(last.usageMetadata).toEqual({ promptTokenCount: 10, candidatesTokenCount: 4, totalTokenCount: 17, thoughtsTokenCount: 3 });
  });

  test("an in-stream error is raised by the SDK with its status", async () => {
    let caught: any;
    try {
      for await (const _ of await ai.models.generateContentStream({ model: "failing", contents: "hi" })) {
        // drain
      }
    } catch (e) {
      caught = e;
    }
    expect(caught?.status).toBe(503);
    expect(String(caught?.message)).toContain("UNAVAILABLE");
  });
});
