// A fake upstream that speaks OpenAI's Chat Completions wire format as api.openai.com sends
// it (shapes recorded from real responses: ids, system_fingerprint, usage details, the
// usage-only final chunk, `data: [DONE]`). Behaviour is chosen by the requested model name
// so a test reads as what it asks for:
//   any model            → echo of the last user message ("Hello from fake: <text>"), plus
//                          " [images:<n>]" when that message carried image_url parts
//   "...error-<status>"  → that HTTP status with OpenAI's error body (429 adds retry-after)
//   "...garbage"         → 200 with an HTML body
//   "...error-in-body-<status>" → 200 whose body is OpenRouter's error {error:{code:<status>,message,metadata}}
//   "...broken-stream"   → two chunks, then the TCP connection is cut (not streamed, or with
//                          ignore-stream: two pieces of the JSON body, then the cut)
//   "...hang"            → headers never come (timeouts, client aborts)
//   "...slow-stream"     → first chunk, then a pause of `slowMs` before the rest
//   "...sse-as-json"     → a normal event stream, labelled application/json
//   "...ignore-stream"   → answers a streamed request with the whole JSON completion, as
//                          servers without streaming do
//   "...tool-call"       → a function call (streamed as tool_calls deltas); once the
//                          conversation ends in role:"tool" results: "The weather is: <result>"
//   "...reasoning"       → DeepSeek-style `reasoning_content` "Let me think." before the reply
//                          (streamed as reasoning_content deltas; message.reasoning_content)
//   both                 → the reasoning comes before the call too, and, as DeepSeek's thinking
//                          mode with tools does, a 400 when an assistant turn with tool_calls
//                          is sent back without its reasoning_content
// Embeddings, images and audio transcriptions: see fake-openai-media.ts.
import { fakeEventStream, headersOf, serveFake } from "./fake-stream.ts";
import { fakeOpenAiMedia } from "./fake-openai-media.ts";

export interface FakeRequest {
  path: string;
  headers: Record<string, string>;
  body: any;
}

export interface FakeOpenAi {
  url: string;
  /** Base URL to configure on a connection (`.../v1`). */
  baseUrl: string;
  requests: FakeRequest[];
  /** Requests whose client went away before the fake finished answering. */
  aborted: number;
  slowMs: number;
  close(): void;
}

const FINGERPRINT = "fp_06737a9306";

const THINKING = "Let me think.";

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.filter((p: any) => p?.type === "text").map((p: any) => p.text).join(" ");
  return "";
}

function lastUser(body: any): any {
  const msgs: any[] = Array.isArray(body?.messages) ? body.messages : [];
  return [...msgs].reverse().find((m) => m?.role === "user");
}

function lastUserText(body: any): string {
  return textOf(lastUser(body)?.content);
}

function lastUserImages(body: any): number {
  const content = lastUser(body)?.content;
  return Array.isArray(content) ? content.filter((p: any) => p?.type === "image_url").length : 0;
}

/** The role:"tool" message in the trailing non-assistant messages (what tools said since the model spoke). */
function trailingToolResult(body: any): any {
  const msgs: any[] = Array.isArray(body?.messages) ? body.messages : [];
  for (let i = msgs.length - 1; i >= 0 && msgs[i]?.role !== "assistant"; i--) if (msgs[i]?.role === "tool") return msgs[i];
  return undefined;
}

const words = (text: string) => text.split(/\s+/).filter(Boolean).length;

