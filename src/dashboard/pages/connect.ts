// /dashboard/connect: client settings with the real base URL and a model that routes now.
import { Elysia } from "elysia";
import { apiKeyRequired } from "../../services.ts";
import { ConnectPage } from "../../../views/connect.tsx";
import { routableModels } from "../data.ts";
import { publicBaseUrl, renderPage, type Dash, type DashboardPage } from "../http.ts";

export function connectRoutes(dash: Dash) {
  const { services } = dash;
  return new Elysia({ name: "dashboard-connect" }).get("/dashboard/connect", ({ request }) => {
    const models = routableModels(services, { keyless: false });
    const aliases = [...services.store.aliases.keys()];
    const model = aliases[0] ?? models[0] ?? "openai/gpt-4o-mini";
    const anthropicModel = models.find((m) => m.startsWith("anthropic/")) ?? model;
    const body = ConnectPage({
      baseUrl: publicBaseUrl(request),
      model,
      anthropicModel,
      keyCount: services.store.keysByHash.size,
      requireApiKey: apiKeyRequired(services),
      connected: models.length > 0,
    }) as string;
    return renderPage(dash, request, { title: "Connect a client", current: "/dashboard/connect", body });
  });
}

export const connectPage: DashboardPage = { path: "/dashboard/connect", label: "Connect a client", group: "Access", order: 10, routes: connectRoutes };
