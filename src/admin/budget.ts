// /api/usage/budget: spending caps per API key, in the reference's shape
// ({keyId, limit, period: daily|weekly|monthly}, limit in US dollars). The status shows spend
// for the current period, what is left, and a warning once spend passes warningThreshold
// (a fraction of the limit, 0.8 unless set). Enforcement: src/usage/budget.ts.
import { Elysia } from "elysia";
import { z } from "zod";
import { notFound } from "../errors.ts";
import type { Services } from "../services.ts";
import { BUDGET_PERIODS } from "../usage/budget.ts";
import { parseWith, readJson, requiredString } from "./http.ts";

const SetBudget = z.object({
  keyId: requiredString("keyId is required"),
  limit: z.number().finite().positive("must be a positive amount in USD").max(1e9),
  period: z.enum(BUDGET_PERIODS).default("monthly"),
  warningThreshold: z.number().min(0).max(1).default(0.8),
});
const KeyQuery = z.object({ keyId: z.string().min(1).optional() });

export function budgetRoutes(services: Services) {
  const { db } = services;
  const budgets = () => services.accounting.budgets;

  const keyNames = () => {
    const rows = db.$client.query("SELECT id, name FROM api_keys").all() as { id: string; name: string }[];
    return new Map(rows.map((r) => [r.id, r.name]));
  };
  const withNames = (list: ReturnType<ReturnType<typeof budgets>["status"]>) => {
    const names = keyNames();
    // A key deleted since (its budget row went with it) is dropped here too.
    return list.filter((b) => names.has(b.keyId)).map((b) => ({ ...b, keyName: names.get(b.keyId) ?? null }));
  };

  return new Elysia({ name: "admin-budget" })
    .get("/api/usage/budget", ({ query }) => {
      const { keyId } = parseWith(KeyQuery, query);
      const list = withNames(budgets().status(keyId));
      if (keyId) {
        if (list.length === 0) throw notFound("Budget not found");
        return list[0];
      }
      return { budgets: list };
    })

    .post("/api/usage/budget", async ({ request }) => {
      const body = parseWith(SetBudget, await readJson(request));
      if (!keyNames().has(body.keyId)) throw notFound("Key not found");
      budgets().set({ keyId: body.keyId, limitUsd: body.limit, period: body.period, warningThreshold: body.warningThreshold });
      services.audit.annotate(request, { action: "budgets.set", target: body.keyId, details: { limit: body.limit, period: body.period } });
      return { success: true, budget: withNames(budgets().status(body.keyId))[0] };
    })

    .delete("/api/usage/budget", ({ query, request }) => {
      const { keyId } = parseWith(KeyQuery, query);
      if (!keyId) throw notFound("Budget not found");
      if (!budgets().remove(keyId)) throw notFound("Budget not found");
      services.audit.annotate(request, { action: "budgets.delete", target: keyId });
      return { success: true };
    });
}
