// /api/provider-models: models a user adds by hand to a provider or node (e.g. a model the
// upstream serves but the registry does not list). They show up in the catalog and /v1/models.
import { and, eq } from "drizzle-orm";
import { Elysia } from "elysia";
import { z } from "zod";
import * as t from "../db/schema.ts";
import { badRequest } from "../errors.ts";
import type { Services } from "../services.ts";
import { parseWith, readJson, requiredString } from "./http.ts";
import { providerIdOf, requireProviderId } from "./provider-ids.ts";

type ModelRow = typeof t.providerModels.$inferSelect;

const AddModel = z.object({
  provider: requiredString("Provider is required").max(100),
  modelId: requiredString("Model id is required").max(500),
  modelName: z.string().trim().max(200).optional(),
  type: z.enum(["chat", "embedding", "image", "audio"]).default("chat"),
});

/** OmniRoute's CustomModel: the name defaults to the id. */
const customModelView = (row: ModelRow) => ({ id: row.modelId, name: row.name || row.modelId, type: row.type, source: "manual" });

function queryParam(query: Record<string, string | undefined>, name: string): string | null {
  const v = query[name]?.trim();
  return v ? v : null;
}

export function providerModelRoutes(services: Services) {
  const { db, store } = services;

  const find = (provider: string, modelId: string) =>
    db
      .select()
      .from(t.providerModels)
      .where(and(eq(t.providerModels.provider, provider), eq(t.providerModels.modelId, modelId)))
      .get();

  return new Elysia({ name: "admin-provider-models" })
    .get("/api/provider-models", ({ query }) => {
      const requested = queryParam(query, "provider");
      if (requested) {
        const provider = requireProviderId(store, requested);
        const rows = db.select().from(t.providerModels).where(eq(t.providerModels.provider, provider)).orderBy(t.providerModels.id).all();
        return { models: rows.map(customModelView) };
      }
      const byProvider: Record<string, ReturnType<typeof customModelView>[]> = {};
      for (const row of db.select().from(t.providerModels).orderBy(t.providerModels.id).all()) {
        (byProvider[row.provider] ??= []).push(customModelView(row));
      }
      return { models: byProvider };
    })

    .post("/api/provider-models", async ({ request }) => {
      const body = parseWith(AddModel, await readJson(request));
      const provider = requireProviderId(store, body.provider);
      // Adding a model that is already there returns it unchanged (OmniRoute's idempotent add).
      const existing = find(provider, body.modelId);
      if (existing) return { model: customModelView(existing) };
      db.insert(t.providerModels)
        .values({ provider, modelId: body.modelId, name: body.modelName || null, type: body.type, createdAt: Date.now() })
        .run();
      store.reload();
      return { model: customModelView(find(provider, body.modelId)!) };
    })

    .delete("/api/provider-models", ({ query }) => {
      const requested = queryParam(query, "provider");
      if (!requested) throw badRequest("provider query param is required");
      const modelId = queryParam(query, "model");
      if (!modelId) throw badRequest("model query param is required");
      // An unknown provider may still have leftover rows, so fall back to the raw value.
      const provider = providerIdOf(store, requested) ?? requested;
      const removed = db
        .delete(t.providerModels)
        .where(and(eq(t.providerModels.provider, provider), eq(t.providerModels.modelId, modelId)))
        .returning({ id: t.providerModels.id })
        .all();
      if (removed.length > 0) store.reload();
      return { removed: removed.length > 0 };
    });
}
