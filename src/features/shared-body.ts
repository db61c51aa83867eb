// One response body read once and served to several clients (idempotent duplicates): every
// chunk is kept, each consumer replays what came before it joined and then follows live. The
// source is read as fast as the fastest consumer pulls (back-pressure from the leader, as for
// any answer), and cancelled only when every consumer has gone and no more can join.

export class SharedBody {
  private chunks: Uint8Array[] = [];
  private done = false;
  private failure: unknown = null;
  private reading: Promise<void> | null = null;
  private consumers = 0;
  private sealed = false;
  private cancelled = false;

  constructor(
    private readonly source: ReadableStreamDefaultReader<Uint8Array>,
    /** Called when the source was cancelled because everyone left: the answer is incomplete. */
    private readonly onAbandoned: () => void,
  ) {}

  /** No consumer may join any more (the idempotency window closed); the source may be cancelled once the last one leaves. */
  seal(): void {
    this.sealed = true;
    if (this.consumers === 0) this.abandon();
  }

  get finished(): boolean {
    return this.done;
  }

  private next(): Promise<void> {
    this.reading ??= this.source.read().then(
      (r) => {
        this.reading = null;
        if (r.done) this.done = true;
        else this.chunks.push(r.value);
      },
      (err) => {
        this.reading = null;
        this.done = true;
        this.failure = err ?? new Error("stream failed");
      },
    );
    return this.reading;
  }

  private abandon(): void {
    if (this.done || this.cancelled) return;
    this.cancelled = true;
    this.source.cancel().catch(() => {});
    this.onAbandoned();
  }

  /** A new stream of the whole body, from its first byte. */
  consumer(): ReadableStream<Uint8Array> {
    this.consumers++;
    let i = 0;
    let left = false;
    const leave = () => {
      if (left) return;
      left = true;
      this.consumers--;
      if (this.consumers === 0 && (this.sealed || !this.done)) this.abandon();
    };
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        while (i >= this.chunks.length && !this.done) await this.next();
        if (i < this.chunks.length) {
          controller.enqueue(this.chunks[i++]!);
          return;
        }
        leave();
        if (this.failure) controller.error(this.failure);
        else controller.close();
      },
      cancel: () => leave(),
    });
  }
}
