import { expect, test } from "bun:test";
import { parseSlice, RowQueue } from "../../src/usage/row-queue.ts";

const row = (i: number) => ({ requestId: `r${i}`, timestamp: i, status: 200, latencyMs: 1, endpoint: "/v1/chat/completions", clientFormat: "openai-chat" });

test("rows come out in slices of the set size, oldest first, the partial slice last", () => {
  const q = new RowQueue(3, 100);
  for (let i = 0; i < 7; i++) q.push(row(i));
  expect(q.length).toBe(7);
  const slices = [q.take(), q.take(), q.take()];
  expect(slices.map((s) => s?.rows)).toEqual([3, 3, 1]);
  expect(slices.flatMap((s) => parseSlice(s!).map((r) => r.requestId))).toEqual(["r0", "r1", "r2", "r3", "r4", "r5", "r6"]);
  expect(q.take()).toBeUndefined();
  expect(q.length).toBe(0);
});

test("a slice put back comes out first again, and entries() lists everything queued in order", () => {
  const q = new RowQueue(2, 100);
  for (let i = 0; i < 5; i++) q.push(row(i));
  const first = q.take()!;
  q.putBack([first]);
  expect(q.length).toBe(5);
  expect(q.entries().map((r) => r.requestId)).toEqual(["r0", "r1", "r2", "r3", "r4"]);
  expect(parseSlice(q.take()!).map((r) => r.requestId)).toEqual(["r0", "r1"]);
});

test("over the limit the oldest slice is dropped and counted, never the newest rows", () => {
  const q = new RowQueue(10, 25);
  for (let i = 0; i < 40; i++) q.push(row(i));
  expect(q.dropped).toBe(20);
  expect(q.length).toBe(20);
  expect(q.entries().map((r) => r.timestamp)).toEqual(Array.from({ length: 20 }, (_, i) => i + 20));
});

test("a row that cannot be serialized is counted as dropped; the queue goes on", () => {
  const q = new RowQueue(10, 100);
  const errors: unknown[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => errors.push(args);
  try {
    q.push(row(1));
    q.push({ ...row(2), promptTokens: 10n as unknown as number });
    q.push(row(3));
  } finally {
    console.error = original;
  }
  expect(q.dropped).toBe(1);
  expect(errors.length).toBe(1);
  expect(q.entries().map((r) => r.requestId)).toEqual(["r1", "r3"]);
});
