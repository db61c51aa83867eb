import { describe, expect, test } from "bun:test";
import { GatewayError } from "../../../src/errors.ts";
import type { CanonicalRequest } from "../../../src/formats/canonical.ts";
import { openAiChatRequestToCanonical } from "../../../src/formats/openai-chat/request-canonical.ts";
import { canonicalToOpenAiChatRequest } from "../../../src/formats/openai-chat/request-upstream.ts";
import { ChatRequestSchema } from "../../../src/formats/openai-chat/request.ts";

const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
const weather = { type: "function", function: { name: "get_weather", description: "Current weather", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } } };

function thrown(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (e) {
    if (e instanceof GatewayError) return e;
    throw e;
  }
  throw new Error("expected a GatewayError");
}

describe("openAiChatRequestToCanonical", () => {
  test("string messages, system + developer, sampling parameters", () => {
    const req = openAiChatRequestToCanonical({
      model: "gpt-4o-mini",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "developer", content: [{ type: "text", text: "Answer in French." }] },
        { role: "user", content: "Hello" },
      ],
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 100,
      max_completion_tokens: 200,
      temperature: 0.2,
      top_p: 0.9,
      stop: "END",
      seed: 42,
      presence_penalty: 0.5,
      frequency_penalty: -0.5,
      user: "user-123",
      logprobs: true,
      top_logprobs: 3,
      n: 1,
    });
    expect(req).toEqual({
      model: "gpt-4o-mini",
      system: [
        { type: "text", text: "Be brief." },
        { type: "text", text: "Answer in French." },
      ],
      messages: [{ role: "user", content: [{ type: "text", text: "Hello" }] }],
      stream: true,
      includeUsage: true,
      maxTokens: 200,
      temperature: 0.2,
      topP: 0.9,
      stop: ["END"],
      seed: 42,
      presencePenalty: 0.5,
      frequencyPenalty: -0.5,
      user: "user-123",
    });
  });

  test("no stream field means not streamed, and stream_options is ignored without stream", () => {
    const req = openAiChatRequestToCanonical({ model: "m", messages: [{ role: "user", content: "x" }], stream_options: { include_usage: true }, max_tokens: 5, stop: ["a", "b"] });
    expect(req.stream).toBe(false);
    expect(req.includeUsage).toBeUndefined();
    expect(req.maxTokens).toBe(5);
    expect(req.stop).toEqual(["a", "b"]);
  });

  test("multi-part user content: text, images (data: and https:), files; audio dropped", () => {
    const req = openAiChatRequestToCanonical({
      model: "m",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "Compare these" },
            { type: "image_url", image_url: { url: `data:image/png;base64,${PNG}`, detail: "low" } },
            { type: "image_url", image_url: { url: "https://example.com/cat.jpg" } },
            { type: "input_audio", input_audio: { data: "UklGRg==", format: "wav" } },
            { type: "file", file: { filename: "report.pdf", file_data: "data:application/pdf;base64,JVBERi0xLjQ=" } },
          ],
        },
      ],
    });
    expect(req.messages[0]!.content).toEqual([
      { type: "text", text: "Compare these" },
      { type: "image", source: { kind: "base64", mediaType: "image/png", data: PNG }, detail: "low" },
      { type: "image", source: { kind: "url", url: "https://example.com/cat.jpg" } },
      { type: "document", source: { kind: "base64", mediaType: "application/pdf", data: "JVBERi0xLjQ=" }, title: "report.pdf" },
    ]);
  });

  test("a message that is only audio is refused with a clear 400, not sent empty", () => {
    const e = thrown(() => openAiChatRequestToCanonical({ model: "m", messages: [{ role: "user", content: [{ type: "input_audio", input_audio: { data: "x", format: "wav" } }] }] }));
    expect(e.status).toBe(400);
    expect(e.message).toContain("input_audio");
  });

  test("file_id parts cannot leave OpenAI: 400", () => {
    const e = thrown(() => openAiChatRequestToCanonical({ model: "m", messages: [{ role: "user", content: [{ type: "file", file: { file_id: "file-abc" } }] }] }));
    expect(e.status).toBe(400);
    expect(e.details.param).toBe("messages.0.content.0");
  });

  test("tool round trip: assistant tool_calls, consecutive role:tool messages → one user turn of tool_results", () => {
    const req = openAiChatRequestToCanonical({
      model: "m",
      messages: [
        { role: "user", content: "Weather in Paris and Tokyo?" },
        {
          role: "assistant",
          content: null,
          reasoning_content: "Two cities, two calls.",
          tool_calls: [
            { id: "call_A", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
            { id: "call_B", type: "function", function: { name: "get_weather", arguments: '{"city":"Tokyo"}' } },
          ],
        },
        { role: "tool", tool_call_id: "call_A", content: "sunny, 21°C" },
        { role: "tool", tool_call_id: "call_B", content: [{ type: "text", text: "rain, 14°C" }] },
        { role: "user", content: "And tomorrow?" },
      ],
      tools: [weather],
      tool_choice: "auto",
      parallel_tool_calls: true,
    });
    expect(req.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "Weather in Paris and Tokyo?" }] },
      {
        role: "assistant",
        content: [
          { type: "thinking", text: "Two cities, two calls." },
          { type: "tool_call", id: "call_A", name: "get_weather", arguments: '{"city":"Paris"}' },
          { type: "tool_call", id: "call_B", name: "get_weather", arguments: '{"city":"Tokyo"}' },
        ],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", toolCallId: "call_A", name: "get_weather", content: [{ type: "text", text: "sunny, 21°C" }] },
          { type: "tool_result", toolCallId: "call_B", name: "get_weather", content: [{ type: "text", text: "rain, 14°C" }] },
          { type: "text", text: "And tomorrow?" },
        ],
      },
    ]);
    expect(req.tools).toEqual([{ name: "get_weather", description: "Current weather", parameters: weather.function.parameters }]);
    expect(req.toolChoice).toEqual({ type: "auto" });
    expect(req.parallelToolCalls).toBe(true);
  });

  test("tool results come first in the user turn even if user text came before them", () => {
    const req = openAiChatRequestToCanonical({
      model: "m",
      messages: [
        { role: "assistant", content: "", tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: "{}" } }] },
        { role: "user", content: "note" },
        { role: "tool", tool_call_id: "c1", content: "ok" },
      ],
    });
    expect(req.messages[1]!.content.map((p) => p.type)).toEqual(["tool_result", "text"]);
  });

  test("OpenRouter `reasoning` on assistant turns is read as thinking", () => {
    const req = openAiChatRequestToCanonical({ model: "m", messages: [{ role: "user", content: "q" }, { role: "assistant", content: "a", reasoning: "hmm" }, { role: "user", content: "q2" }] });
    expect(req.messages[1]!.content).toEqual([
      { type: "thinking", text: "hmm" },
      { type: "text", text: "a" },
    ]);
  });

  test("legacy functions / function_call / role function", () => {
    const req = openAiChatRequestToCanonical({
      model: "m",
      messages: [
        { role: "user", content: "weather?" },
        { role: "assistant", content: null, function_call: { name: "get_weather", arguments: '{"city":"Paris"}' } },
        { role: "function", name: "get_weather", content: "sunny" },
      ],
      functions: [{ name: "get_weather", parameters: { type: "object" } }],
      function_call: { name: "get_weather" },
    });
    const call = req.messages[1]!.content[0] as { type: string; id: string };
    expect(call.type).toBe("tool_call");
    expect(call.id).toMatch(/^call_[A-Za-z0-9]{24}$/);
    expect(req.messages[2]!.content).toEqual([{ type: "tool_result", toolCallId: call.id, name: "get_weather", content: [{ type: "text", text: "sunny" }] }]);
    expect(req.tools).toEqual([{ name: "get_weather", parameters: { type: "object" } }]);
    expect(req.toolChoice).toEqual({ type: "tool", name: "get_weather" });
  });

  test("tool_choice forms, tools without parameters get an empty object schema", () => {
    const base = { model: "m", messages: [{ role: "user", content: "x" }], tools: [{ type: "function", function: { name: "now" } }] };
    expect(openAiChatRequestToCanonical({ ...base, tool_choice: "none" }).toolChoice).toEqual({ type: "none" });
    expect(openAiChatRequestToCanonical({ ...base, tool_choice: "required" }).toolChoice).toEqual({ type: "required" });
    expect(openAiChatRequestToCanonical({ ...base, tool_choice: { type: "function", function: { name: "now" } } }).toolChoice).toEqual({ type: "tool", name: "now" });
    expect(openAiChatRequestToCanonical(base).tools![0]!.parameters).toEqual({ type: "object", properties: {} });
  });

  test("non-function tools cannot be translated: 400", () => {
    const e = thrown(() => openAiChatRequestToCanonical({ model: "m", messages: [{ role: "user", content: "x" }], tools: [{ type: "custom", custom: { name: "grammar" } }] }));
    expect(e.status).toBe(400);
    expect(e.details.param).toBe("tools.0.type");
  });

  test("response_format and reasoning_effort", () => {
    const base = { model: "m", messages: [{ role: "user", content: "x" }] };
    expect(openAiChatRequestToCanonical({ ...base, response_format: { type: "json_object" } }).responseFormat).toEqual({ type: "json_object" });
    expect(
      openAiChatRequestToCanonical({ ...base, response_format: { type: "json_schema", json_schema: { name: "answer", schema: { type: "object" }, strict: true } } }).responseFormat,
    ).toEqual({ type: "json_schema", name: "answer", schema: { type: "object" }, strict: true });
    expect(openAiChatRequestToCanonical({ ...base, reasoning_effort: "low" }).reasoning).toEqual({ effort: "low" });
    expect(openAiChatRequestToCanonical({ ...base, reasoning_effort: "none" }).reasoning).toEqual({ enabled: false });
    expect(openAiChatRequestToCanonical({ ...base, reasoning: { max_tokens: 3000 } }).reasoning).toEqual({ budgetTokens: 3000 });
  });

  test("n > 1 is a 400 on param n (one choice per request)", () => {
    const e = thrown(() => openAiChatRequestToCanonical({ model: "m", messages: [{ role: "user", content: "x" }], n: 2 }));
    expect(e.status).toBe(400);
    expect(e.details.param).toBe("n");
  });

  test("invalid bodies are 400s that name the field", () => {
    expect(thrown(() => openAiChatRequestToCanonical({ messages: [{ role: "user", content: "x" }] })).details.param).toBe("model");
    expect(thrown(() => openAiChatRequestToCanonical({ model: "m", messages: [] })).details.param).toBe("messages");
    expect(thrown(() => openAiChatRequestToCanonical({ model: "m", messages: [{ role: "robot", content: "x" }] })).details.param).toBe("messages.0.role");
    expect(thrown(() => openAiChatRequestToCanonical({ model: "m", messages: [{ role: "tool", content: "x" }] })).details.param).toBe("messages.0.tool_call_id");
    expect(thrown(() => openAiChatRequestToCanonical([])).status).toBe(400);
  });

  test("ChatRequestSchema (pass-through validation) is still exported unchanged", () => {
    expect(ChatRequestSchema.safeParse({ model: "m", messages: [{ role: "user" }], extra: 1 }).success).toBe(true);
  });
});

