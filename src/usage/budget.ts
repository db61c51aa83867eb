// Spending caps per API key (GET/POST /api/usage/budget). Spend for the current period lives
// in memory — read once from usage_hourly (plus rows still queued) and then kept up to date
// as requests finish — so admission is a Map lookup, never a query.
//
// The rule, and why: a request's cost is only known when it ends, so admission works on an
// estimate (a reservation) held while the request is in flight.
//   1. spent ≥ limit                                → refused: the budget is exhausted.
//   2. spent + reservations in flight + this one ≤ limit → admitted.
//   3. otherwise, admitted only if no other request of this key is in flight.
// Rule 3 keeps the last part of a budget usable one request at a time (and a key whose
// estimate alone exceeds its limit is not locked out), while racing requests near the
// boundary cannot all slip through: the overspend is bounded by the one request that runs
// alone, plus the error of the estimates of requests admitted under rule 2. Reservations
// are conservative — the largest cost this key has actually had, or input + 1024 output
// tokens before it has any history, capped by max_tokens when the client set it.
//
// Refusals are 429 in the client's own error format (OpenAI answers an exhausted quota with
// 429 `insufficient_quota`, Gemini with 429 RESOURCE_EXHAUSTED); `x-should-retry: false`
// stops the OpenAI and Anthropic SDKs from retrying a request that cannot succeed until the
// period resets. Periods are calendar UTC: day, ISO week (from Monday), month.
import type { Db } from "../db/client.ts";
import * as t from "../db/schema.ts";
import { GatewayError } from "../errors.ts";
import type { PriceBook } from "./pricing.ts";
import { costOf } from "./pricing.ts";
import type { UsageEntry } from "./recorder.ts";
import { DAY_MS } from "./rollup.ts";
import { NO_USAGE } from "./tokens.ts";
import { Slots } from "../slots.ts";

export const BUDGET_PERIODS = ["daily", "weekly", "monthly"] as const;
export type BudgetPeriod = (typeof BUDGET_PERIODS)[number];

/** Output tokens assumed for a request before the key has any cost history (and no max_tokens). */
const DEFAULT_OUTPUT_TOKENS = 1024;
/** A reservation not settled after this long is dropped (a request that never finished). */
const RESERVATION_TTL_MS = 60 * 60_000;

export interface BudgetConfig {
  keyId: string;
  limitUsd: number;
  period: BudgetPeriod;
  warningThreshold: number;
}

interface KeyState {
  config: BudgetConfig;
  periodStart: number;
  periodEnd: number;
  spent: number;
  reserved: number;
  /** Reservations of requests in flight, in array slots (src/slots.ts: a Map add and delete per request cost the collector dearly). */
  inflight: Slots<Reservation>;
  /** When stale reservations were last looked for. */
  swept: number;
  /** The largest actual cost of one request of this key (this process). */
  largest: number;
}

interface Reservation {
  requestId: string;
  amount: number;
  at: number;
}

/** Stale reservations are looked for at most this often (they are dropped after RESERVATION_TTL_MS). */
const SWEEP_EVERY_MS = 60_000;

export interface AdmissionEstimate {
  provider: string;
  model: string;
  inputTokens: number;
  maxTokens?: number;
}

export function periodBounds(period: BudgetPeriod, now: number): [number, number] {
  const day = Math.floor(now / DAY_MS);
  if (period === "daily") return [day * DAY_MS, (day + 1) * DAY_MS];
  if (period === "weekly") {
    // 1970-01-01 was a Thursday: (day + 3) % 7 is days since Monday.
    const monday = day - ((day + 3) % 7);
    return [monday * DAY_MS, (monday + 7) * DAY_MS];
  }
  const d = new Date(now);
  return [Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1), Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)];
}

const usd = (n: number) => `$${n.toFixed(n < 1 ? 4 : 2)}`;

export class BudgetTracker {
  private states = new Map<string, KeyState>();

  constructor(
    private readonly db: Db,
    private readonly pricing: PriceBook,
    private readonly pending: () => readonly UsageEntry[],
    private readonly now: () => number = Date.now,
  ) {
    this.load();
  }

