// /dashboard/processing: the request-processing features that live outside SettingsSchema,
// each section a form over its own /api/* route: the global system prompt and the thinking
// budget (/api/settings/system-prompt, /api/settings/thinking-budget), the IP filter
// (/api/settings/ip-filter, whose "this would refuse you" check sees the browser's address) and
// the upstream proxy (/api/settings/proxy, /api/settings/proxy/test).
import { Elysia } from "elysia";
import {
  IpFilterSection,
  ProcessingPage,
  ProxySection,
  ProxyTestResult,
  SystemPromptSection,
  ThinkingSection,
  type IpFilterValue,
  type ProcessingProps,
  type ProxyProps,
  type ProxyTest,
  type SectionState,
  type SystemPromptValue,
  type ThinkingValue,
} from "../../../views/processing.tsx";
import { proxyUrlOf } from "../../features/config.ts";
import { providerOptions } from "../data.ts";
import { checkbox, field, firstError, html, isHx, renderPage, type ApiResult, type Dash, type DashboardPage } from "../http.ts";

const PATH = "/dashboard/processing";

/** Textarea → list: one entry per line (commas tolerated), blanks dropped. */
const lines = (text: string) =>
  text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);

/** The API's refusal as section state: field messages inline, the rest as the section's error. */
const refused = (res: ApiResult, known: string[]): SectionState => {
  const errors = Object.fromEntries(Object.entries(res.fields).filter(([k]) => known.includes(k)));
  return { errors, error: Object.keys(errors).length ? null : res.error };
};

