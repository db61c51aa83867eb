// The compliance audit log: GET /api/compliance/audit-log?limit=N, and the hook that writes
// it. The hook sits in front of the control plane (app.ts registers it before the /api/*
// plugins, so it sees every one of their routes) and records each write — POST, PUT, PATCH,
// DELETE on /api/* and the login pages — as its answer leaves: who (admin token, dashboard
// session, the dashboard itself, a gateway key, or anonymous), what (action from the route,
// target id), when, from which IP, and the status. Bodies are never read (see audit-log.ts).
import { Elysia } from "elysia";
import { z } from "zod";
import { authOf } from "../dashboard/auth/state.ts";
import { presentedKey } from "../gateway/auth.ts";
import { hashApiKey } from "../security/api-keys.ts";
import { clientOf } from "../server.ts";
import type { Services } from "../services.ts";
import { parseWith } from "./http.ts";

const WRITES = new Set(["POST", "PUT", "PATCH", "DELETE"]);
/** Gateway (Ollama) paths under /api: client traffic, not control-plane changes. */
const GATEWAY_PATHS = new Set(["/api/chat", "/api/tags", "/api/version"]);
/** The dashboard's own login pages, named like their /api/auth counterparts. */
const LOGIN_PAGES = new Map([
  ["/login", "auth.login"],
  ["/login/setup", "auth.setup"],
  ["/login/skip", "auth.skip"],
  ["/logout", "auth.logout"],
]);

export const isAudited = (method: string, path: string) =>
  WRITES.has(method) && ((path.startsWith("/api/") && !GATEWAY_PATHS.has(path)) || LOGIN_PAGES.has(path));

const AuditQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
  action: z.string().min(1).optional(),
  actor: z.string().min(1).optional(),
  since: z.coerce.number().int().min(0).optional(),
});

/** Who made a control-plane request. Identifies, never quotes, the credential. */
function actorOf(services: Services, request: Request): string {
  const auth = authOf(services);
  if (auth.hasAdminToken(request)) return request.headers.get("x-omniroute-via") === "dashboard" ? "dashboard" : "admin-token";
  const session = auth.sessionOf(request);
  if (session) return `session:${session.sid.slice(0, 8)}`;
  const key = presentedKey(request);
  const record = key ? services.store.keysByHash.get(hashApiKey(key)) : undefined;
  if (record) return `key:${record.name}`;
  return "anonymous";
}

function statusOf(responseValue: unknown, fallback: unknown): number {
  if (responseValue instanceof Response) return responseValue.status;
  return typeof fallback === "number" ? fallback : 200;
}

/** What the hook reads of Elysia's context. */
interface HookContext {
  request: Request;
  route: string;
  set: { status?: number | string };
  responseValue?: unknown;
}

/**
 * The hook; `.use()` it before the routes it should see. mapResponse runs for every answer
 * of a matched route — a handler's and the error handler's alike — synchronously before it
 * leaves, so an entry is written before the client hears back and none is lost at shutdown.
 */
export function auditTrail(services: Services) {
  // Only these context properties are named: touching `body` would make Elysia parse every
  // body before handlers that read the raw request themselves.
  return new Elysia({ name: "audit-trail" }).mapResponse({ as: "global" }, ({ request, route, set, responseValue }: HookContext) => {
    const method = request.method;
    if (!WRITES.has(method) || !route) return;
    const path = new URL(request.url).pathname;
    if (!isAudited(method, path)) return;
    const page = LOGIN_PAGES.get(path);
    if (page) services.audit.annotate(request, { action: page });
    try {
      services.audit.record(request, {
        actor: actorOf(services, request),
        method,
        path,
        route,
        status: statusOf(responseValue, set.status),
        ip: clientOf(request) ?? null,
        userAgent: request.headers.get("user-agent"),
        forwardedFor: request.headers.get("x-forwarded-for"),
      });
    } catch (err) {
      console.error(`[audit] could not record ${method} ${path}: ${(err as Error).message}`);
    }
  });
}

export function auditRoutes(services: Services) {
  return new Elysia({ name: "admin-audit" }).get("/api/compliance/audit-log", ({ query }) => services.audit.list(parseWith(AuditQuery, query)));
}
