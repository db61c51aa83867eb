// A fake upstream that speaks the OpenAI Responses API (POST /v1/responses) as api.openai.com
// sends it: the Response object (resp_… id, object "response", status, output items of type
// message / function_call / reasoning, usage with input_tokens_details.cached_tokens and
// output_tokens_details.reasoning_tokens) and the SSE stream (`event: <type>` + `data:` with a
// sequence_number: response.created, response.in_progress, response.output_item.added,
// response.content_part.added, response.output_text.delta/done, response.content_part.done,
// response.output_item.done, response.function_call_arguments.delta/done, reasoning summary
// events, response.completed carrying the whole response). Behaviour by model name, as in
// fake-openai.ts:
//   any model            → "Hello from fake: <last user input_text>" (+ " [images:<n>]" for input_image parts)
//   "...error-<status>"  → that status with OpenAI's error body (429 adds retry-after: 7; 400 is
//                          the Responses API's own context-window refusal, param "input")
//   "...tool-call"       → a get_weather function_call; once the input ends in a
//                          function_call_output: "The weather is: <output>"
//   "...reasoning"       → a reasoning item (summary "Let me think.", encrypted_content) first
//   "...stream-failed"   → streamed: the message's first deltas, then `response.failed` (status
//                          "failed", error {code: "server_error", message}) instead of
//                          response.completed, as api.openai.com ends a response that failed
//                          after it started; not streamed: a 500
//   a function_call_output without its function_call in the input (or the reverse) → the
//   API's own 400, so a translation that loses or renames a call id fails here as it would there
//   "...garbage"         → 200 with an HTML body
//   "...hang"            → headers never come (client aborts)
//   "...broken-stream" / "...slow-stream" → see fake-stream.ts
import { errorBody } from "./fake-openai.ts";
import { fakeEventStream, headersOf, serveFake } from "./fake-stream.ts";

export interface FakeResponsesRequest {
  path: string;
  headers: Record<string, string>;
  body: any;
}

export interface FakeOpenAiResponses {
  url: string;
  /** Base URL to configure on a node (`.../v1`). */
  baseUrl: string;
  requests: FakeResponsesRequest[];
  aborted: number;
  slowMs: number;
  close(): void;
}

export const FAKE_THINKING = "Let me think.";
export const FAKE_ENCRYPTED = "gAAAAABo-fake-encrypted-reasoning";
export const FAKE_CALL_ID = "call_Zm9vQmFyQmF6";
/** The `error` of the Response a "...stream-failed" model ends with (the wording Codex users report). */
export const FAKE_FAILURE = {
  code: "server_error",
  message: "An error occurred while processing your request. You can retry your request, or contact us through our help center at help.openai.com if the error persists. Please include the request ID req_0f1e2d3c4b5a69788796a5b4c3d2e1f0 in your message.",
};

/** OpenAI's error body; the Responses API words its context-window 400 differently from Chat's. */
export function responsesErrorBody(status: number) {
  if (status !== 400) return errorBody(status);
  const message = "Your input exceeds the context window of this model. Please adjust your input and try again.";
  return { error: { message, type: "invalid_request_error", param: "input", code: "context_length_exceeded" } };
}

const hex = (n: number) => crypto.randomUUID().replaceAll("-", "").slice(0, n);
const words = (text: string) => text.split(/\s+/).filter(Boolean).length;

function inputItems(body: any): any[] {
  if (typeof body?.input === "string") return [{ type: "message", role: "user", content: body.input }];
  return Array.isArray(body?.input) ? body.input : [];
}

function lastUser(body: any): any {
  return [...inputItems(body)].reverse().find((i) => (i?.type === "message" || !i?.type) && i?.role === "user");
}

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.filter((p: any) => p?.type === "input_text" || p?.type === "output_text").map((p: any) => p.text).join(" ");
}

/** The function_call_output after the last assistant-side item, if the input ends in one. */
function trailingToolOutput(body: any): any {
  const items = inputItems(body);
  const last = items.at(-1);
  return last?.type === "function_call_output" ? last : undefined;
}

/**
 * api.openai.com's 400 for a conversation whose calls and outputs do not pair up by call_id
 * (without previous_response_id the input must hold both halves of every call).
 */
