// POST /v1/responses — OpenAI Responses clients (Codex CLI, client.responses.*). To a
// Responses-API upstream (a provider node with apiType "responses") the request is a
// pass-through: the client's body with the upstream model id, the answer's bytes unchanged and
// read on the side for usage. Every other upstream is reached by translation (translate.ts).
//
// Routing reads only the model and `stream` (peek), so a pass-through is neither paid for nor
// refused by the translator: state kept at the upstream (previous_response_id, conversation,
// background) reaches a Responses node that can honour it. A request routed to any other
// upstream is read in full, and one that needs such state is a 400 before anything is sent.
import { GatewayError } from "../../errors.ts";
import { openAiResponsesClient, openAiResponsesUpstream, RESPONSES_PATH, responsesStreamContext } from "../../formats/openai-responses/index.ts";
import type { ClientEndpoint } from "../client-request.ts";
import { passthrough } from "../passthrough.ts";

export const responsesEndpoint: ClientEndpoint = {
  client: openAiResponsesClient,
  endpoint: "/v1/responses",
  nativeFormat: "openai-responses",
  peek(body) {
    const { model, stream } = body;
    if (typeof model !== "string" || model === "") throw new GatewayError(400, "invalid_request", "model is required", { param: "model" });
    if (stream !== undefined && stream !== null && typeof stream !== "boolean") {
      throw new GatewayError(400, "invalid_request", "stream must be a boolean", { param: "stream" });
    }
    return { model, stream: stream === true, streamCtx: responsesStreamContext(body, model) };
  },
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
