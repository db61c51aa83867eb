// The official openai npm SDK consumes what the Responses writers produce: a tiny server on
// 127.0.0.1 returns the writer's bytes and the SDK's own stream parser / accumulator
// (client.responses.create({stream:true}), client.responses.stream().finalResponse()) reads them.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { GatewayError } from "../../../src/errors.ts";
import type { CanonicalResponse, StreamEvent } from "../../../src/formats/canonical.ts";
import {
  canonicalToResponsesResponse,
  createResponsesStreamWriter,
  openAiResponsesClient,
  responsesStreamContext,
} from "../../../src/formats/openai-responses/index.ts";

type Reply = { stream: StreamEvent[]; error?: GatewayError } | { json: CanonicalResponse } | { status: number; error: GatewayError };

const replies = new Map<string, Reply>();
const bodies: any[] = [];
let server: ReturnType<typeof Bun.serve>;
let client: OpenAI;

const usage = { promptTokens: 10, completionTokens: 5, totalTokens: 15, cachedTokens: 2, reasoningTokens: 1 };

beforeAll(() => {
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const body = (await req.json()) as any;
      bodies.push(body);
      const reply = replies.get(body.model);
      if (!reply) return new Response("no such model", { status: 404 });
      if ("status" in reply) return Response.json(openAiResponsesClient.errorBody(reply.error), { status: reply.status });
      const ctx = responsesStreamContext(body, body.model);
      if ("json" in reply) return Response.json(canonicalToResponsesResponse(reply.json, ctx));
      const writer = createResponsesStreamWriter(ctx);
      const encoder = new TextEncoder();
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          // One chunk per canonical event, with keep-alives between, like the relay sends them.
          for (const ev of reply.stream) {
            controller.enqueue(encoder.encode(writer.write(ev)));
            controller.enqueue(encoder.encode(writer.keepAlive()!));
          }
          controller.enqueue(encoder.encode(reply.error ? writer.error(reply.error) : writer.end()));
          controller.close();
        },
      });
      return new Response(stream, { headers: { "content-type": openAiResponsesClient.streamContentType(ctx) } });
    },
  });
  client = new OpenAI({ apiKey: "sk-test", baseURL: `http://127.0.0.1:${server.port}/v1`, maxRetries: 0 });
});

afterAll(() => server.stop(true));

replies.set("text", {
  stream: [
    { type: "start", id: "chatcmpl-1", model: "upstream-model" },
    { type: "reasoning_delta", text: "Thinking about greetings." },
    { type: "reasoning_signature", signature: "sig-1" },
    { type: "text_delta", text: "Hello" },
    { type: "text_delta", text: ", wörld 👋" },
    { type: "finish", reason: "stop" },
    { type: "usage", usage },
  ],
});

replies.set("tools", {
  stream: [
    { type: "start", id: "msg_1", model: "claude" },
    { type: "text_delta", text: "Let me check." },
    { type: "tool_call_start", index: 0, id: "toolu_01", name: "get_weather" },
    { type: "tool_call_delta", index: 0, arguments: '{"city":' },
    { type: "tool_call_start", index: 1, id: "toolu_02", name: "get_time" },
    { type: "tool_call_delta", index: 0, arguments: '"Paris"}' },
    { type: "tool_call_delta", index: 1, arguments: '{"tz":"CET"}' },
    { type: "tool_call_end", index: 0 },
    { type: "tool_call_end", index: 1 },
    { type: "usage", usage },
    { type: "finish", reason: "tool_calls" },
  ],
});

replies.set("custom", {
  stream: [
    { type: "tool_call_start", index: 0, id: "call_p", name: "apply_patch" },
    { type: "tool_call_delta", index: 0, arguments: JSON.stringify({ input: "*** Begin Patch\n*** End Patch\n" }) },
    { type: "tool_call_end", index: 0 },
    { type: "finish", reason: "tool_calls" },
  ],
});

replies.set("cut", {
  stream: [
    { type: "text_delta", text: "The rivers" },
    { type: "finish", reason: "length" },
  ],
});

replies.set("fails", {
  stream: [
    { type: "start", id: "x", model: "m" },
    { type: "text_delta", text: "partial" },
  ],
  error: new GatewayError(502, "upstream_bad_response", "upstream stream failed: connection reset"),
});

replies.set("json", {
  json: {
    id: "chatcmpl-9",
    model: "upstream",
    content: [
      { type: "thinking", text: "hmm", signature: "s" },
      { type: "text", text: "Paris is sunny." },
      { type: "tool_call", id: "call_z", name: "log", arguments: '{"ok":true}' },
    ],
    finishReason: "tool_calls",
    usage,
  },
});

replies.set("bad", { status: 400, error: new GatewayError(400, "invalid_request", "previous_response_id is not supported: send the full conversation in input (store:false)", { param: "previous_response_id" }) });

