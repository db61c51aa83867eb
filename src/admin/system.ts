// GET /api/init and GET /api/monitoring/health: what a dashboard or a probe asks first.
import { count } from "drizzle-orm";
import { Elysia } from "elysia";
import { VERSION } from "../config.ts";
import * as t from "../db/schema.ts";
import { databasePath, type Services } from "../services.ts";
import { iso } from "./http.ts";

/** Breakers and cooldowns as OmniRoute's health payload shows them (circuitBreakers, providerHealth). */
function routingHealth(services: Services) {
  const routing = services.routing;
  const providerHealth: Record<string, { state: string; failures: number; lastFailure: string | null }> = {};
  for (const b of routing.breakers()) {
    if (b.scope !== "provider") continue;
    providerHealth[b.key] = { state: b.view.state, failures: b.view.failures, lastFailure: iso(b.view.lastFailureAt) ?? null };
  }
  const { cooling, unhealthy } = routing.health.counts(routing.now());
  return {
    circuitBreakers: routing.breakerCounts(),
    providerHealth,
    connectionHealth: { cooling, unhealthy },
  };
}

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
        ...routingHealth(services),
      };
    })

    // OmniRoute's way to reset the circuit breakers (same as POST /api/resilience/reset).
    .delete("/api/monitoring/health", () => ({
      success: true,
      message: "Circuit breakers, cooldowns and health state reset",
      resetCount: services.routing.reset(),
    }));
}
