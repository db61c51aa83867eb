/** Token counts as the upstream reported them (never re-computed: clients see the upstream's numbers). */
export interface TokenUsage {
  promptTokens: number | null;
  completionTokens: number | null;
  totalTokens: number | null;
  cachedTokens: number | null;
  reasoningTokens: number | null;
}

export const NO_USAGE: TokenUsage = {
  promptTokens: null,
  completionTokens: null,
  totalTokens: null,
  cachedTokens: null,
  reasoningTokens: null,
};

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

/** OpenAI Chat usage object (also what OpenRouter, Groq, DeepSeek… send). */
export function usageFromOpenAi(u: unknown): TokenUsage {
  if (!u || typeof u !== "object") return NO_USAGE;
  const o = u as Record<string, any>;
  const prompt = num(o.prompt_tokens);
  const completion = num(o.completion_tokens);
  return {
    promptTokens: prompt,
    completionTokens: completion,
    totalTokens: num(o.total_tokens) ?? (prompt !== null && completion !== null ? prompt + completion : null),
    // DeepSeek reports cache hits as prompt_cache_hit_tokens rather than prompt_tokens_details.
    cachedTokens: num(o.prompt_tokens_details?.cached_tokens) ?? num(o.prompt_cache_hit_tokens),
    reasoningTokens: num(o.completion_tokens_details?.reasoning_tokens),
  };
}
