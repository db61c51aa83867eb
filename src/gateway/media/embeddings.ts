// POST /v1/embeddings. OpenAI-compatible upstreams (OpenAI, Mistral, Together, Fireworks,
// Nebius, NVIDIA, nodes…) get the client's body with their own model id; Gemini is translated
// to batchEmbedContents and Ollama to /api/embed. `encoding_format: "base64"` is produced here
// from float vectors rather than asked of the upstream: not every compatible server implements
// it, and the openai SDKs ask for base64 by default.
import { z } from "zod";
import { GatewayError } from "../../errors.ts";
import { GEMINI_EMBED_BATCH, geminiBatchEmbedRequest, geminiBatchEmbedResponse, geminiEmbeddingsToOpenAi, type GeminiEmbedBatch } from "../../formats/embeddings/gemini.ts";
import { ollamaEmbedRequest, ollamaEmbedToOpenAi } from "../../formats/embeddings/ollama.ts";
import { encodeEmbeddings, inputsOf, textInputs } from "../../formats/embeddings/openai.ts";
import { usageFromOpenAi } from "../../usage/tokens.ts";
import { readJsonBody, validateBody } from "../body.ts";
import { estimateTextTokens, type MediaAnswer, type MediaEndpoint, type MediaInput } from "./media-request.ts";
import type { MediaUpstream } from "./upstream.ts";

const tokenArray = z.array(z.number().int());
const EmbeddingsBody = z.looseObject({
  model: z.string().trim().min(1, "model is required"),
  input: z.union([
    z.string(),
    z.array(z.string()).min(1, "input must not be empty"),
    tokenArray.min(1, "input must not be empty"),
    z.array(tokenArray.min(1)).min(1, "input must not be empty"),
  ]),
  encoding_format: z.enum(["float", "base64"]).optional(),
  dimensions: z.number().int().positive().optional(),
  user: z.string().optional(),
});

type EmbeddingsBody = z.infer<typeof EmbeddingsBody>;

export const embeddingsEndpoint: MediaEndpoint<EmbeddingsBody> = {
  endpoint: "/v1/embeddings",
  path: "embeddings",
  async read(request): Promise<MediaInput<EmbeddingsBody>> {
    const body = validateBody(EmbeddingsBody, await readJsonBody(request));
    return { model: body.model, payload: body, fields: body, estimateInputTokens: () => estimateTextTokens(inputsOf(body.input)) };
  },
  async send(up, input) {
    const answer = await sendEmbeddings(up, input);
    if (input.payload.encoding_format === "base64") answer.body = encodeEmbeddings(answer.body as { data?: unknown });
    return answer;
  },
};

async function sendEmbeddings(up: MediaUpstream, input: MediaInput<EmbeddingsBody>): Promise<MediaAnswer> {
  const { provider, model } = up.target;
  const body = input.payload;
  const requested = up.rec.requestedModel ?? model;
  switch (provider.format) {
    // A Responses-API node is an OpenAI-compatible server: its /embeddings is OpenAI's too.
    case "openai":
    case "openai-responses": {
      const { encoding_format: _, ...rest } = body;
      const parsed = (await up.json({ path: "/embeddings", json: { ...provider.media?.embeddingDefaults, ...rest, model } })) as Record<string, unknown>;
      if (!Array.isArray(parsed?.data)) throw up.badResponse("an answer without embeddings");
      return { body: parsed, usage: usageFromOpenAi(parsed.usage) };
    }
    case "gemini": {
      const texts = textInputs(body.input, provider.id);
      const taskType = typeof body.task_type === "string" ? body.task_type : undefined;
      const batches: GeminiEmbedBatch[] = [];
      for (let i = 0; i < texts.length; i += GEMINI_EMBED_BATCH) {
        const chunk = texts.slice(i, i + GEMINI_EMBED_BATCH);
        const req = geminiBatchEmbedRequest(chunk, model, { dimensions: body.dimensions, taskType });
        const res = await up.json({ path: req.path, json: req.body });
        batches.push(up.parse(() => geminiBatchEmbedResponse(res, chunk.length)));
      }
      const list = geminiEmbeddingsToOpenAi(batches, requested);
      return { body: list, usage: tokensOrNone(batches.every((b) => b.promptTokens !== null) ? list.usage.prompt_tokens : null) };
    }
    case "ollama": {
      const req = ollamaEmbedRequest(textInputs(body.input, provider.id), model, body.dimensions);
      const res = await up.json({ path: req.path, json: req.body });
      const list = up.parse(() => ollamaEmbedToOpenAi(res, requested));
      return { body: list, usage: tokensOrNone((res as { prompt_eval_count?: unknown }).prompt_eval_count === undefined ? null : list.usage.prompt_tokens) };
    }
    default:
      throw new GatewayError(400, "invalid_request", `Provider "${provider.id}" does not offer embeddings.`, { param: "model" });
  }
}

function tokensOrNone(tokens: number | null) {
  return { promptTokens: tokens, completionTokens: tokens === null ? null : 0, totalTokens: tokens, cachedTokens: null, reasoningTokens: null };
}
