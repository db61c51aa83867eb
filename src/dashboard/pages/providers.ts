// /dashboard/providers: add, edit, test, enable/disable and delete connections; the catalogue.
// Each action answers htmx with the fragment it replaces (a row, the table, the form + table)
// and a plain form post with the whole page, so everything also works without JavaScript.
import { Elysia } from "elysia";
import type { FieldErrors } from "../../../views/components.tsx";
import {
  Catalogue,
  ConnectionEditRow,
  ConnectionRow,
  ConnectionsArea,
  ConnectionsTable,
  ProvidersPage,
  type ConnectionFormValues,
  type TestOutcome,
} from "../../../views/providers.tsx";
import { catalogueItems, connectionItem, connectionItems, providerOptions } from "../data.ts";
import { checkbox, field, html, isHx, renderPage, type Dash, type DashboardPage } from "../http.ts";

const PATH = "/dashboard/providers";

/** API field names → the form's input names. */
function formErrors(fields: Record<string, string>): FieldErrors {
  const out: FieldErrors = {};
  for (const [k, v] of Object.entries(fields)) out[k === "providerSpecificData.baseUrl" ? "baseUrl" : k] = v;
  return out;
}

function parsePriority(raw: string): number | undefined | "invalid" {
  if (!raw) return undefined;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 1 ? n : "invalid";
}

