// POST /api/restart and POST /api/shutdown (API reference, "API interne/di sistema"), and the
// admin-only rule they share with the backup endpoints.
//
// Admin-only means: the request comes from this machine (a loopback peer, not relayed by a
// proxy on it), or it carries the admin token (`Authorization: Bearer <ADMIN_TOKEN>`) when one
// is configured. In-process calls (app.handle, the dashboard rendering its pages) have no peer
// and count as local. A reverse proxy on the same host makes every client look local, so a
// loopback request carrying Forwarded / X-Forwarded-For / X-Real-IP is treated as remote.
import { createHash, timingSafeEqual } from "node:crypto";
import { Elysia } from "elysia";
import { peerOf } from "../server.ts";
import type { Services } from "../services.ts";

const FORWARDING_HEADERS = ["forwarded", "x-forwarded-for", "x-real-ip"];

export function isLoopbackAddress(address: string): boolean {
  return /^127\./.test(address) || address === "::1" || /^::ffff:127\./i.test(address);
}

/** Local: no peer (in process), or a loopback peer whose request no proxy relayed. */
export function isLocalRequest(request: Request, peer: string | undefined = peerOf(request)): boolean {
  if (peer === undefined) return true;
  if (!isLoopbackAddress(peer)) return false;
  return !FORWARDING_HEADERS.some((h) => request.headers.has(h));
}

function sameSecret(a: string, b: string): boolean {
  // Hash first so the comparison takes the same time whatever the lengths.
  return timingSafeEqual(createHash("sha256").update(a).digest(), createHash("sha256").update(b).digest());
}

export function carriesAdminToken(request: Request, token: string | undefined): boolean {
  if (!token) return false;
  const m = /^Bearer\s+(.+)$/i.exec(request.headers.get("authorization")?.trim() ?? "");
  return m !== null && sameSecret(m[1]!.trim(), token);
}

/** null when the request may use admin-only endpoints, else the 403 to answer. */
export function adminRefusal(services: Services, request: Request, peer?: string): Response | null {
  if (isLocalRequest(request, peer ?? peerOf(request))) return null;
  if (carriesAdminToken(request, services.config.adminToken)) return null;
  const how = services.config.adminToken ? "send the admin token (Authorization: Bearer …)" : "set ADMIN_TOKEN and send it as a Bearer token";
  return Response.json({ error: `Admin only: call from the server itself (loopback) or ${how}.` }, { status: 403 });
}

export function lifecycleRoutes(services: Services) {
  return new Elysia({ name: "admin-lifecycle" })
    .post("/api/restart", ({ request }) => {
      const refused = adminRefusal(services, request);
      if (refused) return refused;
      if (!services.lifecycle) return Response.json({ error: "Restart is not available in this process" }, { status: 503 });
      // The answer goes out first; the drain and re-exec start a moment later.
      const mode = services.lifecycle.restart("POST /api/restart");
      return { status: "restarting", mode };
    })
    .post("/api/shutdown", ({ request }) => {
      const refused = adminRefusal(services, request);
      if (refused) return refused;
      if (!services.lifecycle) return Response.json({ error: "Shutdown is not available in this process" }, { status: 503 });
      services.lifecycle.shutdown("POST /api/shutdown");
      return { success: true, message: "Shutting down..." };
    });
}
