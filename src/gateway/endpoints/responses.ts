// POST /v1/responses — OpenAI Responses clients (Codex CLI, client.responses.*). To a
// Responses-API upstream (a provider node with apiType "responses") the request is a
// pass-through: the client's body with the upstream model id, the answer's bytes unchanged and
// read on the side for usage. Every other upstream is reached by translation (translate.ts).
//
// The body is still read into the canonical form first (as for Anthropic → Anthropic), so a
// malformed request, or one that needs state stored at OpenAI (previous_response_id,
// conversation, background), is a 400 before anything is sent, whichever target it routes to.
import { openAiResponsesClient, openAiResponsesUpstream, RESPONSES_PATH, responsesStreamContext } from "../../formats/openai-responses/index.ts";
import type { ClientEndpoint } from "../client-request.ts";
import { passthrough } from "../passthrough.ts";

export const responsesEndpoint: ClientEndpoint = {
  client: openAiResponsesClient,
  endpoint: "/v1/responses",
  nativeFormat: "openai-responses",
  read(body) {
    const canonical = openAiResponsesClient.parseRequest(body, {});
    return { canonical, streamCtx: responsesStreamContext(body, canonical.model) };
  },
  passthrough: passthrough({
    adapter: openAiResponsesUpstream,
    path: () => RESPONSES_PATH,
    body: (ctx) => ({ ...ctx.body, model: ctx.target.model }),
    // OpenAI's own {"error":{message,type,param,code}} reaches the client as the upstream sent it.
    isNativeError: (b) => !!b && typeof b === "object" && !!(b as any).error && typeof (b as any).error === "object",
    streamed: (ctx) => ctx.body.stream === true,
  }),
};
