// How the serving process stops, restarts and reloads — from signals and from /api/shutdown,
// /api/restart:
//   SIGTERM / SIGINT / POST /api/shutdown  stop accepting, let in-flight requests (streams
//                                          included) finish for up to 10 s, flush usage, exit 0;
//   POST /api/restart                      the same drain, then re-exec the same binary with the
//                                          same arguments and environment in the same process
//                                          (execve: the PID stays, so systemd and Docker see no
//                                          exit); where execve is missing, an in-process reload;
//   SIGHUP                                 re-read everything stored in the database (providers,
//                                          keys, settings, prices, budgets) without dropping a
//                                          connection.
// Process options (flags, environment) are read once: changing them takes a restart.
import type { serve } from "../server.ts";
import type { Services } from "../services.ts";

/** How long in-flight requests (streams) get to finish before they are cut. */
export const DRAIN_MS = 10_000;

export interface Lifecycle {
  /** Starts a graceful restart (after the caller has answered); says how it will happen. */
  restart(reason: string): "re-exec" | "reload";
  /** Starts a graceful shutdown (after the caller has answered). */
  shutdown(reason: string): void;
  /** Re-reads the configuration stored in the database. */
  reload(reason: string): void;
}

type Execve = (file: string, args: string[], env: NodeJS.ProcessEnv) => never;

/** The command line that starts this same program again. */
export function reexecArgv(): string[] {
  // A compiled binary's entry lives in Bun's embedded filesystem; argv[1] is that virtual path.
  const compiled = Bun.main.startsWith("/$bunfs/") || Bun.main.startsWith("B:/~BUN/");
  const args = process.argv.slice(2);
  return compiled ? [process.execPath, ...args] : [process.execPath, ...process.execArgv, Bun.main, ...args];
}

export function installProcessLifecycle(server: ReturnType<typeof serve>, services: Services): Lifecycle {
  const quiet = services.config.logLevel === "silent";
  const say = (line: string) => {
    if (!quiet) console.log(line);
  };
  let stopping = false;

  /** Stops serving and closes the services; resolves when it is safe to exit or re-exec. */
  async function drainAndClose(what: string): Promise<void> {
    say(`OmniRoute: ${what}, finishing ${server.pendingRequests} in-flight request(s)`);
    // Stop accepting. stop(false) settles once every in-flight request has finished: streams,
    // and also requests still waiting for their upstream's headers, which services.live does
    // not track yet. Idle keep-alive connections do not hold it up.
    const finished = server.stop(false).then(() => true);
    const drained = await Promise.race([finished, Bun.sleep(DRAIN_MS).then(() => false)]);
    if (!drained) {
      // Abort the upstream fetches first so those streams end (and are recorded) before the cut.
      services.live.abortAll();
      await server.stop(true);
      // Cut requests record themselves from their abort handlers; give those a moment to run.
      await Bun.sleep(100);
    }
    services.close();
  }

  async function shutdown(what: string): Promise<void> {
    if (stopping) return;
    stopping = true;
    await drainAndClose(what);
    process.exit(0);
  }

  async function reexec(what: string): Promise<void> {
    if (stopping) return;
    stopping = true;
    await drainAndClose(what);
    const argv = reexecArgv();
    say(`OmniRoute: restarting (${argv.join(" ")})`);
    try {
      (process as unknown as { execve: Execve }).execve(argv[0]!, argv, process.env);
    } catch (err) {
      // Exit non-zero so a supervisor (systemd Restart=on-failure, Docker restart policies) starts us again.
      console.error(`omniroute: re-exec failed: ${(err as Error).message}`);
      process.exit(1);
    }
  }

  function reload(what: string): void {
    services.store.reload();
    // Prices and budgets are kept in memory too (src/usage/accounting.ts).
    services.accounting.reload();
    say(`OmniRoute: configuration reloaded from the database (${what})`);
  }

  process.on("SIGTERM", () => void shutdown("SIGTERM received"));
  process.on("SIGINT", () => void shutdown("SIGINT received"));
  process.on("SIGHUP", () => reload("SIGHUP"));

  // Callers answer their HTTP request first; the work starts just after.
  const soon = (fn: () => void) => setTimeout(fn, 50);
  return {
    restart(reason) {
      if (typeof (process as unknown as { execve?: unknown }).execve !== "function") {
        soon(() => {
          services.usage.flush();
          services.database.reopen();
          reload(reason);
        });
        return "reload";
      }
      soon(() => void reexec(`restart requested (${reason})`));
      return "re-exec";
    },
    shutdown(reason) {
      soon(() => void shutdown(`shutdown requested (${reason})`));
    },
    reload,
  };
}
