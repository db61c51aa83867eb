// Prices and the cost of one request. The built-in table (prices.ts) is overlaid with the
// operator's overrides (model_prices table); lookups are memoised because every finished
// request asks for one.
import type { Db } from "../db/client.ts";
import * as t from "../db/schema.ts";
import type { ModelPrice, PriceSource, ResolvedPrice } from "./pricing-types.ts";
import { BUILTIN_PRICES } from "./prices.ts";
import type { TokenUsage } from "./tokens.ts";

export type { ModelPrice, PriceSource, ResolvedPrice };

/** OmniRoute's wire shape for one price (PATCH /api/pricing uses the same field names). */
export interface WirePrice {
  input: number;
  output: number;
  cached?: number;
  reasoning?: number;
  cache_creation?: number;
}

export const toWire = (p: ModelPrice): WirePrice => {
  const out: WirePrice = { input: p.input, output: p.output };
  if (p.cached !== undefined) out.cached = p.cached;
  if (p.reasoning !== undefined) out.reasoning = p.reasoning;
  if (p.cacheCreation !== undefined) out.cache_creation = p.cacheCreation;
  return out;
};

export const fromWire = (w: WirePrice): ModelPrice => ({
  input: w.input,
  output: w.output,
  ...(w.cached !== undefined ? { cached: w.cached } : {}),
  ...(w.reasoning !== undefined ? { reasoning: w.reasoning } : {}),
  ...(w.cache_creation !== undefined ? { cacheCreation: w.cache_creation } : {}),
});

/**
 * USD for reported token counts. Canonical usage counts cached tokens inside the prompt and
 * reasoning tokens inside the completion (OpenAI's usage model; the Anthropic and Gemini
 * readers map onto it), so each part is billed once at its own price.
 */
export function costOf(usage: TokenUsage, price: ModelPrice): number {
  const completion = usage.completionTokens ?? 0;
  let prompt = usage.promptTokens ?? 0;
  if (usage.promptTokens === null && usage.totalTokens !== null) prompt = Math.max(0, usage.totalTokens - completion);
  const cached = Math.min(Math.max(usage.cachedTokens ?? 0, 0), prompt);
  const reasoning = Math.min(Math.max(usage.reasoningTokens ?? 0, 0), completion);
  const micro =
    (prompt - cached) * price.input +
    cached * (price.cached ?? price.input) +
    (completion - reasoning) * price.output +
    reasoning * (price.reasoning ?? price.output);
  return micro / 1_000_000;
}

const keyOf = (provider: string, model: string) => `${provider}\u0000${model}`;

export class PriceBook {
  private overrides = new Map<string, Map<string, ModelPrice>>();
  private memo = new Map<string, ResolvedPrice | null>();
  /** The last lookup, valid while its memo is the current one (reload() replaces it). */
  private last: { provider: string; model: string; hit: ResolvedPrice | null; memo: Map<string, ResolvedPrice | null> } | null = null;

  constructor(private readonly db: Db) {
    this.reload();
  }

  reload(): void {
    const overrides = new Map<string, Map<string, ModelPrice>>();
    for (const row of this.db.select().from(t.modelPrices).all()) {
      const models = overrides.get(row.provider) ?? new Map<string, ModelPrice>();
      models.set(row.model, {
        input: row.input,
        output: row.output,
        ...(row.cached !== null ? { cached: row.cached } : {}),
        ...(row.reasoning !== null ? { reasoning: row.reasoning } : {}),
        ...(row.cacheCreation !== null ? { cacheCreation: row.cacheCreation } : {}),
      });
      overrides.set(row.provider, models);
    }
    this.overrides = overrides;
    this.memo = new Map();
  }

  /** The price for a provider's model, or null when nothing prices it. */
  resolve(provider: string, model: string): ResolvedPrice | null {
    // Under load most requests ask for the model the previous one did: no key string built.
    const last = this.last;
    if (last && last.provider === provider && last.model === model && last.memo === this.memo) return last.hit;
    const key = keyOf(provider, model);
    let hit = this.memo.get(key);
    if (hit === undefined) {
      hit = this.lookup(provider, model);
      // Model ids come from clients: bound the memo so odd ids cannot grow it forever.
      if (this.memo.size > 10_000) this.memo.clear();
      this.memo.set(key, hit);
    }
    this.last = { provider, model, hit, memo: this.memo };
    return hit;
  }

