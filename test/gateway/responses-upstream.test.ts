// A provider node with apiType "responses": its upstream speaks the Responses API
// (POST {base}/responses). Responses clients are passed through; every other client format is
// translated through the canonical form. Official SDKs as clients, a fake Responses upstream.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { FAKE_CALL_ID, FAKE_ENCRYPTED, startFakeOpenAiResponses, type FakeOpenAiResponses } from "../support/fake-openai-responses.ts";
import { startFakeOpenAi } from "../support/fake-openai.ts";
import { startGateway, type TestGateway } from "../support/gateway.ts";
import { addConnection, createKey, sseData, usageRows } from "../support/setup.ts";

let fake: FakeOpenAiResponses;
let gw: TestGateway;
let nodeId: string;
let openai: OpenAI;
let anthropic: Anthropic;
let key: string;

beforeAll(async () => {
  fake = startFakeOpenAiResponses();
  gw = await startGateway();
  const created = await gw.request("/api/provider-nodes", {
    method: "POST",
    json: { name: "Responses box", prefix: "resp", type: "openai-compatible", apiType: "responses", baseUrl: `${fake.baseUrl}/responses` },
  });
  expect(created.status).toBe(201);
  nodeId = (await created.json()).node.id;
  expect(nodeId).toMatch(/^openai-compatible-responses-/);
  await addConnection(gw, { provider: nodeId, apiKey: "sk-fake-upstream", name: "resp-key" });
  key = (await createKey(gw, "sdk")).key;
  const base = await gw.listen();
  openai = new OpenAI({ baseURL: `${base}/v1`, apiKey: key, maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: base, apiKey: key, maxRetries: 0 });
});
afterAll(async () => {
  await gw.close();
  fake.close();
});

const lastSent = () => fake.requests.at(-1)!;
const rowFor = (requestId: string | null) => usageRows(gw).find((r) => r.request_id === requestId);
const weatherTool = { type: "function" as const, function: { name: "get_weather", description: "Weather", parameters: { type: "object", properties: { city: { type: "string" } } } } };

