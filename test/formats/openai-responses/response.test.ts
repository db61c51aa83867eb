import { describe, expect, test } from "bun:test";
import type { CanonicalResponse } from "../../../src/formats/canonical.ts";
import {
  canonicalToResponsesResponse,
  openAiResponsesClient,
  responsesOutputText,
  responsesResponseToCanonical,
  responsesStreamContext,
} from "../../../src/formats/openai-responses/index.ts";
import { GatewayError } from "../../../src/errors.ts";

const fixture = async (name: string) => Bun.file(new URL(`../../fixtures/openai-responses/${name}`, import.meta.url)).json();
const usage = { promptTokens: 20, completionTokens: 50, totalTokens: 70, cachedTokens: 4, reasoningTokens: 30 };
const ID = (prefix: string) => new RegExp(`^${prefix}_[0-9a-f]{50}$`);

function canonical(over: Partial<CanonicalResponse> = {}): CanonicalResponse {
  return {
    id: "msg_01XFDUDYJgAACzvnptvVoYEL",
    model: "claude-sonnet-4-5",
    content: [
      { type: "thinking", text: "2 is not a perfect square.", signature: "EqQBCgIYAhIM1gbcDa9GJwZA2b3h" },
      { type: "text", text: "It is irrational: " },
      { type: "text", text: "no fraction squares to 2." },
    ],
    finishReason: "stop",
    usage,
    created: 1759400000,
    ...over,
  };
}

