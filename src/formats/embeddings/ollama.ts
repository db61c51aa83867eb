// OpenAI embeddings ⇄ Ollama's native /api/embed (github.com/ollama/ollama docs/api.md):
//   {model, input: string | string[], dimensions?} → {model, embeddings:[[...]], prompt_eval_count}
import type { UpstreamRequest } from "../types.ts";
import { embeddingList, type OpenAiEmbeddingList } from "./openai.ts";

export function ollamaEmbedRequest(texts: string[], model: string, dimensions?: number): UpstreamRequest {
  return { path: "/api/embed", body: { model, input: texts, ...(dimensions ? { dimensions } : {}) } };
}

export function ollamaEmbedToOpenAi(body: unknown, model: string): OpenAiEmbeddingList {
  const o = (body ?? {}) as Record<string, any>;
  if (!Array.isArray(o.embeddings) || !o.embeddings.every(Array.isArray)) throw new Error("no embeddings in the answer");
  return embeddingList(o.embeddings, model, typeof o.prompt_eval_count === "number" ? o.prompt_eval_count : null);
}
