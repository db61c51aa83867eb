// The response cache through HTTP, with the official SDKs as clients: hit, miss, bypass,
// expiry, stats, streamed replay in every client format, and what separates two entries.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import Anthropic from "@anthropic-ai/sdk";
import { GoogleGenAI } from "@google/genai";
import { Ollama } from "ollama";
import OpenAI from "openai";
import { startMatrixWithFakes, type MatrixWithFakes } from "../matrix/harness.ts";

let m: MatrixWithFakes;
let openai: OpenAI;
const det = (content: string) => ({ model: "openai/gpt-4o-mini", temperature: 0, messages: [{ role: "user" as const, content }] });

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${m.base}${path}`, { method: "POST", headers: { authorization: `Bearer ${m.key}`, "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
const settings = (patch: Record<string, unknown>) => m.gw.request("/api/settings", { method: "PUT", json: patch });
const stats = async () => (await (await m.gw.request("/api/cache")).json()) as any;

beforeAll(async () => {
  m = await startMatrixWithFakes();
  openai = new OpenAI({ baseURL: `${m.base}/v1`, apiKey: m.key, maxRetries: 0 });
});
afterAll(() => m.close());
beforeEach(async () => {
  await m.gw.request("/api/cache", { method: "DELETE" });
  await settings({ cacheEnabled: true, cacheUnsetTemperature: false, cacheNonDeterministic: false, cacheTtlSeconds: 3600 });
});

describe("non-streamed", () => {
  test("a deterministic request is answered from the cache the second time (X-OmniRoute-Cache MISS, then HIT)", async () => {
    const before = m.fakes.openai.requests.length;
    const first = await post("/v1/chat/completions", det("cache me"));
    expect(first.headers.get("x-omniroute-cache")).toBe("MISS");
    const a = await first.json();
    const second = await post("/v1/chat/completions", det("cache me"));
    expect(second.headers.get("x-omniroute-cache")).toBe("HIT");
    const b = await second.json();
    expect(m.fakes.openai.requests.length - before).toBe(1);
    expect(b.choices[0].message.content).toBe(a.choices[0].message.content);
    expect(b.choices[0].finish_reason).toBe("stop");
    expect(b.usage.total_tokens).toBe(a.usage.total_tokens);
  });

  test("the SDK reads a hit like any answer", async () => {
    await openai.chat.completions.create(det("sdk hit"));
    const { data, response } = await openai.chat.completions.create(det("sdk hit")).withResponse();
    expect(response.headers.get("x-omniroute-cache")).toBe("HIT");
    expect(data.choices[0]!.message.content).toBe("Hello from fake: sdk hit");
  });

  test("X-OmniRoute-No-Cache: true bypasses the cache", async () => {
    const before = m.fakes.openai.requests.length;
    await post("/v1/chat/completions", det("bypass"));
    const res = await post("/v1/chat/completions", det("bypass"), { "x-omniroute-no-cache": "true" });
    expect(res.headers.get("x-omniroute-cache")).toBe("MISS");
    expect(m.fakes.openai.requests.length - before).toBe(2);
  });

  test("only deterministic requests, unless a setting says otherwise", async () => {
    const before = m.fakes.openai.requests.length;
    const warm = { model: "openai/gpt-4o-mini", temperature: 0.7, messages: [{ role: "user", content: "warm" }] };
    await post("/v1/chat/completions", warm);
    expect((await post("/v1/chat/completions", warm)).headers.get("x-omniroute-cache")).toBe("MISS");
    const unset = { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "unset" }] };
    await post("/v1/chat/completions", unset);
    await post("/v1/chat/completions", unset);
    expect(m.fakes.openai.requests.length - before).toBe(4);

    await settings({ cacheUnsetTemperature: true });
    await post("/v1/chat/completions", unset);
    expect((await post("/v1/chat/completions", unset)).headers.get("x-omniroute-cache")).toBe("HIT");
    expect((await post("/v1/chat/completions", warm)).headers.get("x-omniroute-cache")).toBe("MISS");
    await settings({ cacheNonDeterministic: true });
    await post("/v1/chat/completions", warm);
    expect((await post("/v1/chat/completions", warm)).headers.get("x-omniroute-cache")).toBe("HIT");
  });

  test("the cache off: no header, every request goes upstream", async () => {
    await settings({ cacheEnabled: false });
    const before = m.fakes.openai.requests.length;
    await post("/v1/chat/completions", det("off"));
    const res = await post("/v1/chat/completions", det("off"));
    expect(res.headers.get("x-omniroute-cache")).toBeNull();
    expect(m.fakes.openai.requests.length - before).toBe(2);
  });

  test("an entry expires after cacheTtlSeconds", async () => {
    await settings({ cacheTtlSeconds: 1 });
    await post("/v1/chat/completions", det("short-lived"));
    expect((await post("/v1/chat/completions", det("short-lived"))).headers.get("x-omniroute-cache")).toBe("HIT");
    await Bun.sleep(1100);
    expect((await post("/v1/chat/completions", det("short-lived"))).headers.get("x-omniroute-cache")).toBe("MISS");
  });

  test("errors are not cached", async () => {
    const body = { ...det("x"), model: "openai/gpt-4o-mini-error-400" };
    const before = m.fakes.openai.requests.length;
    expect((await post("/v1/chat/completions", body)).status).toBe(400);
    expect((await post("/v1/chat/completions", body)).status).toBe(400);
    expect(m.fakes.openai.requests.length - before).toBe(2);
  });
});

describe("what separates two entries", () => {
  test("messages, tools, sampling parameters, response_format, the model and the API key", async () => {
    const before = m.fakes.openai.requests.length;
    const tool = { type: "function" as const, function: { name: "f", parameters: { type: "object", properties: {} } } };
    const variants: Record<string, unknown>[] = [
      det("same"),
      { ...det("same"), top_p: 0.5 },
      { ...det("same"), max_tokens: 10 },
      { ...det("same"), tools: [tool] },
      { ...det("same"), tools: [tool], tool_choice: "required" },
      { ...det("same"), response_format: { type: "json_object" } },
      { ...det("same"), model: "openai/gpt-4.1-mini" },
      { ...det("same"), messages: [{ role: "system", content: "be brief" }, { role: "user", content: "same" }] },
    ];
    for (const v of variants) expect((await post("/v1/chat/completions", v)).headers.get("x-omniroute-cache")).toBe("MISS");
    // Key order in the JSON does not matter: this is the first variant again.
    expect((await post("/v1/chat/completions", { messages: [{ content: "same", role: "user" }], temperature: 0, model: "openai/gpt-4o-mini" })).headers.get("x-omniroute-cache")).toBe("HIT");
    expect(m.fakes.openai.requests.length - before).toBe(variants.length);

    const other = await (await m.gw.request("/api/keys", { method: "POST", json: { name: "other" } })).json();
    const res = await fetch(`${m.base}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${other.key}`, "content-type": "application/json" },
      body: JSON.stringify(det("same")),
    });
    expect(res.headers.get("x-omniroute-cache")).toBe("MISS");
  });

  test("an alias resolving to the same target shares the entry", async () => {
    await m.gw.request("/api/models/alias", { method: "PUT", json: { alias: "cheap", model: "openai/gpt-4o-mini" } });
    await post("/v1/chat/completions", det("aliased"));
    expect((await post("/v1/chat/completions", { ...det("aliased"), model: "cheap" })).headers.get("x-omniroute-cache")).toBe("HIT");
  });
});

describe("streamed", () => {
  test("a streamed request is served from the cache as a stream (OpenAI SDK), stored by a non-streamed one", async () => {
    await openai.chat.completions.create(det("stream from cache"));
    const before = m.fakes.openai.requests.length;
    const stream = await openai.chat.completions.create({ ...det("stream from cache"), stream: true, stream_options: { include_usage: true } });
    let text = "";
    let usage: unknown;
    let finish: string | null = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe("Hello from fake: stream from cache");
    expect(finish).toBe("stop");
    expect(usage).toBeTruthy();
    expect(m.fakes.openai.requests.length).toBe(before);
  });

  test("a streamed answer is stored and then answers a non-streamed request", async () => {
    const stream = await openai.chat.completions.create({ ...det("stored from a stream"), stream: true });
    for await (const _ of stream) {
      // drain
    }
    await Bun.sleep(10);
    const before = m.fakes.openai.requests.length;
    const res = await post("/v1/chat/completions", det("stored from a stream"));
    expect(res.headers.get("x-omniroute-cache")).toBe("HIT");
    expect((await res.json()).choices[0].message.content).toBe("Hello from fake: stored from a stream");
    expect(m.fakes.openai.requests.length).toBe(before);
  });

  test("tool calls survive the cache (streamed replay to the SDK's stream helper)", async () => {
    const body = {
      model: "openai/x-tool-call",
      temperature: 0,
      messages: [{ role: "user" as const, content: "weather?" }],
      tools: [{ type: "function" as const, function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }],
    };
    await openai.chat.completions.create(body);
    const before = m.fakes.openai.requests.length;
    const final = await openai.chat.completions.stream(body).finalChatCompletion();
    expect(final.choices[0]!.finish_reason).toBe("tool_calls");
    expect(final.choices[0]!.message.tool_calls![0]).toMatchObject({ function: { name: "get_weather", arguments: '{"city":"Paris"}' } });
    expect(m.fakes.openai.requests.length).toBe(before);
  });

  test("Anthropic client, Anthropic upstream (pass-through): stored from the raw answer, replayed as a stream", async () => {
    const client = new Anthropic({ baseURL: m.base, apiKey: m.key, maxRetries: 0 });
    const body = { model: "anthropic/claude-sonnet-4-5", max_tokens: 100, temperature: 0, messages: [{ role: "user" as const, content: "claude cache" }] };
    const first = await client.messages.create(body);
    const before = m.fakes.anthropic.requests.length;
    const streamed = await client.messages.stream(body).finalMessage();
    expect(JSON.stringify(streamed.content.map((b) => (b.type === "text" ? b.text : b.type)))).toBe(JSON.stringify(first.content.map((b) => (b.type === "text" ? b.text : b.type))));
    expect(streamed.stop_reason).toBe(first.stop_reason);
    expect(m.fakes.anthropic.requests.length).toBe(before);
  });

  test("Gemini client (SDK stream) and Ollama client (SDK stream) are answered from the cache", async () => {
    const ai = new GoogleGenAI({ apiKey: m.key, httpOptions: { baseUrl: m.base } });
    const req = { model: "gemini/gemini-2.5-flash", contents: "gemini cache", config: { temperature: 0 } };
    const first = await ai.models.generateContent(req);
    const before = m.fakes.gemini.requests.length;
    let text = "";
    for await (const chunk of await ai.models.generateContentStream(req)) text += chunk.text ?? "";
    expect(text).toBe(first.text!);
    expect(m.fakes.gemini.requests.length).toBe(before);

    const ollama = new Ollama({ host: m.base, headers: { Authorization: `Bearer ${m.key}` } });
    const oreq = { model: "ollama/llama3.2", messages: [{ role: "user", content: "ollama cache" }], options: { temperature: 0 } };
    const once = await ollama.chat({ ...oreq, stream: false });
    const obefore = m.fakes.ollama.requests.length;
    let otext = "";
    for await (const part of await ollama.chat({ ...oreq, stream: true })) otext += part.message.content;
    expect(otext).toBe(once.message.content);
    expect(m.fakes.ollama.requests.length).toBe(obefore);
  });

  test("a cached answer from one upstream format serves a translated client (Responses → Anthropic upstream)", async () => {
    const body = { model: "anthropic/claude-sonnet-4-5", temperature: 0, input: "responses cache" };
    const first = await openai.responses.create(body);
    const before = m.fakes.anthropic.requests.length;
    let text = "";
    for await (const ev of await openai.responses.create({ ...body, stream: true })) if (ev.type === "response.output_text.delta") text += ev.delta;
    expect(text).toBe(first.output_text);
    expect(m.fakes.anthropic.requests.length).toBe(before);
  });
});

describe("GET /api/cache and DELETE /api/cache", () => {
  test("stats in the reference's shape, hit rate tracked, SQLite tier behind memory, cleared on DELETE", async () => {
    await post("/v1/chat/completions", det("stats one"));
    await post("/v1/chat/completions", det("stats one"));
    await post("/v1/chat/completions", det("stats two"));
    m.gw.services.features.cache.flush();
    const s = await stats();
    expect(Object.keys(s).sort()).toEqual(["idempotency", "semanticCache"]);
    expect(Object.keys(s.semanticCache).sort()).toEqual(["dbSize", "hitRate", "memoryMaxSize", "memorySize"]);
    expect(Object.keys(s.idempotency).sort()).toEqual(["activeKeys", "windowMs"]);
    expect(s.semanticCache).toEqual({ memorySize: 2, memoryMaxSize: 500, dbSize: 2, hitRate: 0.3333 });
    expect(s.idempotency).toEqual({ activeKeys: 0, windowMs: 5000 });

    // Memory emptied (as after a restart): the answer comes from SQLite, and is promoted back.
    m.gw.services.features.cache.memory.clear();
    expect((await post("/v1/chat/completions", det("stats two"))).headers.get("x-omniroute-cache")).toBe("HIT");
    expect((await stats()).semanticCache.memorySize).toBe(1);

    const del = await (await m.gw.request("/api/cache", { method: "DELETE" })).json();
    expect(del).toMatchObject({ ok: true, scope: "all", invalidated: 2 });
    expect((await stats()).semanticCache).toEqual({ memorySize: 0, memoryMaxSize: 500, dbSize: 0, hitRate: 0 });
    expect((await post("/v1/chat/completions", det("stats two"))).headers.get("x-omniroute-cache")).toBe("MISS");
  });

  test("DELETE ?model= removes one model's answers; a bad staleMs is a 400", async () => {
    await post("/v1/chat/completions", det("by model"));
    await post("/v1/chat/completions", { ...det("by model"), model: "openai/gpt-4.1-mini" });
    const del = await (await m.gw.request("/api/cache?model=gpt-4.1-mini", { method: "DELETE" })).json();
    expect(del).toMatchObject({ ok: true, scope: "model", invalidated: 1 });
    expect((await post("/v1/chat/completions", det("by model"))).headers.get("x-omniroute-cache")).toBe("HIT");
    expect((await m.gw.request("/api/cache?staleMs=abc", { method: "DELETE" })).status).toBe(400);
  });

  test("memoryMaxSize bounds the memory tier (least recently used out first)", async () => {
    await settings({ cacheMemoryMaxEntries: 2 });
    try {
      for (const q of ["lru a", "lru b", "lru c"]) await post("/v1/chat/completions", det(q));
      const s = await stats();
      expect(s.semanticCache.memorySize).toBe(2);
      expect(s.semanticCache.memoryMaxSize).toBe(2);
    } finally {
      await settings({ cacheMemoryMaxEntries: 500 });
    }
  });
});
