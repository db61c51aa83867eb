import { describe, expect, test } from "bun:test";
import { compactAttempts, expandAttempts } from "../../src/usage/attempts-column.ts";

const row: { provider: string; model: string; connectionId: string | null; status: number } = { provider: "openai", model: "gpt-4o-mini", connectionId: "c1", status: 200 };
const columns: { provider: string; model: string; connection_id: string | null; status: number } = { provider: "openai", model: "gpt-4o-mini", connection_id: "c1", status: 200 };
const plain = { provider: "openai", model: "gpt-4o-mini", connectionId: "c1", status: 200, latencyMs: 42 };
/** What the row stores and what the request log reads back from it. */
const roundTrip = (attempts: unknown[], r = row, c = columns) => expandAttempts(JSON.stringify(compactAttempts(attempts, r)), c);

describe("usage_records.attempts", () => {
  test("one attempt the row already describes is stored as its latency and read back whole", () => {
    expect(compactAttempts([plain], row)).toBe(42);
    expect(roundTrip([plain])).toEqual([plain]);
    const noConnection = { ...plain, connectionId: null };
    expect(compactAttempts([noConnection], { ...row, connectionId: null })).toBe(42);
    expect(roundTrip([noConnection], { ...row, connectionId: null }, { ...columns, connection_id: null })).toEqual([noConnection]);
  });

  test("anything the row does not say keeps the whole list", () => {
    const keep = [
      [plain, { ...plain, latencyMs: 7 }],
      [{ ...plain, error: "boom" }],
      [{ ...plain, reason: "rate_limit" }],
      [{ ...plain, skipped: true }],
      [{ ...plain, units: { images: 2 } }],
      [{ ...plain, status: 502 }],
      [{ ...plain, model: "other" }],
      [{ ...plain, provider: "groq" }],
      [{ ...plain, connectionId: "c2" }],
      [],
    ];
    for (const attempts of keep) {
      expect(compactAttempts(attempts, row)).toBe(attempts);
      expect(roundTrip(attempts)).toEqual(attempts);
    }
    // Keys present but undefined are not written by JSON either.
    expect(compactAttempts([{ ...plain, error: undefined }], row)).toBe(42);
  });

  test("columns from before the compact form, or empty, read as they were", () => {
    expect(expandAttempts(JSON.stringify([plain]), columns)).toEqual([plain]);
    expect(expandAttempts("[]", columns)).toEqual([]);
    expect(expandAttempts(null, columns)).toEqual([]);
  });
});
