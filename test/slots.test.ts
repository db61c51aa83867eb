// Slots: numbered places for per-request bookkeeping, reused once freed; a stale number
// (its slot since given to another value) must never remove the newcomer.
import { expect, test } from "bun:test";
import { Slots } from "../src/slots.ts";

test("values are found by their slot, freed slots are reused, entries skip the empty ones", () => {
  const slots = new Slots<{ name: string }>();
  const a = { name: "a" };
  const b = { name: "b" };
  const c = { name: "c" };
  const sa = slots.add(a);
  const sb = slots.add(b);
  const sc = slots.add(c);
  expect(new Set([sa, sb, sc]).size).toBe(3);
  expect(slots.get(sb)).toBe(b);
  expect(slots.size).toBe(3);
  expect(slots.remove(sb, b)).toBe(true);
  expect(slots.get(sb)).toBeUndefined();
  expect(slots.size).toBe(2);
  expect([...slots.entries()].map(([, v]) => v.name)).toEqual(["a", "c"]);
  const d = { name: "d" };
  expect(slots.add(d)).toBe(sb);
  expect([...slots.entries()]).toEqual([
    [sa, a],
    [sb, d],
    [sc, c],
  ]);
});

test("a slot number held after its value was removed does not remove the slot's next value", () => {
  const slots = new Slots<{ id: number }>();
  const first = { id: 1 };
  const slot = slots.add(first);
  expect(slots.remove(slot, first)).toBe(true);
  expect(slots.remove(slot, first)).toBe(false);
  const second = { id: 2 };
  expect(slots.add(second)).toBe(slot);
  expect(slots.remove(slot, first)).toBe(false);
  expect(slots.get(slot)).toBe(second);
  expect(slots.size).toBe(1);
});

test("thousands of adds and removes in any order keep the count and the contents right", () => {
  const slots = new Slots<{ n: number }>();
  const live = new Map<number, { n: number }>();
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let i = 0; i < 5_000; i++) {
    if (live.size > 0 && random() < 0.45) {
      const slots_ = [...live.keys()];
      const s = slots_[Math.floor(random() * slots_.length)]!;
      expect(slots.remove(s, live.get(s)!)).toBe(true);
      live.delete(s);
    } else {
      const v = { n: i };
      const s = slots.add(v);
      expect(live.has(s)).toBe(false);
      live.set(s, v);
    }
    expect(slots.size).toBe(live.size);
  }
  expect(new Map(slots.entries())).toEqual(live);
});
