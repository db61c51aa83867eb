// GET /api/init and GET /api/monitoring/health: what a dashboard or a probe asks first.
import { count } from "drizzle-orm";
import { Elysia } from "elysia";
import { VERSION } from "../config.ts";
import * as t from "../db/schema.ts";
import { databasePath, type Services } from "../services.ts";

export function systemRoutes(services: Services) {
  const { db, store } = services;

  const rowsIn = (table: typeof t.providerConnections | typeof t.providerNodes | typeof t.apiKeys | typeof t.modelAliases) =>
    db.select({ n: count() }).from(table).get()?.n ?? 0;

  return new Elysia({ name: "admin-system" })
    .get("/api/init", () => {
      const connections = rowsIn(t.providerConnections);
      return {
        initialized: true,
        version: VERSION,
        setupComplete: connections > 0,
        dataDir: services.config.dataDir,
        counts: { connections, nodes: rowsIn(t.providerNodes), keys: rowsIn(t.apiKeys), aliases: rowsIn(t.modelAliases) },
      };
    })

    .get("/api/monitoring/health", () => {
      let dbOk = true;
      try {
        db.$client.query("SELECT 1").get();
      } catch {
        dbOk = false;
      }
      const memory = process.memoryUsage();
      let configuredCount = 0;
      let activeCount = 0;
      for (const [providerId, conns] of store.connectionsByProvider) {
        if (!store.providers.has(providerId) || conns.length === 0) continue;
        configuredCount++;
        if (conns.some((c) => c.isActive)) activeCount++;
      }
      return {
        status: dbOk ? "healthy" : "degraded",
        timestamp: new Date().toISOString(),
        version: VERSION,
        uptime: Math.floor((Date.now() - services.startedAt) / 1000),
        memoryUsage: { rss: memory.rss, heapUsed: memory.heapUsed },
        database: { ok: dbOk, path: databasePath(services.config.dataDir) },
        usageQueue: services.usage.stats(),
        activeRequests: services.live.size,
        providerSummary: { catalogCount: store.providers.size, configuredCount, activeCount },
      };
    });
}
