// Anthropic Messages as a client format (/v1/messages) and as an upstream format.
import type { ClientFormat, UpstreamFormatAdapter } from "../types.ts";
import { anthropicErrorBody } from "./errors.ts";
import { anthropicRequestToCanonical, ANTHROPIC_MESSAGES_PATH, canonicalToAnthropicRequest } from "./request.ts";
import { anthropicResponseToCanonical, canonicalToAnthropicResponse } from "./response.ts";
import { createAnthropicStreamReader, createAnthropicStreamWriter } from "./stream.ts";

export const anthropicClient: ClientFormat = {
  id: "anthropic",
  parseRequest: (body) => anthropicRequestToCanonical(body),
  renderResponse: (res, ctx) => canonicalToAnthropicResponse(res, ctx),
  createStreamWriter: (ctx) => createAnthropicStreamWriter(ctx),
  streamContentType: () => "text/event-stream; charset=utf-8",
  errorBody: (err) => anthropicErrorBody(err),
};

export const anthropicUpstream: UpstreamFormatAdapter = {
  format: "anthropic",
  buildRequest: (req, upstreamModel) => ({ path: ANTHROPIC_MESSAGES_PATH, body: canonicalToAnthropicRequest(req, upstreamModel) }),
  parseResponse: (body) => anthropicResponseToCanonical(body),
  createStreamReader: () => createAnthropicStreamReader(),
};
