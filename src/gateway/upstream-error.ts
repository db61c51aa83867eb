// An upstream answered with an error status. Its status is passed through (a 400 for a bad
// parameter must reach the client as a 400) and its message kept, whatever shape it came in.
import { GatewayError } from "../errors.ts";
import { geminiRetryDelaySeconds } from "../formats/gemini/index.ts";

export function messageOfErrorBody(parsed: unknown, fallback: string): string {
  if (parsed && typeof parsed === "object") {
    const o = parsed as Record<string, any>;
    // OpenAI / Anthropic {error:{message}}, Gemini {error:{message,status}}, Ollama {error:"..."}, misc {message}.
    if (typeof o.error?.message === "string") return o.error.message;
    if (typeof o.error === "string") return o.error;
    if (typeof o.message === "string") return o.message;
    if (typeof o.detail === "string") return o.detail;
  }
  return fallback;
}

export function upstreamError(status: number, bodyText: string, providerId: string, headers: Headers): GatewayError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bodyText);
  } catch {
    parsed = undefined;
  }
  const snippet = bodyText.trim().slice(0, 300) || `HTTP ${status}`;
  const message = messageOfErrorBody(parsed, snippet);
  const passStatus = status >= 400 && status <= 599 ? status : 502;
  // Gemini puts the wait in the body (google.rpc.RetryInfo) rather than a header.
  const bodyDelay = parsed ? geminiRetryDelaySeconds(parsed) : null;
  const retryAfter = headers.get("retry-after") ?? (bodyDelay ? String(bodyDelay) : undefined);
  return new GatewayError(passStatus, "upstream_error", `[${providerId}] ${message}`, { upstreamBody: parsed, retryAfter });
}

/**
 * An error an upstream reported inside a 200 body (OpenRouter does when the model fails after
 * the request was accepted: {"error":{"code":429,"message",…}}), named after the provider
 * like every other upstream error. Its status is the one the body gives.
 */
export function errorInBody(err: GatewayError, providerId: string): GatewayError {
  return new GatewayError(err.status, err.code, `[${providerId}] ${err.message}`, err.details);
}
