// A database file as an older OmniRoute left it: only its first `migrations` migrations applied.
import { Database } from "bun:sqlite";
import { drizzle } from "drizzle-orm/bun-sqlite";
import { embeddedMigrations } from "../../src/db/migrations.ts";

/** Opens (creating) `path` migrated to the first `migrations` migrations; close it before the gateway opens it. */
export function databaseAtMigration(path: string, migrations: number): Database {
  const db = drizzle(new Database(path, { create: true }));
  (db as any).dialect.migrate(embeddedMigrations().slice(0, migrations), (db as any).session, {});
  return db.$client;
}
