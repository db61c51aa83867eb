// Cost arithmetic per wire format: each format's usage object goes through its own reader
// (the one the gateway uses) and is priced; cached and reasoning tokens are billed once, at
// their own price.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../../src/db/client.ts";
import { usageFromAnthropic } from "../../src/formats/anthropic/usage.ts";
import { usageFromGemini } from "../../src/formats/gemini/wire.ts";
import { usageFromOllama } from "../../src/formats/ollama/wire.ts";
import { usageFromResponses } from "../../src/formats/openai-responses/envelope.ts";
import { PROVIDERS } from "../../src/providers/registry.ts";
import { costOf, PriceBook } from "../../src/usage/pricing.ts";
import { BUILTIN_PRICES } from "../../src/usage/prices.ts";
import { NO_USAGE, usageFromOpenAi } from "../../src/usage/tokens.ts";

const price = { input: 2, output: 8, cached: 0.5, reasoning: 10 };
/** Dollars for token counts at the test price (per 1M tokens). */
const usd = (uncached: number, cached: number, output: number, reasoning: number) =>
  (uncached * price.input + cached * price.cached + output * price.output + reasoning * price.reasoning) / 1e6;

describe("cost per format", () => {
  test("OpenAI Chat: cached ⊂ prompt_tokens, reasoning ⊂ completion_tokens", () => {
    const u = usageFromOpenAi({
      prompt_tokens: 1000,
      completion_tokens: 500,
      total_tokens: 1500,
      prompt_tokens_details: { cached_tokens: 400 },
      completion_tokens_details: { reasoning_tokens: 300 },
    });
    expect(costOf(u, price)).toBeCloseTo(usd(600, 400, 200, 300), 12);
  });

  test("DeepSeek: prompt_cache_hit_tokens is the cached part", () => {
    const u = usageFromOpenAi({ prompt_tokens: 1000, completion_tokens: 10, prompt_cache_hit_tokens: 900, prompt_cache_miss_tokens: 100 });
    expect(costOf(u, price)).toBeCloseTo(usd(100, 900, 10, 0), 12);
  });

  test("OpenAI Responses: input_tokens_details.cached_tokens and output_tokens_details.reasoning_tokens", () => {
    const u = usageFromResponses({
      input_tokens: 2000,
      input_tokens_details: { cached_tokens: 1500 },
      output_tokens: 800,
      output_tokens_details: { reasoning_tokens: 600 },
      total_tokens: 2800,
    });
    expect(costOf(u, price)).toBeCloseTo(usd(500, 1500, 200, 600), 12);
  });

  test("Anthropic: cache reads are cached; cache writes and input are billed as input", () => {
    const u = usageFromAnthropic({ input_tokens: 50, cache_creation_input_tokens: 200, cache_read_input_tokens: 1000, output_tokens: 120 });
    expect(u.promptTokens).toBe(1250);
    expect(costOf(u, price)).toBeCloseTo(usd(250, 1000, 120, 0), 12);
  });

  test("Gemini: thoughts are reasoning inside the completion; cachedContentTokenCount inside the prompt", () => {
    const u = usageFromGemini({ promptTokenCount: 3000, cachedContentTokenCount: 2000, candidatesTokenCount: 100, thoughtsTokenCount: 400, totalTokenCount: 3500 });
    expect(u.completionTokens).toBe(500);
    expect(costOf(u, price)).toBeCloseTo(usd(1000, 2000, 100, 400), 12);
  });

  test("Ollama: no cache or reasoning split", () => {
    const u = usageFromOllama({ prompt_eval_count: 30, eval_count: 70 });
    expect(costOf(u, price)).toBeCloseTo(usd(30, 0, 70, 0), 12);
  });

  test("missing cached and reasoning prices fall back to input and output", () => {
    const u = usageFromOpenAi({ prompt_tokens: 100, completion_tokens: 100, prompt_tokens_details: { cached_tokens: 50 }, completion_tokens_details: { reasoning_tokens: 50 } });
    expect(costOf(u, { input: 1, output: 3 })).toBeCloseTo((100 * 1 + 100 * 3) / 1e6, 12);
  });

  test("counts that do not add up are clamped, never negative", () => {
    expect(costOf({ ...NO_USAGE, promptTokens: 10, cachedTokens: 50, completionTokens: 5, reasoningTokens: 99 }, price)).toBeCloseTo(usd(0, 10, 0, 5), 12);
    expect(costOf({ ...NO_USAGE, totalTokens: 30, completionTokens: 10 }, price)).toBeCloseTo(usd(20, 0, 10, 0), 12);
    expect(costOf(NO_USAGE, price)).toBe(0);
  });
});

