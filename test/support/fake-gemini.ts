// A fake upstream that speaks the Gemini API (generativelanguage.googleapis.com/v1beta) as
// Google does: POST /v1beta/models/{model}:generateContent, :streamGenerateContent (SSE with
// ?alt=sse — `data: {…}\r\n\r\n` — otherwise one JSON array streamed element by element),
// :countTokens, GET /v1beta/models[/{model}]. Auth is the `x-goog-api-key` header or the
// `key` query parameter; errors are google.rpc.Status bodies {"error":{code,message,status}}
// with the messages Google sends. Every streamed chunk repeats usageMetadata with running
// counts, as Google's do. Behaviour is chosen by the model in the URL (substring):
//   any model            → "Hello from fake: <last user text>" (+ " [images:<n>]")
//   "...tool-call"       → functionCall get_weather {"city":"Paris"} (no id, thoughtSignature on
//                          the part, finishReason STOP); after a functionResponse:
//                          "The weather is: <result>"
//   "...reasoning"       → a thought part "Let me think." first, then the default reply whose
//                          last text part carries thoughtSignature "c2lnLWZha2UtMQ==" (Gemini 2.5)
//   "...error-<status>"  → that status with Google's error body (429 with RetryInfo details)
//   "...garbage"         → 200 with an HTML body
//   "...broken-stream"   → two chunks, then the connection is cut
//   "...hang"            → never answers until the client aborts
//   "...slow-stream"     → first chunk, a pause of `slowMs`, the rest

import { fakeEventStream, headersOf, serveFake } from "./fake-stream.ts";

export interface FakeGeminiRequest {
  path: string;
  /** Full URL, query included (`alt=sse`, `key=`). */
  url: string;
  headers: Record<string, string>;
  body: any;
}

export interface FakeGemini {
  url: string;
  /** Base URL to configure on a connection (`.../v1beta`). */
  baseUrl: string;
  requests: FakeGeminiRequest[];
  aborted: number;
  slowMs: number;
  close(): void;
}

export const FAKE_SIGNATURE = "c2lnLWZha2UtMQ=="; // base64("sig-fake-1")

export const FAKE_GEMINI_MODELS = [
  { name: "models/gemini-2.5-flash", version: "001", displayName: "Gemini 2.5 Flash", description: "Stable version of Gemini 2.5 Flash, our mid-size multimodal model that supports up to 1 million tokens, released in June of 2025.", inputTokenLimit: 1048576, outputTokenLimit: 65536, supportedGenerationMethods: ["generateContent", "countTokens", "createCachedContent", "batchGenerateContent"], temperature: 1, topP: 0.95, topK: 64, maxTemperature: 2, thinking: true },
  { name: "models/gemini-2.5-pro", version: "2.5", displayName: "Gemini 2.5 Pro", description: "Stable release (June 17th, 2025) of Gemini 2.5 Pro", inputTokenLimit: 1048576, outputTokenLimit: 65536, supportedGenerationMethods: ["generateContent", "countTokens", "createCachedContent", "batchGenerateContent"], temperature: 1, topP: 0.95, topK: 64, maxTemperature: 2, thinking: true },
  { name: "models/gemini-2.0-flash", version: "2.0", displayName: "Gemini 2.0 Flash", description: "Gemini 2.0 Flash", inputTokenLimit: 1048576, outputTokenLimit: 8192, supportedGenerationMethods: ["generateContent", "countTokens", "createCachedContent", "batchGenerateContent"], temperature: 1, topP: 0.95, topK: 40, maxTemperature: 2 },
  { name: "models/text-embedding-004", version: "004", displayName: "Text Embedding 004", description: "Obtain a distributed representation of a text.", inputTokenLimit: 2048, outputTokenLimit: 1, supportedGenerationMethods: ["embedContent"] },
];

const MESSAGES: Record<number, [string, string]> = {
  400: ["INVALID_ARGUMENT", "The input token count (1200000) exceeds the maximum number of tokens allowed (1048576)."],
  401: ["UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project."],
  403: ["PERMISSION_DENIED", "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API."],
  429: ["RESOURCE_EXHAUSTED", "You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits."],
  500: ["INTERNAL", "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting"],
  503: ["UNAVAILABLE", "The model is overloaded. Please try again later."],
  504: ["DEADLINE_EXCEEDED", "Deadline expired before operation could complete."],
};

