// One error type for the whole app. Each wire format renders it in its own shape
// (src/formats/<format>/errors.ts); the control plane renders it as {error: message}.

export type ErrorCode =
  | "invalid_json"
  | "invalid_request"
  | "missing_api_key"
  | "invalid_api_key"
  | "model_not_found"
  | "not_found"
  | "no_credentials"
  | "conflict"
  | "rate_limited"
  /** The API key's spending budget is used up (src/usage/budget.ts). */
  | "budget_exceeded"
  /** Nothing could serve the request now (every target cooling, unhealthy or behind an open breaker). */
  | "service_unavailable"
  /** A routing policy refused the request (/api/policies). */
  | "policy_denied"
  | "upstream_error"
  | "upstream_unreachable"
  | "upstream_timeout"
  | "upstream_bad_response"
  | "internal_error";

export class GatewayError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    /** Extra detail a format may render (e.g. the upstream's own error body, attempts made). */
    readonly details: {
      param?: string;
      upstreamBody?: unknown;
      retryAfter?: string;
      headers?: Record<string, string>;
      /** Field-level validation problems (control plane renders them as `details`). */
      validation?: { field: string; message: string }[];
    } = {},
  ) {
    super(message);
    this.name = "GatewayError";
  }
}

export const badRequest = (message: string, param?: string) => new GatewayError(400, "invalid_request", message, { param });
export const notFound = (message: string) => new GatewayError(404, "not_found", message);
export const conflict = (message: string) => new GatewayError(409, "conflict", message);

/** Anything thrown that is not a GatewayError becomes a 500 without leaking internals. */
export function asGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  return new GatewayError(500, "internal_error", "internal error");
}
