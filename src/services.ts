// Everything a request handler needs, built once per process (or per test).
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "./config.ts";
import type { Db } from "./db/client.ts";
import { LiveDatabase } from "./backup/live-db.ts";
import { BackupManager, prepareDataDir } from "./backup/manager.ts";
import type { Lifecycle } from "./cli/process-lifecycle.ts";
import { createCipher, loadOrCreateKey, type Cipher } from "./security/cipher.ts";
import { ConfigStore } from "./store/config-store.ts";
import { SqliteUsageSink } from "./usage/recorder.ts";
import { LiveRequests } from "./gateway/live-requests.ts";
import { RoutingState } from "./routing/routing-state.ts";
import { UsageAccounting } from "./usage/accounting.ts";
import { AuditLog } from "./usage/audit-log.ts";
import { Features } from "./features/index.ts";

export interface Services {
  config: Config;
  /** The live connection; a stable proxy, so it stays valid when a restore swaps the file. */
  db: Db;
  /** The handle behind `db`: swap/reopen, and onReopen() for state bound to one connection. */
  database: LiveDatabase;
  /** Snapshots, restore, import/export, the automatic schedule (src/backup). */
  backups: BackupManager;
  /** Restart / shutdown of the serving process; null when not serving (tests, embedding). */
  lifecycle: Lifecycle | null;
  cipher: Cipher;
  store: ConfigStore;
  usage: SqliteUsageSink;
  live: LiveRequests;
  /** Breakers, cooldowns, latency telemetry, rotation and rate-limit counters (in memory). */
  routing: RoutingState;
  /** Pricing, budgets, telemetry, sessions and metrics of finished requests (src/usage). */
  accounting: UsageAccounting;
  /** Compliance trail of control-plane writes (GET /api/compliance/audit-log). */
  audit: AuditLog;
  /** Response cache, idempotency, and the settings of the other request features (src/features). */
  features: Features;
  startedAt: number;
  /** Closes what the services hold; queued usage is flushed first. */
  close(): void;
}

export function databasePath(dataDir: string): string {
  return join(dataDir, "omniroute.sqlite");
}

export function createServices(config: Config): Services {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const log = (line: string) => config.logLevel !== "silent" && console.log(line);
  // Refuses a database from a newer build; backs an existing one up before migrating it.
  prepareDataDir(config.dataDir, databasePath(config.dataDir), log);
  const database = new LiveDatabase(databasePath(config.dataDir));
  const db = database.db;
  const cipher = createCipher(loadOrCreateKey(config.dataDir, config.secretKey));
  const store = new ConfigStore(db, cipher);
  const usage = new SqliteUsageSink(db, config.usageFlushMs);
  const live = new LiveRequests();
  const routing = new RoutingState(() => store.routing.resilience);
  const accounting = new UsageAccounting(db, usage, () => store.settings);
  // The "cheapest" combo strategy ranks by the same prices usage is charged with.
  routing.priceOf = (provider, model) => {
    const p = accounting.pricing.resolve(provider, model)?.price;
    return p ? p.input + p.output : undefined;
  };
  // The usage writer thread has its own connection: it lets go of the file before a swap.
  database.beforeClose(() => usage.detach());
  database.onReopen(() => {
    usage.attach();
    accounting.reload();
  });
  accounting.startRetention();
  const audit = new AuditLog(db);
  const features = new Features(db, database, store);
  const backups = new BackupManager({ config, live: database, usage, store });
  backups.start();
  return {
    config,
    db,
    database,
    backups,
    lifecycle: null,
    cipher,
    store,
    usage,
    live,
    routing,
    accounting,
    audit,
    features,
    startedAt: Date.now(),
    close() {
      backups.stop();
      features.close();
      accounting.close();
      usage.close();
      database.close();
    },
  };
}

/** The effective "require an API key on /v1/*": the env/flag wins over the stored setting. */
export function apiKeyRequired(s: Services): boolean {
  return s.config.requireApiKey ?? s.store.settings.requireApiKey;
}