export function providerRoutes(dash: Dash) {
  const { services } = dash;

  function page(request: Request, opts: { values?: ConnectionFormValues; errors?: FieldErrors; error?: string | null; notice?: string | null; status?: number } = {}) {
    const area = { providers: providerOptions(services), items: connectionItems(services), ...opts };
    return renderPage(dash, request, {
      title: "Providers",
      current: PATH,
      body: ProvidersPage({ ...area, catalogue: catalogueItems(services) }) as string,
      // The catalogue's "connected" column changes with the connections: refresh it out of band.
      fragment: (ConnectionsArea(area) as string) + (Catalogue({ items: catalogueItems(services), oob: true }) as string),
      status: opts.status,
    });
  }

  /** After a row action: the row for htmx, the whole page (with a message) for a plain post. */
  function rowOrPage(request: Request, id: string, extra: { test?: TestOutcome; error?: string | null; notice?: string | null; catalogue?: boolean } = {}) {
    const item = connectionItem(services, id);
    if (!isHx(request) || !item) return page(request, { notice: extra.notice, error: item ? extra.error : "Connection not found", status: item ? 200 : 404 });
    const row = ConnectionRow({ c: item, test: extra.test, error: extra.error }) as string;
    return html(extra.catalogue ? row + (Catalogue({ items: catalogueItems(services), oob: true }) as string) : row);
  }

  return new Elysia({ name: "dashboard-providers" })
    .get(PATH, ({ request, query }) => page(request, { values: { provider: typeof query.provider === "string" ? query.provider : "openai" } }))

    .post(`${PATH}/connections`, async ({ request, body }) => {
      const values: ConnectionFormValues = { provider: field(body, "provider"), name: field(body, "name"), baseUrl: field(body, "baseUrl"), priority: field(body, "priority") };
      const priority = parsePriority(values.priority ?? "");
      if (priority === "invalid") return page(request, { values, errors: { priority: "Priority must be a whole number, 1 or more" }, status: 400 });
      const apiKey = field(body, "apiKey");
      const res = await dash.api("POST", "/api/providers", {
        provider: values.provider,
        name: values.name,
        ...(apiKey ? { apiKey } : {}),
        ...(priority ? { priority } : {}),
        ...(values.baseUrl ? { providerSpecificData: { baseUrl: values.baseUrl } } : {}),
      });
      if (!res.ok) {
        const errors = formErrors(res.fields);
        return page(request, { values, errors, error: Object.keys(errors).length ? null : res.error, status: res.status });
      }
      const name = res.data.connection?.name ?? values.name;
      return page(request, { values: { provider: values.provider }, notice: `Connection “${name}” saved. Use Test to check the key.` });
    })

    .get(`${PATH}/connections/:id/row`, ({ request, params }) => rowOrPage(request, params.id))

    .get(`${PATH}/connections/:id/edit`, ({ request, params }) => {
      const item = connectionItem(services, params.id);
      if (!item) return page(request, { error: "Connection not found", status: 404 });
      const row = ConnectionEditRow({ c: item }) as string;
      if (isHx(request)) return html(row);
      return renderPage(dash, request, { title: "Edit connection", current: PATH, body: `<h1>Edit connection</h1><table class="table">${row}</table>` });
    })

    .post(`${PATH}/connections/:id`, async ({ request, params, body }) => {
      const item = connectionItem(services, params.id);
      if (!item) return page(request, { error: "Connection not found", status: 404 });
      const priority = parsePriority(field(body, "priority"));
      const edited = { ...item, name: field(body, "name"), isActive: checkbox(body, "isActive"), baseUrl: field(body, "baseUrl") || undefined };
      const fail = (errors: FieldErrors, error: string | null, status: number) =>
        isHx(request) ? html(ConnectionEditRow({ c: edited, errors, error }) as string, status) : page(request, { error: error ?? Object.values(errors)[0], status });
      if (priority === "invalid") return fail({ priority: "Priority must be a whole number, 1 or more" }, null, 400);
      const apiKey = field(body, "apiKey");
      const res = await dash.api("PUT", `/api/providers/${encodeURIComponent(item.id)}`, {
        name: edited.name,
        isActive: edited.isActive,
        ...(priority ? { priority } : {}),
        ...(apiKey ? { apiKey } : {}),
        // An emptied field removes the override (null clears it, see mergeProviderData).
        providerSpecificData: { baseUrl: edited.baseUrl ?? null },
      });
      if (!res.ok) {
        const errors = formErrors(res.fields);
        return fail(errors, Object.keys(errors).length ? null : res.error, res.status);
      }
      return rowOrPage(request, item.id, { notice: `Connection “${edited.name}” updated.`, catalogue: true });
    })

    .post(`${PATH}/connections/:id/test`, async ({ request, params }) => {
      const res = await dash.api("POST", `/api/providers/${encodeURIComponent(params.id)}/test`);
      if (!res.ok) return rowOrPage(request, params.id, { error: res.error });
      const test: TestOutcome = { valid: res.data.valid, error: res.data.error, latencyMs: res.data.latencyMs, statusCode: res.data.statusCode };
      return rowOrPage(request, params.id, { test, notice: test.valid ? "Connection works." : `Test failed: ${test.error ?? "unknown error"}` });
    })

    .post(`${PATH}/connections/:id/toggle`, async ({ request, params }) => {
      const item = connectionItem(services, params.id);
      if (!item) return page(request, { error: "Connection not found", status: 404 });
      const res = await dash.api("PUT", `/api/providers/${encodeURIComponent(item.id)}`, { isActive: !item.isActive });
      return rowOrPage(request, item.id, { error: res.ok ? null : res.error, catalogue: true });
    })

    .post(`${PATH}/connections/:id/delete`, async ({ request, params }) => {
      const item = connectionItem(services, params.id);
      const res = await dash.api("DELETE", `/api/providers/${encodeURIComponent(params.id)}`);
      const notice = res.ok ? `Connection “${item?.name ?? params.id}” deleted.` : null;
      if (!isHx(request)) return page(request, { notice, error: res.ok ? null : res.error, status: res.ok ? 200 : res.status });
      const table = ConnectionsTable({ items: connectionItems(services), notice, error: res.ok ? null : res.error }) as string;
      return html(table + (Catalogue({ items: catalogueItems(services), oob: true }) as string));
    });
}

export const providersPage: DashboardPage = { path: PATH, label: "Providers", group: "Routing", order: 0, routes: providerRoutes };
