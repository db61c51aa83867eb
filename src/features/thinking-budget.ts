// The thinking-budget policy (PUT /api/settings/thinking-budget):
//  - passthrough: the client decides;
//  - cap: a request that asks for more reasoning than budgetTokens gets budgetTokens (0: none);
//    a request that asks for none, or less, is left alone;
//  - force: every request reasons with budgetTokens (0: reasoning off).
// On a translated request the canonical `reasoning` is set (writers turn it into Anthropic
// `thinking`, OpenAI `reasoning_effort`, Gemini `thinkingConfig`, Ollama `think`); on a
// pass-through, the client's own body in its own field. Effort levels map to budgets with
// EFFORT_BUDGET; lowering an effort never goes below "low" (o-series models refuse "minimal").
import { EFFORT_BUDGET, effortFromBudget, type CanonicalRequest, type ReasoningEffort } from "../formats/canonical.ts";
import type { UpstreamFormat } from "../providers/types.ts";
import type { ThinkingBudgetConfig } from "./config.ts";

type Json = Record<string, any>;
const isObj = (v: unknown): v is Json => !!v && typeof v === "object" && !Array.isArray(v);

/** Anthropic refuses budget_tokens under 1024 (extended-thinking docs). */
const ANTHROPIC_MIN_BUDGET = 1024;
/** Budgets of the effort names some APIs have beyond the canonical four. */
const EXTRA_EFFORTS: Record<string, number> = { xhigh: 32768, max: 32768 };

const budgetOfEffort = (effort: string): number | undefined => EFFORT_BUDGET[effort as ReasoningEffort] ?? EXTRA_EFFORTS[effort];

/** The highest effort whose budget fits `cap`, never below "low". */
export function effortWithin(cap: number): ReasoningEffort {
  if (cap >= EFFORT_BUDGET.high) return "high";
  if (cap >= EFFORT_BUDGET.medium) return "medium";
  return "low";
}

/** The effort that stands for a forced budget (the bucket it falls in), never below "low". */
const forcedEffort = (budget: number): ReasoningEffort => {
  const e = effortFromBudget(budget);
  return e === "minimal" ? "low" : e;
};

export function thinkingBudgetCanonical(req: CanonicalRequest, cfg: ThinkingBudgetConfig): void {
  const budget = cfg.budgetTokens;
  if (cfg.mode === "force") {
    req.reasoning = budget === 0 ? { enabled: false } : { enabled: true, budgetTokens: budget, effort: forcedEffort(budget) };
    return;
  }
  if (cfg.mode !== "cap") return;
  const r = req.reasoning;
  if (!r || r.enabled === false || r.budgetTokens === 0) return;
  const asked = r.budgetTokens ?? EFFORT_BUDGET[r.effort ?? "medium"];
  if (asked <= budget) return;
  req.reasoning = budget === 0 ? { enabled: false } : { enabled: true, budgetTokens: budget, effort: effortWithin(budget) };
}

function openAi(body: Json, cfg: ThinkingBudgetConfig): Json {
  const budget = cfg.budgetTokens;
  const out = { ...body };
  if (cfg.mode === "force") {
    delete out.reasoning_effort;
    if (isObj(body.reasoning)) {
      const { max_tokens: _m, ...rest } = body.reasoning;
      if (budget === 0) delete out.reasoning;
      else out.reasoning = { ...rest, effort: forcedEffort(budget) };
    } else if (budget > 0) out.reasoning_effort = forcedEffort(budget);
    return out;
  }
  if (typeof body.reasoning_effort === "string" && (budgetOfEffort(body.reasoning_effort) ?? 0) > budget) {
    if (budget === 0) delete out.reasoning_effort;
    else out.reasoning_effort = effortWithin(budget);
  }
  // OpenRouter's unified object: {effort?, max_tokens?, enabled?}.
  if (isObj(body.reasoning)) {
    const r = { ...body.reasoning };
    const asked = typeof r.max_tokens === "number" ? r.max_tokens : typeof r.effort === "string" ? budgetOfEffort(r.effort) : undefined;
    if (asked !== undefined && asked > budget) {
      if (budget === 0) delete out.reasoning;
      else {
        if (typeof r.max_tokens === "number") r.max_tokens = budget;
        if (typeof r.effort === "string") r.effort = effortWithin(budget);
        out.reasoning = r;
      }
    }
  }
  return out;
}

