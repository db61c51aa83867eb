// The owner's side of the usage writer thread (usage-writer-worker.ts): numbered operations
// posted in order, and a shared counter of the last one done that can be read at any time or
// waited on synchronously (Atomics.wait), so a flush is still a plain function call.
import type { WireSlice } from "./row-columns.ts";
import type { WriterOp } from "./usage-writer-worker.ts";

type OpBody = WriterOp extends infer T ? (T extends WriterOp ? Omit<T, "seq"> : never) : never;

export class WriterThread {
  private readonly worker: Worker;
  /** [0]: last operation done; [1]: 1 once the thread gave up (usage-writer-worker.ts). */
  private readonly doneSeq = new Int32Array(new SharedArrayBuffer(8));
  private seq = 0;
  private failed = false;

  constructor(path: string, onFailure: (err: Error) => void) {
    this.worker = new Worker(workerEntry(), { smol: true, name: "usage-writer" });
    this.worker.addEventListener("error", (event) => {
      if (this.failed) return;
      this.failed = true;
      onFailure(new Error((event as ErrorEvent).message || "writer thread error"));
    });
    this.worker.postMessage({ done: this.doneSeq.buffer });
    this.open(path);
    // The thread must not keep the process alive; close() drains it explicitly.
    (this.worker as unknown as { unref(): void }).unref();
  }

  private post(op: OpBody): number {
    const seq = ++this.seq;
    this.worker.postMessage({ ...op, seq });
    return seq;
  }

  open(path: string): number {
    return this.post({ op: "open", path });
  }

  /**
   * Slices written in one transaction. Slices must be written in the order they were closed
   * (their string table steps build on each other).
   */
  write(slices: WireSlice[]): number {
    return this.post({ op: "write", slices });
  }

  close(): number {
    return this.post({ op: "close" });
  }

  /** A full garbage collection on the thread (the owner calls it once traffic has stopped). */
  collect(): number {
    return this.post({ op: "gc" });
  }

  /** The thread gave up on an operation or died: what it had not confirmed is the owner's again. */
  hasFailed(): boolean {
    return this.failed || Atomics.load(this.doneSeq, 1) === 1;
  }

  /** Sequence number of the last operation the thread has finished. */
  done(): number {
    return Atomics.load(this.doneSeq, 0);
  }

  /** Blocks until operation `seq` is done; false after `timeoutMs` (or when the thread died). */
  waitFor(seq: number, timeoutMs: number): boolean {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const done = Atomics.load(this.doneSeq, 0);
      if (done >= seq) return true;
      const left = deadline - performance.now();
      if (left <= 0 || this.hasFailed()) return false;
      Atomics.wait(this.doneSeq, 0, done, Math.min(left, 100));
    }
  }

  terminate(): void {
    this.failed = true;
    this.worker.terminate();
  }
}

/**
 * From source, the worker file sits beside this one. In the compiled binary it is a second entry
 * point of `bun build --compile` (package.json "build"), embedded under the entry points' common
 * folder (src/), and a relative string is resolved from there; test/binary checks it.
 */
function workerEntry(): string | URL {
  const compiled = import.meta.url.includes("$bunfs") || import.meta.url.includes("~BUN");
  return compiled ? "./usage/usage-writer-worker.ts" : new URL("./usage-writer-worker.ts", import.meta.url);
}
