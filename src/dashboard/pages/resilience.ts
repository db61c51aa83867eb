// /dashboard/resilience: live breaker/cooldown state with a reset, the gateway's own rate
// limits, "can this model be served now?", resilience profiles and routing policies. All
// through /api/rate-limits, /api/rate-limit, /api/resilience(/reset), /api/models/availability
// and /api/policies.
import { Elysia } from "elysia";
import type { FieldErrors } from "../../../views/components.tsx";
import { AvailabilityCheck, JsonForm, LiveState, NumbersForm, ResiliencePage, type AvailabilityResult } from "../../../views/resilience.tsx";
import { PolicyList } from "../../../views/policies.tsx";
import { field, html, isHx, renderPage, type Dash, type DashboardPage } from "../http.ts";

const PATH = "/dashboard/resilience";

const POLICY_TEMPLATE = JSON.stringify({ name: "night shift", priority: 100, match: { models: ["gpt-*"], time: { from: "22:00", to: "06:00" } }, action: "allow", forceModel: "openai/gpt-4o-mini" }, null, 2);

function parseJson(text: string): { value: unknown; error: string | null } {
  try {
    return { value: JSON.parse(text), error: null };
  } catch (err) {
    return { value: null, error: `Not valid JSON: ${(err as Error).message}` };
  }
}

export function resilienceRoutes(dash: Dash) {
  async function live(extra: { notice?: string | null; error?: string | null } = {}) {
    const res = await dash.api("GET", "/api/rate-limits");
    const data = res.ok ? res.data : { connections: [], providers: [] };
    return LiveState({ connections: data.connections ?? [], providers: data.providers ?? [], error: res.ok ? extra.error : res.error, notice: extra.notice }) as string;
  }

  async function rate(extra: { errors?: FieldErrors; error?: string | null; notice?: string | null; values?: Record<string, unknown> } = {}) {
    const res = await dash.api("GET", "/api/rate-limit");
    const hint = "The gateway's limits on its own clients; 0 means no limit. Over the limit, clients get 429.";
    return NumbersForm({ id: "rate-limit", title: "Client rate limits", action: `${PATH}/rate-limit`, values: extra.values ?? (res.ok ? res.data : {}), hint, ...extra }) as string;
  }

  async function profiles(extra: { json?: string; error?: string | null; notice?: string | null } = {}) {
    const res = await dash.api("GET", "/api/resilience");
    const hint = "Breaker thresholds, timeouts and retries per profile, their assignment to providers, 429 cooldowns, rotation and fallback rules (see docs/api.md). Maps merge key by key; null removes a key.";
    return JsonForm({ id: "profiles", title: "Resilience profiles", action: `${PATH}/profiles`, json: extra.json ?? JSON.stringify(res.ok ? res.data : {}, null, 2), hint, error: extra.error ?? (res.ok ? null : res.error), notice: extra.notice }) as string;
  }

  async function policies(extra: { json?: string; error?: string | null; notice?: string | null } = {}) {
    const res = await dash.api("GET", "/api/policies");
    return PolicyList({ policies: res.ok ? res.data.policies : [], template: extra.json ?? POLICY_TEMPLATE, error: extra.error ?? (res.ok ? null : res.error), notice: extra.notice }) as string;
  }

  async function page(request: Request, parts: Partial<Record<"live" | "rate" | "profiles" | "policies" | "availability", string>> = {}, status = 200) {
    const body = ResiliencePage({
      live: parts.live ?? (await live()),
      availability: parts.availability ?? (AvailabilityCheck({}) as string),
      rate: parts.rate ?? (await rate()),
      profiles: parts.profiles ?? (await profiles()),
      policies: parts.policies ?? (await policies()),
    }) as string;
    return renderPage(dash, request, { title: "Resilience & limits", current: PATH, body, status });
  }

  /** The section for htmx, the whole page (with that section's message) for a plain post. */
  const answer = async (request: Request, key: "live" | "rate" | "profiles" | "policies" | "availability", part: string, status = 200) =>
    isHx(request) ? html(part, status) : page(request, { [key]: part }, status);

  return new Elysia({ name: "dashboard-resilience" })
    .get(PATH, ({ request }) => page(request))
    .get(`${PATH}/live`, async () => html(await live()))

    .post(`${PATH}/reset`, async ({ request }) => {
      const res = await dash.api("POST", "/api/resilience/reset");
      return answer(request, "live", await live(res.ok ? { notice: `Reset: ${res.data.resetCount ?? 0} states cleared.` } : { error: res.error }), res.ok ? 200 : res.status);
    })

    .post(`${PATH}/rate-limit`, async ({ request, body }) => {
      const values: Record<string, unknown> = {};
      for (const key of Object.keys((body ?? {}) as object)) values[key] = Number(field(body, key));
      const res = await dash.api("PUT", "/api/rate-limit", values);
      if (!res.ok) return answer(request, "rate", await rate({ values, errors: res.fields, error: Object.keys(res.fields).length ? null : res.error }), res.status);
      return answer(request, "rate", await rate({ notice: "Saved." }));
    })

    .post(`${PATH}/profiles`, async ({ request, body }) => {
      const json = field(body, "json");
      const parsed = parseJson(json);
      if (parsed.error) return answer(request, "profiles", await profiles({ json, error: parsed.error }), 400);
      const res = await dash.api("PUT", "/api/resilience", parsed.value);
      if (!res.ok) {
        const details = Object.entries(res.fields).map(([f, m]) => `${f}: ${m}`).join("; ");
        return answer(request, "profiles", await profiles({ json, error: details || res.error }), res.status);
      }
      return answer(request, "profiles", await profiles({ notice: "Saved: applies to the next request." }));
    })

    .post(`${PATH}/availability`, async ({ request, body }) => {
      const model = field(body, "model");
      const res = await dash.api("POST", "/api/models/availability", { model });
      const result: AvailabilityResult = res.ok ? res.data : { model, available: false, targets: [], error: res.error };
      return answer(request, "availability", AvailabilityCheck({ result, model }) as string, res.ok ? 200 : res.status);
    })

    .post(`${PATH}/policies`, async ({ request, body }) => {
      const json = field(body, "json");
      const parsed = parseJson(json);
      if (parsed.error) return answer(request, "policies", await policies({ json, error: parsed.error }), 400);
      const res = await dash.api("POST", "/api/policies", parsed.value);
      if (!res.ok) {
        const details = Object.entries(res.fields).map(([f, m]) => `${f}: ${m}`).join("; ");
        return answer(request, "policies", await policies({ json, error: details || res.error }), res.status);
      }
      return answer(request, "policies", await policies({ notice: `Policy “${res.data.policy?.name ?? ""}” added.` }));
    })

    .post(`${PATH}/policies/:id/delete`, async ({ request, params }) => {
      const res = await dash.api("DELETE", `/api/policies/${encodeURIComponent(params.id)}`);
      return answer(request, "policies", await policies(res.ok ? { notice: "Policy deleted." } : { error: res.error }), res.ok ? 200 : res.status);
    });
}

export const resiliencePage: DashboardPage = { path: PATH, label: "Resilience & limits", group: "Routing", order: 40, routes: resilienceRoutes };
