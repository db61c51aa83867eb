// Cross-format requests: canonical → upstream wire request → fetch → upstream answer →
// canonical → client wire answer. Streams are translated event by event as bytes arrive.
import { asGatewayError, GatewayError } from "../errors.ts";
import type { CanonicalRequest, FinishReason } from "../formats/canonical.ts";
import type { ClientFormat, ClientStreamContext, StreamReader, StreamWriter, UpstreamFormatAdapter } from "../formats/types.ts";
import { sendUpstream, upstreamBase, upstreamHeaders, type UpstreamResult } from "../providers/executor.ts";
import type { Services } from "../services.ts";
import type { ConnectionRuntime } from "../store/config-store.ts";
import { NO_USAGE, type TokenUsage } from "../usage/tokens.ts";
import { clientErrorResponse } from "./client-errors.ts";
import type { Attempt, RequestRecord } from "./request-record.ts";
import type { Target } from "./resolve.ts";
import { relayStream, type StreamObserverLike } from "./stream-relay.ts";
import { upstreamError } from "./upstream-error.ts";
import { UPSTREAM_ADAPTERS } from "./upstream-adapters.ts";
import { readStreamedAnswer, readWholeBody, streamOfWhole, wholeAnswer } from "./whole-answer.ts";
import { connKeyOf } from "../routing/routing-state.ts";
import { UpstreamFailure } from "../routing/upstream-failure.ts";
import { readUpstreamLimits } from "../routing/upstream-limits.ts";

const encoder = new TextEncoder();

export interface TranslateInput {
  request: Request;
  services: Services;
  client: ClientFormat;
  rec: RequestRecord;
  canonical: CanonicalRequest;
  streamCtx: ClientStreamContext;
  target: Target;
  conn: ConnectionRuntime;
}

/** Sends a request to an upstream and records the attempt; transport failures become GatewayErrors. */
export async function sendAndRecord(
  input: Pick<TranslateInput, "request" | "services" | "rec" | "target" | "conn">,
  path: string,
  body: string,
  headers: Record<string, string>,
): Promise<UpstreamResult> {
  const { target, conn, rec, services } = input;
  const started = performance.now();
  const attempt: Attempt = { provider: target.provider.id, model: target.model, connectionId: conn.id || null, status: 0, latencyMs: 0 };
  rec.attempts.push(attempt);
  // Timeouts come from the provider's resilience profile (/api/resilience), else the CLI flag.
  const profile = services.routing.profile(target.provider.id);
  try {
    const up = await sendUpstream({
      url: `${upstreamBase(target.provider, conn)}${path}`,
      headers: upstreamHeaders(target.provider, conn, "application/json", headers),
      body,
      signal: input.request.signal,
      // The upstream proxy for this provider, if one is set (PUT /api/settings/proxy).
      proxy: services.features.proxyFor(target.provider.id),
      timeoutMs: profile.requestTimeoutMs ?? services.config.upstreamTimeoutMs,
      ttfbTimeoutMs: profile.ttfbTimeoutMs ?? undefined,
    });
    attempt.status = up.response.status;
    // Limits the upstream announces (x-ratelimit-*) are kept per connection for /api/rate-limits.
    const limits = readUpstreamLimits(up.response.headers, services.routing.now());
    if (limits) services.routing.recordUpstreamLimits(connKeyOf(conn), target.model, limits);
    return up;
  } catch (err) {
    const e = asGatewayError(err);
    attempt.status = e.status;
    attempt.error = e.message;
    throw e;
  } finally {
    attempt.latencyMs = Math.round(performance.now() - started);
  }
}

