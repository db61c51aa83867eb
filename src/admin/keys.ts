// /api/keys: the gateway's own API keys. The key is shown once, at creation; SQLite keeps only
// its SHA-256 and a display prefix. reload() rebuilds store.keysByHash, so a revoked or
// deleted key stops working on the next request.
import { eq } from "drizzle-orm";
import { Elysia } from "elysia";
import { z } from "zod";
import * as t from "../db/schema.ts";
import { notFound } from "../errors.ts";
import { displayPrefix, generateApiKey, hashApiKey } from "../security/api-keys.ts";
import type { Services } from "../services.ts";
import { iso, json, noFieldsToUpdate, parseWith, readJson, requiredString, withoutNulls } from "./http.ts";

type KeyRow = typeof t.apiKeys.$inferSelect;

const Name = requiredString("Name is required").max(200);
const CreateKey = z.object({ name: Name });
const UpdateKey = z.object({ name: Name.optional(), isActive: z.boolean().optional() });

/** Never the key nor its hash: only what identifies it. */
export const keyView = (row: KeyRow) =>
  withoutNulls({
    id: row.id,
    name: row.name,
    keyPrefix: row.keyPrefix,
    createdAt: iso(row.createdAt),
    lastUsedAt: iso(row.lastUsedAt),
    revokedAt: iso(row.revokedAt),
    isActive: row.revokedAt === null,
  });

export function keyRoutes(services: Services) {
  const { db, store } = services;

  function load(id: string): KeyRow {
    const row = db.select().from(t.apiKeys).where(eq(t.apiKeys.id, id)).get();
    if (!row) throw notFound("Key not found");
    return row;
  }

  return new Elysia({ name: "admin-keys" })
    .get("/api/keys", () => {
      const rows = db.select().from(t.apiKeys).orderBy(t.apiKeys.createdAt).all();
      return { keys: rows.map(keyView), total: rows.length };
    })

    .post("/api/keys", async ({ request }) => {
      const { name } = parseWith(CreateKey, await readJson(request));
      const key = generateApiKey();
      const row: KeyRow = {
        id: crypto.randomUUID(),
        name,
        keyHash: hashApiKey(key),
        keyPrefix: displayPrefix(key),
        createdAt: Date.now(),
        lastUsedAt: null,
        revokedAt: null,
      };
      db.insert(t.apiKeys).values(row).run();
      store.reload();
      // Compliance log: which key, never the key itself.
      services.audit.annotate(request, { action: "keys.create", target: row.id, details: { name, keyPrefix: row.keyPrefix } });
      return json({ key, id: row.id, name, keyPrefix: row.keyPrefix, createdAt: iso(row.createdAt) }, 201);
    })

    .get("/api/keys/:id", ({ params }) => keyView(load(params.id)))

    .patch("/api/keys/:id", async ({ params, request }) => {
      const row = load(params.id);
      const patch = parseWith(UpdateKey, await readJson(request));
      if (patch.name === undefined && patch.isActive === undefined) throw noFieldsToUpdate();
      // isActive:false revokes (keeping the first revocation time); true restores the key.
      const revokedAt = patch.isActive === undefined ? undefined : patch.isActive ? null : (row.revokedAt ?? Date.now());
      db.update(t.apiKeys).set({ name: patch.name, revokedAt }).where(eq(t.apiKeys.id, row.id)).run();
      store.reload();
      if (patch.isActive !== undefined && patch.isActive === (row.revokedAt !== null)) {
        services.audit.annotate(request, { action: patch.isActive ? "keys.restore" : "keys.revoke", details: { name: patch.name ?? row.name, keyPrefix: row.keyPrefix } });
      }
      return { message: "API key settings updated successfully", ...withoutNulls(patch) };
    })

    .delete("/api/keys/:id", ({ params, request }) => {
      const row = load(params.id);
      db.delete(t.apiKeys).where(eq(t.apiKeys.id, row.id)).run();
      store.reload();
      services.audit.annotate(request, { details: { name: row.name, keyPrefix: row.keyPrefix } });
      return { message: "Key deleted successfully" };
    });
}
