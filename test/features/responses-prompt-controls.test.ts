// The global system prompt and the thinking-budget policy on a Responses → Responses
// pass-through body: placed in `instructions` and `reasoning.effort`, other fields untouched.
import { expect, test } from "bun:test";
import { systemPromptRaw } from "../../src/features/system-prompt.ts";
import { thinkingBudgetRaw } from "../../src/features/thinking-budget.ts";

const body = { model: "m", instructions: "Client rules.", input: "hi", reasoning: { effort: "high", summary: "auto" }, extra: 1 };

test("system prompt → instructions (prepend, append, replace)", () => {
  expect(systemPromptRaw("openai-responses", body, { enabled: true, prompt: "Ops.", mode: "prepend" } as any).instructions).toBe("Ops.\n\nClient rules.");
  expect(systemPromptRaw("openai-responses", body, { enabled: true, prompt: "Ops.", mode: "append" } as any).instructions).toBe("Client rules.\n\nOps.");
  const replaced = systemPromptRaw("openai-responses", body, { enabled: true, prompt: "Ops.", mode: "replace" } as any);
  expect(replaced).toEqual({ ...body, instructions: "Ops." });
  expect(systemPromptRaw("openai-responses", { model: "m", input: "x" }, { enabled: true, prompt: "Ops.", mode: "append" } as any).instructions).toBe("Ops.");
});

test("thinking budget → reasoning.effort (cap lowers, force sets or removes; summary kept)", () => {
  expect(thinkingBudgetRaw("openai-responses", body, { mode: "cap", budgetTokens: 8192 } as any).reasoning).toEqual({ effort: "medium", summary: "auto" });
  expect(thinkingBudgetRaw("openai-responses", body, { mode: "cap", budgetTokens: 30000 } as any)).toBe(body);
  expect(thinkingBudgetRaw("openai-responses", body, { mode: "cap", budgetTokens: 0 } as any).reasoning).toEqual({ summary: "auto" });
  expect(thinkingBudgetRaw("openai-responses", { model: "m", input: "x" }, { mode: "force", budgetTokens: 2048 } as any).reasoning).toEqual({ effort: "low" });
  const off = thinkingBudgetRaw("openai-responses", { model: "m", reasoning: { effort: "low" } }, { mode: "force", budgetTokens: 0 } as any);
  expect(off).toEqual({ model: "m" });
});
