// The process's one SQLite connection, behind a handle that can be swapped while the server
// runs. Restoring a backup or importing a database replaces the file and reopens it without a
// restart; everything built at start (admin plugins, the config store, the usage sink) captured
// `services.db`, so that object is a forwarding proxy: each property access reaches whatever
// connection is current. A swap is fully synchronous, so no request ever observes it half done.
//
// Code that keeps something bound to one connection (a prepared statement, a cached row set)
// registers onReopen() to rebuild it.
import { Database } from "bun:sqlite";
import { copyFileSync, linkSync, renameSync, rmSync } from "node:fs";
import { openDatabase, type Db } from "../db/client.ts";

const SIDECARS = ["-wal", "-shm", "-journal"];

export class LiveDatabase {
  private current: Db;
  private listeners: ((db: Db) => void)[] = [];
  private closing: (() => void)[] = [];
  private closed = false;
  /** Stable object that forwards to the current connection; hand this out as `services.db`. */
  readonly db: Db;

  constructor(
    readonly path: string,
    private readonly open: (path: string) => Db = openDatabase,
  ) {
    this.current = open(path);
    const self = this;
    this.db = new Proxy({} as Db, {
      get(_target, prop) {
        const target = self.current as unknown as Record<PropertyKey, unknown>;
        const value = Reflect.get(target, prop, target);
        return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
      has: (_target, prop) => Reflect.has(self.current as object, prop),
      set(_target, prop, value) {
        return Reflect.set(self.current as object, prop, value);
      },
    });
  }

  /** Called with the new connection after every swap or reopen. */
  onReopen(listener: (db: Db) => void): void {
    this.listeners.push(listener);
  }

  /** Called before the connection is closed for a swap, a reopen or for good (other connections to the file let go first). */
  beforeClose(listener: () => void): void {
    this.closing.push(listener);
  }

  /** Closes and reopens the same file (e.g. after an operator replaced it by hand while stopped). */
  reopen(): void {
    for (const l of this.closing) l();
    this.current.$client.close(true);
    this.current = this.open(this.path);
    for (const l of this.listeners) l(this.current);
  }

  /**
   * Puts `staged` (a complete, migrated database file on the same filesystem) in place of the live
   * file, atomically (rename), and reopens. When `keepOldAs` is given the old database is kept
   * there first (a hard link: no copy, so no time proportional to its size), converted to a
   * self-contained rollback-journal file that opens read-only without -wal/-shm beside it.
   * Everything the old connection had written is in that file: callers flush queued writes first.
   */
  swap(staged: string, keepOldAs: string | null): void {
    if (this.closed) throw new Error("database is closed");
    for (const l of this.closing) l();
    // close(true) finalizes every statement and releases the connection now (close_v2 would
    // leave it open until they are collected), so the last-connection checkpoint folds the WAL
    // into the main file before we link it.
    this.current.$client.close(true);
    try {
      if (keepOldAs) {
        const raw = new Database(this.path);
        try {
          raw.exec("PRAGMA journal_mode = DELETE");
        } finally {
          raw.close(true);
        }
        try {
          linkSync(this.path, keepOldAs);
        } catch {
          copyFileSync(this.path, keepOldAs);
        }
      }
      // A -wal left beside the new file would be replayed into it: make sure none is there.
      for (const s of SIDECARS) rmSync(this.path + s, { force: true });
      renameSync(staged, this.path);
    } finally {
      // Whatever happened, the process gets a working connection to whatever file is in place.
      this.current = this.open(this.path);
    }
    for (const l of this.listeners) l(this.current);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const l of this.closing) l();
    this.current.$client.close();
  }
}

