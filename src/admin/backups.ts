// /api/db-backups (API reference, "Backup ed esportazione/importazione"), shapes as OmniRoute's:
//   GET    /api/db-backups            {backups:[{id, filename, createdAt, size, reason, connectionCount}]}
//   PUT    /api/db-backups            create one now → {created:true, filename, size, …}
//   POST   /api/db-backups            {backupId} → restore it → {restored:true, backupId, …counts}
//   GET    /api/db-backups/export     the database as one consistent .sqlite file (streamed)
//   POST   /api/db-backups/import     upload a .sqlite (multipart field "file", or the raw body)
//   GET    /api/db-backups/exportAll  .tar.gz: snapshot, settings, manifest (?includeSecrets=true)
// All of it is admin-only (see lifecycle.ts): an export is every credential the gateway holds.
import { rmSync } from "node:fs";
import { Elysia } from "elysia";
import { z } from "zod";
import { buildFullArchive } from "../backup/archive.ts";
import { IncompatibleDatabase } from "../backup/compat.ts";
import { streamAndDelete } from "../backup/download.ts";
import { stagingFile } from "../backup/files.ts";
import { BackupNotFound } from "../backup/manager.ts";
import { runSqliteJob } from "../backup/sqlite-worker.ts";
import type { Services } from "../services.ts";
import { adminRefusal } from "./lifecycle.ts";
import { parseWith, readJson } from "./http.ts";

const RestoreBody = z.object({ backupId: z.string().trim().min(1, "backupId is required") });

const MB = 1024 * 1024;

const stamp = () => new Date().toISOString().replace(/[:.]/g, "-");

function refusal(err: unknown): Response {
  if (err instanceof IncompatibleDatabase) return Response.json({ error: err.message }, { status: 400 });
  if (err instanceof BackupNotFound) return Response.json({ error: err.message }, { status: err.message.startsWith("Invalid") ? 400 : 404 });
  throw err;
}

/** Writes the upload to `dest`, refusing more than `limit` bytes; returns the name it came with. */
async function receiveUpload(request: Request, dest: string, limit: number): Promise<{ filename: string } | Response> {
  const tooLarge = () => Response.json({ error: `File too large. Maximum allowed size is ${limit / MB} MB.` }, { status: 413 });
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > limit + 64 * 1024) return tooLarge(); // multipart framing adds a little
  const type = request.headers.get("content-type") ?? "";
  if (type.includes("multipart/form-data")) {
    const form = await request.formData().catch(() => null);
    const file = form?.get("file");
    if (!file || typeof file === "string") return Response.json({ error: "No file provided. Upload a .sqlite file in the \"file\" field." }, { status: 400 });
    if (file.size > limit) return tooLarge();
    if (file.size === 0) return Response.json({ error: "The uploaded file is empty." }, { status: 400 });
    await Bun.write(dest, file);
    return { filename: file.name || "import.sqlite" };
  }
  // A raw body (curl --data-binary @file): no multipart parsing, streamed to disk.
  const filename = new URL(request.url).searchParams.get("filename") || "import.sqlite";
  const sink = Bun.file(dest).writer();
  let size = 0;
  try {
    const reader = request.body?.getReader();
    for (let r = await reader?.read(); r && !r.done; r = await reader!.read()) {
      size += r.value.length;
      if (size > limit) {
        await reader!.cancel();
        return tooLarge();
      }
      sink.write(r.value);
    }
  } finally {
    await sink.end();
  }
  if (size === 0) return Response.json({ error: "No file content provided." }, { status: 400 });
  return { filename };
}

export function backupRoutes(services: Services) {
  const { backups, config } = services;

  return new Elysia({ name: "admin-backups" })
    .onBeforeHandle(({ request }) => {
      if (new URL(request.url).pathname.startsWith("/api/db-backups")) return adminRefusal(services, request) ?? undefined;
    })

    .get("/api/db-backups", () => ({
      backups: backups.list(),
      retention: { ...backups.retention, intervalHours: config.backupIntervalHours, nextAutomaticAt: iso(backups.nextDueAt()) },
    }))

    .put("/api/db-backups", async () => {
      const b = await backups.create("manual");
      return { created: true, ...b };
    })

    .post("/api/db-backups", async ({ request }) => {
      const { backupId } = parseWith(RestoreBody, await readJson(request));
      try {
        const result = await backups.restore(backupId);
        return { restored: true, backupId, ...result };
      } catch (err) {
        return refusal(err);
      }
    })

    .get("/api/db-backups/export", async () => {
      const snap = await backups.snapshotToStaging("export");
      return streamAndDelete(snap.path, {
        "content-type": "application/vnd.sqlite3",
        "content-disposition": `attachment; filename="omniroute-backup-${stamp()}.sqlite"`,
        "x-checksum-sha256": snap.sha256,
      });
    })

    .get("/api/db-backups/exportAll", async ({ request }) => {
      const includeSecrets = /^(1|true|yes)$/i.test(new URL(request.url).searchParams.get("includeSecrets") ?? "");
      const archive = await buildFullArchive(backups, { db: services.db, config }, { includeSecrets });
      return streamAndDelete(archive.path, {
        "content-type": "application/gzip",
        "content-disposition": `attachment; filename="${archive.filename}"`,
        "x-checksum-sha256": archive.sha256,
      });
    })

    .post(
      "/api/db-backups/import",
      async ({ request }) => {
        const staged = stagingFile(config.dataDir, "import");
        try {
          const received = await receiveUpload(request, staged, config.backupImportMaxMb * MB);
          if (received instanceof Response) return received;
          const digest = await runSqliteJob({ op: "hash", path: staged });
          const result = await backups.importFile(staged);
          return { imported: true, filename: received.filename, size: digest.size, sha256: digest.sha256, ...result };
        } catch (err) {
          return refusal(err);
        } finally {
          rmSync(staged, { force: true });
        }
      },
      // The handler reads the body itself (multipart or raw, with a size limit).
      { parse: "none" },
    );
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
