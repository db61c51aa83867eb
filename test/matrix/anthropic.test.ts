// Row "Anthropic Messages client" of the matrix: the official @anthropic-ai/sdk against every
// upstream format, plus what Claude Code relies on (cache_control and betas on pass-through,
// count_tokens over every block type, server tools).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import Anthropic from "@anthropic-ai/sdk";
import { FAKE_ENCRYPTED } from "../support/fake-openai-responses.ts";
import { startMatrixWithFakes, TINY_PNG_BASE64, TOOL_RESULT, UPSTREAMS, weatherTool, type MatrixWithFakes } from "./harness.ts";

let m: MatrixWithFakes;
let client: Anthropic;
beforeAll(async () => {
  m = await startMatrixWithFakes();
  client = new Anthropic({ baseURL: m.base, apiKey: m.key, maxRetries: 0 });
});
afterAll(() => m.close());

const tools: Anthropic.Tool[] = [{ name: weatherTool.name, description: weatherTool.description, input_schema: weatherTool.parameters as Anthropic.Tool.InputSchema }];

const textOf = (msg: Anthropic.Message) =>
  msg.content
    .filter((b): b is Anthropic.TextBlock => b.type === "text")
    .map((b) => b.text)
    .join("");

const GEMINI_SIGNATURE = "c2lnLWZha2UtMQ==";
const REPLY = "Hello from fake: think first";

/**
 * The content an Anthropic client gets for the `reasoning` behaviour. Anthropic's signature
 * survives; OpenAI-style and Ollama reasoning is unsigned (the writer sends an empty
 * signature_delta, as Anthropic always signs). Gemini 2.5 signs the answer part after its
 * thoughts: non-streamed that signature lands on the thinking block; streamed it arrives on
 * the last text piece, after the thinking block closed, so it follows the text as an empty
 * signed thinking block (and goes back onto the text part when the history returns to Gemini).
 * A Responses reasoning item's encrypted_content is its signature, known before the summary.
 */
function expectedReasoning(format: string, streamed: boolean): Anthropic.ContentBlock[] {
  const thinking = (t: string, signature: string) => ({ type: "thinking", thinking: t, signature }) as Anthropic.ThinkingBlock;
  const text = { type: "text", text: REPLY } as Anthropic.TextBlock;
  if (format === "anthropic") return [thinking("Let me think.", "sig-fake-1"), text];
  if (format === "openai-responses") return [thinking("Let me think.", FAKE_ENCRYPTED), text];
  if (format === "gemini") return streamed ? [thinking("Let me think.", ""), text, thinking("", GEMINI_SIGNATURE)] : [thinking("Let me think.", GEMINI_SIGNATURE), text];
  return [thinking("Let me think.", ""), text];
}

