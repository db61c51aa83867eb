// How a combo orders its members for one request. Every strategy returns *all* members, best
// first: the order is also the fallback order, so a request still reaches the last member
// when the first ones fail. Pure functions over injected randomness and telemetry.
import type { Random } from "./clock.ts";

export const STRATEGIES = ["priority", "round-robin", "weighted", "random", "least-latency", "cheapest"] as const;
export type Strategy = (typeof STRATEGIES)[number];

export interface Member {
  model: string;
  /** Share of first picks under "weighted" (default 1; 0 = only as a fallback). */
  weight?: number;
  /** Price per million tokens under "cheapest" (overrides the pricing table). */
  cost?: number;
}

export interface StrategyContext {
  random: Random;
  /** This combo's request counter (round-robin start position). */
  turn: number;
  /** Smoothed latency of a member's target; undefined = never measured. */
  latencyOf(member: Member): number | undefined;
  /** Known price of a member; undefined = unknown. */
  costOf(member: Member): number | undefined;
}

export function orderMembers<T extends Member>(strategy: Strategy, members: readonly T[], ctx: StrategyContext): T[] {
  const list = [...members];
  if (list.length < 2) return list;
  switch (strategy) {
    case "priority":
      return list;
    case "round-robin": {
      const start = ((ctx.turn % list.length) + list.length) % list.length;
      return [...list.slice(start), ...list.slice(0, start)];
    }
    case "random":
      return shuffle(list, ctx.random);
    case "weighted":
      return weightedOrder(list, ctx.random);
    case "least-latency":
      // Never-measured members go first so each gets measured once; then fastest first.
      // (Failures are recorded as a penalty sample, so a failing member sinks.)
      return byMetric(list, ctx.latencyOf, "unknown-first");
    case "cheapest":
      // Without a price the listed order stands, after every member whose price is known.
      return byMetric(list, ctx.costOf, "unknown-last");
  }
}

function shuffle<T>(list: T[], random: Random): T[] {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  return list;
}

/**
 * Weighted sampling without replacement (Efraimidis–Spirakis: key = u^(1/w), highest first):
 * the first pick is member i with probability w_i / Σw, and the fallback order that follows
 * is weighted the same way. Zero-weight members come last, in listed order.
 */
function weightedOrder<T extends Member>(list: T[], random: Random): T[] {
  const weighted = list
    .filter((m) => (m.weight ?? 1) > 0)
    .map((m) => ({ m, key: Math.pow(random() || Number.MIN_VALUE, 1 / (m.weight ?? 1)) }))
    .sort((a, b) => b.key - a.key)
    .map((x) => x.m);
  return [...weighted, ...list.filter((m) => (m.weight ?? 1) <= 0)];
}

function byMetric<T extends Member>(list: T[], metric: (m: T) => number | undefined, unknown: "unknown-first" | "unknown-last"): T[] {
  const scored = list.map((m, i) => ({ m, i, v: metric(m) }));
  const known = scored.filter((x) => x.v !== undefined).sort((a, b) => a.v! - b.v! || a.i - b.i);
  const rest = scored.filter((x) => x.v === undefined);
  const ordered = unknown === "unknown-first" ? [...rest, ...known] : [...known, ...rest];
  return ordered.map((x) => x.m);
}
