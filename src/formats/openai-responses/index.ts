// The OpenAI Responses API (POST /v1/responses) as a client format (Codex CLI and the openai
// SDKs' client.responses.*) and as an upstream format ("openai-responses": provider nodes with
// apiType "responses"). Same format on both sides is a byte pass-through handled by
// src/gateway/endpoints/responses.ts; these translators serve the other pairs.
import type { ClientFormat, UpstreamFormatAdapter } from "../types.ts";
import type { ResponsesClientContext } from "./envelope.ts";
import { responsesErrorBody } from "./errors.ts";
import { responsesRequestToCanonical } from "./request.ts";
import { canonicalToResponsesRequest, RESPONSES_PATH } from "./request-writer.ts";
import { canonicalToResponsesResponse, responsesResponseToCanonical } from "./response.ts";
import { createResponsesStreamReader, createResponsesStreamWriter } from "./stream.ts";

export type { ResponsesClientContext } from "./envelope.ts";
export { responsesRequestToCanonical } from "./request.ts";
export { canonicalToResponsesRequest, RESPONSES_PATH } from "./request-writer.ts";
export { canonicalToResponsesResponse, responsesOutputText, responsesResponseToCanonical } from "./response.ts";
export { createResponsesStreamReader, createResponsesStreamWriter } from "./stream.ts";

/**
 * The stream context for a Responses request: the writers echo the request's parameters in
 * every Response object and need the client's `custom` tools, so the body travels with it.
 */
export function responsesStreamContext(body: unknown, requestedModel: string): ResponsesClientContext {
  return { requestedModel, includeUsage: true, clientRequest: body };
}

export const openAiResponsesClient: ClientFormat = {
  id: "openai-responses",
  parseRequest: (body, ctx) => responsesRequestToCanonical(body, ctx),
  renderResponse: (res, ctx) => canonicalToResponsesResponse(res, ctx),
  createStreamWriter: (ctx) => createResponsesStreamWriter(ctx),
  streamContentType: () => "text/event-stream; charset=utf-8",
  errorBody: (err) => responsesErrorBody(err),
};

/**
 * Upstream errors are OpenAI's {"error":{message,type,param,code}} (read by
 * src/gateway/upstream-error.ts like the Chat adapter's); errors inside a stream arrive as an
 * `error` event or a `response.failed`, which the stream reader turns into an error event.
 */
export const openAiResponsesUpstream: UpstreamFormatAdapter = {
  format: "openai-responses",
  buildRequest: (req, upstreamModel) => ({ path: RESPONSES_PATH, body: canonicalToResponsesRequest(req, upstreamModel) }),
  parseResponse: responsesResponseToCanonical,
  createStreamReader: createResponsesStreamReader,
};
