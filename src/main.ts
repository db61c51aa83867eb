#!/usr/bin/env bun
// omniroute CLI: parse flags, open the data dir, migrate, serve, and shut down cleanly.
import { createApp } from "./app.ts";
import { ConfigError, helpText, parseCli, VERSION } from "./config.ts";
import { serve } from "./server.ts";
import { createServices, databasePath } from "./services.ts";

/** How long in-flight requests (streams) get to finish on SIGTERM before they are cut. */
const DRAIN_MS = 10_000;

async function main(): Promise<number> {
  let cmd;
  try {
    cmd = parseCli(Bun.argv.slice(2), process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`omniroute: ${err.message}`);
      return 2;
    }
    throw err;
  }
  if (cmd.kind === "help") {
    console.log(helpText());
    return 0;
  }
  if (cmd.kind === "version") {
    console.log(VERSION);
    return 0;
  }

  const { config } = cmd;
  const services = createServices(config);
  const app = createApp(services);
  let server: ReturnType<typeof serve>;
  try {
    server = serve(app, { port: config.port, hostname: config.host });
  } catch (err) {
    console.error(`omniroute: cannot listen on ${config.host}:${config.port}: ${(err as Error).message}`);
    services.close();
    return 1;
  }
  const shown = config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host;
  const base = `http://${shown}:${server.port}`;
  if (config.logLevel !== "silent") {
    console.log(`OmniRoute ${VERSION} ready: gateway ${base}/v1 · control plane ${base}/api · data ${databasePath(config.dataDir)}`);
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    if (config.logLevel !== "silent") console.log(`OmniRoute: ${signal} received, finishing ${server.pendingRequests} in-flight request(s)`);
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
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
  return -1;
}

const code = await main();
if (code >= 0) process.exit(code);
