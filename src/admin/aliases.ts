// /api/models/alias: short names for "provider/model" targets (resolveModel follows them first).
import { eq } from "drizzle-orm";
import { Elysia } from "elysia";
import { z } from "zod";
import * as t from "../db/schema.ts";
import { badRequest, notFound } from "../errors.ts";
import type { Services } from "../services.ts";
import type { ConfigStore } from "../store/config-store.ts";
import { fieldError, parseWith, readJson, requiredString } from "./http.ts";

const SetAlias = z.object({
  model: requiredString("Model is required").max(500),
  alias: requiredString("Alias is required")
    .max(200)
    .regex(/^\S+$/, "Alias must not contain whitespace"),
});

/** The target must name a provider this gateway knows, or the alias would resolve to nothing. */
function checkTarget(store: ConfigStore, model: string, alias: string): void {
  const slash = model.indexOf("/");
  if (slash <= 0 || slash === model.length - 1) throw fieldError("model", 'Model must be "provider/model"');
  const prefix = model.slice(0, slash);
  if (!store.prefixes.has(prefix.toLowerCase())) throw fieldError("model", `Unknown provider prefix "${prefix}"`);
  if (alias === model) throw fieldError("alias", "Alias must differ from the model it points to");
}

export function aliasRoutes(services: Services) {
  const { db, store } = services;

  async function setAlias({ request }: { request: Request }) {
    const { model, alias } = parseWith(SetAlias, await readJson(request));
    checkTarget(store, model, alias);
    db.insert(t.modelAliases)
      .values({ alias, target: model, createdAt: Date.now() })
      .onConflictDoUpdate({ target: t.modelAliases.alias, set: { target: model } })
      .run();
    store.reload();
    return { success: true, model, alias };
  }

  return new Elysia({ name: "admin-aliases" })
    .get("/api/models/alias", () => {
      const aliases: Record<string, string> = {};
      for (const row of db.select().from(t.modelAliases).orderBy(t.modelAliases.alias).all()) aliases[row.alias] = row.target;
      return { aliases };
    })
    // OmniRoute only has PUT; POST is accepted too because "create" is what most scripts try first.
    .put("/api/models/alias", setAlias)
    .post("/api/models/alias", setAlias)
    .delete("/api/models/alias", ({ query }) => {
      const alias = query.alias?.trim();
      if (!alias) throw badRequest("Alias required");
      const removed = db.delete(t.modelAliases).where(eq(t.modelAliases.alias, alias)).returning().all();
      if (removed.length === 0) throw notFound("Alias not found");
      store.reload();
      return { success: true };
    });
}
