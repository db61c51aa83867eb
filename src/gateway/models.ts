// GET /v1/models in OpenAI's list shape: the operator's combos first (owned_by "combo", as
// OmniRoute lists them), then every model of every provider the gateway can call now (an
// active connection, or a keyless local provider) addressed as "prefix/model", then aliases.
import type { Services } from "../services.ts";

export interface OpenAiModel {
  id: string;
  object: "model";
  created: number;
  owned_by: string;
  root: string;
  parent: string | null;
  type?: string;
  permission?: unknown[];
}

export function listModels(services: Services): OpenAiModel[] {
  const { store } = services;
  const created = Math.floor(store.loadedAt / 1000);
  const out: OpenAiModel[] = [];
  for (const combo of store.combos.values()) {
    out.push({ id: combo.name, object: "model", created, owned_by: "combo", permission: [], root: combo.name, parent: null });
  }
  for (const provider of store.providers.values()) {
    const callable = provider.auth === "none" || store.activeConnections(provider.id).length > 0;
    if (!callable) continue;
    const prefix = store.publicPrefix(provider.id);
    for (const m of store.modelsOf(provider.id)) {
      const entry: OpenAiModel = { id: `${prefix}/${m.id}`, object: "model", created, owned_by: provider.id, root: m.id, parent: null };
      if (m.type !== "chat") entry.type = m.type;
      out.push(entry);
    }
  }
  for (const [alias, target] of store.aliases) {
    out.push({ id: alias, object: "model", created, owned_by: "alias", root: target, parent: target });
  }
  return out;
}

/** A routable model in the Gemini API's Model shape (for /v1beta/models). */
export function geminiModel(m: OpenAiModel) {
  return {
    name: `models/${m.id}`,
    baseModelId: m.id,
    version: "omniroute",
    displayName: m.id,
    description: `${m.root} from ${m.owned_by}, routed by OmniRoute`,
    supportedGenerationMethods: ["generateContent", "streamGenerateContent", "countTokens"],
  };
}
