// Pipes an upstream stream to the client through an observer, with three duties the raw
// pipe lacks: keep-alive comments during long upstream silences (reasoning models think
// for minutes; some clients drop a silent stream), an in-stream error event in the client's
// format if the upstream dies after the first byte, and aborting the upstream fetch when
// the client goes away.

export interface StreamObserverLike {
  push(chunk: Uint8Array): Uint8Array;
  end(): Uint8Array;
  /**
   * The upstream died mid-stream: what is still held, WITHOUT the format's normal ending
   * (a translated stream must not say "completed" before its error). Defaults to end().
   */
  endOnFailure?(): Uint8Array;
  /** True when no partial event is held, i.e. a keep-alive can be inserted safely. */
  atBoundary(): boolean;
}

export type RelayOutcome =
  | { kind: "completed" }
  | { kind: "upstream_failed"; message: string }
  | { kind: "client_cancelled" };

export interface RelayOptions {
  body: ReadableStream<Uint8Array>;
  observer: StreamObserverLike;
  /** A keep-alive in the client's format, made fresh each time (some carry a sequence number); null disables them. */
  keepAlive: { bytes: () => Uint8Array; everyMs: number } | null;
  /** The client format's in-stream error event. */
  errorEvent: (message: string) => Uint8Array;
  abortUpstream: () => void;
  onFirstByte: () => void;
  /** Each upstream chunk relayed (sessions count them as tokens so far). */
  onChunk?: () => void;
  onDone: (outcome: RelayOutcome) => void;
}

const TIMEOUT = Symbol("timeout");

export function relayStream(opts: RelayOptions): ReadableStream<Uint8Array> {
  const reader = opts.body.getReader();
  type ReadResult = Awaited<ReturnType<typeof reader.read>>;
  let pending: Promise<ReadResult> | null = null;
  let firstByte = false;
  let finished = false;

  const finish = (outcome: RelayOutcome) => {
    if (finished) return;
    finished = true;
    opts.onDone(outcome);
  };

  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        const read = (pending ??= reader.read());
        let result: ReadResult | typeof TIMEOUT;
        try {
          if (opts.keepAlive) {
            let timer: ReturnType<typeof setTimeout> | undefined;
            const tick = new Promise<typeof TIMEOUT>((r) => (timer = setTimeout(() => r(TIMEOUT), opts.keepAlive!.everyMs)));
            result = await Promise.race([read, tick]);
            clearTimeout(timer);
          } else {
            result = await read;
          }
        } catch (err) {
          pending = null;
          const message = `upstream stream failed: ${err instanceof Error ? err.message : String(err)}`;
          const tail = opts.observer.endOnFailure ? opts.observer.endOnFailure() : opts.observer.end();
          if (tail.length) controller.enqueue(tail);
          controller.enqueue(opts.errorEvent(message));
          controller.close();
          finish({ kind: "upstream_failed", message });
          return;
        }
        if (result === TIMEOUT) {
          const ping = opts.observer.atBoundary() ? opts.keepAlive!.bytes() : null;
          if (ping && ping.length > 0) {
            controller.enqueue(ping);
            return;
          }
          continue;
        }
        pending = null;
        if (result.done) {
          const tail = opts.observer.end();
          if (tail.length) controller.enqueue(tail);
          controller.close();
          finish({ kind: "completed" });
          return;
        }
        if (!firstByte) {
          firstByte = true;
          opts.onFirstByte();
        }
        opts.onChunk?.();
        const out = opts.observer.push(result.value);
        if (out.length > 0) {
          controller.enqueue(out);
          return;
        }
      }
    },
    async cancel() {
      opts.abortUpstream();
      try {
        await reader.cancel();
      } catch {
        // the upstream is already gone
      }
      finish({ kind: "client_cancelled" });
    },
  });
}
