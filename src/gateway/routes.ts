// The client-facing gateway: /v1/* in OpenAI format (other formats plug in beside it).
import { Elysia } from "elysia";
import { GatewayError } from "../errors.ts";
import { openAiErrorResponse } from "../formats/openai-chat/errors.ts";
import type { Services } from "../services.ts";
import { authenticate } from "./auth.ts";
import { listModels } from "./models.ts";
import { handleOpenAiChat } from "./openai-chat.ts";

export function gatewayRoutes(services: Services) {
  const guarded = (request: Request, fn: () => Response): Response => {
    try {
      authenticate(request, services);
      return fn();
    } catch (err) {
      if (err instanceof GatewayError) return openAiErrorResponse(err);
      throw err;
    }
  };

  return (
    new Elysia({ name: "gateway" })
      // parse: "none" — the handler reads the raw body itself so malformed JSON gets an
      // OpenAI-shaped 400 and the bytes can be forwarded without a second parse.
      .post("/v1/chat/completions", ({ request }) => handleOpenAiChat(request, services), { parse: "none" })
      .get("/v1/models", ({ request }) => guarded(request, () => Response.json({ object: "list", data: listModels(services) })))
      .head("/v1/models", ({ request }) => guarded(request, () => new Response(null, { status: 200, headers: { "content-type": "application/json" } })))
      .get("/v1/models/*", ({ request, params }) =>
        guarded(request, () => {
          const id = decodeURIComponent(params["*"]);
          const model = listModels(services).find((m) => m.id === id);
          if (!model) throw new GatewayError(404, "model_not_found", `The model \`${id}\` does not exist.`, { param: "model" });
          return Response.json(model);
        }),
      )
  );
}
