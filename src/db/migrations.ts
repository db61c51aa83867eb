// Migrations are imported as text so that `bun build --compile` embeds them:
// the binary migrates an empty data dir with nothing beside it.
// After `npm run db:generate`, add the new file here (test/db/migrations.test.ts checks).
import { createHash } from "node:crypto";
import type { BunSQLiteDatabase } from "drizzle-orm/bun-sqlite";
import journal from "../../drizzle/meta/_journal.json";
import m0000 from "../../drizzle/0000_init.sql" with { type: "text" };
import m0001 from "../../drizzle/0001_usage_cost.sql" with { type: "text" };
import m0002 from "../../drizzle/0002_response_cache.sql" with { type: "text" };
import m0003 from "../../drizzle/0003_usage_one_row.sql" with { type: "text" };
import m0004 from "../../drizzle/0004_usage_fewer_indexes.sql" with { type: "text" };
import m0005 from "../../drizzle/0005_usage_texts.sql" with { type: "text" };

export const EMBEDDED_MIGRATIONS: Record<string, string> = {
  "0000_init": m0000,
  "0001_usage_cost": m0001,
  "0002_response_cache": m0002,
  "0003_usage_one_row": m0003,
  "0004_usage_fewer_indexes": m0004,
  "0005_usage_texts": m0005,
};

interface JournalEntry {
  tag: string;
  when: number;
  breakpoints: boolean;
}

/** The migrations in the shape drizzle's migrator expects (same hashing as readMigrationFiles). */
export function embeddedMigrations() {
  return (journal.entries as JournalEntry[]).map((entry) => {
    const text = EMBEDDED_MIGRATIONS[entry.tag];
    if (text === undefined) throw new Error(`migration ${entry.tag} is in the journal but not embedded`);
    return {
      sql: text.split("--> statement-breakpoint"),
      bps: entry.breakpoints,
      folderMillis: entry.when,
      hash: createHash("sha256").update(text).digest("hex"),
    };
  });
}

/** The newest migration this build knows; a database stamped later is from a newer OmniRoute. */
export function latestMigrationMillis(): number {
  return Math.max(...(journal.entries as JournalEntry[]).map((e) => e.when));
}

/**
 * A migration failed. drizzle runs the pending ones in one transaction and rolls it back, so
 * the file is as it was before the attempt.
 */
export class MigrationFailed extends Error {
  constructor(readonly cause: unknown) {
    super(`migrating the database failed, nothing was changed: ${describeFailure(cause)}`);
  }
}

/** SQLite's own words and the first line of the statement (drizzle's message quotes all of it). */
function describeFailure(err: unknown): string {
  let root = err;
  while (root instanceof Error && root.cause instanceof Error) root = root.cause;
  const why = root instanceof Error ? root.message : String(root);
  const statement = err instanceof Error ? /Failed to run the query '\s*([^\n]*)/.exec(err.message)?.[1] : undefined;
  return statement ? `${why} (in: ${statement.slice(0, 120)})` : why;
}

export function runMigrations(db: BunSQLiteDatabase<any>): void {
  try {
    // drizzle's file-based migrate() would read from disk; feed it the embedded list instead.
    (db as any).dialect.migrate(embeddedMigrations(), (db as any).session, {});
  } catch (err) {
    throw new MigrationFailed(err);
  }
}
