// Backups of the live database: on demand, on a schedule, and before anything replaces it.
// One operation at a time (a queue): a snapshot's worker holds a read connection on the live
// file, and a swap must not happen under it.
//
// Restore and import never block on the copy: the candidate is validated and migrated in
// .staging, then, synchronously and so invisibly to concurrent requests, the usage queue is
// flushed into the old database, the old file is kept as the safety backup (a hard link), the
// candidate is renamed over the live file and the connection reopened. Usage rows recorded
// before that moment are in the safety backup; rows recorded after it go to the new database.
import { existsSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../config.ts";
import { embeddedMigrations } from "../db/migrations.ts";
import { clearStaging, backupsDir, isBackupName, listBackups, newBackupName, pruneBackups, stagingFile, type BackupInfo, type BackupReason, type Retention } from "./files.ts";
import { guardBeforeMigration, IncompatibleDatabase, prepareCandidate, type Migration } from "./compat.ts";
import type { LiveDatabase } from "./live-db.ts";
import { runSqliteJob, type FileDigest } from "./sqlite-worker.ts";

export type BackupSettings = Pick<Config, "dataDir" | "backupIntervalHours" | "backupKeep" | "backupMaxAgeDays" | "logLevel">;

export interface BackupDeps {
  config: BackupSettings;
  live: LiveDatabase;
  /** Queued writes that must land before the file is swapped (the usage sink). */
  usage: { flush(): void };
  /** In-memory state to rebuild from the new file (the config store). */
  store: { reload(): void };
  /** This build's migrations (tests pass a longer list to exercise forward migration). */
  migrations?: Migration[];
}

export interface ReplaceResult {
  /** The safety backup of the database that was replaced. */
  safetyBackup: string;
  migrated: number;
  connectionCount: number;
  nodeCount: number;
  comboCount: number;
  apiKeyCount: number;
}

/** Not found / bad name: the API answers 404 / 400. */
export class BackupNotFound extends Error {}

/** Prepares the data dir before the database is opened: clears .staging, guards migrations. */
export function prepareDataDir(dataDir: string, dbPath: string, log: (line: string) => void = () => {}): void {
  clearStaging(dataDir);
  const name = () => join(backupsDir(dataDir), newBackupName(dataDir, "pre-migration"));
  let written = "";
  if (guardBeforeMigration(dbPath, () => (written = name()))) log(`OmniRoute: database backed up to ${written} before migrating`);
}

export class BackupManager {
  private queue: Promise<unknown> = Promise.resolve();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  /** When the schedule started (a first backup is due one interval after it). */
  private readonly startedAt = Date.now();
  lastAutoError: string | null = null;
  /** After a failed automatic backup, the next try waits (no retry loop on a full disk). */
  private retryAt = 0;

  constructor(private readonly deps: BackupDeps) {}

  get dir(): string {
    return backupsDir(this.deps.config.dataDir);
  }

  get retention(): Retention {
    return { keep: this.deps.config.backupKeep, maxAgeDays: this.deps.config.backupMaxAgeDays };
  }

  private log(line: string): void {
    if (this.deps.config.logLevel !== "silent") console.log(line);
  }

  /** Runs `fn` after every operation queued before it. */
  private exclusive<T>(fn: () => Promise<T> | T): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => {});
    return run;
  }

  list(): BackupInfo[] {
    return listBackups(this.deps.config.dataDir);
  }

  prune(): Promise<string[]> {
    return pruneBackups(this.deps.config.dataDir, this.retention);
  }

  /** A consistent copy of the live database into .staging; the caller removes it. */
  snapshotToStaging(label = "export"): Promise<FileDigest & { path: string }> {
    return this.exclusive(async () => {
      const path = stagingFile(this.deps.config.dataDir, label);
      try {
        const digest = await runSqliteJob({ op: "snapshot", src: this.deps.live.path, dst: path });
        return { ...digest, path };
      } catch (err) {
        rmSync(path, { force: true });
        throw err;
      }
    });
  }

  /** Writes a new backup (`manual` from the API, `auto` from the schedule) and applies retention. */
  async create(reason: BackupReason): Promise<BackupInfo & { sha256: string }> {
    const snap = await this.snapshotToStaging(reason);
    const filename = newBackupName(this.deps.config.dataDir, reason);
    renameSync(snap.path, join(this.dir, filename));
    await this.prune();
    const info = this.list().find((b) => b.filename === filename);
    if (!info) throw new Error(`backup ${filename} vanished (retention keeps ${this.retention.keep})`);
    return { ...info, sha256: snap.sha256 };
  }

  /** Restores a backup by its id (file name), keeping the current database as `pre-restore`. */
  async restore(id: string): Promise<ReplaceResult> {
    if (!isBackupName(id)) throw new BackupNotFound(`Invalid backup ID: ${id}`);
    if (!existsSync(join(this.dir, id))) throw new BackupNotFound(`Backup not found: ${id}`);
    const staged = stagingFile(this.deps.config.dataDir, "restore");
    try {
      // Bun.write copies file to file off the event loop (copy_file_range where it can).
      await Bun.write(staged, Bun.file(join(this.dir, id)));
      return await this.replaceWith(staged, "pre-restore");
    } finally {
      rmSync(staged, { force: true });
    }
  }

  /** Replaces the live database with an uploaded file already written to `staged` (removed after). */
  async importFile(staged: string): Promise<ReplaceResult> {
    try {
      return await this.replaceWith(staged, "pre-import");
    } finally {
      rmSync(staged, { force: true });
    }
  }

  private async replaceWith(staged: string, reason: "pre-restore" | "pre-import"): Promise<ReplaceResult> {
    const report = await prepareCandidate(staged, this.deps.migrations ?? embeddedMigrations());
    return this.exclusive(() => {
      const safety = newBackupName(this.deps.config.dataDir, reason);
      // Synchronous from here to the reload: no request runs in between.
      this.deps.usage.flush();
      this.deps.live.swap(staged, join(this.dir, safety));
      this.deps.store.reload();
      void this.prune().catch(() => {});
      const count = (table: string) => Number((this.deps.live.db.$client.query(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n);
      this.log(`OmniRoute: database replaced (${reason.slice(4)}); previous one kept as ${safety}`);
      return {
        safetyBackup: safety,
        migrated: report.migrated,
        connectionCount: count("provider_connections"),
        nodeCount: count("provider_nodes"),
        comboCount: count("combos"),
        apiKeyCount: count("api_keys"),
      };
    });
  }

  // --- schedule -------------------------------------------------------------------------------

  private get intervalMs(): number {
    return this.deps.config.backupIntervalHours * 3_600_000;
  }

  /** When the next automatic backup is due: one interval after the newest backup of the live data. */
  nextDueAt(): number | null {
    if (this.intervalMs <= 0) return null;
    const newest = this.list().find((b) => b.reason === "auto" || b.reason === "manual");
    return (newest ? Date.parse(newest.createdAt) : this.startedAt) + this.intervalMs;
  }

  /** Starts the automatic schedule (BACKUP_INTERVAL_HOURS; 0 turns it off). */
  start(): void {
    if (this.intervalMs <= 0 || this.stopped) return;
    const due = Math.max(this.nextDueAt()!, this.retryAt);
    // Re-check at least hourly (backups may be made or deleted meanwhile), never in a tight loop.
    const delay = Math.min(Math.max(due - Date.now(), 1_000), 3_600_000);
    this.timer = setTimeout(() => void this.tick(), delay);
    (this.timer as { unref?: () => void }).unref?.();
  }

  private async tick(): Promise<void> {
    this.timer = null;
    if (this.stopped) return;
    const due = this.nextDueAt();
    if (due !== null && due <= Date.now() && this.retryAt <= Date.now()) {
      try {
        const b = await this.create("auto");
        this.lastAutoError = null;
        this.log(`OmniRoute: automatic backup ${b.filename} (${b.size} bytes)`);
      } catch (err) {
        this.lastAutoError = (err as Error).message;
        this.retryAt = Date.now() + 600_000;
        if (this.deps.config.logLevel !== "silent") console.error(`[backup] automatic backup failed: ${this.lastAutoError}`);
      }
    }
    this.start();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

export { IncompatibleDatabase };
