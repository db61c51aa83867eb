import { afterAll, describe, expect, test } from "bun:test";
import type { StreamEvent } from "../../src/formats/canonical.ts";
import { createGeminiStreamReader } from "../../src/formats/gemini/index.ts";
import { FAKE_SIGNATURE, fakeGeminiPromptTokens, startFakeGemini } from "./fake-gemini.ts";

const fake = startFakeGemini({ slowMs: 150 });
afterAll(() => fake.close());

const KEY = { "x-goog-api-key": "AIza-fake", "content-type": "application/json" };
const ask = (text: string, extra: Record<string, unknown> = {}) => ({ contents: [{ role: "user", parts: [{ text }] }], ...extra });
const post = (path: string, body: unknown, headers: Record<string, string> = KEY) =>
  fetch(`${fake.baseUrl}${path}`, { method: "POST", headers, body: JSON.stringify(body) });

async function events(res: Response): Promise<StreamEvent[]> {
  const r = createGeminiStreamReader();
  const out: StreamEvent[] = [];
  const reader = res.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    out.push(...r.push(value));
  }
  return [...out, ...r.end()];
}
const textOf = (ev: StreamEvent[]) => ev.map((e) => (e.type === "text_delta" ? e.text : "")).join("");

describe("fake Gemini upstream", () => {
  test("auth: x-goog-api-key or ?key=; none → 403 PERMISSION_DENIED, a wrong one → 400 API_KEY_INVALID", async () => {
    expect((await post("/models/gemini-2.5-flash:generateContent", ask("hi"))).status).toBe(200);
    expect((await fetch(`${fake.baseUrl}/models/gemini-2.5-flash:generateContent?key=AIza-fake`, { method: "POST", body: JSON.stringify(ask("hi")) })).status).toBe(200);
    const none = await post("/models/gemini-2.5-flash:generateContent", ask("hi"), { "content-type": "application/json" });
    expect(none.status).toBe(403);
    expect(await none.json()).toEqual({
      error: {
        code: 403,
        message: "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
        status: "PERMISSION_DENIED",
      },
    });
    const wrong = await post("/models/gemini-2.5-flash:generateContent", ask("hi"), { "x-goog-api-key": "AIza-wrong" });
    expect(wrong.status).toBe(400);
    const body = await wrong.json();
    expect(body.error).toMatchObject({ code: 400, message: "API key not valid. Please pass a valid API key.", status: "INVALID_ARGUMENT" });
    expect(body.error.details[0].reason).toBe("API_KEY_INVALID");
  });

  test("models list and one model", async () => {
    const list = await (await fetch(`${fake.baseUrl}/models`, { headers: KEY })).json();
    expect(list.models[0]).toMatchObject({ name: "models/gemini-2.5-flash", displayName: "Gemini 2.5 Flash", inputTokenLimit: 1048576, outputTokenLimit: 65536 });
    expect(list.models[0].supportedGenerationMethods).toContain("generateContent");
    expect((await fetch(`${fake.baseUrl}/models/gemini-2.5-pro`, { headers: KEY })).status).toBe(200);
    const missing = await fetch(`${fake.baseUrl}/models/nope`, { headers: KEY });
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.status).toBe("NOT_FOUND");
  });

  test("countTokens with contents or a whole generateContentRequest", async () => {
    const body = ask("count me");
    const n = fakeGeminiPromptTokens(body);
    expect(await (await post("/models/gemini-2.5-flash:countTokens", body)).json()).toEqual({ totalTokens: n, promptTokensDetails: [{ modality: "TEXT", tokenCount: n }] });
    expect((await (await post("/models/gemini-2.5-flash:countTokens", { generateContentRequest: body })).json()).totalTokens).toBe(n);
  });

  test("generateContent echoes the last user text, counts images, reports usage; the request is recorded", async () => {
    const body = { contents: [{ role: "user", parts: [{ text: "look" }, { inlineData: { mimeType: "image/png", data: "AAAA" } }] }] };
    const res = await post("/models/gemini-2.5-flash:generateContent", body);
    expect(res.headers.get("content-type")).toBe("application/json; charset=UTF-8");
    const json = await res.json();
    expect(json.candidates[0]).toEqual({ content: { parts: [{ text: "Hello from fake: look [images:1]" }], role: "model" }, finishReason: "STOP", index: 0 });
    const prompt = fakeGeminiPromptTokens(body);
    expect(json.usageMetadata).toEqual({ promptTokenCount: prompt, candidatesTokenCount: 5, totalTokenCount: prompt + 5, promptTokensDetails: [{ modality: "TEXT", tokenCount: prompt }] });
    expect(json.modelVersion).toBe("gemini-2.5-flash");
    expect(typeof json.responseId).toBe("string");
    const rec = fake.requests.at(-1)!;
    expect(rec.path).toBe("/v1beta/models/gemini-2.5-flash:generateContent");
    expect(rec.headers["x-goog-api-key"]).toBe("AIza-fake");
    expect(rec.body).toEqual(body);
  });

  test("tool-call: a signed functionCall without id, then the answer from the function response", async () => {
    const first = await (await post("/models/gemini-2.5-flash-tool-call:generateContent", ask("weather?"))).json();
    expect(first.candidates[0].content.parts).toEqual([{ functionCall: { name: "get_weather", args: { city: "Paris" } }, thoughtSignature: FAKE_SIGNATURE }]);
    expect(first.candidates[0].finishReason).toBe("STOP");
    const second = await (
      await post("/models/gemini-2.5-flash-tool-call:generateContent", {
        contents: [
          { role: "user", parts: [{ text: "weather?" }] },
          { role: "model", parts: first.candidates[0].content.parts },
          { role: "user", parts: [{ functionResponse: { name: "get_weather", response: { result: "sunny, 21°C" } } }] },
        ],
      })
    ).json();
    expect(second.candidates[0].content.parts).toEqual([{ text: "The weather is: sunny, 21°C" }]);
  });

  test("reasoning: a thought part, then the answer carrying the signature; thoughts counted", async () => {
    const json = await (await post("/models/gemini-2.5-flash-reasoning:generateContent", ask("hi"))).json();
    expect(json.candidates[0].content.parts).toEqual([
      { text: "Let me think.", thought: true },
      { text: "Hello from fake: hi", thoughtSignature: FAKE_SIGNATURE },
    ]);
    expect(json.usageMetadata.thoughtsTokenCount).toBe(3);
  });

  test("SSE stream (alt=sse): data events with CRLF, usage in every chunk, finish on the last", async () => {
    const res = await post("/models/gemini-2.5-flash-reasoning:streamGenerateContent?alt=sse", ask("stream please"));
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const text = await res.text();
    const chunks = text.split("\r\n\r\n").filter(Boolean);
    expect(chunks.every((c) => c.startsWith("data: {"))).toBe(true);
    const parsed = chunks.map((c) => JSON.parse(c.slice(6)));
    expect(parsed.every((c) => c.usageMetadata?.promptTokenCount > 0)).toBe(true);
    expect(parsed.at(-1).candidates[0].finishReason).toBe("STOP");
    expect(parsed.at(-1).candidates[0].content.parts[0].thoughtSignature).toBe(FAKE_SIGNATURE);
    const ev = await events(new Response(text));
    expect(ev.find((e) => e.type === "reasoning_delta")).toEqual({ type: "reasoning_delta", text: "Let me think." });
    expect(ev.find((e) => e.type === "reasoning_signature")).toEqual({ type: "reasoning_signature", signature: FAKE_SIGNATURE });
    expect(textOf(ev)).toBe("Hello from fake: stream please");
    expect(ev.at(-1)).toEqual({ type: "finish", reason: "stop" });
  });

  test("JSON-array stream without alt=sse: valid JSON, same chunks", async () => {
    const res = await post("/models/gemini-2.5-flash-tool-call:streamGenerateContent", ask("x"));
    expect(res.headers.get("content-type")).toBe("application/json; charset=UTF-8");
    const text = await res.text();
    expect(text.startsWith("[{")).toBe(true);
    const arr = JSON.parse(text);
    expect(arr[0].candidates[0].content.parts[0].functionCall).toEqual({ name: "get_weather", args: { city: "Paris" } });
    const ev = await events(new Response(text));
    expect(ev.map((e) => e.type)).toEqual(["start", "tool_call_start", "tool_call_delta", "tool_call_end", "usage", "finish"]);
    expect(ev.at(-1)).toEqual({ type: "finish", reason: "tool_calls" });
    const multi = JSON.parse(await (await post("/models/gemini-2.5-flash:streamGenerateContent", ask("a b c"))).text());
    expect(multi.length).toBeGreaterThan(2);
    expect(multi.map((c: any) => c.usageMetadata.candidatesTokenCount)).toEqual([...multi.keys()].map((i) => i + 1));
  });

  test("error-<status> answers Google's body; 429 carries RetryInfo", async () => {
    const res = await post("/models/gemini-2.5-flash-error-429:generateContent", ask("x"));
    expect(res.status).toBe(429);
    const body = await res.json();
    expect(body.error).toMatchObject({ code: 429, status: "RESOURCE_EXHAUSTED" });
    expect(body.error.details.at(-1)).toEqual({ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "7s" });
    const bad = await post("/models/gemini-2.5-flash-error-400:streamGenerateContent?alt=sse", ask("x"));
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.status).toBe("INVALID_ARGUMENT");
    const missing = await post("/models/gemini-2.5-flash:generateContent", { contents: [] });
    expect(missing.status).toBe(400);
  });

  test("garbage, broken-stream, slow-stream and hang", async () => {
    const garbage = await post("/models/gemini-2.5-flash-garbage:generateContent", ask("x"));
    expect(garbage.status).toBe(200);
    expect(await garbage.text()).toContain("<html>");

    const broken = await post("/models/gemini-2.5-flash-broken-stream:streamGenerateContent?alt=sse", ask("one two three four"));
    let failed = false;
    try {
      await broken.text();
    } catch {
      failed = true;
    }
    expect(failed).toBe(true);

    const started = performance.now();
    const slow = await post("/models/gemini-2.5-flash-slow-stream:streamGenerateContent?alt=sse", ask("a b"));
    await slow.text();
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);

    const before = fake.aborted;
    const ctrl = new AbortController();
    const hung = fetch(`${fake.baseUrl}/models/gemini-2.5-flash-hang:generateContent`, { method: "POST", headers: KEY, body: JSON.stringify(ask("x")), signal: ctrl.signal }).catch((e) => e);
    await Bun.sleep(50);
    ctrl.abort();
    expect(await hung).toBeInstanceOf(Error);
    for (let i = 0; i < 50 && fake.aborted === before; i++) await Bun.sleep(10);
    expect(fake.aborted).toBeGreaterThan(before);
  });
});
