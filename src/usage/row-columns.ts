// Usage rows in columns: the form finished requests wait in and cross to the writer thread in.
// Numbers go into a Float64Array, the few texts that repeat from request to request (endpoint,
// provider, model, connection, key, user agent, …) into a Uint32Array as indexes of a string
// table, the request ids into one string; only rare values (errors, bodies, a list of several
// attempts) are JSON. Filling the columns costs the event loop a fifth of a JSON.stringify of
// the row, a slice crosses threads as two small typed arrays instead of 100 kB of text, and the
// writer reads it back without JSON.parse (docs/BENCHMARKS.md, issue 6).
//
// The string table is sent along in pieces: each slice carries the strings it added (and
// whether the table started over), so the writer thread's copy (StringMirror) stays in step as
// long as it sees every slice in order — RowQueue hands a dropped slice's strings on to the next.
import type { UsageEntry } from "./usage-writes.ts";

/** Numeric columns, in this order (add() and decodeRows() write and read them by position); NaN stands for null. */
const NUMBERS = ["timestamp", "status", "latencyMs", "ttfbMs", "promptTokens", "completionTokens", "totalTokens", "cachedTokens", "reasoningTokens", "costUsd"] as const;
const STREAM = NUMBERS.length;
const COST_ESTIMATED = STREAM + 1;
/** `attempts` stored as one attempt's latency (attempts-column.ts); NaN when it is a list. */
const ATTEMPTS_LATENCY = STREAM + 2;
const ID_LENGTH = STREAM + 3;
const NUMBER_COLUMNS = STREAM + 4;
/** Texts most requests share, in this order (add() and decodeRows() use the positions); 0 stands for null. */
const SHARED = ["endpoint", "clientFormat", "provider", "model", "requestedModel", "connectionId", "apiKeyId", "finishReason", "errorCode", "method", "userAgent", "clientIp"] as const;
/** Values few rows have, kept as JSON per row that has any. */
const RARE = ["error", "requestBody", "responseBody"] as const;

type Carried = (typeof NUMBERS)[number] | (typeof SHARED)[number] | (typeof RARE)[number] | "requestId" | "stream" | "costEstimated" | "attempts";
// Does not compile when usage_records gains a column this file does not carry.
const everyColumnCarried: [Exclude<keyof UsageEntry, "id" | Carried>] extends [never] ? true : never = true;
void everyColumnCarried;

/** Past this many strings the table starts over (user agents and client IPs come from clients). */
const MAX_STRINGS = 50_000;

/** The strings a slice added to the table, in index order from `first`; `reset`: the table starts over first. */
export interface TableStep {
  reset: boolean;
  first: number;
  added: string[];
}

/** A slice's two column arrays. */
export interface Columns {
  numbers: Float64Array;
  shared: Uint32Array;
}

/** A finished slice's arrays when they are full size (reusable for a slice of `capacity` rows). */
export function columnsFor(w: WireSlice, capacity: number): Columns | null {
  return w.numbers.length === capacity * NUMBER_COLUMNS && w.shared.length === capacity * SHARED.length ? { numbers: w.numbers, shared: w.shared } : null;
}

/** One slice as it is sent to the writer thread. */
export interface WireSlice {
  rows: number;
  numbers: Float64Array;
  shared: Uint32Array;
  /** The rows' request ids, one after the other (lengths in the numbers). */
  ids: string;
  /** [row, JSON of its rare values], by row. */
  rare: [number, string][];
  step: TableStep;
}

/** The event loop's string table: one array per generation (slices decode with theirs). */
export class StringIntern {
  strings: string[] = [""];

  constructor(private readonly maxStrings = MAX_STRINGS) {}

  private index = new Map<string, number>();
  private step: TableStep = { reset: false, first: 1, added: [] };

  /** Per shared column, the last value looked up and its index. */
  lastValue: (string | undefined)[] = new Array(SHARED.length);
  lastId = new Uint32Array(SHARED.length);

  /** The string's index for a shared column (remembered as its last value). */
  idFor(column: number, value: string): number {
    const id = this.id(value);
    if (id !== 0) {
      this.lastValue[column] = value;
      this.lastId[column] = id;
    }
    return id;
  }

  /** The string's index, or 0 when the table is full until the next slice. */
  id(value: string): number {
    let id = this.index.get(value);
    if (id === undefined) {
      if (this.strings.length >= this.maxStrings) return 0;
      id = this.strings.push(value) - 1;
      this.index.set(value, id);
      this.step.added.push(value);
    }
    return id;
  }

