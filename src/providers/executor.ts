// Sends a request to an upstream with native fetch and turns transport failures into
// GatewayErrors that say what happened (unreachable, timed out) instead of a bare TypeError.
import { GatewayError } from "../errors.ts";
import type { ConnectionRuntime } from "../store/config-store.ts";
import type { ProviderRuntime } from "./types.ts";
import { deadline } from "./deadlines.ts";
import { VERSION } from "../config.ts";

const USER_AGENT = `OmniRoute/${VERSION}`;

export function upstreamBase(provider: ProviderRuntime, conn: ConnectionRuntime | null): string {
  const base = conn?.baseUrl ?? provider.baseUrl;
  return base.endsWith("/") ? base.replace(/\/+$/, "") : base;
}

export function authHeaders(provider: ProviderRuntime, conn: ConnectionRuntime | null): Record<string, string> {
  const headers: Record<string, string> = { ...provider.headers };
  const key = conn?.apiKey;
  if (!key) return headers;
  if (provider.auth === "bearer" || provider.auth === "none") headers.authorization = `Bearer ${key}`;
  else if (provider.auth === "x-api-key") headers["x-api-key"] = key;
  else if (provider.auth === "x-goog-api-key") headers["x-goog-api-key"] = key;
  else if (provider.auth === "token") headers.authorization = `Token ${key}`;
  else if (provider.auth === "authorization") headers.authorization = key;
  return headers;
}

/**
 * A gateway call's headers, in one new object: the connection's auth, our user agent, the
 * body's content type when there is one, then the call's own (which win).
 */
export function upstreamHeaders(provider: ProviderRuntime, conn: ConnectionRuntime | null, contentType: string | null, extra: Record<string, string>): Record<string, string> {
  const headers = authHeaders(provider, conn);
  if (contentType !== null) headers["content-type"] = contentType;
  headers["user-agent"] = USER_AGENT;
  for (const name in extra) headers[name] = extra[name]!;
  return headers;
}

export interface UpstreamCall {
  url: string;
  method?: string;
  headers: Record<string, string>;
  /** JSON text for chat; raw bytes for uploads (audio). */
  body?: string | Uint8Array<ArrayBuffer>;
  /** Aborted when the client goes away. */
  signal?: AbortSignal;
  timeoutMs: number;
  /**
   * Limit until the response headers arrive (time to first byte), on top of timeoutMs; lets a
   * combo give up early on an upstream that accepts the connection but never starts answering.
   */
  ttfbTimeoutMs?: number;
  /** HTTP(S) proxy URL for this call (Bun's fetch `proxy` option); undefined connects directly. */
  proxy?: string;
}

export interface UpstreamResult {
  response: Response;
  /** Abort the upstream request (client disconnected, stream cancelled). */
  abort: () => void;
  /**
   * Stop the timeout: called once a non-streamed body has been read, or as soon as a stream
   * starts flowing (a long generation must not be cut by a request timeout).
   */
  clearTimeout: () => void;
}

export async function sendUpstream(call: UpstreamCall): Promise<UpstreamResult> {
  const controller = new AbortController();
  let timedOut = false;
  let timedOutMs = call.timeoutMs;
  const onClientAbort = () => controller.abort(new Error("client disconnected"));
  if (call.signal?.aborted) onClientAbort();
  // The limit's sweep also watches the client's signal until the answer has come (a whole
  // body read) or started (a stream: from then on the relay aborts the upstream when its
  // client cancels) — cheaper than a listener on every request's signal (deadlines.ts).
  const cancelTimeout = deadline(
    call.timeoutMs,
    () => {
      timedOut = true;
      controller.abort(new Error("upstream timeout"));
    },
    call.signal ? { signal: call.signal, onAbort: onClientAbort } : undefined,
  );
  const cancelTtfb =
    call.ttfbTimeoutMs !== undefined && call.ttfbTimeoutMs < call.timeoutMs
      ? deadline(call.ttfbTimeoutMs, () => {
          timedOut = true;
          timedOutMs = call.ttfbTimeoutMs!;
          controller.abort(new Error("upstream time-to-first-byte timeout"));
        })
      : null;
  try {
    const response = await fetch(call.url, {
      method: call.method ?? "POST",
      headers: call.headers,
      body: call.body,
      signal: controller.signal,
      ...(call.proxy ? { proxy: call.proxy } : {}),
    });
    cancelTtfb?.();
    return { response, abort: () => controller.abort(new Error("aborted")), clearTimeout: cancelTimeout };
  } catch (err) {
    cancelTtfb?.();
    cancelTimeout();
    const host = safeHost(call.url);
    if (timedOut) throw new GatewayError(504, "upstream_timeout", `Upstream ${host} did not answer within ${timedOutMs} ms`);
    if (call.signal?.aborted) throw new GatewayError(499, "upstream_error", "client closed the request");
    const reason = err instanceof Error ? err.message : String(err);
    throw new GatewayError(502, "upstream_unreachable", `Upstream ${host} is unreachable: ${reason}`);
  }
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
