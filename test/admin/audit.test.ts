// The compliance audit log: one entry per control-plane write (who, what, when, from where,
// outcome), key creation and revocation named as such, login attempts, and no secret ever.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startFakeOpenAi, type FakeOpenAi } from "../support/fake-openai.ts";
import { startGateway, type TestGateway } from "../support/gateway.ts";

let fake: FakeOpenAi;
let gw: TestGateway;
const ADMIN_TOKEN = "adm-token-0123456789abcdef";
const UPSTREAM_SECRET = "sk-upstream-secret-abcdefghijklmnop";
const PASSWORD = "correct horse battery staple";

const call = async (method: string, path: string, json?: unknown, headers: Record<string, string> = {}) => {
  const res = await gw.request(path, { method, json, headers });
  return { status: res.status, body: (await res.json().catch(() => null)) as any, headers: res.headers };
};
const entries = async (q = "") => (await call("GET", `/api/compliance/audit-log?limit=1000${q}`)).body.entries as any[];
const latest = async () => (await entries())[0];

beforeAll(async () => {
  fake = startFakeOpenAi();
  gw = await startGateway({ adminToken: ADMIN_TOKEN });
});
afterAll(async () => {
  await gw.close();
  fake.close();
});

describe("every control-plane write is an entry", () => {
  test("providers, keys, aliases, settings, pricing, budgets: action, target, status, outcome", async () => {
    const expectLast = async (action: string, target: string | null, status: number, method: string, path: string) => {
      const e = await latest();
      expect({ action: e.action, target: e.target, status: e.status, method: e.method, path: e.path }).toEqual({ action, target, status, method, path });
      expect(e.outcome).toBe(status < 400 ? "success" : "failure");
      expect(e.actor).toBe("anonymous");
      expect(Date.now() - Date.parse(e.timestamp)).toBeLessThan(5_000);
    };

    const created = await call("POST", "/api/providers", { provider: "openai", name: "main", apiKey: UPSTREAM_SECRET, providerSpecificData: { baseUrl: fake.baseUrl } });
    expect(created.status).toBe(201);
    const connId = created.body.connection.id;
    await expectLast("providers.create", null, 201, "POST", "/api/providers");

    await call("PUT", `/api/providers/${connId}`, { apiKey: `${UPSTREAM_SECRET}-2`, name: "main2" });
    await expectLast("providers.update", connId, 200, "PUT", `/api/providers/${connId}`);

    await call("POST", `/api/providers/${connId}/test`);
    await expectLast("providers.test", connId, 200, "POST", `/api/providers/${connId}/test`);

    const key = await call("POST", "/api/keys", { name: "ci" });
    await expectLast("keys.create", key.body.id, 201, "POST", "/api/keys");
    expect((await latest()).details).toEqual({ name: "ci", keyPrefix: key.body.keyPrefix });

    await call("PATCH", `/api/keys/${key.body.id}`, { isActive: false });
    await expectLast("keys.revoke", key.body.id, 200, "PATCH", `/api/keys/${key.body.id}`);
    await call("PATCH", `/api/keys/${key.body.id}`, { isActive: true });
    await expectLast("keys.restore", key.body.id, 200, "PATCH", `/api/keys/${key.body.id}`);
    await call("PATCH", `/api/keys/${key.body.id}`, { name: "renamed" });
    await expectLast("keys.update", key.body.id, 200, "PATCH", `/api/keys/${key.body.id}`);

    await call("PUT", "/api/models/alias", { model: "openai/gpt-4o-mini", alias: "fast" });
    await expectLast("models.alias.update", null, 200, "PUT", "/api/models/alias");

    await call("PATCH", "/api/settings", { streamKeepAliveSeconds: 7 });
    await expectLast("settings.update", null, 200, "PATCH", "/api/settings");

    await call("PATCH", "/api/pricing", { openai: { "gpt-4o": { output: 11 } } });
    await expectLast("pricing.update", null, 200, "PATCH", "/api/pricing");
    await call("DELETE", "/api/pricing?provider=openai&model=gpt-4o");
    await expectLast("pricing.delete", null, 200, "DELETE", "/api/pricing");

    await call("POST", "/api/usage/budget", { keyId: key.body.id, limit: 5, period: "daily" });
    await expectLast("budgets.set", key.body.id, 200, "POST", "/api/usage/budget");
    expect((await latest()).details).toEqual({ limit: 5, period: "daily" });
    await call("DELETE", `/api/usage/budget?keyId=${key.body.id}`);
    await expectLast("budgets.delete", key.body.id, 200, "DELETE", "/api/usage/budget");

    // Refused writes are entries too, as failures.
    await call("POST", "/api/keys", { name: "" });
    await expectLast("keys.create", null, 400, "POST", "/api/keys");
    await call("DELETE", "/api/keys/nope");
    await expectLast("keys.delete", "nope", 404, "DELETE", "/api/keys/nope");

    await call("DELETE", `/api/keys/${key.body.id}`);
    await expectLast("keys.delete", key.body.id, 200, "DELETE", `/api/keys/${key.body.id}`);
    expect((await latest()).details).toEqual({ name: "renamed", keyPrefix: key.body.keyPrefix });

    await call("DELETE", `/api/providers/${connId}`);
    await expectLast("providers.delete", connId, 200, "DELETE", `/api/providers/${connId}`);
  });

  test("reads, gateway traffic and unknown paths are not entries", async () => {
    const before = (await entries()).length;
    await call("GET", "/api/keys");
    await call("GET", "/api/usage/history");
    await call("POST", "/v1/chat/completions", { model: "x", messages: [] });
    await call("POST", "/api/chat", { model: "x", messages: [] });
    await call("POST", "/api/no-such-thing", {});
    expect((await entries()).length).toBe(before);
  });
});

