// BudgetTracker on its own: admission at the boundary with requests in flight, periods,
// persistence through the rollup.
import { afterAll, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../../src/db/client.ts";
import { GatewayError } from "../../src/errors.ts";
import { BudgetTracker, periodBounds } from "../../src/usage/budget.ts";
import { PriceBook } from "../../src/usage/pricing.ts";
import type { UsageEntry } from "../../src/usage/recorder.ts";

const dir = mkdtempSync(join(tmpdir(), "omniroute-budget-"));
const db = openDatabase(join(dir, "b.sqlite"));
afterAll(() => {
  db.$client.close();
  rmSync(dir, { recursive: true, force: true });
});

const pricing = new PriceBook(db);
// $1 per input token, output free: a request's cost is its input tokens, in dollars.
pricing.setOverrides({ p: { m: { input: 1_000_000, output: 0 } } });
db.$client.run("INSERT INTO api_keys (id, name, key_hash, key_prefix, created_at) VALUES ('k1', 'one', 'h1', 'sk-omni-x', 0)");

const JAN_15 = Date.UTC(2026, 0, 15, 12);
let now = JAN_15;
let pending: UsageEntry[] = [];
const estimate = (inputTokens: number, maxTokens?: number) => () => ({ provider: "p", model: "m", inputTokens, maxTokens });

function refused(fn: () => void): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).status).toBe(429);
    expect((err as GatewayError).code).toBe("budget_exceeded");
    expect((err as GatewayError).details.headers).toEqual({ "x-should-retry": "false" });
    return (err as GatewayError).message;
  }
  throw new Error("expected a refusal");
}

beforeEach(() => {
  now = JAN_15;
  pending = [];
  db.$client.run("DELETE FROM budgets");
  db.$client.run("DELETE FROM usage_hourly");
});

describe("periods (UTC calendar)", () => {
  test("day, ISO week from Monday, month", () => {
    const t = Date.UTC(2026, 0, 15, 12); // a Thursday
    expect(periodBounds("daily", t)).toEqual([Date.UTC(2026, 0, 15), Date.UTC(2026, 0, 16)]);
    expect(periodBounds("weekly", t)).toEqual([Date.UTC(2026, 0, 12), Date.UTC(2026, 0, 19)]);
    expect(periodBounds("monthly", t)).toEqual([Date.UTC(2026, 0, 1), Date.UTC(2026, 1, 1)]);
    expect(periodBounds("monthly", Date.UTC(2026, 11, 31, 23))).toEqual([Date.UTC(2026, 11, 1), Date.UTC(2027, 0, 1)]);
    expect(periodBounds("weekly", Date.UTC(2026, 0, 12))).toEqual([Date.UTC(2026, 0, 12), Date.UTC(2026, 0, 19)]);
  });
});

