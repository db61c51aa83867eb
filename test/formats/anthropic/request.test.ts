import { describe, expect, test } from "bun:test";
import { GatewayError } from "../../../src/errors.ts";
import { EFFORT_BUDGET, type CanonicalRequest } from "../../../src/formats/canonical.ts";
import { anthropicUpstream } from "../../../src/formats/anthropic/index.ts";
import { anthropicRequestToCanonical, canonicalToAnthropicRequest, DEFAULT_MAX_TOKENS } from "../../../src/formats/anthropic/request.ts";
import { anthropicRequestProblem } from "../../support/fake-anthropic.ts";

const CLAUDE_CODE = await Bun.file(new URL("../../fixtures/anthropic/request-claude-code.json", import.meta.url)).json();

const base = (over: Partial<CanonicalRequest> = {}): CanonicalRequest => ({ model: "m", system: [], messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }], stream: false, ...over });

describe("Anthropic request → canonical", () => {
  const req = anthropicRequestToCanonical(CLAUDE_CODE);

  test("system blocks keep cache_control", () => {
    expect(req.system).toEqual([
      { type: "text", text: "You are Claude Code, Anthropic's official CLI for Claude." },
      { type: "text", text: "Working directory: /home/dev/project", cacheControl: { type: "ephemeral" } },
    ]);
  });

  test("user content: text, base64 and url images, pdf and text documents", () => {
    const [user] = req.messages;
    expect(user!.role).toBe("user");
    expect(user!.content[1]).toEqual({ type: "image", source: { kind: "base64", mediaType: "image/png", data: expect.stringMatching(/^iVBOR/) } });
    expect(user!.content[2]).toEqual({ type: "image", source: { kind: "url", url: "https://example.com/cat.jpg" } });
    expect(user!.content[3]).toEqual({
      type: "document",
      source: { kind: "base64", mediaType: "application/pdf", data: "JVBERi0xLjQK" },
      title: "spec.pdf",
      cacheControl: { type: "ephemeral", ttl: "1h" },
    });
    const doc = user!.content[4] as any;
    expect(doc.source.mediaType).toBe("text/plain");
    expect(Buffer.from(doc.source.data, "base64").toString("utf8")).toBe("Notes: ship it.");
  });

  test("assistant turn: signed thinking, redacted thinking, text, tool calls", () => {
    const assistant = req.messages[1]!;
    expect(assistant.content).toEqual([
      { type: "thinking", text: "I should read the file first.", signature: "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrk" },
      { type: "redacted_thinking", data: expect.stringMatching(/^EmwK/) },
      { type: "text", text: "Let me read it." },
      { type: "tool_call", id: "toolu_01Read", name: "Read", arguments: '{"file_path":"/home/dev/project/README.md"}' },
      { type: "tool_call", id: "toolu_01Bash", name: "Bash", arguments: '{"command":"ls"}' },
    ]);
  });

  test("tool results carry the tool name, is_error and cache_control", () => {
    const user = req.messages[2]!;
    expect(user.content[0]).toEqual({ type: "tool_result", toolCallId: "toolu_01Read", name: "Read", content: [{ type: "text", text: "# Project\nA demo." }] });
    expect(user.content[1]).toEqual({
      type: "tool_result",
      toolCallId: "toolu_01Bash",
      name: "Bash",
      content: [{ type: "text", text: "ls: permission denied" }],
      isError: true,
      cacheControl: { type: "ephemeral" },
    });
    expect(user.content[2]).toEqual({ type: "text", text: "Continue." });
  });

  test("server tools stay out of canonical tools; tool settings and sampling are read", () => {
    expect(req.tools!.map((t) => t.name)).toEqual(["Read", "Bash"]);
    expect(req.tools![1]!.cacheControl).toEqual({ type: "ephemeral" });
    expect(req.toolChoice).toEqual({ type: "auto" });
    expect(req.parallelToolCalls).toBe(false);
    expect(req.reasoning).toEqual({ enabled: true, budgetTokens: 10000 });
    expect(req).toMatchObject({ model: "claude-sonnet-4-5-20250929", maxTokens: 32000, temperature: 1, stream: true, includeUsage: true, user: "user_abc123_account__session_9f8e" });
  });

  test("string content, tool_choice any/tool/none, disabled thinking, stop sequences, top_k", () => {
    const r = anthropicRequestToCanonical({
      model: "c",
      max_tokens: 10,
      system: "Be brief.",
      messages: [
        { role: "user", content: "a" },
        { role: "user", content: [{ type: "text", text: "b" }] },
      ],
      tools: [{ name: "f", input_schema: { type: "object" } }],
      tool_choice: { type: "any" },
      thinking: { type: "disabled" },
      stop_sequences: ["END"],
      top_k: 5,
      top_p: 0.9,
    });
    expect(r.system).toEqual([{ type: "text", text: "Be brief." }]);
    // Consecutive same-role turns merge.
    expect(r.messages).toEqual([{ role: "user", content: [{ type: "text", text: "a" }, { type: "text", text: "b" }] }]);
    expect(r.toolChoice).toEqual({ type: "required" });
    expect(r.reasoning).toEqual({ enabled: false });
    expect(r).toMatchObject({ stop: ["END"], topK: 5, topP: 0.9, stream: false });
    expect(anthropicRequestToCanonical({ model: "c", messages: [], tools: [{ name: "f" }], tool_choice: { type: "tool", name: "f" } }).toolChoice).toEqual({ type: "tool", name: "f" });
    expect(anthropicRequestToCanonical({ model: "c", messages: [], tool_choice: { type: "none" } }).toolChoice).toEqual({ type: "none" });
  });

  test("a stray system role is read as system text", () => {
    const r = anthropicRequestToCanonical({ model: "c", messages: [{ role: "system", content: "rules" }, { role: "user", content: "hi" }] });
    expect(r.system).toEqual([{ type: "text", text: "rules" }]);
    expect(r.messages).toHaveLength(1);
  });

  test("invalid bodies are 400s naming the field", () => {
    const err = (body: unknown) => {
      try {
        anthropicRequestToCanonical(body);
      } catch (e) {
        return e as GatewayError;
      }
      throw new Error("expected an error");
    };
    expect(err({ messages: [] })).toMatchObject({ status: 400, message: "model: Field required" });
    expect(err({ model: "c", messages: "hi" })).toMatchObject({ status: 400, message: expect.stringMatching(/^messages: /) });
    expect(err({ model: "c", messages: [{ content: "x" }] }).message).toBe("messages.0.role: Field required");
    expect(err([1])).toBeInstanceOf(GatewayError);
  });
});

