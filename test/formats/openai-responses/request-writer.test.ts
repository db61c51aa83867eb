// Canonical → Responses API request (the body sent to a Responses upstream), and the round trip
// through the client-side reader (request.ts): what a Responses client sends survives the trip.
import { describe, expect, test } from "bun:test";
import type { CanonicalRequest } from "../../../src/formats/canonical.ts";
import { canonicalToResponsesRequest, openAiResponsesUpstream, responsesRequestToCanonical } from "../../../src/formats/openai-responses/index.ts";

const base = (extra: Partial<CanonicalRequest> = {}): CanonicalRequest => ({ model: "x/gpt-5-mini", system: [], messages: [], stream: false, ...extra });

describe("canonicalToResponsesRequest", () => {
  test("system parts → instructions; user and assistant turns → message items; store:false", () => {
    const body = canonicalToResponsesRequest(
      base({
        system: [{ type: "text", text: "Be brief." }, { type: "text", text: "Be kind." }],
        messages: [
          { role: "user", content: [{ type: "text", text: "hi" }] },
          { role: "assistant", content: [{ type: "text", text: "hello" }] },
          { role: "user", content: [{ type: "text", text: "again" }] },
        ],
      }),
      "gpt-5-mini",
    );
    expect(body).toEqual({
      model: "gpt-5-mini",
      instructions: "Be brief.\n\nBe kind.",
      input: [
        { type: "message", role: "user", content: [{ type: "input_text", text: "hi" }] },
        { type: "message", role: "assistant", content: [{ type: "output_text", text: "hello", annotations: [] }] },
        { type: "message", role: "user", content: [{ type: "input_text", text: "again" }] },
      ],
      store: false,
    });
  });

  test("images and documents → input_image / input_file (data URLs or URLs)", () => {
    const body = canonicalToResponsesRequest(
      base({
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "look" },
              { type: "image", source: { kind: "base64", mediaType: "image/png", data: "iVBORw0" } },
              { type: "image", source: { kind: "url", url: "https://e.x/cat.jpg" }, detail: "high" },
              { type: "document", source: { kind: "base64", mediaType: "application/pdf", data: "JVBERi0" }, title: "a.pdf" },
              { type: "document", source: { kind: "url", url: "https://e.x/b.pdf" } },
            ],
          },
        ],
      }),
      "m",
    );
    expect(body.input[0].content).toEqual([
      { type: "input_text", text: "look" },
      { type: "input_image", image_url: "data:image/png;base64,iVBORw0", detail: "auto" },
      { type: "input_image", image_url: "https://e.x/cat.jpg", detail: "high" },
      { type: "input_file", filename: "a.pdf", file_data: "data:application/pdf;base64,JVBERi0" },
      { type: "input_file", file_url: "https://e.x/b.pdf" },
    ]);
  });

  test("tools, tool_choice, a tool round trip as function_call / function_call_output items", () => {
    const body = canonicalToResponsesRequest(
      base({
        tools: [{ name: "get_weather", description: "Weather", parameters: { type: "object", properties: { city: { type: "string" } } } }],
        toolChoice: { type: "tool", name: "get_weather" },
        parallelToolCalls: false,
        messages: [
          { role: "user", content: [{ type: "text", text: "weather?" }] },
          {
            role: "assistant",
            content: [
              { type: "text", text: "Checking." },
              { type: "tool_call", id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' },
              { type: "tool_call", id: "call_2", name: "get_weather", arguments: "" },
            ],
          },
          {
            role: "user",
            content: [
              { type: "tool_result", toolCallId: "call_1", content: [{ type: "text", text: "sunny" }] },
              { type: "tool_result", toolCallId: "call_2", content: [{ type: "image", source: { kind: "url", url: "https://e.x/map.png" } }], isError: true },
              { type: "text", text: "thanks" },
            ],
          },
        ],
      }),
      "m",
    );
    expect(body.tools).toEqual([
      { type: "function", name: "get_weather", description: "Weather", parameters: { type: "object", properties: { city: { type: "string" } } }, strict: false },
    ]);
    expect(body.tool_choice).toEqual({ type: "function", name: "get_weather" });
    expect(body.parallel_tool_calls).toBe(false);
    expect(body.input.slice(1)).toEqual([
      { type: "message", role: "assistant", content: [{ type: "output_text", text: "Checking.", annotations: [] }] },
      { type: "function_call", call_id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' },
      { type: "function_call", call_id: "call_2", name: "get_weather", arguments: "{}" },
      { type: "function_call_output", call_id: "call_1", output: "sunny" },
      { type: "function_call_output", call_id: "call_2", output: [{ type: "input_image", image_url: "https://e.x/map.png", detail: "auto" }] },
      { type: "message", role: "user", content: [{ type: "input_text", text: "thanks" }] },
    ]);
    // tool_choice without tools is refused by the API: not sent.
    expect(canonicalToResponsesRequest(base({ toolChoice: { type: "required" } }), "m").tool_choice).toBeUndefined();
    expect(canonicalToResponsesRequest(base({ tools: [{ name: "f", parameters: {} }], toolChoice: { type: "none" } }), "m").tool_choice).toBe("none");
  });

  test("sampling, max tokens, reasoning effort (budget mapped), text format, user, stream; no Chat-only fields", () => {
    const body = canonicalToResponsesRequest(
      base({
        stream: true,
        maxTokens: 500,
        temperature: 0.2,
        topP: 0.9,
        topK: 40,
        stop: ["END"],
        seed: 7,
        reasoning: { budgetTokens: 2048 },
        responseFormat: { type: "json_schema", name: "out", schema: { type: "object" }, strict: true },
        user: "u-1",
      }),
      "m",
    );
    expect(body).toEqual({
      model: "m",
      input: [],
      max_output_tokens: 500,
      temperature: 0.2,
      top_p: 0.9,
      reasoning: { effort: "low" },
      text: { format: { type: "json_schema", name: "out", schema: { type: "object" }, strict: true } },
      user: "u-1",
      store: false,
      stream: true,
    });
    expect(canonicalToResponsesRequest(base({ reasoning: { effort: "high" } }), "m").reasoning).toEqual({ effort: "high" });
    expect(canonicalToResponsesRequest(base({ reasoning: { enabled: false } }), "m").reasoning).toBeUndefined();
    expect(canonicalToResponsesRequest(base({ reasoning: { enabled: true } }), "m").reasoning).toBeUndefined();
  });

  test("reasoning history: signed thinking and redacted reasoning → reasoning items; unsigned thinking dropped", () => {
    const body = canonicalToResponsesRequest(
      base({
        messages: [
          { role: "user", content: [{ type: "text", text: "q" }] },
          {
            role: "assistant",
            content: [
              { type: "thinking", text: "unsigned" },
              { type: "thinking", text: "signed", signature: "enc1" },
              { type: "redacted_thinking", data: "enc2" },
              { type: "text", text: "a" },
            ],
          },
        ],
      }),
      "m",
    );
    expect(body.input.slice(1)).toEqual([
      { type: "reasoning", summary: [{ type: "summary_text", text: "signed" }], encrypted_content: "enc1" },
      { type: "reasoning", summary: [], encrypted_content: "enc2" },
      { type: "message", role: "assistant", content: [{ type: "output_text", text: "a", annotations: [] }] },
    ]);
  });

  test("the adapter posts to /responses", () => {
    const req = openAiResponsesUpstream.buildRequest(base({ messages: [{ role: "user", content: [{ type: "text", text: "x" }] }] }), "gpt-5");
    expect(req.path).toBe("/responses");
    expect((req.body as any).model).toBe("gpt-5");
    expect(openAiResponsesUpstream.format).toBe("openai-responses");
  });
});