describe("who and from where", () => {
  test("the admin token, a dashboard session, a gateway key: identified, never quoted", async () => {
    await call("POST", "/api/keys", { name: "by-admin" }, { authorization: `Bearer ${ADMIN_TOKEN}` });
    expect((await latest()).actor).toBe("admin-token");

    const k = await call("POST", "/api/keys", { name: "scripted" });
    await call("POST", "/api/keys", { name: "by-key" }, { authorization: `Bearer ${k.body.key}` });
    expect((await latest()).actor).toBe("key:scripted");

    // Login attempts: a set-up password, a wrong try, a right one, then a write in that session.
    expect((await call("PUT", "/api/settings/require-login", { password: PASSWORD, requireLogin: false })).status).toBe(200);
    const wrong = await call("POST", "/api/auth/login", { password: "wrong password" });
    expect(wrong.status).toBe(401);
    expect(await latest()).toMatchObject({ action: "auth.login", status: 401, outcome: "failure" });
    const right = await call("POST", "/api/auth/login", { password: PASSWORD });
    expect(right.status).toBe(200);
    expect(await latest()).toMatchObject({ action: "auth.login", status: 200, outcome: "success" });
    const cookie = right.headers.get("set-cookie")!.split(";")[0]!;
    // A browser sends its Origin (the guard refuses cookie-authenticated writes without one).
    await call("PATCH", "/api/settings", { streamKeepAliveSeconds: 9 }, { cookie, origin: "http://localhost" });
    expect((await latest()).actor).toMatch(/^session:[0-9a-zA-Z_-]{8}$/);

    // Filters.
    expect((await entries("&action=auth.login")).map((e) => e.status)).toEqual([200, 401]);
    expect((await entries("&actor=admin-token")).length).toBe(1);
    expect((await call("GET", "/api/compliance/audit-log?limit=2")).body.entries).toHaveLength(2);
    expect((await call("GET", "/api/compliance/audit-log?limit=0")).status).toBe(400);
  });

  test("over a socket the peer address is recorded", async () => {
    const base = await gw.listen();
    const res = await fetch(`${base}/api/models/alias`, { method: "PUT", headers: { "content-type": "application/json", "user-agent": "audit-test/1" }, body: JSON.stringify({ model: "openai/gpt-4o", alias: "big" }) });
    expect(res.status).toBe(200);
    expect(await latest()).toMatchObject({ action: "models.alias.update", ip: "127.0.0.1", userAgent: "audit-test/1" });
  });

  test("no secret is ever in the log: upstream keys, gateway keys, passwords, tokens", async () => {
    const text = JSON.stringify(await entries());
    const keys = (gw.services.db.$client.query("SELECT key_prefix FROM api_keys").all() as { key_prefix: string }[]).length;
    expect(keys).toBeGreaterThan(0);
    for (const secret of [UPSTREAM_SECRET, PASSWORD, "wrong password", ADMIN_TOKEN]) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/sk-omni-[A-Za-z0-9_-]{20,}/);
    const raw = JSON.stringify(gw.services.db.$client.query("SELECT * FROM audit_log").all());
    expect(raw).not.toContain(UPSTREAM_SECRET);
    expect(raw).not.toMatch(/sk-omni-[A-Za-z0-9_-]{20,}/);
  });
});

describe("retention", () => {
  test("entries older than auditRetentionDays go with the hourly prune; 0 keeps them all", async () => {
    const DAY = 86_400_000;
    const insert = (ageDays: number, action: string) =>
      gw.services.db.$client.run(
        "INSERT INTO audit_log (timestamp, actor, action, method, path, status) VALUES (?, 'admin-token', ?, 'PUT', '/api/settings', 200)",
        [Date.now() - ageDays * DAY, action],
      );
    insert(400, "retention.ancient");
    insert(40, "retention.old");
    insert(1, "retention.recent");
    const actions = async () => (await entries()).map((e) => e.action).filter((a: string) => a.startsWith("retention."));

    expect((await call("PUT", "/api/settings", { auditRetentionDays: 0 })).status).toBe(200);
    expect((await gw.services.accounting.prune()).audit).toBe(0);
    expect((await actions()).sort()).toEqual(["retention.ancient", "retention.old", "retention.recent"]);

    expect((await call("PUT", "/api/settings", { auditRetentionDays: 30 })).status).toBe(200);
    expect((await gw.services.accounting.prune()).audit).toBe(2);
    expect(await actions()).toEqual(["retention.recent"]);
    // The setting change itself was audited, and is recent: it stays.
    expect((await entries()).some((e) => e.path === "/api/settings" && e.action === "settings.update")).toBe(true);

    expect((await call("PUT", "/api/settings", { auditRetentionDays: -1 })).status).toBe(400);
  });
});
