// OpenAI embeddings ⇄ Gemini's batchEmbedContents (generativelanguage v1beta):
//   POST /models/{model}:batchEmbedContents
//   {requests:[{model:"models/{model}", content:{parts:[{text}]}, outputDimensionality?, taskType?}]}
//   → {embeddings:[{values:[...]}], usageMetadata?}
// One request per input, answers in the same order (ai.google.dev/api/embeddings).
import type { UpstreamRequest } from "../types.ts";
import { embeddingList, type OpenAiEmbeddingList } from "./openai.ts";

/** The API takes at most 100 requests per batch; longer inputs are sent as several batches. */
export const GEMINI_EMBED_BATCH = 100;

export interface GeminiEmbedOptions {
  dimensions?: number;
  /** Gemini's own task hint (RETRIEVAL_QUERY, RETRIEVAL_DOCUMENT, …), passed when a client sets it. */
  taskType?: string;
}

export function geminiBatchEmbedRequest(texts: string[], model: string, opts: GeminiEmbedOptions = {}): UpstreamRequest {
  const requests = texts.map((text) => ({
    model: `models/${model}`,
    content: { parts: [{ text }] },
    ...(opts.dimensions ? { outputDimensionality: opts.dimensions } : {}),
    ...(opts.taskType ? { taskType: opts.taskType } : {}),
  }));
  return { path: `/models/${encodeURIComponent(model)}:batchEmbedContents`, body: { requests } };
}

export interface GeminiEmbedBatch {
  vectors: number[][];
  /** usageMetadata.promptTokenCount when the API reports it (older embedding models do not). */
  promptTokens: number | null;
}

export function geminiBatchEmbedResponse(body: unknown, expected: number): GeminiEmbedBatch {
  const o = (body ?? {}) as Record<string, any>;
  if (!Array.isArray(o.embeddings)) throw new Error("no embeddings in the answer");
  const vectors = o.embeddings.map((e: any) => {
    if (!e || !Array.isArray(e.values)) throw new Error("an embedding without values");
    return e.values as number[];
  });
  if (vectors.length !== expected) throw new Error(`${vectors.length} embeddings for ${expected} inputs`);
  const usage = o.usageMetadata ?? o.usage_metadata;
  const tokens = usage?.promptTokenCount ?? usage?.prompt_token_count ?? usage?.totalTokenCount;
  return { vectors, promptTokens: typeof tokens === "number" ? tokens : null };
}

/** The batches' answers, in order, as one OpenAI list. */
export function geminiEmbeddingsToOpenAi(batches: GeminiEmbedBatch[], model: string): OpenAiEmbeddingList {
  const known = batches.every((b) => b.promptTokens !== null);
  const tokens = known ? batches.reduce((n, b) => n + b.promptTokens!, 0) : null;
  return embeddingList(batches.flatMap((b) => b.vectors), model, tokens);
}
