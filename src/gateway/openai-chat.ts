// OpenAI Chat clients. To an OpenAI-format upstream the request is a pass-through: the body is
// re-serialised only because the model name loses its provider prefix, and the answer's bytes
// are piped back unchanged while usage is observed on the side. Other upstreams: translate.ts.
import { GatewayError } from "../errors.ts";
import { openAiErrorResponse, openAiStatus, openAiStreamErrorChunk } from "../formats/openai-chat/errors.ts";
import { openAiChatClient, openAiChatUpstream } from "../formats/openai-chat/index.ts";
import { checkChatRequest, type ChatRequest } from "../formats/openai-chat/request.ts";
import { createOpenAiStreamObserver } from "../formats/openai-chat/stream-observer.ts";
import { usageFromOpenAi } from "../usage/tokens.ts";
import type { ClientEndpoint, PassthroughContext } from "./client-request.ts";
import type { RequestRecord } from "./request-record.ts";
import { relayStream } from "./stream-relay.ts";
import { sendAndRecord } from "./translate.ts";
import { isJsonType, readStreamedAnswer, readWholeBody, streamOfWhole, wholeAnswer } from "./whole-answer.ts";
import { errorInBody, upstreamError } from "./upstream-error.ts";
import { errorFromBody } from "../formats/openai-chat/response.ts";
import { UpstreamFailure } from "../routing/upstream-failure.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const KEEP_ALIVE = encoder.encode(": keep-alive\n\n");

/** POST /v1/chat/completions — OpenAI Chat clients (the openai SDKs, Cursor, Open WebUI…). */
export const openAiChatEndpoint: ClientEndpoint = {
  client: openAiChatClient,
  endpoint: "/v1/chat/completions",
  nativeFormat: "openai",
  peek(body) {
    const { model, stream, includeUsage } = checkChatRequest(body);
    return { model, stream, streamCtx: { requestedModel: model, includeUsage } };
  },
  read(body) {
    // The cheap check first: it names the bad parameter the way OpenAI does.
    checkChatRequest(body);
    const canonical = openAiChatClient.parseRequest(body, {});
    return { canonical, streamCtx: { requestedModel: canonical.model, includeUsage: canonical.includeUsage === true } };
  },
  passthrough: (ctx) => forwardToOpenAiUpstream(ctx),
};

