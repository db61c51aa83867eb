// The response cache: a memory LRU in front of the SQLite tier, both holding canonical answers
// with a TTL. A hit from SQLite is promoted to memory. Hits and misses are counted for the hit
// rate GET /api/cache reports.
import type { Db } from "../../db/client.ts";
import type { CanonicalResponse } from "../../formats/canonical.ts";
import type { Settings } from "../../settings.ts";
import { SqliteCacheTier } from "./sqlite-tier.ts";
import { MemoryLru, type CachedAnswer } from "./store.ts";

export interface CacheStats {
  memorySize: number;
  memoryMaxSize: number;
  dbSize: number;
  hitRate: number;
}

/** What DELETE /api/cache removes: everything, one model's answers, or those older than maxAgeMs. */
export type CacheInvalidation = { scope: "all" } | { scope: "model"; model: string } | { scope: "stale"; maxAgeMs: number };

export class ResponseCache {
  readonly memory: MemoryLru;
  readonly durable: SqliteCacheTier;
  private hits = 0;
  private misses = 0;

  constructor(
    db: Db,
    private readonly settings: () => Settings,
    private readonly now: () => number = Date.now,
  ) {
    this.memory = new MemoryLru(() => ({ maxEntries: settings().cacheMemoryMaxEntries, maxBytes: settings().cacheMemoryMaxMb * 1024 * 1024 }));
    this.durable = new SqliteCacheTier(db, () => settings().cacheDbMaxEntries);
  }

  /** The cached answer for `key`, counted as a hit or a miss. */
  async lookup(key: string): Promise<CachedAnswer | undefined> {
    const now = this.now();
    let entry = this.memory.get(key, now);
    if (!entry) {
      entry = await this.durable.get(key, now);
      if (entry) this.memory.set(key, entry, JSON.stringify(entry.response));
    }
    if (entry) this.hits++;
    else this.misses++;
    return entry;
  }

  store(key: string, response: CanonicalResponse, model: string | null): void {
    const createdAt = this.now();
    const entry: CachedAnswer = { response, model, createdAt, expiresAt: createdAt + this.settings().cacheTtlSeconds * 1000 };
    const json = JSON.stringify(response);
    this.memory.set(key, entry, json);
    if (this.settings().cacheDbMaxEntries > 0) this.durable.set(key, entry, json);
  }

  stats(): CacheStats {
    const lookups = this.hits + this.misses;
    return {
      memorySize: this.memory.size(),
      memoryMaxSize: this.settings().cacheMemoryMaxEntries,
      dbSize: this.durable.size(this.now()),
      hitRate: lookups === 0 ? 0 : Math.round((this.hits / lookups) * 10_000) / 10_000,
    };
  }

  /** Removes entries from both tiers; clearing everything also restarts the hit rate. Returns the number of entries removed. */
  invalidate(what: CacheInvalidation): number {
    const now = this.now();
    let match: ((e: { model: string | null; createdAt: number }) => boolean) | undefined;
    if (what.scope === "model") {
      const m = what.model;
      // "provider/model" as stored, or the model id alone.
      match = (e) => e.model === m || (e.model !== null && e.model.slice(e.model.indexOf("/") + 1) === m);
    } else if (what.scope === "stale") {
      match = (e) => now - e.createdAt > what.maxAgeMs;
    } else {
      this.hits = 0;
      this.misses = 0;
    }
    const inMemory = this.memory.clear(match);
    const inDb = this.durable.clear(match);
    return Math.max(inMemory, inDb);
  }

  flush(): void {
    this.durable.flush();
  }

  close(): void {
    this.durable.close();
  }
}
