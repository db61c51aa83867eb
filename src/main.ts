#!/usr/bin/env bun
// omniroute CLI: parse flags, open the data dir, migrate, serve, and shut down cleanly.
import { createApp } from "./app.ts";
import { ConfigError, helpText, parseCli, VERSION } from "./config.ts";
import { serve } from "./server.ts";
import { createServices, databasePath, type Services } from "./services.ts";
import { IncompatibleDatabase } from "./backup/compat.ts";
import { backupsDir } from "./backup/files.ts";
import { MigrationFailed } from "./db/migrations.ts";
import { installProcessLifecycle } from "./cli/process-lifecycle.ts";
import { runServiceCommand } from "./cli/service.ts";

async function main(): Promise<number> {
  if (Bun.argv[2] === "service") return runServiceCommand(Bun.argv.slice(3), process.env);
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
  let services: Services;
  try {
    services = createServices(config);
  } catch (err) {
    if (err instanceof IncompatibleDatabase) {
      console.error(`omniroute: cannot use ${databasePath(config.dataDir)}: ${err.message}`);
      return 1;
    }
    if (err instanceof MigrationFailed) {
      console.error(`omniroute: cannot start with ${databasePath(config.dataDir)}: ${err.message}. Copies taken before migrating are kept in ${backupsDir(config.dataDir)}.`);
      return 1;
    }
    throw err;
  }
  const app = createApp(services);
  let server: ReturnType<typeof serve>;
  try {
    server = serve(app, { port: config.port, hostname: config.host, services });
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

  // SIGTERM/SIGINT drain and exit, SIGHUP reloads, /api/restart re-execs (src/cli/process-lifecycle.ts).
  services.lifecycle = installProcessLifecycle(server, services);
  return -1;
}

const code = await main();
if (code >= 0) process.exit(code);