describe("canonical → Responses Response object", () => {
  test("the exact object: envelope, reasoning item, message item, usage", () => {
    const res = canonicalToResponsesResponse(canonical(), { requestedModel: "my-alias", includeUsage: true });
    expect(res.id).toMatch(ID("resp"));
    expect(res.completed_at).toBeGreaterThanOrEqual(res.created_at);
    const [rs, msg] = res.output as any[];
    expect(rs.id).toMatch(ID("rs"));
    expect(msg.id).toMatch(ID("msg"));
    expect(res).toEqual({
      id: res.id,
      object: "response",
      created_at: 1759400000,
      status: "completed",
      background: false,
      completed_at: res.completed_at,
      error: null,
      frequency_penalty: 0,
      incomplete_details: null,
      instructions: null,
      max_output_tokens: null,
      max_tool_calls: null,
      model: "my-alias",
      output: [
        {
          id: rs.id,
          type: "reasoning",
          encrypted_content: "EqQBCgIYAhIM1gbcDa9GJwZA2b3h",
          summary: [{ type: "summary_text", text: "2 is not a perfect square." }],
        },
        {
          id: msg.id,
          type: "message",
          status: "completed",
          content: [{ type: "output_text", annotations: [], logprobs: [], text: "It is irrational: no fraction squares to 2." }],
          role: "assistant",
        },
      ],
      parallel_tool_calls: true,
      presence_penalty: 0,
      previous_response_id: null,
      prompt_cache_key: null,
      prompt_cache_retention: null,
      reasoning: { effort: null, summary: null },
      safety_identifier: null,
      service_tier: "default",
      store: false,
      temperature: 1,
      text: { format: { type: "text" }, verbosity: "medium" },
      tool_choice: "auto",
      tools: [],
      top_logprobs: 0,
      top_p: 1,
      truncation: "disabled",
      usage: {
        input_tokens: 20,
        input_tokens_details: { cached_tokens: 4 },
        output_tokens: 50,
        output_tokens_details: { reasoning_tokens: 30 },
        total_tokens: 70,
      },
      user: null,
      metadata: {},
    });
    expect(responsesOutputText(res)).toBe("It is irrational: no fraction squares to 2.");
  });

  test("keys come in the order api.openai.com sends them", async () => {
    const recorded = await fixture("response-text.json");
    const ours = canonicalToResponsesResponse(canonical(), { requestedModel: "m", includeUsage: true });
    // OpenAI-only fields (its moderation and hosted-tool billing) are not produced here.
    const expected = Object.keys(recorded).filter((k) => k !== "moderation" && k !== "tool_usage");
    expect(Object.keys(ours)).toEqual(expected);
    expect(Object.keys(ours.output[1]!)).toEqual(Object.keys(recorded.output[0]));
    expect(Object.keys((ours.output[1] as any).content[0])).toEqual(Object.keys(recorded.output[0].content[0]));
    expect(Object.keys(ours.usage!)).toEqual(Object.keys(recorded.usage).filter((k) => k !== "cache_write_tokens"));

    const calls = await fixture("response-function-call.json");
    const withCall = canonicalToResponsesResponse(
      canonical({ content: [{ type: "tool_call", id: "call_1", name: "f", arguments: "{}" }], finishReason: "tool_calls" }),
      { requestedModel: "m", includeUsage: true },
    );
    expect(Object.keys(withCall.output[0]!)).toEqual(Object.keys(calls.output[1]));
  });

  test("function calls: one item each, call_id kept, text after a call is a new message", () => {
    const res = canonicalToResponsesResponse(
      canonical({
        content: [
          { type: "text", text: "Checking." },
          { type: "tool_call", id: "toolu_01A09q90qw90lq917835lq9", name: "get_weather", arguments: '{"city":"Paris"}' },
          { type: "tool_call", id: "toolu_02B", name: "get_time", arguments: "{}" },
        ],
        finishReason: "tool_calls",
      }),
      { requestedModel: "m", includeUsage: true },
    );
    expect(res.status).toBe("completed");
    expect(res.output.map((i: any) => i.type)).toEqual(["message", "function_call", "function_call"]);
    const call = res.output[1] as any;
    expect(call.id).toMatch(ID("fc"));
    expect(call).toEqual({ id: call.id, type: "function_call", status: "completed", arguments: '{"city":"Paris"}', call_id: "toolu_01A09q90qw90lq917835lq9", name: "get_weather" });
  });

  test("finish=length: status incomplete, the cut item incomplete, no completed_at", () => {
    const res = canonicalToResponsesResponse(canonical({ content: [{ type: "text", text: "Rivers are vital" }], finishReason: "length" }), {
      requestedModel: "m",
      includeUsage: true,
    });
    expect(res.status).toBe("incomplete");
    expect(res.incomplete_details).toEqual({ reason: "max_output_tokens" });
    expect(res.completed_at).toBeNull();
    expect((res.output[0] as any).status).toBe("incomplete");

    const filtered = canonicalToResponsesResponse(canonical({ finishReason: "content_filter" }), { requestedModel: "m", includeUsage: true });
    expect(filtered.incomplete_details).toEqual({ reason: "content_filter" });
  });

  test("the request's parameters are echoed (with the API's defaults filled in)", () => {
    const clientRequest = {
      model: "m",
      instructions: "Be brief.",
      input: "q",
      max_output_tokens: 64,
      temperature: 0.3,
      top_p: 0.5,
      parallel_tool_calls: false,
      tool_choice: { type: "function", name: "lookup" },
      tools: [
        { type: "function", name: "lookup", parameters: { type: "object", properties: {} } },
        { type: "function", name: "strictless", description: "d", parameters: { type: "object" }, strict: false },
      ],
      reasoning: { effort: "low", summary: "auto" },
      text: { format: { type: "json_schema", name: "out", schema: { type: "object" }, strict: true }, verbosity: "low" },
      metadata: { run: "42" },
      user: "u1",
      store: true,
    };
    const res = canonicalToResponsesResponse(canonical(), responsesStreamContext(clientRequest, "m"));
    expect(res).toMatchObject({
      instructions: "Be brief.",
      max_output_tokens: 64,
      temperature: 0.3,
      top_p: 0.5,
      parallel_tool_calls: false,
      tool_choice: { type: "function", name: "lookup" },
      tools: [
        { type: "function", description: null, name: "lookup", parameters: { type: "object", properties: {} }, strict: true },
        { type: "function", description: "d", name: "strictless", parameters: { type: "object" }, strict: false },
      ],
      reasoning: { effort: "low", summary: "auto" },
      text: { format: { type: "json_schema", name: "out", schema: { type: "object" }, strict: true }, verbosity: "low" },
      metadata: { run: "42" },
      user: "u1",
      store: false,
    });
  });

  test("calls to custom tools come back as custom_tool_call items with the free-form input", () => {
    const clientRequest = { model: "m", input: "q", tools: [{ type: "custom", name: "apply_patch", description: "Edit files." }] };
    const patch = "*** Begin Patch\n*** End Patch\n";
    const res = canonicalToResponsesResponse(
      canonical({ content: [{ type: "tool_call", id: "call_x", name: "apply_patch", arguments: JSON.stringify({ input: patch }) }], finishReason: "tool_calls" }),
      responsesStreamContext(clientRequest, "m"),
    );
    const item = res.output[0] as any;
    expect(item.id).toMatch(ID("ctc"));
    expect(item).toEqual({ id: item.id, type: "custom_tool_call", status: "completed", call_id: "call_x", input: patch, name: "apply_patch" });
    expect(res.tools).toEqual([{ type: "custom", name: "apply_patch", description: "Edit files." }]);
  });

  test("redacted reasoning travels as encrypted_content with an empty summary; no usage stays null", () => {
    const res = canonicalToResponsesResponse(
      canonical({
        content: [{ type: "redacted_thinking", data: "EmwKAhgBEgy3va3pzix" }],
        usage: { promptTokens: null, completionTokens: null, totalTokens: null, cachedTokens: null, reasoningTokens: null },
      }),
      { requestedModel: "m", includeUsage: true },
    );
    expect(res.output).toEqual([{ id: (res.output[0] as any).id, type: "reasoning", encrypted_content: "EmwKAhgBEgy3va3pzix", summary: [] }]);
    expect(res.usage).toBeNull();
  });

  test("an upstream Responses id is kept", () => {
    const res = canonicalToResponsesResponse(canonical({ id: "resp_abc" }), { requestedModel: "m", includeUsage: true });
    expect(res.id).toBe("resp_abc");
  });

  test("the client format renders errors in OpenAI's shape and streams as SSE", () => {
    const err = new GatewayError(400, "invalid_request", "previous_response_id is not supported", { param: "previous_response_id" });
    expect(openAiResponsesClient.errorBody(err)).toEqual({
      error: { message: "previous_response_id is not supported", type: "invalid_request_error", param: "previous_response_id", code: "invalid_request" },
    });
    expect(openAiResponsesClient.streamContentType({ requestedModel: "m", includeUsage: true })).toBe("text/event-stream; charset=utf-8");
    expect(openAiResponsesClient.id).toBe("openai-responses");
  });
});

