import { Alert, Badge, EmptyState, Field, PageHeader, Section, SelectField, Spinner, Toggle, type FieldErrors, type Option } from "./components.tsx";
import { timeAgo } from "./format.ts";

export interface ConnectionItem {
  id: string;
  provider: string;
  providerName: string;
  name: string;
  priority: number;
  isActive: boolean;
  maskedKey?: string;
  baseUrl?: string;
  defaultBaseUrl: string;
  testStatus: string;
  lastError?: string;
  lastTestedAt?: number;
  undecryptable: boolean;
}

export interface CatalogueItem {
  id: string;
  name: string;
  kind: "registry" | "node";
  format: string;
  baseUrl: string;
  models: number;
  connections: number;
  ready: boolean;
  prefix: string;
}

export interface ConnectionFormValues {
  provider?: string;
  name?: string;
  baseUrl?: string;
  priority?: string;
}

export function ProviderTabs({ current }: { current: "connections" | "nodes" | "models" }) {
  const tab = (id: typeof current, href: string, label: string) => (
    <a href={href} class={id === current ? "tab active" : "tab"} aria-current={id === current ? "page" : undefined} safe>
      {label}
    </a>
  );
  return (
    <div class="tabs">
      {tab("connections", "/dashboard/providers", "Connections & catalogue")}
      {tab("nodes", "/dashboard/providers/nodes", "Custom endpoints")}
      {tab("models", "/dashboard/models", "Models")}
    </div>
  );
}

function statusBadge(c: ConnectionItem) {
  if (c.undecryptable) return <Badge tone="bad" text="key unreadable" title="Stored with another secret key; re-enter the API key" />;
  if (!c.isActive) return <Badge tone="muted" text="disabled" />;
  if (c.testStatus === "active") return <Badge tone="ok" text="working" title={c.lastTestedAt ? `tested ${timeAgo(c.lastTestedAt)}` : undefined} />;
  if (c.testStatus === "error") return <Badge tone="bad" text="failing" title={c.lastError} />;
  return <Badge tone="info" text="untested" />;
}

/** The result of "Test", shown under the status until the next render. */
export interface TestOutcome {
  valid: boolean;
  error?: string | null;
  latencyMs?: number;
  statusCode?: number | null;
}

export function ConnectionRow({ c, test, error }: { c: ConnectionItem; test?: TestOutcome; error?: string | null }) {
  const base = `/dashboard/providers/connections/${encodeURIComponent(c.id)}`;
  return (
    <tr id={`conn-${c.id}`} class={c.isActive ? "" : "inactive"}>
      <td>
        <strong safe>{c.name}</strong>
        <div class="muted small">
          <a href={`/dashboard/providers/${encodeURIComponent(c.provider)}`} safe>
            {c.providerName}
          </a>
          <span safe>{` · priority ${c.priority}`}</span>
        </div>
      </td>
      <td class="hide-sm">
        <code class="small" safe>{c.maskedKey ?? "—"}</code>
        <div class="muted small clip" title={c.baseUrl ?? c.defaultBaseUrl} safe>
          {c.baseUrl ?? c.defaultBaseUrl}
        </div>
      </td>
      <td class="test-cell">
        {statusBadge(c)}
        {test ? (
          test.valid ? (
            <div class="small ok-text" safe>{`OK${test.latencyMs !== undefined ? ` · ${test.latencyMs} ms` : ""}`}</div>
          ) : (
            <div class="small bad-text" safe>
              {test.error ?? "Test failed"}
            </div>
          )
        ) : c.testStatus === "error" && c.lastError ? (
          <div class="small muted clip" title={c.lastError} safe>
            {c.lastError}
          </div>
        ) : (
          ""
        )}
        {error ? (
          <div class="small bad-text" safe>
            {error}
          </div>
        ) : (
          ""
        )}
      </td>
      <td class="row-actions">
        <form method="post" action={`${base}/test`} hx-post={`${base}/test`} hx-target={`#conn-${c.id}`} hx-indicator="find .spinner" hx-disabled-elt="find button">
          <button type="submit" class="btn small">
            <Spinner /> Test
          </button>
        </form>
        <a class="btn small ghost" href={`${base}/edit`} hx-get={`${base}/edit`} hx-target={`#conn-${c.id}`}>
          Edit
        </a>
        <form method="post" action={`${base}/toggle`} hx-post={`${base}/toggle`} hx-target={`#conn-${c.id}`}>
          <button type="submit" class="btn small ghost">
            {c.isActive ? "Disable" : "Enable"}
          </button>
        </form>
        <form method="post" action={`${base}/delete`} hx-post={`${base}/delete`} hx-target="#connections-table" hx-confirm={`Delete the connection “${c.name}”?`}>
          <button type="submit" class="btn small danger">
            Delete
          </button>
        </form>
      </td>
    </tr>
  );
}

