// OpenAI's embeddings wire (POST /v1/embeddings), the shape every client of /v1/embeddings
// speaks and most upstreams answer in. Pure functions; I/O lives in src/gateway/media.
import { GatewayError } from "../../errors.ts";

/** One embedding as OpenAI returns it: floats, or base64 when `encoding_format: "base64"`. */
export interface OpenAiEmbedding {
  object: "embedding";
  index: number;
  embedding: number[] | string;
}

export interface OpenAiEmbeddingList {
  object: "list";
  data: OpenAiEmbedding[];
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}

/**
 * The request's inputs as a list: OpenAI accepts one string, an array of strings, one token
 * array or an array of token arrays. Token arrays only make sense to an upstream with the
 * same tokenizer, so translators that need text call `textInputs` instead.
 */
export function inputsOf(input: unknown): (string | number[])[] {
  if (typeof input === "string") return [input];
  if (Array.isArray(input)) {
    if (input.length > 0 && input.every((v) => typeof v === "number")) return [input as number[]];
    return input as (string | number[])[];
  }
  return [];
}

export function textInputs(input: unknown, providerId: string): string[] {
  const inputs = inputsOf(input);
  if (inputs.some((v) => typeof v !== "string")) {
    throw new GatewayError(400, "invalid_request", `Token-array input is not supported by ${providerId}; send the text instead.`, { param: "input" });
  }
  return inputs as string[];
}

/**
 * The vector as OpenAI's `encoding_format: "base64"` sends it: the float32 values,
 * little-endian, base64-encoded (what the openai SDKs decode with a Float32Array).
 */
export function embeddingToBase64(values: readonly number[]): string {
  const floats = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) floats[i] = values[i]!;
  // Float32Array uses the platform's byte order; every platform Bun runs on is little-endian.
  return Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength).toString("base64");
}

export function base64ToEmbedding(text: string): number[] {
  const bytes = Buffer.from(text, "base64");
  return Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, Math.floor(bytes.byteLength / 4)));
}

/** Re-encodes float vectors as base64 (vectors already in base64 are left as they are). */
export function encodeEmbeddings<T extends { data?: unknown }>(list: T): T {
  if (!Array.isArray(list.data)) return list;
  const data = list.data.map((d: any) => (d && Array.isArray(d.embedding) ? { ...d, embedding: embeddingToBase64(d.embedding) } : d));
  return { ...list, data };
}

export function embeddingList(vectors: number[][], model: string, promptTokens: number | null): OpenAiEmbeddingList {
  const tokens = promptTokens ?? 0;
  return {
    object: "list",
    data: vectors.map((embedding, index) => ({ object: "embedding", index, embedding })),
    model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}
