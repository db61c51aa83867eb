import { GatewayError } from "../../errors.ts";

// OpenAI's error body: {"error":{"message","type","param","code"}}. The `type` follows what
// api.openai.com sends for each status, since SDKs map status → exception class, not type.
export function openAiErrorType(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 404) return "invalid_request_error";
  if (status === 429) return "rate_limit_error";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}

export function openAiErrorBody(err: GatewayError) {
  const upstream = err.code === "upstream_error" ? openAiFieldsOf(err.details.upstreamBody) : {};
  return {
    error: {
      message: err.message,
      type: openAiErrorType(err.status),
      param: err.details.param ?? upstream.param ?? null,
      code: upstream.code ?? err.code,
    },
  };
}

/**
 * An OpenAI-style upstream's own `code` and `param` (context_length_exceeded on "messages",
 * insufficient_quota, …): clients act on them — they shorten the history on a context
 * overflow, stop retrying on an exhausted quota — so a translated error keeps them.
 */
function openAiFieldsOf(body: unknown): { code?: string; param?: string } {
  const e = (body as { error?: { code?: unknown; param?: unknown } } | undefined)?.error;
  if (!e || typeof e !== "object") return {};
  return {
    ...(typeof e.code === "string" && e.code ? { code: e.code } : {}),
    ...(typeof e.param === "string" && e.param ? { param: e.param } : {}),
  };
}

/**
 * The HTTP status an OpenAI client gets for a gateway error. Anthropic's 529 "overloaded" is
 * not an HTTP status the OpenAI SDKs know (they retry 408/409/429/5xx by range, but clients
 * and proxies that switch on named statuses do not); 503 Service Unavailable says the same
 * thing in standard terms. Everything else passes unchanged. Callers that render
 * openAiErrorBody() must use this for the status line.
 */
export function openAiStatus(status: number): number {
  return status === 529 ? 503 : status;
}

export function openAiErrorResponse(err: GatewayError): Response {
  const headers: Record<string, string> = { "content-type": "application/json", ...err.details.headers };
  if (err.details.retryAfter) headers["retry-after"] = err.details.retryAfter;
  return new Response(JSON.stringify(openAiErrorBody(err)), { status: openAiStatus(err.status), headers });
}

/** An error after the first streamed byte: OpenAI-compatible servers send a data line with an error object. */
export function openAiStreamErrorChunk(err: GatewayError): string {
  return `data: ${JSON.stringify(openAiErrorBody(err))}\n\n`;
}
