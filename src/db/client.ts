import { Database } from "bun:sqlite";
import { drizzle, type BunSQLiteDatabase } from "drizzle-orm/bun-sqlite";
import * as schema from "./schema.ts";
import { runMigrations } from "./migrations.ts";

export type Db = BunSQLiteDatabase<typeof schema> & { $client: Database };

/** Opens (creating if needed) the SQLite file, sets the pragmas we rely on and migrates. */
export function openDatabase(path: string): Db {
  const sqlite = new Database(path, { create: true, strict: true });
  // WAL: readers (dashboard, usage queries) never block the gateway's batched writes.
  sqlite.exec("PRAGMA journal_mode = WAL");
  sqlite.exec("PRAGMA synchronous = NORMAL");
  sqlite.exec("PRAGMA foreign_keys = ON");
  sqlite.exec("PRAGMA busy_timeout = 5000");
  const db = drizzle(sqlite, { schema }) as Db;
  runMigrations(db);
  return db;
}

export { schema };
