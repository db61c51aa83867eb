// /dashboard/pricing: every model's price (/api/pricing/models), overrides (PATCH /api/pricing)
// and resets (DELETE /api/pricing).
import { Elysia } from "elysia";
import type { FieldErrors } from "../../../views/components.tsx";
import { PricingArea, PricingPage, type PricingProps } from "../../../views/pricing.tsx";
import { field, renderPage, type Dash, type DashboardPage } from "../http.ts";

const PATH = "/dashboard/pricing";

export function pricingRoutes(dash: Dash) {
  const { services } = dash;

  async function page(request: Request, opts: Partial<PricingProps> & { status?: number } = {}) {
    const res = await dash.api("GET", "/api/pricing/models");
    const providers = [...services.store.providers.values()].map((p) => ({ value: p.id, label: p.name }));
    const props: PricingProps = {
      prices: res.ok ? res.data.models : [],
      unpriced: res.ok ? res.data.unpriced : [],
      providers,
      q: "",
      ...opts,
      error: opts.error ?? (res.ok ? null : res.error),
    };
    return renderPage(dash, request, { title: "Pricing", current: PATH, body: PricingPage(props) as string, fragment: PricingArea(props) as string, status: opts.status });
  }

  return new Elysia({ name: "dashboard-pricing" })
    .get(PATH, ({ request, query }) => page(request, { q: typeof query.q === "string" ? query.q.trim() : "" }))
    .post(PATH, async ({ request, body }) => {
      const values = { provider: field(body, "provider"), model: field(body, "model"), input: field(body, "input"), output: field(body, "output"), cached: field(body, "cached") };
      const errors: FieldErrors = {};
      const price: Record<string, number> = {};
      for (const k of ["input", "output", "cached"] as const) {
        if (values[k] === "") continue;
        const n = Number(values[k]);
        if (!Number.isFinite(n) || n < 0) errors[k] = "A price of 0 or more";
        else price[k] = n;
      }
      if (!values.model) errors.model = "Model is required";
      if (price.input === undefined && price.output === undefined && !errors.input && !errors.output) errors.input = "Give at least an input or an output price";
      if (Object.keys(errors).length) return page(request, { values, errors, status: 400 });
      const res = await dash.api("PATCH", "/api/pricing", { [values.provider]: { [values.model]: price } });
      if (!res.ok) return page(request, { values, error: Object.values(res.fields)[0] ?? res.error, status: res.status });
      return page(request, { notice: `Price for ${values.provider}/${values.model} saved.` });
    })
    .post(`${PATH}/reset`, async ({ request, body }) => {
      const q = new URLSearchParams({ provider: field(body, "provider"), model: field(body, "model") });
      const res = await dash.api("DELETE", `/api/pricing?${q}`);
      return page(request, res.ok ? { notice: `${q.get("provider")}/${q.get("model")} is back to its built-in price.` } : { error: res.error, status: res.status });
    });
}

export const pricingPage: DashboardPage = { path: PATH, label: "Pricing", group: "Observe", order: 15, routes: pricingRoutes };
