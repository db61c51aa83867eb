// The media endpoints: embeddings, image generation, audio transcription, their model lists
// (GET on the same paths, as the API reference has it) and the dedicated provider routes.
import { Elysia } from "elysia";
import { GatewayError } from "../../errors.ts";
import { openAiChatClient } from "../../formats/openai-chat/index.ts";
import type { ModelType } from "../../providers/types.ts";
import type { Services } from "../../services.ts";
import { authenticate } from "../auth.ts";
import { clientErrorResponse } from "../client-errors.ts";
import type { HotHandler } from "../client-request.ts";
import { listModels } from "../models.ts";
import { transcriptionsEndpoint } from "./audio.ts";
import { embeddingsEndpoint } from "./embeddings.ts";
import { imagesEndpoint } from "./images.ts";
import { handleMediaRequest } from "./media-request.ts";

const NO_PARSE = { parse: "none" } as const;

/** Embeddings are called in bulk (indexing): served by Bun's router directly, like chat (src/server.ts). */
export function mediaHotRoutes(services: Services): Record<string, HotHandler> {
  return { "/v1/embeddings": (request, clientIp) => handleMediaRequest(request, services, embeddingsEndpoint, undefined, clientIp) };
}

export function mediaRoutes(services: Services) {
  /** The callable models of one type, in GET /v1/models' shape. */
  const modelsOfType = (request: Request, type: ModelType): Response => {
    try {
      authenticate(request, services);
      return Response.json({ object: "list", data: listModels(services).filter((m) => m.type === type) });
    } catch (err) {
      if (err instanceof GatewayError) return clientErrorResponse(openAiChatClient, err);
      throw err;
    }
  };
  const provider = (p: { provider: string }) => decodeURIComponent(p.provider);

  return new Elysia({ name: "gateway-media" })
    .post("/v1/embeddings", ({ request }) => handleMediaRequest(request, services, embeddingsEndpoint), NO_PARSE)
    .get("/v1/embeddings", ({ request }) => modelsOfType(request, "embedding"))
    .post("/v1/images/generations", ({ request }) => handleMediaRequest(request, services, imagesEndpoint), NO_PARSE)
    .get("/v1/images/generations", ({ request }) => modelsOfType(request, "image"))
    .post("/v1/audio/transcriptions", ({ request }) => handleMediaRequest(request, services, transcriptionsEndpoint), NO_PARSE)
    .get("/v1/audio/transcriptions", ({ request }) => modelsOfType(request, "audio"))
    .post(
      "/v1/providers/:provider/embeddings",
      ({ request, params }) => handleMediaRequest(request, services, embeddingsEndpoint, provider(params)),
      NO_PARSE,
    )
    .post(
      "/v1/providers/:provider/images/generations",
      ({ request, params }) => handleMediaRequest(request, services, imagesEndpoint, provider(params)),
      NO_PARSE,
    );
}
