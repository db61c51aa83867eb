// /dashboard/audit: the compliance trail (/api/compliance/audit-log), filtered and paged.
import { Elysia } from "elysia";
import { AuditArea, AuditPage, type AuditProps } from "../../../views/audit.tsx";
import { renderPage, type Dash, type DashboardPage } from "../http.ts";

const PATH = "/dashboard/audit";
const LIMIT = 50;

export function auditRoutes(dash: Dash) {
  return new Elysia({ name: "dashboard-audit" }).get(PATH, async ({ request, query }) => {
    const offset = Math.max(0, Math.floor(Number(query.offset) || 0));
    const actor = typeof query.actor === "string" ? query.actor.trim() : "";
    const action = typeof query.action === "string" ? query.action.trim() : "";
    const q = new URLSearchParams({ limit: String(LIMIT), offset: String(offset), ...(actor ? { actor } : {}), ...(action ? { action } : {}) });
    const res = await dash.api("GET", `/api/compliance/audit-log?${q}`);
    const p: AuditProps = {
      entries: res.ok ? res.data.entries : [],
      total: res.ok ? res.data.total : 0,
      offset,
      limit: LIMIT,
      actor,
      action,
      error: res.ok ? null : res.error,
    };
    return renderPage(dash, request, { title: "Audit log", current: PATH, body: AuditPage(p) as string, fragment: AuditArea(p) as string });
  });
}

export const auditPage: DashboardPage = { path: PATH, label: "Audit log", group: "Observe", order: 30, routes: auditRoutes };
