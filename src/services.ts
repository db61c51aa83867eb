// Everything a request handler needs, built once per process (or per test).
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "./config.ts";
import { openDatabase, type Db } from "./db/client.ts";
import { createCipher, loadOrCreateKey, type Cipher } from "./security/cipher.ts";
import { ConfigStore } from "./store/config-store.ts";
import { SqliteUsageSink } from "./usage/recorder.ts";
import { LiveRequests } from "./gateway/live-requests.ts";

export interface Services {
  config: Config;
  db: Db;
  cipher: Cipher;
  store: ConfigStore;
  usage: SqliteUsageSink;
  live: LiveRequests;
  startedAt: number;
  /** Closes what the services hold; queued usage is flushed first. */
  close(): void;
}

export function databasePath(dataDir: string): string {
  return join(dataDir, "omniroute.sqlite");
}

export function createServices(config: Config): Services {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const db = openDatabase(databasePath(config.dataDir));
  const cipher = createCipher(loadOrCreateKey(config.dataDir, config.secretKey));
  const store = new ConfigStore(db, cipher);
  const usage = new SqliteUsageSink(db, config.usageFlushMs);
  const live = new LiveRequests();
  return {
    config,
    db,
    cipher,
    store,
    usage,
    live,
    startedAt: Date.now(),
    close() {
      usage.close();
      db.$client.close();
    },
  };
}

/** The effective "require an API key on /v1/*": the env/flag wins over the stored setting. */
export function apiKeyRequired(s: Services): boolean {
  return s.config.requireApiKey ?? s.store.settings.requireApiKey;
}