  /** What the slice being closed added; a full table starts over with the next slice. */
  close(): TableStep {
    const step = this.step;
    if (this.strings.length >= this.maxStrings) {
      this.strings = [""];
      this.index = new Map();
      this.lastValue = new Array(SHARED.length);
      this.step = { reset: true, first: 1, added: [] };
    } else this.step = { reset: false, first: this.strings.length, added: [] };
    return step;
  }

  /** A dropped slice's step goes to the slice being filled, so the writer still learns its strings. */
  carry(dropped: TableStep): void {
    this.step = mergeSteps(dropped, this.step);
  }
}

/** `later` preceded by `earlier`, as one step. */
export function mergeSteps(earlier: TableStep, later: TableStep): TableStep {
  if (later.reset) return later;
  return { reset: earlier.reset, first: earlier.first, added: [...earlier.added, ...later.added] };
}

/** Rows being gathered into one slice. */
export class SliceBuilder {
  rows = 0;
  private readonly numbers: Float64Array;
  private readonly shared: Uint32Array;
  private readonly ids: string[] = [];
  private readonly rare: [number, string][] = [];

  constructor(
    private readonly capacity: number,
    private readonly intern: StringIntern,
    /** The arrays of a finished slice to reuse (columnsFor): every row's slots are rewritten. */
    reuse?: Columns,
  ) {
    // Shared memory: a full slice crosses to the writer thread without being copied (a
    // structured clone of the same arrays took ~4× as long). Nothing writes them once sent,
    // until the writer has finished with them and they are handed back for reuse.
    this.numbers = reuse?.numbers ?? new Float64Array(new SharedArrayBuffer(capacity * NUMBER_COLUMNS * 8));
    this.shared = reuse?.shared ?? new Uint32Array(new SharedArrayBuffer(capacity * SHARED.length * 4));
  }

  /** False (nothing added) when the row cannot be stored (a value JSON or a number column refuses). */
  add(e: UsageEntry): boolean {
    const row = this.rows;
    // Every property is read by name, not through the column lists: a read by a key that
    // changes from column to column is a slow generic lookup (profiled at ~1 µs per row).
    try {
      const s = row * SHARED.length;
      const sh = this.shared;
      sh[s] = this.text(0, e.endpoint);
      sh[s + 1] = this.text(1, e.clientFormat);
      sh[s + 2] = this.text(2, e.provider);
      sh[s + 3] = this.text(3, e.model);
      sh[s + 4] = this.text(4, e.requestedModel);
      sh[s + 5] = this.text(5, e.connectionId);
      sh[s + 6] = this.text(6, e.apiKeyId);
      sh[s + 7] = this.text(7, e.finishReason);
      sh[s + 8] = this.text(8, e.errorCode);
      sh[s + 9] = this.text(9, e.method);
      sh[s + 10] = this.text(10, e.userAgent);
      sh[s + 11] = this.text(11, e.clientIp);
      const attempts = e.attempts;
      let rare = this.overflow;
      if (e.error != null || e.requestBody != null || e.responseBody != null || (Array.isArray(attempts) && attempts.length > 0)) {
        rare ??= {};
        if (e.error != null) rare.error = e.error;
        if (e.requestBody != null) rare.requestBody = e.requestBody;
        if (e.responseBody != null) rare.responseBody = e.responseBody;
        if (Array.isArray(attempts) && attempts.length > 0) rare.attempts = attempts;
      }
      const rareJson = rare ? JSON.stringify(rare) : null;
      const n = row * NUMBER_COLUMNS;
      const num = this.numbers;
      num[n] = e.timestamp;
      num[n + 1] = e.status;
      num[n + 2] = e.latencyMs;
      num[n + 3] = e.ttfbMs ?? NaN;
      num[n + 4] = e.promptTokens ?? NaN;
      num[n + 5] = e.completionTokens ?? NaN;
      num[n + 6] = e.totalTokens ?? NaN;
      num[n + 7] = e.cachedTokens ?? NaN;
      num[n + 8] = e.reasoningTokens ?? NaN;
      num[n + 9] = e.costUsd ?? NaN;
      num[n + STREAM] = e.stream ? 1 : 0;
      num[n + COST_ESTIMATED] = e.costEstimated ? 1 : 0;
      num[n + ATTEMPTS_LATENCY] = typeof attempts === "number" ? attempts : NaN;
      num[n + ID_LENGTH] = e.requestId.length;
      // Nothing above is kept unless it all went through (the row's slots are simply reused).
      if (rareJson !== null) this.rare.push([row, rareJson]);
    } catch (err) {
      console.error(`[usage] a usage row could not be queued: ${(err as Error).message}`);
      return false;
    } finally {
      this.overflow = null;
    }
    this.ids.push(e.requestId);
    this.rows++;
    return true;
  }