export function geminiErrorFor(status: number, model = "gemini-2.5-flash") {
  const [name, message] =
    status === 404
      ? ["NOT_FOUND", `models/${model} is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`]
      : (MESSAGES[status] ?? [status >= 500 ? "INTERNAL" : "INVALID_ARGUMENT", `Error ${status}`]);
  const error: Record<string, unknown> = { code: status, message, status: name };
  if (status === 429) {
    error.details = [
      { "@type": "type.googleapis.com/google.rpc.QuotaFailure", violations: [{ quotaMetric: "generativelanguage.googleapis.com/generate_content_free_tier_requests", quotaId: "GenerateRequestsPerMinutePerProjectPerModel-FreeTier", quotaDimensions: { location: "global", model }, quotaValue: "10" }] },
      { "@type": "type.googleapis.com/google.rpc.Help", links: [{ description: "Learn more about Gemini API quotas", url: "https://ai.google.dev/gemini-api/docs/rate-limits" }] },
      { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "7s" },
    ];
  }
  return { error };
}

const INVALID_KEY = {
  error: {
    code: 400,
    message: "API key not valid. Please pass a valid API key.",
    status: "INVALID_ARGUMENT",
    details: [
      { "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "API_KEY_INVALID", domain: "googleapis.com", metadata: { service: "generativelanguage.googleapis.com" } },
      { "@type": "type.googleapis.com/google.rpc.LocalizedMessage", locale: "en-US", message: "API key not valid. Please pass a valid API key." },
    ],
  },
};

/** Google answers JSON pretty-printed with two spaces. */
const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body, null, 2), { status, headers: { "content-type": "application/json; charset=UTF-8" } });

function contentsOf(body: any): any[] {
  const c = body?.contents ?? body?.generateContentRequest?.contents;
  return Array.isArray(c) ? c : c ? [c] : [];
}

/** The trailing user turn: what the user (or the function responses) said last. */
function lastUserParts(body: any): any[] {
  const last = contentsOf(body).at(-1);
  if (!last || last.role === "model") return [];
  return Array.isArray(last.parts) ? last.parts : last.parts ? [last.parts] : [];
}

function lastUserText(body: any): string {
  const user = [...contentsOf(body)].reverse().find((c) => c?.role !== "model" && (c?.parts ?? []).some?.((p: any) => typeof p?.text === "string"));
  return (user?.parts ?? []).filter((p: any) => typeof p?.text === "string" && !p.thought).map((p: any) => p.text).join(" ");
}

function toolResultText(part: any): string {
  const r = (part.functionResponse ?? part.function_response)?.response;
  if (r && typeof r === "object") {
    for (const k of ["result", "output", "content"]) if (typeof r[k] === "string") return r[k];
    return JSON.stringify(r);
  }
  return typeof r === "string" ? r : "";
}

/** Deterministic counts so tests can assert that the numbers passed through unchanged. */
export function fakeGeminiPromptTokens(body: any): number {
  return JSON.stringify(contentsOf(body)).length >> 2;
}

const words = (s: string) => Math.max(1, s.split(/\s+/).filter(Boolean).length);

function usageMetadata(prompt: number, candidates: number, thoughts: number) {
  return {
    promptTokenCount: prompt,
    candidatesTokenCount: candidates,
    totalTokenCount: prompt + candidates + thoughts,
    promptTokensDetails: [{ modality: "TEXT", tokenCount: prompt }],
    ...(thoughts ? { thoughtsTokenCount: thoughts } : {}),
  };
}

