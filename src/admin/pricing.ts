// /api/pricing: model prices in US dollars per 1M tokens, in OmniRoute's shape
// {provider: {model: {input, output, cached, reasoning, cache_creation}}}. GET merges the
// built-in table (src/usage/prices.ts) with the operator's overrides; PATCH (or PUT) sets
// overrides — also how a custom model gets a price; DELETE resets them. New prices apply
// to the next request. GET /api/pricing/models lists every known model with its price and
// where it came from, and the models nothing prices.
import { Elysia } from "elysia";
import { z } from "zod";
import type { Services } from "../services.ts";
import { fromWire, PriceError, toWire, type ModelPrice, type WirePrice as WirePriceFields } from "../usage/pricing.ts";
import { fieldError, parseWith, readJson } from "./http.ts";

const Price = z.number().finite().min(0, "must be a non-negative number").max(100_000);
const WirePrice = z.object({ input: Price, output: Price, cached: Price, reasoning: Price, cache_creation: Price }).partial().strict();
const PricingPatch = z.record(z.string().min(1).max(200), z.record(z.string().min(1).max(500), WirePrice));
const ResetQuery = z.object({ provider: z.string().min(1).optional(), model: z.string().min(1).optional() });

export function pricingRoutes(services: Services) {
  const { store } = services;
  const pricing = () => services.accounting.pricing;

  async function update({ request }: { request: Request }) {
    const patch = parseWith(PricingPatch, await readJson(request));
    const models: Record<string, Record<string, Partial<ModelPrice>>> = {};
    for (const [provider, entries] of Object.entries(patch)) {
      models[provider] = {};
      // Fields left out stay undefined: setOverrides keeps the price in force for them.
      for (const [model, price] of Object.entries(entries)) models[provider]![model] = fromWire(price as WirePriceFields);
    }
    try {
      pricing().setOverrides(models);
    } catch (err) {
      if (err instanceof PriceError) throw fieldError("", err.message);
      throw err;
    }
    return pricing().merged();
  }

  function models() {
    const list: Record<string, unknown>[] = [];
    const unpriced: { provider: string; model: string }[] = [];
    for (const provider of store.providers.values()) {
      for (const m of store.modelsOf(provider.id)) {
        if (m.type === "image" || m.type === "audio") continue; // not priced per token
        const resolved = pricing().resolve(provider.id, m.id);
        const custom = (store.customModels.get(provider.id) ?? []).some((c) => c.id === m.id);
        if (!resolved) {
          unpriced.push({ provider: provider.id, model: m.id });
          continue;
        }
        list.push({ provider: provider.id, model: m.id, type: m.type, custom, source: resolved.source, ...toWire(resolved.price) });
      }
    }
    return { unit: "USD per 1M tokens", models: list, unpriced };
  }

  return new Elysia({ name: "admin-pricing" })
    .get("/api/pricing", () => pricing().merged())
    .get("/api/pricing/models", models)
    .patch("/api/pricing", update)
    .put("/api/pricing", update)
    .delete("/api/pricing", ({ query }) => {
      const q = parseWith(ResetQuery, query);
      if (q.model && !q.provider) throw fieldError("provider", "provider is required with model");
      pricing().resetOverrides(q.provider, q.model);
      return pricing().merged();
    });
}
