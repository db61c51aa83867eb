// The router's live memory: circuit breakers (per connection and per provider), connection
// health (cooldowns, auth failures, announced limits), latency telemetry, rotation counters
// and the client rate limiter. One instance per process (services.routing); nothing here
// touches the disk, and all of it is rebuilt from traffic after a restart.
import { CircuitBreaker, type BreakerView } from "./circuit-breaker.ts";
import { type Clock, type Random, systemClock } from "./clock.ts";
import { ConnectionHealth } from "./connection-health.ts";
import type { FailureVerdict } from "./failure-classifier.ts";
import { LatencyTracker } from "./latency.ts";
import { RequestRateLimiter } from "./rate-limiter.ts";
import { profileFor, type ResilienceConfig, type ResilienceProfile } from "./resilience-config.ts";
import type { UpstreamLimits } from "./upstream-limits.ts";

/** A failed target's EWMA sample, so least-latency stops putting a failing member first. */
export const FAILURE_PENALTY_MS = 30_000;

/** Identifies a connection for state: its id, or the provider for a keyless local one. */
export const connKeyOf = (conn: { id: string; provider: string }) => conn.id || `keyless:${conn.provider}`;

/** A claimed passage through a connection's and its provider's breakers, settled once. */
export interface Lease {
  providerId: string;
  connKey: string;
  model: string;
  settled: boolean;
}

export type AttemptOutcome =
  | { kind: "success"; latencyMs: number }
  | { kind: "failure"; verdict: FailureVerdict; message: string; retryAfterMs: number | null }
  /** Ended without a verdict on health (client gone, request refused before sending). */
  | { kind: "neutral" };

export class RoutingState {
  readonly health = new ConnectionHealth();
  readonly latency = new LatencyTracker();
  readonly limiter = new RequestRateLimiter();
  private connectionBreakers = new Map<string, CircuitBreaker>();
  private providerBreakers = new Map<string, CircuitBreaker>();
  private turns = new Map<string, number>();
  /** Which provider each connection breaker belongs to (for its profile and for views). */
  private breakerProvider = new Map<string, string>();

  /**
   * Blended price (input + output, USD per million tokens) of a provider's model, for the
   * "cheapest" strategy; undefined when unknown. Wired to the pricing table by services.ts.
   */
  priceOf: (providerId: string, model: string) => number | undefined = () => undefined;

  constructor(
    /** The current resilience config (read on each use, so a PUT applies at once). */
    readonly config: () => ResilienceConfig,
    public clock: Clock = systemClock,
    public random: Random = Math.random,
  ) {}

  now(): number {
    return this.clock.now();
  }

  profile(providerId: string): ResilienceProfile {
    return profileFor(this.config(), providerId);
  }

  /** A counter per key (combo or provider rotation), starting at 0. */
  nextTurn(key: string): number {
    const n = this.turns.get(key) ?? 0;
    this.turns.set(key, n + 1);
    return n;
  }

  connectionBreaker(providerId: string, connKey: string): CircuitBreaker {
    let b = this.connectionBreakers.get(connKey);
    if (!b) {
      b = new CircuitBreaker();
      this.connectionBreakers.set(connKey, b);
      this.breakerProvider.set(connKey, providerId);
    }
    return b;
  }

  providerBreaker(providerId: string): CircuitBreaker {
    let b = this.providerBreakers.get(providerId);
    if (!b) this.providerBreakers.set(providerId, (b = new CircuitBreaker()));
    return b;
  }

  /** Claims both breakers (a half-open one gives out its single probe), or null if either refuses. */
  acquire(providerId: string, connKey: string, model: string): Lease | null {
    const now = this.now();
    const profile = this.profile(providerId);
    const provider = this.providerBreaker(providerId);
    if (!provider.tryAcquire(now, profile)) return null;
    if (!this.connectionBreaker(providerId, connKey).tryAcquire(now, profile)) {
      provider.release();
      return null;
    }
    return { providerId, connKey, model, settled: false };
  }

  /** Feeds an attempt's outcome to the breakers, the health state and latency telemetry. */
  settle(lease: Lease, outcome: AttemptOutcome): void {
    if (lease.settled) return;
    lease.settled = true;
    const now = this.now();
    const profile = this.profile(lease.providerId);
    const provider = this.providerBreaker(lease.providerId);
    const connection = this.connectionBreaker(lease.providerId, lease.connKey);
    if (outcome.kind === "success") {
      provider.onSuccess();
      connection.onSuccess();
      this.health.onSuccess(lease.connKey, lease.model);
      this.latency.record(lease.providerId, lease.model, outcome.latencyMs);
      return;
    }
    const breakers = [provider, connection];
    if (outcome.kind === "neutral") {
      for (const b of breakers) b.release();
      return;
    }
    const { verdict, message, retryAfterMs } = outcome;
    if (verdict.breakerFailure) for (const b of breakers) b.onFailure(now, profile, message);
    else for (const b of breakers) b.release();
    if (verdict.advance) this.latency.record(lease.providerId, lease.model, FAILURE_PENALTY_MS);
    const cooldown = this.config().cooldown;
    if (verdict.kind === "rate_limited") this.health.coolDown(lease.connKey, lease.model, retryAfterMs, cooldown, now, "rate_limited");
    else if (verdict.kind === "quota") this.health.coolDown(lease.connKey, null, retryAfterMs, cooldown, now, "quota");
    else if (verdict.kind === "auth") this.health.markUnhealthy(lease.connKey, now, message);
  }

  recordUpstreamLimits(connKey: string, model: string, limits: UpstreamLimits): void {
    this.health.recordLimits(connKey, model, limits, this.config().cooldown, this.now());
  }

  connectionBreakerView(providerId: string, connKey: string): BreakerView {
    return this.connectionBreaker(providerId, connKey).view(this.now(), this.profile(providerId));
  }

  providerBreakerView(providerId: string): BreakerView {
    return this.providerBreaker(providerId).view(this.now(), this.profile(providerId));
  }

  /** Every breaker that has seen traffic, with its view. */
  breakers(): { scope: "provider" | "connection"; key: string; providerId: string; view: BreakerView }[] {
    const out: { scope: "provider" | "connection"; key: string; providerId: string; view: BreakerView }[] = [];
    for (const id of this.providerBreakers.keys()) out.push({ scope: "provider", key: id, providerId: id, view: this.providerBreakerView(id) });
    for (const key of this.connectionBreakers.keys()) {
      const providerId = this.breakerProvider.get(key)!;
      out.push({ scope: "connection", key, providerId, view: this.connectionBreakerView(providerId, key) });
    }
    return out;
  }

  breakerCounts(): { open: number; halfOpen: number; closed: number; total: number } {
    const counts = { open: 0, halfOpen: 0, closed: 0, total: 0 };
    for (const b of this.breakers()) {
      counts.total++;
      if (b.view.state === "open") counts.open++;
      else if (b.view.state === "half-open") counts.halfOpen++;
      else counts.closed++;
    }
    return counts;
  }

  /** Forgets breakers, cooldowns, auth failures, telemetry and counters; returns what was cleared. */
  reset(): number {
    const n = this.connectionBreakers.size + this.providerBreakers.size + this.health.reset();
    this.connectionBreakers.clear();
    this.providerBreakers.clear();
    this.breakerProvider.clear();
    this.latency.reset();
    this.turns.clear();
    this.limiter.reset();
    return n;
  }
}
