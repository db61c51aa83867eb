// The ids of usage_texts (src/db/schema.ts) as one connection sees them: looked up or added
// once, then remembered. Ids are never deleted, so a remembered id stays right for as long as
// the connection's file does — except an id added in a transaction that rolled back, which
// rolledBack() forgets.
import type { Database, Statement } from "bun:sqlite";
import type { SliceRows } from "./row-columns.ts";

/** Past this many remembered texts the memory starts over (user agents and client IPs come from clients). */
const MAX_REMEMBERED = 50_000;

export class UsageTextIds {
  private ids = new Map<string, number>();
  /** Texts this connection added since the last commit. */
  private added: string[] = [];
  /**
   * Ids by index in a slice's string table (row-columns.ts), for the table they were looked up
   * for: a batch's texts are mostly the same few indexes, so most lookups are an array read.
   */
  private table: readonly string[] | null = null;
  private byIndex: (number | undefined)[] = [];
  private readonly find: Statement;
  private readonly insert: Statement;

  constructor(
    client: Database,
    /** How many texts are remembered before the memory starts over (small only in tests). */
    private readonly maxRemembered = MAX_REMEMBERED,
  ) {
    this.find = client.prepare("SELECT id FROM usage_texts WHERE text = ?");
    this.insert = client.prepare("INSERT INTO usage_texts (text) VALUES (?) RETURNING id");
  }

  /** The id of a row's text in a shared column (row-columns.ts TEXT); null for none. */
  ref(rows: SliceRows, row: number, column: number): number | null {
    const i = rows.textIndex(row, column);
    if (i === 0) {
      // None, or a text a full string table kept with the row's rare values.
      const text = rows.text(row, column);
      return text === null ? null : this.id(text);
    }
    if (rows.strings !== this.table) {
      this.table = rows.strings;
      this.byIndex = [];
    }
    return (this.byIndex[i] ??= this.id(rows.strings[i]!));
  }

  /** The text's id, added to usage_texts if it is new (call inside the write's transaction). */
  id(text: string): number {
    let id = this.ids.get(text);
    if (id !== undefined) return id;
    const found = this.find.get(text) as { id: number } | null;
    if (found) id = found.id;
    else {
      id = (this.insert.get(text) as { id: number }).id;
      this.added.push(text);
    }
    this.ids.set(text, id);
    return id;
  }

  /** The write's transaction committed: what it added is in the file. */
  committed(): void {
    this.added.length = 0;
    if (this.ids.size > this.maxRemembered) this.ids = new Map();
  }

  /** The write's transaction rolled back: the ids it added do not exist. */
  rolledBack(): void {
    for (const text of this.added) this.ids.delete(text);
    this.added.length = 0;
    this.table = null;
    this.byIndex = [];
  }
}
