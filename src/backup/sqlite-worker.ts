// The slow parts of backups run on a worker thread with their own SQLite connection, so the
// gateway's event loop never waits on them: VACUUM INTO of a large database, PRAGMA
// integrity_check, sha256 of the result, gzip of an archive. (The target: a 100 MB
// backup must not block gateway requests for more than 50 ms.) In WAL mode the worker's
// read-only connection sees one consistent snapshot while the main connection keeps writing.
//
// The worker's code is this file's workerMain(), turned into source text and started from a
// Blob URL: that needs no extra entry point in `bun build --compile`, and test/binary checks it
// still works once minified. So workerMain must use nothing from outside its own body.

export interface FileDigest {
  size: number;
  sha256: string;
}

export interface Inspection {
  /** null when SQLite could not read the file at all (then `error` says why). */
  integrity: string[] | null;
  error?: string;
  tables: string[];
  /** Rows of drizzle's __drizzle_migrations, oldest first; null when the table is missing. */
  migrations: { hash: string; createdAt: number }[] | null;
  counts: Record<string, number>;
}

export type ArchiveEntry = { file: string } | { text: string };

export type SqliteJob =
  | { op: "snapshot"; src: string; dst: string }
  | { op: "inspect"; path: string }
  | { op: "hash"; path: string }
  | { op: "archive"; out: string; entries: Record<string, ArchiveEntry> };

type JobResult<J extends SqliteJob> = J extends { op: "inspect" } ? Inspection : FileDigest;

function workerMain() {
  const digest = async (path: string) => {
    const { createHash } = await import("node:crypto");
    const hash = createHash("sha256");
    let size = 0;
    const reader = Bun.file(path).stream().getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      hash.update(r.value);
      size += r.value.length;
    }
    return { size, sha256: hash.digest("hex") };
  };

  const run = async (job: any) => {
    const { Database } = await import("bun:sqlite");
    if (job.op === "snapshot") {
      const db = new Database(job.src, { readonly: true });
      try {
        // One read transaction: a consistent copy, compacted, in rollback-journal mode.
        db.prepare("VACUUM INTO ?").run(job.dst);
      } finally {
        db.close(true);
      }
      return digest(job.dst);
    }
    if (job.op === "hash") return digest(job.path);
    if (job.op === "archive") {
      const data: Record<string, string | Uint8Array> = {};
      for (const [name, entry] of Object.entries(job.entries as Record<string, any>)) {
        data[name] = "text" in entry ? entry.text : await Bun.file(entry.file).bytes();
      }
      await Bun.Archive.write(job.out, data, { compress: "gzip" });
      return digest(job.out);
    }
    if (job.op === "inspect") {
      const out = { integrity: null as string[] | null, error: undefined as string | undefined, tables: [] as string[], migrations: null as any, counts: {} as Record<string, number> };
      let db: InstanceType<typeof Database> | null = null;
      try {
        db = new Database(job.path, { readonly: true });
        const rows = db.query("PRAGMA integrity_check(20)").all() as Record<string, string>[];
        out.integrity = rows.map((r) => String(Object.values(r)[0]));
        if (out.integrity.length !== 1 || out.integrity[0] !== "ok") return out;
        out.tables = (db.query("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name);
        if (out.tables.includes("__drizzle_migrations")) {
          out.migrations = (db.query("SELECT hash, created_at AS createdAt FROM __drizzle_migrations ORDER BY created_at").all() as any[]).map((r) => ({
            hash: String(r.hash),
            createdAt: Number(r.createdAt),
          }));
        }
        for (const table of ["provider_connections", "provider_nodes", "combos", "api_keys"]) {
          if (out.tables.includes(table)) out.counts[table] = Number((db.query(`SELECT count(*) AS n FROM "${table}"`).get() as any).n);
        }
      } catch (err) {
        out.integrity = null;
        out.error = (err as Error).message;
      } finally {
        db?.close(true);
      }
      return out;
    }
    throw new Error(`unknown job ${job.op}`);
  };

  self.onmessage = async (event: MessageEvent) => {
    try {
      postMessage({ result: await run(event.data) });
    } catch (err) {
      postMessage({ error: (err as Error).message ?? String(err) });
    }
  };
}

let workerUrl: string | null = null;

/** Runs one job on a fresh worker thread (terminated when done). */
export function runSqliteJob<J extends SqliteJob>(job: J): Promise<JobResult<J>> {
  workerUrl ??= URL.createObjectURL(new Blob([`(${workerMain.toString()})()`], { type: "application/javascript" }));
  const worker = new Worker(workerUrl);
  return new Promise((resolve, reject) => {
    worker.onmessage = (event: MessageEvent) => {
      worker.terminate();
      const data = event.data as { result?: JobResult<J>; error?: string };
      if (data.error !== undefined) reject(new Error(data.error));
      else resolve(data.result as JobResult<J>);
    };
    worker.onerror = (event: ErrorEvent) => {
      worker.terminate();
      reject(new Error(event.message || "backup worker failed"));
    };
    worker.postMessage(job);
  });
}
