// The compliance audit log: one row per control-plane write (who, what, when, from where,
// outcome). Entries are built from the route and status only — never from request bodies —
// so a secret sent to the control plane cannot end up here; a handler that wants to say more
// (the id of the key it created) adds vetted details with annotate().
import { and, count, desc, eq, gte, type SQL } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import * as t from "../db/schema.ts";
import { redactJson } from "./redact.ts";
import { deleteInChunks } from "./rollup.ts";

export interface AuditNote {
  /** Replaces the action derived from method + route (e.g. "keys.revoke"). */
  action?: string;
  target?: string;
  details?: Record<string, unknown>;
}

export interface AuditEvent {
  actor: string;
  method: string;
  path: string;
  /** The route pattern, e.g. /api/keys/:id. */
  route: string;
  status: number;
  ip: string | null;
  userAgent: string | null;
  forwardedFor?: string | null;
}

export interface AuditQuery {
  limit: number;
  offset: number;
  action?: string;
  actor?: string;
  since?: number;
}

const VERB: Record<string, string> = { POST: "create", PUT: "update", PATCH: "update", DELETE: "delete" };

/**
 * "POST /api/keys" → keys.create, "PATCH /api/keys/:id" → keys.update, "POST
 * /api/providers/:id/test" → providers.test, "POST /api/auth/login" → auth.login.
 */
export function actionOf(method: string, route: string): string {
  const all = route.split("/").filter(Boolean);
  const segments = (all[0] === "api" ? all.slice(1) : all).filter((s) => !s.startsWith(":") && s !== "*");
  const last = all.at(-1) ?? "";
  const operation = method === "POST" && segments.length > 1 && !last.startsWith(":");
  if (operation) return segments.join(".");
  return `${segments.join(".") || "root"}.${VERB[method] ?? method.toLowerCase()}`;
}

/** The first path parameter (`:id`), read from the path by the route's shape. */
export function targetOf(path: string, route: string): string | null {
  const r = route.split("/");
  const p = path.split("/");
  for (let i = 0; i < r.length; i++) {
    if (r[i]!.startsWith(":")) return p[i] ? decodeURIComponent(p[i]!) : null;
    if (r[i] === "*") return p.slice(i).join("/") || null;
  }
  return null;
}

/** Deletes entries older than `cutoff` (ms), in small chunks; returns how many. */
export function pruneAuditLog(sqlite: Db["$client"], cutoff: number): Promise<number> {
  return deleteInChunks(sqlite, "DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE timestamp < $cutoff LIMIT $chunk)", cutoff);
}

export class AuditLog {
  private readonly notes = new WeakMap<Request, AuditNote>();

  constructor(private readonly db: Db) {}

  /** Lets a handler name the action precisely and add details (never secrets). */
  annotate(request: Request, note: AuditNote): void {
    this.notes.set(request, { ...this.notes.get(request), ...note });
  }

  record(request: Request, event: AuditEvent): void {
    const note = this.notes.get(request);
    const details: Record<string, unknown> = { ...(note?.details ?? {}) };
    if (event.forwardedFor) details.forwardedFor = event.forwardedFor;
    this.db
      .insert(t.auditLog)
      .values({
        timestamp: Date.now(),
        actor: event.actor,
        action: note?.action ?? actionOf(event.method, event.route),
        method: event.method,
        path: event.path,
        target: note?.target ?? targetOf(event.path, event.route),
        status: event.status,
        ip: event.ip,
        userAgent: event.userAgent?.slice(0, 512) ?? null,
        // Belt and braces: whatever a handler passed is redacted like a logged body.
        details: Object.keys(details).length ? (redactJson(details) as Record<string, unknown>) : null,
      })
      .run();
  }

  list(q: AuditQuery) {
    const where: SQL[] = [];
    if (q.action) where.push(eq(t.auditLog.action, q.action));
    if (q.actor) where.push(eq(t.auditLog.actor, q.actor));
    if (q.since !== undefined) where.push(gte(t.auditLog.timestamp, q.since));
    const cond = where.length ? and(...where) : undefined;
    const rows = this.db.select().from(t.auditLog).where(cond).orderBy(desc(t.auditLog.id)).limit(q.limit).offset(q.offset).all();
    const total = this.db.select({ n: count() }).from(t.auditLog).where(cond).get()?.n ?? 0;
    return {
      entries: rows.map((r) => ({
        id: r.id,
        timestamp: new Date(r.timestamp).toISOString(),
        actor: r.actor,
        action: r.action,
        method: r.method,
        path: r.path,
        target: r.target,
        status: r.status,
        outcome: r.status < 400 ? "success" : "failure",
        ip: r.ip,
        userAgent: r.userAgent,
        ...(r.details ? { details: r.details } : {}),
      })),
      total,
      limit: q.limit,
      offset: q.offset,
    };
  }
}
