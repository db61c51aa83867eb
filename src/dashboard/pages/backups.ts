// /dashboard/backups: list, create, restore, download and import through /api/db-backups*.
// Those endpoints are admin-only (loopback or ADMIN_TOKEN); the dashboard calls them in
// process, which counts as local (src/admin/lifecycle.ts), so a logged-in operator can use
// them from anywhere. Downloads and the upload are passed through as they are (streams).
import { Elysia } from "elysia";
import { BackupsArea, BackupsPage, type BackupsProps } from "../../../views/backups.tsx";
import { field, renderPage, type Dash, type DashboardPage } from "../http.ts";

const PATH = "/dashboard/backups";

/** An API download answered to the browser: body and file headers only. */
function passThrough(res: Response): Response {
  const headers = new Headers({ "cache-control": "no-store" });
  for (const h of ["content-type", "content-disposition", "content-length", "x-checksum-sha256"]) {
    const v = res.headers.get(h);
    if (v) headers.set(h, v);
  }
  return new Response(res.body, { status: res.status, headers });
}

export function backupRoutes(dash: Dash) {
  async function page(request: Request, opts: { notice?: string | null; error?: string | null; status?: number } = {}) {
    const res = await dash.api("GET", "/api/db-backups");
    const props: BackupsProps = { backups: res.ok ? res.data.backups : [], retention: res.ok ? res.data.retention : null, notice: opts.notice, error: opts.error ?? (res.ok ? null : res.error) };
    return renderPage(dash, request, { title: "Backups", current: PATH, body: BackupsPage(props) as string, fragment: BackupsArea(props) as string, status: opts.status });
  }

  return new Elysia({ name: "dashboard-backups" })
    .get(PATH, ({ request }) => page(request))
    .post(`${PATH}/create`, async ({ request }) => {
      const res = await dash.api("PUT", "/api/db-backups");
      return page(request, res.ok ? { notice: `Backup ${res.data.filename ?? ""} written.` } : { error: res.error, status: res.status });
    })
    .post(`${PATH}/restore`, async ({ request, body }) => {
      const res = await dash.api("POST", "/api/db-backups", { backupId: field(body, "backupId") });
      if (!res.ok) return page(request, { error: res.error, status: res.status });
      return page(request, { notice: `Restored. The database it replaced was saved as ${res.data.safetyBackup ?? "a pre-restore backup"}. If the restored database has another dashboard password, log in again with that one.` });
    })
    .post(`${PATH}/import`, async ({ request }) => {
      const res = await dash.forward("POST", "/api/db-backups/import", { body: request.body, headers: { "content-type": request.headers.get("content-type") ?? "application/octet-stream" } });
      const data = (await res.json().catch(() => ({}))) as Record<string, any>;
      if (!res.ok) return page(request, { error: typeof data.error === "string" ? data.error : `Import failed (${res.status})`, status: res.status });
      return page(request, { notice: `Imported ${data.filename ?? "the file"}: ${data.connectionCount ?? 0} connections, ${data.apiKeyCount ?? 0} keys.` });
    })
    .get(`${PATH}/export`, async () => passThrough(await dash.forward("GET", "/api/db-backups/export")))
    .get(`${PATH}/export-all`, async () => passThrough(await dash.forward("GET", "/api/db-backups/exportAll")));
}

export const backupsPage: DashboardPage = { path: PATH, label: "Backups", group: "System", order: 20, routes: backupRoutes };