  /** Texts of this row that did not fit in a full string table (kept with its rare values). */
  private overflow: Record<string, unknown> | null = null;

  /** A shared column's value as a table index; most columns repeat the previous request's value. */
  private text(column: number, value: string | null | undefined): number {
    if (value == null) return 0;
    const intern = this.intern;
    if (value === intern.lastValue[column]) return intern.lastId[column]!;
    const id = intern.idFor(column, value);
    if (id === 0) (this.overflow ??= {})[SHARED[column]!] = value;
    return id;
  }

  /** The rows so far, without closing the slice. */
  peek(): UsageEntry[] {
    return decodeRows(this.wire({ reset: false, first: 0, added: [] }), this.intern.strings);
  }

  close(): { wire: WireSlice; table: readonly string[] } {
    const table = this.intern.strings;
    return { wire: this.wire(this.intern.close()), table };
  }

  private wire(step: TableStep): WireSlice {
    const full = this.rows === this.capacity;
    return {
      rows: this.rows,
      numbers: full ? this.numbers : this.numbers.slice(0, this.rows * NUMBER_COLUMNS),
      shared: full ? this.shared : this.shared.slice(0, this.rows * SHARED.length),
      ids: this.ids.join(""),
      rare: this.rare,
      step,
    };
  }
}

/** The rows of a slice, read with the string table it was written with. */
export function decodeRows(w: WireSlice, strings: readonly string[]): UsageEntry[] {
  const out: UsageEntry[] = new Array(w.rows);
  const { numbers, shared } = w;
  const orNull = (v: number) => (v !== v ? null : v); // NaN is null
  let idAt = 0;
  let rare = 0;
  for (let row = 0; row < w.rows; row++) {
    const n = row * NUMBER_COLUMNS;
    const s = row * SHARED.length;
    const latency = numbers[n + ATTEMPTS_LATENCY]!;
    const method = shared[s + 9]!;
    const e: UsageEntry = {
      requestId: w.ids.slice(idAt, (idAt += numbers[n + ID_LENGTH]!)),
      timestamp: numbers[n]!,
      status: numbers[n + 1]!,
      latencyMs: numbers[n + 2]!,
      ttfbMs: orNull(numbers[n + 3]!),
      promptTokens: orNull(numbers[n + 4]!),
      completionTokens: orNull(numbers[n + 5]!),
      totalTokens: orNull(numbers[n + 6]!),
      cachedTokens: orNull(numbers[n + 7]!),
      reasoningTokens: orNull(numbers[n + 8]!),
      costUsd: orNull(numbers[n + 9]!),
      stream: numbers[n + STREAM] === 1,
      costEstimated: numbers[n + COST_ESTIMATED] === 1,
      // Undefined when there is nothing: the column's default applies ([] and "POST").
      attempts: latency !== latency ? undefined : latency,
      endpoint: strings[shared[s]!]!,
      clientFormat: strings[shared[s + 1]!]!,
      provider: shared[s + 2] === 0 ? null : strings[shared[s + 2]!]!,
      model: shared[s + 3] === 0 ? null : strings[shared[s + 3]!]!,
      requestedModel: shared[s + 4] === 0 ? null : strings[shared[s + 4]!]!,
      connectionId: shared[s + 5] === 0 ? null : strings[shared[s + 5]!]!,
      apiKeyId: shared[s + 6] === 0 ? null : strings[shared[s + 6]!]!,
      finishReason: shared[s + 7] === 0 ? null : strings[shared[s + 7]!]!,
      errorCode: shared[s + 8] === 0 ? null : strings[shared[s + 8]!]!,
      method: method === 0 ? undefined : strings[method]!,
      userAgent: shared[s + 10] === 0 ? null : strings[shared[s + 10]!]!,
      clientIp: shared[s + 11] === 0 ? null : strings[shared[s + 11]!]!,
      error: null,
      requestBody: null,
      responseBody: null,
    };
    if (rare < w.rare.length && w.rare[rare]![0] === row) Object.assign(e, JSON.parse(w.rare[rare++]![1]));
    out[row] = e;
  }
  return out;
}

/** The writer thread's copy of the table, kept in step by each slice's TableStep. */
export class StringMirror {
  private strings: string[] = [""];

  /** Call once per slice, in the order they were sent. */
  decode(w: WireSlice): UsageEntry[] {
    const { reset, first, added } = w.step;
    if (reset) this.strings = [""];
    if (first !== this.strings.length) throw new Error(`usage slice out of step with the string table (${first}, have ${this.strings.length})`);
    for (const s of added) this.strings.push(s);
    return decodeRows(w, this.strings);
  }
}