function unpairedCall(body: any): Record<string, unknown> | null {
  if (body?.previous_response_id) return null;
  const items = inputItems(body);
  const ids = (type: string) => new Set(items.filter((i) => i?.type === type).map((i) => i.call_id));
  const calls = ids("function_call");
  const outputs = ids("function_call_output");
  const orphan = [...outputs].find((id) => !calls.has(id));
  const message = orphan !== undefined ? `No tool call found for function call output with call_id ${orphan}.` : [...calls].filter((id) => !outputs.has(id)).map((id) => `No tool output found for function call ${id}.`)[0];
  return message ? { error: { message, type: "invalid_request_error", param: "input", code: null } } : null;
}

/** Deterministic token counts so tests can assert the numbers passed through unchanged. */
export function fakeResponsesUsage(body: any, reply: string, reasoning: string) {
  const input = (JSON.stringify(body?.input ?? "").length + JSON.stringify(body?.instructions ?? "").length) >> 2;
  const reasoningTokens = reasoning ? 7 : 0;
  const output = Math.max(1, words(reply)) + reasoningTokens;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: input >> 2 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: reasoningTokens },
    total_tokens: input + output,
  };
}

function envelope(body: any, id: string, created: number, status: string, output: unknown[], usage: unknown) {
  return {
    id,
    object: "response",
    created_at: created,
    status,
    background: false,
    error: null,
    incomplete_details: null,
    instructions: body?.instructions ?? null,
    max_output_tokens: body?.max_output_tokens ?? null,
    max_tool_calls: null,
    model: body?.model ?? "",
    output,
    parallel_tool_calls: body?.parallel_tool_calls ?? true,
    previous_response_id: null,
    reasoning: { effort: body?.reasoning?.effort ?? null, summary: body?.reasoning?.summary ?? null },
    service_tier: "default",
    store: body?.store ?? true,
    temperature: body?.temperature ?? 1.0,
    text: { format: { type: "text" }, verbosity: "medium" },
    tool_choice: body?.tool_choice ?? "auto",
    tools: body?.tools ?? [],
    top_p: body?.top_p ?? 1.0,
    truncation: "disabled",
    usage,
    user: null,
    metadata: body?.metadata ?? {},
  };
}

