// The OpenAI Responses API (POST /v1/responses) as a client format: Codex CLI and the openai
// SDKs' client.responses.*. There is no Responses upstream adapter yet; the stream reader and
// responsesResponseToCanonical are ready for one.
import type { ClientFormat } from "../types.ts";
import type { ResponsesClientContext } from "./envelope.ts";
import { responsesErrorBody } from "./errors.ts";
import { responsesRequestToCanonical } from "./request.ts";
import { canonicalToResponsesResponse } from "./response.ts";
import { createResponsesStreamWriter } from "./stream.ts";

export type { ResponsesClientContext } from "./envelope.ts";
export { responsesRequestToCanonical } from "./request.ts";
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
