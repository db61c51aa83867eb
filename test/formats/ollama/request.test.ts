import { describe, expect, test } from "bun:test";
import { GatewayError } from "../../../src/errors.ts";
import type { CanonicalRequest } from "../../../src/formats/canonical.ts";
import { mediaTypeFromBase64 } from "../../../src/formats/ollama/images.ts";
import { canonicalToOllamaRequest, ollamaRequestToCanonical } from "../../../src/formats/ollama/request.ts";

const fixture = async (name: string) => JSON.parse(await Bun.file(new URL(`../../fixtures/ollama/${name}`, import.meta.url)).text());
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
const b64 = (bytes: number[]) => btoa(String.fromCharCode(...bytes, ...new Array(16).fill(0)));

describe("Ollama request → canonical", () => {
  test("a recorded request with history, images, tools, format, options and think", async () => {
    const req = ollamaRequestToCanonical(await fixture("chat-request-history.json"));
    expect(req.model).toBe("llama3.2");
    expect(req.stream).toBe(true); // no `stream` field: Ollama streams
    expect(req.system).toEqual([{ type: "text", text: "You are a weather bot." }]);
    expect(req.messages.map((m) => m.role)).toEqual(["user", "assistant", "user"]);

    const [user, assistant, results] = req.messages;
    expect(user!.content).toEqual([
      { type: "image", source: { kind: "base64", mediaType: "image/png", data: PNG } },
      { type: "text", text: "What is in this picture, and the weather in Paris and Toronto?" },
    ]);

    expect(assistant!.content[0]).toEqual({ type: "thinking", text: "Two cities: two calls." });
    const calls = assistant!.content.filter((p) => p.type === "tool_call") as any[];
    expect(calls.map((c) => c.name)).toEqual(["get_current_weather", "get_current_weather", "get_time"]);
    for (const c of calls) expect(c.id).toMatch(/^call_[A-Za-z0-9]{24}$/);
    expect(new Set(calls.map((c) => c.id)).size).toBe(3);
    expect(JSON.parse(calls[0].arguments)).toEqual({ location: "Paris, FR", format: "celsius" });

    // Results pair by name with the earliest unanswered call of that name, in order.
    const parts = results!.content as any[];
    expect(parts.map((p) => p.type)).toEqual(["tool_result", "tool_result", "tool_result", "text"]);
    expect(parts[0]).toMatchObject({ toolCallId: calls[2].id, name: "get_time", content: [{ type: "text", text: "10:00" }] });
    expect(parts[1]).toMatchObject({ toolCallId: calls[0].id, name: "get_current_weather", content: [{ type: "text", text: "22 degrees" }] });
    expect(parts[2]).toMatchObject({ toolCallId: calls[1].id, name: "get_current_weather", content: [{ type: "text", text: "15 degrees" }] });
    expect(parts[3]).toEqual({ type: "text", text: "Thanks, and in Fahrenheit?" });

    expect(req.tools).toHaveLength(1);
    expect(req.tools![0]!.name).toBe("get_current_weather");
    expect(req.tools![0]!.description).toBe("Get the current weather for a location");
    expect(req.responseFormat).toEqual({ type: "json_schema", schema: { type: "object", properties: { age: { type: "integer" } }, required: ["age"] } });
    expect(req).toMatchObject({ temperature: 0.8, topP: 0.9, topK: 20, maxTokens: 100, stop: ["\n", "user:"], seed: 42, presencePenalty: 1.5, frequencyPenalty: 1 });
    expect(req.reasoning).toEqual({ enabled: true, effort: "high" });
    expect(JSON.stringify(req)).not.toContain("num_ctx");
    expect(JSON.stringify(req)).not.toContain("keep_alive");
  });

  test("stream: false, format json, think booleans, num_predict -1", () => {
    const base = { model: "m", messages: [{ role: "user", content: "hi" }] };
    const a = ollamaRequestToCanonical({ ...base, stream: false, format: "json", think: false, options: { num_predict: -1 } });
    expect(a.stream).toBe(false);
    expect(a.responseFormat).toEqual({ type: "json_object" });
    expect(a.reasoning).toEqual({ enabled: false });
    expect(a.maxTokens).toBeUndefined();
    expect(ollamaRequestToCanonical({ ...base, think: true }).reasoning).toEqual({ enabled: true });
    expect(ollamaRequestToCanonical({ ...base, stream: true }).stream).toBe(true);
    expect(ollamaRequestToCanonical({ ...base, options: { stop: "END" } }).stop).toEqual(["END"]);
  });

  test("tool results without a name pair in order; a misnamed one takes the next waiting call; extra ones become user text", () => {
    const req = ollamaRequestToCanonical({
      model: "m",
      messages: [
        { role: "user", content: "go" },
        { role: "assistant", content: "", tool_calls: [{ function: { name: "a", arguments: {} } }, { function: { name: "b", arguments: { x: 1 } } }, { function: { name: "c", arguments: {} } }] },
        { role: "tool", content: "first" },
        { role: "tool", content: "second" },
        { role: "tool", tool_name: "C", content: "third" },
        { role: "tool", tool_name: "d", content: "stray" },
      ],
    });
    const calls = req.messages[1]!.content as any[];
    const results = req.messages[2]!.content as any[];
    expect(results[0]).toMatchObject({ type: "tool_result", toolCallId: calls[0].id, name: "a" });
    expect(results[1]).toMatchObject({ type: "tool_result", toolCallId: calls[1].id, name: "b" });
    expect(results[2]).toMatchObject({ type: "tool_result", toolCallId: calls[2].id, name: "c" });
    expect(results[3]).toEqual({ type: "text", text: "Result of tool d: stray" });
  });

  test("ids the client did send are kept and matched (Ollama ≥0.12 / OpenAI habits)", () => {
    const req = ollamaRequestToCanonical({
      model: "m",
      messages: [
        { role: "user", content: "go" },
        { role: "assistant", content: "", tool_calls: [{ id: "call_1", function: { name: "f", arguments: "{\"q\":1}" } }, { id: "call_2", function: { name: "f", arguments: {} } }] },
        { role: "tool", tool_call_id: "call_2", tool_name: "f", content: "two" },
        { role: "tool", tool_name: "f", content: "one" },
      ],
    });
    const calls = req.messages[1]!.content as any[];
    expect(calls[0]).toMatchObject({ id: "call_1", arguments: "{\"q\":1}" });
    const results = req.messages[2]!.content as any[];
    expect(results.map((r) => r.toolCallId)).toEqual(["call_2", "call_1"]);
  });

  test("consecutive same-role messages merge; system anywhere goes to system", () => {
    const req = ollamaRequestToCanonical({
      model: "m",
      messages: [
        { role: "user", content: "a" },
        { role: "user", content: "b" },
        { role: "system", content: "late system" },
        { role: "assistant", content: "c" },
        { role: "assistant", content: "d" },
      ],
    });
    expect(req.system).toEqual([{ type: "text", text: "late system" }]);
    expect(req.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "a" }, { type: "text", text: "b" }] },
      { role: "assistant", content: [{ type: "text", text: "c" }, { type: "text", text: "d" }] },
    ]);
  });

  test("invalid bodies are 400s naming the field", () => {
    const bad = (body: unknown) => {
      try {
        ollamaRequestToCanonical(body);
      } catch (e) {
        expect(e).toBeInstanceOf(GatewayError);
        return (e as GatewayError).message;
      }
      throw new Error("expected a GatewayError");
    };
    expect(bad({ messages: [{ role: "user", content: "x" }] })).toContain("model");
    expect(bad({ model: "m", messages: [] })).toContain("messages");
    expect(bad({ model: "m", messages: [{ content: "x" }] })).toContain("messages.0.role");
    expect(bad(null)).toBeTruthy();
  });
});

