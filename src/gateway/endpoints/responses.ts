// POST /v1/responses — OpenAI Responses clients (Codex CLI, client.responses.*). No upstream
// in the registry speaks Responses, so every request is translated.
import { openAiResponsesClient, responsesStreamContext } from "../../formats/openai-responses/index.ts";
import type { ClientEndpoint } from "../client-request.ts";

export const responsesEndpoint: ClientEndpoint = {
  client: openAiResponsesClient,
  endpoint: "/v1/responses",
  nativeFormat: null,
  read(body) {
    const canonical = openAiResponsesClient.parseRequest(body, {});
    return { canonical, streamCtx: responsesStreamContext(body, canonical.model) };
  },
};
