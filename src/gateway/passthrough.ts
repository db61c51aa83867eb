// Same wire format on both sides (Anthropic → Anthropic, Gemini → Gemini, Ollama → Ollama):
// the body goes up as the client wrote it (only the model name changes) and the answer's
// bytes come back untouched, read on the side for usage. Nothing the client sent is lost —
// cache_control, betas, server tools, fields this gateway has never heard of.
import { GatewayError } from "../errors.ts";
import type { UpstreamFormatAdapter } from "../formats/types.ts";
import type { PassthroughContext } from "./client-request.ts";
import { clientErrorResponse } from "./client-errors.ts";
import { observingObserver, sendAndRecord, streamResponse } from "./translate.ts";
import { isJsonType, readStreamedAnswer, readWholeBody, streamOfWhole, wholeAnswer } from "./whole-answer.ts";
import { upstreamError } from "./upstream-error.ts";
import { UpstreamFailure } from "../routing/upstream-failure.ts";

export interface PassthroughSpec {
  adapter: UpstreamFormatAdapter;
  /** Upstream path (and query) for this request. */
  path(ctx: PassthroughContext): string;
  /** The body to send: the client's, with the upstream model id where the body names one. */
  body(ctx: PassthroughContext): unknown;
  /** Client headers that must reach the upstream (e.g. anthropic-beta). */
  headers?(ctx: PassthroughContext): Record<string, string>;
  /** Whether an upstream error body is already in the client's shape (then it is forwarded as is). */
  isNativeError(parsed: unknown): boolean;
  streamed(ctx: PassthroughContext): boolean;
}

export function passthrough(spec: PassthroughSpec) {
  return async (ctx: PassthroughContext): Promise<Response> => {
    const { rec, target, client } = ctx;
    const streamed = spec.streamed(ctx);
    const up = await sendAndRecord(ctx, spec.path(ctx), JSON.stringify(spec.body(ctx)), {
      accept: streamed ? "text/event-stream" : "application/json",
      ...spec.headers?.(ctx),
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
        if (spec.isNativeError(e.details.upstreamBody)) {
          const h: Record<string, string> = { ...headers, "content-type": "application/json" };
          if (e.details.retryAfter) h["retry-after"] = e.details.retryAfter;
          return new Response(text, { status: e.status, headers: h });
        }
        const out = clientErrorResponse(client, e);
        for (const [k, v] of Object.entries(headers)) out.headers.set(k, v);
        return out;
      });
    }

    const contentType = res.headers.get("content-type") ?? "application/json";
    if (streamed) {
      // A web page is a 502 here; a whole JSON answer (the upstream ignored `stream`) is
      // written as the client's stream instead of being passed on (whole-answer.ts).
      const answer = await readStreamedAnswer(res, up, target.provider.id, { jsonStream: isJsonType(client.streamContentType(ctx.streamCtx)) });
      if (answer.kind === "whole") return streamOfWhole(client, ctx.streamCtx, wholeAnswer(ctx, spec.adapter, answer.json), headers);
      rec.markFirstByte();
      const reader = spec.adapter.createStreamReader();
      return streamResponse(ctx, up, answer.body, observingObserver(rec.capture ? rec.capture.tapReader(reader) : reader), contentType, headers);
    }

    const bytes = await readWholeBody(res, up.clearTimeout, target.provider.id);
    rec.markFirstByte();
    let parsed;
    try {
      parsed = spec.adapter.parseResponse(JSON.parse(new TextDecoder().decode(bytes)));
    } catch {
      throw new GatewayError(502, "upstream_bad_response", `[${target.provider.id}] returned a response that is not valid JSON of its format`);
    }
    rec.capture?.response(parsed);
    rec.finish(200, { usage: parsed.usage, finishReason: parsed.finishReason });
    return new Response(bytes, { status: 200, headers: { ...headers, "content-type": contentType } });
  };
}
