// Column "Responses API upstream" of the matrix, beyond what every row checks for every
// upstream: how this upstream's failures reach each client (the Responses API's own 400, a
// response that fails after it started with `response.failed`, a body that is not JSON), and
// that reasoning which led to a tool call goes back to it as the reasoning item it came from.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import Anthropic from "@anthropic-ai/sdk";
import { ApiError, GoogleGenAI } from "@google/genai";
import { Ollama } from "ollama";
import OpenAI from "openai";
import { FAKE_CALL_ID, FAKE_ENCRYPTED, FAKE_FAILURE, responsesErrorBody } from "../support/fake-openai-responses.ts";
import { usageRows } from "../support/setup.ts";
import { startMatrixWithFakes, TOOL_RESULT, UPSTREAMS, weatherTool, type MatrixWithFakes } from "./harness.ts";

let m: MatrixWithFakes;
let openai: OpenAI;
let anthropic: Anthropic;
let gemini: GoogleGenAI;
let ollama: Ollama;
beforeAll(async () => {
  m = await startMatrixWithFakes();
  openai = new OpenAI({ baseURL: `${m.base}/v1`, apiKey: m.key, maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: m.base, apiKey: m.key, maxRetries: 0 });
  gemini = new GoogleGenAI({ apiKey: m.key, httpOptions: { baseUrl: m.base } });
  ollama = new Ollama({ host: m.base, headers: { Authorization: `Bearer ${m.key}` } });
});
afterAll(() => m.close());

const up = UPSTREAMS.find((u) => u.format === "openai-responses")!;
const model = (behaviour: string) => `${up.model()}-${behaviour}`;
const CONTEXT_400 = responsesErrorBody(400).error;
/** A translated error names the node it came from, then says what the upstream said. */
const translated = (message: string) => `[${m.responsesNodeId}] ${message}`;
const lastSent = () => m.fakes["openai-responses"].requests.at(-1)!.body;
/** What a call threw (null when it did not). */
const settle = (p: Promise<unknown>): Promise<any> =>
  p.then(
    () => null,
    (e) => e,
  );

describe("the Responses API's 400 reaches every client in its own format, streamed or not", () => {
  test("openai-chat", async () => {
    for (const stream of [false, true]) {
      const err = await settle(openai.chat.completions.create({ model: model("error-400"), messages: [{ role: "user", content: "x" }], stream }));
      expect(err).toBeInstanceOf(OpenAI.BadRequestError);
      // The upstream's code and param survive translation: clients shorten the history on context_length_exceeded.
      expect(err.error).toEqual({ type: "invalid_request_error", message: translated(CONTEXT_400.message), code: CONTEXT_400.code, param: CONTEXT_400.param });
    }
  });

  test("anthropic", async () => {
    for (const stream of [false, true]) {
      const err = await settle(anthropic.messages.create({ model: model("error-400"), max_tokens: 64, messages: [{ role: "user", content: "x" }], stream }));
      expect(err).toBeInstanceOf(Anthropic.BadRequestError);
      expect(err.error).toEqual({ type: "error", error: { type: "invalid_request_error", message: translated(CONTEXT_400.message) } });
    }
  });

  test("gemini", async () => {
    for (const call of [() => gemini.models.generateContent({ model: model("error-400"), contents: "x" }), () => gemini.models.generateContentStream({ model: model("error-400"), contents: "x" })]) {
      const err = await settle(call());
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).status).toBe(400);
      expect(JSON.parse((err as ApiError).message)).toEqual({ error: { code: 400, status: "INVALID_ARGUMENT", message: translated(CONTEXT_400.message) } });
    }
  });

  test("ollama", async () => {
    for (const stream of [false, true] as const) {
      const err = await settle(ollama.chat({ model: model("error-400"), messages: [{ role: "user", content: "x" }], stream: stream as any }));
      expect(err.name).toBe("ResponseError");
      expect(err.status_code).toBe(400);
      expect(err.error).toBe(translated(CONTEXT_400.message));
    }
  });

  test("openai-responses (pass-through): the upstream's own body, code and param included", async () => {
    for (const stream of [false, true]) {
      const err = await settle(openai.responses.create({ model: model("error-400"), input: "x", stream }));
      expect(err).toBeInstanceOf(OpenAI.BadRequestError);
      expect(err.error).toEqual(CONTEXT_400);
    }
  });
});