async function forwardToOpenAiUpstream(ctx: PassthroughContext): Promise<Response> {
  const { services, rec, target } = ctx;
  const body = ctx.body as ChatRequest;
  const { provider } = target;
  const stream = body.stream === true;
  // Ask for the usage chunk so every streamed request can be accounted; if the client did not
  // ask for it, the observer removes it again so the client sees what OpenAI would send it.
  const clientWantsUsage = body.stream_options?.include_usage === true;
  const injectUsage = stream && !clientWantsUsage && provider.streamUsage !== false;
  const upstreamBody: Record<string, unknown> = { ...body, model: target.model };
  if (injectUsage) upstreamBody.stream_options = { ...body.stream_options, include_usage: true };

  const up = await sendAndRecord(ctx, "/chat/completions", JSON.stringify(upstreamBody), {
    accept: stream ? "text/event-stream" : "application/json",
  });
  const res = up.response;
  const baseHeaders = { "x-request-id": rec.requestId, "x-omniroute-provider": provider.id };

  if (!res.ok) {
    const text = await res.text().catch(() => "");
    up.clearTimeout();
    const e = upstreamError(res.status, text, provider.id, res.headers);
    rec.attempts.at(-1)!.error = e.message;
    // Nothing reached the client yet: the fallback loop decides whether another target gets a go.
    throw new UpstreamFailure(e, () => {
      // Same format: an OpenAI-shaped error body reaches the client as the upstream sent it.
      const upstreamBody = e.details.upstreamBody as { error?: unknown } | undefined;
      if (upstreamBody && typeof upstreamBody.error === "object") {
        const headers: Record<string, string> = { ...baseHeaders, "content-type": "application/json" };
        if (e.details.retryAfter) headers["retry-after"] = e.details.retryAfter;
        // …except a 529 (Anthropic's "overloaded" from an Anthropic-ish proxy), which OpenAI SDKs do not know.
        return new Response(text, { status: openAiStatus(e.status), headers });
      }
      return openAiErrorResponse(e);
    });
  }

  const contentType = res.headers.get("content-type") ?? "";
  if (!stream || !res.body) return completeJson(res, up.clearTimeout, rec, provider.id, baseHeaders);
  let events: ReadableStream<Uint8Array> = res.body;
  if (!contentType.includes("text/event-stream")) {
    // Not labelled as an event stream: a web page is a 502; a whole completion (a server that
    // ignores `stream`) is written as the stream the client asked for (whole-answer.ts); an
    // event stream labelled JSON is relayed; anything else is judged as a completion would be.
    const answer = await readStreamedAnswer(res, up, provider.id);
    if (answer.kind === "whole") return streamOfWhole(ctx.client, ctx.streamCtx, wholeAnswer(ctx, openAiChatUpstream, answer.json), baseHeaders);
    if (!isJsonType(contentType)) return completeJson(new Response(answer.body), up.clearTimeout, rec, provider.id, baseHeaders);
    events = answer.body;
  }

  rec.markFirstByte();
  up.clearTimeout();
  const observer = createOpenAiStreamObserver({ stripUsageChunk: injectUsage });
  const keepAliveSeconds = services.store.settings.streamKeepAliveSeconds;
  const live = services.live.add(rec.requestId, up.abort);
  const out = relayStream({
    // A cacheable request's stream is also read as canonical events, to be stored (src/features/cache).
    body: rec.capture ? rec.capture.tapBody(events, openAiChatUpstream) : events,
    observer,
    keepAlive: keepAliveSeconds > 0 ? { bytes: () => KEEP_ALIVE, everyMs: keepAliveSeconds * 1000 } : null,
    errorEvent: (message) => encoder.encode(openAiStreamErrorChunk(new GatewayError(502, "upstream_bad_response", message))),
    abortUpstream: up.abort,
    onFirstByte: () => rec.markFirstByte(),
    onChunk: () => rec.streamChunks++,
    onDone: (outcome) => {
      up.clearTimeout();
      services.live.remove(live, rec.requestId);
      const o = observer.observation;
      if (outcome.kind === "completed") {
        rec.finish(o.error ? 502 : 200, { usage: o.usage, finishReason: o.finishReason, errorCode: o.error ? "upstream_error" : undefined, error: o.error ?? undefined });
      } else if (outcome.kind === "upstream_failed") {
        rec.finish(502, { usage: o.usage, errorCode: "upstream_bad_response", error: outcome.message });
      } else {
        // 499: the nginx convention for "client closed the request".
        rec.finish(499, { usage: o.usage, errorCode: "client_disconnected", error: "client disconnected mid-stream" });
      }
    },
  });
  return new Response(out, {
    status: 200,
    headers: {
      ...baseHeaders,
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      // Reverse proxies (nginx) must not buffer a token stream.
      "x-accel-buffering": "no",
    },
  });
}

async function completeJson(
  res: Response,
  clearTimeout: () => void,
  rec: RequestRecord,
  providerId: string,
  headers: Record<string, string>,
): Promise<Response> {
  const bytes = await readWholeBody(res, clearTimeout, providerId);
  rec.markFirstByte();
  let parsed: any;
  try {
    parsed = JSON.parse(decoder.decode(bytes));
  } catch {
    throw new GatewayError(502, "upstream_bad_response", `[${providerId}] returned a response that is not valid JSON`);
  }
  if (!parsed || typeof parsed !== "object" || !Array.isArray(parsed.choices)) {
    if (parsed?.error) throw errorInBody(errorFromBody(parsed), providerId);
    throw new GatewayError(502, "upstream_bad_response", `[${providerId}] returned JSON that is not a chat completion`);
  }
  if (rec.capture) {
    // Only a cacheable request pays for the canonical form of a pass-through answer.
    try {
      rec.capture.response(openAiChatUpstream.parseResponse(parsed));
    } catch {
      // not storable: the client still gets the upstream's answer
    }
  }
  rec.finish(200, { usage: usageFromOpenAi(parsed.usage), finishReason: parsed.choices[0]?.finish_reason ?? null });
  return new Response(bytes, { status: 200, headers: { ...headers, "content-type": "application/json" } });
}
