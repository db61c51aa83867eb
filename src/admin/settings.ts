// /api/settings: runtime settings as one flat object. PUT and PATCH take any subset; unknown
// keys are dropped (OmniRoute's update schema strips them), invalid values are a 400.
import { Elysia } from "elysia";
import * as t from "../db/schema.ts";
import { VERSION } from "../config.ts";
import { apiKeyRequired, type Services } from "../services.ts";
import { SettingsPatchSchema, SettingsSchema } from "../settings.ts";
import { parseWith, readJson } from "./http.ts";

const SettingsUpdate = SettingsPatchSchema.strip();

export function settingsRoutes(services: Services) {
  const { db, store } = services;

  const view = () => ({ ...store.settings, requireApiKeyEnforced: apiKeyRequired(services), version: VERSION });

  async function update({ request }: { request: Request }) {
    const raw = await readJson(request);
    const parsed = parseWith(SettingsUpdate, raw) as Record<string, unknown>;
    // .partial() still fills defaults for absent keys; write only what the body named.
    const given = Object.keys(raw as object).filter((k) => k in SettingsSchema.shape);
    if (given.length > 0) {
      const now = Date.now();
      db.transaction((tx) => {
        for (const key of given) {
          tx.insert(t.settings)
            .values({ key, value: parsed[key], updatedAt: now })
            .onConflictDoUpdate({ target: t.settings.key, set: { value: parsed[key], updatedAt: now } })
            .run();
        }
      });
      store.reload();
    }
    return view();
  }

  return new Elysia({ name: "admin-settings" })
    .get("/api/settings", view)
    .put("/api/settings", update)
    .patch("/api/settings", update);
}
