// The durable tier of the response cache: table response_cache in the gateway's SQLite file.
// The hot path never waits on the disk for a miss: the keys present (with their expiry) are
// held in memory, loaded once on first use, so only an actual hit reads a row. Writes are
// queued and written in one transaction a moment later (like usage rows); expired rows are
// pruned on a timer, and the table is held to a row limit, oldest first.
import type { Db } from "../../db/client.ts";
import type { CachedAnswer, CacheStore } from "./store.ts";

const FLUSH_MS = 250;
const PRUNE_EVERY_MS = 10 * 60_000;

interface Row {
  key: string;
  model: string | null;
  response: string;
  created_at: number;
  expires_at: number;
}

export class SqliteCacheTier implements CacheStore {
  /** key → [createdAt, expiresAt, model] of every stored row; null until loaded. */
  private index: Map<string, { createdAt: number; expiresAt: number; model: string | null }> | null = null;
  private pending = new Map<string, { entry: CachedAnswer; json: string }>();
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private pruneTimer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly db: Db,
    private readonly maxRows: () => number,
  ) {}

  /** The database file was swapped (backup restore): what we knew of it is void. */
  reset(): void {
    this.pending.clear();
    this.index = null;
  }

  private keys(now: number) {
    if (this.index) return this.index;
    const index = new Map<string, { createdAt: number; expiresAt: number; model: string | null }>();
    try {
      const rows = this.db.$client
        .query("SELECT key, model, created_at, expires_at FROM response_cache WHERE expires_at > ?")
        .all(now) as Omit<Row, "response">[];
      for (const r of rows) index.set(r.key, { createdAt: r.created_at, expiresAt: r.expires_at, model: r.model });
    } catch {
      // A database without the table (being restored from an older build): nothing durable yet.
    }
    this.startPruning();
    return (this.index = index);
  }

  get(key: string, now: number): CachedAnswer | undefined {
    const queued = this.pending.get(key);
    if (queued) return queued.entry.expiresAt > now ? queued.entry : undefined;
    const meta = this.keys(now).get(key);
    if (!meta) return undefined;
    if (meta.expiresAt <= now) {
      this.index!.delete(key);
      return undefined;
    }
    const row = this.db.$client.query("SELECT key, model, response, created_at, expires_at FROM response_cache WHERE key = ?").get(key) as Row | null;
    if (!row || row.expires_at <= now) {
      this.index!.delete(key);
      return undefined;
    }
    try {
      return { response: JSON.parse(row.response), model: row.model, createdAt: row.created_at, expiresAt: row.expires_at };
    } catch {
      return undefined;
    }
  }

  set(key: string, entry: CachedAnswer, json: string): void {
    this.keys(entry.createdAt).set(key, { createdAt: entry.createdAt, expiresAt: entry.expiresAt, model: entry.model });
    this.pending.set(key, { entry, json });
    if (!this.flushTimer) {
      this.flushTimer = setTimeout(() => this.flush(), FLUSH_MS);
      (this.flushTimer as { unref?: () => void }).unref?.();
    }
  }

  /** Writes queued entries in one transaction, then holds the table to its row limit. */
  flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    const keys = [...this.pending.keys()];
    this.pending.clear();
    const sqlite = this.db.$client;
    try {
      const insert = sqlite.query("INSERT OR REPLACE INTO response_cache (key, model, response, created_at, expires_at) VALUES (?, ?, ?, ?, ?)");
      sqlite.transaction(() => {
        batch.forEach(({ entry, json }, i) => insert.run(keys[i]!, entry.model, json, entry.createdAt, entry.expiresAt));
      })();
      this.enforceLimit();
    } catch (err) {
      // The cache is an optimisation: a failed write (disk full, database being swapped) loses entries, not requests.
      for (const k of keys) this.index?.delete(k);
      console.error(`[cache] write failed: ${(err as Error).message}`);
    }
  }

  private enforceLimit(): void {
    const max = this.maxRows();
    const index = this.index;
    if (!index || index.size <= max) return;
    const excess = index.size - max;
    const oldest = [...index.entries()].sort((a, b) => a[1].createdAt - b[1].createdAt).slice(0, excess).map(([k]) => k);
    const del = this.db.$client.query("DELETE FROM response_cache WHERE key = ?");
    this.db.$client.transaction(() => {
      for (const k of oldest) del.run(k);
    })();
    for (const k of oldest) index.delete(k);
  }

  /** Deletes expired rows (also run every 10 minutes once the tier is in use). */
  prune(now = Date.now()): number {
    this.flush();
    const res = this.db.$client.query("DELETE FROM response_cache WHERE expires_at <= ?").run(now);
    if (this.index) for (const [k, meta] of this.index) if (meta.expiresAt <= now) this.index.delete(k);
    return res.changes;
  }

  private startPruning(): void {
    if (this.pruneTimer) return;
    this.pruneTimer = setInterval(() => {
      try {
        this.prune();
      } catch (err) {
        console.error(`[cache] pruning failed: ${(err as Error).message}`);
      }
    }, PRUNE_EVERY_MS);
    (this.pruneTimer as { unref?: () => void }).unref?.();
  }

  clear(match?: (entry: { model: string | null; createdAt: number }) => boolean): number {
    this.flush();
    const now = Date.now();
    const index = this.keys(now);
    if (!match) {
      const n = this.db.$client.query("DELETE FROM response_cache").run().changes;
      index.clear();
      return n;
    }
    const doomed = [...index.entries()].filter(([, meta]) => match(meta)).map(([k]) => k);
    const del = this.db.$client.query("DELETE FROM response_cache WHERE key = ?");
    this.db.$client.transaction(() => {
      for (const k of doomed) del.run(k);
    })();
    for (const k of doomed) index.delete(k);
    return doomed.length;
  }

  size(now: number): number {
    const index = this.keys(now);
    for (const [k, meta] of index) if (meta.expiresAt <= now) index.delete(k);
    return index.size;
  }

  close(): void {
    try {
      this.flush();
    } finally {
      if (this.pruneTimer) clearInterval(this.pruneTimer);
      this.pruneTimer = null;
    }
  }
}