  private lookup(provider: string, model: string): ResolvedPrice | null {
    const own = this.overrides.get(provider)?.get(model);
    if (own) return { price: own, source: "override" };
    const builtin = BUILTIN_PRICES[provider]?.[model];
    if (builtin) return { price: builtin, source: "builtin" };
    const anyOwn = this.overrides.get(provider)?.get("*");
    if (anyOwn) return { price: anyOwn, source: "override" };
    const anyBuiltin = BUILTIN_PRICES[provider]?.["*"];
    if (anyBuiltin) return { price: anyBuiltin, source: "builtin" };
    // A custom node or aggregator serving a well-known model: "openai/gpt-4o" → openai's
    // gpt-4o, or a bare id that one provider prices. Marked "inferred" so it shows.
    const slash = model.indexOf("/");
    if (slash > 0) {
      const [p, m] = [model.slice(0, slash), model.slice(slash + 1)];
      const viaPrefix = this.overrides.get(p)?.get(m) ?? BUILTIN_PRICES[p]?.[m];
      if (viaPrefix) return { price: viaPrefix, source: "inferred" };
    }
    for (const [p, models] of Object.entries(BUILTIN_PRICES)) {
      if (p !== provider && models[model]) return { price: models[model]!, source: "inferred" };
    }
    return null;
  }

  /** Built-in prices overlaid with overrides, in OmniRoute's GET /api/pricing shape. */
  merged(): Record<string, Record<string, WirePrice>> {
    const out: Record<string, Record<string, WirePrice>> = {};
    for (const [provider, models] of Object.entries(BUILTIN_PRICES)) {
      out[provider] = {};
      for (const [model, price] of Object.entries(models)) out[provider]![model] = toWire(price);
    }
    for (const [provider, models] of this.overrides) {
      out[provider] ??= {};
      for (const [model, price] of models) out[provider]![model] = toWire(price);
    }
    return out;
  }

  isOverridden(provider: string, model: string): boolean {
    return this.overrides.get(provider)?.has(model) ?? false;
  }

  /** Upserts overrides; fields a patch leaves out keep the price in force (override or built-in). */
  setOverrides(patch: Record<string, Record<string, Partial<ModelPrice>>>): void {
    const now = Date.now();
    this.db.transaction((tx) => {
      for (const [provider, models] of Object.entries(patch)) {
        for (const [model, partial] of Object.entries(models)) {
          const base = this.overrides.get(provider)?.get(model) ?? BUILTIN_PRICES[provider]?.[model];
          const input = partial.input ?? base?.input;
          const output = partial.output ?? base?.output;
          if (input === undefined || output === undefined) {
            throw new PriceError(`${provider}/${model}: input and output are required for a model without a price`);
          }
          const row = {
            provider,
            model,
            input,
            output,
            cached: partial.cached ?? base?.cached ?? null,
            reasoning: partial.reasoning ?? base?.reasoning ?? null,
            cacheCreation: partial.cacheCreation ?? base?.cacheCreation ?? null,
            updatedAt: now,
          };
          tx.insert(t.modelPrices)
            .values(row)
            .onConflictDoUpdate({ target: [t.modelPrices.provider, t.modelPrices.model], set: row })
            .run();
        }
      }
    });
    this.reload();
  }

  /** Drops overrides: one model's, one provider's, or all of them. Returns how many went. */
  resetOverrides(provider?: string, model?: string): number {
    const q = this.db.$client;
    const { changes } =
      provider && model
        ? q.query("DELETE FROM model_prices WHERE provider = $provider AND model = $model").run({ provider, model })
        : provider
          ? q.query("DELETE FROM model_prices WHERE provider = $provider").run({ provider })
          : q.query("DELETE FROM model_prices").run();
    this.reload();
    return changes;
  }
}

export class PriceError extends Error {}
