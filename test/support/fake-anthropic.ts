// A fake upstream that speaks Anthropic's Messages API as api.anthropic.com does: x-api-key +
// anthropic-version headers, Message objects with msg_/toolu_ ids and the full usage object,
// SSE streams with `event:` lines (message_start, ping after the first block start,
// content_block_*, message_delta with stop_reason and usage, message_stop), and the API's
// own 400s for the request shapes it refuses (missing max_tokens, empty text blocks, tool
// results that do not follow their tool_use, thinking with temperature ≠ 1 or max_tokens ≤
// budget, a signed thinking block whose text was changed) so a translation that would fail
// against Anthropic fails here too.
// Behaviour by requested model name (substring):
//   any model            → "Hello from fake: <last user text>" (+ " [images:<n>]")
//   "...tool-call"       → calls get_weather {"city":"Paris"}; after a tool result, "The weather is: <result>"
//   "...reasoning"       → a thinking block "Let me think." signed "sig-fake-1", then the reply
//   "...error-<status>"  → that status with Anthropic's error body (429 adds retry-after)
//   "...garbage"         → 200 with an HTML body
//   "...ignore-stream"   → answers a streamed request with the whole JSON message
//   "...broken-stream"   → two events, then the connection is cut
//   "...hang"            → no answer until the client aborts
//   "...slow-stream"     → first event, then a pause of `slowMs` before the rest

import { fakeEventStream, headersOf, serveFake } from "./fake-stream.ts";

export interface FakeAnthropicRequest {
  path: string;
  /** Path and query. */
  url: string;
  headers: Record<string, string>;
  body: any;
}

export interface FakeAnthropic {
  url: string;
  /** Base URL to configure on a connection (`.../v1`). */
  baseUrl: string;
  requests: FakeAnthropicRequest[];
  aborted: number;
  slowMs: number;
  close(): void;
}

export const FAKE_THINKING = "Let me think.";
export const FAKE_SIGNATURE = "sig-fake-1";
export const FAKE_TOOL_ID = "toolu_01FakeWeatherCall0000000";

const MODELS = [
  { type: "model", id: "claude-sonnet-4-5-20250929", display_name: "Claude Sonnet 4.5", created_at: "2025-09-29T00:00:00Z" },
  { type: "model", id: "claude-haiku-4-5-20251001", display_name: "Claude Haiku 4.5", created_at: "2025-10-15T00:00:00Z" },
  { type: "model", id: "claude-opus-4-1-20250805", display_name: "Claude Opus 4.1", created_at: "2025-08-05T00:00:00Z" },
];

const ERRORS: Record<number, [string, string]> = {
  400: ["invalid_request_error", "prompt is too long: 210000 tokens > 200000 maximum"],
  401: ["authentication_error", "invalid x-api-key"],
  403: ["permission_error", "Your API key does not have permission to use the specified resource."],
  404: ["not_found_error", "model: claude-missing"],
  413: ["request_too_large", "Request exceeds the maximum allowed number of bytes."],
  429: ["rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit (https://docs.anthropic.com/en/api/rate-limits); see the response headers for current usage. Please reduce the prompt length or the maximum tokens requested, or try again later."],
  500: ["api_error", "Internal server error"],
  503: ["overloaded_error", "Overloaded"],
  529: ["overloaded_error", "Overloaded"],
};

export function fakeAnthropicErrorBody(status: number, message?: string) {
  const [type, text] = ERRORS[status] ?? [status >= 500 ? "api_error" : "invalid_request_error", `Error ${status}`];
  return { type: "error", error: { type, message: message ?? text } };
}

const requestId = () => `req_011C${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`;

function errorResponse(status: number, message?: string): Response {
  const headers: Record<string, string> = { "request-id": requestId() };
  if (status === 429) headers["retry-after"] = "7";
  if (status === 529) headers["x-should-retry"] = "true";
  return Response.json(fakeAnthropicErrorBody(status, message), { status, headers });
}

const blocksOf = (content: unknown): any[] => (typeof content === "string" ? [{ type: "text", text: content }] : Array.isArray(content) ? content : []);
const textOf = (content: unknown) =>
  blocksOf(content)
    .filter((b) => b?.type === "text")
    .map((b) => b.text)
    .join(" ");

function lastUser(body: any): any {
  const msgs: any[] = Array.isArray(body?.messages) ? body.messages : [];
  return [...msgs].reverse().find((m) => m?.role === "user");
}

/** Deterministic usage: prompt = JSON length of the messages >> 2, completion = words. */
export function fakeAnthropicUsage(body: any, reply: string) {
  return {
    input_tokens: JSON.stringify(body?.messages ?? []).length >> 2,
    output_tokens: Math.max(1, reply.split(/\s+/).filter(Boolean).length),
  };
}

