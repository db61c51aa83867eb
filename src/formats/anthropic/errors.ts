// Anthropic's error body: {"type":"error","error":{"type","message"}}, with the error type
// the API uses for each HTTP status (docs.anthropic.com/en/api/errors). The SDKs pick their
// exception class from the status, Claude Code retries on 429/529 and overloaded_error, so
// 529 stays 529 for Anthropic clients.
import type { GatewayError } from "../../errors.ts";

export function anthropicErrorType(status: number): string {
  switch (status) {
    case 400:
      return "invalid_request_error";
    case 401:
      return "authentication_error";
    case 402:
      return "billing_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 413:
      return "request_too_large";
    case 429:
      return "rate_limit_error";
    case 503:
    case 529:
      return "overloaded_error";
  }
  return status >= 500 ? "api_error" : "invalid_request_error";
}

/** The reverse, for in-stream error events (which carry a type but no HTTP status). */
export function statusOfAnthropicErrorType(type: string | undefined): number {
  switch (type) {
    case "invalid_request_error":
      return 400;
    case "authentication_error":
      return 401;
    case "billing_error":
      return 402;
    case "permission_error":
      return 403;
    case "not_found_error":
      return 404;
    case "request_too_large":
      return 413;
    case "rate_limit_error":
      return 429;
    case "timeout_error":
      return 504;
    case "overloaded_error":
      return 529;
  }
  return 500;
}

export function anthropicErrorBody(err: GatewayError) {
  return { type: "error", error: { type: anthropicErrorType(err.status), message: err.message } };
}

/** An error after streaming began: Anthropic sends an `error` event and ends the stream. */
export function anthropicStreamErrorEvent(err: Pick<GatewayError, "status" | "message">): string {
  return `event: error\ndata: ${JSON.stringify({ type: "error", error: { type: anthropicErrorType(err.status), message: err.message } })}\n\n`;
}
