// GET /metrics: Prometheus text exposition (format 0.0.4) — requests, errors, latency and
// time-to-first-token histograms, tokens, cost, the usage queue, budgets and circuit
// breakers. Beyond OmniRoute's API: operators scrape gateways with Prometheus.
import { Elysia } from "elysia";
import type { Services } from "../services.ts";
import { CONTENT_TYPE } from "../usage/prometheus.ts";

export function metricsRoutes(services: Services) {
  return new Elysia({ name: "admin-metrics" }).get("/metrics", () => {
    const { accounting, routing } = services;
    const breakers = typeof routing?.breakers === "function" ? routing.breakers() : undefined;
    const body = accounting.metrics.render({
      usageQueue: services.usage.stats(),
      inFlight: accounting.sessions.inFlight,
      streams: services.live.size,
      budgets: accounting.budgets.status().map((b) => ({ keyId: b.keyId, limit: b.limit, spent: b.spent })),
      breakers,
      startedAt: services.startedAt,
    });
    return new Response(body, { headers: { "content-type": CONTENT_TYPE } });
  });
}
