// Dashboard login and the control plane behind it: redirects, cookies, passwords, admin token,
// rate limiting and the Origin (CSRF) check.
import { afterEach, describe, expect, test } from "bun:test";
import { startGateway, type TestGateway } from "../support/gateway.ts";
import { cookieFrom, login, ORIGIN, PASSWORD } from "./helpers.ts";

let gw: TestGateway;
afterEach(async () => {
  await gw?.close();
});

const protectedGateway = (extra = {}) => startGateway({ initialPassword: PASSWORD, ...extra });

describe("a fresh install (no password)", () => {
  test("the control plane stays open, the dashboard's first visit offers to set a password", async () => {
    gw = await startGateway();
    expect((await gw.request("/api/keys")).status).toBe(200);
    expect(await (await gw.request("/api/settings/require-login")).json()).toEqual({ requireLogin: true, hasPassword: false, loginEnforced: false });
    const first = await gw.request("/dashboard");
    expect(first.status).toBe(303);
    expect(first.headers.get("location")).toBe("/login?next=%2Fdashboard");
    const setup = await (await gw.request("/login")).text();
    expect(setup).toContain('action="/login/setup"');
    expect(setup).toContain("Continue without a password");
    // The root sends people to the dashboard.
    expect((await gw.request("/")).headers.get("location")).toBe("/dashboard");
  });

  test("skipping keeps everything open and stops offering", async () => {
    gw = await startGateway();
    const skip = await gw.request("/login/skip", { method: "POST", headers: { origin: ORIGIN } });
    expect(skip.status).toBe(303);
    expect((await gw.request("/dashboard")).status).toBe(200);
    expect((await (await gw.request("/api/settings/require-login")).json()).requireLogin).toBe(false);
  });

  test("setting the first password logs the browser in and turns login on", async () => {
    gw = await startGateway();
    const form = (o: Record<string, string>) => ({ method: "POST", headers: { origin: ORIGIN, "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(o).toString() });
    const mismatch = await gw.request("/login/setup", form({ password: "long enough 1", confirm: "long enough 2" }));
    expect(mismatch.status).toBe(400);
    expect(await mismatch.text()).toContain("The two passwords differ");
    const short = await gw.request("/login/setup", form({ password: "short", confirm: "short" }));
    expect(short.status).toBe(400);
    expect(await short.text()).toContain("at least 8 characters");

    const ok = await gw.request("/login/setup", form({ password: PASSWORD, confirm: PASSWORD }));
    expect(ok.status).toBe(303);
    const cookie = cookieFrom(ok);
    expect((await gw.request("/dashboard", { headers: { cookie } })).status).toBe(200);
    expect((await gw.request("/api/keys")).status).toBe(401);
    // A second "first password" is refused: changing it needs the current one (Settings).
    const again = await gw.request("/login/setup", form({ password: "taken over!!", confirm: "taken over!!" }));
    expect(again.headers.get("location")).toBe("/login");
    expect((await gw.request("/api/auth/login", { method: "POST", json: { password: PASSWORD } })).status).toBe(200);
  });
});

describe("with a password (INITIAL_PASSWORD)", () => {
  test("it is stored hashed, never shown by /api/settings", async () => {
    gw = await protectedGateway();
    const row = gw.services.db.$client.query("SELECT value FROM settings WHERE key = 'dashboardPasswordHash'").get() as { value: string };
    expect(row.value).toStartWith('"$argon2');
    expect(row.value).not.toContain(PASSWORD);
    const cookie = await login(gw);
    const settings = await (await gw.request("/api/settings", { headers: { cookie } })).text();
    expect(settings).not.toContain("argon2");
  });

  test("no cookie: pages redirect to /login (htmx gets HX-Redirect), /api/* answers 401 JSON", async () => {
    gw = await protectedGateway();
    const page = await gw.request("/dashboard/keys?x=1");
    expect(page.status).toBe(303);
    expect(page.headers.get("location")).toBe("/login?next=%2Fdashboard%2Fkeys%3Fx%3D1");
    const hx = await gw.request("/dashboard/overview/live", { headers: { "hx-request": "true" } });
    expect(hx.status).toBe(401);
    expect(hx.headers.get("hx-redirect")).toStartWith("/login?next=");
    for (const path of ["/api/keys", "/api/providers", "/api/settings", "/api/settings/require-login", "/api/models/catalog"]) {
      const res = await gw.request(path);
      expect(res.status, path).toBe(401);
      expect(await res.json()).toEqual({ error: "Authentication required" });
    }
    const post = await gw.request("/api/keys", { method: "POST", json: { name: "x" } });
    expect(post.status).toBe(401);
    expect(gw.services.store.keysByHash.size).toBe(0);
  });

  test("what stays open: login, minimal health and init, and the gateway's own /api paths", async () => {
    gw = await protectedGateway();
    const health = (await (await gw.request("/api/monitoring/health")).json()) as any;
    expect(Object.keys(health).sort()).toEqual(["status", "timestamp", "version"]);
    expect(health.status).toBe("healthy");
    const init = (await (await gw.request("/api/init")).json()) as any;
    expect(init).toMatchObject({ initialized: true, requireLogin: true });
    expect(init.dataDir).toBeUndefined();
    expect((await gw.request("/api/tags")).status).toBe(200);
    expect((await gw.request("/api/version")).status).toBe(200);
    expect((await gw.request("/v1/models")).status).toBe(200);
    const login = await gw.request("/login");
    expect(await login.text()).toContain('action="/login"');
    // Logged in, health is the full answer again.
    const cookie = await loginCookie();
    expect(await (await gw.request("/api/monitoring/health", { headers: { cookie } })).json()).toHaveProperty("memoryUsage");
  });

  test("bad password → 401; a good one → a session cookie with the right flags", async () => {
    gw = await protectedGateway();
    const bad = await gw.request("/api/auth/login", { method: "POST", json: { password: "nope" } });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({ error: "Invalid password" });
    expect(bad.headers.getSetCookie()).toEqual([]);
    expect((await gw.request("/api/auth/login", { method: "POST", json: {} })).status).toBe(400);

    const ok = await gw.request("/api/auth/login", { method: "POST", json: { password: PASSWORD } });
    expect(await ok.json()).toEqual({ success: true });
    const set = ok.headers.getSetCookie()[0]!;
    expect(set).toStartWith("auth_token=");
    expect(set).toContain("HttpOnly");
    expect(set).toContain("SameSite=Strict");
    expect(set).toContain("Path=/");
    expect(set).toContain("Max-Age=604800");
    expect(set).not.toContain("Secure");
    // Behind a TLS-terminating proxy the cookie is Secure.
    const https = await gw.request("/api/auth/login", { method: "POST", json: { password: PASSWORD }, headers: { "x-forwarded-proto": "https" } });
    expect(https.headers.getSetCookie()[0]).toContain("; Secure");
  });

  test("the login form: error inline, success redirects to `next` (only a dashboard path)", async () => {
    gw = await protectedGateway();
    const post = (fields: Record<string, string>) =>
      gw.request("/login", { method: "POST", headers: { origin: ORIGIN, "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields).toString() });
    const bad = await post({ password: "wrong", next: "/dashboard/keys" });
    expect(bad.status).toBe(401);
    expect(await bad.text()).toContain("Invalid password");
    const good = await post({ password: PASSWORD, next: "/dashboard/keys" });
    expect(good.status).toBe(303);
    expect(good.headers.get("location")).toBe("/dashboard/keys");
    for (const next of ["//evil.example/x", "https://evil.example/", "/api/keys", "/dashboard\r\nSet-Cookie: x=1", "/dashboard\\evil"]) {
      expect((await post({ password: PASSWORD, next })).headers.get("location")).toBe("/dashboard");
    }
  });

  test("a tampered or foreign cookie is no session", async () => {
    gw = await protectedGateway();
    const cookie = await loginCookie();
    const [name, value] = cookie.split("=") as [string, string];
    // The second-to-last character changed (the last one of a base64url value may carry only padding bits).
    const tampered = `${name}=${value.slice(0, -2)}${value.at(-2) === "A" ? "B" : "A"}${value.slice(-1)}`;
    expect(tampered).not.toBe(cookie);
    expect((await gw.request("/api/keys", { headers: { cookie: tampered } })).status).toBe(401);
    const other = await protectedGateway();
    try {
      expect((await other.request("/api/keys", { headers: { cookie } })).status).toBe(401);
    } finally {
      await other.close();
    }
  });

  test("logout clears the cookie and ends that session", async () => {
    gw = await protectedGateway();
    const cookie = await loginCookie();
    const out = await gw.request("/api/auth/logout", { method: "POST", headers: { cookie, origin: ORIGIN } });
    expect(await out.json()).toEqual({ success: true });
    expect(out.headers.getSetCookie()[0]).toContain("Max-Age=0");
    expect((await gw.request("/api/keys", { headers: { cookie } })).status).toBe(401);
    // The form version redirects to the login page.
    const again = await loginCookie();
    const form = await gw.request("/logout", { method: "POST", headers: { cookie: again, origin: ORIGIN } });
    expect(form.headers.get("location")).toBe("/login");
    expect((await gw.request("/dashboard", { headers: { cookie: again } })).status).toBe(303);
  });

  test("changing the password needs the current one and ends the other sessions", async () => {
    gw = await protectedGateway();
    const cookie = await loginCookie();
    const other = await loginCookie();
    const put = (body: unknown, headers: Record<string, string> = { cookie, origin: ORIGIN }) =>
      gw.request("/api/settings/require-login", { method: "PUT", json: body, headers });
    const missing = await put({ password: "a new password" });
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as any).error.details).toEqual([{ field: "currentPassword", message: "Current password is incorrect" }]);
    expect((await put({ password: "short", currentPassword: PASSWORD })).status).toBe(400);

    const ok = await put({ password: "a new password", currentPassword: PASSWORD });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ success: true, requireLogin: true, hasPassword: true, loginEnforced: true });
    const fresh = cookieFrom(ok);
    expect((await gw.request("/api/keys", { headers: { cookie: other } })).status).toBe(401);
    expect((await gw.request("/api/keys", { headers: { cookie: fresh } })).status).toBe(200);
    expect((await gw.request("/api/auth/login", { method: "POST", json: { password: PASSWORD } })).status).toBe(401);
    expect((await gw.request("/api/auth/login", { method: "POST", json: { password: "a new password" } })).status).toBe(200);
  });

  test("turning requireLogin off needs the current password, then opens the control plane again (and on closes it)", async () => {
    gw = await protectedGateway();
    const cookie = await loginCookie();
    // A session alone (a stolen cookie) cannot open the whole control plane.
    const refused = await gw.request("/api/settings/require-login", { method: "PUT", json: { requireLogin: false }, headers: { cookie, origin: ORIGIN } });
    expect(refused.status).toBe(401);
    expect((await gw.request("/api/keys")).status).toBe(401);
    const off = await gw.request("/api/settings/require-login", {
      method: "PUT",
      json: { requireLogin: false, currentPassword: PASSWORD },
      headers: { cookie, origin: ORIGIN },
    });
    expect(await off.json()).toMatchObject({ requireLogin: false, loginEnforced: false });
    expect((await gw.request("/api/keys")).status).toBe(200);
    // OmniRoute's onboarding posts here too.
    const on = await gw.request("/api/settings/require-login", { method: "POST", json: { requireLogin: true } });
    expect(on.status).toBe(200);
    expect((await gw.request("/api/keys")).status).toBe(401);
  });

  test("the admin token opens /api/* for scripts and can reset a lost password", async () => {
    gw = await protectedGateway({ adminToken: "adm-secret-token" });
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    expect((await gw.request("/api/keys", { headers: bearer("adm-secret-token") })).status).toBe(200);
    expect((await gw.request("/api/keys", { headers: bearer("wrong") })).status).toBe(401);
    // Scripts send no Origin; a cross-site Origin with the token is fine too (browsers cannot attach it).
    const created = await gw.request("/api/keys", { method: "POST", json: { name: "ci" }, headers: { ...bearer("adm-secret-token"), origin: "https://elsewhere.example" } });
    expect(created.status).toBe(201);
    const reset = await gw.request("/api/settings/require-login", { method: "PUT", json: { password: "recovered pass" }, headers: bearer("adm-secret-token") });
    expect(reset.status).toBe(200);
    expect((await gw.request("/api/auth/login", { method: "POST", json: { password: "recovered pass" } })).status).toBe(200);
  });

  async function loginCookie() {
    return login(gw);
  }
});

describe("login attempts are rate-limited per client IP", () => {
  test("5 failures lock that IP out (429 + Retry-After, even for the right password); others are not affected", async () => {
    gw = await protectedGateway();
    const base = await gw.listen();
    // Through a proxy on the same host: the last X-Forwarded-For entry is the client.
    const attempt = (password: string, ip: string) =>
      fetch(`${base}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json", "x-forwarded-for": `1.1.1.1, ${ip}` }, body: JSON.stringify({ password }) });
    for (let i = 0; i < 4; i++) expect((await attempt("wrong", "203.0.113.7")).status).toBe(401);
    const fifth = await attempt("wrong", "203.0.113.7");
    expect(fifth.status).toBe(429);
    expect(Number(fifth.headers.get("retry-after"))).toBeGreaterThan(800);
    const locked = await attempt(PASSWORD, "203.0.113.7");
    expect(locked.status).toBe(429);
    expect(await locked.json()).toEqual({ error: "Too many failed attempts. Try again later." });
    expect((await attempt(PASSWORD, "203.0.113.8")).status).toBe(200);
  });
});

describe("CSRF: state-changing requests must come from this site", () => {
  test("with a session cookie: a foreign Origin or none at all is refused; our own passes", async () => {
    gw = await protectedGateway();
    const cookie = await login(gw);
    const post = (headers: Record<string, string>) => gw.request("/api/keys", { method: "POST", json: { name: "k" }, headers: { cookie, ...headers } });
    const foreign = await post({ origin: "https://evil.example" });
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toEqual({ error: "Cross-origin request refused" });
    expect((await post({})).status).toBe(403);
    expect((await post({ origin: "null" })).status).toBe(403);
    expect((await post({ referer: "https://evil.example/page" })).status).toBe(403);
    expect((await post({ origin: ORIGIN })).status).toBe(201);
    expect((await post({ referer: `${ORIGIN}/dashboard/keys` })).status).toBe(201);
    // Behind a proxy the browser's host is in X-Forwarded-Host.
    expect((await post({ origin: "https://omni.example.com", "x-forwarded-host": "omni.example.com" })).status).toBe(201);
    // Dashboard forms are covered the same way.
    const form = await gw.request("/dashboard/keys", { method: "POST", headers: { cookie, origin: "https://evil.example", "content-type": "application/x-www-form-urlencoded" }, body: "name=x" });
    expect(form.status).toBe(403);
    // Reads are not state-changing.
    expect((await gw.request("/api/keys", { headers: { cookie, origin: "https://evil.example" } })).status).toBe(200);
  });

  test("without a password, a cross-site page still cannot write to the open control plane; scripts can", async () => {
    gw = await startGateway();
    const evil = await gw.request("/api/keys", { method: "POST", body: JSON.stringify({ name: "x" }), headers: { origin: "https://evil.example", "content-type": "text/plain" } });
    expect(evil.status).toBe(403);
    expect((await gw.request("/api/keys", { method: "POST", json: { name: "script" } })).status).toBe(201);
    // Login attempts from another site are refused before the password is even checked.
    const cross = await gw.request("/login/skip", { method: "POST", headers: { origin: "https://evil.example" } });
    expect(cross.status).toBe(403);
  });

  test("the gateway's own endpoints are not affected (browser apps may call /v1 from anywhere)", async () => {
    gw = await protectedGateway();
    const res = await gw.request("/v1/chat/completions", { method: "POST", json: { model: "nope/x", messages: [{ role: "user", content: "hi" }] }, headers: { origin: "https://app.example" } });
    expect(res.status).not.toBe(403);
    expect(res.status).not.toBe(401);
  });
});
