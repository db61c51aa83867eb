// POST /v1/chat/completions for OpenAI-format upstreams: a pass-through. The body is
// re-serialised only because the model name loses its provider prefix; the answer's bytes
// are piped back unchanged while usage is observed on the side.
import { asGatewayError, GatewayError } from "../errors.ts";
import { openAiErrorResponse, openAiStreamErrorChunk } from "../formats/openai-chat/errors.ts";
import { ChatRequestSchema, type ChatRequest } from "../formats/openai-chat/request.ts";
import { createOpenAiStreamObserver } from "../formats/openai-chat/stream-observer.ts";
import { authHeaders, sendUpstream, upstreamBase } from "../providers/executor.ts";
import { pickConnection } from "../routing/connections.ts";
import type { Services } from "../services.ts";
import { usageFromOpenAi } from "../usage/tokens.ts";
import { authenticate } from "./auth.ts";
import { readJsonBody, validateBody } from "./body.ts";
import { RequestRecord } from "./request-record.ts";
import { resolveModel, type Target } from "./resolve.ts";
import { relayStream } from "./stream-relay.ts";
import { upstreamError } from "./upstream-error.ts";
import { VERSION } from "../config.ts";

const encoder = new TextEncoder();
const KEEP_ALIVE = encoder.encode(": keep-alive\n\n");

export async function handleOpenAiChat(request: Request, services: Services): Promise<Response> {
  const rec = new RequestRecord(services, request, "/v1/chat/completions", "openai-chat");
  try {
    rec.apiKeyId = authenticate(request, services)?.id ?? null;
    const body = validateBody(ChatRequestSchema, await readJsonBody(request));
    rec.requestedModel = body.model;
    rec.stream = body.stream === true;
    const [target] = resolveModel(body.model, services.store);
    return await forwardToOpenAiUpstream(request, services, rec, body, target!);
  } catch (err) {
    const e = asGatewayError(err);
    rec.finish(e.status, { errorCode: e.code, error: e.message });
    return openAiErrorResponse(e);
  }
}

async function forwardToOpenAiUpstream(
  request: Request,
  services: Services,
  rec: RequestRecord,
  body: ChatRequest,
  target: Target,
): Promise<Response> {
  const { provider } = target;
  if (provider.format !== "openai") {
    throw new GatewayError(
      501,
      "invalid_request",
      `Provider "${provider.id}" speaks the ${provider.format} format; translation from OpenAI Chat to it is not available in this build.`,
    );
  }
  const conn = pickConnection(provider, services.store);
  rec.provider = provider.id;
  rec.model = target.model;
  rec.connectionId = conn.id || null;

  const stream = body.stream === true;
  // Ask for the usage chunk so every streamed request can be accounted; if the client did not
  // ask for it, the observer removes it again so the client sees what OpenAI would send it.
  const clientWantsUsage = body.stream_options?.include_usage === true;
  const injectUsage = stream && !clientWantsUsage && provider.streamUsage !== false;
  const upstreamBody: Record<string, unknown> = { ...body, model: target.model };
  if (injectUsage) upstreamBody.stream_options = { ...body.stream_options, include_usage: true };

  const attemptStart = performance.now();
  const up = await sendUpstream({
    url: `${upstreamBase(provider, conn)}/chat/completions`,
    headers: {
      ...authHeaders(provider, conn),
      "content-type": "application/json",
      accept: stream ? "text/event-stream" : "application/json",
      "user-agent": `OmniRoute/${VERSION}`,
    },
    body: JSON.stringify(upstreamBody),
    signal: request.signal,
    timeoutMs: services.config.upstreamTimeoutMs,
  }).catch((err) => {
    const e = asGatewayError(err);
    rec.attempts.push({ provider: provider.id, model: target.model, connectionId: rec.connectionId, status: e.status, error: e.message, latencyMs: Math.round(performance.now() - attemptStart) });
    throw e;
  });
  const res = up.response;
  const attempt = { provider: provider.id, model: target.model, connectionId: rec.connectionId, status: res.status, latencyMs: Math.round(performance.now() - attemptStart) };
  rec.attempts.push(attempt);
  const baseHeaders = { "x-request-id": rec.requestId, "x-omniroute-provider": provider.id };

  if (!res.ok) {
    const text = await res.text().catch(() => "");
    up.clearTimeout();
    const e = upstreamError(res.status, text, provider.id, res.headers);
    (attempt as { error?: string }).error = e.message;
    rec.finish(e.status, { errorCode: e.code, error: e.message });
    // Same format: an OpenAI-shaped error body reaches the client as the upstream sent it.
    const body = e.details.upstreamBody as { error?: unknown } | undefined;
    if (body && typeof body.error === "object") {
      const headers: Record<string, string> = { ...baseHeaders, "content-type": "application/json" };
      if (e.details.retryAfter) headers["retry-after"] = e.details.retryAfter;
      return new Response(text, { status: e.status, headers });
    }
    return openAiErrorResponse(e);
  }

  const isSse = (res.headers.get("content-type") ?? "").includes("text/event-stream");
  if (!stream || !isSse || !res.body) return completeJson(res, up.clearTimeout, rec, provider.id, baseHeaders);

  rec.markFirstByte();
  const observer = createOpenAiStreamObserver({ stripUsageChunk: injectUsage });
  const keepAliveSeconds = services.store.settings.streamKeepAliveSeconds;
  services.live.add(rec.requestId, up.abort);
  const out = relayStream({
    body: res.body,
    observer,
    keepAlive: keepAliveSeconds > 0 ? { bytes: KEEP_ALIVE, everyMs: keepAliveSeconds * 1000 } : null,
    errorEvent: (message) => encoder.encode(openAiStreamErrorChunk(new GatewayError(502, "upstream_bad_response", message))),
    abortUpstream: up.abort,
    onFirstByte: () => rec.markFirstByte(),
    onDone: (outcome) => {
      up.clearTimeout();
      services.live.remove(rec.requestId);
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
  let bytes: ArrayBuffer;
  try {
    bytes = await res.arrayBuffer();
  } catch (err) {
    throw new GatewayError(502, "upstream_bad_response", `[${providerId}] connection dropped while reading the response: ${(err as Error).message}`);
  } finally {
    clearTimeout();
  }
  rec.markFirstByte();
  let parsed: any;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new GatewayError(502, "upstream_bad_response", `[${providerId}] returned a response that is not valid JSON`);
  }
  if (!parsed || typeof parsed !== "object" || !Array.isArray(parsed.choices)) {
    throw new GatewayError(502, "upstream_bad_response", `[${providerId}] returned JSON that is not a chat completion`);
  }
  rec.finish(200, { usage: usageFromOpenAi(parsed.usage), finishReason: parsed.choices[0]?.finish_reason ?? null });
  return new Response(bytes, { status: 200, headers: { ...headers, "content-type": "application/json" } });
}