export function ConnectionEditRow({ c, errors = {}, error }: { c: ConnectionItem; errors?: FieldErrors; error?: string | null }) {
  const base = `/dashboard/providers/connections/${encodeURIComponent(c.id)}`;
  return (
    <tr id={`conn-${c.id}`} class="editing">
      <td colspan="4">
        <form method="post" action={base} hx-post={base} hx-target={`#conn-${c.id}`} class="form-grid">
          <Field label="Name" name="name" value={c.name} required error={errors.name} id={`e-name-${c.id}`} />
          <Field label="Priority" name="priority" type="number" min="1" value={String(c.priority)} error={errors.priority} id={`e-prio-${c.id}`} hint="1 is tried first" />
          <Field label="API key" name="apiKey" type="password" autocomplete="off" placeholder="leave empty to keep the current key" error={errors.apiKey} id={`e-key-${c.id}`} />
          <Field label="Base URL" name="baseUrl" type="url" value={c.baseUrl ?? ""} placeholder={c.defaultBaseUrl} error={errors.baseUrl} hint="empty = the provider's default" id={`e-url-${c.id}`} />
          <Toggle label="Active" name="isActive" checked={c.isActive} />
          <Alert message={error} />
          <div class="form-actions">
            <button type="submit" class="btn primary">
              Save
            </button>
            <a class="btn ghost" href="/dashboard/providers" hx-get={`${base}/row`} hx-target={`#conn-${c.id}`}>
              Cancel
            </a>
          </div>
        </form>
      </td>
    </tr>
  );
}

export function ConnectionsTable({ items, notice, error }: { items: ConnectionItem[]; notice?: string | null; error?: string | null }) {
  return (
    <div id="connections-table">
      <Alert tone="ok" message={notice} />
      <Alert message={error} />
      {items.length === 0 ? (
        <EmptyState title="No connections yet">
          Add one above: pick a provider and paste its API key. Requests to <code>provider/model</code> use it at once.
        </EmptyState>
      ) : (
        <div class="table-wrap">
          <table class="table">
            <thead>
              <tr>
                <th>Connection</th>
                <th class="hide-sm">Key · endpoint</th>
                <th>Status</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              {items.map((c) => (
                <ConnectionRow c={c} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

export function ConnectionForm({ providers, values = {}, errors = {}, error }: { providers: Option[]; values?: ConnectionFormValues; errors?: FieldErrors; error?: string | null }) {
  return (
    <form id="connection-form" method="post" action="/dashboard/providers/connections" hx-post="/dashboard/providers/connections" hx-target="#connections-area" class="form-grid">
      <SelectField label="Provider" name="provider" options={providers} value={values.provider} error={errors.provider} />
      <Field label="Name" name="name" value={values.name} placeholder="e.g. main" required error={errors.name} hint="same provider + name replaces that connection" />
      <Field label="API key" name="apiKey" type="password" autocomplete="off" placeholder="sk-…" error={errors.apiKey} hint="encrypted before it is stored" />
      <Field label="Base URL (optional)" name="baseUrl" type="url" value={values.baseUrl} placeholder="provider default" error={errors.baseUrl} hint="another server speaking the same API" />
      <Field label="Priority (optional)" name="priority" type="number" min="1" value={values.priority} error={errors.priority} hint="1 is tried first; default: last" />
      <Alert message={error} />
      <div class="form-actions">
        <button type="submit" class="btn primary">
          Add connection
        </button>
      </div>
    </form>
  );
}

/** The form and the table together: what an add or delete replaces. */
export function ConnectionsArea(p: { providers: Option[]; items: ConnectionItem[]; values?: ConnectionFormValues; errors?: FieldErrors; error?: string | null; notice?: string | null }) {
  return (
    <div id="connections-area">
      <Section title="Add a connection" id="add-connection">
        <ConnectionForm providers={p.providers} values={p.values} errors={p.errors} error={p.error} />
      </Section>
      <Section title="Connections">
        <ConnectionsTable items={p.items} notice={p.notice} />
      </Section>
    </div>
  );
}

/** `oob`: sent along with a connection change so htmx refreshes it out of band (its "connected" column). */
export function Catalogue({ items, oob }: { items: CatalogueItem[]; oob?: boolean }) {
  return (
    <section class="card" id="catalogue" hx-swap-oob={oob ? "true" : undefined}>
      <div class="card-head">
        <h2>Catalogue</h2>
      </div>
      <p class="muted small">Every provider this gateway can route to. Address a model as <code>prefix/model</code>.</p>
      <div class="table-wrap">
        <table class="table">
          <thead>
            <tr>
              <th>Provider</th>
              <th>Prefix</th>
              <th class="hide-sm">Speaks</th>
              <th class="num">Models</th>
              <th>State</th>
            </tr>
          </thead>
          <tbody>
            {items.map((p) => (
              <tr>
                <td>
                  <a href={`/dashboard/providers/${encodeURIComponent(p.id)}`} safe>
                    {p.name}
                  </a>
                  {p.kind === "node" ? <Badge tone="info" text="custom" /> : ""}
                  <div class="muted small clip hide-sm" safe>
                    {p.baseUrl}
                  </div>
                </td>
                <td>
                  <code safe>{p.prefix}</code>
                </td>
                <td class="hide-sm" safe>
                  {p.format}
                </td>
                <td class="num" safe>
                  {String(p.models)}
                </td>
                <td>{p.ready ? <Badge tone="ok" text={p.connections ? `${p.connections} connected` : "no key needed"} /> : <Badge text="not connected" />}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export function ProvidersPage(p: Parameters<typeof ConnectionsArea>[0] & { catalogue: CatalogueItem[] }) {
  return (
    <>
      <PageHeader title="Providers" subtitle="Upstream credentials, custom endpoints and the models they serve." />
      <ProviderTabs current="connections" />
      <ConnectionsArea {...p} />
      <Catalogue items={p.catalogue} />
    </>
  );
}
