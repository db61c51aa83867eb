// The storage behind the response cache, as a small interface (DESIGN: CacheStore) so a shared
// tier (Redis, for several instances behind a load balancer) is a new implementation, not a
// rewrite. The in-process memory tier is an LRU bounded by entries and bytes.
import type { CanonicalResponse } from "../../formats/canonical.ts";

export interface CachedAnswer {
  response: CanonicalResponse;
  /** "provider/model" that produced it. */
  model: string | null;
  createdAt: number;
  expiresAt: number;
}

export interface CacheStore {
  /** The live entry under `key`, or undefined (expired entries are never returned). A remote tier may answer asynchronously. */
  get(key: string, now: number): CachedAnswer | undefined | Promise<CachedAnswer | undefined>;
  /** `json` is the serialised response, computed once for every tier. */
  set(key: string, entry: CachedAnswer, json: string): void;
  /** Removes the entries `match` selects (all when omitted); returns how many went. */
  clear(match?: (entry: { model: string | null; createdAt: number }) => boolean): number;
  size(now: number): number;
}

interface Slot {
  entry: CachedAnswer;
  bytes: number;
}

/** Map iteration order is insertion order: re-inserting on a hit makes the first key the least recently used. */
export class MemoryLru implements CacheStore {
  private slots = new Map<string, Slot>();
  private bytes = 0;

  constructor(private readonly limits: () => { maxEntries: number; maxBytes: number }) {}

  get(key: string, now: number): CachedAnswer | undefined {
    const slot = this.slots.get(key);
    if (!slot) return undefined;
    this.slots.delete(key);
    if (slot.entry.expiresAt <= now) {
      this.bytes -= slot.bytes;
      return undefined;
    }
    this.slots.set(key, slot);
    return slot.entry;
  }

  set(key: string, entry: CachedAnswer, json: string): void {
    const { maxEntries, maxBytes } = this.limits();
    const bytes = json.length * 2;
    const old = this.slots.get(key);
    if (old) {
      this.slots.delete(key);
      this.bytes -= old.bytes;
    }
    if (maxEntries <= 0 || bytes > maxBytes) return;
    this.slots.set(key, { entry, bytes });
    this.bytes += bytes;
    this.evict(maxEntries, maxBytes);
  }

  private evict(maxEntries: number, maxBytes: number): void {
    for (const [key, slot] of this.slots) {
      if (this.slots.size <= maxEntries && this.bytes <= maxBytes) return;
      this.slots.delete(key);
      this.bytes -= slot.bytes;
    }
  }

  clear(match?: (entry: { model: string | null; createdAt: number }) => boolean): number {
    let n = 0;
    for (const [key, slot] of this.slots) {
      if (match && !match(slot.entry)) continue;
      this.slots.delete(key);
      this.bytes -= slot.bytes;
      n++;
    }
    return n;
  }

  size(): number {
    return this.slots.size;
  }
}
