// /dashboard/models (the catalogue, filterable) and /dashboard/providers/:id (one provider:
// details, its connections, live model list, custom models).
import { Elysia } from "elysia";
import type { ProviderRuntime } from "../../providers/types.ts";
import type { Services } from "../../services.ts";
import { LiveModelList, ModelCatalog, ModelsPage, ProviderDetailPage, ProviderModels, type ModelRow, type ProviderInfo, type ProviderModelsProps } from "../../../views/models.tsx";
import { connectionItem, connectionItems } from "../data.ts";
import { field, html, isHx, renderPage, type Dash, type DashboardPage } from "../http.ts";

const FORMAT_NAMES: Record<string, string> = { openai: "OpenAI Chat Completions", anthropic: "Anthropic Messages", gemini: "Gemini", ollama: "Ollama" };
const AUTH_NAMES: Record<string, string> = { bearer: "Authorization: Bearer", "x-api-key": "x-api-key header", "x-goog-api-key": "x-goog-api-key header", none: "no key" };

function providerInfo(services: Services, p: ProviderRuntime): ProviderInfo {
  return {
    id: p.id,
    name: p.name,
    prefix: services.store.publicPrefix(p.id),
    kind: p.kind,
    format: FORMAT_NAMES[p.format] ?? p.format,
    baseUrl: p.baseUrl,
    auth: AUTH_NAMES[p.auth] ?? p.auth,
    website: p.website,
  };
}

function modelRows(services: Services, providerId: string): ModelRow[] {
  const custom = new Set((services.store.customModels.get(providerId) ?? []).map((m) => m.id));
  return services.store.modelsOf(providerId).map((m) => ({ id: m.id, name: m.name, type: m.type, custom: custom.has(m.id) }));
}

export function modelRoutes(dash: Dash) {
  const { services } = dash;
  const { store } = services;

  function catalog(q: string) {
    const needle = q.toLowerCase();
    return [...store.providers.values()]
      .map((p) => {
        const info = providerInfo(services, p);
        const ready = p.auth === "none" || store.activeConnections(p.id).length > 0;
        const models = modelRows(services, p.id).filter((m) => !needle || `${info.prefix}/${m.id} ${m.type} ${info.name}`.toLowerCase().includes(needle));
        return { provider: info, ready, models };
      })
      .sort((a, b) => Number(b.ready) - Number(a.ready));
  }

  function detail(request: Request, providerId: string, opts: Partial<ProviderModelsProps> & { status?: number } = {}) {
    const p = store.providers.get(providerId);
    if (!p) {
      const body = `<h1>Provider not found</h1><p class="muted">It may have been deleted. <a href="/dashboard/providers">Back to providers</a></p>`;
      return renderPage(dash, request, { title: "Not found", current: "/dashboard/providers", body, status: 404 });
    }
    const props: ProviderModelsProps = { provider: providerInfo(services, p), models: modelRows(services, p.id), ...opts };
    return renderPage(dash, request, {
      title: p.name,
      current: "/dashboard/providers",
      body: ProviderDetailPage({ ...props, connections: connectionItems(services, p.id) }) as string,
      fragment: ProviderModels(props) as string,
      status: opts.status,
    });
  }

  return new Elysia({ name: "dashboard-models" })
    .get("/dashboard/models", ({ request, query }) => {
      const q = typeof query.q === "string" ? query.q.trim() : "";
      if (isHx(request)) return html(ModelCatalog({ groups: catalog(q), q }) as string);
      return renderPage(dash, request, { title: "Models", current: "/dashboard/models", body: ModelsPage({ groups: catalog(q), q }) as string });
    })

    .get("/dashboard/providers/:id", ({ request, params }) => detail(request, params.id))

    .post("/dashboard/providers/:id/models", async ({ request, params, body }) => {
      const values = { modelId: field(body, "modelId"), modelName: field(body, "modelName"), type: field(body, "type") || "chat" };
      const res = await dash.api("POST", "/api/provider-models", { provider: params.id, ...values, ...(values.modelName ? {} : { modelName: undefined }) });
      if (!res.ok) return detail(request, params.id, { values, errors: res.fields, error: Object.keys(res.fields).length ? null : res.error, status: res.status });
      return detail(request, params.id, { notice: `${values.modelId} added.` });
    })

    .post("/dashboard/providers/:id/models/delete", async ({ request, params, body }) => {
      const modelId = field(body, "modelId");
      const res = await dash.api("DELETE", `/api/provider-models?provider=${encodeURIComponent(params.id)}&model=${encodeURIComponent(modelId)}`);
      if (!res.ok) return detail(request, params.id, { error: res.error, status: res.status });
      return detail(request, params.id, { notice: `${modelId} removed.` });
    })

    .get("/dashboard/providers/connections/:id/models", async ({ params }) => {
      const conn = connectionItem(services, params.id);
      const res = await dash.api("GET", `/api/providers/${encodeURIComponent(params.id)}/models`);
      const prefix = conn ? store.publicPrefix(conn.provider) : "";
      if (!res.ok) return html(LiveModelList({ live: { source: "", models: [], error: res.error }, prefix }) as string);
      return html(LiveModelList({ live: { source: res.data.source, warning: res.data.warning, models: res.data.models ?? [] }, prefix }) as string);
    });
}

export const modelsPage: DashboardPage = { path: "/dashboard/models", label: "Models", group: "Routing", order: 20, routes: modelRoutes };