const sse = (stream: ReadableStream<Uint8Array>) =>
  new Response(stream, { headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" } });

export function startFakeOpenAiResponses(opts: { apiKey?: string; slowMs?: number } = {}): FakeOpenAiResponses {
  const apiKey = opts.apiKey ?? "sk-fake-upstream";
  return serveFake<FakeResponsesRequest>(opts, "/v1", async (req, url, state) => {
    if (req.headers.get("authorization") !== `Bearer ${apiKey}`) return Response.json(errorBody(401), { status: 401 });
    if (req.method === "GET" && url.pathname === "/v1/models") {
      return Response.json({ object: "list", data: [{ id: "gpt-5-mini", object: "model", created: 1754425928, owned_by: "system" }] });
    }
    if (req.method !== "POST" || url.pathname !== "/v1/responses") return Response.json(errorBody(404), { status: 404 });

    const body = await req.json().catch(() => null);
    state.requests.push({ path: url.pathname, headers: headersOf(req), body });
    const model: string = body?.model ?? "";
    const status = /error-(\d{3})/.exec(model);
    if (status) {
      const code = Number(status[1]);
      return Response.json(responsesErrorBody(code), { status: code, headers: code === 429 ? { "retry-after": "7" } : {} });
    }
    if (model.includes("garbage")) return new Response("<html><body>502 Bad Gateway</body></html>", { status: 200, headers: { "content-type": "text/html" } });
    if (model.includes("hang")) {
      await new Promise<void>((resolve) => req.signal.addEventListener("abort", () => resolve(), { once: true }));
      state.aborted++;
      return new Response(null, { status: 499 });
    }
    const unpaired = unpairedCall(body);
    if (unpaired) return Response.json(unpaired, { status: 400 });
    const failed = model.includes("stream-failed");
    if (failed && body?.stream !== true) return Response.json(errorBody(500), { status: 500 });

    const toolOutput = model.includes("tool-call") ? trailingToolOutput(body) : undefined;
    const toolCall = model.includes("tool-call") && !toolOutput;
    const user = lastUser(body);
    const images = Array.isArray(user?.content) ? user.content.filter((p: any) => p?.type === "input_image").length : 0;
    const reply = toolCall
      ? ""
      : toolOutput
        ? `The weather is: ${typeof toolOutput.output === "string" ? toolOutput.output : textOf(toolOutput.output)}`
        : `Hello from fake: ${textOf(user?.content)}${images ? ` [images:${images}]` : ""}`;
    const thinking = model.includes("reasoning") ? FAKE_THINKING : "";
    const usage = fakeResponsesUsage(body, reply || "call", thinking);
    const id = `resp_${hex(32)}`;
    const created = Math.floor(Date.now() / 1000);
    const rsId = `rs_${hex(32)}`;
    const msgId = `msg_${hex(32)}`;
    const fcId = `fc_${hex(32)}`;
    const args = '{"city":"Paris"}';

    const reasoningItem = { id: rsId, type: "reasoning", encrypted_content: FAKE_ENCRYPTED, summary: [{ type: "summary_text", text: thinking }] };
    const messageItem = (text: string, st: string) => ({
      id: msgId,
      type: "message",
      status: st,
      content: st === "in_progress" ? [] : [{ type: "output_text", annotations: [], logprobs: [], text }],
      role: "assistant",
    });
    const callItem = (a: string, st: string) => ({ id: fcId, type: "function_call", status: st, arguments: a, call_id: FAKE_CALL_ID, name: "get_weather" });
    const output: unknown[] = [];
    if (thinking) output.push(reasoningItem);
    output.push(toolCall ? callItem(args, "completed") : messageItem(reply, "completed"));
    const full = envelope(body, id, created, "completed", output, usage);

    if (body?.stream !== true) return Response.json(full);

    let seq = 0;
    const events: string[] = [];
    const ev = (type: string, data: Record<string, unknown>) => events.push(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...data })}\n\n`);
    const pending = envelope(body, id, created, "in_progress", [], null);
    ev("response.created", { response: pending });
    ev("response.in_progress", { response: pending });
    let oi = 0;
    if (thinking) {
      ev("response.output_item.added", { output_index: oi, item: { id: rsId, type: "reasoning", encrypted_content: FAKE_ENCRYPTED, summary: [] } });
      ev("response.reasoning_summary_part.added", { item_id: rsId, output_index: oi, summary_index: 0, part: { type: "summary_text", text: "" } });
      for (const piece of thinking.split(/(?<= )/)) ev("response.reasoning_summary_text.delta", { item_id: rsId, output_index: oi, summary_index: 0, delta: piece, obfuscation: "x" });
      ev("response.reasoning_summary_text.done", { item_id: rsId, output_index: oi, summary_index: 0, text: thinking });
      ev("response.reasoning_summary_part.done", { item_id: rsId, output_index: oi, summary_index: 0, part: { type: "summary_text", text: thinking } });
      ev("response.output_item.done", { output_index: oi, item: reasoningItem });
      oi++;
    }
    if (toolCall) {
      ev("response.output_item.added", { output_index: oi, item: callItem("", "in_progress") });
      for (const piece of ['{"', 'city":"', 'Paris"}']) ev("response.function_call_arguments.delta", { item_id: fcId, output_index: oi, delta: piece, obfuscation: "x" });
      ev("response.function_call_arguments.done", { item_id: fcId, output_index: oi, arguments: args });
      ev("response.output_item.done", { output_index: oi, item: callItem(args, "completed") });
    } else {
      ev("response.output_item.added", { output_index: oi, item: messageItem("", "in_progress") });
      ev("response.content_part.added", { item_id: msgId, output_index: oi, content_index: 0, part: { type: "output_text", annotations: [], logprobs: [], text: "" } });
      const pieces = reply.split(/(?<= )/);
      if (failed) {
        // Two words went out, then the response failed: no *.done events, no completed.
        for (const word of pieces.slice(0, 2)) ev("response.output_text.delta", { item_id: msgId, output_index: oi, content_index: 0, delta: word, logprobs: [], obfuscation: "x" });
        const partial = messageItem("", "in_progress");
        ev("response.failed", { response: { ...envelope(body, id, created, "failed", [partial], null), error: FAKE_FAILURE } });
        return sse(fakeEventStream(events, model, state));
      }
      for (const word of pieces) ev("response.output_text.delta", { item_id: msgId, output_index: oi, content_index: 0, delta: word, logprobs: [], obfuscation: "x" });
      ev("response.output_text.done", { item_id: msgId, output_index: oi, content_index: 0, text: reply, logprobs: [] });
      ev("response.content_part.done", { item_id: msgId, output_index: oi, content_index: 0, part: { type: "output_text", annotations: [], logprobs: [], text: reply } });
      ev("response.output_item.done", { output_index: oi, item: messageItem(reply, "completed") });
    }
    ev("response.completed", { response: full });
    return sse(fakeEventStream(events, model, state));
  });
}
