// The streaming behaviours every fake upstream shares, chosen by the model name:
// "broken-stream" sends two events then cuts the connection mid-body (the chunked body never
// gets its terminator, as with a crashing upstream); "slow-stream" pauses `slowMs` after the
// first event. A client going away is counted in `state.aborted`.
const encoder = new TextEncoder();

export function fakeEventStream(events: string[], model: string, state: { slowMs: number; aborted: number }): ReadableStream<Uint8Array> {
  const broken = model.includes("broken-stream");
  const slow = model.includes("slow-stream");
  let i = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (broken && i === 2) {
        // Let the first events reach the wire before the cut.
        await Bun.sleep(30);
        controller.error(new Error("fake upstream crashed mid-stream (expected by the test)"));
        return;
      }
      if (slow && i === 1) await Bun.sleep(state.slowMs);
      if (i >= events.length) {
        controller.close();
        return;
      }
      controller.enqueue(encoder.encode(events[i++]!));
    },
    cancel() {
      state.aborted++;
    },
  });
}

export interface FakeState {
  requests: unknown[];
  aborted: number;
  slowMs: number;
}

/** What a test holds of a fake upstream: its URLs, what it received, and its knobs. */
export function fakeHandle<S extends FakeState>(server: { port?: number; stop(force?: boolean): unknown }, state: S, basePath: string) {
  const url = `http://127.0.0.1:${server.port}`;
  return {
    url,
    baseUrl: `${url}${basePath}`,
    get requests() {
      return state.requests as S["requests"];
    },
    get aborted() {
      return state.aborted;
    },
    get slowMs() {
      return state.slowMs;
    },
    set slowMs(v: number) {
      state.slowMs = v;
    },
    close: () => void server.stop(true),
  };
}

/**
 * A fake upstream on 127.0.0.1: its state (requests seen, clients that went away, the pause of
 * the slow-stream behaviour) and the handle tests use. No idle timeout, so slow and hanging
 * behaviours are not cut by the server.
 */
export function serveFake<R>(
  opts: { slowMs?: number },
  basePath: string,
  handle: (req: Request, url: URL, state: { requests: R[]; aborted: number; slowMs: number }) => Response | Promise<Response>,
) {
  const state = { requests: [] as R[], aborted: 0, slowMs: opts.slowMs ?? 300 };
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", idleTimeout: 0, fetch: (req) => handle(req, new URL(req.url), state) });
  return fakeHandle(server, state, basePath);
}

/** The request's headers as a plain object, as the fakes record them for tests to inspect. */
export function headersOf(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  req.headers.forEach((value, key) => (out[key] = value));
  return out;
}
