// Driving the dashboard in process: a gateway with a password, a logged-in cookie, form posts
// as a browser (or htmx) sends them.
import { expect } from "bun:test";
import type { Config } from "../../src/config.ts";
import { startGateway, type TestGateway } from "../support/gateway.ts";

export const PASSWORD = "correct horse battery";
export const ORIGIN = "http://localhost";
export const HOSTILE = "<script>alert(1)</script>";

export const ADMIN_TOKEN = "test-admin-token";

export interface Browser {
  gw: TestGateway;
  cookie: string;
  /** The JSON control plane, as a script with the admin token calls it (for setting things up). */
  api(method: string, path: string, json?: unknown): Promise<Response>;
  get(path: string, opts?: { hx?: boolean; headers?: Record<string, string> }): Promise<Response>;
  post(path: string, fields?: Record<string, string>, opts?: { hx?: boolean; headers?: Record<string, string> }): Promise<Response>;
}

/** The `auth_token=…` pair from a Set-Cookie header. */
export function cookieFrom(res: Response): string {
  const set = res.headers.getSetCookie().find((c) => c.startsWith("auth_token="));
  expect(set, "a session cookie").toBeTruthy();
  return set!.split(";")[0]!;
}

export async function login(gw: TestGateway, password = PASSWORD): Promise<string> {
  const res = await gw.request("/api/auth/login", { method: "POST", json: { password } });
  expect(res.status).toBe(200);
  return cookieFrom(res);
}

/** A gateway whose dashboard is protected by PASSWORD, and a browser logged in to it. */
export async function loggedIn(overrides: Partial<Config> = {}): Promise<Browser> {
  const gw = await startGateway({ initialPassword: PASSWORD, adminToken: ADMIN_TOKEN, ...overrides });
  const cookie = await login(gw);
  const headers = (hx?: boolean, extra: Record<string, string> = {}) => ({ cookie, ...(hx ? { "hx-request": "true" } : {}), ...extra });
  return {
    gw,
    cookie,
    api: (method, path, json) => gw.request(path, { method, json, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }),
    get: (path, opts = {}) => gw.request(path, { headers: headers(opts.hx, opts.headers) }),
    post: (path, fields = {}, opts = {}) =>
      gw.request(path, {
        method: "POST",
        headers: { ...headers(opts.hx, opts.headers), origin: ORIGIN, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(fields).toString(),
      }),
  };
}

/**
 * Asserts `html` shows the hostile string only as text: escaped in content, never as markup.
 * Attribute values are dropped first (a "<" inside a quoted attribute is inert, and the
 * renderer escapes the quote that could end it).
 */
export function expectEscaped(html: string, hostile = HOSTILE): void {
  expectNoMarkup(html, hostile);
  expect(html).toContain(Bun.escapeHTML(hostile));
}

/** The hostile string never appears as markup (it may be absent, or inside a quoted attribute). */
export function expectNoMarkup(html: string, hostile = HOSTILE): void {
  const withoutAttributes = html.replace(/\s[\w:.-]+="[^"]*"/g, "");
  expect(withoutAttributes).not.toContain(hostile);
}

/** A full document, not an htmx fragment. */
export function expectPage(html: string): void {
  expect(html.startsWith("<!doctype html>")).toBe(true);
  expect(html).toContain('<nav class="sidebar"');
}

export function expectFragment(html: string): void {
  expect(html).not.toContain("<html");
  expect(html).not.toContain('<nav class="sidebar"');
}

/** Adds a provider connection through /api/providers (as test/support/setup.ts does, with the admin token). */
export async function addConnection(b: Browser, opts: { provider: string; apiKey?: string; baseUrl?: string; name?: string }): Promise<{ id: string }> {
  const res = await b.api("POST", "/api/providers", {
    provider: opts.provider,
    apiKey: opts.apiKey ?? "sk-fake-upstream",
    name: opts.name ?? `${opts.provider}-test`,
    ...(opts.baseUrl ? { providerSpecificData: { baseUrl: opts.baseUrl } } : {}),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as any).connection;
}
