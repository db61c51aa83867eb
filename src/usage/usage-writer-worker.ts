// The usage writer thread. The gateway's event loop only queues finished requests; batches
// arrive here in columns (row-columns.ts: two typed arrays and a few strings cross threads far
// cheaper than a structured clone of hundreds of objects, or their JSON) and are written
// through this thread's own SQLite connection, so the inserts, index updates, rollups and WAL
// checkpoints never take time from request handling.
//
// Operations are applied strictly in order. After each one the shared `done` counter is set
// to its sequence number and notified: the owner can wait on it synchronously (a flush before
// a backup, a usage query, shutdown). A batch that fails (SQLITE_BUSY while a backup holds the
// database) is retried, and nothing after it runs first; an operation that still fails after
// GIVE_UP_AFTER tries (a database this thread cannot open) marks the thread failed in the
// shared state, and the owner writes the rows itself.
import { Database } from "bun:sqlite";
import { StringMirror, type SliceRows, type WireSlice } from "./row-columns.ts";
import { shrinkHeap } from "./shrink-heap.ts";
import { UsageBatchWriter } from "./usage-writes.ts";

export type WriterOp =
  | { op: "open"; seq: number; path: string }
  | { op: "write"; seq: number; slices: WireSlice[] }
  | { op: "close"; seq: number }
  | { op: "gc"; seq: number };

export interface WriterInit {
  /** Int32Array over it: [0] = sequence number of the last operation done, [1] = 1 once the thread gave up. */
  done: SharedArrayBuffer;
}

const RETRY_MS = 250;
/** 20 × 250 ms: longer than SQLite's 5 s busy timeout, so a backup's lock alone never gives up. */
const GIVE_UP_AFTER = 20;

declare const self: Worker;

let done: Int32Array | null = null;
let writer: UsageBatchWriter | null = null;
/** Operations waiting, a write's slices read against the string table on arrival (once: a retried write reuses them). */
const ops: (WriterOp & { rows?: SliceRows[] })[] = [];
const strings = new StringMirror();
let retryTimer: ReturnType<typeof setTimeout> | null = null;
let failures = 0;
let gaveUp = false;

function open(path: string): UsageBatchWriter {
  const db = new Database(path, { strict: true });
  db.exec("PRAGMA busy_timeout = 5000");
  db.exec("PRAGMA synchronous = NORMAL");
  db.exec("PRAGMA cache_size = -512");
  // A multi-row INSERT inside a transaction keeps a statement journal (so that statement can
  // be undone alone): as a temporary file it cost this thread more system time than the
  // database writes themselves (strace under load: 1.04 pwrite per usage row, 0.39 with the
  // journal in memory). A batch's statement journal is a few pages.
  db.exec("PRAGMA temp_store = MEMORY");
  return new UsageBatchWriter(db);
}

function apply(op: WriterOp & { rows?: SliceRows[] }): void {
  if (op.op === "open") {
    writer?.client.close(true);
    writer = open(op.path);
  } else if (op.op === "gc") {
    shrinkHeap();
  } else if (op.op === "close") {
    writer?.client.close(true);
    writer = null;
  } else {
    if (!writer) throw new Error("usage database is not open");
    writer.write(op.rows!);
  }
}

function drain(): void {
  retryTimer = null;
  while (ops.length > 0) {
    const op = ops[0]!;
    try {
      apply(op);
    } catch (err) {
      if (++failures >= GIVE_UP_AFTER) {
        console.error(`[usage] writer thread gives up after ${failures} tries: ${(err as Error).message}`);
        // Nothing more runs here; the ops left are the owner's to write (it still has their rows).
        gaveUp = true;
        Atomics.store(done!, 1, 1);
        Atomics.notify(done!, 0);
        return;
      }
      if (failures === 1) console.error(`[usage] write failed, will retry: ${(err as Error).message}`);
      retryTimer = setTimeout(drain, RETRY_MS);
      return;
    }
    failures = 0;
    ops.shift();
    Atomics.store(done!, 0, op.seq);
    Atomics.notify(done!, 0);
  }
}

self.onmessage = (event: MessageEvent<WriterInit | WriterOp>) => {
  const msg = event.data;
  if ("done" in msg) {
    done = new Int32Array(msg.done);
    return;
  }
  ops.push(msg.op === "write" ? { ...msg, rows: msg.slices.map((slice) => strings.decode(slice)) } : msg);
  if (!retryTimer && !gaveUp) drain();
};