export async function translateRequest(input: TranslateInput): Promise<Response> {
  const { client, rec, canonical, target } = input;
  const adapter: UpstreamFormatAdapter = UPSTREAM_ADAPTERS[target.provider.format];
  const upReq = adapter.buildRequest(canonical, target.model);
  // The OpenAI writer always asks for streamed usage; a few compatible servers reject the field.
  if (target.provider.streamUsage === false && upReq.body && typeof upReq.body === "object") {
    delete (upReq.body as Record<string, unknown>).stream_options;
  }
  const up = await sendAndRecord(input, upReq.path, JSON.stringify(upReq.body), {
    accept: canonical.stream ? "text/event-stream" : "application/json",
    ...upReq.headers,
  });
  const res = up.response;
  const headers = { "x-request-id": rec.requestId, "x-omniroute-provider": target.provider.id };

  if (!res.ok) {
    const text = await res.text().catch(() => "");
    up.clearTimeout();
    const e = upstreamError(res.status, text, target.provider.id, res.headers);
    rec.attempts.at(-1)!.error = e.message;
    // Nothing reached the client yet: the fallback loop decides whether another target gets a go.
    throw new UpstreamFailure(e, () => {
      const out = clientErrorResponse(client, e);
      for (const [k, v] of Object.entries(headers)) out.headers.set(k, v);
      return out;
    });
  }

  if (!canonical.stream) {
    // A dropped connection is said as such, not as "not valid JSON".
    const bytes = await readWholeBody(res, up.clearTimeout, target.provider.id);
    let parsed: unknown;
    try {
      parsed = JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      throw new GatewayError(502, "upstream_bad_response", `[${target.provider.id}] returned a response that is not valid JSON`);
    }
    const canonicalRes = wholeAnswer(input, adapter, parsed);
    return Response.json(client.renderResponse(canonicalRes, input.streamCtx), { headers });
  }

  const answer = await readStreamedAnswer(res, up, target.provider.id);
  // The upstream ignored `stream`: the client still gets a stream, written from the whole answer.
  if (answer.kind === "whole") return streamOfWhole(client, input.streamCtx, wholeAnswer(input, adapter, answer.json), headers);
  rec.markFirstByte();
  const reader = adapter.createStreamReader();
  const observer = translatingObserver(rec.capture ? rec.capture.tapReader(reader) : reader, client.createStreamWriter(input.streamCtx));
  return streamResponse(input, up, answer.body, observer, client.streamContentType(input.streamCtx), headers);
}

/** What a stream observer learned, for the usage record. */
export interface ObservedStream extends StreamObserverLike {
  usage(): TokenUsage;
  finishReason(): FinishReason | null;
  error(): string | null;
  writer: StreamWriter | null;
  /** Pass-through only: false when the bytes forwarded so far stop in the middle of a line. */
  atLineStart?(): boolean;
}

/** Upstream bytes → events → client bytes. Always at an event boundary between calls. */
export function translatingObserver(reader: StreamReader, writer: StreamWriter): ObservedStream {
  let usage = NO_USAGE;
  let finish: FinishReason | null = null;
  let error: string | null = null;
  const render = (events: ReturnType<StreamReader["push"]>) => {
    let out = "";
    for (const ev of events) {
      if (ev.type === "usage") usage = ev.usage;
      else if (ev.type === "start" && ev.usage) usage = ev.usage;
      else if (ev.type === "finish") finish = ev.reason;
      else if (ev.type === "error") error = ev.message;
      out += writer.write(ev);
    }
    return out;
  };
  return {
    writer,
    push: (chunk) => encoder.encode(render(reader.push(chunk))),
    end: () => {
      let out = render(reader.end());
      if (finish === null && error === null) {
        // The upstream closed the stream without saying it was done (no finish_reason, no
        // message_stop, no done line): a cut answer must not reach the client as a complete one.
        error = "the upstream stream ended before the response was finished";
        out += writer.error(new GatewayError(502, "upstream_bad_response", error));
      } else {
        out += writer.end();
      }
      return encoder.encode(out);
    },
    endOnFailure: () => encoder.encode(render(reader.end())),
    atBoundary: () => true,
    usage: () => usage,
    finishReason: () => finish,
    error: () => error,
  };
}

