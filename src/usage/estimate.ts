// Token estimates for when the upstream reports no usage (a client that disconnects before
// the final usage chunk, an upstream that never sends one) and for budget admission before
// a request runs. Deliberately cheap: ~4 characters per token, the rule of thumb OpenAI and
// Anthropic both give for English text; images at a flat rate. Costs built on these are
// marked `costEstimated` so nobody mistakes them for billed numbers.
import type { CanonicalRequest, ContentPart } from "../formats/canonical.ts";

const CHARS_PER_TOKEN = 4;
/** Anthropic's estimate for a ~1000×1000 image is w×h/750 ≈ 1334 tokens; OpenAI high detail ≈ 765–1105. */
const IMAGE_TOKENS = 1_000;
/** Per-message framing (role markers), as OpenAI's cookbook counts it. */
const MESSAGE_OVERHEAD = 4;

function partChars(part: ContentPart): number {
  switch (part.type) {
    case "text":
    case "thinking":
      return part.text.length;
    case "tool_call":
      return part.name.length + part.arguments.length;
    case "tool_result":
      return part.content.reduce((n, p) => n + partChars(p), 0);
    case "image":
    case "document":
      return IMAGE_TOKENS * CHARS_PER_TOKEN;
    default:
      return 0;
  }
}

export function estimateInputTokens(req: CanonicalRequest): number {
  let chars = req.system.reduce((n, p) => n + partChars(p), 0);
  let overhead = 0;
  for (const m of req.messages) {
    overhead += MESSAGE_OVERHEAD;
    for (const p of m.content) chars += partChars(p);
  }
  for (const tool of req.tools ?? []) {
    chars += tool.name.length + (tool.description?.length ?? 0) + JSON.stringify(tool.parameters).length;
  }
  return Math.ceil(chars / CHARS_PER_TOKEN) + overhead;
}

/**
 * Output tokens of a stream the upstream did not account for: streamed chat sends about one
 * token per content chunk (OpenAI, Gemini); Anthropic's deltas carry a few, so this errs low.
 */
export function estimateOutputTokens(streamChunks: number): number {
  return Math.max(0, streamChunks);
}

/**
 * Input tokens of a request in any client format: from its canonical form when that reads,
 * else from the raw body's size (a pass-through body the translator would refuse).
 */
export function estimateRequestTokens(canonical: () => CanonicalRequest, raw: unknown): number {
  try {
    return estimateInputTokens(canonical());
  } catch {
    return Math.ceil(JSON.stringify(raw ?? "").length / CHARS_PER_TOKEN);
  }
}

/** The output cap a client set, whatever its format calls it (OpenAI, Responses, Anthropic, Gemini, Ollama). */
export function maxTokensOf(body: Record<string, unknown>): number | undefined {
  const gen = body.generationConfig as Record<string, unknown> | undefined;
  const opts = body.options as Record<string, unknown> | undefined;
  for (const v of [body.max_completion_tokens, body.max_tokens, body.max_output_tokens, gen?.maxOutputTokens, opts?.num_predict]) {
    if (typeof v === "number" && Number.isFinite(v) && v > 0) return v;
  }
  return undefined;
}
