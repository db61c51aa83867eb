// /api/cache: the response cache and idempotency layer, in the reference's shape.
//   GET    → {semanticCache: {memorySize, memoryMaxSize, dbSize, hitRate}, idempotency: {activeKeys, windowMs}}
//   DELETE → clears both (idempotency keys still in flight stay: requests wait on them);
//            ?model=<provider/model or model id> or ?staleMs=<n> remove only those answers.
// The cache's knobs (on/off, TTL, sizes, what counts as deterministic) are in /api/settings.
import { Elysia } from "elysia";
import { z } from "zod";
import type { Services } from "../services.ts";
import { parseWith } from "./http.ts";

const DeleteQuery = z.object({
  model: z.string().trim().min(1).optional(),
  staleMs: z.coerce.number().int("must be a whole number of milliseconds").positive("must be a positive number of milliseconds").optional(),
});

export function cacheRoutes(services: Services) {
  const { cache, idempotency } = services.features;

  return new Elysia({ name: "admin-cache" })
    .get("/api/cache", () => ({ semanticCache: cache.stats(), idempotency: idempotency.stats() }))

    .delete("/api/cache", ({ query }) => {
      const q = parseWith(DeleteQuery, query);
      if (q.model) return { ok: true, scope: "model", model: q.model, invalidated: cache.invalidate({ scope: "model", model: q.model }) };
      if (q.staleMs) return { ok: true, scope: "stale", maxAgeMs: q.staleMs, invalidated: cache.invalidate({ scope: "stale", maxAgeMs: q.staleMs }) };
      const invalidated = cache.invalidate({ scope: "all" });
      return { ok: true, scope: "all", invalidated, idempotencyKeysCleared: idempotency.clear() };
    });
}
