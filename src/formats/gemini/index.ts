// Google Gemini API (generativelanguage v1beta) as a client format (/v1beta/models/{model}:
// generateContent | :streamGenerateContent, used by @google/genai and the Gemini CLI) and as an
// upstream format (providers with `format: "gemini"`). The model and streaming come from the
// URL; `alt=sse` picks SSE over a streamed JSON array (ClientStreamContext.sse).
import type { ClientFormat, UpstreamFormatAdapter } from "../types.ts";
import { geminiErrorBody } from "./errors.ts";
import { canonicalToGeminiRequest, geminiRequestToCanonical } from "./request.ts";
import { canonicalToGeminiResponse, geminiResponseToCanonical } from "./response.ts";
import { createGeminiStreamReader, createGeminiStreamWriter } from "./stream.ts";

export { geminiErrorBody, geminiRetryDelaySeconds, geminiStatusName } from "./errors.ts";
export { canonicalToGeminiRequest, geminiRequestToCanonical } from "./request.ts";
export { canonicalToGeminiResponse, geminiResponseToCanonical } from "./response.ts";
export { createGeminiStreamReader, createGeminiStreamWriter } from "./stream.ts";
export { usageFromGemini, usageToGemini } from "./wire.ts";

export const geminiClient: ClientFormat = {
  id: "gemini",
  parseRequest: (body, ctx) => geminiRequestToCanonical(body, { model: ctx.pathModel, stream: ctx.pathStream }),
  renderResponse: canonicalToGeminiResponse,
  createStreamWriter: createGeminiStreamWriter,
  streamContentType: (ctx) => (ctx.sse ? "text/event-stream" : "application/json; charset=UTF-8"),
  errorBody: geminiErrorBody,
};

export const geminiUpstream: UpstreamFormatAdapter = {
  format: "gemini",
  buildRequest: (req, upstreamModel) => canonicalToGeminiRequest(req, upstreamModel),
  parseResponse: geminiResponseToCanonical,
  createStreamReader: createGeminiStreamReader,
};
