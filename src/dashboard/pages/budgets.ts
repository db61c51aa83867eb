// /dashboard/budgets: spending caps per key through /api/usage/budget.
import { Elysia } from "elysia";
import * as t from "../../db/schema.ts";
import { BudgetsArea, BudgetsPage, type BudgetsProps } from "../../../views/budgets.tsx";
import { field, renderPage, type Dash, type DashboardPage } from "../http.ts";

const PATH = "/dashboard/budgets";

export function budgetRoutes(dash: Dash) {
  const { services } = dash;

  async function page(request: Request, opts: Partial<BudgetsProps> & { status?: number } = {}) {
    const res = await dash.api("GET", "/api/usage/budget");
    const keys = services.db.select({ id: t.apiKeys.id, name: t.apiKeys.name }).from(t.apiKeys).all().map((k) => ({ value: k.id, label: k.name }));
    const props: BudgetsProps = { budgets: res.ok ? res.data.budgets : [], keys, ...opts, error: opts.error ?? (res.ok ? null : res.error) };
    return renderPage(dash, request, { title: "Budgets", current: PATH, body: BudgetsPage(props) as string, fragment: BudgetsArea(props) as string, status: opts.status });
  }

  return new Elysia({ name: "dashboard-budgets" })
    .get(PATH, ({ request }) => page(request))
    .post(PATH, async ({ request, body }) => {
      const values = { keyId: field(body, "keyId"), limit: field(body, "limit"), period: field(body, "period"), warningThreshold: field(body, "warningThreshold") };
      const limit = Number(values.limit);
      const warn = values.warningThreshold === "" ? 80 : Number(values.warningThreshold);
      if (!values.limit || !Number.isFinite(limit)) return page(request, { values, errors: { limit: "Enter an amount in USD" }, status: 400 });
      if (!Number.isFinite(warn) || warn < 0 || warn > 100) return page(request, { values, errors: { warningThreshold: "A percentage, 0 to 100" }, status: 400 });
      const res = await dash.api("POST", "/api/usage/budget", { keyId: values.keyId, limit, period: values.period || "monthly", warningThreshold: warn / 100 });
      if (!res.ok) return page(request, { values, errors: res.fields, error: Object.keys(res.fields).length ? null : res.error, status: res.status });
      return page(request, { notice: "Budget saved." });
    })
    .post(`${PATH}/delete`, async ({ request, body }) => {
      const res = await dash.api("DELETE", `/api/usage/budget?keyId=${encodeURIComponent(field(body, "keyId"))}`);
      return page(request, res.ok ? { notice: "Budget removed." } : { error: res.error, status: res.status });
    });
}

export const budgetsPage: DashboardPage = { path: PATH, label: "Budgets", group: "Observe", order: 10, routes: budgetRoutes };
