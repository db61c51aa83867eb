// OpenAI's image generation wire (POST /v1/images/generations): the shape clients send and
// receive; other upstreams are translated to and from it (together.ts, fireworks.ts, xai.ts).
import { NO_USAGE, type TokenUsage } from "../../usage/tokens.ts";

export type ImageResponseFormat = "url" | "b64_json";

export interface OpenAiImage {
  url?: string;
  b64_json?: string;
  revised_prompt?: string;
}

export interface OpenAiImagesResponse {
  created: number;
  data: OpenAiImage[];
  usage?: unknown;
}

/** "1024x1024" → [1024, 1024]; null for anything else (e.g. gpt-image-1's "auto"). */
export function parseSize(size: unknown): [number, number] | null {
  if (typeof size !== "string") return null;
  const m = /^(\d{2,5})x(\d{2,5})$/.exec(size.trim());
  return m ? [Number(m[1]), Number(m[2])] : null;
}

/** A base64 image as an OpenAI `url`: a data URL, for upstreams that only return the bytes. */
export function dataUrl(b64: string, mime = "image/png"): string {
  return `data:${mime};base64,${b64}`;
}

/** Strips a "data:image/png;base64," prefix some upstreams put on their base64 strings. */
export function bareBase64(text: string): { b64: string; mime?: string } {
  const m = /^data:([^;,]+);base64,/.exec(text);
  return m ? { b64: text.slice(m[0].length), mime: m[1] } : { b64: text };
}

export function imageCount(res: unknown): number | undefined {
  const data = (res as { data?: unknown } | null)?.data;
  return Array.isArray(data) ? data.length : undefined;
}

/** gpt-image-1 reports tokens ({input_tokens, output_tokens, total_tokens}); DALL·E reports none. */
export function imagesUsage(res: unknown): TokenUsage {
  const u = (res as { usage?: Record<string, unknown> } | null)?.usage;
  if (!u || typeof u !== "object") return NO_USAGE;
  const n = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);
  const prompt = n(u.input_tokens) ?? n(u.prompt_tokens);
  const completion = n(u.output_tokens) ?? n(u.completion_tokens);
  const total = n(u.total_tokens) ?? (prompt !== null && completion !== null ? prompt + completion : null);
  if (prompt === null && completion === null && total === null) return NO_USAGE;
  return { promptTokens: prompt, completionTokens: completion, totalTokens: total, cachedTokens: null, reasoningTokens: null };
}
