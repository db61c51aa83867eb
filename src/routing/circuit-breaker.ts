// A circuit breaker (closed → open → half-open → closed), one per connection and one per
// provider. Closed: traffic flows and failures are counted in a sliding window; `threshold`
// failures within `windowMs` open it. Open: requests skip this connection/provider without
// a network call (so a dead member of a combo costs nothing). After `openMs` it turns
// half-open and lets exactly one probe through: success closes it, failure re-opens it.
// Settings are passed on each call so a profile change applies to breakers already alive.

export type BreakerState = "closed" | "open" | "half-open";

export interface BreakerSettings {
  failureThreshold: number;
  windowMs: number;
  openMs: number;
}

export interface BreakerView {
  state: BreakerState;
  /** Failures in the current window. */
  failures: number;
  lastFailureAt: number | null;
  lastError: string | null;
  openedAt: number | null;
  /** When an open breaker lets its next probe through. */
  retryAt: number | null;
  /** How many times it has opened since the last reset. */
  trips: number;
}

export class CircuitBreaker {
  private state: BreakerState = "closed";
  private failures: number[] = [];
  private openedAt = 0;
  private probeSince: number | null = null;
  private lastFailureAt: number | null = null;
  private lastError: string | null = null;
  private trips = 0;

  /** Open → half-open once the cool-off has passed; forgets failures older than the window. */
  private refresh(now: number, s: BreakerSettings): void {
    if (this.state === "open" && now >= this.openedAt + s.openMs) {
      this.state = "half-open";
      this.probeSince = null;
    }
    // A probe whose outcome never came back (its caller vanished) must not wedge the breaker.
    if (this.state === "half-open" && this.probeSince !== null && now >= this.probeSince + s.openMs) this.probeSince = null;
    const cutoff = now - s.windowMs;
    while (this.failures.length > 0 && this.failures[0]! <= cutoff) this.failures.shift();
  }

  /** Would a request pass now? Does not claim the half-open probe. */
  admits(now: number, s: BreakerSettings): boolean {
    this.refresh(now, s);
    return this.state === "closed" || (this.state === "half-open" && this.probeSince === null);
  }

  /** Claims passage; in half-open, claims the single probe slot (false if already taken). */
  tryAcquire(now: number, s: BreakerSettings): boolean {
    if (!this.admits(now, s)) return false;
    if (this.state === "half-open") this.probeSince = now;
    return true;
  }

  onSuccess(): void {
    // Any success — the probe or a request admitted before the breaker opened — shows the
    // upstream answers again; failure counting starts over.
    this.state = "closed";
    // Not a new array per success: this runs for every request, on a long-lived object.
    if (this.failures.length > 0) this.failures = [];
    this.probeSince = null;
  }

  onFailure(now: number, s: BreakerSettings, error?: string): void {
    this.refresh(now, s);
    this.lastFailureAt = now;
    this.lastError = error ?? null;
    if (this.state === "half-open") {
      this.open(now);
      return;
    }
    if (this.state === "open") return; // a late failure of a request admitted earlier: already open
    this.failures.push(now);
    if (this.failures.length >= s.failureThreshold) this.open(now);
  }

  /** Ends a claimed passage without a verdict (cancelled, a 4xx that says nothing about health). */
  release(): void {
    this.probeSince = null;
  }

  view(now: number, s: BreakerSettings): BreakerView {
    this.refresh(now, s);
    return {
      state: this.state,
      failures: this.failures.length,
      lastFailureAt: this.lastFailureAt,
      lastError: this.lastError,
      openedAt: this.state === "closed" ? null : this.openedAt,
      retryAt: this.state === "open" ? this.openedAt + s.openMs : null,
      trips: this.trips,
    };
  }

  private open(now: number): void {
    this.state = "open";
    this.openedAt = now;
    this.probeSince = null;
    this.failures = [];
    this.trips++;
  }
}
