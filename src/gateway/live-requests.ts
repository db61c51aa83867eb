// Streams being relayed, so shutdown can wait for them to finish (or end them) and
// /api/sessions can tell a relaying request from one still waiting. Kept in array slots
// (src/slots.ts: a Map's add and delete per request kept the collector busy).
import { Slots } from "../slots.ts";

interface LiveStream {
  id: string;
  startedAt: number;
  abort: () => void;
}

export class LiveRequests {
  private active = new Slots<LiveStream>();
  private waiters: (() => void)[] = [];

  /** A stream started; the number returned ends it (remove()). */
  add(id: string, abort: () => void): number {
    return this.active.add({ id, startedAt: Date.now(), abort });
  }

  remove(slot: number, id: string): void {
    const s = this.active.get(slot);
    if (!s || s.id !== id) return;
    this.active.remove(slot, s);
    if (this.active.size === 0 && this.waiters.length > 0) for (const w of this.waiters.splice(0)) w();
  }

  get size(): number {
    return this.active.size;
  }

  /** The ids of the requests whose stream is being relayed now (/api/sessions). */
  ids(): Set<string> {
    const out = new Set<string>();
    for (const [, s] of this.active.entries()) out.add(s.id);
    return out;
  }

  /** Resolves when nothing is in flight, or after `ms`, whichever comes first. */
  drain(ms: number): Promise<boolean> {
    if (this.active.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Ends whatever is still running (after a drain timed out at shutdown). */
  abortAll(): void {
    for (const [, s] of [...this.active.entries()]) s.abort();
  }
}
