// Row "OpenAI Responses client" of the matrix (what Codex CLI speaks): the official openai SDK's
// client.responses.* against every upstream format, plus the Codex-specific request shape.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { startGateway } from "../support/gateway.ts";
import { addConnection } from "../support/setup.ts";
import { FAKE_ENCRYPTED } from "../support/fake-openai-responses.ts";
import { errorBody } from "../support/fake-openai.ts";
import { startMatrix, TINY_PNG_BASE64, TOOL_RESULT, UPSTREAMS, weatherTool, type Matrix } from "./harness.ts";

type Event = OpenAI.Responses.ResponseStreamEvent;
type Item = OpenAI.Responses.ResponseOutputItem;

let m: Matrix;
let client: OpenAI;
beforeAll(async () => {
  m = await startMatrix();
  client = new OpenAI({ baseURL: `${m.base}/v1`, apiKey: m.key, maxRetries: 0 });
});
afterAll(() => m.close());

const tools: OpenAI.Responses.Tool[] = [{ type: "function", ...weatherTool, strict: false }];

/** The reasoning signature each upstream's fake emits, carried as the item's encrypted_content. */
const SIGNATURES: Record<string, string | undefined> = {
  anthropic: "sig-fake-1",
  gemini: "c2lnLWZha2UtMQ==",
  openai: undefined,
  ollama: undefined,
  "openai-responses": FAKE_ENCRYPTED,
};

async function collect(stream: AsyncIterable<Event>): Promise<Event[]> {
  const events: Event[] = [];
  for await (const ev of stream) events.push(ev);
  return events;
}

function expectWellFormed(events: Event[]) {
  expect(events[0]!.type).toBe("response.created");
  expect(events[1]!.type).toBe("response.in_progress");
  expect(events.at(-1)!.type).toBe("response.completed");
  expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
}

