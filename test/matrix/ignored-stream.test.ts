// Some servers answer a streamed request with one whole JSON body (no streaming support, or
// `stream` ignored). The client asked for a stream and still gets one — same format or
// translated — written from that whole answer, with its text, tool calls and usage.
import { expect, test } from "bun:test";
import OpenAI from "openai";
import { usageRows } from "../support/setup.ts";
import { matrixWithSdks, UPSTREAMS, weatherTool } from "./harness.ts";

const t = matrixWithSdks();

const model = (format: "openai" | "anthropic", behaviour = "ignore-stream") => UPSTREAMS.find((u) => u.format === format)!.model(behaviour as never);

async function openAiStream(upstream: "openai" | "anthropic", extra: Partial<OpenAI.ChatCompletionCreateParamsStreaming> = {}) {
  const res = await t.openai.chat.completions
    .create({ model: model(upstream, extra.tools ? "tool-call-ignore-stream" : undefined), messages: [{ role: "user", content: "whole" }], stream: true, stream_options: { include_usage: true }, ...extra })
    .withResponse();
  expect(res.response.headers.get("content-type")).toStartWith("text/event-stream");
  const chunks: OpenAI.ChatCompletionChunk[] = [];
  for await (const chunk of res.data) chunks.push(chunk);
  return { chunks, requestId: res.response.headers.get("x-request-id")! };
}

for (const upstream of ["openai", "anthropic"] as const) {
  test(`openai client, stream → ${upstream} upstream answering with one JSON body: a real stream with text, finish and usage`, async () => {
    const { chunks, requestId } = await openAiStream(upstream);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("")).toBe("Hello from fake: whole");
    expect(chunks.flatMap((c) => c.choices.map((ch) => ch.finish_reason)).filter(Boolean)).toEqual(["stop"]);
    const usage = chunks.at(-1)!.usage!;
    expect(usage.prompt_tokens).toBeGreaterThan(0);
    expect(usage.completion_tokens).toBeGreaterThan(0);
    const row = usageRows(t.m.gw).find((r) => r.request_id === requestId);
    expect(row).toMatchObject({ status: 200, stream: 1, prompt_tokens: usage.prompt_tokens, completion_tokens: usage.completion_tokens, finish_reason: "stop" });
  });

  test(`openai client, stream with tools → ${upstream} upstream answering with one JSON body: the tool call arrives as deltas`, async () => {
    const { chunks } = await openAiStream(upstream, { tools: [{ type: "function", function: weatherTool }] });
    const calls = chunks.flatMap((c) => c.choices[0]?.delta?.tool_calls ?? []);
    expect(calls[0]?.function?.name).toBe("get_weather");
    expect(JSON.parse(calls.map((c) => c.function?.arguments ?? "").join(""))).toEqual({ city: "Paris" });
    expect(chunks.flatMap((c) => c.choices.map((ch) => ch.finish_reason)).filter(Boolean)).toEqual(["tool_calls"]);
  });

  test(`anthropic client, stream → ${upstream} upstream answering with one JSON body: the SDK assembles the message`, async () => {
    const stream = t.anthropic.messages.stream({ model: model(upstream), max_tokens: 64, messages: [{ role: "user", content: "whole" }] });
    const events: string[] = [];
    stream.on("streamEvent", (e) => events.push(e.type));
    const message = await stream.finalMessage();
    expect(events[0]).toBe("message_start");
    expect(events).toContain("content_block_delta");
    expect(message.content.map((b) => (b.type === "text" ? b.text : b.type))).toEqual(["Hello from fake: whole"]);
    expect(message.stop_reason).toBe("end_turn");
    expect(message.usage.output_tokens).toBeGreaterThan(0);
  });
}

// The opposite case: a real event stream, labelled application/json. It is read whole to find
// out, then relayed as the stream it is — to a same-format client and through translation.
test("openai client, stream → an event stream labelled application/json: relayed as a stream", async () => {
  const { chunks } = await openAiStream("openai", { model: model("openai", "sse-as-json") });
  expect(chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("")).toBe("Hello from fake: whole");
  expect(chunks.at(-1)!.usage!.completion_tokens).toBeGreaterThan(0);
});

test("anthropic client, stream → an event stream labelled application/json: translated as a stream", async () => {
  const message = await t.anthropic.messages.stream({ model: model("openai", "sse-as-json"), max_tokens: 64, messages: [{ role: "user", content: "whole" }] }).finalMessage();
  expect(message.content.map((b) => (b.type === "text" ? b.text : b.type))).toEqual(["Hello from fake: whole"]);
  expect(message.stop_reason).toBe("end_turn");
});

// The whole answer's connection drops before its JSON is complete: nothing has reached the
// client, so it gets a 502 in its own shape, and the request is logged as that failure.
test("openai and anthropic clients, stream → a JSON answer cut mid-body: a 502 in the client's shape", async () => {
  const cut = model("openai", "ignore-stream-broken-stream");
  const post = (path: string, body: unknown) =>
    fetch(`${t.m.base}${path}`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${t.m.key}` }, body: JSON.stringify(body) });
  const openai = await post("/v1/chat/completions", { model: cut, stream: true, messages: [{ role: "user", content: "whole" }] });
  expect(openai.status).toBe(502);
  const openaiError = (await openai.json()).error;
  expect(openaiError.code).toBe("upstream_bad_response");
  expect(openaiError.message).toContain("connection dropped while reading the response");
  const anthropic = await post("/v1/messages", { model: cut, max_tokens: 64, stream: true, messages: [{ role: "user", content: "whole" }] });
  expect(anthropic.status).toBe(502);
  expect(await anthropic.json()).toMatchObject({ type: "error", error: { type: "api_error", message: expect.stringContaining("connection dropped") } });
  const logged = usageRows(t.m.gw).filter((r) => r.model === "gpt-4o-mini-ignore-stream-broken-stream");
  expect(logged.map((r) => [r.client_format, r.status, r.error_code])).toEqual([
    ["openai-chat", 502, "upstream_bad_response"],
    ["anthropic", 502, "upstream_bad_response"],
  ]);
});

// The same cut on a request that did not ask for a stream: said as a dropped connection on
// every path (the translated one used to call it "not valid JSON").
test("openai and anthropic clients, no stream → a JSON answer cut mid-body: a 502 that says the connection dropped", async () => {
  const cut = model("openai", "broken-stream");
  const post = (path: string, body: unknown) =>
    fetch(`${t.m.base}${path}`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${t.m.key}` }, body: JSON.stringify(body) });
  const openai = await post("/v1/chat/completions", { model: cut, messages: [{ role: "user", content: "whole" }] });
  expect(openai.status).toBe(502);
  expect((await openai.json()).error.message).toContain("connection dropped while reading the response");
  const anthropic = await post("/v1/messages", { model: cut, max_tokens: 64, messages: [{ role: "user", content: "whole" }] });
  expect(anthropic.status).toBe(502);
  expect((await anthropic.json()).error.message).toContain("connection dropped while reading the response");
});