  /** (Re)reads every budget and its spend; in-flight reservations of kept keys survive. */
  load(): void {
    const next = new Map<string, KeyState>();
    for (const row of this.db.select().from(t.budgets).all()) {
      const config: BudgetConfig = { keyId: row.keyId, limitUsd: row.limitUsd, period: row.period as BudgetPeriod, warningThreshold: row.warningThreshold };
      next.set(row.keyId, this.fresh(config, this.states.get(row.keyId)));
    }
    this.states = next;
  }

  private fresh(config: BudgetConfig, previous?: KeyState): KeyState {
    const [periodStart, periodEnd] = periodBounds(config.period, this.now());
    const state: KeyState = {
      config,
      periodStart,
      periodEnd,
      spent: this.spentSince(config.keyId, periodStart),
      reserved: 0,
      inflight: previous?.inflight ?? new Slots(),
      swept: previous?.swept ?? 0,
      largest: previous?.largest ?? 0,
    };
    for (const [, r] of state.inflight.entries()) state.reserved += r.amount;
    return state;
  }

  /** Spend since `from`: the hourly rollup (periods start on hour boundaries) plus unwritten rows. */
  private spentSince(keyId: string, from: number): number {
    // Unwritten rows first: reading them waits for the usage writer thread, so none of them
    // lands in the database between the two reads (counted twice) or slips out of both.
    const unwritten = this.pending();
    const row = this.db.$client
      .query("SELECT coalesce(sum(cost_usd), 0) AS spent FROM usage_hourly WHERE api_key_id = $keyId AND bucket >= $from")
      .get({ keyId, from }) as { spent: number };
    let spent = row.spent;
    for (const e of unwritten) {
      if (e.apiKeyId === keyId && e.timestamp >= from) spent += e.costUsd ?? 0;
    }
    return spent;
  }

  private current(keyId: string): KeyState | undefined {
    const s = this.states.get(keyId);
    if (s && this.now() >= s.periodEnd) {
      const next = this.fresh(s.config, s);
      this.states.set(keyId, next);
      return next;
    }
    return s;
  }

  has(keyId: string | null): boolean {
    return keyId !== null && this.states.has(keyId);
  }

  set(config: BudgetConfig): void {
    const now = Date.now();
    const row = { ...config, createdAt: now, updatedAt: now };
    this.db
      .insert(t.budgets)
      .values(row)
      .onConflictDoUpdate({ target: t.budgets.keyId, set: { limitUsd: config.limitUsd, period: config.period, warningThreshold: config.warningThreshold, updatedAt: now } })
      .run();
    this.states.set(config.keyId, this.fresh(config, this.states.get(config.keyId)));
  }

  remove(keyId: string): boolean {
    const { changes } = this.db.$client.query("DELETE FROM budgets WHERE key_id = $keyId").run({ keyId });
    this.states.delete(keyId);
    return changes > 0;
  }

  /**
   * Admits a request of `keyId` or throws the 429. `estimate` is called only for a key that
   * has a budget, so keys without one pay nothing for this check. Returns the reservation's
   * slot when one is held (hand it to settle()).
   */
  admit(requestId: string, keyId: string | null, estimate: () => AdmissionEstimate): number | undefined {
    if (keyId === null) return undefined;
    const s = this.current(keyId);
    if (!s) return undefined;
    const now = this.now();
    if (now - s.swept >= SWEEP_EVERY_MS) {
      s.swept = now;
      for (const [slot, r] of s.inflight.entries()) {
        if (now - r.at > RESERVATION_TTL_MS) {
          s.inflight.remove(slot, r);
          s.reserved -= r.amount;
        }
      }
    }
    const { limitUsd, period } = s.config;
    const resets = new Date(s.periodEnd).toISOString();
    if (s.spent >= limitUsd) {
      throw this.refusal(`Budget exhausted for this API key: ${usd(s.spent)} spent of its ${period} limit of ${usd(limitUsd)}. It resets at ${resets}.`);
    }
    const amount = this.reservation(s, estimate());
    if (s.spent + s.reserved + amount > limitUsd && s.inflight.size > 0) {
      throw this.refusal(
        `This request would exceed the API key's ${period} budget of ${usd(limitUsd)}: ${usd(s.spent)} spent, ` +
          `${usd(s.reserved)} held by ${s.inflight.size} request(s) in flight, about ${usd(amount)} for this one. ` +
          `Retry when those finish; the budget resets at ${resets}.`,
      );
    }
    s.reserved += amount;
    return s.inflight.add({ requestId, amount, at: now });
  }

