// Combos: a named virtual model over ordered targets ("provider/model", an alias, or another
// combo) with a strategy. This file holds the combo's shape, the write-time graph check
// (cycles and nesting depth are refused with a 400 before they can loop a request), and the
// run-time expansion of a combo into its ordered leaf targets.
import { z } from "zod";
import { type Member, orderMembers, STRATEGIES, type Strategy, type StrategyContext } from "./strategies.ts";

/** Nesting deeper than this is refused at write time and cut at run time. */
export const MAX_COMBO_DEPTH = 5;
/** No "/" (it would read as provider/model) and no spaces. */
export const COMBO_NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;

const TargetModel = z.string().trim().min(1, "Target model is required").max(500);

export const ComboTargetSchema = z.union([
  TargetModel,
  z.object({ model: TargetModel, weight: z.number().min(0).max(1_000_000).optional(), cost: z.number().min(0).optional() }).strict(),
]);
export type ComboTargetInput = z.infer<typeof ComboTargetSchema>;

/** Per-combo overrides; unknown keys are kept (OmniRoute combos carry other settings too). */
export const ComboConfigSchema = z.looseObject({
  /** Replaces the global list of 4xx statuses that always move on. */
  fallbackStatuses: z.array(z.number().int().min(400).max(499)).optional(),
  /** Replaces the global "this model can't" message patterns. */
  fallbackMessagePatterns: z.array(z.string().min(1)).optional(),
  /** target model → price per million tokens, for the "cheapest" strategy. */
  costs: z.record(z.string(), z.number().min(0)).optional(),
  /** Caps upstream calls for one request through this combo. */
  maxAttempts: z.number().int().min(1).max(100).optional(),
});
export type ComboConfig = z.infer<typeof ComboConfigSchema>;

export const ComboStrategySchema = z.enum(STRATEGIES, { error: `Strategy must be one of: ${STRATEGIES.join(", ")}` });

export interface ComboDef {
  name: string;
  strategy: string;
  targets: unknown[];
  config: Record<string, unknown>;
}

/** Stored targets → members; anything malformed (hand-edited rows) is dropped, not thrown. */
export function membersOf(combo: Pick<ComboDef, "targets">): Member[] {
  const out: Member[] = [];
  for (const t of combo.targets) {
    if (typeof t === "string" && t.trim()) out.push({ model: t.trim() });
    else if (t && typeof t === "object" && typeof (t as Member).model === "string") {
      const m = t as Member;
      out.push({ model: m.model.trim(), ...(typeof m.weight === "number" ? { weight: m.weight } : {}), ...(typeof m.cost === "number" ? { cost: m.cost } : {}) });
    }
  }
  return out;
}

/** The compact stored form: a bare string when only the model is given. */
export function storedTargets(targets: ComboTargetInput[]): unknown[] {
  return targets.map((t) => {
    if (typeof t === "string") return t;
    return t.weight === undefined && t.cost === undefined ? t.model : t;
  });
}

export function strategyOf(combo: Pick<ComboDef, "strategy">): Strategy {
  return (STRATEGIES as readonly string[]).includes(combo.strategy) ? (combo.strategy as Strategy) : "priority";
}

export class ComboGraphError extends Error {}

/**
 * Refuses a combo (as it would be after this write) that reaches itself through its members,
 * or nests deeper than MAX_COMBO_DEPTH. `getCombo` sees the other combos as stored.
 */
export function checkComboGraph(name: string, targets: readonly Member[], getCombo: (name: string) => Pick<ComboDef, "targets"> | undefined): void {
  const visit = (members: readonly Member[], path: string[]): void => {
    if (path.length > MAX_COMBO_DEPTH) throw new ComboGraphError(`Combos nest deeper than ${MAX_COMBO_DEPTH} levels: ${path.join(" → ")}`);
    for (const m of members) {
      if (m.model === name || path.includes(m.model)) throw new ComboGraphError(`Combo cycle: ${[...path, m.model].join(" → ")}`);
      const inner = getCombo(m.model);
      if (inner) visit(membersOf(inner), [...path, m.model]);
    }
  };
  visit(targets, [name]);
}

export interface ComboLeaf {
  /** The member's model string as written (provider/model or an alias). */
  model: string;
  /** The innermost combo it came from. */
  combo: string;
  member: Member;
}

export interface ExpandContext {
  getCombo(name: string): ComboDef | undefined;
  /** Strategy inputs for one combo (its round-robin turn, latency and cost lookups). */
  strategyContext(combo: ComboDef): StrategyContext;
}

/**
 * A combo's leaf targets in the order to try them: each combo orders its own members by its
 * strategy, and a nested combo is expanded in place. A leaf reached twice is tried once.
 * Cycles that slipped past the write-time check (hand-edited rows) are cut, not followed.
 */
export function expandCombo(root: ComboDef, ctx: ExpandContext): ComboLeaf[] {
  const out: ComboLeaf[] = [];
  const seen = new Set<string>();
  const walk = (combo: ComboDef, path: string[]): void => {
    if (path.length > MAX_COMBO_DEPTH) return;
    const ordered = orderMembers(strategyOf(combo), membersOf(combo), ctx.strategyContext(combo));
    for (const member of ordered) {
      const inner = ctx.getCombo(member.model);
      if (inner) {
        if (!path.includes(inner.name)) walk(inner, [...path, inner.name]);
        continue;
      }
      if (seen.has(member.model)) continue;
      seen.add(member.model);
      out.push({ model: member.model, combo: combo.name, member });
    }
  };
  walk(root, [root.name]);
  return out;
}
