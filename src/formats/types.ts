// The two faces of a wire format. A client format reads requests and writes responses and
// streams; an upstream format writes requests and reads responses and streams. Every
// translator is a pure function (or a pure state machine for streams); I/O lives in
// src/gateway and src/providers.
import type { GatewayError } from "../errors.ts";
import type { UpstreamFormat } from "../providers/types.ts";
import type { CanonicalRequest, CanonicalResponse, StreamEvent } from "./canonical.ts";

export type ClientFormatId = "openai-chat" | "openai-responses" | "anthropic" | "gemini" | "ollama";

/** Upstream bytes → canonical events. Must accept chunks split at any byte. */
export interface StreamReader {
  push(chunk: Uint8Array): StreamEvent[];
  /** End of input: flush anything held (a last line without a newline, etc.). */
  end(): StreamEvent[];
}

/** Canonical events → client bytes (as text; the relay encodes). */
export interface StreamWriter {
  write(event: StreamEvent): string;
  /** Called once when the upstream stream ended; closes open blocks, emits terminators. */
  end(): string;
  /** A keep-alive the client format tolerates between events, or null if it has none. */
  keepAlive(): string | null;
  /** An error after streaming began, as the format's in-stream error. */
  error(err: GatewayError): string;
}

export interface ClientRequestContext {
  /** Model named in the URL (Gemini: /v1beta/models/{model}:generateContent). */
  pathModel?: string;
  /** Streaming decided by the URL (Gemini :streamGenerateContent), not the body. */
  pathStream?: boolean;
}

export interface ClientStreamContext {
  /** The model id as the client asked for it; echoed back in responses. */
  requestedModel: string;
  /** OpenAI include_usage: whether usage goes to the client in the stream. */
  includeUsage: boolean;
  /** Gemini: SSE (alt=sse) or a streamed JSON array. */
  sse?: boolean;
  /** The client's own request body, for formats whose answers echo request fields (Responses). */
  clientRequest?: unknown;
}

export interface ClientFormat {
  id: ClientFormatId;
  parseRequest(body: unknown, ctx: ClientRequestContext): CanonicalRequest;
  renderResponse(res: CanonicalResponse, ctx: ClientStreamContext): unknown;
  createStreamWriter(ctx: ClientStreamContext): StreamWriter;
  /** content-type of a streamed answer (SSE, NDJSON, JSON array). */
  streamContentType(ctx: ClientStreamContext): string;
  errorBody(err: GatewayError): unknown;
}

export interface UpstreamRequest {
  /** Path (and query) appended to the provider's base URL. */
  path: string;
  body: unknown;
  headers?: Record<string, string>;
}

export interface UpstreamFormatAdapter {
  format: UpstreamFormat;
  buildRequest(req: CanonicalRequest, upstreamModel: string): UpstreamRequest;
  parseResponse(body: unknown): CanonicalResponse;
  createStreamReader(): StreamReader;
}