describe("canonical → Anthropic request", () => {
  test("the Claude Code request survives a round trip: cache_control, signatures, documents, tool order", () => {
    const body = canonicalToAnthropicRequest(anthropicRequestToCanonical(CLAUDE_CODE), "claude-sonnet-4-5-20250929") as any;
    expect(anthropicRequestProblem(body)).toBeNull();
    expect(body.system).toEqual(CLAUDE_CODE.system);
    const [user, assistant, results] = body.messages;
    expect(user.content[1]).toEqual(CLAUDE_CODE.messages[0].content[1]);
    expect(user.content[2]).toEqual({ type: "image", source: { type: "url", url: "https://example.com/cat.jpg" } });
    expect(user.content[3]).toEqual(CLAUDE_CODE.messages[0].content[3]);
    expect(user.content[4]).toEqual({ type: "document", source: { type: "text", media_type: "text/plain", data: "Notes: ship it." } });
    expect(assistant.content).toEqual(CLAUDE_CODE.messages[1].content);
    expect(results.content[0]).toEqual({ type: "tool_result", tool_use_id: "toolu_01Read", content: [{ type: "text", text: "# Project\nA demo." }] });
    expect(results.content[1]).toEqual(CLAUDE_CODE.messages[2].content[1]);
    expect(results.content[2]).toEqual({ type: "text", text: "Continue." });
    expect(body.tools).toEqual(CLAUDE_CODE.tools.slice(0, 2));
    expect(body.tool_choice).toEqual({ type: "auto", disable_parallel_tool_use: true });
    expect(body.thinking).toEqual({ type: "enabled", budget_tokens: 10000 });
    expect(body).toMatchObject({ max_tokens: 32000, temperature: 1, stream: true, metadata: { user_id: CLAUDE_CODE.metadata.user_id } });
  });

  test("OpenAI-style tool round trip: results go first, right after the tool_use turn", () => {
    const req = base({
      system: [{ type: "text", text: "sys" }],
      messages: [
        { role: "user", content: [{ type: "text", text: "Weather in Paris and Rome?" }] },
        {
          role: "assistant",
          content: [
            { type: "text", text: "" },
            { type: "tool_call", id: "call_a", name: "get_weather", arguments: '{"city":"Paris"}' },
            { type: "tool_call", id: "call_b", name: "get_weather", arguments: '{"city":"Rome"}' },
          ],
        },
        // What an OpenAI reader produces from two role:"tool" messages followed by a user message.
        {
          role: "user",
          content: [
            { type: "text", text: "Also, be brief." },
            { type: "tool_result", toolCallId: "call_b", name: "get_weather", content: [{ type: "text", text: "rain" }] },
            { type: "tool_result", toolCallId: "call_a", name: "get_weather", content: [{ type: "text", text: "sun" }] },
          ],
        },
      ],
      tools: [{ name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } }],
      toolChoice: { type: "auto" },
    });
    const body = canonicalToAnthropicRequest(req, "claude") as any;
    expect(anthropicRequestProblem(body)).toBeNull();
    expect(body.system).toEqual([{ type: "text", text: "sys" }]);
    expect(body.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "Weather in Paris and Rome?" }] },
      {
        role: "assistant",
        content: [
          { type: "tool_use", id: "call_a", name: "get_weather", input: { city: "Paris" } },
          { type: "tool_use", id: "call_b", name: "get_weather", input: { city: "Rome" } },
        ],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "call_b", content: [{ type: "text", text: "rain" }] },
          { type: "tool_result", tool_use_id: "call_a", content: [{ type: "text", text: "sun" }] },
          { type: "text", text: "Also, be brief." },
        ],
      },
    ]);
    expect(body.tools).toEqual([{ name: "get_weather", input_schema: { type: "object", properties: { city: { type: "string" } } } }]);
    expect(body.tool_choice).toEqual({ type: "auto" });
  });

  test("orphan tool results become text; unanswered tool calls get an error result", () => {
    const body = canonicalToAnthropicRequest(
      base({
        messages: [
          { role: "user", content: [{ type: "tool_result", toolCallId: "call_gone", name: "search", content: [{ type: "text", text: "42 results" }] }, { type: "text", text: "go on" }] },
          { role: "assistant", content: [{ type: "tool_call", id: "call_x", name: "f", arguments: "{}" }] },
          { role: "user", content: [{ type: "text", text: "never mind" }] },
        ],
      }),
      "claude",
    ) as any;
    expect(anthropicRequestProblem(body)).toBeNull();
    expect(body.messages[0].content).toEqual([
      { type: "text", text: "[Result of tool call search (call_gone)]\n42 results" },
      { type: "text", text: "go on" },
    ]);
    expect(body.messages[2].content).toEqual([
      { type: "tool_result", tool_use_id: "call_x", content: [{ type: "text", text: "No result was provided for this tool call." }], is_error: true },
      { type: "text", text: "never mind" },
    ]);
  });

  test("a result for a call two turns back is an orphan too", () => {
    const body = canonicalToAnthropicRequest(
      base({
        messages: [
          { role: "user", content: [{ type: "text", text: "q" }] },
          { role: "assistant", content: [{ type: "tool_call", id: "t1", name: "f", arguments: "{}" }] },
          { role: "user", content: [{ type: "tool_result", toolCallId: "t1", content: [{ type: "text", text: "ok" }] }] },
          { role: "assistant", content: [{ type: "text", text: "done" }] },
          { role: "user", content: [{ type: "tool_result", toolCallId: "t1", content: [{ type: "text", text: "again" }] }] },
        ],
      }),
      "claude",
    ) as any;
    expect(anthropicRequestProblem(body)).toBeNull();
    expect(body.messages[4].content).toEqual([{ type: "text", text: "[Result of tool call (t1)]\nagain" }]);
  });

  test("turns alternate: empty and unsigned-thinking content is dropped and same roles merge", () => {
    const body = canonicalToAnthropicRequest(
      base({
        messages: [
          { role: "user", content: [{ type: "text", text: "a" }] },
          { role: "assistant", content: [{ type: "thinking", text: "deepseek reasoning, no signature" }, { type: "text", text: "  " }] },
          { role: "user", content: [{ type: "text", text: "b" }] },
          { role: "assistant", content: [{ type: "text", text: "prefill " }] },
        ],
      }),
      "claude",
    ) as any;
    expect(body.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "a" }, { type: "text", text: "b" }] },
      // "final assistant content cannot end with trailing whitespace"
      { role: "assistant", content: [{ type: "text", text: "prefill" }] },
    ]);
  });

  test("tool ids outside [a-zA-Z0-9_-] are made safe consistently", () => {
    const body = canonicalToAnthropicRequest(
      base({
        messages: [
          { role: "user", content: [{ type: "text", text: "q" }] },
          { role: "assistant", content: [{ type: "tool_call", id: "functions.get_weather:0", name: "get_weather", arguments: "{}" }] },
          { role: "user", content: [{ type: "tool_result", toolCallId: "functions.get_weather:0", content: [{ type: "text", text: "sun" }] }] },
        ],
      }),
      "claude",
    ) as any;
    expect(body.messages[1].content[0].id).toBe("functions_get_weather_0");
    expect(body.messages[2].content[0].tool_use_id).toBe("functions_get_weather_0");
  });

  test("images: base64, url and data: URLs", () => {
    const body = canonicalToAnthropicRequest(
      base({
        messages: [
          {
            role: "user",
            content: [
              { type: "image", source: { kind: "base64", mediaType: "image/jpeg", data: "/9j/AA==" } },
              { type: "image", source: { kind: "url", url: "https://x/y.png" }, detail: "high" },
              { type: "image", source: { kind: "url", url: "data:image/webp;base64,UklGRg==" } },
            ],
          },
        ],
      }),
      "claude",
    ) as any;
    expect(body.messages[0].content).toEqual([
      { type: "image", source: { type: "base64", media_type: "image/jpeg", data: "/9j/AA==" } },
      { type: "image", source: { type: "url", url: "https://x/y.png" } },
      { type: "image", source: { type: "base64", media_type: "image/webp", data: "UklGRg==" } },
    ]);
  });

  test("max_tokens defaults to 4096 and makes room for the thinking budget", () => {
    expect((canonicalToAnthropicRequest(base(), "c") as any).max_tokens).toBe(DEFAULT_MAX_TOKENS);
    const effort = canonicalToAnthropicRequest(base({ reasoning: { effort: "high" }, temperature: 0.2, topK: 3, topP: 0.5 }), "c") as any;
    expect(effort.thinking).toEqual({ type: "enabled", budget_tokens: EFFORT_BUDGET.high });
    expect(effort.max_tokens).toBe(DEFAULT_MAX_TOKENS + EFFORT_BUDGET.high);
    // Thinking refuses temperature ≠ 1, top_k, and top_p < 0.95.
    expect(effort.temperature).toBeUndefined();
    expect(effort.top_k).toBeUndefined();
    expect(effort.top_p).toBeUndefined();
    expect(anthropicRequestProblem(effort)).toBeNull();
    const small = canonicalToAnthropicRequest(base({ reasoning: { enabled: true, budgetTokens: 2000 }, maxTokens: 1000 }), "c") as any;
    expect(small).toMatchObject({ max_tokens: 3000, thinking: { budget_tokens: 2000 } });
    const tiny = canonicalToAnthropicRequest(base({ reasoning: { budgetTokens: 100 }, maxTokens: 5000 }), "c") as any;
    expect(tiny).toMatchObject({ max_tokens: 5000, thinking: { budget_tokens: 1024 } });
    expect((canonicalToAnthropicRequest(base({ reasoning: { enabled: false, effort: "high" } }), "c") as any).thinking).toBeUndefined();
  });

  test("thinking stays off while an unsigned tool-use turn is in progress", () => {
    const loop = (assistantFirst: CanonicalRequest["messages"][number]["content"]) =>
      canonicalToAnthropicRequest(
        base({
          reasoning: { effort: "low" },
          messages: [
            { role: "user", content: [{ type: "text", text: "q" }] },
            { role: "assistant", content: [...assistantFirst, { type: "tool_call", id: "t1", name: "f", arguments: "{}" }] },
            { role: "user", content: [{ type: "tool_result", toolCallId: "t1", content: [{ type: "text", text: "r" }] }] },
          ],
        }),
        "c",
      ) as any;
    expect(loop([{ type: "thinking", text: "reasoning_content from an OpenAI client" }]).thinking).toBeUndefined();
    expect(loop([]).max_tokens).toBe(DEFAULT_MAX_TOKENS);
    expect(loop([{ type: "thinking", text: "signed", signature: "sig" }]).thinking).toEqual({ type: "enabled", budget_tokens: EFFORT_BUDGET.low });
  });

  test("forcing a tool turns thinking off (Anthropic refuses both)", () => {
    const body = canonicalToAnthropicRequest(base({ reasoning: { effort: "low" }, tools: [{ name: "f", parameters: {} }], toolChoice: { type: "tool", name: "f" } }), "c") as any;
    expect(body.thinking).toBeUndefined();
    expect(body.tool_choice).toEqual({ type: "tool", name: "f" });
    expect(body.tools[0].input_schema).toEqual({ type: "object", properties: {} });
  });

  test("tool_choice mapping, parallel calls, sampling ranges, stop sequences", () => {
    const tools = [{ name: "f", parameters: { type: "object" } }];
    const tc = (toolChoice: CanonicalRequest["toolChoice"], parallelToolCalls?: boolean) =>
      (canonicalToAnthropicRequest(base({ tools, toolChoice, parallelToolCalls }), "c") as any).tool_choice;
    expect(tc({ type: "required" })).toEqual({ type: "any" });
    expect(tc({ type: "none" })).toEqual({ type: "none" });
    expect(tc(undefined)).toBeUndefined();
    expect(tc(undefined, false)).toEqual({ type: "auto", disable_parallel_tool_use: true });
    expect(tc({ type: "required" }, false)).toEqual({ type: "any", disable_parallel_tool_use: true });
    expect((canonicalToAnthropicRequest(base({ toolChoice: { type: "required" } }), "c") as any).tool_choice).toBeUndefined();
    const s = canonicalToAnthropicRequest(base({ temperature: 1.6, topP: 0.9, topK: 40, stop: ["END", " "], user: "u1", seed: 7 }), "c") as any;
    expect(s).toMatchObject({ temperature: 1, top_k: 40, stop_sequences: ["END"], metadata: { user_id: "u1" } });
    expect(s.top_p).toBeUndefined();
    expect(s.seed).toBeUndefined();
    expect((canonicalToAnthropicRequest(base({ topP: 0.9 }), "c") as any).top_p).toBe(0.9);
  });

  test("the upstream adapter posts to /messages", () => {
    const up = anthropicUpstream.buildRequest(base({ stream: true }), "claude-x");
    expect(up.path).toBe("/messages");
    expect(up.body).toMatchObject({ model: "claude-x", stream: true, max_tokens: 4096 });
  });
});
