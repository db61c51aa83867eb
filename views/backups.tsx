import { Alert, Badge, EmptyState, PageHeader, Section, Spinner } from "./components.tsx";
import { fmtBytes } from "./format.ts";

export interface BackupItem {
  id: string;
  filename: string;
  createdAt: string;
  size: number;
  reason: string;
  connectionCount: number;
}

export interface BackupsProps {
  backups: BackupItem[];
  retention: Record<string, unknown> | null;
  error?: string | null;
  notice?: string | null;
}

export function BackupsArea(p: BackupsProps) {
  const keep = p.retention?.keep;
  const next = typeof p.retention?.nextAutomaticAt === "string" ? p.retention.nextAutomaticAt : null;
  return (
    <div id="backups-area">
      <Alert tone="ok" message={p.notice} />
      <Alert message={p.error} />
      <Section title="Backups on this machine">
        <div class="row-actions left">
          <form method="post" action="/dashboard/backups/create" hx-post="/dashboard/backups/create" hx-target="#backups-area" hx-indicator="find .spinner" hx-disabled-elt="find button">
            <button type="submit" class="btn primary">
              <Spinner /> Back up now
            </button>
          </form>
          <a class="btn" href="/dashboard/backups/export" download="">
            Download database (.sqlite)
          </a>
          <a class="btn" href="/dashboard/backups/export-all" download="">
            Download full archive (.tar.gz)
          </a>
        </div>
        <p class="muted small" safe>
          {`${keep !== undefined ? `The newest ${keep} are kept. ` : ""}${next ? `Next automatic backup: ${next.slice(0, 16).replace("T", " ")} UTC.` : "Automatic backups are off."} Keep the secret key (data dir) with any copy: without it stored credentials cannot be read.`}
        </p>
        {p.backups.length === 0 ? (
          <EmptyState title="No backups yet">Use “Back up now”, or wait for the automatic one.</EmptyState>
        ) : (
          <div class="table-wrap">
            <table class="table">
              <thead>
                <tr>
                  <th>Backup</th>
                  <th class="num">Size</th>
                  <th class="hide-sm num">Connections</th>
                  <th></th>
                </tr>
              </thead>
              <tbody>
                {p.backups.map((b) => (
                  <tr>
                    <td>
                      <strong safe>{b.createdAt.slice(0, 19).replace("T", " ")}</strong> <Badge text={b.reason} />
                      <div class="muted small" safe>
                        {b.filename}
                      </div>
                    </td>
                    <td class="num" safe>
                      {fmtBytes(b.size)}
                    </td>
                    <td class="num hide-sm" safe>
                      {String(b.connectionCount)}
                    </td>
                    <td class="row-actions">
                      <form method="post" action="/dashboard/backups/restore" hx-post="/dashboard/backups/restore" hx-target="#backups-area" hx-confirm="Replace the current database with this backup? The current one is kept as a pre-restore backup.">
                        <input type="hidden" name="backupId" value={b.id} />
                        <button type="submit" class="btn small">
                          Restore
                        </button>
                      </form>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
      <Section title="Import a database">
        <form method="post" action="/dashboard/backups/import" enctype="multipart/form-data" hx-post="/dashboard/backups/import" hx-encoding="multipart/form-data" hx-target="#backups-area" class="form-grid" hx-confirm="Replace the current database with the uploaded file?">
          <label class="field">
            <span class="field-label">OmniRoute .sqlite file</span>
            <input type="file" name="file" accept=".sqlite,.db,application/vnd.sqlite3" required />
          </label>
          <div class="form-actions">
            <button type="submit" class="btn">
              Import and replace
            </button>
            <span class="muted small">The current database is backed up first; the file is checked before anything is replaced.</span>
          </div>
        </form>
      </Section>
    </div>
  );
}

export function BackupsPage(p: BackupsProps) {
  return (
    <>
      <PageHeader title="Backups" subtitle="Snapshots of the database, downloads and restores." />
      <BackupsArea {...p} />
    </>
  );
}
