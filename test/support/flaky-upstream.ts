// An upstream that fails on command, for routing tests: a proxy in front of a fake upstream
// whose behaviour the test switches at any time, and which can be killed (connection
// refused) and revived on the same port.
//   mode "ok"        → forwards to the fake behind it
//   mode <status>    → answers that status with an OpenAI-shaped error (429 adds retry-after)
//   mode "hang"      → never answers (until the client gives up)
//   kill() / revive() → the port stops / starts accepting connections

export type FlakyMode = "ok" | number | "hang";

export interface FlakyUpstream {
  /** Base URL to configure on a connection (`.../v1`). */
  baseUrl: string;
  mode: FlakyMode;
  /** retry-after sent with a 429 (seconds, as a string), or null for none. */
  retryAfter: string | null;
  /** Requests that reached this proxy (refused connections never do). */
  requests: number;
  kill(): void;
  revive(): void;
  close(): void;
}

export function startFlakyUpstream(behind: { url: string }, mode: FlakyMode = "ok"): FlakyUpstream {
  const state = { mode, retryAfter: "7" as string | null, requests: 0 };
  const handler = async (req: Request): Promise<Response> => {
    state.requests++;
    const m = state.mode;
    if (m === "hang") {
      await new Promise<void>((resolve) => req.signal.addEventListener("abort", () => resolve(), { once: true }));
      return new Response(null, { status: 499 });
    }
    if (typeof m === "number") {
      const headers: Record<string, string> = m === 429 && state.retryAfter ? { "retry-after": state.retryAfter } : {};
      return Response.json({ error: { message: `flaky upstream says ${m}`, type: m >= 500 ? "server_error" : "requests", param: null, code: null } }, { status: m, headers });
    }
    const url = new URL(req.url);
    return fetch(`${behind.url}${url.pathname}${url.search}`, { method: req.method, headers: req.headers, body: req.method === "GET" ? undefined : await req.arrayBuffer() });
  };
  let server: ReturnType<typeof Bun.serve> | null = Bun.serve({ port: 0, hostname: "127.0.0.1", idleTimeout: 0, fetch: handler });
  const port = server.port;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    get mode() {
      return state.mode;
    },
    set mode(v: FlakyMode) {
      state.mode = v;
    },
    get retryAfter() {
      return state.retryAfter;
    },
    set retryAfter(v: string | null) {
      state.retryAfter = v;
    },
    get requests() {
      return state.requests;
    },
    kill() {
      server?.stop(true);
      server = null;
    },
    revive() {
      server ??= Bun.serve({ port, hostname: "127.0.0.1", idleTimeout: 0, fetch: handler });
    },
    close() {
      server?.stop(true);
      server = null;
    },
  };
}

/** A port on which nothing listens (connection refused). */
export function closedPort(): number {
  const s = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("") });
  const port = s.port!;
  s.stop(true);
  return port;
}