describe.each(UPSTREAMS)("anthropic client → $format upstream", (up) => {
  test("text", async () => {
    const res = await client.messages.create({ model: up.model(), max_tokens: 256, messages: [{ role: "user", content: "hi there" }] });
    expect(res.type).toBe("message");
    expect(res.role).toBe("assistant");
    expect(res.id).toStartWith("msg_");
    expect(res.content).toEqual([{ type: "text", text: "Hello from fake: hi there" } as Anthropic.TextBlock]);
    expect(res.stop_reason).toBe("end_turn");
    expect(res.usage.input_tokens).toBeGreaterThan(0);
    expect(res.usage.output_tokens).toBeGreaterThan(0);
  });

  test("streamed text", async () => {
    const stream = client.messages.stream({
      model: up.model(),
      max_tokens: 256,
      system: "be brief",
      messages: [{ role: "user", content: "stream please" }],
    });
    let deltas = "";
    stream.on("text", (t) => (deltas += t));
    const msg = await stream.finalMessage();
    expect(deltas).toBe("Hello from fake: stream please");
    expect(msg.content).toHaveLength(1);
    expect(textOf(msg)).toBe("Hello from fake: stream please");
    expect(msg.stop_reason).toBe("end_turn");
    expect(msg.usage.output_tokens).toBeGreaterThan(0);
  });

  test("tool-call round trip (call streamed, result, final answer)", async () => {
    const messages: Anthropic.MessageParam[] = [{ role: "user", content: "weather in Paris?" }];
    const first = await client.messages.stream({ model: up.model("tool-call"), max_tokens: 256, messages, tools }).finalMessage();
    expect(first.stop_reason).toBe("tool_use");
    const uses = first.content.filter((b): b is Anthropic.ToolUseBlock => b.type === "tool_use");
    expect(uses).toHaveLength(1);
    const use = uses[0]!;
    expect(use.name).toBe("get_weather");
    expect(use.input).toEqual({ city: "Paris" });
    expect(use.id).toBeTruthy();
    messages.push(
      { role: "assistant", content: first.content },
      { role: "user", content: [{ type: "tool_result", tool_use_id: use.id, content: TOOL_RESULT }] },
    );
    const second = await client.messages.create({ model: up.model("tool-call"), max_tokens: 256, messages, tools });
    expect(textOf(second)).toBe(`The weather is: ${TOOL_RESULT}`);
    expect(second.stop_reason).toBe("end_turn");
  });

  test("image input reaches the upstream", async () => {
    const res = await client.messages.create({
      model: up.model(),
      max_tokens: 256,
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "what is this" },
            { type: "image", source: { type: "base64", media_type: "image/png", data: TINY_PNG_BASE64 } },
          ],
        },
      ],
    });
    expect(textOf(res)).toBe("Hello from fake: what is this [images:1]");
  });

  test("reasoning arrives as a thinking block (non-streamed)", async () => {
    const res = await client.messages.create({
      model: up.model("reasoning"),
      max_tokens: 2048,
      thinking: { type: "enabled", budget_tokens: 1024 },
      messages: [{ role: "user", content: "think first" }],
    });
    expect(res.content).toEqual(expectedReasoning(up.format, false));
    expect(res.stop_reason).toBe("end_turn");
  });

  test("reasoning arrives as a thinking block (streamed)", async () => {
    const stream = client.messages.stream({
      model: up.model("reasoning"),
      max_tokens: 2048,
      thinking: { type: "enabled", budget_tokens: 1024 },
      messages: [{ role: "user", content: "think first" }],
    });
    let thinking = "";
    stream.on("thinking", (t) => (thinking += t));
    const msg = await stream.finalMessage();
    expect(thinking).toBe("Let me think.");
    expect(msg.content as Anthropic.ContentBlock[]).toEqual(expectedReasoning(up.format, true));
    expect(textOf(msg)).toBe(REPLY);
  });

  test("reasoning goes back to the upstream with the history (signatures kept)", async () => {
    const params = { model: up.model("reasoning"), max_tokens: 2048, thinking: { type: "enabled", budget_tokens: 1024 } } as const;
    for (const streamed of [false, true]) {
      const ask: Anthropic.MessageCreateParamsNonStreaming = { ...params, messages: [{ role: "user", content: "think first" }] };
      const first = streamed ? await client.messages.stream(ask).finalMessage() : await client.messages.create(ask);
      const messages: Anthropic.MessageParam[] = [
        { role: "user", content: "think first" },
        { role: "assistant", content: first.content },
        { role: "user", content: "and again" },
      ];
      const second = await client.messages.create({ ...params, messages });
      expect(textOf(second)).toBe("Hello from fake: and again");
      const body = m.fakes[up.format].requests.at(-1)!.body;
      if (up.format === "anthropic") {
        expect(body.messages[1].content).toEqual([
          { type: "thinking", thinking: "Let me think.", signature: "sig-fake-1" },
          { type: "text", text: REPLY },
        ]);
      } else if (up.format === "gemini") {
        // Wherever the client saw it, Gemini's signature goes back on a model part.
        const parts: { thoughtSignature?: string }[] = body.contents[1].parts;
        expect(parts.filter((p) => p.thoughtSignature).map((p) => p.thoughtSignature)).toEqual([GEMINI_SIGNATURE]);
      } else if (up.format === "openai-responses") {
        // The thinking goes back as the reasoning item it came from: summary and encrypted_content.
        expect(body.input.slice(1)).toEqual([
          { type: "reasoning", summary: [{ type: "summary_text", text: "Let me think." }], encrypted_content: FAKE_ENCRYPTED },
          { type: "message", role: "assistant", content: [{ type: "output_text", text: REPLY, annotations: [] }] },
          { type: "message", role: "user", content: [{ type: "input_text", text: "and again" }] },
        ]);
      } else if (up.format === "openai") {
        expect(body.messages[1]).toMatchObject({ role: "assistant", content: REPLY, reasoning_content: "Let me think." });
      } else {
        expect(body.messages[1]).toMatchObject({ role: "assistant", content: REPLY, thinking: "Let me think." });
      }
    }
  });

  test("an upstream 429 becomes the SDK's RateLimitError with Anthropic's error body", async () => {
    const err = await client.messages.create({ model: up.model("error-429"), max_tokens: 64, messages: [{ role: "user", content: "x" }] }).then(
      () => null,
      (e) => e,
    );
    expect(err).toBeInstanceOf(Anthropic.RateLimitError);
    expect(err.status).toBe(429);
    expect(err.error.type).toBe("error");
    expect(err.error.error.type).toBe("rate_limit_error");
    expect(typeof err.error.error.message).toBe("string");
    // Claude Code waits as long as retry-after says; every upstream but Ollama gives one.
    expect(err.headers.get("retry-after")).toBe(up.format === "ollama" ? null : "7");
  });
});

