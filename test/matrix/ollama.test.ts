// Row "Ollama client" of the matrix: the official ollama npm SDK (ollama-js) against every
// upstream format, plus the Ollama-only surface (/api/tags, /api/version, /v1/api/chat,
// ":latest" tags, in-stream errors).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Ollama, type ChatResponse, type Message, type Tool } from "ollama";
import { startMatrixWithFakes, TINY_PNG_BASE64, TOOL_RESULT, UPSTREAMS, weatherTool, type MatrixWithFakes, type Upstream } from "./harness.ts";

let m: MatrixWithFakes;
let ollama: Ollama;
beforeAll(async () => {
  m = await startMatrixWithFakes();
  // ollama-js sends `headers` on every call (Ollama has no auth of its own).
  ollama = new Ollama({ host: m.base, headers: { Authorization: `Bearer ${m.key}` } });
});
afterAll(() => m.close());

const tools: Tool[] = [{ type: "function", function: weatherTool }];

/** The body of the last request the cell's fake upstream received. */
const lastUpstreamBody = (up: Upstream): any => m.fakes[up.format].requests.at(-1)!.body;

/**
 * ollama-js 0.6 throws its ResponseError (`error` = the body's `error` string, `status_code`)
 * for a non-2xx answer, but does not export the class: check it by name.
 */
function expectResponseError(err: any): void {
  expect(err).toBeInstanceOf(Error);
  expect(err.name).toBe("ResponseError");
}

/** Drains an ollama-js stream: concatenated content/thinking, tool calls and the final part. */
async function collect(stream: AsyncIterable<ChatResponse>) {
  let content = "";
  let thinking = "";
  const toolCalls: NonNullable<Message["tool_calls"]> = [];
  let last: ChatResponse | undefined;
  let parts = 0;
  for await (const part of stream) {
    parts++;
    content += part.message?.content ?? "";
    thinking += part.message?.thinking ?? "";
    toolCalls.push(...(part.message?.tool_calls ?? []));
    last = part;
  }
  return { content, thinking, toolCalls, last: last!, parts };
}

