// Breaker transitions on a manual clock: closed → open after N failures in the window,
// half-open after the cool-off with a single probe, probe success closes, failure re-opens.
import { describe, expect, test } from "bun:test";
import { CircuitBreaker } from "../../src/routing/circuit-breaker.ts";
import { ManualClock } from "../../src/routing/clock.ts";

const s = { failureThreshold: 3, windowMs: 10_000, openMs: 5_000 };

function setup() {
  return { clock: new ManualClock(1_000_000), b: new CircuitBreaker() };
}

describe("circuit breaker", () => {
  test("opens after threshold failures inside the window", () => {
    const { clock, b } = setup();
    b.onFailure(clock.now(), s);
    b.onFailure(clock.now(), s);
    expect(b.view(clock.now(), s).state).toBe("closed");
    expect(b.admits(clock.now(), s)).toBe(true);
    b.onFailure(clock.now(), s, "boom");
    const v = b.view(clock.now(), s);
    expect(v).toMatchObject({ state: "open", trips: 1, lastError: "boom", retryAt: clock.now() + 5_000 });
    expect(b.admits(clock.now(), s)).toBe(false);
    expect(b.tryAcquire(clock.now(), s)).toBe(false);
  });

  test("failures older than the window do not count", () => {
    const { clock, b } = setup();
    b.onFailure(clock.now(), s);
    b.onFailure(clock.now(), s);
    clock.advance(10_001);
    b.onFailure(clock.now(), s);
    expect(b.view(clock.now(), s)).toMatchObject({ state: "closed", failures: 1 });
  });

  test("a success resets the failure count", () => {
    const { clock, b } = setup();
    b.onFailure(clock.now(), s);
    b.onFailure(clock.now(), s);
    b.onSuccess();
    b.onFailure(clock.now(), s);
    b.onFailure(clock.now(), s);
    expect(b.view(clock.now(), s).state).toBe("closed");
  });

  test("half-open after openMs lets exactly one probe through; success closes", () => {
    const { clock, b } = setup();
    for (let i = 0; i < 3; i++) b.onFailure(clock.now(), s);
    clock.advance(4_999);
    expect(b.admits(clock.now(), s)).toBe(false);
    clock.advance(1);
    expect(b.view(clock.now(), s).state).toBe("half-open");
    expect(b.tryAcquire(clock.now(), s)).toBe(true);
    // The probe is in flight: nobody else passes.
    expect(b.admits(clock.now(), s)).toBe(false);
    expect(b.tryAcquire(clock.now(), s)).toBe(false);
    b.onSuccess();
    expect(b.view(clock.now(), s)).toMatchObject({ state: "closed", failures: 0 });
    expect(b.tryAcquire(clock.now(), s)).toBe(true);
    expect(b.tryAcquire(clock.now(), s)).toBe(true);
  });

  test("a failed probe re-opens for another openMs", () => {
    const { clock, b } = setup();
    for (let i = 0; i < 3; i++) b.onFailure(clock.now(), s);
    clock.advance(5_000);
    expect(b.tryAcquire(clock.now(), s)).toBe(true);
    b.onFailure(clock.now(), s);
    expect(b.view(clock.now(), s)).toMatchObject({ state: "open", trips: 2, retryAt: clock.now() + 5_000 });
    clock.advance(5_000);
    expect(b.view(clock.now(), s).state).toBe("half-open");
  });

  test("a released probe (no verdict) frees the slot; a lost probe expires after openMs", () => {
    const { clock, b } = setup();
    for (let i = 0; i < 3; i++) b.onFailure(clock.now(), s);
    clock.advance(5_000);
    expect(b.tryAcquire(clock.now(), s)).toBe(true);
    b.release();
    expect(b.tryAcquire(clock.now(), s)).toBe(true);
    // This probe never reports back.
    expect(b.admits(clock.now(), s)).toBe(false);
    clock.advance(5_000);
    expect(b.tryAcquire(clock.now(), s)).toBe(true);
  });

  test("settings changes apply to a live breaker", () => {
    const { clock, b } = setup();
    b.onFailure(clock.now(), s);
    b.onFailure(clock.now(), { ...s, failureThreshold: 2 });
    expect(b.view(clock.now(), s).state).toBe("open");
  });
});
