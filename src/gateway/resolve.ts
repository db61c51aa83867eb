// Model resolution: what a client's `model` string means. Order: a combo (an ordered list of
// targets, src/routing/combos.ts), an alias, then `prefix/model` (provider id, alias or node
// prefix), then a bare id that a configured provider is known to serve.
import { GatewayError } from "../errors.ts";
import type { ProviderRuntime } from "../providers/types.ts";
import { expandCombo } from "../routing/combos.ts";
import type { RoutingState } from "../routing/routing-state.ts";
import type { Member } from "../routing/strategies.ts";
import type { ComboRuntime, ConfigStore } from "../store/config-store.ts";

export interface Target {
  provider: ProviderRuntime;
  /** The model id sent upstream (prefix removed). */
  model: string;
}

const MAX_ALIAS_DEPTH = 8;

/** A request's targets in the order to try them. */
export interface RoutePlan {
  targets: Target[];
  /** Combo members that named nothing routable (listed in the final error if all else fails). */
  unresolved: { model: string; error: GatewayError }[];
  combo: ComboRuntime | null;
}

/**
 * The combo a model string names ("name" or OmniRoute's "combo/name"), if any. Ollama clients
 * add ":latest" to what they picked from /api/tags, so that suffix is ignored here too.
 */
export function comboNamed(requested: string, store: ConfigStore): ComboRuntime | undefined {
  let name = requested.trim();
  if (store.combos.size === 0) return undefined;
  if (name.startsWith("combo/")) name = name.slice("combo/".length);
  return store.combos.get(name) ?? (name.endsWith(":latest") ? store.combos.get(name.slice(0, -":latest".length)) : undefined);
}

/**
 * Resolves a model string to its ordered targets. `routing` supplies the live inputs of combo
 * strategies (rotation turn, randomness, latency); without it a combo keeps its listed order.
 */
export function planRoute(requested: string, store: ConfigStore, routing?: RoutingState): RoutePlan {
  const combo = comboNamed(requested, store);
  if (!combo) return { targets: [resolveSingle(requested, store)], unresolved: [], combo: null };

  const tryResolve = (model: string): Target | null => {
    try {
      return resolveSingle(model, store);
    } catch {
      return null;
    }
  };
  const leaves = expandCombo(combo, {
    getCombo: (name) => store.combos.get(name),
    strategyContext: (c) => ({
      random: routing?.random ?? Math.random,
      turn: routing ? routing.nextTurn(`combo:${c.name}`) : 0,
      latencyOf: (m: Member) => {
        const t = tryResolve(m.model);
        return t && routing ? routing.latency.get(t.provider.id, t.model) : undefined;
      },
      // A member's own cost, else the combo's cost table, else the pricing table; unknown
      // prices keep their listed order, after the known ones.
      costOf: (m: Member) => {
        const own = m.cost ?? costFrom(c.config, m.model);
        if (own !== undefined || !routing) return own;
        const t = tryResolve(m.model);
        return t ? routing.priceOf(t.provider.id, t.model) : undefined;
      },
    }),
  });

  const targets: Target[] = [];
  const unresolved: RoutePlan["unresolved"] = [];
  const seen = new Set<string>();
  for (const leaf of leaves) {
    try {
      const target = resolveSingle(leaf.model, store);
      const key = `${target.provider.id}/${target.model}`;
      if (!seen.has(key)) targets.push(target);
      seen.add(key);
    } catch (err) {
      unresolved.push({ model: leaf.model, error: err instanceof GatewayError ? err : new GatewayError(404, "model_not_found", String(err)) });
    }
  }
  if (targets.length === 0) {
    const why = unresolved.map((u) => `${u.model}: ${u.error.message}`).join("; ");
    throw new GatewayError(404, "model_not_found", `Combo "${combo.name}" has no routable target${why ? ` (${why})` : ""}.`, { param: "model" });
  }
  return { targets, unresolved, combo };
}

function costFrom(config: Record<string, unknown>, model: string): number | undefined {
  const costs = config.costs as Record<string, unknown> | undefined;
  const v = costs?.[model];
  return typeof v === "number" ? v : undefined;
}

export function resolveModel(requested: string, store: ConfigStore, routing?: RoutingState): Target[] {
  return planRoute(requested, store, routing).targets;
}

/** One model string (alias, prefix/model or bare id) → its single target. */
export function resolveSingle(requested: string, store: ConfigStore): Target {
  let model = requested.trim();
  for (let depth = 0; store.aliases.has(model); depth++) {
    if (depth >= MAX_ALIAS_DEPTH) throw new GatewayError(400, "invalid_request", `alias loop while resolving "${requested}"`, { param: "model" });
    model = store.aliases.get(model)!;
  }

  const slash = model.indexOf("/");
  if (slash > 0) {
    const providerId = store.prefixes.get(model.slice(0, slash).toLowerCase());
    const rest = model.slice(slash + 1);
    if (providerId && rest) return withoutOllamaTag({ provider: store.providers.get(providerId)!, model: rest });
  }

  // A bare id (or a slash id such as "meta-llama/Llama-3.3-70B-Instruct" whose first segment
  // is not a provider): any provider that can be called and lists that model.
  for (const provider of store.providers.values()) {
    const callable = provider.auth === "none" || store.activeConnections(provider.id).length > 0;
    if (callable && store.modelsOf(provider.id).some((m) => m.id === model)) return { provider, model };
    if (callable && model.endsWith(":latest") && store.modelsOf(provider.id).some((m) => m.id === model.slice(0, -7))) {
      return withoutOllamaTag({ provider, model });
    }
  }

  throw new GatewayError(
    404,
    "model_not_found",
    `The model \`${requested}\` does not exist or no provider is configured for it. Use "provider/model" (see GET /v1/models).`,
    { param: "model" },
  );
}

/**
 * Ollama clients (Open WebUI…) add ":latest" to names picked from /api/tags. Only an Ollama
 * upstream understands tags, so the suffix is removed for every other provider.
 */
function withoutOllamaTag(target: Target): Target {
  if (target.provider.format === "ollama" || !target.model.endsWith(":latest")) return target;
  return { ...target, model: target.model.slice(0, -":latest".length) };
}
