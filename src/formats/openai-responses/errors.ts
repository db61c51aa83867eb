// Errors for Responses clients. Before the stream starts: OpenAI's own error body
// {"error":{"message","type","param","code"}} (same as Chat Completions). After it started:
// an `error` event and then the terminal `response.failed`.
import type { GatewayError } from "../../errors.ts";
import { openAiErrorBody } from "../openai-chat/errors.ts";

export const responsesErrorBody = (err: GatewayError) => openAiErrorBody(err);

// Codes of the Response object's `error` that clients act on: Codex treats
// context_length_exceeded / insufficient_quota as fatal and retries rate_limit_exceeded after
// the "try again in Ns" it finds in the message; everything else is a retryable server_error.
const PASSED_CODES = new Set(["context_length_exceeded", "insufficient_quota", "rate_limit_exceeded", "invalid_prompt", "server_error"]);

function upstreamCode(err: GatewayError): string | null {
  const body = err.details.upstreamBody as any;
  const code = body?.error?.code ?? body?.error?.type;
  return typeof code === "string" && PASSED_CODES.has(code) ? code : null;
}

/** The `error` of a failed Response object: {code, message}. */
export function responseFailureError(err: GatewayError): { code: string; message: string } {
  const code = upstreamCode(err) ?? (err.status === 429 ? "rate_limit_exceeded" : "server_error");
  let message = err.message;
  const retry = err.details.retryAfter;
  if (code === "rate_limit_exceeded" && retry && /^\d+(\.\d+)?$/.test(retry) && !/try again in/i.test(message)) {
    message += ` Please try again in ${retry}s.`;
  }
  return { code, message };
}

/**
 * The `error` stream event's payload (without sequence_number). The API reference documents
 * code/message/param at the top level; api.openai.com actually nests them in an `error`
 * object (openai/openai-dotnet#881). Both are sent: the nested object is also what makes the
 * openai SDKs (node and python) raise an APIError from the stream.
 */
export function errorEventFields(err: GatewayError) {
  const body = openAiErrorBody(err).error;
  return { code: body.code as string | null, error: body, message: body.message, param: body.param as string | null };
}
