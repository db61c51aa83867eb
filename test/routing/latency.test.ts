// Live latency per provider and model: a moving average of successful calls, bounded because
// model names come from clients.
import { expect, test } from "bun:test";
import { LatencyTracker } from "../../src/routing/latency.ts";

test("an average per provider and model, recent calls weighing most", () => {
  const l = new LatencyTracker(0.5);
  l.record("openai", "gpt-4o", 100);
  l.record("openai", "gpt-4o", 200);
  l.record("openai", "gpt-4o-mini", 40);
  l.record("groq", "gpt-4o", 10);
  expect(l.get("openai", "gpt-4o")).toBe(150);
  expect(l.get("openai", "gpt-4o-mini")).toBe(40);
  expect(l.get("groq", "gpt-4o")).toBe(10);
  expect(l.get("groq", "gpt-4o-mini")).toBeUndefined();
  expect(l.get("mistral", "gpt-4o")).toBeUndefined();
});

test("past 10,000 targets the table starts over instead of growing", () => {
  const l = new LatencyTracker();
  l.record("openai", "first", 5);
  for (let i = 0; i < 9_999; i++) l.record(i % 2 ? "openai" : "groq", `m${i}`, i);
  expect(l.get("openai", "first")).toBe(5);
  l.record("openai", "one-too-many", 7);
  expect(l.get("openai", "first")).toBeUndefined();
  expect(l.get("groq", "m0")).toBeUndefined();
  expect(l.get("openai", "one-too-many")).toBe(7);
  // Known targets still update in place after the reset.
  l.record("openai", "one-too-many", 7);
  expect(l.get("openai", "one-too-many")).toBe(7);
});
