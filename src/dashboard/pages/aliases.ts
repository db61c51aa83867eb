// /dashboard/aliases: add, retarget and delete model aliases.
import { Elysia } from "elysia";
import { AliasesArea, AliasesPage, type AliasesAreaProps } from "../../../views/aliases.tsx";
import { routableModels } from "../data.ts";
import { field, renderPage, type Dash, type DashboardPage } from "../http.ts";

const PATH = "/dashboard/aliases";

export function aliasRoutes(dash: Dash) {
  const { services } = dash;

  function page(request: Request, opts: Partial<AliasesAreaProps> & { status?: number } = {}) {
    const aliases = [...services.store.aliases].map(([alias, target]) => ({ alias, target })).sort((a, b) => a.alias.localeCompare(b.alias));
    const props: AliasesAreaProps = { aliases, models: routableModels(services), ...opts };
    return renderPage(dash, request, { title: "Aliases", current: PATH, body: AliasesPage(props) as string, fragment: AliasesArea(props) as string, status: opts.status });
  }

  return new Elysia({ name: "dashboard-aliases" })
    .get(PATH, ({ request }) => page(request))
    .post(PATH, async ({ request, body }) => {
      const values = { alias: field(body, "alias"), model: field(body, "model") };
      const res = await dash.api("PUT", "/api/models/alias", values);
      if (!res.ok) {
        const known = res.fields.alias || res.fields.model;
        return page(request, { values, errors: res.fields, error: known ? null : res.error, status: res.status });
      }
      return page(request, { notice: `“${values.alias}” now routes to ${values.model}.` });
    })
    .post(`${PATH}/delete`, async ({ request, body }) => {
      const alias = field(body, "alias");
      const res = await dash.api("DELETE", `/api/models/alias?alias=${encodeURIComponent(alias)}`);
      if (!res.ok) return page(request, { error: res.error, status: res.status });
      return page(request, { notice: `Alias “${alias}” deleted.` });
    });
}

export const aliasesPage: DashboardPage = { path: PATH, label: "Aliases", group: "Routing", order: 30, routes: aliasRoutes };
