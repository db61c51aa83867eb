// The ids of usage_texts (src/db/schema.ts) as one connection sees them: looked up or added
// once, then remembered. Ids are never deleted, so a remembered id stays right for as long as
// the connection's file does — except an id added in a transaction that rolled back, which
// rolledBack() forgets.
import type { Database, Statement } from "bun:sqlite";

/** Past this many remembered texts the memory starts over (user agents and client IPs come from clients). */
const MAX_REMEMBERED = 50_000;

export class UsageTextIds {
  private ids = new Map<string, number>();
  /** Texts this connection added since the last commit. */
  private added: string[] = [];
  private readonly find: Statement;
  private readonly insert: Statement;
  /** Per column of the row, the last text and its id: most requests repeat the previous one's. */
  private lastText: (string | undefined)[] = [];
  private lastId: number[] = [];

  constructor(
    client: Database,
    /** How many texts are remembered before the memory starts over (small only in tests). */
    private readonly maxRemembered = MAX_REMEMBERED,
  ) {
    this.find = client.prepare("SELECT id FROM usage_texts WHERE text = ?");
    this.insert = client.prepare("INSERT INTO usage_texts (text) VALUES (?) RETURNING id");
  }

  /** The id for a row's text in `column` (any small number naming the column); null for none. */
  ref(column: number, text: string | null | undefined): number | null {
    if (text == null) return null;
    if (this.lastText[column] === text) return this.lastId[column]!;
    const id = this.id(text);
    this.lastText[column] = text;
    this.lastId[column] = id;
    return id;
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
    this.lastText = [];
    this.lastId = [];
  }
}
