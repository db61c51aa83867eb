// The Ollama native API (/api/chat) as a client format and as an upstream format.
import type { ClientFormat, UpstreamFormatAdapter } from "../types.ts";
import { ollamaErrorBody } from "./errors.ts";
import { canonicalToOllamaRequest, ollamaRequestToCanonical } from "./request.ts";
import { canonicalToOllamaResponse, ollamaResponseToCanonical } from "./response.ts";
import { createOllamaStreamReader, createOllamaStreamWriter } from "./stream.ts";

export { ollamaErrorBody, ollamaStreamErrorLine } from "./errors.ts";
export { canonicalToOllamaRequest, ollamaRequestToCanonical } from "./request.ts";
export { canonicalToOllamaResponse, ollamaResponseToCanonical } from "./response.ts";
export { createOllamaStreamReader, createOllamaStreamWriter } from "./stream.ts";
export { ollamaTagsFromModels } from "./tags.ts";

export const ollamaClient: ClientFormat = {
  id: "ollama",
  parseRequest: (body) => ollamaRequestToCanonical(body),
  renderResponse: (res, ctx) => canonicalToOllamaResponse(res, ctx),
  createStreamWriter: (ctx) => createOllamaStreamWriter(ctx),
  // What `ollama serve` sends for a streamed /api/chat.
  streamContentType: () => "application/x-ndjson",
  errorBody: (err) => ollamaErrorBody(err),
};

export const ollamaUpstream: UpstreamFormatAdapter = {
  format: "ollama",
  buildRequest: (req, model) => canonicalToOllamaRequest(req, model),
  parseResponse: (body) => ollamaResponseToCanonical(body),
  createStreamReader: () => createOllamaStreamReader(),
};
