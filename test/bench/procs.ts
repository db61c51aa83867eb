// Process and temp-dir bookkeeping for the benchmark: everything started is registered here
// and torn down by cleanup(), which run.ts calls in a finally and on SIGINT/SIGTERM.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";

const children = new Set<Subprocess>();
const tempDirs = new Set<string>();

export function track<T extends Subprocess>(proc: T): T {
  children.add(proc);
  void proc.exited.then(() => children.delete(proc));
  return proc;
}

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

/** SIGTERM, then SIGKILL if the process has not exited after `graceMs`. */
export async function stop(proc: Subprocess, graceMs = 3000): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  proc.kill("SIGTERM");
  const exited = await Promise.race([proc.exited.then(() => true), Bun.sleep(graceMs).then(() => false)]);
  if (!exited) {
    proc.kill("SIGKILL");
    await proc.exited;
  }
}

export async function cleanup(): Promise<void> {
  await Promise.all([...children].map((p) => stop(p).catch(() => {})));
  for (const dir of [...tempDirs]) {
    try {
      removeDir(dir);
    } catch {
      // best effort: a temp dir left behind is not worth failing the run for
    }
  }
}

/** A port that was free a moment ago (the OS picks it; we release it for the child to bind). */
export function freePort(): number {
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response(null) });
  const port = server.port!;
  server.stop(true);
  return port;
}

/** Reads a child's stdout until the first complete line. */
export async function firstLine(stream: ReadableStream<Uint8Array>, timeoutMs: number): Promise<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const deadline = Date.now() + timeoutMs;
  try {
    while (!text.includes("\n")) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no output line within ${timeoutMs} ms`);
      const chunk = await Promise.race([reader.read(), Bun.sleep(left).then(() => null)]);
      if (chunk === null) continue;
      if (chunk.done) throw new Error(`stream ended before a full line (got ${JSON.stringify(text)})`);
      text += decoder.decode(chunk.value, { stream: true });
    }
  } finally {
    reader.releaseLock();
  }
  return text.slice(0, text.indexOf("\n"));
}

export interface Memory {
  /** Resident set size now, in MB. */
  rssMb: number;
  /** Peak resident set size of the process so far, in MB. */
  peakMb: number;
}

/** VmRSS / VmHWM from /proc/<pid>/status (Linux). */
export function memoryOf(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => {
    const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, "m").exec(status);
    if (!m) throw new Error(`${field} not found in /proc/${pid}/status`);
    return Number(m[1]);
  };
  return { rssMb: kb("VmRSS") / 1024, peakMb: kb("VmHWM") / 1024 };
}

/** Drains a child's pipe in the background so it never blocks on a full pipe buffer; keeps the tail. */
export function collect(stream: ReadableStream<Uint8Array> | undefined | null, keep = 8192): () => string {
  let text = "";
  if (stream) {
    void (async () => {
      const decoder = new TextDecoder();
      const reader = stream.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          text += decoder.decode(value, { stream: true });
          if (text.length > keep * 2) text = text.slice(-keep);
        }
      } catch {
        // the child went away; what we have is what there is
      }
    })();
  }
  return () => text.slice(-keep);
}
