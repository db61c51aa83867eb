// What the router knows about each connection (account) beyond its configuration, all in
// memory: cooldowns after 429/quota answers, auth failures, and the limits the upstream
// announced in its headers. Rate limits are mostly per model (OpenAI counts RPM/TPM per
// model and organisation), so a 429 cools down that connection *for that model*; a quota or
// billing failure is the whole account's and cools the connection for every model.
import type { UpstreamLimits } from "./upstream-limits.ts";
import { exhaustedUntil } from "./upstream-limits.ts";

export interface CooldownSettings {
  baseMs: number;
  maxMs: number;
}

export interface Cooldown {
  until: number;
  reason: string;
  /** Consecutive cooldowns without a success in between (drives the exponential default). */
  level: number;
  /** null: the whole connection; otherwise the model it applies to. */
  model: string | null;
}

export interface AuthFailure {
  at: number;
  message: string;
}

/** What the health state needs of a connection to decide whether a test has cleared it. */
export interface TestedConnection {
  testStatus: string;
  lastTestedAt?: number | null;
}

const MAX_ENTRIES = 10_000;

const scoped = (connKey: string, model: string | null) => (model === null ? connKey : `${connKey}\u0000${model}`);

export class ConnectionHealth {
  private cooldowns = new Map<string, Cooldown>();
  private levels = new Map<string, number>();
  private authFailures = new Map<string, AuthFailure>();
  private limits = new Map<string, UpstreamLimits>();

  /**
   * Cools a connection (model: null) or a connection for one model. The wait is the upstream's
   * retry-after when it gave one, else base × 2^level; both capped so a bogus header cannot
   * park an account for a day.
   */
  coolDown(connKey: string, model: string | null, retryAfterMs: number | null, s: CooldownSettings, now: number, reason: string): Cooldown {
    const key = scoped(connKey, model);
    // Model names come from clients: never let expired per-model entries pile up.
    if (this.cooldowns.size + this.levels.size > MAX_ENTRIES) this.prune(now);
    const level = this.levels.get(key) ?? 0;
    const wait = Math.min(s.maxMs, retryAfterMs ?? s.baseMs * 2 ** Math.min(level, 30));
    this.levels.set(key, level + 1);
    const entry: Cooldown = { until: now + wait, reason, level: level + 1, model };
    const current = this.cooldowns.get(key);
    if (!current || current.until < entry.until) this.cooldowns.set(key, entry);
    return this.cooldowns.get(key)!;
  }

  /** The cooldown keeping this connection from serving `model` now (the longer of account and model), if any. */
  cooldownOf(connKey: string, model: string | null, now: number): Cooldown | null {
    // Asked for every request: nothing is built when nothing cools.
    if (this.cooldowns.size === 0) return null;
    const account = this.unexpired(connKey, now);
    const forModel = model === null ? null : this.unexpired(scoped(connKey, model), now);
    return account && forModel ? (forModel.until > account.until ? forModel : account) : (account ?? forModel);
  }

  /** The cooldown under `key` if it still runs; an expired one is forgotten. */
  private unexpired(key: string, now: number): Cooldown | null {
    const c = this.cooldowns.get(key);
    if (!c) return null;
    if (c.until > now) return c;
    this.cooldowns.delete(key);
    return null;
  }

  /** A success ends the exponential series: the next 429 starts again from the base wait. */
  onSuccess(connKey: string, model: string | null): void {
    if (this.levels.size === 0) return;
    this.levels.delete(connKey);
    if (model !== null) this.levels.delete(scoped(connKey, model));
  }

  markUnhealthy(connKey: string, now: number, message: string): void {
    this.authFailures.set(connKey, { at: now, message });
  }

  /**
   * A connection that failed authentication stays out of rotation until a test passes
   * (POST /api/providers/:id/test records testStatus "active" with a later lastTestedAt)
   * or the state is reset.
   */
  unhealthy(connKey: string, conn: TestedConnection): AuthFailure | null {
    const failure = this.authFailures.get(connKey);
    if (!failure) return null;
    if (conn.testStatus === "active" && (conn.lastTestedAt ?? 0) > failure.at) {
      this.authFailures.delete(connKey);
      return null;
    }
    return failure;
  }

  /** Remembers announced limits; an exhausted window cools the connection until it refills. */
  recordLimits(connKey: string, model: string | null, limits: UpstreamLimits, s: CooldownSettings, now: number): void {
    this.limits.set(connKey, limits);
    const until = exhaustedUntil(limits, now);
    if (until !== null) this.coolDown(connKey, model, until - now, s, now, "limit_exhausted");
  }

  limitsOf(connKey: string): UpstreamLimits | null {
    return this.limits.get(connKey) ?? null;
  }

  /** Every live cooldown of a connection (account-wide and per model). */
  cooldownsOf(connKey: string, now: number): Cooldown[] {
    const out: Cooldown[] = [];
    for (const [key, c] of this.cooldowns) {
      if (key !== connKey && !key.startsWith(`${connKey}\u0000`)) continue;
      if (c.until > now) out.push(c);
    }
    return out;
  }

  counts(now: number): { cooling: number; unhealthy: number } {
    const cooling = new Set<string>();
    for (const [key, c] of this.cooldowns) if (c.until > now) cooling.add(key.split("\u0000")[0]!);
    return { cooling: cooling.size, unhealthy: this.authFailures.size };
  }

  /** Drops expired cooldowns, and the backoff levels of everything no longer cooling. */
  private prune(now: number): void {
    for (const [key, c] of this.cooldowns) if (c.until <= now) this.cooldowns.delete(key);
    for (const key of this.levels.keys()) if (!this.cooldowns.has(key)) this.levels.delete(key);
  }

  /** Forgets everything; returns how many entries were cleared. */
  reset(): number {
    const n = this.cooldowns.size + this.authFailures.size;
    this.cooldowns.clear();
    this.levels.clear();
    this.authFailures.clear();
    this.limits.clear();
    return n;
  }
}
