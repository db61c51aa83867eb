// /api/rate-limit: the gateway's own limits on its clients (requests per minute globally and
// per API key, concurrent streams; 0 = none). PUT takes any subset.
// /api/rate-limits: per-connection state as the router sees it now — cooldowns, auth
// failures, breaker, and the limits the upstream announced in its x-ratelimit-* headers.
import { Elysia } from "elysia";
import type { ProviderRuntime } from "../providers/types.ts";
import { connectionStatus } from "../routing/connections.ts";
import { RATE_LIMIT_KEY, RateLimitConfigSchema } from "../routing/resilience-config.ts";
import { connKeyOf } from "../routing/routing-state.ts";
import type { LimitWindow } from "../routing/upstream-limits.ts";
import type { Services } from "../services.ts";
import type { ConnectionRuntime } from "../store/config-store.ts";
import { iso, parseWith, readJson, withoutNulls } from "./http.ts";
import { saveRoutingRow } from "./resilience.ts";

const RateLimitPatch = RateLimitConfigSchema.partial().strict();

const windowView = (w: LimitWindow | undefined) => (w ? withoutNulls({ limit: w.limit, remaining: w.remaining, resetAt: iso(w.resetAt) }) : undefined);

/** One connection's live routing state (shared with /api/models/availability). */
export function connectionStateView(services: Services, provider: ProviderRuntime, conn: ConnectionRuntime) {
  const routing = services.routing;
  const key = connKeyOf(conn);
  const now = routing.now();
  const status = connectionStatus(routing, provider, conn, null);
  const breaker = routing.connectionBreakerView(provider.id, key);
  const limits = routing.health.limitsOf(key);
  const unhealthy = routing.health.unhealthy(key, conn);
  return withoutNulls({
    id: conn.id || null,
    provider: provider.id,
    name: conn.name,
    priority: conn.priority,
    isActive: conn.isActive,
    status: status.status,
    cooldowns: routing.health.cooldownsOf(key, now).map((c) => withoutNulls({ model: c.model, reason: c.reason, until: iso(c.until), level: c.level })),
    unhealthy: unhealthy ? { since: iso(unhealthy.at), reason: unhealthy.message } : null,
    breaker: withoutNulls({
      state: breaker.state,
      failures: breaker.failures,
      trips: breaker.trips,
      lastFailureAt: iso(breaker.lastFailureAt),
      lastError: breaker.lastError,
      retryAt: iso(breaker.retryAt),
    }),
    limits: limits ? withoutNulls({ requests: windowView(limits.requests), tokens: windowView(limits.tokens), seenAt: iso(limits.seenAt) }) : null,
  });
}

export function rateLimitRoutes(services: Services) {
  const { store } = services;

  return new Elysia({ name: "admin-rate-limits" })
    .get("/api/rate-limit", () => store.routing.rateLimit)

    .put("/api/rate-limit", async ({ request }) => {
      const raw = (await readJson(request)) as Record<string, unknown>;
      const parsed = parseWith(RateLimitPatch, raw);
      // .partial() fills defaults for absent keys; change only what the body named.
      const given = Object.fromEntries(Object.keys(raw ?? {}).map((k) => [k, (parsed as Record<string, unknown>)[k]]));
      saveRoutingRow(services, RATE_LIMIT_KEY, { ...store.routing.rateLimit, ...given });
      return store.routing.rateLimit;
    })

    .get("/api/rate-limits", () => {
      const routing = services.routing;
      const connections = [];
      const providers = [];
      for (const [providerId, conns] of store.connectionsByProvider) {
        const provider = store.providers.get(providerId);
        if (!provider) continue;
        for (const conn of conns) connections.push(connectionStateView(services, provider, conn));
        const b = routing.providerBreakerView(providerId);
        providers.push({ provider: providerId, breaker: withoutNulls({ state: b.state, failures: b.failures, trips: b.trips, retryAt: iso(b.retryAt) }) });
      }
      return {
        connections,
        providers,
        client: { config: store.routing.rateLimit, ...routing.limiter.view(store.routing.rateLimit, routing.now()) },
      };
    });
}
