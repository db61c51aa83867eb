// /dashboard/combos: create, edit, reorder targets, change strategy, delete (via /api/combos).
import { Elysia } from "elysia";
import { STRATEGIES } from "../../routing/strategies.ts";
import { CombosArea, CombosPage, targetsText, type ComboFormValues, type ComboItem, type CombosAreaProps, type ComboTarget } from "../../../views/combos.tsx";
import type { FieldErrors } from "../../../views/components.tsx";
import { routableModels } from "../data.ts";
import { field, renderPage, type Dash, type DashboardPage } from "../http.ts";

const PATH = "/dashboard/combos";

/** "model" or "model weight" per line → the API's targets (a plain string when there is no weight). */
export function parseTargets(text: string): { targets: (string | { model: string; weight: number })[]; error: string | null } {
  const targets: (string | { model: string; weight: number })[] = [];
  for (const [i, line] of text.split(/\r?\n/).entries()) {
    const parts = line.trim().split(/\s+/).filter(Boolean);
    if (parts.length === 0) continue;
    if (parts.length > 2) return { targets, error: `Line ${i + 1}: "model" or "model weight"` };
    if (parts.length === 1) targets.push(parts[0]!);
    else {
      const weight = Number(parts[1]);
      if (!Number.isFinite(weight) || weight < 0) return { targets, error: `Line ${i + 1}: the weight must be a number` };
      targets.push({ model: parts[0]!, weight });
    }
  }
  return { targets, error: null };
}

function toItem(c: { id: string; name: string; strategy: string; targets: unknown[] }): ComboItem {
  const targets: ComboTarget[] = c.targets.map((t) =>
    typeof t === "string" ? { model: t } : { model: String((t as { model: unknown }).model), ...(typeof (t as { weight?: unknown }).weight === "number" ? { weight: (t as { weight: number }).weight } : {}) },
  );
  return { id: c.id, name: c.name, strategy: c.strategy, targets };
}

/** API error fields → the form's ("targets.2" is a line of the targets box). */
function formErrors(fields: Record<string, string>): FieldErrors {
  const out: FieldErrors = {};
  for (const [k, v] of Object.entries(fields)) {
    const key = k.startsWith("targets") ? "targets" : k;
    out[key] ??= v;
  }
  return out;
}

export function comboRoutes(dash: Dash) {
  const { services } = dash;

  const combos = (): ComboItem[] => [...services.store.combos.values()].map(toItem).sort((a, b) => a.name.localeCompare(b.name));
  const models = () => [...routableModels(services), ...services.store.aliases.keys()];

  function page(request: Request, opts: Partial<CombosAreaProps> & { status?: number } = {}) {
    const props: CombosAreaProps = { combos: combos(), strategies: [...STRATEGIES], models: models(), ...opts };
    return renderPage(dash, request, { title: "Combos", current: PATH, body: CombosPage(props) as string, fragment: CombosArea(props) as string, status: opts.status });
  }

  const values = (body: unknown): ComboFormValues => ({ name: field(body, "name"), strategy: field(body, "strategy"), targets: field(body, "targets") });

  return new Elysia({ name: "dashboard-combos" })
    .get(PATH, ({ request }) => page(request))

    .post(PATH, async ({ request, body }) => {
      const v = values(body);
      const parsed = parseTargets(v.targets ?? "");
      if (parsed.error) return page(request, { values: v, errors: { targets: parsed.error }, status: 400 });
      const res = await dash.api("POST", "/api/combos", { name: v.name, strategy: v.strategy || undefined, targets: parsed.targets });
      if (!res.ok) {
        const errors = formErrors(res.fields);
        return page(request, { values: v, errors, error: Object.keys(errors).length ? null : res.error, status: res.status });
      }
      return page(request, { notice: `Combo “${v.name}” created: send it as the model.` });
    })

    .get(`${PATH}/:id/edit`, ({ request, params }) => {
      const c = combos().find((x) => x.id === params.id);
      if (!c) return page(request, { error: "Combo not found", status: 404 });
      return page(request, { editing: { id: c.id, values: { name: c.name, strategy: c.strategy, targets: targetsText(c.targets) }, errors: {}, error: null } });
    })

    .post(`${PATH}/:id`, async ({ request, params, body }) => {
      const v = values(body);
      const parsed = parseTargets(v.targets ?? "");
      const editing = (errors: FieldErrors, error: string | null) => ({ id: params.id, values: v, errors, error });
      if (parsed.error) return page(request, { editing: editing({ targets: parsed.error }, null), status: 400 });
      const res = await dash.api("PUT", `/api/combos/${encodeURIComponent(params.id)}`, { name: v.name, strategy: v.strategy, targets: parsed.targets });
      if (!res.ok) {
        const errors = formErrors(res.fields);
        return page(request, { editing: editing(errors, Object.keys(errors).length ? null : res.error), status: res.status });
      }
      return page(request, { notice: `Combo “${v.name}” saved.` });
    })

    .post(`${PATH}/:id/move`, async ({ request, params, body }) => {
      const c = [...services.store.combos.values()].find((x) => x.id === params.id);
      if (!c) return page(request, { error: "Combo not found", status: 404 });
      const targets = [...c.targets];
      const i = Number(field(body, "index"));
      const j = field(body, "dir") === "up" ? i - 1 : i + 1;
      if (!Number.isInteger(i) || i < 0 || j < 0 || i >= targets.length || j >= targets.length) return page(request);
      [targets[i], targets[j]] = [targets[j], targets[i]];
      const res = await dash.api("PUT", `/api/combos/${encodeURIComponent(c.id)}`, { targets });
      return page(request, { error: res.ok ? null : res.error, status: res.ok ? 200 : res.status });
    })

    .post(`${PATH}/:id/delete`, async ({ request, params }) => {
      const c = combos().find((x) => x.id === params.id);
      const res = await dash.api("DELETE", `/api/combos/${encodeURIComponent(params.id)}`);
      if (!res.ok) return page(request, { error: res.error, status: res.status });
      return page(request, { notice: `Combo “${c?.name ?? params.id}” deleted.` });
    });
}

export const combosPage: DashboardPage = { path: PATH, label: "Combos", group: "Routing", order: 25, routes: comboRoutes };
