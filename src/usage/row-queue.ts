// Finished requests waiting for the batched write, kept as JSON text in slices of one
// transaction each. A row is stringified the moment it is recorded, so the row object is
// garbage as soon as its request is done: a queue of objects kept a second's worth of them (each
// with its attempts array) alive through young collections until the flush. Measured against
// that queue under the benchmark's load: recording cost 2.4–5.3% of throughput instead of
// 9.4–12.6% (docs/BENCHMARKS.md).
import type { UsageEntry } from "./usage-writes.ts";

/** A JSON array of rows, ready to be sent to the writer thread or parsed for an inline write. */
export interface Slice {
  json: string;
  rows: number;
}

export class RowQueue {
  private readonly full: Slice[] = [];
  private fullRows = 0;
  /** Rows of the slice being filled, comma-separated (a rope until it is read). */
  private open = "";
  private openRows = 0;
  dropped = 0;

  constructor(
    private readonly sliceRows: number,
    /** Above this many rows the oldest slice is dropped (and counted) rather than growing without bound. */
    private readonly maxRows: number,
  ) {}

  get length(): number {
    return this.fullRows + this.openRows;
  }

  push(entry: UsageEntry): void {
    let json: string;
    try {
      json = JSON.stringify(entry);
    } catch (err) {
      // A row that cannot be serialized must not fail the request that made it; it is counted.
      this.dropped++;
      console.error(`[usage] a usage row could not be queued: ${(err as Error).message}`);
      return;
    }
    this.open = this.openRows === 0 ? json : `${this.open},${json}`;
    if (++this.openRows >= this.sliceRows) this.closeOpen();
    while (this.length > this.maxRows && this.full.length > 0) this.dropped += this.take()!.rows;
  }

  /** The oldest slice, taken off the queue (the one being filled when it is all there is). */
  take(): Slice | undefined {
    if (this.full.length === 0) this.closeOpen();
    const slice = this.full.shift();
    if (slice) this.fullRows -= slice.rows;
    return slice;
  }

  /** Puts slices back at the front, in order (a write that failed, a thread that died). */
  putBack(slices: readonly Slice[]): void {
    this.full.unshift(...slices);
    for (const s of slices) this.fullRows += s.rows;
  }

  /** Every queued row as an object, oldest first (budgets read unwritten spend from them). */
  entries(): UsageEntry[] {
    const out = this.full.flatMap(parseSlice);
    if (this.openRows > 0) out.push(...(JSON.parse(`[${this.open}]`) as UsageEntry[]));
    return out;
  }

  private closeOpen(): void {
    if (this.openRows === 0) return;
    this.full.push({ json: `[${this.open}]`, rows: this.openRows });
    this.fullRows += this.openRows;
    this.open = "";
    this.openRows = 0;
  }
}

export function parseSlice(slice: Slice): UsageEntry[] {
  return JSON.parse(slice.json) as UsageEntry[];
}