describe.each(UPSTREAMS)("responses client → $format upstream", (up) => {
  test("text", async () => {
    const res = await client.responses.create({ model: up.model(), input: "hi there" });
    expect(res.output_text).toBe("Hello from fake: hi there");
    expect(res.id).toStartWith("resp_");
    expect(res.object).toBe("response");
    expect(res.status).toBe("completed");
    // Translated answers name the model the client asked for; the Responses → Responses
    // pass-through forwards the upstream's bytes, so its own model id is kept.
    expect(res.model).toBe(up.format === "openai-responses" ? "gpt-5-mini" : up.model());
    expect(res.output.map((i) => i.type)).toEqual(["message"]);
    // The upstream's own counts, unchanged: every fake counts the 5 words of the reply.
    expect(res.usage!.output_tokens).toBe(5);
    expect(res.usage!.input_tokens).toBeGreaterThan(0);
    expect(res.usage!.total_tokens).toBe(res.usage!.input_tokens + res.usage!.output_tokens);
  });

  test("streamed text", async () => {
    const stream = await client.responses.create({
      model: up.model(),
      instructions: "be brief",
      input: [{ role: "user", content: "stream please" }],
      stream: true,
    });
    const events = await collect(stream);
    expectWellFormed(events);
    const text = events.flatMap((e) => (e.type === "response.output_text.delta" ? [e.delta] : [])).join("");
    expect(text).toBe("Hello from fake: stream please");
    const done = events.at(-1) as OpenAI.Responses.ResponseCompletedEvent;
    expect(done.response.status).toBe("completed");
    expect(done.response.instructions).toBe("be brief");
    expect(done.response.output).toEqual([
      { id: expect.stringMatching(/^msg_/), type: "message", status: "completed", role: "assistant", content: [{ type: "output_text", annotations: [], logprobs: [], text: "Hello from fake: stream please" }] },
    ]);
    expect(done.response.usage!.total_tokens).toBeGreaterThan(0);
    expect(done.response.usage!.output_tokens).toBe(5);
  });

  test("tool-call round trip (call, result, final answer), first turn streamed", async () => {
    const input: OpenAI.Responses.ResponseInput = [{ role: "user", content: "weather in Paris?" }];
    const stream = client.responses.stream({ model: up.model("tool-call"), input, tools });
    const events = await collect(stream);
    expectWellFormed(events);
    const first = await stream.finalResponse();
    expect(first.status).toBe("completed");
    const calls = first.output.filter((i) => i.type === "function_call") as OpenAI.Responses.ResponseFunctionToolCall[];
    expect(calls).toHaveLength(1);
    const call = calls[0]!;
    expect(call.name).toBe("get_weather");
    expect(JSON.parse(call.arguments)).toEqual({ city: "Paris" });
    expect(call.call_id).toBeTruthy();
    expect(call.id).toStartWith("fc_");
    expect(call.status).toBe("completed");
    // The arguments arrive as deltas too, and the done event repeats them whole.
    const argDeltas = events.flatMap((e) => (e.type === "response.function_call_arguments.delta" ? [e.delta] : [])).join("");
    expect(JSON.parse(argDeltas)).toEqual({ city: "Paris" });
    expect(first.output_text).toBe("");

    const second = await client.responses.create({
      model: up.model("tool-call"),
      tools,
      input: [...input, ...(first.output as OpenAI.Responses.ResponseInputItem[]), { type: "function_call_output", call_id: call.call_id, output: TOOL_RESULT }],
    });
    expect(second.output_text).toBe(`The weather is: ${TOOL_RESULT}`);
    expect(second.status).toBe("completed");
  });

  test("image input reaches the upstream", async () => {
    const res = await client.responses.create({
      model: up.model(),
      input: [
        {
          role: "user",
          content: [
            { type: "input_text", text: "what is this" },
            { type: "input_image", image_url: `data:image/png;base64,${TINY_PNG_BASE64}`, detail: "auto" },
          ],
        },
      ],
    });
    expect(res.output_text).toBe("Hello from fake: what is this [images:1]");
  });

  test("reasoning arrives as a reasoning item with its summary (streamed)", async () => {
    const stream = client.responses.stream({ model: up.model("reasoning"), input: "think first", reasoning: { effort: "low", summary: "auto" } });
    const events = await collect(stream);
    expectWellFormed(events);
    const summary = events.flatMap((e) => (e.type === "response.reasoning_summary_text.delta" ? [e.delta] : [])).join("");
    expect(summary).toBe("Let me think.");
    const text = events.flatMap((e) => (e.type === "response.output_text.delta" ? [e.delta] : [])).join("");
    expect(text).toBe("Hello from fake: think first");
    const res = await stream.finalResponse();
    expect(res.output.map((i) => i.type)).toEqual(["reasoning", "message"]);
    const reasoning = res.output[0] as OpenAI.Responses.ResponseReasoningItem;
    expect(reasoning.id).toStartWith("rs_");
    expect(reasoning.summary).toEqual([{ type: "summary_text", text: "Let me think." }]);
    expect(reasoning.encrypted_content ?? undefined).toBe(SIGNATURES[up.format]);
    expect(res.output_text).toBe("Hello from fake: think first");
    expect(res.reasoning).toEqual({ effort: "low", summary: "auto" });
  });

  test("reasoning arrives as a reasoning item (not streamed)", async () => {
    const res = await client.responses.create({ model: up.model("reasoning"), input: "think first", reasoning: { effort: "low" } });
    expect(res.output.map((i: Item) => i.type)).toEqual(["reasoning", "message"]);
    const reasoning = res.output[0] as OpenAI.Responses.ResponseReasoningItem;
    expect(reasoning.summary).toEqual([{ type: "summary_text", text: "Let me think." }]);
    expect(reasoning.encrypted_content ?? undefined).toBe(SIGNATURES[up.format]);
    expect(res.output_text).toBe("Hello from fake: think first");
  });

  test("an upstream 429 becomes the SDK's RateLimitError", async () => {
    const err = await client.responses.create({ model: up.model("error-429"), input: "x" }).then(
      () => null,
      (e) => e,
    );
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(err.status).toBe(429);
    // Translated, the message names the upstream; passed through, the body is the upstream's own.
    if (up.format === "openai-responses") expect(err.error).toEqual(errorBody(429).error);
    else expect(err.error?.message ?? err.message).toContain(`[${up.format}]`);
    // Streamed: the error comes before the stream starts, as an HTTP 429.
    const streamed = await client.responses.create({ model: up.model("error-429"), input: "x", stream: true }).then(
      () => null,
      (e) => e,
    );
    expect(streamed).toBeInstanceOf(OpenAI.RateLimitError);
  });
});

