// /api/providers/:id/test, /:id/models and /api/providers/validate: real calls to the
// upstream's model list, to tell a user whether a key works and which models it can reach.
import { eq } from "drizzle-orm";
import { Elysia } from "elysia";
import { z } from "zod";
import * as t from "../db/schema.ts";
import type { ModelType, ProviderRuntime } from "../providers/types.ts";
import type { Services } from "../services.ts";
import type { ConnectionRuntime } from "../store/config-store.ts";
import { fieldError, httpUrl, parseWith, readJson, requiredString } from "./http.ts";
import { requireProviderId } from "./provider-ids.ts";
import { loadConnection } from "./providers.ts";
import { localProblem, modelsFromBody, probeModels, type ProbeResult, type UpstreamModel } from "./upstream-probe.ts";

const ValidateKey = z.object({
  provider: requiredString("Provider is required").max(100),
  apiKey: z.string().trim().max(100_000).optional(),
  baseUrl: httpUrl().optional(),
});

export function providerCheckRoutes(services: Services) {
  const { db, store } = services;

  /** The provider and in-memory connection for a connection id, and the probe result for them. */
  async function probeConnection(id: string) {
    const row = loadConnection(services, id);
    const provider = store.providers.get(row.provider);
    const conn = store.connections.get(row.id) ?? null;
    const result: ProbeResult =
      (provider && localProblem(provider, conn, store.undecryptable.has(row.id))) ||
      (provider ? await probeModels(provider, conn, services.features.proxyFor(provider.id)) : missingProvider(row.provider));
    return { row, provider, result };
  }

  return new Elysia({ name: "admin-provider-checks" })
    .post("/api/providers/:id/test", async ({ params }) => {
      const { row, result } = await probeConnection(params.id);
      const testedAt = Date.now();
      db.update(t.providerConnections)
        .set({ testStatus: result.valid ? "active" : "error", lastError: result.error, lastTestedAt: testedAt, updatedAt: testedAt })
        .where(eq(t.providerConnections.id, row.id))
        .run();
      store.reload();
      return {
        valid: result.valid,
        error: result.error,
        warning: null,
        latencyMs: result.latencyMs,
        statusCode: result.statusCode,
        testedAt: new Date(testedAt).toISOString(),
        diagnosis: result.diagnosis,
      };
    })

    .get("/api/providers/:id/models", async ({ params }) => {
      const { row, provider, result } = await probeConnection(params.id);
      const providerId = row.provider;
      const catalog = store.modelsOf(providerId);
      const live = result.valid && provider ? modelsFromBody(provider, result.body, typesOf(catalog)) : null;
      if (!live) {
        const reason = result.valid ? "unexpected model list" : result.error;
        return {
          provider: providerId,
          connectionId: row.id,
          models: catalog.map((m) => listed(m, providerId)),
          source: "local_catalog",
          warning: `API unavailable — using local catalog (${reason})`,
        };
      }
      const seen = new Set(live.map((m) => m.id));
      const custom = (store.customModels.get(providerId) ?? []).filter((m) => !seen.has(m.id));
      return { provider: providerId, connectionId: row.id, models: [...live, ...custom.map((m) => listed(m, providerId))], source: "api" };
    })

    .post("/api/providers/validate", async ({ request }) => {
      const body = parseWith(ValidateKey, await readJson(request));
      const provider = store.providers.get(requireProviderId(store, body.provider))!;
      if (!body.apiKey && provider.auth !== "none" && provider.kind !== "node") throw fieldError("apiKey", "API key is required");
      const conn = probeOnlyConnection(provider, body.apiKey, body.baseUrl);
      const result = await probeModels(provider, conn, services.features.proxyFor(provider.id));
      return { valid: result.valid, error: result.error, warning: null, method: "models" };
    });
}

/** A connection that exists only for the length of one probe (nothing is saved). */
function probeOnlyConnection(provider: ProviderRuntime, apiKey?: string, baseUrl?: string): ConnectionRuntime {
  return {
    id: "",
    provider: provider.id,
    name: "validate",
    priority: 0,
    isActive: true,
    apiKey: apiKey || null,
    baseUrl: baseUrl ?? null,
    testStatus: "unknown",
  };
}

/** A connection left behind by a node that was removed some other way: nothing to call. */
function missingProvider(providerId: string): ProbeResult {
  const message = `Provider "${providerId}" is not configured`;
  return {
    valid: false,
    error: message,
    statusCode: null,
    latencyMs: 0,
    diagnosis: { type: "unsupported", source: "local", message, code: null },
    body: null,
  };
}

function typesOf(models: { id: string; type: ModelType }[]): Map<string, ModelType> {
  return new Map(models.map((m) => [m.id, m.type]));
}

function listed(m: { id: string; name?: string; type: ModelType }, providerId: string): UpstreamModel {
  return { id: m.id, ...(m.name ? { name: m.name } : {}), owned_by: providerId, type: m.type };
}
