// The /api/* control plane: one plugin per area. Every write goes to SQLite and then calls
// services.store.reload(), so the gateway (which reads only the in-memory store) sees it at once.
import { Elysia } from "elysia";
import type { Services } from "../services.ts";
import { aliasRoutes } from "./aliases.ts";
import { catalogRoutes } from "./catalog.ts";
import { keyRoutes } from "./keys.ts";
import { providerCheckRoutes } from "./provider-checks.ts";
import { providerModelRoutes } from "./provider-models.ts";
import { providerNodeRoutes } from "./provider-nodes.ts";
import { providerRoutes } from "./providers.ts";
import { settingsRoutes } from "./settings.ts";
import { systemRoutes } from "./system.ts";
import { availabilityRoutes } from "./availability.ts";
import { comboRoutes } from "./combos.ts";
import { policyRoutes } from "./policies.ts";
import { rateLimitRoutes } from "./rate-limits.ts";
import { resilienceRoutes } from "./resilience.ts";
import { authRoutes } from "./auth.ts";
import { backupRoutes } from "./backups.ts";
import { lifecycleRoutes } from "./lifecycle.ts";
import { usageRoutes } from "./usage.ts";
import { pricingRoutes } from "./pricing.ts";
import { budgetRoutes } from "./budget.ts";
import { telemetryRoutes } from "./telemetry.ts";
import { sessionRoutes } from "./sessions.ts";
import { auditRoutes } from "./audit.ts";
import { metricsRoutes } from "./metrics.ts";
import { cacheRoutes } from "./cache.ts";
import { promptSettingsRoutes } from "./prompt-settings.ts";
import { ipFilterRoutes } from "./ip-filter.ts";
import { proxyRoutes } from "./proxy.ts";

export function adminRoutes(services: Services) {
  return new Elysia({ name: "admin" })
    .use(providerCheckRoutes(services))
    .use(providerRoutes(services))
    .use(providerNodeRoutes(services))
    .use(providerModelRoutes(services))
    .use(keyRoutes(services))
    .use(aliasRoutes(services))
    .use(catalogRoutes(services))
    .use(settingsRoutes(services))
    .use(systemRoutes(services))
    .use(comboRoutes(services))
    .use(resilienceRoutes(services))
    .use(rateLimitRoutes(services))
    .use(availabilityRoutes(services))
    .use(policyRoutes(services))
    .use(authRoutes(services))
    .use(backupRoutes(services))
    .use(lifecycleRoutes(services))
    .use(usageRoutes(services))
    .use(pricingRoutes(services))
    .use(budgetRoutes(services))
    .use(telemetryRoutes(services))
    .use(sessionRoutes(services))
    .use(auditRoutes(services))
    .use(metricsRoutes(services))
    .use(cacheRoutes(services))
    .use(promptSettingsRoutes(services))
    .use(ipFilterRoutes(services))
    .use(proxyRoutes(services));
}
