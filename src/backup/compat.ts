// Is a database file one this build can use? Checked before an import or a restore replaces the
// live database, and at start before migrations run. The rules:
//   - it is a whole SQLite file (header magic, page count × page size fits the file size),
//   - PRAGMA integrity_check says "ok",
//   - drizzle's __drizzle_migrations lists only migrations this build knows: an older database
//     is migrated forward (on a staged copy), a newer one is refused — running an old binary on
//     a newer schema would write rows the newer code cannot read.
import { Database } from "bun:sqlite";
import { closeSync, existsSync, fstatSync, openSync, readSync } from "node:fs";
import { drizzle } from "drizzle-orm/bun-sqlite";
import { embeddedMigrations } from "../db/migrations.ts";
import { runSqliteJob, type Inspection } from "./sqlite-worker.ts";

export type Migration = ReturnType<typeof embeddedMigrations>[number];

/** Tables every OmniRoute database has had since its first migration. */
export const CORE_TABLES = ["provider_connections", "provider_nodes", "provider_models", "api_keys", "model_aliases", "combos", "settings", "usage_records"];

/** A refusal with a message meant for the operator (the API answers it as a 400). */
export class IncompatibleDatabase extends Error {}

const MAGIC = "SQLite format 3\0";

/** Reads the 100-byte header: not SQLite, or cut short, is caught here before SQLite opens it. */
export function checkHeader(path: string): void {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    const header = Buffer.alloc(100);
    const read = readSync(fd, header, 0, 100, 0);
    if (read < 100 || header.toString("latin1", 0, 16) !== MAGIC) {
      throw new IncompatibleDatabase("Not a SQLite database (the file does not start with the SQLite header).");
    }
    const rawPageSize = header.readUInt16BE(16);
    const pageSize = rawPageSize === 1 ? 65536 : rawPageSize;
    const pages = header.readUInt32BE(28);
    // The in-header page count is valid when "version-valid-for" matches the change counter.
    const countValid = header.readUInt32BE(92) === header.readUInt32BE(24) && pages > 0;
    if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0 || size % pageSize !== 0 || (countValid && size < pages * pageSize)) {
      throw new IncompatibleDatabase(`The database file is truncated or damaged (${size} bytes; expected whole pages of ${pageSize} bytes${countValid ? `, ${pages} of them` : ""}).`);
    }
  } finally {
    closeSync(fd);
  }
}

export interface SchemaStatus {
  /** Migrations this build would apply to bring the file up to date. */
  pending: Migration[];
  /** Newest migration the file has, as drizzle records it (folder time, ms). */
  appliedUpTo: number;
}

/** Compares a file's migration history with this build's; throws IncompatibleDatabase if it cannot be used. */
export function schemaStatus(applied: Inspection["migrations"], known: Migration[]): SchemaStatus {
  if (!applied || applied.length === 0) {
    throw new IncompatibleDatabase("Not an OmniRoute database: it has no migration history (__drizzle_migrations).");
  }
  const knownTimes = new Set(known.map((m) => m.folderMillis));
  const latest = Math.max(...known.map((m) => m.folderMillis));
  const appliedUpTo = Math.max(...applied.map((m) => m.createdAt));
  if (appliedUpTo > latest) {
    throw new IncompatibleDatabase(
      `The database was written by a newer OmniRoute (schema ${new Date(appliedUpTo).toISOString()}, this build knows up to ${new Date(latest).toISOString()}). Upgrade OmniRoute to use it.`,
    );
  }
  const unknown = applied.filter((m) => !knownTimes.has(m.createdAt));
  if (unknown.length > 0) {
    throw new IncompatibleDatabase("The database's migration history does not match this build's (it has migrations this build never shipped).");
  }
  return { pending: known.filter((m) => m.folderMillis > appliedUpTo), appliedUpTo };
}

/** Applies `migrations` (those newer than the file's last) to the file at `path`, in place. */
export function applyMigrations(path: string, migrations: Migration[]): void {
  const sqlite = new Database(path, { strict: true });
  try {
    sqlite.exec("PRAGMA foreign_keys = ON");
    const db = drizzle(sqlite);
    // The same call runMigrations() makes, with the list passed in (tests hand in a longer one).
    (db as any).dialect.migrate(migrations, (db as any).session, {});
    // Staged files are swapped in by rename: make them self-contained (no -wal beside them).
    sqlite.exec("PRAGMA journal_mode = DELETE");
  } finally {
    sqlite.close(true);
  }
}

export interface CandidateReport {
  migrated: number;
  counts: Record<string, number>;
}

/**
 * Validates the database file at `path` (already in .staging, which it may modify) and migrates
 * it forward. Heavy reads run on the worker; migrations, usually a few DDL statements, run here.
 */
export async function prepareCandidate(path: string, known: Migration[] = embeddedMigrations()): Promise<CandidateReport> {
  checkHeader(path);
  const report = await runSqliteJob({ op: "inspect", path });
  if (report.integrity === null) throw new IncompatibleDatabase(`SQLite cannot read the file: ${report.error ?? "unknown error"}.`);
  if (report.integrity.length !== 1 || report.integrity[0] !== "ok") {
    throw new IncompatibleDatabase(`Database integrity check failed: ${report.integrity.slice(0, 3).join("; ")}.`);
  }
  const status = schemaStatus(report.migrations, known);
  if (status.pending.length > 0) applyMigrations(path, status.pending);
  else applyMigrations(path, []); // still normalises the journal mode
  const sqlite = new Database(path, { readonly: true });
  try {
    const tables = new Set((sqlite.query("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name));
    const missing = CORE_TABLES.filter((t) => !tables.has(t));
    if (missing.length > 0) throw new IncompatibleDatabase(`Not an OmniRoute database: missing tables ${missing.join(", ")}.`);
  } finally {
    sqlite.close(true);
  }
  return { migrated: status.pending.length, counts: report.counts };
}

/**
 * Before the live database is opened at start: refuse one from a newer build, and, when
 * migrations are about to run on an existing database, keep a copy of it first.
 * Returns true when a pre-migration backup was written to `backupPath`.
 */
export function guardBeforeMigration(dbPath: string, backupPath: () => string, known: Migration[] = embeddedMigrations()): boolean {
  if (!existsSync(dbPath)) return false;
  const sqlite = new Database(dbPath, { strict: true });
  try {
    const hasTable = sqlite.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'").get();
    if (!hasTable) return false; // new (or not ours): openDatabase creates the schema
    const applied = (sqlite.query("SELECT created_at AS createdAt, hash FROM __drizzle_migrations").all() as { createdAt: number; hash: string }[]).map((r) => ({
      createdAt: Number(r.createdAt),
      hash: r.hash,
    }));
    if (applied.length === 0) return false;
    const { pending } = schemaStatus(applied, known);
    if (pending.length === 0) return false;
    sqlite.prepare("VACUUM INTO ?").run(backupPath());
    return true;
  } finally {
    sqlite.close(true);
  }
}
