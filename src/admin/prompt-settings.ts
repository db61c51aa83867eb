// /api/settings/system-prompt and /api/settings/thinking-budget: the global system prompt
// ({enabled, prompt, mode: prepend|append|replace}) and the thinking-budget policy
// ({mode: passthrough|cap|force, budgetTokens}). PUT (or PATCH) takes any subset and merges it
// into what is in force; the answer is the whole config. They apply to the very next request
// (src/features/system-prompt.ts, src/features/thinking-budget.ts).
import { Elysia } from "elysia";
import type { z } from "zod";
import { SYSTEM_PROMPT_KEY, SystemPromptSchema, THINKING_BUDGET_KEY, ThinkingBudgetSchema } from "../features/config.ts";
import type { Services } from "../services.ts";
import { noFieldsToUpdate, parseWith, readJson } from "./http.ts";
import { saveRoutingRow } from "./resilience.ts";

/** The fields the body named, validated; .partial() would otherwise fill defaults for the others. */
function patchOf<T extends z.ZodObject>(schema: T, raw: unknown): Record<string, unknown> {
  const parsed = parseWith(schema.partial().strict(), raw ?? {}) as Record<string, unknown>;
  const given = Object.keys((raw as object | null) ?? {}).filter((k) => k in schema.shape);
  if (given.length === 0) throw noFieldsToUpdate();
  return Object.fromEntries(given.map((k) => [k, parsed[k]]));
}

export function promptSettingsRoutes(services: Services) {
  const { store } = services;

  const section = <T extends z.ZodObject>(key: string, schema: T, current: () => z.infer<T>) => {
    return async ({ request }: { request: Request }) => {
      const next = schema.parse({ ...current(), ...patchOf(schema, await readJson(request)) });
      saveRoutingRow(services, key, next);
      return current();
    };
  };

  const updatePrompt = section(SYSTEM_PROMPT_KEY, SystemPromptSchema, () => store.features.systemPrompt);
  const updateThinking = section(THINKING_BUDGET_KEY, ThinkingBudgetSchema, () => store.features.thinkingBudget);

  return new Elysia({ name: "admin-prompt-settings" })
    .get("/api/settings/system-prompt", () => store.features.systemPrompt)
    .put("/api/settings/system-prompt", updatePrompt)
    .patch("/api/settings/system-prompt", updatePrompt)
    .get("/api/settings/thinking-budget", () => store.features.thinkingBudget)
    .put("/api/settings/thinking-budget", updateThinking)
    .patch("/api/settings/thinking-budget", updateThinking);
}
