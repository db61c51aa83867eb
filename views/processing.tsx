import type { PropsWithChildren } from "@kitajs/html";
import { Alert, Badge, Field, PageHeader, SelectField, Spinner, Toggle, type FieldErrors, type Option } from "./components.tsx";
import { fmtMs } from "./format.ts";

/** What every section of the page may show after a post. */
export interface SectionState {
  errors?: FieldErrors;
  error?: string | null;
  notice?: string | null;
}

const BASE = "/dashboard/processing";

function TextArea({ label, name, value, rows = 4, hint, error }: { label: string; name: string; value: string; rows?: number; hint?: string; error?: string | null }) {
  const id = `p-${name}`;
  return (
    <label class={`field${error ? " has-error" : ""}`} for={id}>
      <span class="field-label" safe>
        {label}
      </span>
      <textarea id={id} name={name} rows={String(rows)} aria-invalid={error ? "true" : undefined} safe>
        {value}
      </textarea>
      {error ? <span class="field-error" safe>{error}</span> : hint ? <span class="field-hint" safe>{hint}</span> : ""}
    </label>
  );
}

function SaveButton() {
  return (
    <div class="form-actions">
      <button type="submit" class="btn primary">
        Save
      </button>
    </div>
  );
}

/** A section whose form posts to BASE/<id> and is replaced by the answer (htmx), or the page (no JS). */
function SectionForm({ id, title, safeBadge, intro, state, children }: PropsWithChildren<{ id: string; title: string; safeBadge?: string; intro: string; state: SectionState }>) {
  return (
    <section class="card" id={id}>
      <div class="card-head">
        <h2 safe>{title}</h2>
        {safeBadge ?? ""}
      </div>
      <p class="muted small" safe>
        {intro}
      </p>
      <Alert tone="ok" message={state.notice} />
      <form method="post" action={`${BASE}/${id}`} hx-post={`${BASE}/${id}`} hx-target={`#${id}`} class="form-grid">
        {children}
        <Alert message={state.error} />
        <SaveButton />
      </form>
    </section>
  );
}

export interface SystemPromptValue {
  enabled: boolean;
  prompt: string;
  mode: string;
}

const PROMPT_MODES: Option[] = [
  { value: "prepend", label: "Prepend: before the client's system prompt" },
  { value: "append", label: "Append: after the client's system prompt" },
  { value: "replace", label: "Replace: instead of the client's system prompt" },
];

export function SystemPromptSection({ value, ...state }: { value: SystemPromptValue } & SectionState) {
  const badge = (value.enabled ? <Badge tone="ok" text="on" /> : <Badge text="off" />) as string;
  return (
    <SectionForm id="system-prompt" title="System prompt" safeBadge={badge} state={state} intro="A system prompt added to every chat request routed through the gateway.">
      <Toggle label="Enabled" name="enabled" checked={value.enabled} />
      <SelectField label="Mode" name="mode" options={PROMPT_MODES} value={value.mode} error={state.errors?.mode} id="p-mode" />
      <TextArea label="Prompt" name="prompt" value={value.prompt} rows={6} error={state.errors?.prompt} hint="up to 100,000 characters" />
    </SectionForm>
  );
}

export interface ThinkingValue {
  mode: string;
  budgetTokens: string;
}

const THINKING_MODES: Option[] = [
  { value: "passthrough", label: "Passthrough: the client decides" },
  { value: "cap", label: "Cap: lower larger reasoning budgets to the limit" },
  { value: "force", label: "Force: every request reasons with the budget" },
];

export function ThinkingSection({ value, ...state }: { value: ThinkingValue } & SectionState) {
  const badge = (value.mode === "passthrough" ? <Badge text="passthrough" /> : <Badge tone="info" text={value.mode} />) as string;
  return (
    <SectionForm id="thinking-budget" title="Thinking budget" safeBadge={badge} state={state} intro="How much reasoning models may spend, whatever the client asks for.">
      <SelectField label="Policy" name="mode" options={THINKING_MODES} value={value.mode} error={state.errors?.mode} id="t-mode" />
      <Field label="Budget (tokens)" name="budgetTokens" type="number" min="0" max="1000000" value={value.budgetTokens} error={state.errors?.budgetTokens} hint="for cap and force; 0 with force = reasoning off" id="t-budget" />
    </SectionForm>
  );
}

export interface IpFilterValue {
  enabled: boolean;
  allowlist: string;
  blocklist: string;
  trustedProxies: string;
}

/** `selfBlock`: the API refused because the filter would refuse the address saving it; offer to force. */
export function IpFilterSection({ value, selfBlock, ...state }: { value: IpFilterValue; selfBlock?: boolean } & SectionState) {
  const badge = (value.enabled ? <Badge tone="ok" text="on" /> : <Badge text="off" />) as string;
  return (
    <SectionForm id="ip-filter" title="IP filter" safeBadge={badge} state={state} intro="Which addresses may reach the gateway, the API and this dashboard. IPv4 or IPv6 addresses and CIDR ranges, one per line.">
      <Toggle label="Enabled" name="enabled" checked={value.enabled} hint="off: every address is let in" />
      {state.errors?.enabled ? (
        <div class="field has-error">
          <span class="field-error" role="alert" safe>
            {state.errors.enabled}
          </span>
        </div>
      ) : (
        ""
      )}
      {selfBlock ? <Toggle label="Save anyway" name="force" checked={false} hint="you may lock yourself out of this dashboard" /> : ""}
      <TextArea label="Allow list" name="allowlist" value={value.allowlist} error={state.errors?.allowlist} hint="when not empty, only these may connect" />
      <TextArea label="Block list" name="blocklist" value={value.blocklist} error={state.errors?.blocklist} hint="always refused, even when allowed above" />
      <TextArea label="Trusted proxies" name="trustedProxies" value={value.trustedProxies} rows={2} error={state.errors?.trustedProxies} hint="peers whose X-Forwarded-For is believed" />
    </SectionForm>
  );
}

