// Gemini's error body, the google.rpc.Status JSON: {"error":{"code","message","status"}}.
// `code` repeats the HTTP status and `status` is the canonical gRPC code name, which the
// Google SDKs and the Gemini CLI read (e.g. RESOURCE_EXHAUSTED to back off).
import type { GatewayError } from "../../errors.ts";
import type { Json } from "./wire.ts";

const STATUS_NAMES: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  409: "ABORTED",
  412: "FAILED_PRECONDITION",
  413: "INVALID_ARGUMENT",
  429: "RESOURCE_EXHAUSTED",
  499: "CANCELLED",
  500: "INTERNAL",
  501: "UNIMPLEMENTED",
  502: "UNAVAILABLE",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
  529: "UNAVAILABLE",
};

export function geminiStatusName(status: number): string {
  return STATUS_NAMES[status] ?? (status >= 500 ? "INTERNAL" : "INVALID_ARGUMENT");
}

export function geminiErrorBody(err: GatewayError): { error: Json } {
  // 529 (Anthropic's overloaded) reaches Gemini clients as 503 (see gateway/client-errors.ts).
  const code = err.status === 529 ? 503 : err.status;
  const error: Json = { code, message: err.message, status: geminiStatusName(code) };
  // Google says how long to back off in a RetryInfo detail, not a header; the Gemini CLI and
  // the SDKs' retry logic read it from there.
  const seconds = err.details.retryAfter !== undefined ? Number(err.details.retryAfter) : NaN;
  if (Number.isFinite(seconds) && seconds >= 0) {
    error.details = [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: `${seconds}s` }];
  }
  return { error };
}

/** Seconds to wait from a Google error body's RetryInfo ("7s", "1.5s"), when there is one. */
export function geminiRetryDelaySeconds(body: unknown): number | undefined {
  const details = (body as any)?.error?.details;
  if (!Array.isArray(details)) return undefined;
  for (const d of details) {
    if (typeof d?.["@type"] === "string" && d["@type"].endsWith("google.rpc.RetryInfo") && typeof d.retryDelay === "string") {
      const s = Number.parseFloat(d.retryDelay);
      if (Number.isFinite(s)) return s;
    }
  }
  return undefined;
}
