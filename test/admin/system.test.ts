// GET /api/init and GET /api/monitoring/health.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { VERSION } from "../../src/config.ts";
import { PROVIDERS } from "../../src/providers/registry.ts";
import { startGateway, type TestGateway } from "../support/gateway.ts";

let gw: TestGateway;
beforeEach(async () => {
  gw = await startGateway();
});
afterEach(async () => {
  await gw.close();
});

const get = async (path: string) => ((await (await gw.request(path)).json()) as any);
const post = (path: string, json: unknown) => gw.request(path, { method: "POST", json });

describe("GET /api/init", () => {
  test("counts what is configured; setupComplete once a connection exists", async () => {
    expect(await get("/api/init")).toEqual({
      initialized: true,
      version: VERSION,
      setupComplete: false,
      dataDir: gw.dataDir,
      counts: { connections: 0, nodes: 0, keys: 0, aliases: 0 },
    });
    await post("/api/providers", { provider: "openai", apiKey: "sk-abcdefghijklmnopqrstu", name: "k" });
    await post("/api/provider-nodes", { name: "N", prefix: "nn", baseUrl: "https://n.example/v1" });
    await post("/api/keys", { name: "a" });
    await post("/api/keys", { name: "b" });
    await post("/api/models/alias", { model: "openai/gpt-4o", alias: "x" });
    const after = await get("/api/init");
    expect(after.setupComplete).toBe(true);
    expect(after.counts).toEqual({ connections: 1, nodes: 1, keys: 2, aliases: 1 });
  });
});

describe("GET /api/monitoring/health", () => {
  test("reports status, database, queue and provider summary", async () => {
    await post("/api/providers", { provider: "openai", apiKey: "sk-abcdefghijklmnopqrstu", name: "a" });
    await post("/api/providers", { provider: "groq", apiKey: "gsk-abcdefghijklmnopqrstu", name: "b", isActive: false });
    const h = await get("/api/monitoring/health");
    expect(h).toMatchObject({
      status: "healthy",
      version: VERSION,
      database: { ok: true, path: join(gw.dataDir, "omniroute.sqlite") },
      usageQueue: { queued: 0, written: 0, dropped: 0 },
      activeRequests: 0,
      providerSummary: { catalogCount: PROVIDERS.length, configuredCount: 2, activeCount: 1 },
    });
    expect(new Date(h.timestamp).toISOString()).toBe(h.timestamp);
    expect(Number.isInteger(h.uptime) && h.uptime >= 0).toBe(true);
    expect(h.memoryUsage.rss).toBeGreaterThan(0);
    expect(h.memoryUsage.heapUsed).toBeGreaterThan(0);
  });

  test("degraded when the database does not answer", async () => {
    const client = gw.services.db.$client;
    const original = client.query.bind(client);
    client.query = (() => {
      throw new Error("disk gone");
    }) as typeof client.query;
    try {
      const h = await get("/api/monitoring/health");
      expect(h.status).toBe("degraded");
      expect(h.database.ok).toBe(false);
    } finally {
      client.query = original;
    }
  });
});
