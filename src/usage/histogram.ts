// Streaming latency histograms. Recording is O(1) (one counter increment) and a percentile
// walks a fixed 400-bucket array, so p50/p95/p99 never sort samples and memory does not grow
// with traffic. Buckets are log-linear (the HdrHistogram idea): exact below 16 ms, then 16
// sub-buckets per power of two, so any value is within 6.25% of its bucket's bounds.

const SUB_BITS = 4;
const SUB = 1 << SUB_BITS; // 16
/** Values are clamped below 2^28 ms (~3 days). */
const MAX_VALUE = (1 << 28) - 1;
export const BUCKETS = SUB + (28 - SUB_BITS) * SUB; // 400

export function bucketOf(value: number): number {
  const v = Math.min(MAX_VALUE, Math.max(0, Math.round(value)));
  if (v < SUB) return v;
  const exp = 31 - Math.clz32(v); // floor(log2 v) ≥ 4
  const mantissa = v >>> (exp - SUB_BITS); // in [16, 32)
  return SUB + (exp - SUB_BITS) * SUB + (mantissa - SUB);
}

/** [lower, width) of a bucket. */
export function boundsOf(bucket: number): [number, number] {
  if (bucket < SUB) return [bucket, 1];
  const exp = Math.floor((bucket - SUB) / SUB) + SUB_BITS;
  const mantissa = ((bucket - SUB) % SUB) + SUB;
  const shift = exp - SUB_BITS;
  return [mantissa * 2 ** shift, 2 ** shift];
}

export class Histogram {
  readonly counts = new Uint32Array(BUCKETS);
  count = 0;
  sum = 0;
  min = Infinity;
  max = 0;

  record(value: number): void {
    this.counts[bucketOf(value)]!++;
    this.count++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  add(other: Histogram): void {
    for (let i = 0; i < BUCKETS; i++) this.counts[i]! += other.counts[i]!;
    this.count += other.count;
    this.sum += other.sum;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.sum = 0;
    this.min = Infinity;
    this.max = 0;
  }

  /**
   * The q-quantile (0 < q ≤ 1) by nearest rank, interpolated inside the bucket that holds it
   * (values are assumed spread evenly across a bucket). Null when empty.
   */
  quantile(q: number): number | null {
    if (this.count === 0) return null;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      const c = this.counts[i]!;
      if (c === 0) continue;
      if (seen + c >= rank) {
        const [lower, width] = boundsOf(i);
        if (width === 1) return lower; // exact bucket
        const value = lower + (width * (rank - seen - 1)) / c;
        // Never outside what was actually seen (a lone sample is reported as itself).
        return Math.min(Math.max(Math.round(value), Math.round(this.min)), Math.round(this.max));
      }
      seen += c;
    }
    return Math.round(this.max);
  }
}

/**
 * A histogram over a sliding window: a ring of per-slot histograms (default 60 one-minute
 * slots). A slot is cleared when the ring comes back round to it, so old samples age out
 * without a timer; a query merges the slots inside the window.
 */
export class WindowedHistogram {
  private readonly slots: (Histogram | undefined)[];
  private readonly epochs: Float64Array;

  constructor(
    readonly slotMs = 60_000,
    readonly slotCount = 60,
    private readonly now: () => number = Date.now,
  ) {
    this.slots = new Array(slotCount);
    this.epochs = new Float64Array(slotCount).fill(-1);
  }

  record(value: number): void {
    const epoch = Math.floor(this.now() / this.slotMs);
    const i = epoch % this.slotCount;
    let slot = this.slots[i];
    if (!slot) slot = this.slots[i] = new Histogram();
    if (this.epochs[i] !== epoch) {
      slot.reset();
      this.epochs[i] = epoch;
    }
    slot.record(value);
  }

  /** The merged histogram of the last `windowMs` (rounded up to whole slots, at most the ring). */
  window(windowMs: number): Histogram {
    const out = new Histogram();
    const current = Math.floor(this.now() / this.slotMs);
    const span = Math.min(this.slotCount, Math.max(1, Math.ceil(windowMs / this.slotMs)));
    for (let i = 0; i < this.slotCount; i++) {
      const slot = this.slots[i];
      const epoch = this.epochs[i]!;
      if (slot && epoch > current - span && epoch <= current) out.add(slot);
    }
    return out;
  }
}

/** A count over the same kind of sliding window (errors per provider). */
export class WindowedCounter {
  private readonly counts: Float64Array;
  private readonly epochs: Float64Array;

  constructor(
    readonly slotMs = 60_000,
    readonly slotCount = 60,
    private readonly now: () => number = Date.now,
  ) {
    this.counts = new Float64Array(slotCount);
    this.epochs = new Float64Array(slotCount).fill(-1);
  }

  add(n = 1): void {
    const epoch = Math.floor(this.now() / this.slotMs);
    const i = epoch % this.slotCount;
    if (this.epochs[i] !== epoch) {
      this.counts[i] = 0;
      this.epochs[i] = epoch;
    }
    this.counts[i]! += n;
  }

  window(windowMs: number): number {
    const current = Math.floor(this.now() / this.slotMs);
    const span = Math.min(this.slotCount, Math.max(1, Math.ceil(windowMs / this.slotMs)));
    let total = 0;
    for (let i = 0; i < this.slotCount; i++) {
      const epoch = this.epochs[i]!;
      if (epoch > current - span && epoch <= current) total += this.counts[i]!;
    }
    return total;
  }
}