test("a Chat Completions upstream's context overflow reaches a Responses client with its code and message (Codex compacts on it)", async () => {
  const up = UPSTREAMS.find((u) => u.format === "openai")!;
  const err = await client.responses.create({ model: up.model("error-400"), input: "x" }).then(
    () => null,
    (e) => e,
  );
  expect(err).toBeInstanceOf(OpenAI.BadRequestError);
  expect(err.error).toMatchObject({ type: "invalid_request_error", code: "context_length_exceeded", message: `[openai] ${errorBody(400).error.message}` });
});

describe("responses client: Codex and the Responses API's edges", () => {
  // What codex-rs sends (ResponsesApiRequest): instructions, developer + user messages in
  // input, store:false, include encrypted reasoning, parallel_tool_calls, tool_choice "auto",
  // a function tool and the free-form `custom` apply_patch tool with its Lark grammar.
  const applyPatch = {
    type: "custom" as const,
    name: "apply_patch",
    description: "Use the `apply_patch` tool to edit files.",
    format: { type: "grammar" as const, syntax: "lark" as const, definition: 'start: begin_patch hunk+ end_patch\nbegin_patch: "*** Begin Patch" LF\nend_patch: "*** End Patch" LF?' },
  };
  const codexTools: OpenAI.Responses.Tool[] = [
    { type: "function", name: "shell", description: "Runs a shell command", strict: false, parameters: { type: "object", properties: { command: { type: "array", items: { type: "string" } } }, required: ["command"], additionalProperties: false } },
    applyPatch,
  ];
  const codexBase = {
    instructions: "You are Codex, a coding agent.",
    tools: codexTools,
    tool_choice: "auto" as const,
    parallel_tool_calls: false,
    reasoning: { effort: "low" as const, summary: "auto" as const },
    store: false,
    include: ["reasoning.encrypted_content" as const],
    prompt_cache_key: "0199a5f0-codex-session",
  };

  test("a Codex-shaped streamed request works end to end against Anthropic (two turns, custom tool output, encrypted reasoning)", async () => {
    const history: OpenAI.Responses.ResponseInputItem[] = [
      { type: "message", role: "developer", content: [{ type: "input_text", text: "<permissions>workspace-write</permissions>" }] },
      { type: "message", role: "user", content: [{ type: "input_text", text: "fix the bug" }] },
    ];
    const stream = await client.responses.create({ ...codexBase, model: "anthropic/claude-sonnet-4-5-reasoning", input: history, stream: true });
    const events = await collect(stream);
    expectWellFormed(events);
    const done = events.at(-1) as OpenAI.Responses.ResponseCompletedEvent;
    // Nothing is stored here whatever the client asks; the request's parameters are echoed.
    expect(done.response).toMatchObject({ store: false, parallel_tool_calls: false, instructions: codexBase.instructions, prompt_cache_key: codexBase.prompt_cache_key });
    expect(done.response.usage!.total_tokens).toBeGreaterThan(0);
    // Codex rebuilds its history from output_item.done items.
    const items = events.flatMap((e) => (e.type === "response.output_item.done" ? [e.item] : []));
    expect(items.map((i) => i.type)).toEqual(["reasoning", "message"]);
    const reasoning = items[0] as OpenAI.Responses.ResponseReasoningItem;
    expect(reasoning.summary).toEqual([{ type: "summary_text", text: "Let me think." }]);
    expect(reasoning.encrypted_content).toBe("sig-fake-1");
    const message = items[1] as OpenAI.Responses.ResponseOutputMessage;
    expect(message.content).toEqual([{ type: "output_text", annotations: [], logprobs: [], text: "Hello from fake: fix the bug" }]);

    // Turn two replays the reasoning (Anthropic requires the signed thinking before a
    // tool_use when thinking is on) and a finished apply_patch call with its output.
    history.push(
      { type: "reasoning", id: reasoning.id, summary: reasoning.summary, encrypted_content: reasoning.encrypted_content },
      { type: "custom_tool_call", call_id: "call_patch_1", name: "apply_patch", input: "*** Begin Patch\n*** End Patch\n" },
      { type: "custom_tool_call_output", call_id: "call_patch_1", output: "Done!" },
    );
    const second = await client.responses.create({ ...codexBase, model: "anthropic/claude-sonnet-4-5-reasoning-tool-call", input: history, stream: true });
    const events2 = await collect(second);
    expectWellFormed(events2);
    const text = events2.flatMap((e) => (e.type === "response.output_text.delta" ? [e.delta] : [])).join("");
    expect(text).toBe("The weather is: Done!");
  });

  test("a call to the custom tool comes back as a custom_tool_call item", async () => {
    // The Anthropic fake calls get_weather; offered as a custom tool it must come back as one.
    const stream = await client.responses.create({
      ...codexBase,
      tools: [{ type: "custom", name: "get_weather", description: "weather" }],
      model: "anthropic/claude-sonnet-4-5-tool-call",
      input: "weather?",
      stream: true,
    });
    const events = await collect(stream);
    expectWellFormed(events);
    const items = events.flatMap((e) => (e.type === "response.output_item.done" ? [e.item] : []));
    expect(items).toHaveLength(1);
    const call = items[0] as OpenAI.Responses.ResponseCustomToolCall;
    expect(call.type).toBe("custom_tool_call");
    expect(call.name).toBe("get_weather");
    expect(call.call_id).toBe("toolu_01FakeWeatherCall0000000");
    // The fake answers {"city":"Paris"}, not {"input": …}: the raw arguments are the input.
    expect(call.input).toBe('{"city":"Paris"}');
  });

  test("previous_response_id is refused with a 400 that says what to do instead", async () => {
    const err = await client.responses.create({ model: UPSTREAMS[0]!.model(), input: "again", previous_response_id: "resp_abc" }).then(
      () => null,
      (e) => e,
    );
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err.status).toBe(400);
    expect(err.error.message).toBe("previous_response_id is not supported: send the full conversation in input (store:false)");
    expect(err.error.param).toBe("previous_response_id");
  });

  test("a mid-stream upstream failure raises in the SDK and is never reported as completed", async () => {
    const stream = await client.responses.create({ model: "openai/gpt-4o-mini-broken-stream", input: "hello", stream: true });
    const seen: string[] = [];
    const err = await (async () => {
      for await (const ev of stream) seen.push(ev.type);
    })().then(
      () => null,
      (e) => e,
    );
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect(String(err.message)).toContain("upstream stream failed");
    expect(seen[0]).toBe("response.created");
    expect(seen).not.toContain("response.completed");
    expect(seen).not.toContain("response.incomplete");
  });

  test("an upstream stream that stops short without an error is not reported as completed either", async () => {
    // An OpenAI-compatible server whose stream just ends (no finish_reason, no [DONE]): the
    // connection closes cleanly, so only the missing finish tells that the answer was cut.
    const upstream = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: () =>
        new Response(`data: ${JSON.stringify({ id: "chatcmpl-cut", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: { role: "assistant", content: "Hello, I was" }, finish_reason: null }] })}\n\n`, {
          headers: { "content-type": "text/event-stream" },
        }),
    });
    const gw = await startGateway();
    try {
      await addConnection(gw, { provider: "openai", baseUrl: `http://127.0.0.1:${upstream.port}/v1` });
      const cutClient = new OpenAI({ baseURL: `${await gw.listen()}/v1`, apiKey: "unused", maxRetries: 0 });
      const stream = await cutClient.responses.create({ model: "openai/gpt-4o-mini", input: "hello", stream: true });
      const seen: Event[] = [];
      const err = await (async () => {
        for await (const ev of stream) seen.push(ev);
      })().then(
        () => null,
        (e) => e,
      );
      expect(err).toBeInstanceOf(OpenAI.APIError);
      expect(String(err.message)).toContain("ended before the response was finished");
      expect(seen.map((e) => e.type)).not.toContain("response.completed");
      expect(seen.flatMap((e) => (e.type === "response.output_text.delta" ? [e.delta] : [])).join("")).toBe("Hello, I was");
    } finally {
      await gw.close();
      upstream.stop(true);
    }
  });
});
