// Usage rows are queued in memory and written in batches, one transaction each, so the
// gateway's request path never waits on the disk. With a database file the writes happen on
// a writer thread with its own SQLite connection (usage-writer-worker.ts): under load they
// cost the event loop only filling a row's columns (row-columns.ts). An in-memory database (or a thread
// that failed) is written in small slices on the event loop instead. Shutdown calls close().
import type { Db } from "../db/client.ts";
import { compactAttempts } from "./attempts-column.ts";
import { shrinkHeap } from "./shrink-heap.ts";
import { SliceRows } from "./row-columns.ts";
import { parseSlice, RowQueue, type Slice } from "./row-queue.ts";
import { UsageBatchWriter, type UsageEntry } from "./usage-writes.ts";
import { WriterThread } from "./writer-thread.ts";

export type { UsageEntry } from "./usage-writes.ts";

/** Where usage goes; a PostgreSQL-backed sink can replace the SQLite one behind this. */
export interface UsageSink {
  record(entry: UsageEntry): void;
  flush(): void;
  close(): void;
  stats(): { queued: number; written: number; dropped: number };
}

/** Above this many queued rows the oldest are dropped (and counted) rather than growing without bound. */
const MAX_QUEUE = 100_000;
/** Rows per slice: the unit rows are queued, shipped and recycled in. */
const SLICE = 200;
/**
 * Slices the writer thread writes per transaction (2,000 rows, ~3 ms): a commit rewrites the
 * same few pages whatever its size (the last pages of the table and its index, the rollup's,
 * the rowid sequence), so fewer, larger transactions cost the writer less per row — in
 * process, 1.9 µs per row at 200 rows per transaction, 1.6 at 1,000, 1.5 at 2,000, no less
 * at 4,000 — while another writer still never waits long for the lock.
 */
const SLICES_PER_TRANSACTION = 10;
/** How long a synchronous flush waits for the writer thread before giving up (rows stay queued). */
const FLUSH_WAIT_MS = 10_000;
/** After this long without a recorded request, memory used by the burst is handed back once. */
const IDLE_COLLECT_MS = 5_000;

/** A slice sent to the writer thread, kept until the thread confirms it: read back only when budgets ask for unwritten rows or the thread dies. */
interface Shipped extends Slice {
  seq: number;
}

export class SqliteUsageSink implements UsageSink {
  private readonly queue = new RowQueue(SLICE, MAX_QUEUE);
  /** Handed to the writer thread, not yet confirmed written. */
  private shipped: Shipped[] = [];
  private timer: ReturnType<typeof setInterval> | null;
  private written = 0;
  private slicing = false;
  private thread: WriterThread | null = null;
  /** Prepared statements of the current connection, for in-process writes (a restore swaps it). */
  private inline: UsageBatchWriter | null = null;
  private detached = false;
  /** Idle-time collection (collectWhenIdle): a request finished since the last tick. */
  private activeSinceTick = false;
  private quietSince = 0;
  private collected = true;

  constructor(
    private readonly db: Db,
    flushMs: number,
    opts: { thread?: boolean } = {},
  ) {
    const path = db.$client.filename;
    if (opts.thread !== false && path && path !== ":memory:") {
      try {
        this.thread = new WriterThread(path, (err) => this.threadFailed(err));
      } catch (err) {
        console.error(`[usage] no writer thread, writing on the main thread: ${(err as Error).message}`);
      }
    }
    this.timer = setInterval(() => this.tick(), flushMs);
    // Do not keep the process alive just for the flush timer.
    (this.timer as { unref?: () => void }).unref?.();
  }

  record(entry: UsageEntry): void {
    entry.attempts = compactAttempts(entry.attempts, entry);
    this.queue.push(entry);
    this.activeSinceTick = true;
  }

  /** A request finished without a row (usageRecording off): the gateway is not idle. */
  markActive(): void {
    this.activeSinceTick = true;
  }

  private tick(): void {
    if (this.detached) return;
    this.collectWhenIdle();
    if (this.thread?.hasFailed()) this.threadFailed(new Error("it gave up on the database"));
    if (this.thread) {
      this.reap();
      this.ship();
    } else void this.flushInSlices();
  }

  /**
   * Once traffic stops, one full collection on both threads: a burst leaves tens of MB of
   * garbage that would otherwise sit in the heaps until the next burst (idle RSS is a target).
   */
  private collectWhenIdle(): void {
    const now = Date.now();
    if (this.activeSinceTick) {
      this.activeSinceTick = false;
      this.quietSince = now;
      this.collected = false;
      return;
    }
    if (this.collected || now - this.quietSince < IDLE_COLLECT_MS || this.queue.length > 0) return;
    this.collected = true;
    this.reap();
    this.queue.releaseSpare();
    this.thread?.collect();
    shrinkHeap();
  }