// The fake streams "Hello " and "from ", then `response.failed`. Each client must see the
// failure in its own in-stream error shape, and never the normal end of its stream.
describe("a response that fails after it started ends each client's stream with its own error", () => {
  const failing = () => model("stream-failed");

  test("openai-chat: the SDK raises the error chunk; no finish_reason came first", async () => {
    const stream = await openai.chat.completions.create({ model: failing(), messages: [{ role: "user", content: "now" }], stream: true });
    let text = "";
    const finishes: string[] = [];
    const err = await settle(
      (async () => {
        for await (const chunk of stream) {
          text += chunk.choices[0]?.delta?.content ?? "";
          if (chunk.choices[0]?.finish_reason) finishes.push(chunk.choices[0].finish_reason);
        }
      })(),
    );
    expect(text).toBe("Hello from ");
    expect(finishes).toEqual([]);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect(err.error).toMatchObject({ message: FAKE_FAILURE.message, code: "server_error" });
  });

  test("anthropic: an `error` event after the text, no message_stop", async () => {
    const stream = anthropic.messages.stream({ model: failing(), max_tokens: 64, messages: [{ role: "user", content: "now" }] });
    let text = "";
    stream.on("text", (t) => (text += t));
    const err = await settle(stream.finalMessage());
    expect(text).toBe("Hello from ");
    expect(err).toBeInstanceOf(Anthropic.APIError);
    expect(err.error).toEqual({ type: "error", error: { type: "api_error", message: FAKE_FAILURE.message } });
  });

  test("gemini: an error chunk the SDK raises as ApiError, no finishReason", async () => {
    const stream = await gemini.models.generateContentStream({ model: failing(), contents: "now" });
    let text = "";
    const finishes: unknown[] = [];
    const err = await settle(
      (async () => {
        for await (const chunk of stream) {
          text += chunk.text ?? "";
          if (chunk.candidates?.[0]?.finishReason) finishes.push(chunk.candidates[0].finishReason);
        }
      })(),
    );
    expect(text).toBe("Hello from ");
    expect(finishes).toEqual([]);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).message).toContain(FAKE_FAILURE.message);
  });

  test("ollama: the last NDJSON line is {error}, none is done:true", async () => {
    const res = await fetch(`${m.base}/api/chat`, {
      method: "POST",
      headers: { authorization: `Bearer ${m.key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: failing(), messages: [{ role: "user", content: "now" }] }),
    });
    expect(res.status).toBe(200);
    const lines = (await res.text()).trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.map((l) => l.message?.content ?? "").join("")).toBe("Hello from ");
    expect(lines.at(-1)).toEqual({ error: FAKE_FAILURE.message });
    expect(lines.some((l) => l.done === true)).toBe(false);
    // Recorded as the failure it was, not as a finished answer.
    const row = usageRows(m.gw).find((r) => r.request_id === res.headers.get("x-request-id"));
    expect(row.finish_reason).toBe("error");
  });

  test("openai-responses (pass-through): response.failed arrives as sent, never response.completed", async () => {
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const ev of await openai.responses.create({ model: failing(), input: "now", stream: true })) events.push(ev);
    expect(events.map((e) => e.type)).not.toContain("response.completed");
    const last = events.at(-1) as OpenAI.Responses.ResponseFailedEvent;
    expect(last.type).toBe("response.failed");
    expect(last.response.status).toBe("failed");
    expect(last.response.error).toEqual(FAKE_FAILURE as OpenAI.Responses.ResponseError);
  });
});

describe("an answer that is not JSON is a 502 in the client's format", () => {
  test("openai-chat and anthropic", async () => {
    const chatErr = await settle(openai.chat.completions.create({ model: model("garbage"), messages: [{ role: "user", content: "x" }] }));
    expect(chatErr).toBeInstanceOf(OpenAI.InternalServerError);
    expect(chatErr.status).toBe(502);
    expect(chatErr.error).toMatchObject({ code: "upstream_bad_response", message: translated("returned a response that is not valid JSON") });
    const msgErr = await settle(anthropic.messages.create({ model: model("garbage"), max_tokens: 64, messages: [{ role: "user", content: "x" }] }));
    expect(msgErr).toBeInstanceOf(Anthropic.InternalServerError);
    expect(msgErr.status).toBe(502);
    expect(msgErr.error.error.type).toBe("api_error");
  });
});

// Reasoning models want their reasoning back, before the call it led to, when the call's
// output is sent. Only a signed (encrypted_content) reasoning item can go back.
describe("reasoning that led to a tool call goes back before it", () => {
  const expectReplayed = (body: any, output: string) =>
    expect(body.input.slice(1)).toEqual([
      { type: "reasoning", summary: [{ type: "summary_text", text: "Let me think." }], encrypted_content: FAKE_ENCRYPTED },
      { type: "function_call", call_id: FAKE_CALL_ID, name: "get_weather", arguments: '{"city":"Paris"}' },
      { type: "function_call_output", call_id: FAKE_CALL_ID, output },
    ]);

  test("anthropic client: thinking + tool_use come back as reasoning + function_call", async () => {
    const tools: Anthropic.Tool[] = [{ name: weatherTool.name, description: weatherTool.description, input_schema: weatherTool.parameters as Anthropic.Tool.InputSchema }];
    const params = { model: model("reasoning-tool-call"), max_tokens: 2048, thinking: { type: "enabled", budget_tokens: 1024 }, tools } as const;
    const messages: Anthropic.MessageParam[] = [{ role: "user", content: "weather in Paris?" }];
    const first = await anthropic.messages.stream({ ...params, messages }).finalMessage();
    expect(first.stop_reason).toBe("tool_use");
    expect(first.content.map((b) => b.type)).toEqual(["thinking", "tool_use"]);
    messages.push(
      { role: "assistant", content: first.content },
      { role: "user", content: [{ type: "tool_result", tool_use_id: FAKE_CALL_ID, content: TOOL_RESULT }] },
    );
    const second = await anthropic.messages.create({ ...params, messages });
    expect(second.content.filter((b) => b.type === "text").map((b) => (b as Anthropic.TextBlock).text)).toEqual([`The weather is: ${TOOL_RESULT}`]);
    expectReplayed(lastSent(), TOOL_RESULT);
  });

  test("gemini client: the thought and its signature travel with the functionCall", async () => {
    const chat = gemini.chats.create({
      model: model("reasoning-tool-call"),
      config: { tools: [{ functionDeclarations: [{ name: weatherTool.name, description: weatherTool.description, parametersJsonSchema: weatherTool.parameters }] }], thinkingConfig: { includeThoughts: true } },
    });
    const first = await chat.sendMessage({ message: "weather in Paris?" });
    expect(first.functionCalls).toEqual([{ id: FAKE_CALL_ID, name: "get_weather", args: { city: "Paris" } }]);
    const answer = await chat.sendMessage({ message: [{ functionResponse: { id: FAKE_CALL_ID, name: "get_weather", response: { output: TOOL_RESULT } } }] });
    expect(answer.text).toBe(`The weather is: ${TOOL_RESULT}`);
    // Gemini's conventional {output: …} wrapper is the result itself.
    expectReplayed(lastSent(), TOOL_RESULT);
  });
});