/** The 400s api.anthropic.com gives for the shapes translators get wrong; null when fine. */
export function anthropicRequestProblem(body: any): string | null {
  if (!body || typeof body !== "object") return "Request body must be a JSON object";
  if (typeof body.model !== "string" || !body.model) return "model: Field required";
  if (typeof body.max_tokens !== "number") return "max_tokens: Field required";
  if (!Array.isArray(body.messages) || !body.messages.length) return "messages: Field required";
  const th = body.thinking;
  if (th?.type === "enabled") {
    if (typeof th.budget_tokens !== "number" || th.budget_tokens < 1024) return "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024";
    if (body.max_tokens <= th.budget_tokens) return "`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size";
    if (body.temperature !== undefined && body.temperature !== 1) return "`temperature` may only be set to 1 when thinking is enabled. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#feature-compatibility";
    if (body.top_k !== undefined) return "`top_k` must be unset when thinking is enabled. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#feature-compatibility";
  }
  const msgs: any[] = body.messages;
  for (let i = 0; i < msgs.length; i++) {
    const m = msgs[i];
    if (m?.role !== "user" && m?.role !== "assistant") return `messages.${i}.role: Input should be 'user' or 'assistant'`;
    const blocks = blocksOf(m.content);
    if (typeof m.content === "string" ? !m.content && i < msgs.length - 1 : !blocks.length && !(m.role === "assistant" && i === msgs.length - 1)) {
      return `messages.${i}: all messages must have non-empty content except for the optional final assistant message`;
    }
    for (const b of blocks) if (b?.type === "text" && !String(b.text ?? "").trim()) return "messages: text content blocks must contain non-whitespace text";
    // A signature covers its thinking text: the API refuses a signed block whose text changed.
    for (const [j, b] of blocks.entries()) {
      if (b?.type === "thinking" && b.signature === FAKE_SIGNATURE && b.thinking !== FAKE_THINKING) return `messages.${i}.content.${j}: Invalid \`signature\` in \`thinking\` block`;
    }
    const prev = msgs[i - 1];
    const expected = prev?.role === "assistant" ? blocksOf(prev.content).filter((b) => b?.type === "tool_use").map((b) => b.id) : [];
    if (m.role === "user") {
      const results = blocks.filter((b) => b?.type === "tool_result");
      for (const r of results) {
        if (!expected.includes(r.tool_use_id)) {
          return `messages.${i}.content.${blocks.indexOf(r)}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${r.tool_use_id}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
        }
      }
      const firstOther = blocks.findIndex((b) => b?.type !== "tool_result");
      if (firstOther >= 0 && blocks.slice(firstOther).some((b) => b?.type === "tool_result")) {
        return `messages.${i}: \`tool_result\` blocks must come first in the user message content, before any other content.`;
      }
    }
    if (expected.length) {
      const answered = new Set(m.role === "user" ? blocks.filter((b) => b?.type === "tool_result").map((b) => b.tool_use_id) : []);
      const missing = expected.filter((id: string) => !answered.has(id));
      if (missing.length) {
        return `messages.${i - 1}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(", ")}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`;
      }
    }
  }
  return null;
}

type Block = { type: "text"; text: string } | { type: "thinking"; thinking: string; signature: string } | { type: "tool_use"; id: string; name: string; input: Record<string, unknown> };

function answer(body: any): { content: Block[]; stop: "end_turn" | "tool_use"; reply: string } {
  const model: string = body.model;
  const user = lastUser(body);
  const content: Block[] = [];
  if (model.includes("reasoning")) content.push({ type: "thinking", thinking: FAKE_THINKING, signature: FAKE_SIGNATURE });
  if (model.includes("tool-call")) {
    const result = blocksOf(user?.content).find((b) => b?.type === "tool_result");
    if (!result) {
      content.push({ type: "tool_use", id: FAKE_TOOL_ID, name: "get_weather", input: { city: "Paris" } });
      return { content, stop: "tool_use", reply: "call" };
    }
    const reply = `The weather is: ${textOf(result.content)}`;
    content.push({ type: "text", text: reply });
    return { content, stop: "end_turn", reply };
  }
  const images = blocksOf(user?.content).filter((b) => b?.type === "image").length;
  const reply = `Hello from fake: ${textOf(user?.content)}${images ? ` [images:${images}]` : ""}`;
  content.push({ type: "text", text: reply });
  return { content, stop: "end_turn", reply };
}

const sse = (type: string, payload: Record<string, unknown> = {}) => `event: ${type}\ndata: ${JSON.stringify({ type, ...payload })}\n\n`;
const PING = 'event: ping\ndata: {"type": "ping"}\n\n';

function streamEvents(id: string, model: string, content: Block[], stop: string, usage: { input_tokens: number; output_tokens: number }): string[] {
  const cacheUsage = { cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  const events = [
    sse("message_start", {
      message: {
        id,
        type: "message",
        role: "assistant",
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: usage.input_tokens, ...cacheUsage, cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 }, output_tokens: 1, service_tier: "standard" },
      },
    }),
  ];
  content.forEach((block, index) => {
    const delta = (d: Record<string, unknown>) => sse("content_block_delta", { index, delta: d });
    if (block.type === "text") {
      events.push(sse("content_block_start", { index, content_block: { type: "text", text: "" } }));
      if (index === 0) events.push(PING);
      for (const piece of block.text.split(/(?<= )/)) events.push(delta({ type: "text_delta", text: piece }));
    } else if (block.type === "thinking") {
      events.push(sse("content_block_start", { index, content_block: { type: "thinking", thinking: "", signature: "" } }));
      if (index === 0) events.push(PING);
      events.push(delta({ type: "thinking_delta", thinking: block.thinking }));
      events.push(delta({ type: "signature_delta", signature: block.signature }));
    } else {
      events.push(sse("content_block_start", { index, content_block: { type: "tool_use", id: block.id, name: block.name, input: {} } }));
      if (index === 0) events.push(PING);
      for (const piece of ["", '{"city":', '"Paris"}']) events.push(delta({ type: "input_json_delta", partial_json: piece }));
    }
    events.push(sse("content_block_stop", { index }));
  });
  events.push(sse("message_delta", { delta: { stop_reason: stop, stop_sequence: null }, usage: { input_tokens: usage.input_tokens, ...cacheUsage, output_tokens: usage.output_tokens } }));
  events.push(sse("message_stop"));
  return events;
}

