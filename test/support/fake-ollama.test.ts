import { afterAll, describe, expect, test } from "bun:test";
import type { StreamEvent } from "../../src/formats/canonical.ts";
import { createOllamaStreamReader } from "../../src/formats/ollama/stream.ts";
import { fakeOllamaCounts, startFakeOllama } from "./fake-ollama.ts";

const fake = startFakeOllama({ slowMs: 150 });
afterAll(() => fake.close());

const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
const chat = (body: unknown, init: RequestInit = {}) =>
  fetch(`${fake.baseUrl}/api/chat`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), ...init });
const lines = async (res: Response) => (await res.text()).trimEnd().split("\n").map((l) => JSON.parse(l));

async function events(res: Response): Promise<StreamEvent[]> {
  const reader = createOllamaStreamReader();
  const out: StreamEvent[] = [];
  const body = res.body!.getReader();
  for (;;) {
    const { done, value } = await body.read();
    if (done) break;
    out.push(...reader.push(value));
  }
  out.push(...reader.end());
  return out;
}

describe("fake Ollama", () => {
  test("streams NDJSON by default, with a final done line carrying counts", async () => {
    const body = { model: "llama3.2", messages: [{ role: "user", content: "hi there" }] };
    const res = await chat(body, { headers: { "content-type": "application/json", "x-test": "1" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/x-ndjson");
    const objs = await lines(res);
    expect(objs.slice(0, -1).every((o) => o.done === false && o.message.role === "assistant")).toBe(true);
    expect(objs.map((o) => o.message.content).join("")).toBe("Hello from fake: hi there");
    const last = objs.at(-1);
    expect(last).toMatchObject({ done: true, done_reason: "stop", message: { role: "assistant", content: "" }, ...fakeOllamaCounts(body, "Hello from fake: hi there") });
    for (const k of ["total_duration", "load_duration", "prompt_eval_duration", "eval_duration"]) expect(last[k]).toBeGreaterThan(0);
    expect(last.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    const rec = fake.requests.at(-1)!;
    expect(rec).toMatchObject({ path: "/api/chat", url: "/api/chat", body });
    expect(rec.headers["x-test"]).toBe("1");
  });

  test("stream:false answers one JSON object; images are counted", async () => {
    const res = await chat({ model: "llava", stream: false, messages: [{ role: "user", content: "what is this", images: [PNG, PNG] }] });
    expect(res.headers.get("content-type")).toContain("application/json");
    const json = await res.json();
    expect(json.message).toEqual({ role: "assistant", content: "Hello from fake: what is this [images:2]" });
    expect(json).toMatchObject({ model: "llava", done: true, done_reason: "stop" });
  });

  test("tool-call: a call first, then an answer from the tool result", async () => {
    const messages: any[] = [{ role: "user", content: "weather in Paris?" }];
    const first = await (await chat({ model: "llama3.2-tool-call", stream: false, messages })).json();
    expect(first.message.tool_calls).toEqual([{ function: { index: 0, name: "get_weather", arguments: { city: "Paris" } } }]);
    const streamed = await events(await chat({ model: "llama3.2-tool-call", messages }));
    expect(streamed.filter((e) => e.type === "tool_call_start").map((e: any) => e.name)).toEqual(["get_weather"]);
    expect(streamed.at(-1)).toEqual({ type: "finish", reason: "tool_calls" });

    messages.push(first.message, { role: "tool", tool_name: "get_weather", content: "sunny, 21°C" });
    const second = await (await chat({ model: "llama3.2-tool-call", stream: false, messages })).json();
    expect(second.message.content).toBe("The weather is: sunny, 21°C");
    expect(second.message.tool_calls).toBeUndefined();
  });

  test("reasoning: thinking lines first, then the reply", async () => {
    const evs = await events(await chat({ model: "qwen3-reasoning", think: true, messages: [{ role: "user", content: "think" }] }));
    const reasoning = evs.filter((e) => e.type === "reasoning_delta").map((e: any) => e.text).join("");
    const text = evs.filter((e) => e.type === "text_delta").map((e: any) => e.text).join("");
    expect(reasoning).toBe("Let me think.");
    expect(text).toBe("Hello from fake: think");
    expect(evs.findIndex((e) => e.type === "reasoning_delta")).toBeLessThan(evs.findIndex((e) => e.type === "text_delta"));
    const json = await (await chat({ model: "qwen3-reasoning", stream: false, messages: [{ role: "user", content: "x" }] })).json();
    expect(json.message.thinking).toBe("Let me think.");
  });

  test("error-<status> answers Ollama's {error} body", async () => {
    const res = await chat({ model: "llama3.2-error-404", messages: [{ role: "user", content: "x" }] });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'model "llama3.2-error-404" not found, try pulling it first' });
    const busy = await chat({ model: "m-error-503", messages: [] });
    expect(busy.status).toBe(503);
    expect(typeof (await busy.json()).error).toBe("string");
    const noModel = await chat({ messages: [] });
    expect(noModel.status).toBe(400);
    expect(await noModel.json()).toEqual({ error: "model is required" });
  });

  test("garbage is HTML with 200", async () => {
    const res = await chat({ model: "m-garbage", messages: [] });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("<html>");
  });

  test("broken-stream delivers two lines, then the body fails", async () => {
    const res = await chat({ model: "m-broken-stream", messages: [{ role: "user", content: "one two three four" }] });
    const reader = res.body!.getReader();
    let text = "";
    await expect(
      (async () => {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          text += new TextDecoder().decode(value);
        }
      })(),
    ).rejects.toThrow();
    expect(text.trimEnd().split("\n")).toHaveLength(2);
  });

  test("slow-stream pauses slowMs after the first line", async () => {
    const started = performance.now();
    const objs = await lines(await chat({ model: "m-slow-stream", messages: [{ role: "user", content: "a b" }] }));
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(objs.at(-1).done).toBe(true);
  });

  test("hang never answers; the client's abort is counted", async () => {
    const before = fake.aborted;
    const ac = new AbortController();
    const pending = chat({ model: "m-hang", messages: [] }, { signal: ac.signal });
    await Bun.sleep(50);
    ac.abort();
    await expect(pending).rejects.toThrow();
    for (let i = 0; i < 50 && fake.aborted === before; i++) await Bun.sleep(10);
    expect(fake.aborted).toBe(before + 1);
  });

  test("GET /api/tags, GET / and unknown paths", async () => {
    const tags = await (await fetch(`${fake.url}/api/tags`)).json();
    expect(tags.models.map((m: any) => m.name)).toContain("llama3.2:latest");
    expect(Object.keys(tags.models[0]).sort()).toEqual(["details", "digest", "model", "modified_at", "name", "size"]);
    expect(await (await fetch(fake.url)).text()).toBe("Ollama is running");
    const missing = await fetch(`${fake.url}/v1/nothing`);
    expect(missing.status).toBe(404);
  });
});
