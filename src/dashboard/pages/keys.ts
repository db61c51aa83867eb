// /dashboard/keys: create (the key is shown once), revoke, restore, delete.
import { Elysia } from "elysia";
import * as t from "../../db/schema.ts";
import { apiKeyRequired } from "../../services.ts";
import { KeysArea, KeysPage, type KeyItem, type KeysAreaProps } from "../../../views/keys.tsx";
import { field, renderPage, type Dash, type DashboardPage } from "../http.ts";

const PATH = "/dashboard/keys";

export function keyRoutes(dash: Dash) {
  const { services } = dash;

  const keys = (): KeyItem[] =>
    services.db
      .select()
      .from(t.apiKeys)
      .orderBy(t.apiKeys.createdAt)
      .all()
      .map((r) => ({ id: r.id, name: r.name, keyPrefix: r.keyPrefix, createdAt: r.createdAt, lastUsedAt: r.lastUsedAt, active: r.revokedAt === null }));

  function page(request: Request, opts: Partial<KeysAreaProps> & { status?: number } = {}) {
    const props: KeysAreaProps = { keys: keys(), requireApiKey: apiKeyRequired(services), ...opts };
    return renderPage(dash, request, { title: "API keys", current: PATH, body: KeysPage(props) as string, fragment: KeysArea(props) as string, status: opts.status });
  }

  const keyName = (id: string) => keys().find((k) => k.id === id)?.name ?? id;

  async function setActive(request: Request, id: string, isActive: boolean) {
    const name = keyName(id);
    const res = await dash.api("PATCH", `/api/keys/${encodeURIComponent(id)}`, { isActive });
    if (!res.ok) return page(request, { error: res.error, status: res.status });
    return page(request, { notice: isActive ? `Key “${name}” restored.` : `Key “${name}” revoked: it stops working now.` });
  }

  return new Elysia({ name: "dashboard-keys" })
    .get(PATH, ({ request }) => page(request))
    .post(PATH, async ({ request, body }) => {
      const name = field(body, "name");
      const res = await dash.api("POST", "/api/keys", { name });
      if (!res.ok) return page(request, { value: name, errors: res.fields, error: res.fields.name ? null : res.error, status: res.status });
      return page(request, { created: { name: res.data.name, secret: res.data.key } });
    })
    .post(`${PATH}/:id/revoke`, ({ request, params }) => setActive(request, params.id, false))
    .post(`${PATH}/:id/restore`, ({ request, params }) => setActive(request, params.id, true))
    .post(`${PATH}/:id/delete`, async ({ request, params }) => {
      const name = keyName(params.id);
      const res = await dash.api("DELETE", `/api/keys/${encodeURIComponent(params.id)}`);
      if (!res.ok) return page(request, { error: res.error, status: res.status });
      return page(request, { notice: `Key “${name}” deleted.` });
    });
}

export const keysPage: DashboardPage = { path: PATH, label: "API keys", group: "Access", order: 0, routes: keyRoutes };
