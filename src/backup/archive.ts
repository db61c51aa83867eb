// GET /api/db-backups/exportAll: one .tar.gz with everything needed to move an instance, built
// in process with Bun.Archive (no `tar` binary needed), on the backup worker:
//
//   omniroute-backup-<stamp>/omniroute.sqlite   consistent snapshot (VACUUM INTO)
//   omniroute-backup-<stamp>/settings.json      the settings table and the process options, readable
//   omniroute-backup-<stamp>/manifest.json      format, version, schema, size + sha256 of each file
//   omniroute-backup-<stamp>/SHA256SUMS         `sha256sum -c SHA256SUMS` checks the lot
//   omniroute-backup-<stamp>/secret.key         only with ?includeSecrets=true (see below)
//
// Secrets: provider credentials inside the database are encrypted with the secret key, gateway
// API keys are stored only as hashes, and the dashboard password only as an argon2 hash. The
// secret key is NOT in the archive unless asked for (includeSecrets=true): without it the
// archive's credentials cannot be decrypted, and restoring it elsewhere leaves the connections
// listed but unusable. With it, the archive holds everything needed to use the credentials:
// keep it as carefully as the keys themselves. A key given through OMNIROUTE_SECRET_KEY is never
// written into an archive (it lives wherever the environment gets it from). settings.json
// leaves out secret-looking options and rows (tokens, passwords, keys) entirely.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { VERSION } from "../config.ts";
import journal from "../../drizzle/meta/_journal.json";
import type { Db } from "../db/client.ts";
import * as t from "../db/schema.ts";
import { stagingFile } from "./files.ts";
import type { BackupManager, BackupSettings } from "./manager.ts";
import { runSqliteJob, type ArchiveEntry, type FileDigest } from "./sqlite-worker.ts";

export const ARCHIVE_FORMAT = "omniroute-backup/1";

const SECRET_LOOKING = /secret|token|password|apikey|api_key|credential/i;

export interface FullArchive extends FileDigest {
  path: string;
  filename: string;
}

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

function settingsJson(db: Db, config: BackupSettings & Record<string, unknown>): string {
  const rows: Record<string, unknown> = {};
  for (const row of db.select().from(t.settings).all()) if (!SECRET_LOOKING.test(row.key)) rows[row.key] = row.value;
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) if (!SECRET_LOOKING.test(key) && value !== undefined) options[key] = value;
  return JSON.stringify({ settings: rows, options }, null, 2) + "\n";
}

export async function buildFullArchive(
  manager: BackupManager,
  deps: { db: Db; config: BackupSettings & { secretKey?: string } & Record<string, unknown> },
  opts: { includeSecrets: boolean },
): Promise<FullArchive> {
  const now = new Date();
  const stamp = now.toISOString().replace(/[:.]/g, "-");
  const folder = `omniroute-backup-${stamp}`;
  const snapshot = await manager.snapshotToStaging("archive");
  const out = stagingFile(deps.config.dataDir, "archive").replace(/\.sqlite$/, ".tar.gz");
  try {
    const files: Record<string, { size: number; sha256: string }> = { "omniroute.sqlite": { size: snapshot.size, sha256: snapshot.sha256 } };
    const entries: Record<string, ArchiveEntry> = { [`${folder}/omniroute.sqlite`]: { file: snapshot.path } };

    const settings = settingsJson(deps.db, deps.config);
    files["settings.json"] = { size: Buffer.byteLength(settings), sha256: sha256(settings) };
    entries[`${folder}/settings.json`] = { text: settings };

    const keyFile = join(deps.config.dataDir, "secret.key");
    const keyFromEnv = Boolean(deps.config.secretKey);
    let secretIncluded = false;
    if (opts.includeSecrets && !keyFromEnv && existsSync(keyFile)) {
      const key = readFileSync(keyFile);
      files["secret.key"] = { size: key.length, sha256: sha256(key) };
      entries[`${folder}/secret.key`] = { text: key.toString("utf8") };
      secretIncluded = true;
    }

    const latest = journal.entries.at(-1)!;
    const manifest =
      JSON.stringify(
        {
          format: ARCHIVE_FORMAT,
          version: VERSION,
          createdAt: now.toISOString(),
          schema: { migration: latest.tag, migrationCreatedAt: latest.when, migrations: journal.entries.length },
          files,
          secrets: {
            included: secretIncluded,
            keySource: keyFromEnv ? "environment" : "file",
            note: secretIncluded
              ? "secret.key decrypts the provider credentials in omniroute.sqlite: keep this archive private."
              : keyFromEnv
                ? "The secret key comes from OMNIROUTE_SECRET_KEY and is never archived; restore with the same key."
                : "secret.key is not included (ask with ?includeSecrets=true). Without it the stored provider credentials cannot be decrypted.",
          },
        },
        null,
        2,
      ) + "\n";
    entries[`${folder}/manifest.json`] = { text: manifest };

    const sums = Object.entries(files).map(([name, f]) => `${f.sha256}  ${name}`);
    sums.push(`${sha256(manifest)}  manifest.json`);
    entries[`${folder}/SHA256SUMS`] = { text: sums.join("\n") + "\n" };

    const digest = await runSqliteJob({ op: "archive", out, entries });
    return { ...digest, path: out, filename: `${folder}.tar.gz` };
  } catch (err) {
    rmSync(out, { force: true });
    throw err;
  } finally {
    rmSync(snapshot.path, { force: true });
  }
}