describe("OpenAI Chat client → Responses upstream (translated)", () => {
  test("non-stream: text, usage unchanged, request written in the Responses shape", async () => {
    const { data, response } = await openai.chat.completions
      .create({ model: "resp/gpt-5-mini", messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "hi chat" }], max_tokens: 50 })
      .withResponse();
    expect(data.choices[0]!.message.content).toBe("Hello from fake: hi chat");
    expect(data.choices[0]!.finish_reason).toBe("stop");
    expect(data.model).toBe("resp/gpt-5-mini");
    const sent = lastSent();
    expect(sent.path).toBe("/v1/responses");
    expect(sent.body).toEqual({
      model: "gpt-5-mini",
      instructions: "Be brief.",
      input: [{ type: "message", role: "user", content: [{ type: "input_text", text: "hi chat" }] }],
      max_output_tokens: 50,
      store: false,
    });
    const u = data.usage!;
    const input = u.prompt_tokens;
    expect(input).toBeGreaterThan(0);
    expect(u.prompt_tokens_details?.cached_tokens).toBe(input >> 2);
    expect(u.completion_tokens).toBe(5);
    expect(u.total_tokens).toBe(input + 5);
    const row = rowFor(response.headers.get("x-request-id"));
    expect(row).toMatchObject({ provider: nodeId, model: "gpt-5-mini", prompt_tokens: input, completion_tokens: 5, total_tokens: input + 5, status: 200 });
  });

  test("stream: text deltas and the upstream's usage", async () => {
    const stream = await openai.chat.completions.create({
      model: "resp/gpt-5-mini",
      messages: [{ role: "user", content: "stream me" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let usage: OpenAI.CompletionUsage | null | undefined;
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe("Hello from fake: stream me");
    expect(finish).toBe("stop");
    expect(lastSent().body.stream).toBe(true);
    expect(usage!.completion_tokens).toBe(5);
    expect(usage!.total_tokens).toBe(usage!.prompt_tokens + 5);
  });

  test("reasoning items arrive as reasoning_content; reasoning_tokens carried", async () => {
    const res = await openai.chat.completions.create({ model: "resp/x-reasoning", messages: [{ role: "user", content: "think" }], reasoning_effort: "low" });
    expect((res.choices[0]!.message as any).reasoning_content).toBe("Let me think.");
    expect(res.usage!.completion_tokens_details?.reasoning_tokens).toBe(7);
    expect(lastSent().body.reasoning).toEqual({ effort: "low" });
  });

  test("tool-call round trip, streamed and not", async () => {
    const first = await openai.chat.completions.create({ model: "resp/x-tool-call", messages: [{ role: "user", content: "weather?" }], tools: [weatherTool], tool_choice: "auto" });
    expect(first.choices[0]!.finish_reason).toBe("tool_calls");
    const call = first.choices[0]!.message.tool_calls![0]!;
    expect(call).toMatchObject({ id: FAKE_CALL_ID, type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } });
    expect(lastSent().body.tools).toEqual([{ type: "function", name: "get_weather", description: "Weather", parameters: weatherTool.function.parameters, strict: false }]);
    expect(lastSent().body.tool_choice).toBe("auto");

    const streamed = await openai.chat.completions.stream({ model: "resp/x-tool-call", messages: [{ role: "user", content: "weather?" }], tools: [weatherTool] }).finalChatCompletion();
    expect(streamed.choices[0]!.finish_reason).toBe("tool_calls");
    expect(streamed.choices[0]!.message.tool_calls![0]).toMatchObject({ id: FAKE_CALL_ID, function: { name: "get_weather", arguments: '{"city":"Paris"}' } });

    const second = await openai.chat.completions.create({
      model: "resp/x-tool-call",
      tools: [weatherTool],
      messages: [{ role: "user", content: "weather?" }, first.choices[0]!.message, { role: "tool", tool_call_id: call.id, content: "sunny, 21°C" }],
    });
    expect(second.choices[0]!.message.content).toBe("The weather is: sunny, 21°C");
    expect(lastSent().body.input.slice(1)).toEqual([
      { type: "function_call", call_id: FAKE_CALL_ID, name: "get_weather", arguments: '{"city":"Paris"}' },
      { type: "function_call_output", call_id: FAKE_CALL_ID, output: "sunny, 21°C" },
    ]);
  });

  test("an upstream 429 reaches the client as OpenAI's error with retry-after", async () => {
    const res = await fetch(`${await gw.listen()}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "resp/chat-error-429", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("7");
    const body = await res.json();
    expect(body.error.message).toContain("Rate limit reached");
    expect(body.error.type).toBe("rate_limit_error");
  });
});

describe("Anthropic client → Responses upstream (translated)", () => {
  test("non-stream text with usage", async () => {
    const msg = await anthropic.messages.create({ model: "resp/gpt-5-mini", max_tokens: 64, system: "Be brief.", messages: [{ role: "user", content: "hi claude" }] });
    expect(msg.content).toEqual([{ type: "text", text: "Hello from fake: hi claude" } as Anthropic.TextBlock]);
    expect(msg.stop_reason).toBe("end_turn");
    const sent = lastSent().body;
    expect(sent.instructions).toBe("Be brief.");
    expect(sent.max_output_tokens).toBe(64);
    const cached = msg.usage.cache_read_input_tokens!;
    expect(msg.usage.output_tokens).toBe(5);
    expect(cached).toBeGreaterThan(0);
    // Anthropic's input_tokens exclude cache reads; together they are the upstream's input_tokens.
    const row = usageRows(gw).at(-1);
    expect(msg.usage.input_tokens + cached).toBe(row.prompt_tokens);
    expect(cached).toBe(row.prompt_tokens >> 2);
  });

  test("stream text, and a tool call as one tool_use block with the call id", async () => {
    const stream = anthropic.messages.stream({ model: "resp/gpt-5-mini", max_tokens: 64, messages: [{ role: "user", content: "stream claude" }] });
    const final = await stream.finalMessage();
    expect(final.content as unknown[]).toEqual([{ type: "text", text: "Hello from fake: stream claude" } as Anthropic.TextBlock]);

    const tools: Anthropic.Tool[] = [{ name: "get_weather", description: "Weather", input_schema: { type: "object", properties: { city: { type: "string" } } } }];
    const called = await anthropic.messages.stream({ model: "resp/x-tool-call", max_tokens: 64, tools, messages: [{ role: "user", content: "weather?" }] }).finalMessage();
    expect(called.stop_reason).toBe("tool_use");
    expect(called.content as unknown[]).toEqual([{ type: "tool_use", id: FAKE_CALL_ID, name: "get_weather", input: { city: "Paris" } } as Anthropic.ToolUseBlock]);
    const answered = await anthropic.messages.create({
      model: "resp/x-tool-call",
      max_tokens: 64,
      tools,
      messages: [
        { role: "user", content: "weather?" },
        { role: "assistant", content: called.content },
        { role: "user", content: [{ type: "tool_result", tool_use_id: FAKE_CALL_ID, content: "rainy" }] },
      ],
    });
    expect(answered.content).toEqual([{ type: "text", text: "The weather is: rainy" } as Anthropic.TextBlock]);
  });

  test("an upstream 429 arrives as Anthropic's error with retry-after", async () => {
    const res = await gw.request("/v1/messages", {
      method: "POST",
      headers: { "x-api-key": key },
      json: { model: "resp/anthropic-error-429", max_tokens: 10, messages: [{ role: "user", content: "hi" }] },
    });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("7");
    const body = await res.json();
    expect(body.type).toBe("error");
    expect(body.error.type).toBe("rate_limit_error");
  });
});

describe("Gemini and Ollama clients → Responses upstream (translated)", () => {
  test("Gemini generateContent", async () => {
    const res = await gw.request("/v1beta/models/resp/gpt-5-mini:generateContent", {
      method: "POST",
      headers: { "x-goog-api-key": key },
      json: { contents: [{ role: "user", parts: [{ text: "hi gemini" }] }] },
    });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.candidates[0].content.parts).toEqual([{ text: "Hello from fake: hi gemini" }]);
    expect(body.usageMetadata.candidatesTokenCount).toBe(5);
  });

  test("Ollama /api/chat streamed", async () => {
    const res = await gw.request("/api/chat", { method: "POST", headers: { authorization: `Bearer ${key}` }, json: { model: "resp/gpt-5-mini", messages: [{ role: "user", content: "hi ollama" }] } });
    expect(res.status).toBe(200);
    const lines = (await res.text()).trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.map((l) => l.message?.content ?? "").join("")).toBe("Hello from fake: hi ollama");
    expect(lines.at(-1)).toMatchObject({ done: true, done_reason: "stop", eval_count: 5 });
  });
});

describe("Responses client → Responses upstream (pass-through)", () => {
  test("non-stream: body passed with only the model rewritten, the answer's bytes unchanged, usage recorded", async () => {
    const { data, response } = await openai.responses
      .create({
        model: "resp/gpt-5-mini",
        instructions: "Be brief.",
        input: [{ role: "user", content: [{ type: "input_text", text: "hi responses" }] }],
        // A field this gateway has never heard of must reach the upstream.
        some_future_field: { keep: [1, "two"] },
        metadata: { trace: "t-1" },
        store: true,
      } as any)
      .withResponse();
    expect(data.output_text).toBe("Hello from fake: hi responses");
    expect(data.id).toStartWith("resp_");
    // The upstream's own answer: its model id, not the client's prefixed one.
    expect(data.model).toBe("gpt-5-mini");
    expect(data.metadata).toEqual({ trace: "t-1" });
    const sent = lastSent().body;
    expect(sent).toEqual({
      model: "gpt-5-mini",
      instructions: "Be brief.",
      input: [{ role: "user", content: [{ type: "input_text", text: "hi responses" }] }],
      some_future_field: { keep: [1, "two"] },
      metadata: { trace: "t-1" },
      store: true,
    });
    const row = rowFor(response.headers.get("x-request-id"));
    expect(row).toMatchObject({ provider: nodeId, model: "gpt-5-mini", prompt_tokens: data.usage!.input_tokens, completion_tokens: 5, total_tokens: data.usage!.total_tokens });
  });

  test("stream: the upstream's SSE events reach the client unchanged; usage observed on the side", async () => {
    const res = await gw.request("/v1/responses", {
      method: "POST",
      headers: { authorization: `Bearer ${key}` },
      json: { model: "resp/x-reasoning", input: "stream it", stream: true, include: ["reasoning.encrypted_content"], x_unknown: 42 },
    });
    expect(res.status).toBe(200);
    const events = (await sseData(res)).map((d) => JSON.parse(d));
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    expect(events[0].type).toBe("response.created");
    // The fake's own `obfuscation` field survives: nothing was re-encoded.
    expect(events.find((e) => e.type === "response.output_text.delta").obfuscation).toBe("x");
    const done = events.at(-1);
    expect(done.type).toBe("response.completed");
    expect(done.response.output[0]).toMatchObject({ type: "reasoning", encrypted_content: FAKE_ENCRYPTED });
    expect(lastSent().body).toEqual({ model: "x-reasoning", input: "stream it", stream: true, include: ["reasoning.encrypted_content"], x_unknown: 42 });
    const row = rowFor(res.headers.get("x-request-id"));
    expect(row).toMatchObject({ stream: 1, prompt_tokens: done.response.usage.input_tokens, completion_tokens: done.response.usage.output_tokens, finish_reason: "stop" });
  });

  test("stream with the SDK: text and the completed response", async () => {
    const stream = await openai.responses.create({ model: "resp/gpt-5-mini", input: "sdk stream", stream: true });
    let text = "";
    let completed: OpenAI.Responses.Response | undefined;
    for await (const ev of stream) {
      if (ev.type === "response.output_text.delta") text += ev.delta;
      if (ev.type === "response.completed") completed = ev.response;
    }
    expect(text).toBe("Hello from fake: sdk stream");
    expect(completed!.usage!.output_tokens).toBe(5);
  });

  test("an upstream 429 is OpenAI's own error body, with retry-after", async () => {
    const res = await gw.request("/v1/responses", { method: "POST", headers: { authorization: `Bearer ${key}` }, json: { model: "resp/responses-error-429", input: "hi" } });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("7");
    const body = await res.json();
    expect(body.error).toMatchObject({ type: "requests", code: "rate_limit_exceeded" });
  });
});

test("the connection test and the models list reach GET {base}/models", async () => {
  const conns = await (await gw.request(`/api/providers?provider=${nodeId}`)).json();
  const conn = (conns.connections ?? conns).find((c: any) => c.provider === nodeId);
  const res = await gw.request(`/api/providers/${conn.id}/test`, { method: "POST" });
  expect(res.status).toBe(200);
  expect((await res.json()).valid).toBe(true);
});

describe("state kept at the upstream", () => {
  test("previous_response_id passes through to a Responses node; to a Chat upstream it is a 400 before anything is sent", async () => {
    const res = await gw.request("/v1/responses", {
      method: "POST",
      headers: { authorization: `Bearer ${key}` },
      json: { model: "resp/gpt-5-mini", previous_response_id: "resp_abc123", input: "and then?" },
    });
    expect(res.status).toBe(200);
    expect(lastSent().body).toEqual({ model: "gpt-5-mini", previous_response_id: "resp_abc123", input: "and then?" });

    const chatFake = startFakeOpenAi();
    try {
      await addConnection(gw, { provider: "openai", baseUrl: chatFake.baseUrl });
      const refused = await gw.request("/v1/responses", {
        method: "POST",
        headers: { authorization: `Bearer ${key}` },
        json: { model: "openai/gpt-4o-mini", previous_response_id: "resp_abc123", input: "and then?" },
      });
      expect(refused.status).toBe(400);
      expect((await refused.json()).error).toMatchObject({ param: "previous_response_id" });
      expect(chatFake.requests).toHaveLength(0);
      // Without a model, whatever the target, the client's own 400.
      const noModel = await gw.request("/v1/responses", { method: "POST", headers: { authorization: `Bearer ${key}` }, json: { input: "hi" } });
      expect(noModel.status).toBe(400);
      expect((await noModel.json()).error).toMatchObject({ param: "model" });
    } finally {
      chatFake.close();
    }
  });
});
