// /api/policies: routing rules evaluated before model resolution (src/routing/policies.ts).
// GET lists them in evaluation order; POST adds one; PUT /:id replaces one; DELETE /:id
// removes one. Stored as one settings row, applied from the next request on.
import { Elysia } from "elysia";
import { comboNamed } from "../gateway/resolve.ts";
import { notFound } from "../errors.ts";
import { PolicyInputSchema, type Policy, type PolicyInput } from "../routing/policies.ts";
import { POLICIES_KEY } from "../routing/resilience-config.ts";
import type { Services } from "../services.ts";
import { fieldError, json, parseWith, readJson } from "./http.ts";
import { saveRoutingRow } from "./resilience.ts";

const ordered = (policies: readonly Policy[]) => [...policies].sort((a, b) => a.priority - b.priority || a.createdAt - b.createdAt);

export function policyRoutes(services: Services) {
  const { store } = services;

  /** A forced model must be something the router knows: a combo, an alias or a provider prefix. */
  function checkForcedModel(input: PolicyInput): void {
    const model = input.forceModel;
    if (!model || comboNamed(model, store) || store.aliases.has(model)) return;
    const slash = model.indexOf("/");
    if (slash > 0 && store.prefixes.has(model.slice(0, slash).toLowerCase())) return;
    throw fieldError("forceModel", `Unknown model "${model}": use provider/model, an alias or a combo name`);
  }

  function find(id: string): Policy {
    const policy = store.routing.policies.find((p) => p.id === id);
    if (!policy) throw notFound("Policy not found");
    return policy;
  }

  return new Elysia({ name: "admin-policies" })
    .get("/api/policies", () => {
      const policies = ordered(store.routing.policies);
      return { policies, total: policies.length };
    })

    .post("/api/policies", async ({ request }) => {
      const input = parseWith(PolicyInputSchema, await readJson(request));
      checkForcedModel(input);
      const policy: Policy = { ...input, id: crypto.randomUUID(), createdAt: Date.now() };
      saveRoutingRow(services, POLICIES_KEY, [...store.routing.policies, policy]);
      return json({ policy }, 201);
    })

    .put("/api/policies/:id", async ({ params, request }) => {
      const existing = find(params.id);
      const input = parseWith(PolicyInputSchema, await readJson(request));
      checkForcedModel(input);
      const policy: Policy = { ...input, id: existing.id, createdAt: existing.createdAt };
      saveRoutingRow(services, POLICIES_KEY, store.routing.policies.map((p) => (p.id === existing.id ? policy : p)));
      return { policy };
    })

    .delete("/api/policies/:id", ({ params }) => {
      const existing = find(params.id);
      saveRoutingRow(services, POLICIES_KEY, store.routing.policies.filter((p) => p.id !== existing.id));
      return { success: true };
    });
}
