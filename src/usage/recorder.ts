// Usage rows are queued in memory and written in batches, one transaction each, so the
// gateway's request path never waits on the disk. Shutdown calls flush().
import type { Db } from "../db/client.ts";
import { UsageBatchWriter, type UsageEntry } from "./usage-writes.ts";

export type { UsageEntry, UsageRow } from "./usage-writes.ts";

/** Where usage goes; a PostgreSQL-backed sink can replace the SQLite one behind this. */
export interface UsageSink {
  record(entry: UsageEntry): void;
  flush(): void;
  close(): void;
  stats(): { queued: number; written: number; dropped: number };
}

/** Above this many queued rows the oldest are dropped (and counted) rather than growing without bound. */
const MAX_QUEUE = 100_000;
const BATCH = 1_000;
const SLICE = 200;

export class SqliteUsageSink implements UsageSink {
  private queue: UsageEntry[] = [];
  private timer: ReturnType<typeof setInterval> | null;
  private written = 0;
  private dropped = 0;
  private listeners: ((entries: UsageEntry[]) => void)[] = [];
  private slicing = false;

  /** Prepared statements of the current connection (a backup restore swaps it). */
  private writer: UsageBatchWriter | null = null;

  constructor(
    private readonly db: Db,
    flushMs: number,
  ) {
    this.timer = setInterval(() => void this.flushInSlices(), flushMs);
    // Do not keep the process alive just for the flush timer.
    (this.timer as { unref?: () => void }).unref?.();
  }

  record(entry: UsageEntry): void {
    if (this.queue.length >= MAX_QUEUE) {
      this.queue.shift();
      this.dropped++;
    }
    this.queue.push(entry);
  }

  /** Called with each written batch (telemetry and live views hook in here). */
  onWritten(listener: (entries: UsageEntry[]) => void): void {
    this.listeners.push(listener);
  }

  /**
   * The periodic write: small transactions with a yield between them, so a second's worth of
   * rows under load never holds the event loop for long (one 1000-row transaction took up to
   * a few hundred ms with its indexes and rollups).
   */
  async flushInSlices(): Promise<void> {
    if (this.slicing) return;
    this.slicing = true;
    try {
      while (this.queue.length > 0) {
        if (!this.writeBatch(SLICE)) return;
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
    } finally {
      this.slicing = false;
    }
  }

  /** Writes everything now (shutdown, backups, tests). */
  flush(): void {
    while (this.queue.length > 0) if (!this.writeBatch(BATCH)) return;
  }

  /** One transaction of up to `size` queued rows; false when the write failed (rows kept for a retry). */
  private writeBatch(size: number): boolean {
    const client = this.db.$client;
    if (this.writer?.client !== client) this.writer = new UsageBatchWriter(client);
    const batch = this.queue.splice(0, size);
    try {
      this.writer.write(batch);
      this.written += batch.length;
      for (const l of this.listeners) l(batch);
      return true;
    } catch (err) {
      // Put the batch back and retry on the next tick (e.g. SQLITE_BUSY during a backup).
      this.queue.unshift(...batch);
      console.error(`[usage] write failed, will retry: ${(err as Error).message}`);
      return false;
    }
  }

  /** Entries recorded but not yet written (budget spend counts them on load). */
  pending(): readonly UsageEntry[] {
    return this.queue;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.flush();
  }

  stats() {
    return { queued: this.queue.length, written: this.written, dropped: this.dropped };
  }
}
