// Progress events (X-OmniRoute-Progress: true): what the bytes look like per format, and the
// official SDKs of every client format reading such a stream without noticing.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import Anthropic from "@anthropic-ai/sdk";
import { GoogleGenAI } from "@google/genai";
import { Ollama } from "ollama";
import OpenAI from "openai";
import { startMatrixWithFakes, type MatrixWithFakes } from "../matrix/harness.ts";
import { sseData } from "../support/setup.ts";

const PROGRESS = { "X-OmniRoute-Progress": "true" };
let m: MatrixWithFakes;
let openai: OpenAI;

const post = (path: string, body: unknown, headers: Record<string, string> = PROGRESS) =>
  fetch(`${m.base}${path}`, { method: "POST", headers: { authorization: `Bearer ${m.key}`, "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

/** The progress comments of an SSE body, parsed. */
const progressOf = (text: string) =>
  text
    .split("\n")
    .filter((l) => l.startsWith(": omniroute-progress "))
    .map((l) => JSON.parse(l.slice(": omniroute-progress ".length)));

beforeAll(async () => {
  m = await startMatrixWithFakes();
  openai = new OpenAI({ baseURL: `${m.base}/v1`, apiKey: m.key, maxRetries: 0, defaultHeaders: PROGRESS });
  await m.gw.request("/api/combos", { method: "POST", json: { name: "falls-back", targets: ["anthropic/claude-sonnet-4-5-error-503", "openai/gpt-4o-mini"] } });
  await m.gw.request("/api/combos", { method: "POST", json: { name: "all-fail", targets: ["anthropic/claude-sonnet-4-5-error-503", "gemini/gemini-2.5-flash-error-503"] } });
});
afterAll(() => m.close());

describe("on the wire", () => {
  test("SSE comments in order (routing, connected, first token) before the answer's own events; header says enabled", async () => {
    const res = await post("/v1/chat/completions", { model: "openai/gpt-4o-mini", stream: true, messages: [{ role: "user", content: "progress" }] });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-omniroute-progress")).toBe("enabled");
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const text = await res.text();
    const stages = progressOf(text).map((p) => p.stage);
    expect(stages).toEqual(["routing", "connected", "first_token"]);
    expect(progressOf(text)[0]).toMatchObject({ model: "openai/gpt-4o-mini", targets: ["openai/gpt-4o-mini"] });
    expect(progressOf(text)[1]).toMatchObject({ provider: "openai" });
    expect(text.indexOf("omniroute-progress")).toBeLessThan(text.indexOf("data:"));
    const data = await sseData(new Response(text));
    expect(data.at(-1)).toBe("[DONE]");
    expect(data.slice(0, -1).map((d) => JSON.parse(d).choices[0]?.delta?.content ?? "").join("")).toBe("Hello from fake: progress");
  });

  test("a fallback taken is announced, with the reason", async () => {
    const res = await post("/v1/chat/completions", { model: "falls-back", stream: true, messages: [{ role: "user", content: "fb" }] });
    const events = progressOf(await res.text());
    expect(events.map((e) => e.stage)).toEqual(["routing", "fallback", "connected", "first_token"]);
    expect(events[1]).toMatchObject({ from: "anthropic/claude-sonnet-4-5-error-503", to: "openai/gpt-4o-mini" });
    expect(events[1].reason).toBeTruthy();
  });

  test("a request that fails after the progress began gets the format's in-stream error", async () => {
    const res = await post("/v1/chat/completions", { model: "all-fail", stream: true, messages: [{ role: "user", content: "x" }] });
    expect(res.status).toBe(200);
    const text = await res.text();
    const data = (await sseData(new Response(text))).map((d) => JSON.parse(d));
    expect(data.at(-1).error.message).toContain("All targets failed");
    await expect(
      (async () => {
        const stream = await openai.chat.completions.create({ model: "all-fail", stream: true, messages: [{ role: "user", content: "x" }] });
        for await (const _ of stream) {
          // drain
        }
      })(),
    ).rejects.toThrow(/All targets failed/);
  });

  test("a streamed cache hit says so", async () => {
    const body = { model: "openai/gpt-4o-mini", temperature: 0, stream: true, messages: [{ role: "user", content: "progress cache" }] };
    await (await post("/v1/chat/completions", body)).text();
    const events = progressOf(await (await post("/v1/chat/completions", body)).text());
    expect(events.map((e) => e.stage)).toEqual(["routing", "cache_hit", "first_token"]);
  });

  test("not asked, or not streamed: no progress", async () => {
    const plain = await post("/v1/chat/completions", { model: "openai/gpt-4o-mini", stream: true, messages: [{ role: "user", content: "p" }] }, {});
    expect(plain.headers.get("x-omniroute-progress")).toBeNull();
    expect(await plain.text()).not.toContain("omniroute-progress");
    const unstreamed = await post("/v1/chat/completions", { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "p" }] });
    expect(unstreamed.headers.get("x-omniroute-progress")).toBeNull();
    expect((await unstreamed.json()).choices[0].message.content).toBe("Hello from fake: p");
  });

  test("a client that leaves while the gateway still waits for the upstream aborts the upstream call", async () => {
    const before = m.fakes.openai.aborted;
    const controller = new AbortController();
    const res = await fetch(`${m.base}/v1/chat/completions`, {
      method: "POST",
      signal: controller.signal,
      headers: { authorization: `Bearer ${m.key}`, "content-type": "application/json", ...PROGRESS },
      body: JSON.stringify({ model: "openai/gpt-4o-mini-hang", stream: true, messages: [{ role: "user", content: "x" }] }),
    });
    const first = await res.body!.getReader().read();
    expect(new TextDecoder().decode(first.value)).toContain('"stage":"routing"');
    controller.abort();
    for (let i = 0; i < 50 && m.fakes.openai.aborted === before; i++) await Bun.sleep(20);
    expect(m.fakes.openai.aborted).toBe(before + 1);
  });

  test("Gemini SSE: empty-text GenerateContentResponse events carrying omnirouteProgress; none in a JSON-array stream", async () => {
    const body = { contents: [{ role: "user", parts: [{ text: "g" }] }] };
    const sse = await post("/v1beta/models/gemini/gemini-2.5-flash:streamGenerateContent?alt=sse", body);
    expect(sse.headers.get("x-omniroute-progress")).toBe("enabled");
    const events = (await sseData(sse)).map((d) => JSON.parse(d));
    const progress = events.filter((e) => e.omnirouteProgress);
    expect(progress.map((e) => e.omnirouteProgress.stage)).toEqual(["routing", "connected", "first_token"]);
    for (const p of progress) expect(p.candidates[0].content.parts).toEqual([{ text: "" }]);
    expect(events.map((e) => e.candidates?.[0]?.content?.parts?.[0]?.text ?? "").join("")).toBe("Hello from fake: g");

    const array = await post("/v1beta/models/gemini/gemini-2.5-flash:streamGenerateContent", body);
    expect(array.headers.get("x-omniroute-progress")).toBeNull();
    expect(JSON.stringify(JSON.parse(await array.text()))).not.toContain("omnirouteProgress");
  });

  test("Ollama NDJSON: empty assistant chunks carrying omniroute_progress", async () => {
    const res = await post("/api/chat", { model: "ollama/llama3.2", messages: [{ role: "user", content: "nd" }] });
    expect(res.headers.get("x-omniroute-progress")).toBe("enabled");
    const lines = (await res.text()).trim().split("\n").map((l) => JSON.parse(l));
    const progress = lines.filter((l) => l.omniroute_progress);
    expect(progress.map((l) => l.omniroute_progress.stage)).toEqual(["routing", "connected", "first_token"]);
    for (const p of progress) expect(p).toMatchObject({ message: { role: "assistant", content: "" }, done: false });
  });
});

describe("the official SDKs read a stream with progress events", () => {
  test("openai: chat.completions (pass-through and translated)", async () => {
    for (const model of ["openai/gpt-4o-mini", "anthropic/claude-sonnet-4-5", "gemini/gemini-2.5-flash"]) {
      const stream = await openai.chat.completions.create({ model, stream: true, messages: [{ role: "user", content: "sdk" }] });
      let text = "";
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
      expect(text).toContain("sdk");
    }
  });

  test("openai: responses", async () => {
    const stream = await openai.responses.create({ model: "openai/gpt-4o-mini", input: "responses sdk", stream: true });
    let text = "";
    let completed = false;
    for await (const ev of stream) {
      if (ev.type === "response.output_text.delta") text += ev.delta;
      if (ev.type === "response.completed") completed = true;
    }
    expect(text).toBe("Hello from fake: responses sdk");
    expect(completed).toBe(true);
  });

  test("@anthropic-ai/sdk: messages.stream (pass-through and translated)", async () => {
    const client = new Anthropic({ baseURL: m.base, apiKey: m.key, maxRetries: 0, defaultHeaders: PROGRESS });
    for (const model of ["anthropic/claude-sonnet-4-5", "openai/gpt-4o-mini"]) {
      const msg = await client.messages.stream({ model, max_tokens: 64, messages: [{ role: "user", content: "claude sdk" }] }).finalMessage();
      expect(msg.content[0]).toMatchObject({ type: "text" });
      expect((msg.content[0] as { text: string }).text).toContain("claude sdk");
    }
  });

  test("@google/genai: generateContentStream", async () => {
    const ai = new GoogleGenAI({ apiKey: m.key, httpOptions: { baseUrl: m.base, headers: PROGRESS } });
    for (const model of ["gemini/gemini-2.5-flash", "openai/gpt-4o-mini"]) {
      let text = "";
      for await (const chunk of await ai.models.generateContentStream({ model, contents: "gemini sdk" })) text += chunk.text ?? "";
      expect(text).toContain("gemini sdk");
    }
  });

  test("ollama: chat stream", async () => {
    const ollama = new Ollama({ host: m.base, headers: { Authorization: `Bearer ${m.key}`, ...PROGRESS } });
    let text = "";
    let done = false;
    for await (const part of await ollama.chat({ model: "ollama/llama3.2", messages: [{ role: "user", content: "ollama sdk" }], stream: true })) {
      text += part.message.content;
      done ||= part.done;
    }
    expect(text).toContain("ollama sdk");
    expect(done).toBe(true);
  });
});
