// OpenAI Chat Completions as a client format (/v1/chat/completions) and as an upstream format
// (every provider with `format: "openai"`). Same format on both sides is a byte pass-through
// handled by src/gateway (with stream-observer.ts); these translators serve the other pairs.
//
// Error status: errorBody() renders the body only. Whoever writes the HTTP status for an
// OpenAI client must pass it through openAiStatus() (errors.ts), which turns Anthropic's 529
// into 503; openAiErrorResponse() already does.
import type { ClientFormat, UpstreamFormatAdapter } from "../types.ts";
import { openAiErrorBody } from "./errors.ts";
import { openAiChatRequestToCanonical } from "./request-canonical.ts";
import { canonicalToOpenAiChatRequest } from "./request-upstream.ts";
import { canonicalToOpenAiChatResponse, openAiChatResponseToCanonical } from "./response.ts";
import { createOpenAiChatStreamReader, createOpenAiChatStreamWriter } from "./stream.ts";

export { openAiStatus } from "./errors.ts";
export { openAiChatRequestToCanonical } from "./request-canonical.ts";
export { canonicalToOpenAiChatRequest } from "./request-upstream.ts";
export { canonicalToOpenAiChatResponse, openAiChatResponseToCanonical } from "./response.ts";
export { createOpenAiChatStreamReader, createOpenAiChatStreamWriter } from "./stream.ts";

export const openAiChatClient: ClientFormat = {
  id: "openai-chat",
  parseRequest: (body) => openAiChatRequestToCanonical(body),
  renderResponse: canonicalToOpenAiChatResponse,
  createStreamWriter: createOpenAiChatStreamWriter,
  streamContentType: () => "text/event-stream; charset=utf-8",
  errorBody: openAiErrorBody,
};

export const openAiChatUpstream: UpstreamFormatAdapter = {
  format: "openai",
  buildRequest: (req, upstreamModel) => ({ path: "/chat/completions", body: canonicalToOpenAiChatRequest(req, upstreamModel) }),
  parseResponse: openAiChatResponseToCanonical,
  createStreamReader: createOpenAiChatStreamReader,
};