describe("canonicalToOpenAiChatRequest", () => {
  test("round trip of a tool conversation: tool messages right after the assistant, reasoning_content echoed", () => {
    const body = {
      model: "client-model",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Weather in Paris and Tokyo?" },
        {
          role: "assistant",
          content: null,
          reasoning_content: "Two calls.",
          tool_calls: [
            { id: "call_A", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
            { id: "call_B", type: "function", function: { name: "get_weather", arguments: '{"city":"Tokyo"}' } },
          ],
        },
        { role: "tool", tool_call_id: "call_A", content: "sunny" },
        { role: "tool", tool_call_id: "call_B", content: "rain" },
        { role: "assistant", content: "Paris is sunny, Tokyo rainy." },
        { role: "user", content: "Thanks" },
      ],
      tools: [weather],
      tool_choice: { type: "function", function: { name: "get_weather" } },
      parallel_tool_calls: false,
      max_tokens: 300,
      temperature: 0.1,
      stream: true,
    };
    const out = canonicalToOpenAiChatRequest(openAiChatRequestToCanonical(body), "deepseek-chat");
    expect(out).toEqual({
      model: "deepseek-chat",
      messages: body.messages,
      max_tokens: 300,
      temperature: 0.1,
      tools: [weather],
      parallel_tool_calls: false,
      tool_choice: { type: "function", function: { name: "get_weather" } },
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  test("images as data URLs, documents as file parts, cache_control and topK dropped", () => {
    const req: CanonicalRequest = {
      model: "x",
      system: [
        { type: "text", text: "A", cacheControl: { type: "ephemeral" } },
        { type: "text", text: "B" },
      ],
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "Look", cacheControl: { type: "ephemeral" } },
            { type: "image", source: { kind: "base64", mediaType: "image/png", data: PNG }, detail: "high" },
            { type: "image", source: { kind: "url", url: "https://example.com/a.png" } },
            { type: "document", source: { kind: "base64", mediaType: "application/pdf", data: "JVBERi0=" }, title: "r.pdf" },
          ],
        },
      ],
      tools: [{ name: "t", parameters: { type: "object" }, cacheControl: { type: "ephemeral" } }],
      stream: false,
      topK: 40,
    };
    expect(canonicalToOpenAiChatRequest(req, "gpt-4o")).toEqual({
      model: "gpt-4o",
      messages: [
        { role: "system", content: "A\n\nB" },
        {
          role: "user",
          content: [
            { type: "text", text: "Look" },
            { type: "image_url", image_url: { url: `data:image/png;base64,${PNG}`, detail: "high" } },
            { type: "image_url", image_url: { url: "https://example.com/a.png" } },
            { type: "file", file: { filename: "r.pdf", file_data: "data:application/pdf;base64,JVBERi0=" } },
          ],
        },
      ],
      tools: [{ type: "function", function: { name: "t", parameters: { type: "object" } } }],
    });
  });

  test("Anthropic-shaped input: tool_result with an image, thinking with signature, empty arguments", () => {
    const req: CanonicalRequest = {
      model: "x",
      system: [],
      messages: [
        { role: "user", content: [{ type: "text", text: "screenshot please" }] },
        {
          role: "assistant",
          content: [
            { type: "thinking", text: "Use the tool.", signature: "sig" },
            { type: "text", text: "Taking it." },
            { type: "tool_call", id: "toolu_01", name: "screenshot", arguments: "" },
          ],
        },
        {
          role: "user",
          content: [
            {
              type: "tool_result",
              toolCallId: "toolu_01",
              isError: false,
              content: [
                { type: "text", text: "done" },
                { type: "image", source: { kind: "base64", mediaType: "image/png", data: PNG } },
              ],
            },
            { type: "text", text: "what do you see?" },
          ],
        },
      ],
      stream: false,
      reasoning: { budgetTokens: 2000, enabled: true },
      maxTokens: 1000,
    };
    const out = canonicalToOpenAiChatRequest(req, "o3-mini");
    expect(out.messages).toEqual([
      { role: "user", content: "screenshot please" },
      { role: "assistant", content: "Taking it.", reasoning_content: "Use the tool.", tool_calls: [{ id: "toolu_01", type: "function", function: { name: "screenshot", arguments: "{}" } }] },
      { role: "tool", tool_call_id: "toolu_01", content: "done" },
      { role: "user", content: [{ type: "image_url", image_url: { url: `data:image/png;base64,${PNG}` } }, { type: "text", text: "what do you see?" }] },
    ]);
    // o-series models refuse max_tokens.
    expect(out.max_completion_tokens).toBe(1000);
    expect(out.max_tokens).toBeUndefined();
    expect(out.reasoning_effort).toBe("low");
  });

  test("sampling, stop, response_format, user; no parallel_tool_calls or tool_choice without tools; disabled reasoning omitted", () => {
    const req: CanonicalRequest = {
      model: "x",
      system: [],
      messages: [{ role: "user", content: [{ type: "text", text: "a" }, { type: "text", text: "b" }] }],
      stream: false,
      parallelToolCalls: true,
      toolChoice: { type: "none" },
      stop: ["\n\n"],
      seed: 7,
      topP: 0.5,
      presencePenalty: 0.1,
      frequencyPenalty: 0.2,
      reasoning: { enabled: false, budgetTokens: 0 },
      responseFormat: { type: "json_schema", schema: { type: "object" } },
      user: "u",
    };
    expect(canonicalToOpenAiChatRequest(req, "m")).toEqual({
      model: "m",
      messages: [{ role: "user", content: "a\n\nb" }],
      top_p: 0.5,
      stop: ["\n\n"],
      seed: 7,
      presence_penalty: 0.1,
      frequency_penalty: 0.2,
      response_format: { type: "json_schema", json_schema: { name: "response", schema: { type: "object" } } },
      user: "u",
    });
  });

  test("a document given by URL cannot go to an OpenAI upstream: 400", () => {
    const req: CanonicalRequest = { model: "x", system: [], stream: false, messages: [{ role: "user", content: [{ type: "document", source: { kind: "url", url: "https://x/y.pdf" } }] }] };
    expect(thrown(() => canonicalToOpenAiChatRequest(req, "m")).status).toBe(400);
  });
});
