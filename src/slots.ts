// Per-request bookkeeping (requests in flight, pending time limits) in numbered slots of an
// array instead of a Map or Set. Under load the gateway adds and removes an entry per request;
// with a Map or Set doing that, Bun's garbage collector spent ~4–5 µs of helper-thread time
// and the event loop ~5 µs more per request (measured: docs/BENCHMARKS.md, "Issue 2, the
// collector"). An array slot costs a store and a free-list push.

export class Slots<T extends object> {
  private readonly values: (T | undefined)[] = [];
  private readonly free: number[] = [];
  private count = 0;

  /** Stores `value`; the number returned removes it again. */
  add(value: T): number {
    const slot = this.free.length > 0 ? this.free.pop()! : this.values.length;
    this.values[slot] = value;
    this.count++;
    return slot;
  }

  get(slot: number): T | undefined {
    return this.values[slot];
  }

  /** Frees the slot if it still holds `value` (a slot is reused once freed). */
  remove(slot: number, value: T): boolean {
    if (this.values[slot] !== value) return false;
    this.values[slot] = undefined;
    this.free.push(slot);
    this.count--;
    return true;
  }

  get size(): number {
    return this.count;
  }

  /** Every stored value with its slot, in slot order. */
  *entries(): IterableIterator<[number, T]> {
    for (let i = 0; i < this.values.length; i++) {
      const v = this.values[i];
      if (v !== undefined) yield [i, v];
    }
  }
}
