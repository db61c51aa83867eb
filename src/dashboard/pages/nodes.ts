// /dashboard/providers/nodes: custom OpenAI- or Anthropic-compatible endpoints.
import { Elysia } from "elysia";
import * as t from "../../db/schema.ts";
import { NodeEditRow, NodesArea, NodesPage, type NodeFormValues, type NodeItem, type NodesAreaProps } from "../../../views/nodes.tsx";
import { field, html, isHx, renderPage, type Dash, type DashboardPage } from "../http.ts";

const PATH = "/dashboard/providers/nodes";

export function nodeRoutes(dash: Dash) {
  const { services } = dash;

  const nodes = (): NodeItem[] =>
    services.db
      .select()
      .from(t.providerNodes)
      .orderBy(t.providerNodes.createdAt)
      .all()
      .map((r) => ({ id: r.id, name: r.name, prefix: r.prefix, type: r.type, apiType: r.apiType, baseUrl: r.baseUrl, connections: services.store.connectionsByProvider.get(r.id)?.length ?? 0 }));

  function page(request: Request, opts: Partial<NodesAreaProps> & { status?: number } = {}) {
    const props: NodesAreaProps = { nodes: nodes(), ...opts };
    return renderPage(dash, request, { title: "Custom endpoints", current: PATH, body: NodesPage(props) as string, fragment: NodesArea(props) as string, status: opts.status });
  }

  const values = (body: unknown): NodeFormValues => ({ name: field(body, "name"), prefix: field(body, "prefix"), type: field(body, "type"), baseUrl: field(body, "baseUrl") });

  return new Elysia({ name: "dashboard-nodes" })
    .get(PATH, ({ request }) => page(request))

    .post(PATH, async ({ request, body }) => {
      const v = values(body);
      // "Speaks: OpenAI-compatible (Responses API)" is the API's openai-compatible type with apiType "responses".
      const responses = v.type === "openai-responses";
      const res = await dash.api("POST", "/api/provider-nodes", responses ? { ...v, type: "openai-compatible", apiType: "responses" } : v);
      if (!res.ok) return page(request, { values: v, errors: res.fields, error: Object.keys(res.fields).length ? null : res.error, status: res.status });
      return page(request, { notice: `“${v.name}” added: models are reachable as ${v.prefix}/<model> once it has a connection.` });
    })

    .get(`${PATH}/:id/edit`, ({ request, params }) => {
      const n = nodes().find((x) => x.id === params.id);
      if (!n) return page(request, { error: "Custom endpoint not found", status: 404 });
      if (isHx(request)) return html(NodeEditRow({ n }) as string);
      return page(request, { editing: { id: n.id, values: n, errors: {}, error: null } });
    })

    .post(`${PATH}/:id`, async ({ request, params, body }) => {
      const n = nodes().find((x) => x.id === params.id);
      if (!n) return page(request, { error: "Custom endpoint not found", status: 404 });
      const v = values(body);
      const res = await dash.api("PUT", `/api/provider-nodes/${encodeURIComponent(n.id)}`, { name: v.name, prefix: v.prefix, baseUrl: v.baseUrl });
      if (!res.ok) {
        const editing = { id: n.id, values: { ...n, ...v }, errors: res.fields, error: Object.keys(res.fields).length ? null : res.error };
        return page(request, { editing, status: res.status });
      }
      return page(request, { notice: `“${v.name}” saved.` });
    })

    .post(`${PATH}/:id/delete`, async ({ request, params }) => {
      const n = nodes().find((x) => x.id === params.id);
      const res = await dash.api("DELETE", `/api/provider-nodes/${encodeURIComponent(params.id)}`);
      if (!res.ok) return page(request, { error: res.error, status: res.status });
      return page(request, { notice: `“${n?.name ?? params.id}” deleted, with its connections, custom models and aliases.` });
    });
}

export const nodesPage: DashboardPage = { path: PATH, label: "Custom endpoints", group: "Routing", order: 10, routes: nodeRoutes };
