import { Alert, Badge, CopyButton, EmptyState, Field, PageHeader, Section, SelectField, Spinner, type FieldErrors } from "./components.tsx";
import { ProviderTabs, type ConnectionItem } from "./providers.tsx";

export interface ModelRow {
  id: string;
  name?: string;
  type: string;
  custom: boolean;
}

export interface ProviderInfo {
  id: string;
  name: string;
  prefix: string;
  kind: "registry" | "node";
  format: string;
  baseUrl: string;
  auth: string;
  website?: string;
}

const MODEL_TYPES = ["chat", "embedding", "image", "audio"].map((t) => ({ value: t, label: t }));

export interface ProviderModelsProps {
  provider: ProviderInfo;
  models: ModelRow[];
  values?: { modelId?: string; modelName?: string; type?: string };
  errors?: FieldErrors;
  error?: string | null;
  notice?: string | null;
}

/** The provider's models and the form that adds custom ones (what a model add/delete replaces). */
export function ProviderModels(p: ProviderModelsProps) {
  const base = `/dashboard/providers/${encodeURIComponent(p.provider.id)}/models`;
  return (
    <div id="provider-models">
      <Section title="Models">
        <Alert tone="ok" message={p.notice} />
        <form method="post" action={base} hx-post={base} hx-target="#provider-models" class="form-grid">
          <Field label="Model id" name="modelId" value={p.values?.modelId} placeholder="as the upstream names it" required error={p.errors?.modelId} />
          <Field label="Display name (optional)" name="modelName" value={p.values?.modelName} error={p.errors?.modelName} />
          <SelectField label="Type" name="type" options={MODEL_TYPES} value={p.values?.type ?? "chat"} />
          <Alert message={p.error} />
          <div class="form-actions">
            <button type="submit" class="btn primary">
              Add custom model
            </button>
            <span class="muted small">Any model id works in requests; adding one lists it in /v1/models and the catalogue.</span>
          </div>
        </form>
        {p.models.length === 0 ? (
          <EmptyState title="No models listed">Add the ids this endpoint serves, or fetch them live from a connection below.</EmptyState>
        ) : (
          <div class="table-wrap">
            <table class="table">
              <thead>
                <tr>
                  <th>Model as clients send it</th>
                  <th>Type</th>
                  <th></th>
                </tr>
              </thead>
              <tbody>
                {p.models.map((m) => (
                  <tr>
                    <td>
                      <code safe>{`${p.provider.prefix}/${m.id}`}</code>
                      {m.name && m.name !== m.id ? <div class="muted small" safe>{m.name}</div> : ""}
                    </td>
                    <td>
                      <Badge text={m.type} />
                      {m.custom ? <Badge tone="info" text="custom" /> : ""}
                    </td>
                    <td class="row-actions">
                      {m.custom ? (
                        <form method="post" action={`${base}/delete`} hx-post={`${base}/delete`} hx-target="#provider-models">
                          <input type="hidden" name="modelId" value={m.id} />
                          <button type="submit" class="btn small danger">
                            Remove
                          </button>
                        </form>
                      ) : (
                        ""
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
    </div>
  );
}

export interface LiveModels {
  source: string;
  warning?: string;
  models: { id: string; name?: string }[];
  error?: string | null;
}

export function LiveModelList({ live, prefix }: { live: LiveModels; prefix: string }) {
  if (live.error) return <Alert message={live.error} />;
  return (
    <div class="live-models">
      {live.warning ? <Alert tone="warn" message={live.warning} /> : <p class="muted small" safe>{`${live.models.length} models reported by the upstream.`}</p>}
      <pre class="small">
        <code id="live-model-list" safe>
          {live.models.map((m) => `${prefix}/${m.id}`).join("\n")}
        </code>
      </pre>
      <CopyButton target="live-model-list" label="Copy list" />
    </div>
  );
}

export function ProviderDetailPage(p: ProviderModelsProps & { connections: ConnectionItem[] }) {
  const info = p.provider;
  return (
    <>
      <PageHeader title={info.name} subtitle={`${info.kind === "node" ? "Custom endpoint" : "Built-in provider"} · models are addressed as ${info.prefix}/<model>`} />
      <ProviderTabs current="connections" />
      <Section title="Details">
        <dl class="facts">
          <dt>Prefix</dt>
          <dd>
            <code safe>{info.prefix}</code>
          </dd>
          <dt>Speaks</dt>
          <dd safe>{info.format}</dd>
          <dt>Base URL</dt>
          <dd safe>{info.baseUrl}</dd>
          <dt>Key sent as</dt>
          <dd safe>{info.auth}</dd>
          {info.website ? (
            <>
              <dt>Website</dt>
              <dd>
                <a href={info.website} rel="noreferrer" target="_blank" safe>
                  {info.website}
                </a>
              </dd>
            </>
          ) : (
            ""
          )}
        </dl>
      </Section>
      <Section title="Connections">
        {p.connections.length === 0 ? (
          <EmptyState title="Not connected">
            <a href={`/dashboard/providers?provider=${encodeURIComponent(info.id)}#add-connection`}>Add a connection</a> with this provider's API key.
          </EmptyState>
        ) : (
          <ul class="plain">
            {p.connections.map((c) => (
              <li>
                <strong safe>{c.name}</strong>{" "}
                {c.isActive ? <Badge tone={c.testStatus === "error" ? "bad" : "ok"} text={c.testStatus === "error" ? "failing" : "active"} /> : <Badge text="disabled" />}
                <button
                  type="button"
                  class="btn small ghost"
                  hx-get={`/dashboard/providers/connections/${encodeURIComponent(c.id)}/models`}
                  hx-target={`#live-${c.id}`}
                  hx-swap="innerHTML"
                  hx-indicator="find .spinner"
                >
                  <Spinner /> Fetch live models
                </button>
                <div id={`live-${c.id}`}></div>
              </li>
            ))}
          </ul>
        )}
      </Section>
      <ProviderModels {...p} />
    </>
  );
}

export interface CatalogGroup {
  provider: ProviderInfo;
  ready: boolean;
  models: ModelRow[];
}

export function ModelCatalog({ groups, q }: { groups: CatalogGroup[]; q: string }) {
  const shown = groups.filter((g) => g.models.length > 0);
  return (
    <div id="model-catalog">
      {shown.length === 0 ? (
        <EmptyState title={q ? "No model matches" : "No models"}>{q ? "Try another part of the name." : "Connect a provider to see its models."}</EmptyState>
      ) : (
        shown.map((g) => (
          <Section title={g.provider.name} actions={g.ready ? (Badge({ tone: "ok", text: "ready" }) as string) : (Badge({ text: "not connected" }) as string)}>
            <ul class="model-list">
              {g.models.map((m) => (
                <li>
                  <code safe>{`${g.provider.prefix}/${m.id}`}</code>
                  {m.type !== "chat" ? <Badge text={m.type} /> : ""}
                </li>
              ))}
            </ul>
          </Section>
        ))
      )}
    </div>
  );
}

export function ModelsPage({ groups, q }: { groups: CatalogGroup[]; q: string }) {
  return (
    <>
      <PageHeader title="Models" subtitle="Every model id clients can send, under the prefix that routes it. Any other id works too." />
      <ProviderTabs current="models" />
      <form method="get" action="/dashboard/models" class="search" hx-get="/dashboard/models" hx-trigger="input changed delay:250ms from:find input, submit" hx-target="#model-catalog" hx-push-url="true">
        <input type="search" name="q" value={q} placeholder="Filter models, e.g. claude, gpt-5, embedding" aria-label="Filter models" />
      </form>
      <ModelCatalog groups={groups} q={q} />
    </>
  );
}