export function startFakeAnthropic(opts: { apiKey?: string; slowMs?: number } = {}): FakeAnthropic {
  const apiKey = opts.apiKey ?? "sk-ant-fake";
  return serveFake<FakeAnthropicRequest>(opts, "/v1", async (req, url, state) => {
    const body = req.method === "POST" ? await req.json().catch(() => null) : null;
    state.requests.push({ path: url.pathname, url: url.pathname + url.search, headers: headersOf(req), body });
    if (req.headers.get("x-api-key") !== apiKey) return errorResponse(401);
    if (!req.headers.get("anthropic-version")) return errorResponse(400, "anthropic-version: header is required");

    if (req.method === "GET" && url.pathname === "/v1/models") {
      return Response.json({ data: MODELS, has_more: false, first_id: MODELS[0]!.id, last_id: MODELS.at(-1)!.id });
    }
    if (req.method === "POST" && url.pathname === "/v1/messages/count_tokens") {
      if (!Array.isArray(body?.messages)) return errorResponse(400, "messages: Field required");
      return Response.json({ input_tokens: fakeAnthropicUsage(body, "").input_tokens });
    }
    if (req.method !== "POST" || url.pathname !== "/v1/messages") return errorResponse(404, "Not found");

    const model: string = typeof body?.model === "string" ? body.model : "";
    const status = /error-(\d{3})/.exec(model);
    if (status) return errorResponse(Number(status[1]));
    const problem = anthropicRequestProblem(body);
    if (problem) return errorResponse(400, problem);
    if (model.includes("garbage")) return new Response("<html><body>502 Bad Gateway</body></html>", { status: 200, headers: { "content-type": "text/html" } });
    if (model.includes("hang")) {
      await new Promise<void>((resolve) => req.signal.addEventListener("abort", () => resolve(), { once: true }));
      state.aborted++;
      return new Response(null, { status: 499 });
    }

    const { content, stop, reply } = answer(body);
    const usage = fakeAnthropicUsage(body, reply);
    const id = `msg_01${crypto.randomUUID().replaceAll("-", "").slice(0, 22)}`;
    const headers = { "request-id": requestId() };

    if (body.stream !== true || model.includes("ignore-stream")) {
      return Response.json(
        {
          id,
          type: "message",
          role: "assistant",
          model,
          content,
          stop_reason: stop,
          stop_sequence: null,
          usage: {
            input_tokens: usage.input_tokens,
            cache_creation_input_tokens: 0,
            cache_read_input_tokens: 0,
            cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
            output_tokens: usage.output_tokens,
            service_tier: "standard",
          },
        },
        { headers },
      );
    }

    const events = streamEvents(id, model, content, stop, usage);
    const stream = fakeEventStream(events, model, state);
    return new Response(stream, { headers: { ...headers, "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" } });
  });
}
