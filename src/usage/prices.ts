// Built-in prices for the registry's known models (src/providers/registry.ts), as data.
// Unit: US dollars per 1 million tokens. Fields:
//   input   uncached prompt tokens
//   output  completion tokens
//   cached  prompt tokens served from the provider's prompt cache (defaults to `input`)
//   reasoning  reasoning/thinking tokens (defaults to `output`: every provider below bills
//              them as output tokens)
//   cacheCreation  Anthropic's 5-minute cache write price, kept for reference only (the
//              canonical usage folds cache writes into the prompt, so they are billed at `input`)
// Standard (non-batch, non-priority) tier; where a provider has context-length tiers the
// lowest tier is used (Gemini 2.5 Pro: ≤200k tokens). Prices change: an operator corrects
// or adds one with PATCH /api/pricing, which always wins over this table.
import type { ModelPrice } from "./pricing-types.ts";

type Table = Record<string, Record<string, ModelPrice>>;

/** Embedding models bill input only. */
const embed = (input: number): ModelPrice => ({ input, output: 0 });

// Anthropic: cache reads are 0.1× and 5-minute cache writes 1.25× the input price
// (https://docs.claude.com/en/docs/about-claude/pricing).
const claude = (input: number, output: number): ModelPrice => ({
  input,
  output,
  cached: round(input * 0.1),
  cacheCreation: round(input * 1.25),
});

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

export const BUILTIN_PRICES: Table = {
  // https://platform.openai.com/docs/pricing (Standard tier)
  openai: {
    "gpt-5": { input: 1.25, cached: 0.125, output: 10 },
    "gpt-5-mini": { input: 0.25, cached: 0.025, output: 2 },
    "gpt-5-nano": { input: 0.05, cached: 0.005, output: 0.4 },
    "gpt-4.1": { input: 2, cached: 0.5, output: 8 },
    "gpt-4.1-mini": { input: 0.4, cached: 0.1, output: 1.6 },
    "gpt-4o": { input: 2.5, cached: 1.25, output: 10 },
    "gpt-4o-mini": { input: 0.15, cached: 0.075, output: 0.6 },
    o3: { input: 2, cached: 0.5, output: 8 },
    "o4-mini": { input: 1.1, cached: 0.275, output: 4.4 },
    "text-embedding-3-small": embed(0.02),
    "text-embedding-3-large": embed(0.13),
  },
  // https://docs.claude.com/en/docs/about-claude/pricing
  anthropic: {
    "claude-opus-4-6": claude(5, 25),
    "claude-sonnet-4-5-20250929": claude(3, 15),
    "claude-opus-4-1-20250805": claude(15, 75),
    "claude-sonnet-4-20250514": claude(3, 15),
    "claude-haiku-4-5-20251001": claude(1, 5),
    "claude-3-5-haiku-20241022": claude(0.8, 4),
  },
  // https://ai.google.dev/gemini-api/docs/pricing (paid tier; thinking tokens are output)
  gemini: {
    "gemini-2.5-pro": { input: 1.25, cached: 0.125, output: 10 },
    "gemini-2.5-flash": { input: 0.3, cached: 0.03, output: 2.5 },
    "gemini-2.5-flash-lite": { input: 0.1, cached: 0.01, output: 0.4 },
    "gemini-2.0-flash": { input: 0.1, cached: 0.025, output: 0.4 },
    "gemini-embedding-001": embed(0.15),
  },
  // https://openrouter.ai/models — OpenRouter passes the serving provider's price through;
  // these are the list prices of the default route.
  openrouter: {
    "openai/gpt-4o": { input: 2.5, cached: 1.25, output: 10 },
    "anthropic/claude-sonnet-4.5": claude(3, 15),
    "google/gemini-2.5-pro": { input: 1.25, cached: 0.125, output: 10 },
    "deepseek/deepseek-chat-v3.1": { input: 0.2, output: 0.8 },
    "meta-llama/llama-3.3-70b-instruct": { input: 0.13, output: 0.4 },
  },
  // https://groq.com/pricing
  groq: {
    "llama-3.3-70b-versatile": { input: 0.59, output: 0.79 },
    "llama-3.1-8b-instant": { input: 0.05, output: 0.08 },
    "openai/gpt-oss-120b": { input: 0.15, output: 0.75 },
    "moonshotai/kimi-k2-instruct": { input: 1, output: 3 },
  },
  // https://mistral.ai/pricing#api-pricing
  mistral: {
    "mistral-large-latest": { input: 2, output: 6 },
    "mistral-medium-latest": { input: 0.4, output: 2 },
    "mistral-small-latest": { input: 0.1, output: 0.3 },
    "codestral-latest": { input: 0.3, output: 0.9 },
    "magistral-medium-latest": { input: 2, output: 5 },
    "mistral-embed": embed(0.1),
    "codestral-embed": embed(0.15),
  },
  // https://api-docs.deepseek.com/quick_start/pricing — "cache hit" is the cached price;
  // deepseek-reasoner's chain of thought is billed as output.
  deepseek: {
    "deepseek-chat": { input: 0.28, cached: 0.028, output: 0.42 },
    "deepseek-reasoner": { input: 0.28, cached: 0.028, output: 0.42 },
  },
  // https://docs.x.ai/docs/models
  xai: {
    "grok-4": { input: 3, cached: 0.75, output: 15 },
    "grok-4-fast-reasoning": { input: 0.2, cached: 0.05, output: 0.5 },
    "grok-3": { input: 3, cached: 0.75, output: 15 },
    "grok-3-mini": { input: 0.3, cached: 0.075, output: 0.5 },
    "grok-code-fast-1": { input: 0.2, cached: 0.02, output: 1.5 },
  },
  // https://www.together.ai/pricing
  together: {
    "meta-llama/Llama-3.3-70B-Instruct-Turbo": { input: 0.88, output: 0.88 },
    "deepseek-ai/DeepSeek-V3": { input: 1.25, output: 1.25 },
    "Qwen/Qwen2.5-72B-Instruct-Turbo": { input: 1.2, output: 1.2 },
    "BAAI/bge-large-en-v1.5": embed(0.02),
  },
  // https://fireworks.ai/pricing
  fireworks: {
    "accounts/fireworks/models/llama-v3p3-70b-instruct": { input: 0.9, output: 0.9 },
    "accounts/fireworks/models/deepseek-v3": { input: 0.9, output: 0.9 },
    "accounts/fireworks/models/qwen3-235b-a22b": { input: 0.22, output: 0.88 },
    "nomic-ai/nomic-embed-text-v1.5": embed(0.008),
  },
  // https://nebius.com/token-factory/prices
  nebius: {
    "meta-llama/Llama-3.3-70B-Instruct": { input: 0.13, output: 0.4 },
    "deepseek-ai/DeepSeek-V3": { input: 0.5, output: 1.5 },
    "Qwen/Qwen3-235B-A22B": { input: 0.2, output: 0.6 },
  },
  // https://www.cerebras.ai/pricing
  cerebras: {
    "llama-3.3-70b": { input: 0.85, output: 1.2 },
    "llama3.1-8b": { input: 0.1, output: 0.1 },
    "qwen-3-235b-a22b-instruct-2507": { input: 0.6, output: 1.2 },
    "gpt-oss-120b": { input: 0.25, output: 0.69 },
  },
  // NVIDIA NIM's hosted endpoints run on trial credits with no per-token list price: left
  // unpriced on purpose (an operator can add prices).
  // "*" prices every model of the provider: a local Ollama has no per-token cost.
  ollama: {
    "*": { input: 0, output: 0 },
  },
};
