// GET /api/models/catalog: every provider (registry and nodes) with the models clients can
// ask for, under the prefix they would use.
import { Elysia } from "elysia";
import type { Services } from "../services.ts";

export function catalogRoutes(services: Services) {
  const { store } = services;
  return new Elysia({ name: "admin-catalog" }).get("/api/models/catalog", () => {
    const catalog: Record<string, unknown> = {};
    for (const provider of store.providers.values()) {
      const prefix = store.publicPrefix(provider.id);
      const custom = new Set((store.customModels.get(provider.id) ?? []).map((m) => m.id));
      catalog[prefix] = {
        providerId: provider.id,
        provider: provider.name,
        format: provider.format,
        active: provider.auth === "none" || store.activeConnections(provider.id).length > 0,
        models: store.modelsOf(provider.id).map((m) => ({
          id: `${prefix}/${m.id}`,
          name: m.name ?? m.id,
          type: m.type,
          custom: custom.has(m.id),
        })),
      };
    }
    return { catalog };
  });
}
