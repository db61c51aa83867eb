// /api/settings: flat settings, partial updates, persisted in SQLite across restarts.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { VERSION, makeConfig } from "../../src/config.ts";
import { createApp } from "../../src/app.ts";
import { createServices } from "../../src/services.ts";
import { startGateway, type TestGateway } from "../support/gateway.ts";

let gw: TestGateway;
beforeEach(async () => {
  gw = await startGateway();
});
afterEach(async () => {
  await gw.close();
});

async function call(method: string, path: string, json?: unknown) {
  const res = await gw.request(path, { method, json });
  return { status: res.status, body: (await res.json()) as any };
}

/** The response cache's and idempotency's settings (src/features), at their defaults. */
const CACHE_DEFAULTS = {
  cacheEnabled: true,
  cacheTtlSeconds: 3600,
  cacheMemoryMaxEntries: 500,
  cacheMemoryMaxMb: 64,
  cacheDbMaxEntries: 10_000,
  cacheUnsetTemperature: false,
  cacheNonDeterministic: false,
  idempotencyWindowMs: 5000,
};

describe("/api/settings", () => {
  test("GET returns the defaults, the effective API-key rule and the version", async () => {
    expect(await call("GET", "/api/settings")).toEqual({
      status: 200,
      body: { requireApiKey: false, streamKeepAliveSeconds: 15, usageRecording: true, usageRetentionDays: 90, auditRetentionDays: 365, requestLogBodies: false, requestLogBodyMaxChars: 16384, ...CACHE_DEFAULTS, requireApiKeyEnforced: false, version: VERSION },
    });
  });

  test("PATCH writes only the keys given and drops unknown ones", async () => {
    const res = await call("PATCH", "/api/settings", { streamKeepAliveSeconds: 5, somethingElse: true });
    expect(res).toEqual({
      status: 200,
      body: { requireApiKey: false, streamKeepAliveSeconds: 5, usageRecording: true, usageRetentionDays: 90, auditRetentionDays: 365, requestLogBodies: false, requestLogBodyMaxChars: 16384, ...CACHE_DEFAULTS, requireApiKeyEnforced: false, version: VERSION },
    });
    const rows = gw.services.db.$client.query("SELECT key, value FROM settings ORDER BY key").all();
    expect(rows).toEqual([{ key: "streamKeepAliveSeconds", value: "5" }]);
    expect(gw.services.store.settings.streamKeepAliveSeconds).toBe(5);
  });

  test("PUT behaves like PATCH; requireApiKey is enforced unless the env/flag overrides it", async () => {
    const res = await call("PUT", "/api/settings", { requireApiKey: true });
    expect(res.body).toMatchObject({ requireApiKey: true, requireApiKeyEnforced: true, streamKeepAliveSeconds: 15 });
    await gw.close();
    gw = await startGateway({ requireApiKey: false });
    await call("PUT", "/api/settings", { requireApiKey: true });
    expect((await call("GET", "/api/settings")).body).toMatchObject({ requireApiKey: true, requireApiKeyEnforced: false });
  });

  test("invalid values → 400 with field names, nothing written", async () => {
    const res = await call("PATCH", "/api/settings", { requireApiKey: "yes", streamKeepAliveSeconds: 1000 });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe("Invalid request");
    expect(res.body.error.details.map((d: any) => d.field)).toEqual(["requireApiKey", "streamKeepAliveSeconds"]);
    expect(gw.services.db.$client.query("SELECT count(*) AS n FROM settings").get()).toEqual({ n: 0 });
    const notObject = await call("PATCH", "/api/settings", [1, 2]);
    expect(notObject.status).toBe(400);
    const badJson = await gw.request("/api/settings", { method: "PATCH", body: "{", headers: { "content-type": "application/json" } });
    expect(((await badJson.json()) as any).error.details).toEqual([{ field: "body", message: "Invalid JSON body" }]);
  });

  test("settings survive a restart on the same data dir", async () => {
    const dataDir = gw.dataDir;
    await call("PATCH", "/api/settings", { requireApiKey: true, streamKeepAliveSeconds: 42 });
    gw.services.close();

    const services = createServices(makeConfig({ dataDir, logLevel: "silent" }));
    try {
      const res = await createApp(services).handle(new Request("http://localhost/api/settings"));
      expect(await res.json()).toEqual({ requireApiKey: true, streamKeepAliveSeconds: 42, usageRecording: true, usageRetentionDays: 90, auditRetentionDays: 365, requestLogBodies: false, requestLogBodyMaxChars: 16384, ...CACHE_DEFAULTS, requireApiKeyEnforced: true, version: VERSION });
    } finally {
      services.close();
    }
    rmSync(dataDir, { recursive: true, force: true });
    gw = await startGateway(); // afterEach closes this one
  });
});
