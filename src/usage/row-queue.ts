// Finished requests waiting for the batched write, in slices of one transaction each, stored in
// columns (row-columns.ts) the moment they are recorded: no row object outlives its request,
// and a slice is ready to cross to the writer thread as it is.
import { columnsFor, decodeRows, mergeSteps, SliceBuilder, StringIntern, type Columns, type WireSlice } from "./row-columns.ts";
import type { UsageEntry } from "./usage-writes.ts";

/** A slice of rows: what the writer thread is sent, and the string table to read it here. */
export interface Slice {
  wire: WireSlice;
  table: readonly string[];
  rows: number;
}

/** Spare slice arrays kept: about a second's worth under heavy load. */
const MAX_SPARE = 64;

export class RowQueue {
  private readonly full: Slice[] = [];
  private fullRows = 0;
  private readonly intern: StringIntern;
  private open: SliceBuilder | null = null;
  /** Arrays of written slices, for the next ones (new shared memory under load cost ~60 µs a slice). */
  private readonly spare: Columns[] = [];
  dropped = 0;

  constructor(
    private readonly sliceRows: number,
    /** Above this many rows the oldest slice is dropped (and counted) rather than growing without bound. */
    private readonly maxRows: number,
    /** Size of the string table (row-columns.ts); small only in tests. */
    maxStrings?: number,
  ) {
    this.intern = new StringIntern(maxStrings);
  }

  get length(): number {
    return this.fullRows + (this.open?.rows ?? 0);
  }

  push(entry: UsageEntry): void {
    const open = (this.open ??= new SliceBuilder(this.sliceRows, this.intern, this.spare.pop()));
    // A row that cannot be serialized must not fail the request that made it; it is counted.
    if (!open.add(entry)) this.dropped++;
    else if (open.rows >= this.sliceRows) this.closeOpen();
    while (this.length > this.maxRows && this.full.length > 0) this.dropOldest();
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

  /** A slice that is written and read no more (by the writer thread either): its arrays are reused. */
  recycle(slice: Slice): void {
    const columns = columnsFor(slice.wire, this.sliceRows);
    if (columns && this.spare.length < MAX_SPARE) this.spare.push(columns);
  }

  /** Once traffic stops: the spare arrays go back to the allocator. */
  releaseSpare(): void {
    this.spare.length = 0;
  }

  /** Every queued row as an object, oldest first (budgets read unwritten spend from them). */
  entries(): UsageEntry[] {
    const out = this.full.flatMap(parseSlice);
    if (this.open) out.push(...this.open.peek());
    return out;
  }

  private closeOpen(): void {
    if (!this.open || this.open.rows === 0) return;
    const { wire, table } = this.open.close();
    this.full.push({ wire, table, rows: wire.rows });
    this.fullRows += wire.rows;
    this.open = null;
  }

  /** The rows go, the strings they introduced stay on their way to the writer thread. */
  private dropOldest(): void {
    const slice = this.full.shift()!;
    this.fullRows -= slice.rows;
    this.dropped += slice.rows;
    const next = this.full[0];
    if (next) next.wire.step = mergeSteps(slice.wire.step, next.wire.step);
    else this.intern.carry(slice.wire.step);
  }
}

export function parseSlice(slice: Slice): UsageEntry[] {
  return decodeRows(slice.wire, slice.table);
}
