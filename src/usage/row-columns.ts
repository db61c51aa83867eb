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

/** Numeric columns, in this order (add() and SliceRows write and read them by position); NaN stands for null. */
const NUMBERS = ["timestamp", "status", "latencyMs", "ttfbMs", "promptTokens", "completionTokens", "totalTokens", "cachedTokens", "reasoningTokens", "costUsd"] as const;
const STREAM = NUMBERS.length;
const COST_ESTIMATED = STREAM + 1;
/** `attempts` stored as one attempt's latency (attempts-column.ts); NaN when it is a list. */
const ATTEMPTS_LATENCY = STREAM + 2;
const ID_LENGTH = STREAM + 3;
const NUMBER_COLUMNS = STREAM + 4;
/** Texts most requests share, in this order (add() and SliceRows use the positions); 0 stands for null. */
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

/** Positions of the numeric columns a reader asks for (SliceRows.number). */
export const NUM = {
  timestamp: 0, status: 1, latencyMs: 2, ttfbMs: 3, promptTokens: 4, completionTokens: 5, totalTokens: 6, cachedTokens: 7,
  reasoningTokens: 8, costUsd: 9,
} as const satisfies { [K in (typeof NUMBERS)[number]]: number };
/** Positions of the shared text columns (SliceRows.text and textIndex). */
export const TEXT = {
  endpoint: 0, clientFormat: 1, provider: 2, model: 3, requestedModel: 4, connectionId: 5, apiKeyId: 6, finishReason: 7,
  errorCode: 8, method: 9, userAgent: 10, clientIp: 11,
} as const satisfies { [K in (typeof SHARED)[number]]: number };
for (const [name, at] of Object.entries(NUM)) if (NUMBERS[at] !== name) throw new Error(`NUM.${name} is not column ${at}`);
for (const [name, at] of Object.entries(TEXT)) if (SHARED[at] !== name) throw new Error(`TEXT.${name} is not column ${at}`);

/**
 * A slice's rows read in place, column by column, with the string table it was written with:
 * the usage writer binds and rolls up from it without building an object per row (turning a
 * slice into row objects was 0.2–0.4 µs of the writer's ~1.5 µs per row). Null numbers are
 * NaN in the columns, null texts index 0; a text that did not fit in a full table is in the
 * row's rare values under its column's name.
 */
export class SliceRows {
  readonly count: number;
  private readonly numbers: Float64Array;
  private readonly shared: Uint32Array;
  /** Where each row's request id ends in wire.ids. */
  private readonly idEnd: Uint32Array;
  private readonly rareOf = new Map<number, Record<string, unknown>>();

  constructor(
    readonly wire: WireSlice,
    readonly strings: readonly string[],
  ) {
    this.count = wire.rows;
    this.numbers = wire.numbers;
    this.shared = wire.shared;
    this.idEnd = new Uint32Array(wire.rows);
    for (let row = 0, at = 0; row < wire.rows; row++) this.idEnd[row] = at += wire.numbers[row * NUMBER_COLUMNS + ID_LENGTH]!;
    for (const [row, json] of wire.rare) this.rareOf.set(row, JSON.parse(json) as Record<string, unknown>);
  }

  requestId(row: number): string {
    return this.wire.ids.slice(row === 0 ? 0 : this.idEnd[row - 1], this.idEnd[row]);
  }

  /** A numeric column (NUM), null for none. */
  number(row: number, column: number): number | null {
    const v = this.numbers[row * NUMBER_COLUMNS + column]!;
    return v !== v ? null : v; // NaN is null
  }

  stream(row: number): boolean {
    return this.numbers[row * NUMBER_COLUMNS + STREAM] === 1;
  }

  costEstimated(row: number): boolean {
    return this.numbers[row * NUMBER_COLUMNS + COST_ESTIMATED] === 1;
  }

  /** The attempts as recorded: one plain attempt's latency, the list, or undefined for none. */
  attempts(row: number): unknown[] | number | undefined {
    const latency = this.numbers[row * NUMBER_COLUMNS + ATTEMPTS_LATENCY]!;
    if (latency === latency) return latency;
    return this.rare(row)?.attempts as unknown[] | undefined;
  }

  /** A shared text column's (TEXT) index in `strings`; 0 for none or a text kept with the rare values. */
  textIndex(row: number, column: number): number {
    return this.shared[row * SHARED.length + column]!;
  }

  /** A shared text column (TEXT), null for none. */
  text(row: number, column: number): string | null {
    const i = this.shared[row * SHARED.length + column]!;
    if (i !== 0) return this.strings[i]!;
    return (this.rare(row)?.[SHARED[column]!] as string | undefined) ?? null;
  }

  /** The row's rare values (error, bodies, a list of attempts, texts a full table could not take). */
  rare(row: number): Record<string, unknown> | undefined {
    return this.rareOf.size === 0 ? undefined : this.rareOf.get(row);
  }

  /** Every row as an object. */
  entries(): UsageEntry[] {
    return Array.from({ length: this.count }, (_, row) => this.entry(row));
  }

  /** The row as an object (budgets reading unwritten rows; the writer does not need it). */
  entry(row: number): UsageEntry {
    const rare = this.rare(row);
    const method = this.text(row, TEXT.method);
    return {
      requestId: this.requestId(row),
      timestamp: this.number(row, NUM.timestamp)!,
      status: this.number(row, NUM.status)!,
      latencyMs: this.number(row, NUM.latencyMs)!,
      ttfbMs: this.number(row, NUM.ttfbMs),
      promptTokens: this.number(row, NUM.promptTokens),
      completionTokens: this.number(row, NUM.completionTokens),
      totalTokens: this.number(row, NUM.totalTokens),
      cachedTokens: this.number(row, NUM.cachedTokens),
      reasoningTokens: this.number(row, NUM.reasoningTokens),
      costUsd: this.number(row, NUM.costUsd),
      stream: this.stream(row),
      costEstimated: this.costEstimated(row),
      // Undefined when there is nothing: the column's default applies ([] and "POST").
      attempts: this.attempts(row),
      endpoint: this.text(row, TEXT.endpoint)!,
      clientFormat: this.text(row, TEXT.clientFormat)!,
      provider: this.text(row, TEXT.provider),
      model: this.text(row, TEXT.model),
      requestedModel: this.text(row, TEXT.requestedModel),
      connectionId: this.text(row, TEXT.connectionId),
      apiKeyId: this.text(row, TEXT.apiKeyId),
      finishReason: this.text(row, TEXT.finishReason),
      errorCode: this.text(row, TEXT.errorCode),
      method: method ?? undefined,
      userAgent: this.text(row, TEXT.userAgent),
      clientIp: this.text(row, TEXT.clientIp),
      error: (rare?.error as string | undefined) ?? null,
      requestBody: (rare?.requestBody as string | undefined) ?? null,
      responseBody: (rare?.responseBody as string | undefined) ?? null,
    };
  }
}

/** The rows of a slice as objects, read with the string table it was written with. */
export function decodeRows(w: WireSlice, strings: readonly string[]): UsageEntry[] {
  return new SliceRows(w, strings).entries();
}

/** The writer thread's copy of the table, kept in step by each slice's TableStep. */
export class StringMirror {
  private strings: string[] = [""];

  /** Call once per slice, in the order they were sent. */
  decode(w: WireSlice): SliceRows {
    const { reset, first, added } = w.step;
    if (reset) this.strings = [""];
    if (first !== this.strings.length) throw new Error(`usage slice out of step with the string table (${first}, have ${this.strings.length})`);
    for (const s of added) this.strings.push(s);
    return new SliceRows(w, this.strings);
  }
}