export function processingRoutes(dash: Dash) {
  const { services } = dash;
  const features = () => services.store.features;

  const promptValue = (): SystemPromptValue => ({ ...features().systemPrompt });
  const thinkingValue = (): ThinkingValue => ({ mode: features().thinkingBudget.mode, budgetTokens: String(features().thinkingBudget.budgetTokens) });
  const ipValue = (): IpFilterValue => {
    const f = features().ipFilter;
    return { enabled: f.enabled, allowlist: f.allowlist.join("\n"), blocklist: f.blocklist.join("\n"), trustedProxies: f.trustedProxies.join("\n") };
  };
  /** The stored global proxy as a URL without its password: posted back unchanged, the API keeps the password. */
  const globalUrl = () => {
    const g = features().proxy.global;
    return g ? proxyUrlOf({ type: g.type, host: g.host, port: g.port, username: g.username }) : "";
  };

  async function proxyProps(state: Partial<ProxyProps> = {}): Promise<ProxyProps> {
    const res = await dash.api("GET", "/api/settings/proxy");
    const labels = new Map(providerOptions(services).map((o) => [o.value, o.label]));
    const providers = (res.ok ? res.data.providers : {}) as Record<string, "direct" | { url: string }>;
    return {
      global: globalUrl(),
      hasPassword: !!features().proxy.global?.passwordEnc,
      overrides: Object.entries(providers).map(([id, p]) => ({ provider: id, label: labels.get(id) ?? id, url: p === "direct" ? "direct" : p.url })),
      providers: providerOptions(services),
      ...state,
      error: state.error ?? (res.ok ? null : res.error),
    };
  }

  async function page(request: Request, over: Partial<ProcessingProps> = {}, status?: number) {
    const props: ProcessingProps = {
      systemPrompt: over.systemPrompt ?? { value: promptValue() },
      thinking: over.thinking ?? { value: thinkingValue() },
      ipFilter: over.ipFilter ?? { value: ipValue() },
      proxy: over.proxy ?? (await proxyProps()),
    };
    return renderPage(dash, request, { title: "Request processing", current: PATH, body: ProcessingPage(props) as string, status });
  }

  /** htmx gets the section, a browser without JavaScript the whole page with that section's state. */
  const answer = async (request: Request, section: string, over: Partial<ProcessingProps>, status = 200) => {
    if (!isHx(request)) return page(request, over, status);
    const props = Object.values(over)[0] as any;
    const view = { systemPrompt: SystemPromptSection, thinking: ThinkingSection, ipFilter: IpFilterSection, proxy: ProxySection }[section as keyof ProcessingProps];
    return html(view(props) as string, status);
  };

  return new Elysia({ name: "dashboard-processing" })
    .get(PATH, ({ request }) => page(request))

    .post(`${PATH}/system-prompt`, async ({ request, body }) => {
      const value: SystemPromptValue = { enabled: checkbox(body, "enabled"), mode: field(body, "mode"), prompt: field(body, "prompt") };
      const res = await dash.api("PUT", "/api/settings/system-prompt", value);
      if (!res.ok) return answer(request, "systemPrompt", { systemPrompt: { value, ...refused(res, ["mode", "prompt"]) } }, res.status);
      return answer(request, "systemPrompt", { systemPrompt: { value: promptValue(), notice: "Saved." } });
    })

    .post(`${PATH}/thinking-budget`, async ({ request, body }) => {
      const value: ThinkingValue = { mode: field(body, "mode"), budgetTokens: field(body, "budgetTokens") };
      const n = Number(value.budgetTokens);
      if (value.budgetTokens === "" || !Number.isFinite(n)) return answer(request, "thinking", { thinking: { value, errors: { budgetTokens: "Enter a number" } } }, 400);
      const res = await dash.api("PUT", "/api/settings/thinking-budget", { mode: value.mode, budgetTokens: n });
      if (!res.ok) return answer(request, "thinking", { thinking: { value, ...refused(res, ["mode", "budgetTokens"]) } }, res.status);
      return answer(request, "thinking", { thinking: { value: thinkingValue(), notice: "Saved." } });
    })

    .post(`${PATH}/ip-filter`, async ({ request, body }) => {
      const value: IpFilterValue = { enabled: checkbox(body, "enabled"), allowlist: field(body, "allowlist"), blocklist: field(body, "blocklist"), trustedProxies: field(body, "trustedProxies") };
      const patch = { enabled: value.enabled, allowlist: lines(value.allowlist), blocklist: lines(value.blocklist), trustedProxies: lines(value.trustedProxies), force: checkbox(body, "force") };
      // On behalf of the browser: the API checks the filter against *its* address.
      const res = await dash.api("PUT", "/api/settings/ip-filter", patch, request);
      if (!res.ok) {
        const state = refused(res, ["enabled", "allowlist", "blocklist", "trustedProxies"]);
        return answer(request, "ipFilter", { ipFilter: { value, selfBlock: !!res.fields.enabled, ...state } }, res.status);
      }
      return answer(request, "ipFilter", { ipFilter: { value: ipValue(), notice: "Saved." } });
    })

    .post(`${PATH}/proxy`, async ({ request, body }) => {
      const global = field(body, "global");
      const res = await dash.api("PUT", "/api/settings/proxy", { global: global || null });
      if (!res.ok) return answer(request, "proxy", { proxy: await proxyProps({ global, ...refused(res, ["global"]) }) }, res.status);
      return answer(request, "proxy", { proxy: await proxyProps({ notice: global ? "Saved: calls to providers go through this proxy." : "Saved: calls to providers go direct." }) });
    })

    .post(`${PATH}/proxy/test`, async ({ request, body }) => {
      const typed = field(body, "global");
      // Unchanged (or empty): the proxy in force, with its stored password; else what was typed.
      const res = await dash.api<ProxyTest>("POST", "/api/settings/proxy/test", typed && typed !== globalUrl() ? { proxy: typed } : {});
      const test: ProxyTest = res.ok ? res.data : { success: false, error: firstError(res, "proxy") ?? "test refused" };
      if (isHx(request)) return html(ProxyTestResult({ test }) as string);
      return page(request, { proxy: await proxyProps({ global: typed, test }) });
    })

    .post(`${PATH}/proxy/override`, async ({ request, body }) => {
      const provider = field(body, "provider");
      const proxy = field(body, "proxy");
      const value = proxy.toLowerCase() === "direct" ? "direct" : proxy;
      const res = proxy ? await dash.api("PUT", "/api/settings/proxy", { providers: { [provider]: value } }) : null;
      if (!res?.ok) {
        const error = res ? (Object.values(res.fields)[0] ?? res.error) : "Enter a proxy URL, or “direct”";
        return answer(request, "proxy", { proxy: await proxyProps({ override: { provider, proxy }, errors: { override: error ?? "refused" } }) }, res?.status ?? 400);
      }
      return answer(request, "proxy", { proxy: await proxyProps({ notice: "Override saved." }) });
    })

    .post(`${PATH}/proxy/remove`, async ({ request, body }) => {
      const provider = field(body, "provider");
      const res = await dash.api("DELETE", `/api/settings/proxy?provider=${encodeURIComponent(provider)}`);
      if (!res.ok) return answer(request, "proxy", { proxy: await proxyProps({ error: res.error }) }, res.status);
      return answer(request, "proxy", { proxy: await proxyProps({ notice: "Override removed: that provider uses the global proxy again." }) });
    });
}

export const processingPage: DashboardPage = { path: PATH, label: "Request processing", group: "System", order: 5, routes: processingRoutes };