describe("admission", () => {
  test("racing requests near the limit: at most one in-flight request beyond it", () => {
    const b = new BudgetTracker(db, pricing, () => pending, () => now);
    b.set({ keyId: "k1", limitUsd: 10, period: "monthly", warningThreshold: 0.8 });
    // Three $3 reservations fit in $10; the fourth would not while the others run.
    b.admit("r1", "k1", estimate(3, 0));
    b.admit("r2", "k1", estimate(3, 0));
    b.admit("r3", "k1", estimate(3, 0));
    expect(refused(() => b.admit("r4", "k1", estimate(3, 0)))).toMatch(/would exceed the API key's monthly budget of \$10\.00/);
    b.settle("r1", "k1", 3, now);
    expect(refused(() => b.admit("r5", "k1", estimate(3, 0)))).toMatch(/held by 2 request/);
    b.settle("r2", "k1", 3, now);
    b.settle("r3", "k1", 3, now);
    expect(b.status("k1")[0]).toMatchObject({ spent: 9, remaining: 1, inFlight: 0, reserved: 0, status: "warning", warning: true });
    // $9 spent, nothing in flight: one request may run although its estimate passes $10…
    b.admit("r6", "k1", estimate(3, 0));
    // …but only one.
    refused(() => b.admit("r7", "k1", estimate(3, 0)));
    b.settle("r6", "k1", 3, now);
    const s = b.status("k1")[0]!;
    expect(s).toMatchObject({ spent: 12, remaining: 0, exceeded: true, status: "exceeded", percentUsed: 120 });
    expect(s.spent - 10).toBeLessThanOrEqual(3); // overspend ≤ one request
    expect(refused(() => b.admit("r8", "k1", estimate(1, 0)))).toMatch(/Budget exhausted .* resets at 2026-02-01T00:00:00.000Z/);
  });

  test("without history the reservation assumes 1024 output tokens, capped by max_tokens; then the largest cost seen", () => {
    pricing.setOverrides({ p: { o: { input: 0, output: 1_000_000 } } }); // $1 per output token
    const b = new BudgetTracker(db, pricing, () => pending, () => now);
    b.set({ keyId: "k1", limitUsd: 2000, period: "daily", warningThreshold: 0.8 });
    const out = (maxTokens?: number) => () => ({ provider: "p", model: "o", inputTokens: 10, maxTokens });
    b.admit("a", "k1", out());
    expect(b.status("k1")[0]!.reserved).toBe(1024);
    b.admit("b", "k1", out(100));
    expect(b.status("k1")[0]!.reserved).toBe(1124);
    b.settle("a", "k1", 50, now);
    b.settle("b", "k1", 40, now);
    b.admit("c", "k1", out());
    expect(b.status("k1")[0]!.reserved).toBe(50);
    b.settle("c", "k1", 0, now);
    pricing.resetOverrides("p", "o");
  });

  test("keys without a budget, and anonymous requests, are never refused", () => {
    const b = new BudgetTracker(db, pricing, () => pending, () => now);
    for (let i = 0; i < 100; i++) b.admit(`x${i}`, "other", estimate(1e9));
    b.admit("anon", null, estimate(1e9));
    expect(b.status()).toEqual([]);
  });

  test("a new period starts from zero; spend is read back from the rollup and unwritten rows", () => {
    // $4 already written this month, $1 still queued, $7 last month.
    db.$client.run("INSERT INTO usage_hourly (bucket, api_key_id, requests, cost_usd) VALUES (?, 'k1', 2, 4), (?, 'k1', 1, 7)", [
      Date.UTC(2026, 0, 3),
      Date.UTC(2025, 11, 30),
    ]);
    pending = [{ requestId: "q", timestamp: now, endpoint: "/v1/chat/completions", clientFormat: "openai-chat", status: 200, latencyMs: 1, apiKeyId: "k1", costUsd: 1 }];
    const b = new BudgetTracker(db, pricing, () => pending, () => now);
    b.set({ keyId: "k1", limitUsd: 5, period: "monthly", warningThreshold: 0.5 });
    expect(b.status("k1")[0]).toMatchObject({ spent: 5, exceeded: true });
    refused(() => b.admit("r", "k1", estimate(1)));
    // A budget survives a restart: a new tracker reads it back.
    expect(new BudgetTracker(db, pricing, () => pending, () => now).status("k1")[0]).toMatchObject({ limit: 5, period: "monthly", spent: 5 });
    now = Date.UTC(2026, 1, 1, 0, 0, 1);
    pending = [];
    b.admit("r", "k1", estimate(1));
    expect(b.status("k1")[0]).toMatchObject({ spent: 0, inFlight: 1, periodStart: "2026-02-01T00:00:00.000Z", resetsAt: "2026-03-01T00:00:00.000Z" });
  });

  test("a reservation is released through the slot admission returned; a stale slot never releases another request's", () => {
    const b = new BudgetTracker(db, pricing, () => pending, () => now);
    b.set({ keyId: "k1", limitUsd: 100, period: "daily", warningThreshold: 0.8 });
    const a = b.admit("a", "k1", estimate(3, 0));
    expect(a).toBeNumber();
    b.settle("a", "k1", 1, now, a);
    expect(b.status("k1")[0]).toMatchObject({ spent: 1, inFlight: 0, reserved: 0 });
    const c = b.admit("c", "k1", estimate(3, 0));
    expect(c).toBe(a!); // the freed slot is reused
    // A late second settle of "a" with its old slot: "c" keeps its reservation.
    b.settle("a", "k1", 0, now, a);
    expect(b.status("k1")[0]).toMatchObject({ inFlight: 1, reserved: 3 });
    // Without a slot the reservation is found by its request id.
    b.settle("c", "k1", 2, now);
    expect(b.status("k1")[0]).toMatchObject({ spent: 3, inFlight: 0, reserved: 0 });
    expect(b.admit("anon", null, estimate(3, 0))).toBeUndefined();
  });

  test("a reservation never settled expires after an hour", () => {
    const b = new BudgetTracker(db, pricing, () => pending, () => now);
    b.set({ keyId: "k1", limitUsd: 4, period: "daily", warningThreshold: 0.8 });
    b.admit("lost", "k1", estimate(3, 0));
    refused(() => b.admit("next", "k1", estimate(3, 0)));
    now += 61 * 60_000;
    b.admit("next", "k1", estimate(3, 0));
    expect(b.status("k1")[0]!.inFlight).toBe(1);
  });
});