describe("anthropic client → anthropic upstream (Claude Code)", () => {
  const lastAnthropicRequest = () => m.fakes.anthropic.requests.at(-1)!;

  test("an upstream 529 reaches the client as 529 overloaded_error", async () => {
    const err = await client.messages
      .create({ model: "anthropic/claude-sonnet-4-5-error-529", max_tokens: 64, messages: [{ role: "user", content: "x" }] })
      .then(
        () => null,
        (e) => e,
      );
    expect(err).toBeInstanceOf(Anthropic.APIError);
    expect(err.status).toBe(529);
    expect(err.error).toEqual({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } });
  });

  test("pass-through keeps cache_control and forwards anthropic-beta / anthropic-version", async () => {
    const system: Anthropic.TextBlockParam[] = [{ type: "text", text: "You are Claude Code.", cache_control: { type: "ephemeral" } }];
    const messages: Anthropic.MessageParam[] = [
      { role: "user", content: [{ type: "text", text: "cached question", cache_control: { type: "ephemeral", ttl: "1h" } }] },
    ];
    const cachedTools: Anthropic.Tool[] = [{ ...tools[0]!, cache_control: { type: "ephemeral" } }];
    const beta = "prompt-caching-2024-07-31,interleaved-thinking-2025-05-14";
    // The version the SDK itself sends must reach Anthropic, not the gateway's default.
    let sentVersion: string | null = null;
    const recording = new Anthropic({
      baseURL: m.base,
      apiKey: m.key,
      maxRetries: 0,
      fetch: async (url: RequestInfo | URL, init?: RequestInit) => {
        sentVersion = new Headers(init?.headers).get("anthropic-version");
        return fetch(url, init);
      },
    });
    for (const stream of [false, true]) {
      const params = { model: "anthropic/claude-sonnet-4-5", max_tokens: 256, system, messages, tools: cachedTools };
      const res = stream
        ? await recording.messages.stream(params, { headers: { "anthropic-beta": beta } }).finalMessage()
        : await recording.messages.create(params, { headers: { "anthropic-beta": beta } });
      expect(textOf(res)).toBe("Hello from fake: cached question");
      const seen = lastAnthropicRequest();
      expect(seen.headers["anthropic-beta"]).toBe(beta);
      expect(sentVersion).toBeTruthy();
      expect(seen.headers["anthropic-version"]).toBe(sentVersion!);
      expect(seen.body.model).toBe("claude-sonnet-4-5");
      expect(seen.body.system).toEqual(system);
      expect(seen.body.messages).toEqual(messages);
      expect(seen.body.tools).toEqual(cachedTools);
      expect(seen.body.stream ?? false).toBe(stream);
    }
  });

  test("server tools (web_search) reach an Anthropic upstream untouched", async () => {
    const serverTool = { type: "web_search_20250305", name: "web_search", max_uses: 1 } as const;
    const sent = [...tools, serverTool] as Anthropic.ToolUnion[];
    const res = await client.messages.create({ model: "anthropic/claude-sonnet-4-5", max_tokens: 256, tools: sent, messages: [{ role: "user", content: "search" }] });
    expect(textOf(res)).toBe("Hello from fake: search");
    expect(lastAnthropicRequest().body.tools).toEqual(sent);
  });
});

