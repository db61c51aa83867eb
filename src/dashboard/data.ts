// Read models for the pages: rows and in-memory state shaped for the views. Reads go to the
// store or straight to SQLite (small config tables); writes always go through /api/*.
import { eq } from "drizzle-orm";
import * as t from "../db/schema.ts";
import { maskedKeyOf } from "../admin/connection-view.ts";
import type { Services } from "../services.ts";
import type { Option } from "../../views/components.tsx";
import type { CatalogueItem, ConnectionItem } from "../../views/providers.tsx";

export function connectionItems(services: Services, providerId?: string): ConnectionItem[] {
  const { db, store, cipher } = services;
  const rows = db
    .select()
    .from(t.providerConnections)
    .where(providerId ? eq(t.providerConnections.provider, providerId) : undefined)
    .orderBy(t.providerConnections.provider, t.providerConnections.priority, t.providerConnections.createdAt)
    .all();
  return rows.map((row) => {
    const provider = store.providers.get(row.provider);
    const data = row.providerSpecificData ?? {};
    return {
      id: row.id,
      provider: row.provider,
      providerName: provider?.name ?? row.provider,
      name: row.name,
      priority: row.priority,
      isActive: row.isActive,
      maskedKey: maskedKeyOf(row, cipher),
      baseUrl: typeof data.baseUrl === "string" && data.baseUrl ? data.baseUrl : undefined,
      defaultBaseUrl: provider?.baseUrl ?? "",
      testStatus: row.testStatus,
      lastError: row.lastError ?? undefined,
      lastTestedAt: row.lastTestedAt ?? undefined,
      undecryptable: store.undecryptable.has(row.id),
    };
  });
}

export function connectionItem(services: Services, id: string): ConnectionItem | null {
  return connectionItems(services).find((c) => c.id === id) ?? null;
}

/** The provider <select>: built-ins first, then the user's custom endpoints. */
export function providerOptions(services: Services): Option[] {
  const out: Option[] = [];
  for (const p of services.store.providers.values()) {
    out.push({ value: p.id, label: p.kind === "node" ? `${p.name} (${services.store.publicPrefix(p.id)})` : p.name, group: p.kind === "node" ? "Custom endpoints" : "Built-in" });
  }
  return out.sort((a, b) => (a.group === b.group ? 0 : a.group === "Built-in" ? -1 : 1));
}

export function catalogueItems(services: Services): CatalogueItem[] {
  const { store } = services;
  return [...store.providers.values()].map((p) => {
    const connections = store.activeConnections(p.id).length;
    return {
      id: p.id,
      name: p.name,
      kind: p.kind,
      format: p.format === "openai" ? "OpenAI Chat" : p.format === "openai-responses" ? "OpenAI Responses" : p.format === "anthropic" ? "Anthropic" : p.format === "gemini" ? "Gemini" : "Ollama",
      baseUrl: p.baseUrl,
      models: store.modelsOf(p.id).length,
      connections,
      ready: connections > 0 || p.auth === "none",
      prefix: store.publicPrefix(p.id),
    };
  });
}

/**
 * Chat model ids (`prefix/model`) of providers that can be reached now. Keyless providers (a
 * local Ollama) count only with `keyless`: nothing says one is actually running.
 */
export function routableModels(services: Services, opts: { keyless?: boolean } = { keyless: true }): string[] {
  const { store } = services;
  const out: string[] = [];
  for (const p of store.providers.values()) {
    const connected = store.activeConnections(p.id).length > 0;
    if (!connected && !(opts.keyless && p.auth === "none")) continue;
    const prefix = store.publicPrefix(p.id);
    for (const m of store.modelsOf(p.id)) if (m.type === "chat") out.push(`${prefix}/${m.id}`);
  }
  return out;
}
