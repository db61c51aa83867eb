// The gate in front of the control plane (/api/*) and the dashboard (/dashboard/*). It runs on
// every request before routing (onRequest applies app-wide), and lets gateway paths (/v1/*,
// /v1beta/*, Ollama's /api/chat, /api/tags, /api/version) through untouched: those have
// their own API keys.
//
// CSRF: a state-changing request (not GET/HEAD/OPTIONS) must come from this site. Browsers
// send Origin on every such fetch/XHR/form post, so one that names another host is refused,
// and one that carries our session cookie but no Origin (nor Referer) is refused too. Scripts
// (curl, SDKs) send neither the cookie nor an Origin and pass; an admin token is not something
// a browser attaches on its own, so it skips the check. SameSite=Strict on the cookie is the
// second layer.
import { Elysia } from "elysia";
import { isControlPlanePath } from "../../app.ts";
import { VERSION } from "../../config.ts";
import type { Services } from "../../services.ts";
import { readCookie, SESSION_COOKIE } from "./session.ts";
import { authOf } from "./state.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
/** Pages that must work without a session (they are how one gets a session). */
export const AUTH_PAGES = new Set(["/login", "/login/setup", "/login/skip", "/logout"]);
/** Control-plane endpoints open without a session: logging in and out. */
const OPEN_API = new Set(["/api/auth/login", "/api/auth/logout"]);

export function isDashboardPath(path: string): boolean {
  return path === "/dashboard" || path.startsWith("/dashboard/");
}

/** The host the browser addressed: a proxy's X-Forwarded-Host, else Host, else the URL's. */
function ownHost(request: Request): string {
  const forwarded = request.headers.get("x-forwarded-host")?.split(",")[0]?.trim();
  return forwarded || request.headers.get("host") || new URL(request.url).host;
}

function originOf(request: Request): string | null {
  const origin = request.headers.get("origin");
  if (origin) return origin;
  const referer = request.headers.get("referer");
  if (!referer) return null;
  try {
    return new URL(referer).origin;
  } catch {
    return "null";
  }
}

/** A 403 when a state-changing request did not come from this site's pages; null when it may pass. */
export function crossSiteRefusal(request: Request): Response | null {
  const origin = originOf(request);
  if (origin) {
    try {
      if (new URL(origin).host === ownHost(request)) return null;
    } catch {
      // "null" (sandboxed frames, some privacy modes) and garbage fall through to the refusal.
    }
    return Response.json({ error: "Cross-origin request refused" }, { status: 403 });
  }
  if (readCookie(request, SESSION_COOKIE)) {
    return Response.json({ error: "Request without Origin refused (CSRF protection)" }, { status: 403 });
  }
  return null;
}

/** Where to send a browser that needs to log in; only our own dashboard paths are kept as `next`. */
export function safeNext(next: string | null | undefined): string {
  // Control characters would break the Location header; "//" would leave the site.
  if (!next || next.startsWith("//") || /[\u0000-\u001f\u007f\\]/.test(next)) return "/dashboard";
  return isDashboardPath(next.split("?")[0]!) ? next : "/dashboard";
}

function loginRedirect(request: Request, url: URL): Response {
  const target = `/login?next=${encodeURIComponent(url.pathname + url.search)}`;
  // htmx follows HX-Redirect with a full page load instead of swapping a login page into a fragment.
  if (request.headers.get("hx-request")) return new Response(null, { status: 401, headers: { "HX-Redirect": target } });
  return new Response(null, { status: 303, headers: { location: target } });
}

/** Cheap pre-filter on the raw URL: only /api/, /dashboard, /login and /logout can need the guard. */
function mayConcernAuth(rawUrl: string): boolean {
  const start = rawUrl.indexOf("/", rawUrl.indexOf("//") + 2);
  if (start < 0) return false;
  return rawUrl.startsWith("/api/", start) || rawUrl.startsWith("/dashboard", start) || rawUrl.startsWith("/login", start) || rawUrl.startsWith("/logout", start);
}

export function authGuard(services: Services) {
  const auth = authOf(services);

  /** What an anonymous probe may learn while login is enforced: up or not, and nothing else. */
  function minimalHealth(): Response {
    let ok = true;
    try {
      services.db.$client.query("SELECT 1").get();
    } catch {
      ok = false;
    }
    return Response.json({ status: ok ? "healthy" : "degraded", timestamp: new Date().toISOString(), version: VERSION });
  }

  function minimalInit(): Response {
    return Response.json({ initialized: true, version: VERSION, requireLogin: true });
  }

  return new Elysia({ name: "auth-guard" }).onRequest(({ request }) => {
    // Runs for gateway requests too: leave them with a string check, before any URL parsing.
    if (!mayConcernAuth(request.url)) return;
    const url = new URL(request.url);
    const path = url.pathname;
    const dashboard = isDashboardPath(path);
    const api = isControlPlanePath(path);
    const authPage = AUTH_PAGES.has(path);
    if (!dashboard && !api && !authPage) return;

    const admin = auth.hasAdminToken(request);
    if (!SAFE_METHODS.has(request.method) && !admin) {
      const refused = crossSiteRefusal(request);
      if (refused) return refused;
    }
    if (authPage || OPEN_API.has(path)) return;

    if (!auth.loginEnforced) {
      // First visit of a fresh install: offer to set a password before showing the dashboard.
      if (dashboard && auth.setupPending && request.method === "GET" && !request.headers.get("hx-request")) {
        return loginRedirect(request, url);
      }
      return;
    }
    if (admin || auth.sessionOf(request)) return;

    if (api) {
      if (path === "/api/monitoring/health") return minimalHealth();
      if (path === "/api/init") return minimalInit();
      return Response.json({ error: "Authentication required" }, { status: 401 });
    }
    return loginRedirect(request, url);
  });
}