/** Rough but deterministic token counts so tests can assert the numbers passed through. */
export function fakeUsage(body: any, reply: string, reasoning = "") {
  const prompt = JSON.stringify(body?.messages ?? []).length >> 2;
  const reasoningTokens = reasoning ? words(reasoning) : 0;
  // As on api.openai.com, completion_tokens includes the reasoning tokens.
  const completion = Math.max(1, reply.split(/\s+/).length) + reasoningTokens;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: reasoningTokens, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

export function errorBody(status: number) {
  const table: Record<number, [string, string, string | null]> = {
    400: ["This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens.", "invalid_request_error", "context_length_exceeded"],
    401: ["Incorrect API key provided: sk-bad. You can find your API key at https://platform.openai.com/account/api-keys.", "invalid_request_error", "invalid_api_key"],
    404: ["The model `missing` does not exist or you do not have access to it.", "invalid_request_error", "model_not_found"],
    429: ["Rate limit reached for gpt-4o-mini in organization org-x on requests per min (RPM): Limit 3, Used 3, Requested 1.", "requests", "rate_limit_exceeded"],
    500: ["The server had an error while processing your request. Sorry about that!", "server_error", null],
    503: ["The engine is currently overloaded, please try again later.", "server_error", null],
  };
  const [message, type, code] = table[status] ?? [`Error ${status}`, "server_error", null];
  return { error: { message, type, param: null, code } };
}

export function startFakeOpenAi(opts: { apiKey?: string; slowMs?: number } = {}): FakeOpenAi {
  const apiKey = opts.apiKey ?? "sk-fake-upstream";
  return serveFake<FakeRequest>(opts, "/v1", async (req, url, state) => {
    if (req.headers.get("authorization") !== `Bearer ${apiKey}`) return Response.json(errorBody(401), { status: 401 });
    if (req.method === "GET" && url.pathname === "/v1/models") {
      return Response.json({
        object: "list",
        data: [
          { id: "gpt-4o-mini", object: "model", created: 1721172741, owned_by: "system" },
          { id: "gpt-4o", object: "model", created: 1715367049, owned_by: "system" },
        ],
      });
    }
    const media = await fakeOpenAiMedia(req, url, state.requests);
    if (media) return media;
    if (req.method !== "POST" || url.pathname !== "/v1/chat/completions") return Response.json(errorBody(404), { status: 404 });

    const body = await req.json().catch(() => null);
    state.requests.push({ path: url.pathname, headers: headersOf(req), body });
    const model: string = body?.model ?? "";
    const status = /error-(\d{3})/.exec(model);
    if (status) {
      const code = Number(status[1]);
      const headers: Record<string, string> = code === 429 ? { "retry-after": "7" } : {};
      return Response.json(errorBody(code), { status: code, headers });
    }
    if (model.includes("garbage")) return new Response("<html><body>502 Bad Gateway</body></html>", { status: 200, headers: { "content-type": "text/html" } });
    const inBody = /error-in-body-(\d{3})/.exec(model);
    if (inBody) {
      // OpenRouter's shape when the model failed after the request was accepted: HTTP 200, the status in error.code.
      const metadata = { provider_name: "Fake", raw: "upstream model crashed" };
      return Response.json({ error: { code: Number(inBody[1]), message: "Provider returned error", metadata } });
    }
    if (model.includes("hang")) {
      await new Promise<void>((resolve) => req.signal.addEventListener("abort", () => resolve(), { once: true }));
      state.aborted++;
      return new Response(null, { status: 499 });
    }

    const toolResult = model.includes("tool-call") ? trailingToolResult(body) : undefined;
    const toolCall = model.includes("tool-call") && !toolResult;
    const images = lastUserImages(body);
    const reply = toolCall
      ? ""
      : toolResult
        ? `The weather is: ${textOf(toolResult.content)}`
        : `Hello from fake: ${lastUserText(body)}${images ? ` [images:${images}]` : ""}`;
    const thinking = model.includes("reasoning") ? THINKING : "";
    if (thinking && model.includes("tool-call")) {
      const at = (body?.messages ?? []).findIndex((m: any) => m?.role === "assistant" && m.tool_calls?.length && !m.reasoning_content);
      if (at >= 0) {
        const message = `Missing \`reasoning_content\` field in the assistant message at message index ${at}. For more information, please refer to https://api-docs.deepseek.com/guides/thinking_mode#tool-calls`;
        return Response.json({ error: { message, type: "invalid_request_error", param: null, code: "invalid_request_error" } }, { status: 400 });
      }
    }
    const usage = fakeUsage(body, reply || "call", thinking);
    const id = `chatcmpl-${crypto.randomUUID().replaceAll("-", "").slice(0, 29)}`;
    const created = Math.floor(Date.now() / 1000);
    const toolCalls = [{ id: "call_Qm9vQmFy", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }];

    if (body?.stream !== true || model.includes("ignore-stream")) {
      const completion = {
        id,
        object: "chat.completion",
        created,
        model,
        choices: [
          {
            index: 0,
            message: toolCall
              ? { role: "assistant", content: null, ...(thinking ? { reasoning_content: thinking } : {}), tool_calls: toolCalls, refusal: null, annotations: [] }
              : thinking
                ? { role: "assistant", content: reply, reasoning_content: thinking, refusal: null, annotations: [] }
                : { role: "assistant", content: reply, refusal: null, annotations: [] },
            logprobs: null,
            finish_reason: toolCall ? "tool_calls" : "stop",
          },
        ],
        usage,
        service_tier: "default",
        system_fingerprint: FINGERPRINT,
      };
      if (!model.includes("broken-stream")) return Response.json(completion);
      // The JSON body in three pieces, the connection cut after two.
      const text = JSON.stringify(completion);
      const third = Math.ceil(text.length / 3);
      const pieces = [text.slice(0, third), text.slice(third, 2 * third), text.slice(2 * third)];
      return new Response(fakeEventStream(pieces, model, state), { headers: { "content-type": "application/json" } });
    }

    const includeUsage = body?.stream_options?.include_usage === true;
    const base = { id, object: "chat.completion.chunk", created, model, service_tier: "default", system_fingerprint: FINGERPRINT };
    const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
      `data: ${JSON.stringify({ ...base, choices, ...(includeUsage ? { usage: null } : {}), ...extra })}\n\n`;
    const events: string[] = [];
    if (toolCall) {
      if (thinking) for (const piece of thinking.split(/(?<= )/)) events.push(chunk([{ index: 0, delta: { content: null, reasoning_content: piece }, logprobs: null, finish_reason: null }]));
      events.push(chunk([{ index: 0, delta: { role: "assistant", content: null, tool_calls: [{ index: 0, id: toolCalls[0]!.id, type: "function", function: { name: "get_weather", arguments: "" } }], refusal: null }, logprobs: null, finish_reason: null }]));
      for (const piece of ['{"', 'city":"', 'Paris"}']) {
        events.push(chunk([{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: piece } }] }, logprobs: null, finish_reason: null }]));
      }
      events.push(chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: "tool_calls" }]));
    } else {
      events.push(chunk([{ index: 0, delta: { role: "assistant", content: "", refusal: null }, logprobs: null, finish_reason: null }]));
      // DeepSeek streams the chain of thought first, with content null in those deltas.
      if (thinking) for (const piece of thinking.split(/(?<= )/)) events.push(chunk([{ index: 0, delta: { content: null, reasoning_content: piece }, logprobs: null, finish_reason: null }]));
      for (const word of reply.split(/(?<= )/)) events.push(chunk([{ index: 0, delta: { content: word }, logprobs: null, finish_reason: null }]));
      events.push(chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: "stop" }]));
    }
    if (includeUsage) events.push(`data: ${JSON.stringify({ ...base, choices: [], usage })}\n\n`);
    events.push("data: [DONE]\n\n");

    const stream = fakeEventStream(events, model, state);
    // Some compatible servers label their event stream as JSON.
    const contentType = model.includes("sse-as-json") ? "application/json" : "text/event-stream; charset=utf-8";
    return new Response(stream, { headers: { "content-type": contentType, "cache-control": "no-cache" } });
  });
}