export function startFakeGemini(opts: { apiKey?: string; slowMs?: number } = {}): FakeGemini {
  const apiKey = opts.apiKey ?? "AIza-fake";
  return serveFake<FakeGeminiRequest>(opts, "/v1beta", async (req, url, state) => {
    const given = req.headers.get("x-goog-api-key") ?? url.searchParams.get("key");
    if (!given) return json(geminiErrorFor(403), 403);
    if (given !== apiKey) return json(INVALID_KEY, 400);

    if (req.method === "GET" && url.pathname === "/v1beta/models") return json({ models: FAKE_GEMINI_MODELS });
    const m = /^\/v1beta\/models\/([^:]+)(?::([A-Za-z]+))?$/.exec(url.pathname);
    if (!m) return json(geminiErrorFor(404), 404);
    const model = decodeURIComponent(m[1]!);
    const action = m[2];
    if (req.method === "GET" && !action) {
      const found = FAKE_GEMINI_MODELS.find((x) => x.name === `models/${model}`);
      return found ? json(found) : json(geminiErrorFor(404, model), 404);
    }
    if (req.method !== "POST" || !action || !["generateContent", "streamGenerateContent", "countTokens"].includes(action)) {
      return json(geminiErrorFor(404, model), 404);
    }

    const body = await req.json().catch(() => null);
    state.requests.push({ path: url.pathname, url: req.url, headers: headersOf(req), body });
    if (!body || contentsOf(body).length === 0) {
      return json({ error: { code: 400, message: "* GenerateContentRequest.contents: contents is not specified\n", status: "INVALID_ARGUMENT" } }, 400);
    }
    const prompt = fakeGeminiPromptTokens(body);
    if (action === "countTokens") return json({ totalTokens: prompt, promptTokensDetails: [{ modality: "TEXT", tokenCount: prompt }] });

    const status = /error-(\d{3})/.exec(model);
    if (status) return json(geminiErrorFor(Number(status[1]), model), Number(status[1]));
    if (model.includes("garbage")) return new Response("<html><body>502 Bad Gateway</body></html>", { status: 200, headers: { "content-type": "text/html" } });
    if (model.includes("hang")) {
      await new Promise<void>((resolve) => req.signal.addEventListener("abort", () => resolve(), { once: true }));
      state.aborted++;
      return new Response(null, { status: 499 });
    }

    const responseId = crypto.randomUUID().replaceAll("-", "").slice(0, 23);
    const modelVersion = model.replace(/-(tool-call|reasoning|broken-stream|slow-stream).*$/, "") || model;
    const userParts = lastUserParts(body);
    const toolResults = userParts.filter((p) => p?.functionResponse ?? p?.function_response);
    const callTool = model.includes("tool-call") && toolResults.length === 0;
    const reasoning = model.includes("reasoning");
    const thoughts = reasoning ? words("Let me think.") : 0;
    let reply = "";
    if (toolResults.length && model.includes("tool-call")) reply = `The weather is: ${toolResults.map(toolResultText).join(", ")}`;
    else if (!callTool) {
      reply = `Hello from fake: ${lastUserText(body)}`;
      const images = userParts.filter((p) => p?.inlineData ?? p?.inline_data ?? p?.fileData ?? p?.file_data).length;
      if (images) reply += ` [images:${images}]`;
    }
    const callPart = { functionCall: { name: "get_weather", args: { city: "Paris" } }, thoughtSignature: FAKE_SIGNATURE };
    const completion = callTool ? 5 : words(reply);
    const envelope = (parts: any[], candidates: number, finish: boolean) => ({
      candidates: [
        {
          content: { parts, role: "model" },
          ...(finish ? { finishReason: "STOP" } : {}),
          index: 0,
          ...(finish && callTool ? { finishMessage: "Model generated function call(s)." } : {}),
        },
      ],
      usageMetadata: usageMetadata(prompt, candidates, thoughts),
      modelVersion,
      responseId,
    });

    if (action === "generateContent") {
      const parts: any[] = [];
      if (reasoning) parts.push({ text: "Let me think.", thought: true });
      if (callTool) parts.push(callPart);
      else parts.push(reasoning ? { text: reply, thoughtSignature: FAKE_SIGNATURE } : { text: reply });
      return json(envelope(parts, completion, true));
    }

    // Streaming: a chunk per piece, running usage in each, finishReason on the last.
    const chunks: any[] = [];
    if (reasoning) chunks.push(envelope([{ text: "Let me think.", thought: true }], 0, false));
    if (callTool) chunks.push(envelope([callPart], completion, true));
    else {
      const pieces = reply.split(/(?<= )/);
      let sent = "";
      pieces.forEach((piece, i) => {
        sent += piece;
        const last = i === pieces.length - 1;
        const part: any = last && reasoning ? { text: piece, thoughtSignature: FAKE_SIGNATURE } : { text: piece };
        chunks.push(envelope([part], words(sent), last));
      });
    }
    const sse = url.searchParams.get("alt") === "sse";
    const events = sse
      ? chunks.map((c) => `data: ${JSON.stringify(c)}\r\n\r\n`)
      : [...chunks.map((c, i) => (i === 0 ? "[" : "\r\n,\r\n") + JSON.stringify(c, null, 2)), "\r\n]"];

    const stream = fakeEventStream(events, model, state);
    return new Response(stream, {
      headers: { "content-type": sse ? "text/event-stream" : "application/json; charset=UTF-8", "cache-control": "no-cache" },
    });
  });
}
