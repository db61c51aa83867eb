// Requests in flight, so shutdown can wait for streams to finish (and, later, /api/sessions can list them).
export class LiveRequests {
  private active = new Map<string, { startedAt: number; abort: () => void }>();
  private waiters: (() => void)[] = [];

  add(id: string, abort: () => void): void {
    this.active.set(id, { startedAt: Date.now(), abort });
  }

  remove(id: string): void {
    this.active.delete(id);
    if (this.active.size === 0) for (const w of this.waiters.splice(0)) w();
  }

  get size(): number {
    return this.active.size;
  }

  /** Whether a request's stream is being relayed now (/api/sessions). */
  has(id: string): boolean {
    return this.active.has(id);
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
    for (const r of this.active.values()) r.abort();
  }
}
