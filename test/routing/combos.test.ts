// Combo graphs: cycles and depth refused at write time; expansion orders nested members.
import { describe, expect, test } from "bun:test";
import { seededRandom } from "../../src/routing/clock.ts";
import { checkComboGraph, ComboGraphError, expandCombo, MAX_COMBO_DEPTH, membersOf, storedTargets, type ComboDef } from "../../src/routing/combos.ts";

const combo = (name: string, targets: unknown[], strategy = "priority"): ComboDef => ({ name, strategy, targets, config: {} });

function graph(...combos: ComboDef[]) {
  const map = new Map(combos.map((c) => [c.name, c]));
  return (name: string) => map.get(name);
}

describe("checkComboGraph", () => {
  test("a direct or indirect cycle is refused, naming the path", () => {
    expect(() => checkComboGraph("a", [{ model: "a" }], graph())).toThrow("Combo cycle: a → a");
    const get = graph(combo("b", ["c"]), combo("c", ["openai/gpt-4o", "a"]));
    expect(() => checkComboGraph("a", [{ model: "openai/x" }, { model: "b" }], get)).toThrow(new ComboGraphError("Combo cycle: a → b → c → a"));
  });

  test("a diamond (shared member) is not a cycle", () => {
    const get = graph(combo("b", ["d"]), combo("c", ["d"]), combo("d", ["openai/gpt-4o"]));
    expect(() => checkComboGraph("a", [{ model: "b" }, { model: "c" }], get)).not.toThrow();
  });

  test("nesting deeper than the limit is refused", () => {
    const chain: ComboDef[] = [];
    for (let i = 1; i <= MAX_COMBO_DEPTH; i++) chain.push(combo(`c${i}`, [i === MAX_COMBO_DEPTH ? "openai/gpt-4o" : `c${i + 1}`]));
    expect(() => checkComboGraph("top", [{ model: "c1" }], graph(...chain))).toThrow(/nest deeper/);
    expect(() => checkComboGraph("top", [{ model: `c2` }], graph(...chain))).not.toThrow();
  });
});

describe("expandCombo", () => {
  const ctx = (get: (n: string) => ComboDef | undefined) => ({
    getCombo: get,
    strategyContext: () => ({ random: seededRandom(1), turn: 1, latencyOf: () => undefined, costOf: () => undefined }),
  });

  test("nested combos expand in place, each with its own strategy; duplicates tried once", () => {
    const inner = combo("inner", ["groq/llama", "openai/gpt-4o"], "round-robin");
    const outer = combo("outer", ["openai/gpt-4o", "inner", "anthropic/claude"]);
    const leaves = expandCombo(outer, ctx(graph(inner, outer)));
    expect(leaves.map((l) => `${l.combo}:${l.model}`)).toEqual(["outer:openai/gpt-4o", "inner:groq/llama", "outer:anthropic/claude"]);
  });

  test("a stored cycle (hand-edited) is cut, not followed", () => {
    const a = combo("a", ["openai/x", "b"]);
    const b = combo("b", ["a", "groq/y"]);
    expect(expandCombo(a, ctx(graph(a, b))).map((l) => l.model)).toEqual(["openai/x", "groq/y"]);
  });

  test("targets: strings or {model, weight, cost}; malformed entries are dropped", () => {
    expect(membersOf({ targets: ["a/b", { model: "c/d", weight: 2 }, 42, { nope: 1 }, " "] })).toEqual([{ model: "a/b" }, { model: "c/d", weight: 2 }]);
    expect(storedTargets(["a/b", { model: "c/d" }, { model: "e/f", cost: 1 }])).toEqual(["a/b", "c/d", { model: "e/f", cost: 1 }]);
  });
});