describe("anthropic client → other upstreams (Claude Code)", () => {
  test("server tools are not turned into functions for a non-Anthropic upstream", async () => {
    const sent = [...tools, { type: "web_search_20250305", name: "web_search", max_uses: 1 }] as Anthropic.ToolUnion[];
    const res = await client.messages.create({ model: UPSTREAMS[0]!.model(), max_tokens: 256, tools: sent, messages: [{ role: "user", content: "search" }] });
    expect(textOf(res)).toBe("Hello from fake: search");
    const body = m.fakes.openai.requests.at(-1)!.body;
    expect(body.tools.map((t: { function: { name: string } }) => t.function.name)).toEqual(["get_weather"]);
  });

  test("the beta endpoint Claude Code uses (/v1/messages?beta=true) works, betas included", async () => {
    const res = await client.beta.messages.create({
      model: UPSTREAMS[0]!.model(),
      max_tokens: 256,
      betas: ["interleaved-thinking-2025-05-14"],
      messages: [{ role: "user", content: "beta hi" }],
    });
    expect(res.content).toEqual([{ type: "text", text: "Hello from fake: beta hi" } as Anthropic.Beta.BetaTextBlock]);
    const tokens = await client.beta.messages.countTokens({ model: UPSTREAMS[1]!.model(), betas: ["token-counting-2024-11-01"], messages: [{ role: "user", content: "beta hi" }] });
    expect(tokens.input_tokens).toBeGreaterThan(0);
  });
});

describe("POST /v1/messages/count_tokens (Claude Code auto-compaction)", () => {
  const model = "anthropic/claude-sonnet-4-5";
  const count = async (params: Omit<Anthropic.MessageCountTokensParams, "model">) =>
    (await client.messages.countTokens({ model, ...params })).input_tokens;

  const textOnly: Anthropic.MessageParam[] = [{ role: "user", content: "weather in Paris?" }];
  const everyBlock: Anthropic.MessageParam[] = [
    { role: "user", content: "weather in Paris?" },
    {
      role: "assistant",
      content: [
        { type: "thinking", thinking: "The user wants the weather; I should call the get_weather tool for Paris.", signature: "sig-fake-1" },
        { type: "tool_use", id: "toolu_01CountTokens0000000000", name: "get_weather", input: { city: "Paris" } },
      ],
    },
    {
      role: "user",
      content: [
        { type: "tool_result", tool_use_id: "toolu_01CountTokens0000000000", content: "sunny, 21°C, light wind from the west" },
        { type: "image", source: { type: "base64", media_type: "image/png", data: TINY_PNG_BASE64 } },
        { type: "text", text: "and what is this picture?" },
      ],
    },
  ];

  test("counts every block type, not only text", async () => {
    const text = await count({ messages: textOnly });
    const all = await count({ messages: everyBlock });
    expect(text).toBeGreaterThan(0);
    expect(all).toBeGreaterThan(text);
    // Each non-text block adds to the count on its own.
    const [user, assistant, results] = everyBlock as [Anthropic.MessageParam, { role: "assistant"; content: Anthropic.ContentBlockParam[] }, { role: "user"; content: Anthropic.ContentBlockParam[] }];
    for (const drop of ["thinking", "tool_result", "image"] as const) {
      const without: Anthropic.MessageParam[] = [
        user,
        { role: "assistant", content: assistant.content.filter((b) => b.type !== drop) },
        { role: "user", content: results.content.filter((b) => b.type !== drop) },
      ];
      expect(await count({ messages: without })).toBeLessThan(all);
    }
    const noToolInput: Anthropic.MessageParam[] = [
      user,
      { role: "assistant", content: assistant.content.map((b) => (b.type === "tool_use" ? { ...b, input: {} } : b)) },
      results,
    ];
    expect(await count({ messages: noToolInput })).toBeLessThan(all);
  });

  test("tool definitions and the system prompt count", async () => {
    const base = await count({ messages: textOnly });
    const withTool = await count({ messages: textOnly, tools });
    expect(withTool).toBeGreaterThan(base);
    const withSystem = await count({ messages: textOnly, system: [{ type: "text", text: "You are a weather assistant.", cache_control: { type: "ephemeral" } }] });
    expect(withSystem).toBeGreaterThan(base);
  });

  test("needs the API key like every gateway route", async () => {
    const anon = new Anthropic({ baseURL: m.base, apiKey: "sk-not-a-key", maxRetries: 0 });
    const err = await anon.messages.countTokens({ model, messages: textOnly }).then(
      () => null,
      (e) => e,
    );
    expect(err).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(err.error.error.type).toBe("authentication_error");
  });
});