/** Same-format pass-through: forward the upstream's bytes untouched and read them on the side. */
export function observingObserver(reader: StreamReader): ObservedStream {
  const t = translatingObserver(reader, { write: () => "", end: () => "", keepAlive: () => null, error: () => "" });
  let lineStart = true;
  return {
    ...t,
    writer: null,
    push: (chunk) => {
      t.push(chunk);
      if (chunk.length > 0) lineStart = chunk[chunk.length - 1] === 0x0a;
      return chunk;
    },
    atLineStart: () => lineStart,
    end: () => {
      t.end();
      return new Uint8Array(0);
    },
    endOnFailure: () => {
      t.end();
      return new Uint8Array(0);
    },
    // We cannot know where the upstream's events end, so never insert anything.
    atBoundary: () => false,
  };
}

/**
 * The upstream died in a pass-through stream: the client has the upstream's own bytes so far,
 * possibly cut mid-line. End that line/event, then add the format's in-stream error.
 */
function passthroughErrorTail(client: ClientFormat, ctx: ClientStreamContext, err: GatewayError, atLineStart: boolean): string {
  if (client.id === "gemini" && !ctx.sse) {
    // Inside Google's streamed JSON array: one more element, then close the array.
    return `${atLineStart ? "" : "\r\n"},\r\n${JSON.stringify(client.errorBody(err))}\r\n]`;
  }
  const text = client.createStreamWriter(ctx).error(err);
  if (atLineStart) return text;
  // NDJSON needs the cut line ended; SSE needs the cut event ended by a blank line.
  return (client.id === "ollama" ? "\n" : "\n\n") + text;
}

export function streamResponse(
  input: Pick<TranslateInput, "services" | "rec" | "client" | "streamCtx">,
  up: UpstreamResult,
  body: ReadableStream<Uint8Array>,
  observer: ObservedStream,
  contentType: string,
  headers: Record<string, string>,
): Response {
  const { services, rec, client } = input;
  up.clearTimeout();
  const writer = observer.writer;
  const keepAliveSeconds = services.store.settings.streamKeepAliveSeconds;
  const live = services.live.add(rec.requestId, up.abort);
  const errorWriter = writer;
  const out = relayStream({
    body,
    observer,
    // A format without a keep-alive (Ollama's NDJSON) returns null and nothing is sent.
    keepAlive: writer && keepAliveSeconds > 0 ? { bytes: () => encoder.encode(writer.keepAlive() ?? ""), everyMs: keepAliveSeconds * 1000 } : null,
    errorEvent: (message) => {
      const err = new GatewayError(502, "upstream_bad_response", message);
      if (errorWriter) return encoder.encode(errorWriter.error(err));
      return encoder.encode(passthroughErrorTail(client, input.streamCtx, err, observer.atLineStart?.() !== false));
    },
    abortUpstream: up.abort,
    onFirstByte: () => rec.markFirstByte(),
    onChunk: () => rec.streamChunks++,
    onDone: (outcome) => {
      up.clearTimeout();
      services.live.remove(live, rec.requestId);
      const usage = observer.usage();
      const streamError = observer.error();
      if (outcome.kind === "completed") {
        rec.finish(streamError ? 502 : 200, {
          usage,
          finishReason: observer.finishReason(),
          errorCode: streamError ? "upstream_error" : undefined,
          error: streamError ?? undefined,
        });
      } else if (outcome.kind === "upstream_failed") {
        rec.finish(502, { usage, errorCode: "upstream_bad_response", error: outcome.message });
      } else {
        rec.finish(499, { usage, errorCode: "client_disconnected", error: "client disconnected mid-stream" });
      }
    },
  });
  return new Response(out, {
    status: 200,
    headers: { ...headers, "content-type": contentType, "cache-control": "no-cache", "x-accel-buffering": "no" },
  });
}