/** POST /api/settings/proxy/test's answer, or the API's refusal. */
export interface ProxyTest {
  success: boolean;
  proxyUrl?: string;
  status?: number;
  publicIp?: string | null;
  latencyMs?: number;
  error?: string;
}

export function ProxyTestResult({ test }: { test?: ProxyTest | null }) {
  return (
    <div id="proxy-test" aria-live="polite">
      {test ? (
        test.success ? (
          <Alert tone="ok" message={`Proxy works: ${test.proxyUrl ?? ""} answered${test.status ? ` ${test.status}` : ""} in ${fmtMs(test.latencyMs)}${test.publicIp ? `, public IP ${test.publicIp}` : ""}.`} />
        ) : (
          <Alert message={`Proxy test failed${test.proxyUrl ? ` (${test.proxyUrl})` : ""}: ${test.error ?? "unknown error"}`} />
        )
      ) : (
        ""
      )}
    </div>
  );
}

export interface ProxyOverride {
  provider: string;
  label: string;
  /** The proxy's URL (password masked), or "direct". */
  url: string;
}

export interface ProxyProps extends SectionState {
  /** The global proxy as a URL without its password (posting it back unchanged keeps the password). */
  global: string;
  hasPassword: boolean;
  overrides: ProxyOverride[];
  providers: Option[];
  test?: ProxyTest | null;
  /** The override form's values after a refusal. */
  override?: { provider: string; proxy: string };
}

export function ProxySection(p: ProxyProps) {
  const badge = p.global ? <Badge tone="info" text="global proxy set" /> : <Badge text="direct" />;
  return (
    <section class="card" id="proxy">
      <div class="card-head">
        <h2>Upstream proxy</h2>
        {badge}
      </div>
      <p class="muted small">The HTTP(S) proxy calls to providers go through. Passwords are stored encrypted and never shown.</p>
      <Alert tone="ok" message={p.notice} />
      <form method="post" action={`${BASE}/proxy`} hx-post={`${BASE}/proxy`} hx-target="#proxy" class="form-grid">
        <Field
          label="Global proxy"
          name="global"
          value={p.global}
          placeholder="http://user:pass@proxy.local:3128"
          error={p.errors?.global}
          hint={p.hasPassword ? "a password is stored: kept unless you type a new one; empty = no proxy" : "empty = no proxy"}
          id="x-global"
        />
        <Alert message={p.error} />
        <div class="form-actions">
          <button type="submit" class="btn primary">
            Save
          </button>
          <button type="submit" class="btn" formaction={`${BASE}/proxy/test`} hx-post={`${BASE}/proxy/test`} hx-target="#proxy-test" hx-indicator="#proxy-spinner" hx-disabled-elt="this">
            <span id="proxy-spinner" class="spinner htmx-indicator" aria-label="testing"></span> Test proxy
          </button>
        </div>
      </form>
      <ProxyTestResult test={p.test} />

      <h3 class="small">Per provider</h3>
      {p.overrides.length ? (
        <div class="table-wrap">
        <table class="table">
          <thead>
            <tr>
              <th>Provider</th>
              <th>Proxy</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {p.overrides.map((o) => (
              <tr>
                <td safe>{o.label}</td>
                <td>{o.url === "direct" ? <Badge text="direct (bypasses the global proxy)" /> : <code safe>{o.url}</code>}</td>
                <td>
                  <form method="post" action={`${BASE}/proxy/remove`} hx-post={`${BASE}/proxy/remove`} hx-target="#proxy" hx-confirm={`Remove the proxy override of “${o.label}”?`}>
                    <input type="hidden" name="provider" value={o.provider} />
                    <button type="submit" class="btn small danger">
                      Remove
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        </div>
      ) : (
        <p class="muted small">No provider has its own proxy: all use the global one.</p>
      )}
      <form method="post" action={`${BASE}/proxy/override`} hx-post={`${BASE}/proxy/override`} hx-target="#proxy" class="form-grid">
        <SelectField label="Provider" name="provider" options={p.providers} value={p.override?.provider} id="x-provider" />
        <Field label="Its proxy" name="proxy" value={p.override?.proxy} placeholder="http://proxy.local:3128 or direct" error={p.errors?.override} hint="a proxy URL, or “direct” to bypass the global proxy" id="x-proxy" />
        <div class="form-actions">
          <button type="submit" class="btn">
            Set override
          </button>
        </div>
      </form>
    </section>
  );
}

export interface ProcessingProps {
  systemPrompt: { value: SystemPromptValue } & SectionState;
  thinking: { value: ThinkingValue } & SectionState;
  ipFilter: { value: IpFilterValue; selfBlock?: boolean } & SectionState;
  proxy: ProxyProps;
}

export function ProcessingPage(p: ProcessingProps) {
  return (
    <>
      <PageHeader title="Request processing" subtitle="What the gateway does to every request: the system prompt, the thinking budget, who may connect and the proxy to providers. Changes apply to the next request." />
      <SystemPromptSection {...p.systemPrompt} />
      <ThinkingSection {...p.thinking} />
      <IpFilterSection {...p.ipFilter} />
      <ProxySection {...p.proxy} />
    </>
  );
}