describe.each(UPSTREAMS)("ollama client → $format upstream", (up) => {
  test("text", async () => {
    const res = await ollama.chat({ model: up.model(), messages: [{ role: "user", content: "hi there" }], stream: false });
    expect(res.message.role).toBe("assistant");
    expect(res.message.content).toBe("Hello from fake: hi there");
    expect(res.done).toBe(true);
    expect(res.done_reason).toBe("stop");
    // Translated answers name the model the client asked for, as `ollama serve` does; the
    // Ollama → Ollama pass-through forwards the upstream's bytes, so its own name is kept.
    expect(res.model).toBe(up.format === "ollama" ? "llama3.2" : up.model());
    // The upstream's completion count, unchanged: every fake counts the reply's words.
    expect(res.eval_count).toBe(5);
    expect(res.prompt_eval_count).toBeGreaterThan(0);
    expect(Number.isNaN(Date.parse(res.created_at as unknown as string))).toBe(false);
  });

  test("streamed text", async () => {
    const stream = await ollama.chat({
      model: up.model(),
      messages: [
        { role: "system", content: "be brief" },
        { role: "user", content: "stream please" },
      ],
      stream: true,
    });
    const { content, last, parts } = await collect(stream);
    expect(content).toBe("Hello from fake: stream please");
    expect(parts).toBeGreaterThan(1);
    expect(last.done).toBe(true);
    expect(last.done_reason).toBe("stop");
    expect(last.eval_count).toBe(5);
  });

  test("tool-call round trip (call, result, final answer), first turn streamed", async () => {
    const messages: Message[] = [{ role: "user", content: "weather in Paris?" }];
    const first = await collect(await ollama.chat({ model: up.model("tool-call"), messages, tools, stream: true }));
    expect(first.last.done).toBe(true);
    // Ollama ends a tool-call turn with done_reason "stop"; the calls themselves are the signal.
    expect(first.last.done_reason).toBe("stop");
    expect(first.toolCalls).toHaveLength(1);
    expect(first.toolCalls[0]!.function.name).toBe("get_weather");
    expect(first.toolCalls[0]!.function.arguments).toEqual({ city: "Paris" });
    messages.push({ role: "assistant", content: first.content, tool_calls: first.toolCalls });
    messages.push({ role: "tool", content: TOOL_RESULT, tool_name: "get_weather" });
    const second = await ollama.chat({ model: up.model("tool-call"), messages, tools, stream: false });
    expect(second.message.content).toBe(`The weather is: ${TOOL_RESULT}`);
    expect(second.message.tool_calls ?? []).toEqual([]);
    expect(second.done_reason).toBe("stop");
  });

  test("tool call, non-streamed", async () => {
    const res = await ollama.chat({ model: up.model("tool-call"), messages: [{ role: "user", content: "weather in Paris?" }], tools, stream: false });
    expect(res.message.tool_calls).toHaveLength(1);
    expect(res.message.tool_calls![0]!.function).toMatchObject({ name: "get_weather", arguments: { city: "Paris" } });
    expect(res.done).toBe(true);
  });

  test("image input reaches the upstream", async () => {
    const res = await ollama.chat({
      model: up.model(),
      messages: [{ role: "user", content: "what is this", images: [TINY_PNG_BASE64] }],
      stream: false,
    });
    expect(res.message.content).toBe("Hello from fake: what is this [images:1]");
  });

  test("reasoning arrives as message.thinking", async () => {
    const res = await ollama.chat({ model: up.model("reasoning"), messages: [{ role: "user", content: "think first" }], think: true, stream: false });
    expect(res.message.thinking).toBe("Let me think.");
    expect(res.message.content).toBe("Hello from fake: think first");
  });

  test("reasoning streamed as thinking parts, before the answer", async () => {
    const stream = await ollama.chat({ model: up.model("reasoning"), messages: [{ role: "user", content: "think first" }], think: true, stream: true });
    const order: string[] = [];
    let thinking = "";
    let content = "";
    for await (const part of stream) {
      if (part.message.thinking) (thinking += part.message.thinking), order.push("thinking");
      if (part.message.content) (content += part.message.content), order.push("content");
    }
    expect(thinking).toBe("Let me think.");
    expect(content).toBe("Hello from fake: think first");
    expect(order.indexOf("content")).toBeGreaterThan(order.lastIndexOf("thinking"));
  });

  test("an upstream 429 becomes a ResponseError with status_code 429", async () => {
    const err = await ollama.chat({ model: up.model("error-429"), messages: [{ role: "user", content: "x" }], stream: false }).then(
      () => null,
      (e) => e,
    );
    expectResponseError(err);
    expect(err.status_code).toBe(429);
    expect(typeof err.error).toBe("string");
    expect(err.error.length).toBeGreaterThan(0);
    expect(err.error).not.toContain("[object");
  });

  test("Ollama options, format and system reach the upstream in its own fields", async () => {
    const res = await ollama.chat({
      model: `${up.model()}:latest`,
      messages: [
        { role: "system", content: "be brief" },
        { role: "user", content: "q" },
      ],
      format: "json",
      options: { temperature: 0.3, num_predict: 256, stop: ["END"], num_ctx: 8192 },
      keep_alive: "5m",
      stream: false,
    });
    expect(res.message.content).toBe("Hello from fake: q");
    const body = lastUpstreamBody(up);
    if (up.format === "openai") {
      expect(body).toMatchObject({ model: "gpt-4o-mini", max_tokens: 256, temperature: 0.3, stop: ["END"], response_format: { type: "json_object" } });
      expect(body.messages[0]).toEqual({ role: "system", content: "be brief" });
    } else if (up.format === "anthropic") {
      expect(body).toMatchObject({ model: "claude-sonnet-4-5", max_tokens: 256, temperature: 0.3, stop_sequences: ["END"], system: [{ type: "text", text: "be brief" }] });
    } else if (up.format === "gemini") {
      expect(m.fakes.gemini.requests.at(-1)!.path).toBe("/v1beta/models/gemini-2.5-flash:generateContent");
      expect(body.systemInstruction).toEqual({ parts: [{ text: "be brief" }] });
      expect(body.generationConfig).toMatchObject({ temperature: 0.3, maxOutputTokens: 256, stopSequences: ["END"], responseMimeType: "application/json" });
    } else if (up.format === "openai-responses") {
      // The Responses API has no stop sequences and no runner options: those are not sent.
      expect(body).toEqual({
        model: "gpt-5-mini",
        instructions: "be brief",
        input: [{ type: "message", role: "user", content: [{ type: "input_text", text: "q" }] }],
        max_output_tokens: 256,
        temperature: 0.3,
        text: { format: { type: "json_object" } },
        store: false,
      });
    } else {
      // Same format: the body goes up as the client wrote it, tag and runner options included.
      expect(body).toMatchObject({ model: "llama3.2:latest", format: "json", keep_alive: "5m", stream: false });
      expect(body.options).toEqual({ temperature: 0.3, num_predict: 256, stop: ["END"], num_ctx: 8192 });
    }
  });

  test("a client that hangs up aborts the upstream request", async () => {
    const fake = m.fakes[up.format];
    const before = fake.aborted;
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const outcome = await fetch(`${m.base}/api/chat`, {
      method: "POST",
      signal: ac.signal,
      headers: { authorization: `Bearer ${m.key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: `${up.model()}-hang`, messages: [{ role: "user", content: "x" }] }),
    }).then(
      () => "answered",
      (e: Error) => e.name,
    );
    expect(outcome).toBe("AbortError");
    for (let i = 0; i < 50 && fake.aborted === before; i++) await Bun.sleep(10);
    expect(fake.aborted).toBe(before + 1);
  });

  test("an upstream 429 on a streamed request also fails before the stream", async () => {
    const err = await ollama.chat({ model: up.model("error-429"), messages: [{ role: "user", content: "x" }], stream: true }).then(
      () => null,
      (e) => e,
    );
    expectResponseError(err);
    expect(err.status_code).toBe(429);
  });
});

describe("ollama client: the Ollama-only surface", () => {
  test("list() (GET /api/tags) shows the gateway's routable models", async () => {
    const { models } = await ollama.list();
    const names = models.map((x) => x.name);
    expect(names).toContain("openai/gpt-4o-mini");
    expect(names.some((n) => n.startsWith("anthropic/"))).toBe(true);
    expect(names.some((n) => n.startsWith("gemini/"))).toBe(true);
    const one = models.find((x) => x.name === "openai/gpt-4o-mini")!;
    expect(one.model).toBe("openai/gpt-4o-mini");
    expect(one.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(Number.isNaN(Date.parse(one.modified_at as unknown as string))).toBe(false);
  });

  test("/api/tags requires the gateway key", async () => {
    const res = await fetch(`${m.base}/api/tags`);
    expect(res.status).toBe(401);
    expect(typeof ((await res.json()) as { error: unknown }).error).toBe("string");
  });

  test("/api/version answers", async () => {
    const { version } = await ollama.version();
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
  });

  test("/v1/api/chat works like /api/chat", async () => {
    const res = await fetch(`${m.base}/v1/api/chat`, {
      method: "POST",
      headers: { authorization: `Bearer ${m.key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "other path" }], stream: false }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as ChatResponse;
    expect(body.message.content).toBe("Hello from fake: other path");
    expect(body.done).toBe(true);

    // And streamed: NDJSON, last line done:true.
    const streamed = await fetch(`${m.base}/v1/api/chat`, {
      method: "POST",
      headers: { authorization: `Bearer ${m.key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "anthropic/claude-sonnet-4-5", messages: [{ role: "user", content: "other path" }] }),
    });
    expect(streamed.headers.get("content-type")).toContain("application/x-ndjson");
    const lines = (await streamed.text()).trim().split("\n").map((l) => JSON.parse(l) as ChatResponse);
    expect(lines.map((l) => l.message.content).join("")).toBe("Hello from fake: other path");
    expect(lines.at(-1)!.done).toBe(true);
  });

  test("an SDK whose host ends in /v1 lists, probes and chats under /v1/api", async () => {
    const v1 = new Ollama({ host: `${m.base}/v1`, headers: { Authorization: `Bearer ${m.key}` } });
    expect((await v1.version()).version).toMatch(/^\d+\.\d+\.\d+/);
    expect((await v1.list()).models.map((x) => x.name)).toContain("openai/gpt-4o-mini");
    const { content, last } = await collect(await v1.chat({ model: "gemini/gemini-2.5-flash", messages: [{ role: "user", content: "v1 host" }], stream: true }));
    expect(content).toBe("Hello from fake: v1 host");
    expect(last.done).toBe(true);
  });

  test("a missing key is refused in Ollama's error shape", async () => {
    const anon = new Ollama({ host: m.base });
    const err = await anon.chat({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "x" }] }).then(
      () => null,
      (e) => e,
    );
    expectResponseError(err);
    expect(err.status_code).toBe(401);
  });

  test("':latest' appended to a non-Ollama model still routes", async () => {
    for (const model of ["openai/gpt-4o-mini:latest", "anthropic/claude-sonnet-4-5:latest", "gemini/gemini-2.5-flash:latest"]) {
      const res = await ollama.chat({ model, messages: [{ role: "user", content: "tagged" }], stream: false });
      expect(res.message.content).toBe("Hello from fake: tagged");
      // The client gets back the name it asked for.
      expect(res.model).toBe(model);
    }
  });

  test("an unknown model is a ResponseError 404", async () => {
    const err = await ollama.chat({ model: "nosuch/thing", messages: [{ role: "user", content: "x" }] }).then(
      () => null,
      (e) => e,
    );
    expectResponseError(err);
    expect(err.status_code).toBe(404);
  });
});

// Mid-stream failures: every fake's `broken-stream` model sends a little, then cuts the
// connection. The NDJSON must end with Ollama's in-stream error line and no `done: true`.
describe.each(UPSTREAMS)("ollama client → $format upstream, cut mid-stream", (up) => {
  const model = `${up.model()}-broken-stream`;

  test("the SDK raises the error line", async () => {
    const stream = await ollama.chat({ model, messages: [{ role: "user", content: "x" }], stream: true });
    const err = await (async () => {
      for await (const _ of stream);
    })().then(
      () => null,
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect(err!.message).toContain("upstream stream failed");
  });

  test("raw NDJSON: every line is JSON, the last is {error}", async () => {
    const res = await fetch(`${m.base}/api/chat`, {
      method: "POST",
      headers: { authorization: `Bearer ${m.key}`, "content-type": "application/json" },
      body: JSON.stringify({ model, messages: [{ role: "user", content: "x" }] }),
    });
    expect(res.status).toBe(200);
    const lines = (await res.text()).trim().split("\n").map((l) => JSON.parse(l));
    const last = lines.at(-1);
    expect(Object.keys(last)).toEqual(["error"]);
    expect(last.error).toContain("upstream stream failed");
    expect(lines.some((l) => l.done === true)).toBe(false);
  });
});
