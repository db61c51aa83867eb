// Each strategy's order and, for the random ones, its distribution under a seeded RNG.
import { describe, expect, test } from "bun:test";
import { seededRandom } from "../../src/routing/clock.ts";
import { orderMembers, type Member, type Strategy, type StrategyContext } from "../../src/routing/strategies.ts";

const members: Member[] = [{ model: "a" }, { model: "b" }, { model: "c" }];
const ctx = (over: Partial<StrategyContext> = {}): StrategyContext => ({
  random: seededRandom(42),
  turn: 0,
  latencyOf: () => undefined,
  costOf: () => undefined,
  ...over,
});
const models = (list: Member[]) => list.map((m) => m.model);

/** How often each member comes first over n orderings sharing one RNG. */
function firstPicks(strategy: Strategy, list: Member[], n: number, seed = 7): Record<string, number> {
  const random = seededRandom(seed);
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const first = orderMembers(strategy, list, ctx({ random, turn: i }))[0]!.model;
    counts[first] = (counts[first] ?? 0) + 1;
  }
  return counts;
}

describe("strategies", () => {
  test("priority keeps the listed order", () => {
    expect(models(orderMembers("priority", members, ctx()))).toEqual(["a", "b", "c"]);
  });

  test("round-robin rotates the start with the turn and keeps the rest as fallback", () => {
    expect([0, 1, 2, 3].map((turn) => models(orderMembers("round-robin", members, ctx({ turn }))))).toEqual([
      ["a", "b", "c"],
      ["b", "c", "a"],
      ["c", "a", "b"],
      ["a", "b", "c"],
    ]);
    expect(firstPicks("round-robin", members, 300)).toEqual({ a: 100, b: 100, c: 100 });
  });

  test("random: every order is a permutation; first picks are near uniform", () => {
    const order = models(orderMembers("random", members, ctx()));
    expect([...order].sort()).toEqual(["a", "b", "c"]);
    const counts = firstPicks("random", members, 3000);
    for (const m of ["a", "b", "c"]) expect(Math.abs(counts[m]! - 1000)).toBeLessThan(100);
  });

  test("weighted: first picks follow the weights; zero weight is fallback only", () => {
    const weighted: Member[] = [{ model: "a", weight: 6 }, { model: "b", weight: 3 }, { model: "c", weight: 1 }, { model: "z", weight: 0 }];
    const counts = firstPicks("weighted", weighted, 10_000);
    expect(Math.abs(counts.a! / 10_000 - 0.6)).toBeLessThan(0.02);
    expect(Math.abs(counts.b! / 10_000 - 0.3)).toBeLessThan(0.02);
    expect(Math.abs(counts.c! / 10_000 - 0.1)).toBeLessThan(0.02);
    expect(counts.z).toBeUndefined();
    const order = models(orderMembers("weighted", weighted, ctx()));
    expect(order).toHaveLength(4);
    expect(order.at(-1)).toBe("z");
  });

  test("the same seed gives the same orders (reproducible)", () => {
    expect(firstPicks("weighted", [{ model: "a", weight: 2 }, { model: "b" }], 100, 5)).toEqual(firstPicks("weighted", [{ model: "a", weight: 2 }, { model: "b" }], 100, 5));
  });

  test("least-latency: unmeasured first (to measure them), then fastest first", () => {
    const latency: Record<string, number> = { a: 300, c: 120 };
    const order = orderMembers("least-latency", members, ctx({ latencyOf: (m) => latency[m.model] }));
    expect(models(order)).toEqual(["b", "c", "a"]);
    latency.b = 500;
    expect(models(orderMembers("least-latency", members, ctx({ latencyOf: (m) => latency[m.model] })))).toEqual(["c", "a", "b"]);
  });

  test("cheapest: known prices ascending, unknown after in listed order", () => {
    const cost: Record<string, number> = { b: 0.5, c: 3 };
    expect(models(orderMembers("cheapest", [...members, { model: "d" }], ctx({ costOf: (m) => m.cost ?? cost[m.model] })))).toEqual(["b", "c", "a", "d"]);
    // Nothing known: priority order.
    expect(models(orderMembers("cheapest", members, ctx()))).toEqual(["a", "b", "c"]);
  });
});
