// /api/resilience: resilience profiles (breaker thresholds, timeouts, retries), their
// assignment to providers, 429 cooldowns, connection rotation and the fallback rules.
// PUT merges: maps (profiles, assignments, rotation.providers) are merged key by key and a
// null value removes the key; the other sections are merged field by field. The result is
// validated as a whole and applies to the very next request.
// POST /api/resilience/reset forgets breakers, cooldowns, auth failures and telemetry.
import { Elysia } from "elysia";
import { z } from "zod";
import * as t from "../db/schema.ts";
import {
  PROFILE_NAME,
  RESILIENCE_KEY,
  ResilienceConfigSchema,
  ResilienceProfileSchema,
  ROTATIONS,
  type ResilienceConfig,
  type ResilienceProfile,
} from "../routing/resilience-config.ts";
import type { Services } from "../services.ts";
import { fieldError, parseWith, readJson } from "./http.ts";
import { providerIdOf } from "./provider-ids.ts";

const nullableMap = <T extends z.ZodType>(value: T) => z.record(z.string(), value.nullable());

const ResiliencePatch = z
  .object({
    profiles: nullableMap(ResilienceProfileSchema.partial()).optional(),
    assignments: nullableMap(z.string()).optional(),
    cooldown: ResilienceConfigSchema.shape.cooldown.unwrap().partial().optional(),
    rotation: z
      .object({ default: z.enum(ROTATIONS).optional(), providers: nullableMap(z.enum(ROTATIONS)).optional() })
      .strict()
      .optional(),
    fallback: ResilienceConfigSchema.shape.fallback.unwrap().partial().optional(),
  })
  .strict();

/** Writes one routing settings row (JSON) and reloads the in-memory config. */
export function saveRoutingRow(services: Services, key: string, value: unknown): void {
  const now = Date.now();
  services.db
    .insert(t.settings)
    .values({ key, value, updatedAt: now })
    .onConflictDoUpdate({ target: t.settings.key, set: { value, updatedAt: now } })
    .run();
  services.store.reload();
}

/**
 * The parsed values of the keys the client actually sent. zod's .partial() still fills in
 * defaults for absent keys, and a merge must not reset fields nobody asked to change.
 */
function sent<T extends object>(raw: unknown, parsed: T | undefined): Partial<T> | undefined {
  if (!parsed || !raw || typeof raw !== "object") return undefined;
  const out: Partial<T> = {};
  for (const key of Object.keys(raw)) if (key in parsed) (out as Record<string, unknown>)[key] = (parsed as Record<string, unknown>)[key];
  return out;
}

/** A profile given in part is completed from its current values, then the defaults; null removes it. */
function mergeProfiles(
  current: ResilienceConfig["profiles"],
  patch: Record<string, Partial<ResilienceProfile> | null> | undefined,
  raw: Record<string, unknown> | undefined,
): ResilienceConfig["profiles"] {
  const out = { ...current };
  for (const [name, given] of Object.entries(patch ?? {})) {
    if (given === null) delete out[name];
    else out[name] = ResilienceProfileSchema.parse({ ...current[name], ...sent(raw?.[name], given) });
  }
  return out;
}

function mergeMap<V>(base: Record<string, V>, patch: Record<string, V | null> | undefined, merge: (old: V | undefined, next: V) => V): Record<string, V> {
  const out = { ...base };
  for (const [k, v] of Object.entries(patch ?? {})) {
    if (v === null) delete out[k];
    else out[k] = merge(out[k], v);
  }
  return out;
}

export function resilienceRoutes(services: Services) {
  const { store } = services;

  /** Provider keys as given (ids, aliases, node prefixes) → canonical provider ids; unknown → 400. */
  function canonicalProviders<V>(map: Record<string, V> | undefined, field: string): Record<string, V> | undefined {
    if (!map) return undefined;
    const out: Record<string, V> = {};
    for (const [key, v] of Object.entries(map)) {
      const id = providerIdOf(store, key);
      if (!id) throw fieldError(`${field}.${key}`, `Unknown provider "${key}"`);
      out[id] = v;
    }
    return out;
  }

  return new Elysia({ name: "admin-resilience" })
    .get("/api/resilience", () => store.routing.resilience)

    .put("/api/resilience", async ({ request }) => {
      const raw = (await readJson(request)) as Record<string, any>;
      const patch = parseWith(ResiliencePatch, raw);
      const current = store.routing.resilience;
      for (const name of Object.keys(patch.profiles ?? {})) {
        if (!PROFILE_NAME.test(name)) throw fieldError(`profiles.${name}`, "Profile names use letters, digits, _ and - (up to 64)");
      }
      if (patch.profiles?.default === null) throw fieldError("profiles.default", "The default profile cannot be removed");

      const next: ResilienceConfig = {
        profiles: mergeProfiles(current.profiles, patch.profiles, raw.profiles),
        assignments: mergeMap(current.assignments, canonicalProviders(patch.assignments, "assignments"), (_, v) => v),
        cooldown: { ...current.cooldown, ...sent(raw.cooldown, patch.cooldown) },
        rotation: {
          default: patch.rotation?.default ?? current.rotation.default,
          providers: mergeMap(current.rotation.providers, canonicalProviders(patch.rotation?.providers, "rotation.providers"), (_, v) => v),
        },
        fallback: { ...current.fallback, ...sent(raw.fallback, patch.fallback) },
      };
      for (const [provider, profile] of Object.entries(next.assignments)) {
        if (!next.profiles[profile]) throw fieldError(`assignments.${provider}`, `Unknown profile "${profile}"`);
      }
      if (next.cooldown.baseMs > next.cooldown.maxMs) throw fieldError("cooldown.baseMs", "baseMs must not exceed maxMs");
      const valid = parseWith(ResilienceConfigSchema, next);
      saveRoutingRow(services, RESILIENCE_KEY, valid);
      return store.routing.resilience;
    })

    .post("/api/resilience/reset", () => {
      const resetCount = services.routing.reset();
      return { success: true, message: "Circuit breakers, cooldowns and health state reset", resetCount };
    });
}