describe("openai SDK against the Responses writers", () => {
  test("responses.stream(): events and finalResponse() with output_text, reasoning and usage", async () => {
    const stream = client.responses.stream({ model: "text", input: "Say hello", reasoning: { effort: "low", summary: "auto" } });
    const deltas: string[] = [];
    stream.on("response.output_text.delta", (e) => deltas.push(e.delta));
    const final = await stream.finalResponse();
    expect(deltas).toEqual(["Hello", ", wörld 👋"]);
    expect(final.output_text).toBe("Hello, wörld 👋");
    expect(final.status).toBe("completed");
    expect(final.model).toBe("text");
    expect(final.id).toMatch(/^resp_[0-9a-f]{50}$/);
    expect(final.reasoning).toEqual({ effort: "low", summary: "auto" });
    const [reasoning, message] = final.output;
    expect(reasoning).toMatchObject({ type: "reasoning", encrypted_content: "sig-1", summary: [{ type: "summary_text", text: "Thinking about greetings." }] });
    expect(message).toMatchObject({ type: "message", status: "completed", role: "assistant" });
    // No cache_write_tokens: canonical usage does not carry cache writes, and 0 would be a claim.
    expect(final.usage as unknown).toEqual({
      input_tokens: 10,
      input_tokens_details: { cached_tokens: 2 },
      output_tokens: 5,
      output_tokens_details: { reasoning_tokens: 1 },
      total_tokens: 15,
    });
  });

  test("responses.create({stream:true}): raw events with increasing sequence numbers", async () => {
    const stream = await client.responses.create({ model: "text", input: "Say hello", stream: true });
    const seen: { type: string; seq: number }[] = [];
    let completed: any = null;
    for await (const ev of stream) {
      seen.push({ type: ev.type, seq: ev.sequence_number });
      if (ev.type === "response.completed") completed = ev.response;
    }
    expect(seen.map((s) => s.seq)).toEqual(seen.map((_, i) => i));
    expect(seen[0]!.type).toBe("response.created");
    expect(seen.at(-1)!.type).toBe("response.completed");
    expect(completed.output.at(-1).content[0].text).toBe("Hello, wörld 👋");
  });

  test("function calls: interleaved arguments end up on the right items", async () => {
    const stream = client.responses.stream({
      model: "tools",
      input: "Weather and time in Paris?",
      tools: [
        { type: "function", name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } }, strict: false },
        { type: "function", name: "get_time", parameters: { type: "object", properties: { tz: { type: "string" } } }, strict: false },
      ],
    });
    const argDeltas: string[] = [];
    stream.on("response.function_call_arguments.delta", (e) => argDeltas.push(e.delta));
    const final = await stream.finalResponse();
    expect(argDeltas).toEqual(['{"city":', '"Paris"}', '{"tz":"CET"}']);
    expect(final.output_text).toBe("Let me check.");
    const calls = final.output.filter((i) => i.type === "function_call");
    expect(calls.map((c: any) => ({ call_id: c.call_id, name: c.name, arguments: c.arguments, status: c.status }))).toEqual([
      { call_id: "toolu_01", name: "get_weather", arguments: '{"city":"Paris"}', status: "completed" },
      { call_id: "toolu_02", name: "get_time", arguments: '{"tz":"CET"}', status: "completed" },
    ]);
    expect(final.tools.map((t: any) => t.name)).toEqual(["get_weather", "get_time"]);
  });

  test("custom tool calls arrive as custom_tool_call items", async () => {
    const final = await client.responses
      .stream({ model: "custom", input: "patch it", tools: [{ type: "custom", name: "apply_patch", description: "Edit files" }] })
      .finalResponse();
    expect(final.output).toHaveLength(1);
    expect(final.output[0]).toMatchObject({ type: "custom_tool_call", call_id: "call_p", name: "apply_patch", input: "*** Begin Patch\n*** End Patch\n" });
  });

  test("a cut-off answer is response.incomplete", async () => {
    const final = await client.responses.stream({ model: "cut", input: "essay", max_output_tokens: 16 }).finalResponse();
    expect(final.status).toBe("incomplete");
    expect(final.incomplete_details).toEqual({ reason: "max_output_tokens" });
    expect(final.output_text).toBe("The rivers");
    expect(final.max_output_tokens).toBe(16);
  });

  test("an error after streaming began is raised by the SDK", async () => {
    const streamed = client.responses.stream({ model: "fails", input: "x" });
    await expect(streamed.finalResponse()).rejects.toThrow("upstream stream failed: connection reset");

    const raw = await client.responses.create({ model: "fails", input: "x", stream: true });
    const types: string[] = [];
    let caught: unknown = null;
    try {
      for await (const ev of raw) types.push(ev.type);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(OpenAI.APIError);
    expect((caught as Error).message).toContain("upstream stream failed: connection reset");
    expect(types).toContain("response.output_text.delta");
  });

  test("non-streamed: the Response object parses, output_text included", async () => {
    const res = await client.responses.create({ model: "json", input: "Weather?" });
    expect(res.object).toBe("response");
    expect(res.output_text).toBe("Paris is sunny.");
    expect(res.output.map((i) => i.type)).toEqual(["reasoning", "message", "function_call"]);
    expect(res.output[2]).toMatchObject({ call_id: "call_z", name: "log", arguments: '{"ok":true}' });
  });

  test("an error body before streaming is the SDK's BadRequestError", async () => {
    const err = await client.responses.create({ model: "bad", input: "x" }).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err.message).toContain("previous_response_id is not supported");
    expect(err.param).toBe("previous_response_id");
  });
});