/** Responses: `reasoning.effort` (reasoning.summary and other fields of the object are kept). */
function responses(body: Json, cfg: ThinkingBudgetConfig): Json {
  const budget = cfg.budgetTokens;
  const r: Json = isObj(body.reasoning) ? body.reasoning : {};
  const withEffort = (effort: string | null): Json => {
    const { effort: _e, ...rest } = r;
    const { reasoning: _r, ...out } = body;
    const next = effort === null ? rest : { ...rest, effort };
    return Object.keys(next).length ? { ...out, reasoning: next } : out;
  };
  if (cfg.mode === "force") return withEffort(budget === 0 ? null : forcedEffort(budget));
  if (typeof r.effort === "string" && r.effort !== "none" && (budgetOfEffort(r.effort) ?? 0) > budget) {
    return withEffort(budget === 0 ? null : effortWithin(budget));
  }
  return body;
}

function anthropic(body: Json, cfg: ThinkingBudgetConfig): Json {
  const budget = cfg.budgetTokens;
  const out = { ...body };
  const th = isObj(body.thinking) ? body.thinking : null;
  if (cfg.mode === "force") {
    if (budget === 0) {
      delete out.thinking;
      return out;
    }
    const b = Math.max(ANTHROPIC_MIN_BUDGET, budget);
    out.thinking = { type: "enabled", budget_tokens: b };
    // max_tokens must exceed budget_tokens; what the client allowed stays room for the answer.
    if (typeof out.max_tokens !== "number" || out.max_tokens <= b) out.max_tokens = (typeof out.max_tokens === "number" ? out.max_tokens : 4096) + b;
    // Thinking refuses a custom temperature or top_k.
    delete out.temperature;
    delete out.top_k;
    return out;
  }
  if (!th || th.type !== "enabled" || typeof th.budget_tokens !== "number" || th.budget_tokens <= budget) return body;
  if (budget < ANTHROPIC_MIN_BUDGET) delete out.thinking;
  else out.thinking = { ...th, budget_tokens: budget };
  return out;
}

function gemini(body: Json, cfg: ThinkingBudgetConfig): Json {
  const budget = cfg.budgetTokens;
  const g: Json = isObj(body.generationConfig) ? body.generationConfig : {};
  const tc: Json = isObj(g.thinkingConfig) ? g.thinkingConfig : {};
  const withConfig = (next: Json) => ({ ...body, generationConfig: { ...g, thinkingConfig: next } });
  if (cfg.mode === "force") {
    const { thinkingLevel: _level, ...rest } = tc;
    return withConfig({ ...rest, thinkingBudget: budget });
  }
  // -1 is "dynamic": no upper bound, so above any cap.
  if (typeof tc.thinkingBudget === "number" && (tc.thinkingBudget === -1 || tc.thinkingBudget > budget)) {
    return withConfig({ ...tc, thinkingBudget: budget });
  }
  if (typeof tc.thinkingLevel === "string" && (budgetOfEffort(tc.thinkingLevel.toLowerCase()) ?? 0) > budget) {
    // Gemini 3 levels: "low" is the least that every model accepts.
    return withConfig({ ...tc, thinkingLevel: "low" });
  }
  return body;
}

function ollama(body: Json, cfg: ThinkingBudgetConfig): Json {
  const budget = cfg.budgetTokens;
  if (cfg.mode === "force") return { ...body, think: budget === 0 ? false : typeof body.think === "string" ? forcedEffort(budget) : true };
  if (typeof body.think === "string" && (budgetOfEffort(body.think) ?? 0) > budget) return { ...body, think: budget === 0 ? false : effortWithin(budget) };
  if (body.think === true && budget === 0) return { ...body, think: false };
  return body;
}

/** The client's own body with the policy applied; the original object is left untouched. */
export function thinkingBudgetRaw(format: UpstreamFormat, body: Json, cfg: ThinkingBudgetConfig): Json {
  if (cfg.mode === "passthrough") return body;
  switch (format) {
    case "openai":
      return openAi(body, cfg);
    case "openai-responses":
      return responses(body, cfg);
    case "anthropic":
      return anthropic(body, cfg);
    case "gemini":
      return gemini(body, cfg);
    case "ollama":
      return ollama(body, cfg);
  }
}