  private reservation(s: KeyState, e: AdmissionEstimate): number {
    const price = this.pricing.resolve(e.provider, e.model)?.price;
    if (!price) return s.largest;
    const input = costOf({ ...NO_USAGE, promptTokens: e.inputTokens, completionTokens: 0 }, price);
    const guess = s.largest > 0 ? Math.max(s.largest, input) : input + (DEFAULT_OUTPUT_TOKENS * price.output) / 1e6;
    const ceiling = e.maxTokens !== undefined ? input + (e.maxTokens * Math.max(price.output, price.reasoning ?? 0)) / 1e6 : Infinity;
    return Math.min(guess, ceiling);
  }

  private refusal(message: string): GatewayError {
    return new GatewayError(429, "budget_exceeded", message, { headers: { "x-should-retry": "false" } });
  }

  /**
   * A request ended: its reservation is released and its actual cost counted. `slot` is what
   * admit() returned; without it the reservation is looked for by request id.
   */
  settle(requestId: string, keyId: string | null, costUsd: number | null, timestamp: number, slot?: number): void {
    if (keyId === null) return;
    const s = this.current(keyId);
    if (!s) return;
    let at = slot;
    let r = at === undefined ? undefined : s.inflight.get(at);
    // No slot (or one reused since): the reservation, if any, is found by its request id.
    if (r?.requestId !== requestId) [at, r] = findReservation(s.inflight, requestId) ?? [undefined, undefined];
    if (at !== undefined && r) {
      s.inflight.remove(at, r);
      s.reserved -= r.amount;
      if (s.inflight.size === 0) s.reserved = 0; // no float drift while idle
    }
    const cost = costUsd ?? 0;
    if (timestamp >= s.periodStart) s.spent += cost;
    if (cost > s.largest) s.largest = cost;
  }

  status(keyId?: string): BudgetStatus[] {
    // A deleted key takes its budget row with it (ON DELETE CASCADE): forget its state too.
    const rows = this.db.$client.query("SELECT key_id AS keyId FROM budgets").all() as { keyId: string }[];
    const kept = new Set(rows.map((r) => r.keyId));
    for (const id of this.states.keys()) if (!kept.has(id)) this.states.delete(id);
    const out: BudgetStatus[] = [];
    for (const id of keyId ? [keyId] : [...this.states.keys()]) {
      const s = this.current(id);
      if (!s) continue;
      const { limitUsd, period, warningThreshold } = s.config;
      const fraction = limitUsd > 0 ? s.spent / limitUsd : 1;
      const exceeded = s.spent >= limitUsd;
      const warning = !exceeded && fraction >= warningThreshold;
      out.push({
        keyId: id,
        limit: limitUsd,
        period,
        spent: round6(s.spent),
        remaining: round6(Math.max(0, limitUsd - s.spent)),
        percentUsed: Math.round(fraction * 10_000) / 100,
        warningThreshold,
        warning,
        exceeded,
        status: exceeded ? "exceeded" : warning ? "warning" : "ok",
        inFlight: s.inflight.size,
        reserved: round6(s.reserved),
        periodStart: new Date(s.periodStart).toISOString(),
        resetsAt: new Date(s.periodEnd).toISOString(),
      });
    }
    return out;
  }
}

const round6 = (n: number) => Math.round(n * 1e6) / 1e6;

function findReservation(inflight: Slots<Reservation>, requestId: string): [number, Reservation] | undefined {
  for (const e of inflight.entries()) if (e[1].requestId === requestId) return e;
  return undefined;
}

export interface BudgetStatus {
  keyId: string;
  limit: number;
  period: BudgetPeriod;
  spent: number;
  remaining: number;
  percentUsed: number;
  warningThreshold: number;
  warning: boolean;
  exceeded: boolean;
  status: "ok" | "warning" | "exceeded";
  inFlight: number;
  reserved: number;
  periodStart: string;
  resetsAt: string;
}
