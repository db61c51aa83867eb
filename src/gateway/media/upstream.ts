// Upstream calls of the media endpoints (embeddings, images, audio). One target try may take
// several calls (Gemini batches, AssemblyAI upload → transcript → polls); they count as one
// attempt in the request record, whose status is the last call's, so the fallback loop and
// the request log see one try per target and connection.
import { asGatewayError, GatewayError } from "../../errors.ts";
import { openAiChatClient } from "../../formats/openai-chat/index.ts";
import { sendUpstream, upstreamBase, upstreamHeaders, type UpstreamResult } from "../../providers/executor.ts";
import { connKeyOf } from "../../routing/routing-state.ts";
import { UpstreamFailure } from "../../routing/upstream-failure.ts";
import { readUpstreamLimits } from "../../routing/upstream-limits.ts";
import type { Services } from "../../services.ts";
import type { ConnectionRuntime } from "../../store/config-store.ts";
import { clientErrorResponse } from "../client-errors.ts";
import type { Attempt, RequestRecord } from "../request-record.ts";
import type { Target } from "../resolve.ts";
import { upstreamError } from "../upstream-error.ts";

export interface MediaCall {
  path: string;
  method?: "GET" | "POST";
  /** A JSON body is serialised here; bytes are sent as they are. */
  json?: unknown;
  bytes?: Uint8Array<ArrayBuffer>;
  contentType?: string;
  accept?: string;
  /** Rewrites an error body into a shape upstreamError() reads (e.g. Deepgram's err_msg). */
  errorBody?: (text: string) => string;
}

export class MediaUpstream {
  private attempt: Attempt | null = null;
  private started = 0;

  constructor(
    readonly services: Services,
    readonly request: Request,
    readonly rec: RequestRecord,
    readonly target: Target,
    readonly conn: ConnectionRuntime,
  ) {}

  get providerId(): string {
    return this.target.provider.id;
  }

  /** Sends one call; the answer's body is the caller's to read (and then clearTimeout()). */
  async send(call: MediaCall): Promise<UpstreamResult> {
    const { services, target, conn, rec } = this;
    if (!this.attempt) {
      this.started = performance.now();
      this.attempt = { provider: target.provider.id, model: target.model, connectionId: conn.id || null, status: 0, latencyMs: 0 };
      rec.attempts.push(this.attempt);
    }
    const attempt = this.attempt;
    const profile = services.routing.profile(target.provider.id);
    let body: string | Uint8Array<ArrayBuffer> | undefined;
    let contentType: string | null = null;
    if (call.json !== undefined) {
      body = JSON.stringify(call.json);
      contentType = "application/json";
    } else if (call.bytes) {
      body = call.bytes;
      contentType = call.contentType ?? "application/octet-stream";
    }
    const headers = upstreamHeaders(target.provider, conn, contentType, { accept: call.accept ?? "application/json" });
    try {
      const up = await sendUpstream({
        url: `${upstreamBase(target.provider, conn)}${call.path}`,
        method: call.method ?? "POST",
        headers,
        body,
        signal: this.request.signal,
        // The upstream proxy for this provider, if one is set (PUT /api/settings/proxy).
        proxy: services.features.proxyFor(target.provider.id),
        timeoutMs: profile.requestTimeoutMs ?? services.config.upstreamTimeoutMs,
        ttfbTimeoutMs: profile.ttfbTimeoutMs ?? undefined,
      });
      attempt.status = up.response.status;
      delete attempt.error;
      const limits = readUpstreamLimits(up.response.headers, services.routing.now());
      if (limits) services.routing.recordUpstreamLimits(connKeyOf(conn), target.model, limits);
      return up;
    } catch (err) {
      const e = asGatewayError(err);
      attempt.status = e.status;
      attempt.error = e.message;
      throw e;
    } finally {
      attempt.latencyMs = Math.round(performance.now() - this.started);
    }
  }

  /** Sends a call and reads its answer as text; an error status throws an UpstreamFailure. */
  async text(call: MediaCall): Promise<{ text: string; contentType: string }> {
    const up = await this.send(call);
    const res = up.response;
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      throw new GatewayError(502, "upstream_bad_response", `[${this.providerId}] the answer was cut: ${(err as Error).message}`);
    } finally {
      up.clearTimeout();
    }
    if (!res.ok) throw this.failure(res.status, call.errorBody ? call.errorBody(text) : text, res.headers);
    this.rec.markFirstByte();
    return { text, contentType: res.headers.get("content-type") ?? "application/json" };
  }

  /** Sends a call and parses its JSON answer. */
  async json(call: MediaCall): Promise<unknown> {
    const { text } = await this.text(call);
    try {
      return JSON.parse(text);
    } catch {
      throw this.badResponse("a response that is not valid JSON");
    }
  }

  /** An upstream error before anything reached the client: the fallback loop decides what next. */
  failure(status: number, text: string, headers: Headers = new Headers()): UpstreamFailure {
    const e = upstreamError(status, text, this.providerId, headers);
    if (this.attempt) this.attempt.error = e.message;
    return new UpstreamFailure(e, () => {
      const out = clientErrorResponse(openAiChatClient, e);
      out.headers.set("x-request-id", this.rec.requestId);
      out.headers.set("x-omniroute-provider", this.providerId);
      return out;
    });
  }

  /** Runs a translator over an upstream answer; what it cannot read is the upstream's fault (502). */
  parse<T>(translate: () => T): T {
    try {
      return translate();
    } catch (err) {
      throw this.badResponse(`an unexpected response: ${(err as Error).message}`);
    }
  }

  badResponse(what: string): GatewayError {
    return new GatewayError(502, "upstream_bad_response", `[${this.providerId}] returned ${what}`);
  }

  /** Records what the try delivered in its attempt (images, seconds of audio). */
  setUnits(units: NonNullable<Attempt["units"]>): void {
    if (this.attempt) this.attempt.units = units;
  }
}