describe("the built-in table", () => {
  test("every chat model of the registry has a price, except NVIDIA's trial endpoints", () => {
    const book = { resolve: (p: string, m: string) => BUILTIN_PRICES[p]?.[m] ?? BUILTIN_PRICES[p]?.["*"] };
    const missing = PROVIDERS.filter((p) => p.id !== "nvidia").flatMap((p) =>
      p.models.filter((m) => m.type === "chat" && !book.resolve(p.id, m.id)).map((m) => `${p.id}/${m.id}`),
    );
    expect(missing).toEqual([]);
  });

  test("prices are sane: non-negative, cached ≤ input", () => {
    for (const [provider, models] of Object.entries(BUILTIN_PRICES)) {
      for (const [model, p] of Object.entries(models)) {
        expect({ provider, model, ok: p.input >= 0 && p.output >= 0 && (p.cached ?? p.input) <= p.input }).toEqual({ provider, model, ok: true });
      }
    }
  });
});

describe("PriceBook", () => {
  const dir = mkdtempSync(join(tmpdir(), "omniroute-pricing-"));
  const db = openDatabase(join(dir, "p.sqlite"));
  afterAll(() => {
    db.$client.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("override > built-in > provider '*' > inferred from a well-known model", () => {
    const book = new PriceBook(db);
    expect(book.resolve("openai", "gpt-4o")).toEqual({ source: "builtin", price: BUILTIN_PRICES.openai!["gpt-4o"]! });
    expect(book.resolve("ollama", "anything:7b")?.price).toEqual({ input: 0, output: 0 });
    // A custom node serving a known model, by bare id or provider-prefixed id.
    expect(book.resolve("my-node", "gpt-4o")?.source).toBe("inferred");
    expect(book.resolve("my-node", "openai/gpt-4o-mini")).toEqual({ source: "inferred", price: BUILTIN_PRICES.openai!["gpt-4o-mini"]! });
    expect(book.resolve("my-node", "house-model")).toBeNull();

    book.setOverrides({ openai: { "gpt-4o": { output: 12 } }, "my-node": { "house-model": { input: 1, output: 2, cached: 0.1 } } });
    expect(book.resolve("openai", "gpt-4o")).toEqual({ source: "override", price: { input: 2.5, output: 12, cached: 1.25 } });
    expect(book.resolve("my-node", "house-model")).toEqual({ source: "override", price: { input: 1, output: 2, cached: 0.1 } });
    expect(book.merged().openai!["gpt-4o"]).toEqual({ input: 2.5, output: 12, cached: 1.25 });

    // Overrides persist: a new book on the same database sees them.
    expect(new PriceBook(db).resolve("my-node", "house-model")?.source).toBe("override");

    expect(() => book.setOverrides({ "my-node": { "no-price": { cached: 1 } } })).toThrow(/input and output are required/);
    expect(book.resetOverrides("openai", "gpt-4o")).toBe(1);
    expect(book.resolve("openai", "gpt-4o")?.source).toBe("builtin");
    expect(book.resetOverrides()).toBe(1);
    expect(book.resolve("my-node", "house-model")).toBeNull();
  });
});
