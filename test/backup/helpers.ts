// Shared by the backup tests: a gateway with some of everything in it, and a way to compare
// whole databases table by table.
import { Database } from "bun:sqlite";
import { expect } from "bun:test";
import type { TestGateway } from "../support/gateway.ts";
import { addConnection, createKey, putSettings } from "../support/setup.ts";

/** Every user table's rows (rowid order), so two databases can be compared as data. */
export function dumpDatabase(db: Database): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  // audit_log is left out: the compliance trail records the import/restore itself (into the
  // database in force afterwards), so it is never identical before and after one.
  const tables = db
    .query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'audit_log' ORDER BY name")
    .all() as { name: string }[];
  for (const { name } of tables) out[name] = db.query(`SELECT * FROM "${name}" ORDER BY rowid`).all();
  return out;
}

export function dumpFile(path: string): Record<string, unknown[]> {
  const db = new Database(path, { readonly: true });
  try {
    return dumpDatabase(db);
  } finally {
    db.close(true);
  }
}

export function dumpLive(gw: TestGateway): Record<string, unknown[]> {
  gw.services.usage.flush();
  return dumpDatabase(gw.services.db.$client);
}

/** A connection, a node-less alias, a key, a setting: something in every configuration table. */
export async function seed(gw: TestGateway, tag = "a"): Promise<void> {
  await addConnection(gw, { provider: "groq", name: `conn-${tag}`, apiKey: `sk-${tag}`, baseUrl: "http://127.0.0.1:9/v1" });
  await createKey(gw, `key-${tag}`);
  const alias = await gw.request("/api/models/alias", { method: "PUT", json: { model: "openai/gpt-4o-mini", alias: `fast-${tag}` } });
  expect(alias.status).toBe(200);
  await putSettings(gw, { streamKeepAliveSeconds: tag === "a" ? 21 : 42 });
}

export async function json(res: Response): Promise<any> {
  return res.json();
}

export async function bytesOf(res: Response): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await res.arrayBuffer());
}

/** POSTs `data` to /api/db-backups/import as a multipart upload, as the dashboard (and curl -F) does. */
export function importForm(gw: TestGateway, data: Uint8Array | string, name = "upload.sqlite"): Promise<Response> {
  const form = new FormData();
  form.append("file", new File([data as BlobPart], name));
  return gw.request("/api/db-backups/import", { method: "POST", body: form });
}
