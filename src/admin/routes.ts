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
    .use(systemRoutes(services));
}
