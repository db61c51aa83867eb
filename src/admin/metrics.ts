// GET /metrics: Prometheus text exposition (format 0.0.4) — requests, errors, latency and
// time-to-first-token histograms, tokens, cost, the usage queue, budgets and circuit
// breakers. Beyond OmniRoute's API: operators scrape gateways with Prometheus.
// It sits outside /api/*, so the control-plane guard does not cover it: while dashboard login
// is enforced it asks for the same credentials itself (Prometheus sends the admin token with
// `authorization: {type: Bearer, credentials: …}`); otherwise it is open, like /api/*.
import { Elysia } from "elysia";
import { authOf } from "../dashboard/auth/state.ts";
import type { Services } from "../services.ts";
import { CONTENT_TYPE } from "../usage/prometheus.ts";

export function metricsRoutes(services: Services) {
  return new Elysia({ name: "admin-metrics" }).get("/metrics", ({ request }) => {
    const auth = authOf(services);
    if (auth.loginEnforced && !auth.isAuthenticated(request)) {
      return Response.json({ error: "Authentication required" }, { status: 401, headers: { "www-authenticate": 'Bearer realm="omniroute"' } });
    }
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