describe("Responses Response object → canonical", () => {
  test("recorded text answer", async () => {
    const res = responsesResponseToCanonical(await fixture("response-text.json"));
    expect(res).toEqual({
      id: "resp_01eecaf64d828a82006aac72d116c487d18f04516cc8bdcf08",
      model: "gpt-4o-mini-2024-07-18",
      content: [{ type: "text", text: "Hello there, friend!" }],
      finishReason: "stop",
      usage: { promptTokens: 13, completionTokens: 6, totalTokens: 19, cachedTokens: 0, reasoningTokens: 0 },
      created: 1789686481,
    });
  });

  test("recorded function call with an opaque reasoning item", async () => {
    const body = await fixture("response-function-call.json");
    const res = responsesResponseToCanonical(body);
    expect(res.content).toEqual([
      { type: "redacted_thinking", data: body.output[0].encrypted_content },
      { type: "tool_call", id: "call_ygg090lIbgPfPIoYIGePN4cg", name: "get_weather", arguments: '{"location":"New York City, USA"}' },
    ]);
    expect(res.finishReason).toBe("tool_calls");
    expect(res.usage).toEqual({ promptTokens: 92, completionTokens: 38, totalTokens: 130, cachedTokens: 0, reasoningTokens: 14 });
  });

  test("reasoning summary with its signature, and a round trip through the writer", async () => {
    const body = await fixture("response-reasoning.json");
    const res = responsesResponseToCanonical(body);
    expect(res.content).toEqual([
      { type: "thinking", text: body.output[0].summary[0].text, signature: body.output[0].encrypted_content },
      { type: "text", text: "391" },
    ]);
    const again = responsesResponseToCanonical(canonicalToResponsesResponse(res, { requestedModel: "gpt-5.2", includeUsage: true }));
    expect(again.content).toEqual(res.content);
    expect(again.usage).toEqual(res.usage);
    expect(again.finishReason).toBe("stop");
  });
});
