// Idempotency: a request carrying `Idempotency-Key` (or `X-Request-Id`) that repeats one seen
// within the window (5 s by default) gets the first request's answer instead of a second
// upstream call — also while the first is still in flight: the duplicate waits and then reads
// the same bytes (SharedBody), marked `X-OmniRoute-Idempotent: true`. Keys are scoped to the
// API key and the endpoint, so one tenant can never receive another's answer. An answer that
// is an error, or a stream whose every reader left before the end, is forgotten once the
// duplicates already waiting have it, so a retry gets a fresh try.
//
// State sits behind IdempotencyStore (DESIGN: CounterStore/CacheStore) so several instances
// can share it through Redis later; this one is a Map with expiry, in process.
import { SharedBody } from "./shared-body.ts";

export const IDEMPOTENT_HEADER = "x-omniroute-idempotent";

/** A finished answer that any number of duplicates can read. */
export class SharedAnswer {
  private constructor(
    readonly status: number,
    private readonly headers: [string, string][],
    private readonly body: SharedBody | null,
  ) {}

  static of(response: Response, onAbandoned: () => void): { shared: SharedAnswer; first: Response } {
    const body = response.body ? new SharedBody(response.body.getReader(), onAbandoned) : null;
    const headers: [string, string][] = [];
    response.headers.forEach((value, name) => headers.push([name, value]));
    const shared = new SharedAnswer(response.status, headers, body);
    return { shared, first: shared.response(false) };
  }

  response(duplicate: boolean): Response {
    const headers = new Headers(this.headers);
    if (duplicate) headers.set(IDEMPOTENT_HEADER, "true");
    return new Response(this.body?.consumer() ?? null, { status: this.status, headers });
  }

  seal(): void {
    this.body?.seal();
  }
}

export type Claim =
  | { role: "first"; settle(response: Response): Response }
  | { role: "duplicate"; answer: Promise<SharedAnswer> };

export interface IdempotencyStore {
  /** The first request under `key` in the window leads; later ones get its answer. */
  claim(key: string): Claim;
  stats(): { activeKeys: number; windowMs: number };
  /** Forgets finished keys (in-flight ones stay: requests are waiting on them). */
  clear(): number;
}

interface Entry {
  createdAt: number;
  inFlight: boolean;
  answer: Promise<SharedAnswer>;
  shared: SharedAnswer | null;
}

export class MemoryIdempotencyStore implements IdempotencyStore {
  private entries = new Map<string, Entry>();
  private lastSweep = 0;
  private sweepTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly windowMs: () => number,
    private readonly now: () => number = Date.now,
  ) {}

  private live(e: Entry, now: number): boolean {
    return e.inFlight || now - e.createdAt < this.windowMs();
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < 1000) return;
    this.lastSweep = now;
    for (const [k, e] of this.entries) if (!this.live(e, now)) this.forget(k, e);
  }

  /** Answers are held in memory: once traffic stops, a timer lets the last ones go too. */
  private scheduleSweep(): void {
    if (this.sweepTimer) return;
    this.sweepTimer = setTimeout(() => {
      this.sweepTimer = null;
      this.lastSweep = 0;
      this.sweep(this.now());
      if (this.entries.size > 0) this.scheduleSweep();
    }, this.windowMs() + 1000);
    (this.sweepTimer as { unref?: () => void }).unref?.();
  }

  private forget(key: string, e: Entry): void {
    if (this.entries.get(key) === e) this.entries.delete(key);
    e.shared?.seal();
  }

  claim(key: string): Claim {
    const now = this.now();
    this.sweep(now);
    const existing = this.entries.get(key);
    if (existing && this.live(existing, now)) return { role: "duplicate", answer: existing.answer };
    if (existing) this.forget(key, existing);

    let resolve!: (a: SharedAnswer) => void;
    const entry: Entry = { createdAt: now, inFlight: true, answer: new Promise((r) => (resolve = r)), shared: null };
    this.entries.set(key, entry);
    this.scheduleSweep();
    return {
      role: "first",
      settle: (response) => {
        const { shared, first } = SharedAnswer.of(response, () => this.forget(key, entry));
        entry.shared = shared;
        entry.inFlight = false;
        resolve(shared);
        // Errors are answered to the duplicates already waiting, not remembered for later retries.
        if (response.status < 200 || response.status >= 300) this.forget(key, entry);
        return first;
      },
    };
  }

  stats() {
    const now = this.now();
    let activeKeys = 0;
    for (const e of this.entries.values()) if (this.live(e, now)) activeKeys++;
    return { activeKeys, windowMs: this.windowMs() };
  }

  clear(): number {
    let n = 0;
    for (const [k, e] of this.entries) {
      if (e.inFlight) continue;
      this.forget(k, e);
      n++;
    }
    return n;
  }
}

/** The client's deduplication key, if it sent one. */
export function idempotencyKeyOf(request: Request): string | null {
  const key = request.headers.get("idempotency-key") ?? request.headers.get("x-request-id");
  return key && key.trim() ? key.trim() : null;
}
