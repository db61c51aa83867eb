// Builds the Elysia app from one plugin per area. Tests call createApp(services).handle(req).
import { Elysia } from "elysia";
import { asGatewayError, GatewayError } from "./errors.ts";
import { adminErrorResponse } from "./admin/http.ts";
import { openAiErrorResponse } from "./formats/openai-chat/errors.ts";
import type { Services } from "./services.ts";
import { gatewayRoutes } from "./gateway/routes.ts";
import { adminRoutes } from "./admin/routes.ts";
import { auditTrail } from "./admin/audit.ts";
import { staticRoutes } from "./dashboard/static.ts";
import { dashboardRoutes } from "./dashboard/routes.ts";

/** Ollama's own paths live under /api too, but they belong to the gateway. */
const OLLAMA_PATHS = new Set(["/api/chat", "/api/tags", "/api/version"]);

/** The control plane answers in its own shape; everything else is a gateway (OpenAI-shaped) path. */
export function isControlPlanePath(path: string): boolean {
  return path.startsWith("/api/") && !OLLAMA_PATHS.has(path);
}

export function renderError(err: GatewayError, path: string): Response {
  return isControlPlanePath(path) ? adminErrorResponse(err) : openAiErrorResponse(err);
}

export function createApp(services: Services) {
  const app = new Elysia()
    .onError(({ code, error, request }) => {
      const path = new URL(request.url).pathname;
      if (code === "NOT_FOUND") {
        return renderError(new GatewayError(404, "not_found", `No route for ${request.method} ${path}`), path);
      }
      if (code === "PARSE") return renderError(new GatewayError(400, "invalid_json", "Invalid JSON body"), path);
      if (!(error instanceof GatewayError) && services.config.logLevel !== "silent") {
        console.error(`[error] ${request.method} ${path}:`, error);
      }
      return renderError(asGatewayError(error), path);
    })
    .use(gatewayRoutes(services))
    // Before the control plane so that every route after it is audited (src/admin/audit.ts).
    .use(auditTrail(services))
    .use(adminRoutes(services))
    .use(staticRoutes(services))
    // The dashboard (and the auth guard in front of /api/* and /dashboard/*); its forms call
    // the /api/* routes above through this app, so they share one validation path.
    .use(dashboardRoutes(services, (request: Request): Promise<Response> => app.handle(request)));
  return app;
}

export type App = ReturnType<typeof createApp>;
