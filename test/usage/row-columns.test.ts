import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../../src/db/client.ts";
import { WriterThread } from "../../src/usage/writer-thread.ts";
import { StringMirror } from "../../src/usage/row-columns.ts";
import { parseSlice, RowQueue, type Slice } from "../../src/usage/row-queue.ts";
import type { UsageEntry } from "../../src/usage/recorder.ts";

/** Every column set, none at its default. */
const everything: UsageEntry = {
  requestId: "0193f0c2-7b1e-7000-8000-00000000abcd",
  timestamp: 1_764_000_000_123,
  endpoint: "/v1/messages",
  clientFormat: "claude",
  provider: "anthropic",
  model: "claude-sonnet-4",
  requestedModel: "sonnet",
  connectionId: "conn-1",
  apiKeyId: "key-1",
  status: 429,
  stream: true,
  latencyMs: 1234,
  ttfbMs: 56,
  promptTokens: 1000,
  completionTokens: 200,
  totalTokens: 1200,
  cachedTokens: 300,
  reasoningTokens: 50,
  finishReason: "end_turn",
  errorCode: "rate_limited",
  costUsd: 0.012345678901,
  costEstimated: true,
  method: "PUT",
  attempts: [
    { provider: "anthropic", model: "claude-sonnet-4", connectionId: "conn-0", status: 429, latencyMs: 12, reason: "rate_limit", error: "slow down" },
    { provider: "anthropic", model: "claude-sonnet-4", connectionId: "conn-1", status: 429, latencyMs: 30 },
  ],
  error: 'Rate limited: "slow down"\nretry later',
  userAgent: "Claude-Code/2.0 (ünïcode ✓)",
  clientIp: "::1",
  requestBody: '{"model":"sonnet"}',
  responseBody: "{}",
};

/** What the writer inserts: unset columns with a default are left out, the rest null. */
const sparse: UsageEntry = {
  requestId: "r-2",
  timestamp: 5,
  endpoint: "/v1/chat/completions",
  clientFormat: "openai-chat",
  provider: null,
  model: null,
  requestedModel: null,
  connectionId: null,
  apiKeyId: null,
  status: 404,
  stream: false,
  latencyMs: 0,
  ttfbMs: null,
  promptTokens: null,
  completionTokens: null,
  totalTokens: null,
  cachedTokens: null,
  reasoningTokens: null,
  finishReason: null,
  errorCode: null,
  costUsd: null,
  costEstimated: false,
  error: null,
  userAgent: null,
  clientIp: null,
  requestBody: null,
  responseBody: null,
};

const drain = (q: RowQueue) => {
  const out: Slice[] = [];
  for (let s = q.take(); s; s = q.take()) out.push(s);
  return out;
};

describe("usage rows in columns", () => {
  test("every column comes back as recorded, on this thread and through the writer's string table", () => {
    const q = new RowQueue(3, 100);
    const compact = { ...everything, requestId: "r-3", attempts: 17, error: null, requestBody: null, responseBody: null };
    for (const e of [everything, sparse, compact, { ...sparse, requestId: "r-4", method: "POST", attempts: [] }]) q.push(e);
    expect(q.entries()).toEqual([everything, sparse, compact, { ...sparse, requestId: "r-4", method: "POST" }]);
    const slices = drain(q);
    const mirror = new StringMirror();
    expect(slices.flatMap((s) => mirror.decode(s.wire).entries())).toEqual(slices.flatMap(parseSlice));
    expect(slices.flatMap(parseSlice)[0]).toEqual(everything);
  });

  test("a full string table starts over, and dropped slices still hand their strings on: the writer's copy stays in step", () => {
    // Tiny tables and queues: resets and drops every few rows, in several rhythms.
    for (const [sliceRows, maxRows, maxStrings, sendEvery] of [[4, 12, 6, 23], [2, 4, 4, 11], [3, 6, 5, 7], [1, 3, 3, 5]] as const) {
      const q = new RowQueue(sliceRows, maxRows, maxStrings);
      const rows = Array.from({ length: 90 }, (_, i) => ({ ...sparse, requestId: `r${i}`, timestamp: i, userAgent: `agent-${i % 9}`, clientIp: `10.0.0.${i % 7}`, model: `m${i % 3}` }));
      const mirror = new StringMirror();
      const seen: UsageEntry[] = [];
      for (const [i, r] of rows.entries()) {
        q.push(r);
        // The writer is sent slices now and then; the queue drops what it cannot hold in between.
        if (i % sendEvery === sendEvery - 1) for (const s of drain(q)) seen.push(...mirror.decode(s.wire).entries());
      }
      for (const s of drain(q)) seen.push(...mirror.decode(s.wire).entries());
      expect(q.dropped).toBeGreaterThan(0);
      expect(seen.length + q.dropped).toBe(90);
      // What arrived is exactly the rows that were not dropped, every string right.
      expect(seen).toEqual(rows.filter((r) => seen.some((s) => s.requestId === r.requestId)));
    }
  });

  test("a slice the writer never saw puts its copy out of step, which it says (the thread then fails over)", () => {
    const q = new RowQueue(1, 100);
    q.push({ ...sparse, requestId: "a", userAgent: "one" });
    q.push({ ...sparse, requestId: "b", userAgent: "two" });
    const [, second] = drain(q);
    expect(() => new StringMirror().decode(second!.wire)).toThrow("out of step");
  });
});

test("a writer thread handed a slice out of step with its string table fails over instead of writing wrong strings", async () => {
  const dir = mkdtempSync(join(tmpdir(), "omniroute-columns-"));
  const path = join(dir, "u.sqlite");
  openDatabase(path).$client.close();
  const failed = Promise.withResolvers<Error>();
  const thread = new WriterThread(path, failed.resolve);
  try {
    const q = new RowQueue(1, 100);
    q.push({ ...sparse, requestId: "a", userAgent: "one" });
    q.push({ ...sparse, requestId: "b", userAgent: "two" });
    const [, second] = drain(q);
    thread.write([second!.wire]); // the first slice, which added "one", never sent
    const err = await Promise.race([failed.promise, Bun.sleep(5000).then(() => null)]);
    expect(err?.message).toContain("out of step");
  } finally {
    thread.terminate();
    rmSync(dir, { recursive: true, force: true });
  }
});
