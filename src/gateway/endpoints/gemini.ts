// /v1beta/models/{model}:generateContent | :streamGenerateContent — Gemini clients
// (@google/genai, the Gemini CLI). The model and streaming come from the URL, not the body.
import { GatewayError } from "../../errors.ts";
import { geminiClient, geminiUpstream } from "../../formats/gemini/index.ts";
import type { ClientEndpoint } from "../client-request.ts";
import { passthrough } from "../passthrough.ts";

export type GeminiAction = "generateContent" | "streamGenerateContent" | "countTokens";

/** Splits "openai/gpt-4o:streamGenerateContent" (a model id may itself contain "/" and ":"). */
export function parseGeminiPath(rest: string): { model: string; action: string } {
  const decoded = decodeURIComponent(rest);
  const colon = decoded.lastIndexOf(":");
  if (colon <= 0) throw new GatewayError(404, "not_found", `Unknown Gemini method for "${decoded}"; expected {model}:generateContent`);
  return { model: decoded.slice(0, colon), action: decoded.slice(colon + 1) };
}

export function geminiEndpoint(model: string, action: GeminiAction): ClientEndpoint {
  const stream = action === "streamGenerateContent";
  return {
    client: geminiClient,
    endpoint: `/v1beta/models:${action}`,
    nativeFormat: "gemini",
    read(body, request) {
      const canonical = geminiClient.parseRequest(body, { pathModel: model, pathStream: stream });
      const sse = new URL(request.url).searchParams.get("alt") === "sse";
      return { canonical, streamCtx: { requestedModel: model, includeUsage: true, sse } };
    },
    passthrough: passthrough({
      adapter: geminiUpstream,
      path: (ctx) => `/models/${ctx.target.model}:${action}${ctx.streamCtx.sse ? "?alt=sse" : ""}`,
      body: (ctx) => ctx.body,
      isNativeError: (b) => !!b && typeof b === "object" && typeof (b as any).error?.status === "string",
      streamed: () => stream,
    }),
  };
}
