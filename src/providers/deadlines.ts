// Time limits for upstream calls without a timer per call: one sweep timer runs while any
// limit is pending, so a limit fires at most SWEEP_MS late — limits are ≥ 100 ms
// (resilience-config.ts). Pending limits sit in array slots, not a Set (src/slots.ts says why).
//
// The same sweep watches the client's request signal of each pending call: a listener on
// every request's signal cost the gateway ~3.5 µs of CPU per request under load (ablation
// runs, docs/BENCHMARKS.md), and a client that went away is noticed within SWEEP_MS anyway.
import { Slots } from "../slots.ts";

const SWEEP_MS = 20;

interface Deadline {
  at: number;
  fire: () => void;
  watch: AbortSignal | null;
  onAbort: (() => void) | null;
}

const pending = new Slots<Deadline>();
let timer: ReturnType<typeof setInterval> | null = null;

function sweep(): void {
  const now = performance.now();
  for (const [slot, d] of pending.entries()) {
    if (d.watch !== null && d.watch.aborted) {
      pending.remove(slot, d);
      d.onAbort!();
      continue;
    }
    if (d.at > now) continue;
    pending.remove(slot, d);
    d.fire();
  }
  if (pending.size === 0 && timer) {
    clearInterval(timer);
    timer = null;
  }
}

/**
 * Calls `fire` once, `ms` from now, unless the returned function is called first. With
 * `watch`, calls `onAbort` instead once the sweep sees `signal` aborted (a client that went
 * away: within SWEEP_MS), and no longer watches it once the returned function is called.
 */
export function deadline(ms: number, fire: () => void, watch?: { signal: AbortSignal; onAbort: () => void }): () => void {
  const d: Deadline = { at: performance.now() + ms, fire, watch: watch?.signal ?? null, onAbort: watch?.onAbort ?? null };
  const slot = pending.add(d);
  if (!timer) {
    timer = setInterval(sweep, SWEEP_MS);
    // A pending limit must not keep the process alive on its own (shutdown drains requests).
    (timer as { unref?: () => void }).unref?.();
  }
  return () => {
    pending.remove(slot, d);
  };
}

/** How many limits are pending (tests: a finished call must leave none behind). */
export function pendingDeadlines(): number {
  return pending.size;
}
