// Where backups live and what they are called. Everything stays inside the data dir (the
// binary writes nowhere else): <data-dir>/db_backups/db_<timestamp>_<reason>.sqlite, the names
// OmniRoute uses, plus a .staging/ folder for files on their way in or out.
import { Database } from "bun:sqlite";
import { mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";

export type BackupReason = "manual" | "auto" | "pre-restore" | "pre-import" | "pre-migration";

export interface BackupInfo {
  id: string;
  filename: string;
  createdAt: string;
  size: number;
  reason: string;
  /** Provider connections in that database (0 when it cannot be read). */
  connectionCount: number;
}

const NAME = /^db_(\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z)(?:-\d+)?_([a-z][a-z-]*)\.sqlite$/;

export function backupsDir(dataDir: string): string {
  return join(dataDir, "db_backups");
}

/** Scratch space on the same filesystem as the database, so a finished file can be renamed in. */
export function stagingDir(dataDir: string): string {
  return join(backupsDir(dataDir), ".staging");
}

export function ensureDirs(dataDir: string): void {
  mkdirSync(stagingDir(dataDir), { recursive: true, mode: 0o700 });
}

/** Removes what a crash mid-operation may have left in .staging (called at start). */
export function clearStaging(dataDir: string): void {
  rmSync(stagingDir(dataDir), { recursive: true, force: true });
  ensureDirs(dataDir);
}

let counter = 0;
/** A unique file name in .staging. */
export function stagingFile(dataDir: string, label: string): string {
  return join(stagingDir(dataDir), `${label}-${process.pid}-${Date.now()}-${++counter}.sqlite`);
}

/** A new backup's file name; a second one in the same millisecond gets a suffix. */
export function newBackupName(dataDir: string, reason: BackupReason, now = new Date()): string {
  const stamp = now.toISOString().replace(/[:.]/g, "-");
  const taken = new Set(safeReaddir(backupsDir(dataDir)));
  let name = `db_${stamp}_${reason}.sqlite`;
  for (let i = 1; taken.has(name); i++) name = `db_${stamp}-${i}_${reason}.sqlite`;
  return name;
}

export function isBackupName(name: string): boolean {
  return NAME.test(name);
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function createdAtOf(name: string, mtimeMs: number): Date {
  const m = NAME.exec(name);
  if (m) {
    const [date, time] = m[1]!.split("T") as [string, string];
    const [h, min, s, ms] = time.replace("Z", "").split("-");
    const parsed = new Date(`${date}T${h}:${min}:${s}.${ms}Z`);
    if (!Number.isNaN(parsed.getTime())) return parsed;
  }
  return new Date(mtimeMs);
}

function connectionCountOf(path: string): number {
  try {
    const db = new Database(path, { readonly: true });
    try {
      return Number((db.query("SELECT count(*) AS n FROM provider_connections").get() as { n: number }).n);
    } finally {
      db.close(true);
    }
  } catch {
    return 0;
  }
}

/** Every backup, newest first. */
export function listBackups(dataDir: string, opts: { counts?: boolean } = {}): BackupInfo[] {
  const dir = backupsDir(dataDir);
  const out: (BackupInfo & { at: number })[] = [];
  for (const filename of safeReaddir(dir)) {
    const m = NAME.exec(filename);
    if (!m) continue;
    let stat;
    try {
      stat = statSync(join(dir, filename));
    } catch {
      continue; // pruned between readdir and stat
    }
    const created = createdAtOf(filename, stat.mtimeMs);
    out.push({
      id: filename,
      filename,
      createdAt: created.toISOString(),
      size: stat.size,
      reason: m[2]!,
      connectionCount: opts.counts === false ? 0 : connectionCountOf(join(dir, filename)),
      at: created.getTime(),
    });
  }
  out.sort((a, b) => b.at - a.at || b.filename.localeCompare(a.filename));
  return out.map(({ at: _at, ...info }) => info);
}

export interface Retention {
  /** Keep at most this many backups (the newest). */
  keep: number;
  /** Delete backups older than this many days; 0 = no age limit. The newest is always kept. */
  maxAgeDays: number;
}

/** The backups the retention policy would delete, newest first. */
export function expiredBackups(dataDir: string, retention: Retention, now = Date.now()): string[] {
  const maxAgeMs = retention.maxAgeDays * 86_400_000;
  return listBackups(dataDir, { counts: false })
    .filter((b, i) => i >= retention.keep || (i > 0 && retention.maxAgeDays > 0 && now - Date.parse(b.createdAt) > maxAgeMs))
    .map((b) => b.filename);
}

/**
 * Applies the retention policy; returns the names it deleted. Unlinking a 100 MB file takes the
 * filesystem tens of milliseconds, so it happens off the event loop (fs/promises).
 */
export async function pruneBackups(dataDir: string, retention: Retention, now = Date.now()): Promise<string[]> {
  const doomed = expiredBackups(dataDir, retention, now);
  await Promise.all(doomed.map((name) => rm(join(backupsDir(dataDir), name), { force: true })));
  return doomed;
}
