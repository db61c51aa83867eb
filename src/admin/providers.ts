// /api/providers: provider connections (credentials). Keys are encrypted before they reach
// SQLite; listings show them masked, single-connection answers not at all (as OmniRoute does).
import { and, eq, max } from "drizzle-orm";
import { Elysia } from "elysia";
import { z } from "zod";
import * as t from "../db/schema.ts";
import { notFound } from "../errors.ts";
import type { Services } from "../services.ts";
import { connectionView, maskedKeyOf, mergeProviderData, type ConnectionRow } from "./connection-view.ts";
import { fieldError, httpUrl, json, noFieldsToUpdate, parseWith, readJson, requiredString } from "./http.ts";
import { requireProviderId } from "./provider-ids.ts";

/** Free-form per-connection data; `baseUrl` overrides the provider's base URL (null clears it). */
const ProviderData = z.looseObject({ baseUrl: httpUrl().nullable().optional() });

const CreateConnection = z.object({
  provider: requiredString("Provider is required").max(100),
  apiKey: z.string().trim().max(100_000).optional(),
  name: requiredString("Name is required").max(200),
  priority: z.number().int().min(1).max(100).optional(),
  isActive: z.boolean().optional(),
  providerSpecificData: ProviderData.optional(),
});

const UpdateConnection = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    priority: z.number().int().min(1).max(100_000).optional(),
    isActive: z.boolean().optional(),
    apiKey: z.string().trim().max(100_000).optional(),
    providerSpecificData: ProviderData.optional(),
  })
  // An empty apiKey means "keep the current one", so it does not count as a change.
  .transform(({ apiKey, ...rest }) => (apiKey ? { ...rest, apiKey } : rest));

export function loadConnection(services: Services, id: string): ConnectionRow {
  const row = services.db.select().from(t.providerConnections).where(eq(t.providerConnections.id, id)).get();
  if (!row) throw notFound("Connection not found");
  return row;
}

export function providerRoutes(services: Services) {
  const { db, store, cipher } = services;

  return new Elysia({ name: "admin-providers" })
    .get("/api/providers", ({ query }) => {
      const filter = typeof query.provider === "string" && query.provider ? query.provider : null;
      const rows = db
        .select()
        .from(t.providerConnections)
        .where(filter ? eq(t.providerConnections.provider, store.prefixes.get(filter.toLowerCase()) ?? filter) : undefined)
        .orderBy(t.providerConnections.provider, t.providerConnections.priority, t.providerConnections.createdAt)
        .all();
      return { connections: rows.map((row) => connectionView(row, maskedKeyOf(row, cipher))), total: rows.length };
    })

    .post("/api/providers", async ({ request }) => {
      const body = parseWith(CreateConnection, await readJson(request));
      const providerId = requireProviderId(store, body.provider);
      const provider = store.providers.get(providerId)!;
      if (!body.apiKey && provider.auth !== "none" && provider.kind !== "node") throw fieldError("apiKey", "API key is required");

      const now = Date.now();
      const apiKeyEnc = body.apiKey ? cipher.encrypt(body.apiKey) : undefined;
      // OmniRoute's upsert: the same provider + name replaces that connection instead of adding one.
      const existing = db
        .select()
        .from(t.providerConnections)
        .where(
          and(
            eq(t.providerConnections.provider, providerId),
            eq(t.providerConnections.name, body.name),
            eq(t.providerConnections.authType, "apikey"),
          ),
        )
        .get();
      let id: string;
      if (existing) {
        id = existing.id;
        db.update(t.providerConnections)
          .set({
            apiKeyEnc,
            priority: body.priority,
            isActive: body.isActive,
            providerSpecificData: body.providerSpecificData
              ? mergeProviderData(existing.providerSpecificData, body.providerSpecificData)
              : undefined,
            updatedAt: now,
          })
          .where(eq(t.providerConnections.id, id))
          .run();
      } else {
        id = crypto.randomUUID();
        db.insert(t.providerConnections)
          .values({
            id,
            provider: providerId,
            authType: "apikey",
            name: body.name,
            // Without an explicit priority a new connection goes last, so the first one added stays first.
            priority: body.priority ?? nextPriority(services, providerId),
            isActive: body.isActive ?? true,
            apiKeyEnc: apiKeyEnc ?? null,
            providerSpecificData: mergeProviderData({}, body.providerSpecificData ?? {}),
            testStatus: "unknown",
            createdAt: now,
            updatedAt: now,
          })
          .run();
      }
      store.reload();
      return json({ connection: connectionView(loadConnection(services, id)) }, 201);
    })

    .get("/api/providers/:id", ({ params }) => ({ connection: connectionView(loadConnection(services, params.id)) }))

    .put("/api/providers/:id", async ({ params, request }) => {
      const existing = loadConnection(services, params.id);
      const patch = parseWith(UpdateConnection, await readJson(request));
      if (Object.keys(patch).length === 0) throw noFieldsToUpdate();
      db.update(t.providerConnections)
        .set({
          name: patch.name,
          priority: patch.priority,
          isActive: patch.isActive,
          apiKeyEnc: "apiKey" in patch ? cipher.encrypt(patch.apiKey) : undefined,
          providerSpecificData: patch.providerSpecificData
            ? mergeProviderData(existing.providerSpecificData, patch.providerSpecificData)
            : undefined,
          updatedAt: Date.now(),
        })
        .where(eq(t.providerConnections.id, existing.id))
        .run();
      store.reload();
      return { connection: connectionView(loadConnection(services, existing.id)) };
    })

    .delete("/api/providers/:id", ({ params }) => {
      const existing = loadConnection(services, params.id);
      db.delete(t.providerConnections).where(eq(t.providerConnections.id, existing.id)).run();
      store.reload();
      return { message: "Connection deleted successfully" };
    });
}

function nextPriority(services: Services, providerId: string): number {
  const row = services.db
    .select({ top: max(t.providerConnections.priority) })
    .from(t.providerConnections)
    .where(eq(t.providerConnections.provider, providerId))
    .get();
  return (row?.top ?? 0) + 1;
}
