// /api/combos: named virtual models over ordered targets. Every write is checked before it
// is stored: the name must not shadow a provider prefix or an alias, every target must name
// something routable, and the combo graph must stay acyclic and shallow (400 otherwise), so
// a request can never loop between combos.
import { eq } from "drizzle-orm";
import { Elysia } from "elysia";
import { z } from "zod";
import * as t from "../db/schema.ts";
import { conflict, notFound } from "../errors.ts";
import { resolveSingle } from "../gateway/resolve.ts";
import {
  checkComboGraph,
  COMBO_NAME,
  ComboConfigSchema,
  ComboGraphError,
  ComboStrategySchema,
  ComboTargetSchema,
  membersOf,
  storedTargets,
  type ComboTargetInput,
} from "../routing/combos.ts";
import { isRegex } from "../routing/resilience-config.ts";
import type { Services } from "../services.ts";
import { fieldError, iso, json, noFieldsToUpdate, parseWith, readJson, requiredString } from "./http.ts";

type ComboRow = typeof t.combos.$inferSelect;

const Name = requiredString("Name is required")
  .max(100)
  .regex(COMBO_NAME, 'Name may hold letters, digits and . _ : - (no "/" or spaces)');
const Targets = z.array(ComboTargetSchema, { error: "Targets must be a list of models" }).min(1, "At least one target is required").max(50);
const Config = ComboConfigSchema.refine((c) => (c.fallbackMessagePatterns ?? []).every(isRegex), {
  message: "Invalid regular expression",
  path: ["fallbackMessagePatterns"],
});

/** OmniRoute scripts send `models`; `targets` is this API's name. Either is accepted. */
const withTargets = (raw: unknown) => {
  if (raw && typeof raw === "object" && !Array.isArray(raw)) {
    const o = raw as Record<string, unknown>;
    if (o.targets === undefined && o.models !== undefined) {
      const { models, ...rest } = o;
      return { ...rest, targets: models };
    }
  }
  return raw;
};

const CreateCombo = z.object({ name: Name, strategy: ComboStrategySchema.default("priority"), targets: Targets, config: Config.default(() => ({})) });
const UpdateCombo = z.object({ name: Name.optional(), strategy: ComboStrategySchema.optional(), targets: Targets.optional(), config: Config.optional() });

export const comboView = (row: ComboRow) => ({
  id: row.id,
  name: row.name,
  strategy: row.strategy,
  targets: row.targets,
  config: row.config,
  createdAt: iso(row.createdAt),
  updatedAt: iso(row.updatedAt),
});

export function comboRoutes(services: Services) {
  const { db, store } = services;

  const rows = () => db.select().from(t.combos).orderBy(t.combos.name).all();

  /** By id, or by name (what users remember). */
  function load(idOrName: string): ComboRow {
    const row =
      db.select().from(t.combos).where(eq(t.combos.id, idOrName)).get() ?? db.select().from(t.combos).where(eq(t.combos.name, idOrName)).get();
    if (!row) throw notFound("Combo not found");
    return row;
  }

  /** Combos (other than `except`) whose targets name `name`. */
  const usersOf = (name: string, except?: string) =>
    rows().filter((r) => r.name !== except && membersOf(r).some((m) => m.model === name)).map((r) => r.name);

  function checkName(name: string, selfId: string | null): void {
    if (store.prefixes.has(name.toLowerCase())) throw fieldError("name", `"${name}" is a provider prefix; pick another name`);
    if (store.aliases.has(name)) throw fieldError("name", `"${name}" is already an alias`);
    const other = db.select().from(t.combos).where(eq(t.combos.name, name)).get();
    if (other && other.id !== selfId) throw conflict(`A combo named "${name}" already exists`);
  }

  /** Every target must name a combo, an alias, a known provider prefix, or a model a configured provider serves. */
  function checkTargets(name: string, targets: ComboTargetInput[]): void {
    const combos = new Map(rows().map((r) => [r.name, r]));
    targets.forEach((target, i) => {
      const model = typeof target === "string" ? target : target.model;
      if (combos.has(model) || model === name || store.aliases.has(model)) return;
      const slash = model.indexOf("/");
      if (slash > 0 && slash < model.length - 1 && store.prefixes.has(model.slice(0, slash).toLowerCase())) return;
      try {
        resolveSingle(model, store);
      } catch {
        throw fieldError(`targets.${i}`, `Unknown target "${model}": use provider/model, an alias or a combo name`);
      }
    });
    try {
      checkComboGraph(name, membersOf({ targets: storedTargets(targets) }), (n) => combos.get(n));
    } catch (err) {
      if (err instanceof ComboGraphError) throw fieldError("targets", err.message);
      throw err;
    }
  }

  return new Elysia({ name: "admin-combos" })
    .get("/api/combos", () => {
      const list = rows().map(comboView);
      return { combos: list, total: list.length };
    })

    .post("/api/combos", async ({ request }) => {
      const body = parseWith(CreateCombo, withTargets(await readJson(request)));
      checkName(body.name, null);
      checkTargets(body.name, body.targets);
      const now = Date.now();
      const row: ComboRow = {
        id: crypto.randomUUID(),
        name: body.name,
        strategy: body.strategy,
        targets: storedTargets(body.targets),
        config: body.config,
        createdAt: now,
        updatedAt: now,
      };
      db.insert(t.combos).values(row).run();
      store.reload();
      return json({ combo: comboView(row) }, 201);
    })

    .get("/api/combos/:id", ({ params }) => ({ combo: comboView(load(params.id)) }))

    .put("/api/combos/:id", async ({ params, request }) => {
      const existing = load(params.id);
      const patch = parseWith(UpdateCombo, withTargets(await readJson(request)));
      if (Object.values(patch).every((v) => v === undefined)) throw noFieldsToUpdate();
      const name = patch.name ?? existing.name;
      if (name !== existing.name) {
        checkName(name, existing.id);
        const users = usersOf(existing.name, existing.name);
        if (users.length > 0) throw conflict(`Combo "${existing.name}" is a target of ${users.map((u) => `"${u}"`).join(", ")}; renaming it would break them`);
      }
      const targets = patch.targets ?? (existing.targets as ComboTargetInput[]);
      checkTargets(name, targets);
      db.update(t.combos)
        .set({
          name,
          strategy: patch.strategy,
          targets: patch.targets ? storedTargets(patch.targets) : undefined,
          config: patch.config,
          updatedAt: Date.now(),
        })
        .where(eq(t.combos.id, existing.id))
        .run();
      store.reload();
      return { combo: comboView(load(existing.id)) };
    })

    .delete("/api/combos/:id", ({ params }) => {
      const existing = load(params.id);
      const users = usersOf(existing.name, existing.name);
      if (users.length > 0) throw conflict(`Combo "${existing.name}" is a target of ${users.map((u) => `"${u}"`).join(", ")}; remove it there first`);
      db.delete(t.combos).where(eq(t.combos.id, existing.id)).run();
      store.reload();
      return { success: true };
    });
}