  /** Hands every queued row to the writer thread, up to SLICES_PER_TRANSACTION slices per transaction. */
  private ship(): void {
    const thread = this.thread!;
    let group: Slice[] = [];
    const send = () => {
      const seq = thread.write(group.map((s) => s.wire));
      for (const slice of group) this.shipped.push({ ...slice, seq });
      group = [];
    };
    for (let slice = this.queue.take(); slice; slice = this.queue.take()) {
      group.push(slice);
      if (group.length === SLICES_PER_TRANSACTION) send();
    }
    if (group.length > 0) send();
  }

  /** Forgets the shipped slices the writer thread has committed. */
  private reap(): void {
    if (!this.thread || this.shipped.length === 0) return;
    const done = this.thread.done();
    let n = 0;
    for (; n < this.shipped.length && this.shipped[n]!.seq <= done; n++) {
      this.written += this.shipped[n]!.rows;
      this.queue.recycle(this.shipped[n]!);
    }
    if (n > 0) this.shipped.splice(0, n);
  }

  /** Waits (blocking) until the writer thread has committed everything shipped so far. */
  private settle(): void {
    if (!this.thread || this.shipped.length === 0) return;
    const caughtUp = this.thread.waitFor(this.shipped.at(-1)!.seq, FLUSH_WAIT_MS);
    this.reap();
    if (this.thread.hasFailed()) this.threadFailed(new Error("it gave up on the database"));
    else if (!caughtUp) console.error(`[usage] the writer thread has not caught up after ${FLUSH_WAIT_MS} ms; its rows stay queued`);
  }

  /** The writer thread died: what it had not confirmed is written here instead, nothing is lost. */
  private threadFailed(err: Error): void {
    if (!this.thread) return;
    console.error(`[usage] writer thread failed, writing on the main thread from now on: ${err.message}`);
    this.thread.terminate();
    this.thread = null;
    this.queue.putBack(this.shipped);
    this.shipped = [];
  }

  /**
   * The in-process write: small transactions with a yield between them, so a second's worth of
   * rows under load never holds the event loop for long (one 1000-row transaction took up to
   * a few hundred ms with its indexes and rollups).
   */
  async flushInSlices(): Promise<void> {
    if (this.slicing) return;
    this.slicing = true;
    try {
      while (this.queue.length > 0 && !this.thread && !this.detached) {
        if (!this.writeInline()) return;
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
    } finally {
      this.slicing = false;
    }
  }

  /** Writes everything now (usage queries, backups, shutdown, tests): on return it is in the database. */
  flush(): void {
    if (this.detached) return;
    if (this.thread) {
      this.ship();
      this.settle();
      // A thread that failed meanwhile gave its rows back: they are written below.
      if (this.thread) return;
    }
    while (this.queue.length > 0) if (!this.writeInline()) return;
  }

  /** One in-process transaction of the oldest queued slice; false when it failed (rows kept for a retry). */
  private writeInline(): boolean {
    const client = this.db.$client;
    if (this.inline?.client !== client) this.inline = new UsageBatchWriter(client);
    const slice = this.queue.take();
    if (!slice) return true;
    try {
      this.inline.write([new SliceRows(slice.wire, slice.table)]);
      this.written += slice.rows;
      this.queue.recycle(slice);
      return true;
    } catch (err) {
      // Put the slice back and retry on the next tick (e.g. SQLITE_BUSY during a backup).
      this.queue.putBack([slice]);
      console.error(`[usage] write failed, will retry: ${(err as Error).message}`);
      return false;
    }
  }

  /**
   * Before the database file is swapped or closed: everything queued is written and the writer
   * thread lets go of the file. Rows recorded meanwhile wait for attach().
   */
  detach(): void {
    this.flush();
    this.detached = true;
    if (this.thread) this.thread.waitFor(this.thread.close(), FLUSH_WAIT_MS);
    this.inline = null;
  }

  /** After the swap: writes resume, to the file now in place. */
  attach(): void {
    if (!this.detached) return;
    this.detached = false;
    this.thread?.open(this.db.$client.filename);
  }

  /**
   * Rows recorded but not yet in the database (budgets add them to what they read). Waits for
   * the writer thread first, so a row is never both in the database and in this list.
   */
  pending(): readonly UsageEntry[] {
    this.settle();
    return [...this.shipped.flatMap(parseSlice), ...this.queue.entries()];
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.detached = false;
    this.flush();
    if (this.thread) {
      this.thread.waitFor(this.thread.close(), FLUSH_WAIT_MS);
      this.thread.terminate();
      this.thread = null;
    }
  }

  stats() {
    this.reap();
    return { queued: this.queue.length + this.shipped.reduce((n, s) => n + s.rows, 0), written: this.written, dropped: this.queue.dropped };
  }
}

