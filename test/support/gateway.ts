// A gateway on a fresh data dir in a temp folder: real SQLite file, real migrations.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp } from "../../src/app.ts";
import { makeConfig, type Config } from "../../src/config.ts";
import { createServices, type Services } from "../../src/services.ts";
import { serve } from "../../src/server.ts";

export interface TestGateway {
  services: Services;
  app: ReturnType<typeof createApp>;
  dataDir: string;
  /** Calls the app in process (no socket). `path` is relative, e.g. "/api/keys". */
  request(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
  /** Starts a real listening server on 127.0.0.1 and returns its base URL. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

export async function startGateway(overrides: Partial<Config> = {}): Promise<TestGateway> {
  const dataDir = mkdtempSync(join(tmpdir(), "omniroute-test-"));
  const services = createServices(makeConfig({ dataDir, logLevel: "silent", usageFlushMs: 20, ...overrides }));
  const app = createApp(services);
  let server: ReturnType<typeof serve> | null = null;
  return {
    services,
    app,
    dataDir,
    request(path, init = {}) {
      const { json, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (json !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json");
      return app.handle(
        new Request(`http://localhost${path}`, { ...rest, headers, body: json !== undefined ? JSON.stringify(json) : rest.body }),
      );
    },
    async listen() {
      server ??= serve(app, { port: 0, hostname: "127.0.0.1", services });
      return `http://127.0.0.1:${server.port}`;
    },
    async close() {
      server?.stop(true);
      services.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Waits until queued usage rows are written (the recorder flushes on a timer). */
export function flushUsage(gw: TestGateway): void {
  gw.services.usage.flush();
}