test("round trip: a Responses request read to canonical and written back keeps its content", () => {
  const client = {
    model: "gpt-5-mini",
    instructions: "Be brief.",
    input: [
      { type: "message", role: "user", content: [{ type: "input_text", text: "weather?" }, { type: "input_image", image_url: "https://e.x/a.png", detail: "low" }] },
      { type: "reasoning", summary: [{ type: "summary_text", text: "think" }], encrypted_content: "enc" },
      { type: "function_call", call_id: "call_9", name: "get_weather", arguments: '{"city":"Oslo"}' },
      { type: "function_call_output", call_id: "call_9", output: "cold" },
    ],
    tools: [{ type: "function", name: "get_weather", parameters: { type: "object", properties: {} }, strict: false }],
    tool_choice: "required",
    max_output_tokens: 100,
    temperature: 0.5,
    reasoning: { effort: "medium" },
    stream: true,
  };
  const written = canonicalToResponsesRequest(responsesRequestToCanonical(client), "gpt-5-mini");
  expect(written).toEqual({ ...client, input: [
    { type: "message", role: "user", content: [{ type: "input_text", text: "weather?" }, { type: "input_image", image_url: "https://e.x/a.png", detail: "low" }] },
    { type: "reasoning", summary: [{ type: "summary_text", text: "think" }], encrypted_content: "enc" },
    { type: "function_call", call_id: "call_9", name: "get_weather", arguments: '{"city":"Oslo"}' },
    { type: "function_call_output", call_id: "call_9", output: "cold" },
  ], store: false });
  // And read again, the canonical forms agree.
  expect(responsesRequestToCanonical(written)).toEqual(responsesRequestToCanonical(client));
});