describe("image media type from magic bytes", () => {
  test.each([
    ["png", b64([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), "image/png"],
    ["jpeg", b64([0xff, 0xd8, 0xff, 0xe0]), "image/jpeg"],
    ["gif", b64([0x47, 0x49, 0x46, 0x38, 0x39, 0x61]), "image/gif"],
    ["webp", b64([0x52, 0x49, 0x46, 0x46, 1, 2, 3, 4, 0x57, 0x45, 0x42, 0x50]), "image/webp"],
    ["riff but not webp", b64([0x52, 0x49, 0x46, 0x46, 1, 2, 3, 4, 0x57, 0x41, 0x56, 0x45]), "image/png"],
    ["unknown", b64([1, 2, 3, 4]), "image/png"],
    ["not base64", "%%%%", "image/png"],
    ["real 1x1 png", PNG, "image/png"],
    ["jpeg base64 prefix", "/9j/4AAQSkZJRgABAQ", "image/jpeg"],
  ])("%s", (_, data, expected) => {
    expect(mediaTypeFromBase64(data)).toBe(expected);
  });

  test("a data: URL is accepted too", () => {
    const req = ollamaRequestToCanonical({ model: "m", messages: [{ role: "user", content: "x", images: [`data:image/webp;base64,${PNG}`] }] });
    expect(req.messages[0]!.content[0]).toEqual({ type: "image", source: { kind: "base64", mediaType: "image/webp", data: PNG } });
  });
});

describe("canonical → Ollama request", () => {
  const canonical: CanonicalRequest = {
    model: "ignored",
    system: [{ type: "text", text: "Be brief." }, { type: "text", text: "Be kind." }],
    messages: [
      {
        role: "user",
        content: [
          { type: "text", text: "Look:" },
          { type: "image", source: { kind: "base64", mediaType: "image/png", data: PNG } },
          { type: "image", source: { kind: "url", url: "https://example.com/cat.jpg" } },
        ],
      },
      {
        role: "assistant",
        content: [
          { type: "thinking", text: "hmm", signature: "sig" },
          { type: "text", text: "Checking." },
          { type: "tool_call", id: "toolu_1", name: "get_weather", arguments: '{"city":"Paris"}' },
          { type: "tool_call", id: "toolu_2", name: "get_time", arguments: "" },
        ],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", toolCallId: "toolu_1", content: [{ type: "text", text: "sunny" }] },
          { type: "tool_result", toolCallId: "toolu_2", name: "get_time", content: [{ type: "text", text: "noon" }] },
          { type: "text", text: "And tomorrow?" },
        ],
      },
    ],
    tools: [{ name: "get_weather", description: "Weather", parameters: { type: "object", properties: { city: { type: "string" } } }, cacheControl: { type: "ephemeral" } }],
    stream: false,
    maxTokens: 256,
    temperature: 0.2,
    topP: 0.5,
    topK: 40,
    stop: ["END"],
    seed: 7,
    presencePenalty: 0.1,
    frequencyPenalty: 0.3,
    reasoning: { effort: "low" },
    responseFormat: { type: "json_object" },
  };

  test("messages, tools, options, format, think and an explicit stream flag", () => {
    const out = canonicalToOllamaRequest(canonical, "llama3.2");
    expect(out.path).toBe("/api/chat");
    expect(out.body).toEqual({
      model: "llama3.2",
      stream: false,
      messages: [
        { role: "system", content: "Be brief.\n\nBe kind." },
        { role: "user", content: "Look:\n[image: https://example.com/cat.jpg]", images: [PNG] },
        {
          role: "assistant",
          content: "Checking.",
          thinking: "hmm",
          tool_calls: [
            { function: { name: "get_weather", arguments: { city: "Paris" } } },
            { function: { name: "get_time", arguments: {} } },
          ],
        },
        { role: "tool", content: "sunny", tool_name: "get_weather" },
        { role: "tool", content: "noon", tool_name: "get_time" },
        { role: "user", content: "And tomorrow?" },
      ],
      tools: [{ type: "function", function: { name: "get_weather", description: "Weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }],
      format: "json",
      options: { temperature: 0.2, top_p: 0.5, top_k: 40, num_predict: 256, stop: ["END"], seed: 7, presence_penalty: 0.1, frequency_penalty: 0.3 },
      think: true,
    });
  });

  test("stream true is explicit; no options/think/format/tools when not asked", () => {
    const out = canonicalToOllamaRequest({ model: "x", system: [], messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }], stream: true }, "m");
    expect(out.body).toEqual({ model: "m", stream: true, messages: [{ role: "user", content: "hi" }] });
  });

  test("think levels only for gpt-oss; disabled reasoning is think:false; schema format passes", () => {
    const base: CanonicalRequest = { model: "x", system: [], messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }], stream: true };
    expect((canonicalToOllamaRequest({ ...base, reasoning: { budgetTokens: 20000 } }, "gpt-oss:20b").body as any).think).toBe("high");
    expect((canonicalToOllamaRequest({ ...base, reasoning: { effort: "minimal" } }, "gpt-oss:20b").body as any).think).toBe("low");
    expect((canonicalToOllamaRequest({ ...base, reasoning: { enabled: false } }, "qwen3").body as any).think).toBe(false);
    const schema = { type: "object", properties: {} };
    expect((canonicalToOllamaRequest({ ...base, responseFormat: { type: "json_schema", name: "x", schema } }, "m").body as any).format).toEqual(schema);
  });

  test("tool_choice none withholds the tools (Ollama has no tool_choice)", () => {
    const out = canonicalToOllamaRequest({ ...canonical, toolChoice: { type: "none" } }, "m");
    expect((out.body as any).tools).toBeUndefined();
  });

  test("Ollama → canonical → Ollama keeps the conversation", async () => {
    const original = await fixture("chat-request-history.json");
    const out = canonicalToOllamaRequest(ollamaRequestToCanonical(original), "llama3.2").body as any;
    expect(out.stream).toBe(true);
    expect(out.think).toBe(true);
    expect(out.messages.map((m: any) => [m.role, m.tool_name ?? null, m.content])).toEqual([
      ["system", null, "You are a weather bot."],
      ["user", null, "What is in this picture, and the weather in Paris and Toronto?"],
      ["assistant", null, ""],
      ["tool", "get_time", "10:00"],
      ["tool", "get_current_weather", "22 degrees"],
      ["tool", "get_current_weather", "15 degrees"],
      ["user", null, "Thanks, and in Fahrenheit?"],
    ]);
    expect(out.messages[1].images).toEqual(original.messages[1].images);
    expect(out.messages[2].tool_calls).toEqual(original.messages[2].tool_calls);
    expect(out.messages[2].thinking).toBe("Two cities: two calls.");
    expect(out.format).toEqual(original.format);
    expect(out.options).toEqual({ temperature: 0.8, top_p: 0.9, top_k: 20, num_predict: 100, stop: ["\n", "user:"], seed: 42, presence_penalty: 1.5, frequency_penalty: 1 });
  });
});
