// POST /api/chat and /v1/api/chat — Ollama clients (Open WebUI, the ollama SDKs).
import { ollamaClient, ollamaUpstream } from "../../formats/ollama/index.ts";
import type { ClientEndpoint } from "../client-request.ts";
import { passthrough } from "../passthrough.ts";

export const ollamaChatEndpoint: ClientEndpoint = {
  client: ollamaClient,
  endpoint: "/api/chat",
  nativeFormat: "ollama",
  read(body) {
    const canonical = ollamaClient.parseRequest(body, {});
    return { canonical, streamCtx: { requestedModel: canonical.model, includeUsage: true } };
  },
  passthrough: passthrough({
    adapter: ollamaUpstream,
    path: () => "/api/chat",
    // Ollama streams unless told otherwise; make that explicit for the upstream.
    body: (ctx) => ({ ...ctx.body, model: ctx.target.model, stream: ctx.body.stream !== false }),
    isNativeError: (b) => !!b && typeof b === "object" && typeof (b as any).error === "string",
    streamed: (ctx) => ctx.body.stream !== false,
  }),
};
