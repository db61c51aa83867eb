// What every dashboard page uses: the page registry's shape, rendering a full page or (for an
// htmx request) just the fragment, reading form fields, and calling the /api/* control plane.
//
// The dashboard never writes to the database itself: each form is turned into the JSON body
// of the matching /api/* call and dispatched in process through the app (no socket). The
// dashboard thus has exactly the API's validation, error messages and side effects (reload,
// audit hooks), and a user can read in docs/api.md what each button does.
import type { Elysia } from "elysia";
import type { Services } from "../services.ts";
import type { AuthState } from "./auth/state.ts";
import { Layout, type NavLink } from "../../views/layout.tsx";
import { inheritPeer } from "../server.ts";

export type Dispatch = (request: Request) => Promise<Response>;

export interface ApiResult<T = any> {
  ok: boolean;
  status: number;
  data: T;
  /** The API's message when !ok. */
  error: string | null;
  /** Per-field messages from the API's validation envelope ({field → message}). */
  fields: Record<string, string>;
}

export interface Dash {
  services: Services;
  auth: AuthState;
  nav: NavLink[];
  /**
   * `onBehalfOf`: the browser's request, whose TCP peer and X-Forwarded-For the call carries (for
   * the API checks that look at the caller's address, e.g. the IP filter's "would refuse you").
   */
  api<T = any>(method: string, path: string, body?: unknown, onBehalfOf?: Request): Promise<ApiResult<T>>;
  /** The raw /api/* response (downloads, uploads), with the same in-process credentials. */
  forward(method: string, path: string, init?: { body?: BodyInit | null; headers?: Record<string, string> }): Promise<Response>;
}

/** One navigation entry and the routes behind it. Adding a page = one file + one line in pages/index.ts. */
export interface DashboardPage {
  path: string;
  label: string;
  group: NavLink["group"];
  /** Position inside its group. */
  order: number;
  routes(dash: Dash): Elysia<any, any, any, any, any, any, any>;
}

/** In-process credentials: the internal token (never leaves the process), marked for the audit trail. */
const internalHeaders = (auth: AuthState): Record<string, string> => ({ authorization: `Bearer ${auth.internalToken}`, "x-omniroute-via": "dashboard" });

export function makeForwarder(auth: AuthState, dispatch: Dispatch): Dash["forward"] {
  return (method, path, init = {}) =>
    dispatch(new Request(`http://localhost${path}`, { method, headers: { ...init.headers, ...internalHeaders(auth) }, body: init.body ?? undefined }));
}

export function makeApiClient(auth: AuthState, dispatch: Dispatch): Dash["api"] {
  return async (method, path, body, onBehalfOf) => {
    const headers = internalHeaders(auth);
    if (body !== undefined) headers["content-type"] = "application/json";
    const forwardedFor = onBehalfOf?.headers.get("x-forwarded-for");
    if (forwardedFor) headers["x-forwarded-for"] = forwardedFor;
    const request = new Request(`http://localhost${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (onBehalfOf) inheritPeer(request, onBehalfOf);
    const res = await dispatch(request);
    const text = await res.text();
    let data: any = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = text;
    }
    if (res.ok) return { ok: true, status: res.status, data, error: null, fields: {} };
    const err = data?.error;
    const fields: Record<string, string> = {};
    if (err && typeof err === "object" && Array.isArray(err.details)) {
      for (const d of err.details) if (d && typeof d.field === "string") fields[d.field] ??= String(d.message);
    }
    const message = typeof err === "string" ? err : typeof err?.message === "string" ? err.message : `Request failed (${res.status})`;
    return { ok: false, status: res.status, data, error: message, fields };
  };
}

/** An htmx request for a fragment (a boosted navigation wants the whole page). */
export function isHx(request: Request): boolean {
  return request.headers.get("hx-request") === "true" && request.headers.get("hx-boosted") !== "true";
}

export function html(body: string, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(body, {
    status,
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", ...headers },
  });
}

/**
 * A page response: the whole document, or only `body` when htmx asked for a fragment.
 * `fragment` overrides what an htmx request gets (e.g. just the section a form replaced).
 */
export function renderPage(
  dash: Dash,
  request: Request,
  opts: { title: string; current: string; body: string; fragment?: string; status?: number },
): Response {
  if (isHx(request)) return html(opts.fragment ?? opts.body, opts.status ?? 200);
  const doc = Layout({ title: opts.title, nav: dash.nav, current: opts.current, loginEnforced: dash.auth.loginEnforced, children: opts.body });
  return html(doc as string, opts.status ?? 200);
}

/** A form field as a trimmed string; a repeated field (hidden default + checkbox) gives its last value. */
export function field(body: unknown, name: string): string {
  const v = (body as Record<string, unknown> | null)?.[name];
  const last = Array.isArray(v) ? v[v.length - 1] : v;
  return typeof last === "string" ? last.trim() : typeof last === "number" || typeof last === "boolean" ? String(last) : "";
}

/** A checkbox posted as `name=false` (hidden) then `name=true` (the box, when ticked). */
export function checkbox(body: unknown, name: string): boolean {
  return ["true", "on", "1"].includes(field(body, name));
}

/** The origin clients should use: the one the browser used, as a proxy in front reports it. */
export function publicBaseUrl(request: Request): string {
  const url = new URL(request.url);
  const proto = request.headers.get("x-forwarded-proto")?.split(",")[0]?.trim() || url.protocol.replace(":", "");
  const host = request.headers.get("x-forwarded-host")?.split(",")[0]?.trim() || request.headers.get("host") || url.host;
  return `${proto}://${host}`;
}

/** First message among the named fields, else the general error: for forms with few inputs. */
export function firstError(result: ApiResult, ...names: string[]): string | null {
  for (const n of names) if (result.fields[n]) return result.fields[n]!;
  return result.error;
}
