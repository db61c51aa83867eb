// A prepared INSERT for one drizzle table, bypassing drizzle's query builder. Building a
// 1000-row multi-VALUES statement through drizzle took most of the gateway's CPU under load
// (profiled: buildQueryFromSourceParams ~45%); one prepared statement run per row inside a
// transaction is what SQLite is fastest at.
import type { Database, Statement } from "bun:sqlite";
import { getTableColumns, getTableName, type Table } from "drizzle-orm";

export interface FastInsert<Row> {
  run(row: Row): void;
}

export function fastInsert<T extends Table>(sqlite: Database, table: T): FastInsert<T["$inferInsert"]> {
  const columns = Object.entries(getTableColumns(table)) as [string, any][];
  const names = columns.map(([, c]) => `"${c.name}"`).join(", ");
  const marks = columns.map(() => "?").join(", ");
  const stmt: Statement = sqlite.prepare(`INSERT INTO "${getTableName(table)}" (${names}) VALUES (${marks})`);
  const convert = columns.map(([key, c]) => {
    // Same storage as drizzle: booleans as 0/1, json columns as text, defaults applied.
    const mode = c.config?.mode ?? c.mode;
    const isJson = c.columnType === "SQLiteTextJson" || mode === "json";
    const isBool = c.columnType === "SQLiteBoolean" || mode === "boolean";
    const fallback = c.hasDefault && c.default !== undefined ? c.default : null;
    return (row: Record<string, unknown>) => {
      let v = row[key];
      if (v === undefined) v = fallback;
      if (v === null || v === undefined) return null;
      if (isJson) return JSON.stringify(v);
      if (isBool) return v ? 1 : 0;
      return v as string | number;
    };
  });
  return {
    run(row) {
      stmt.run(...convert.map((f) => f(row as Record<string, unknown>)));
    },
  };
}
