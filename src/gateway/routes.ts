// The client-facing gateway: one route per wire format's endpoints. Bodies are read by the
// handlers themselves (parse: "none") so malformed JSON gets an error in the client's own
// format and the bytes can be forwarded without a second parse.
import { Elysia } from "elysia";
import { GatewayError } from "../errors.ts";
import { anthropicClient } from "../formats/anthropic/index.ts";
import { geminiClient } from "../formats/gemini/index.ts";
import { ollamaClient } from "../formats/ollama/index.ts";
import { ollamaTagsFromModels } from "../formats/ollama/tags.ts";
import { openAiChatClient } from "../formats/openai-chat/index.ts";
import type { ClientFormat } from "../formats/types.ts";
import type { Services } from "../services.ts";
import { authenticate } from "./auth.ts";
import { clientErrorResponse } from "./client-errors.ts";
import { handleClientRequest, type HotHandler } from "./client-request.ts";
import { countTokensAnthropic, countTokensGemini } from "./count-tokens.ts";
import { anthropicMessagesEndpoint } from "./endpoints/anthropic.ts";
import { geminiEndpoint, parseGeminiPath } from "./endpoints/gemini.ts";
import { ollamaChatEndpoint } from "./endpoints/ollama.ts";
import { responsesEndpoint } from "./endpoints/responses.ts";
import { providerChatEndpoint } from "./endpoints/provider-chat.ts";
import { mediaHotRoutes, mediaRoutes } from "./media/routes.ts";
import { geminiModel, listModels } from "./models.ts";
import { openAiChatEndpoint } from "./openai-chat.ts";
import { VERSION } from "../config.ts";

const NO_PARSE = { parse: "none" } as const;

/** The busiest endpoints, served by Bun's router directly (see src/server.ts); Elysia keeps the same routes for app.handle. */
export function hotRoutes(services: Services): Record<string, HotHandler> {
  return {
    "/v1/chat/completions": (request, client) => handleClientRequest(request, services, openAiChatEndpoint, client),
    "/v1/messages": (request, client) => handleClientRequest(request, services, anthropicMessagesEndpoint, client),
    "/v1/responses": (request, client) => handleClientRequest(request, services, responsesEndpoint, client),
    ...mediaHotRoutes(services),
  };
}

export function gatewayRoutes(services: Services) {
  /** Runs a read-only handler behind the API-key check, errors in the client's format. */
  const guarded = async (client: ClientFormat, request: Request, fn: () => Response | Promise<Response>): Promise<Response> => {
    try {
      authenticate(request, services);
      return await fn();
    } catch (err) {
      if (err instanceof GatewayError) return clientErrorResponse(client, err);
      throw err;
    }
  };
  const chatModels = () => listModels(services).filter((m) => !m.type);
  const ollamaVersion = () => Response.json({ version: VERSION });
  const ollamaTags = () =>
    Response.json(ollamaTagsFromModels(chatModels().map((m) => ({ id: m.id, ownedBy: m.owned_by, type: "chat" })), new Date()));

  return (
    new Elysia({ name: "gateway" })
      // OpenAI Chat Completions and model listing.
      .post("/v1/chat/completions", ({ request }) => handleClientRequest(request, services, openAiChatEndpoint), NO_PARSE)
      // Dedicated provider routes: the provider from the path, the prefix added to a bare model.
      .post(
        "/v1/providers/:provider/chat/completions",
        ({ request, params }) => handleClientRequest(request, services, providerChatEndpoint(decodeURIComponent(params.provider), services.store)),
        NO_PARSE,
      )
      // Embeddings, images, audio transcription (src/gateway/media).
      .use(mediaRoutes(services))
      .get("/v1/models", ({ request }) => guarded(openAiChatClient, request, () => Response.json({ object: "list", data: listModels(services) })))
      .head("/v1/models", ({ request }) =>
        guarded(openAiChatClient, request, () => new Response(null, { status: 200, headers: { "content-type": "application/json" } })),
      )
      .get("/v1/models/*", ({ request, params }) =>
        guarded(openAiChatClient, request, () => {
          const id = decodeURIComponent(params["*"]);
          const model = listModels(services).find((m) => m.id === id);
          if (!model) throw new GatewayError(404, "model_not_found", `The model \`${id}\` does not exist.`, { param: "model" });
          return Response.json(model);
        }),
      )

      // OpenAI Responses.
      .post("/v1/responses", ({ request }) => handleClientRequest(request, services, responsesEndpoint), NO_PARSE)

      // Anthropic Messages.
      .post("/v1/messages", ({ request }) => handleClientRequest(request, services, anthropicMessagesEndpoint), NO_PARSE)
      .post("/v1/messages/count_tokens", ({ request }) => guarded(anthropicClient, request, () => countTokensAnthropic(request)), NO_PARSE)

      // Gemini.
      .get("/v1beta/models", ({ request }) => guarded(geminiClient, request, () => Response.json({ models: chatModels().map(geminiModel) })))
      .get("/v1beta/models/*", ({ request, params }) =>
        guarded(geminiClient, request, () => {
          const id = decodeURIComponent(params["*"]);
          const model = chatModels().find((m) => m.id === id);
          if (!model) throw new GatewayError(404, "model_not_found", `models/${id} is not found.`);
          return Response.json(geminiModel(model));
        }),
      )
      .post(
        "/v1beta/models/*",
        ({ request, params }) => {
          let route;
          try {
            route = parseGeminiPath(params["*"]);
          } catch (err) {
            return clientErrorResponse(geminiClient, err as GatewayError);
          }
          const { model, action } = route;
          if (action === "countTokens") return guarded(geminiClient, request, () => countTokensGemini(request, model));
          if (action !== "generateContent" && action !== "streamGenerateContent") {
            return clientErrorResponse(geminiClient, new GatewayError(404, "not_found", `Method ${action} is not supported by this gateway.`));
          }
          return handleClientRequest(request, services, geminiEndpoint(model, action));
        },
        NO_PARSE,
      )

      // Ollama (both paths: /api/chat is Ollama's own, /v1/api/chat the reference's).
      .post("/api/chat", ({ request }) => handleClientRequest(request, services, ollamaChatEndpoint), NO_PARSE)
      .post("/v1/api/chat", ({ request }) => handleClientRequest(request, services, ollamaChatEndpoint), NO_PARSE)
      // Ollama clients probe the server version before anything else. A client whose host is
      // set to ".../v1" (to reach /v1/api/chat) asks for the version and tags under /v1 too.
      .get("/api/version", () => ollamaVersion())
      .get("/v1/api/version", () => ollamaVersion())
      .get("/api/tags", ({ request }) => guarded(ollamaClient, request, ollamaTags))
      .get("/v1/api/tags", ({ request }) => guarded(ollamaClient, request, ollamaTags))
  );
}
