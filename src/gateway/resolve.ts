// Model resolution: what a client's `model` string means. Order: alias, then
// `prefix/model` (provider id, alias or node prefix), then a bare id that a configured
// provider is known to serve.
import { GatewayError } from "../errors.ts";
import type { ProviderRuntime } from "../providers/types.ts";
import type { ConfigStore } from "../store/config-store.ts";

export interface Target {
  provider: ProviderRuntime;
  /** The model id sent upstream (prefix removed). */
  model: string;
}

const MAX_ALIAS_DEPTH = 8;

export function resolveModel(requested: string, store: ConfigStore): Target[] {
  let model = requested.trim();
  for (let depth = 0; store.aliases.has(model); depth++) {
    if (depth >= MAX_ALIAS_DEPTH) throw new GatewayError(400, "invalid_request", `alias loop while resolving "${requested}"`, { param: "model" });
    model = store.aliases.get(model)!;
  }

  const slash = model.indexOf("/");
  if (slash > 0) {
    const providerId = store.prefixes.get(model.slice(0, slash).toLowerCase());
    const rest = model.slice(slash + 1);
    if (providerId && rest) return [withoutOllamaTag({ provider: store.providers.get(providerId)!, model: rest })];
  }

  // A bare id (or a slash id such as "meta-llama/Llama-3.3-70B-Instruct" whose first segment
  // is not a provider): any provider that can be called and lists that model.
  for (const provider of store.providers.values()) {
    const callable = provider.auth === "none" || store.activeConnections(provider.id).length > 0;
    if (callable && store.modelsOf(provider.id).some((m) => m.id === model)) return [{ provider, model }];
    if (callable && model.endsWith(":latest") && store.modelsOf(provider.id).some((m) => m.id === model.slice(0, -7))) {
      return [withoutOllamaTag({ provider, model })];
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
