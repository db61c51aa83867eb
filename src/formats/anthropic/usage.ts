// Anthropic usage ↔ canonical TokenUsage. Anthropic splits the prompt into uncached input,
// cache reads and cache writes (docs.anthropic.com/en/docs/build-with-claude/prompt-caching
// "Tracking cache performance": total input = input_tokens + cache_creation_input_tokens +
// cache_read_input_tokens); canonical promptTokens is that total, cachedTokens the reads.
import { NO_USAGE, type TokenUsage } from "../../usage/tokens.ts";

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

export interface AnthropicUsage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  output_tokens: number;
}

export function usageFromAnthropic(u: unknown): TokenUsage {
  if (!u || typeof u !== "object") return NO_USAGE;
  const o = u as Record<string, unknown>;
  const input = num(o.input_tokens);
  const read = num(o.cache_read_input_tokens);
  const write = num(o.cache_creation_input_tokens);
  const output = num(o.output_tokens);
  const prompt = input === null && read === null && write === null ? null : (input ?? 0) + (read ?? 0) + (write ?? 0);
  return {
    promptTokens: prompt,
    completionTokens: output,
    totalTokens: prompt !== null && output !== null ? prompt + output : null,
    cachedTokens: read,
    reasoningTokens: null,
  };
}

/** Canonical → Anthropic: input_tokens is the prompt minus what was read from cache. */
export function anthropicUsageFrom(u: TokenUsage): AnthropicUsage {
  const cached = u.cachedTokens ?? 0;
  return {
    input_tokens: Math.max(0, (u.promptTokens ?? 0) - cached),
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: cached,
    output_tokens: u.completionTokens ?? 0,
  };
}
