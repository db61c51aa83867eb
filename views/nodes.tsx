import { Alert, Badge, EmptyState, Field, PageHeader, Section, SelectField, type FieldErrors } from "./components.tsx";
import { ProviderTabs } from "./providers.tsx";

export interface NodeItem {
  id: string;
  name: string;
  prefix: string;
  type: string;
  /** OpenAI-compatible nodes: which endpoint they speak ("chat" or "responses"). */
  apiType: string;
  baseUrl: string;
  connections: number;
}

export interface NodeFormValues {
  name?: string;
  prefix?: string;
  type?: string;
  baseUrl?: string;
}

/** The form's "Speaks" choices; openai-responses is an OpenAI-compatible node with apiType "responses". */
export const NODE_KINDS = [
  { value: "openai-compatible", label: "OpenAI-compatible (Chat Completions)" },
  { value: "openai-responses", label: "OpenAI-compatible (Responses API)" },
  { value: "anthropic-compatible", label: "Anthropic-compatible (Messages)" },
];

const kindLabel = (n: NodeItem) => (n.type === "openai-compatible" && n.apiType === "responses" ? "openai-compatible · Responses API" : n.type);

export function NodeEditRow({ n, values, errors = {}, error }: { n: NodeItem; values?: NodeFormValues; errors?: FieldErrors; error?: string | null }) {
  const base = `/dashboard/providers/nodes/${encodeURIComponent(n.id)}`;
  const v = values ?? n;
  return (
    <tr id={`node-${n.id}`} class="editing">
      <td colspan="4">
        <form method="post" action={base} hx-post={base} hx-target="#nodes-area" class="form-grid">
          <Field label="Name" name="name" value={v.name} required error={errors.name} id={`n-name-${n.id}`} />
          <Field label="Prefix" name="prefix" value={v.prefix} required error={errors.prefix} id={`n-prefix-${n.id}`} hint="aliases using the old prefix follow it" />
          <Field label="Base URL" name="baseUrl" type="url" value={v.baseUrl} required error={errors.baseUrl} id={`n-url-${n.id}`} />
          <Alert message={error} />
          <div class="form-actions">
            <button type="submit" class="btn primary">
              Save
            </button>
            <a class="btn ghost" href="/dashboard/providers/nodes">
              Cancel
            </a>
          </div>
        </form>
      </td>
    </tr>
  );
}

function NodeRow({ n }: { n: NodeItem }) {
  const base = `/dashboard/providers/nodes/${encodeURIComponent(n.id)}`;
  return (
    <tr id={`node-${n.id}`}>
      <td>
        <a href={`/dashboard/providers/${encodeURIComponent(n.id)}`}>
          <strong safe>{n.name}</strong>
        </a>
        <div class="muted small" safe>
          {kindLabel(n)}
        </div>
      </td>
      <td>
        <code safe>{`${n.prefix}/…`}</code>
      </td>
      <td class="hide-sm">
        <span class="small clip" title={n.baseUrl} safe>
          {n.baseUrl}
        </span>
        <div>
          {n.connections ? (
            <Badge tone="ok" text={`${n.connections} connection${n.connections > 1 ? "s" : ""}`} />
          ) : (
            <a class="small" href={`/dashboard/providers?provider=${encodeURIComponent(n.id)}#add-connection`}>
              Add a connection →
            </a>
          )}
        </div>
      </td>
      <td class="row-actions">
        <a class="btn small ghost" href={`${base}/edit`} hx-get={`${base}/edit`} hx-target={`#node-${n.id}`}>
          Edit
        </a>
        <form method="post" action={`${base}/delete`} hx-post={`${base}/delete`} hx-target="#nodes-area" hx-confirm={`Delete “${n.name}” with its connections, custom models and aliases?`}>
          <button type="submit" class="btn small danger">
            Delete
          </button>
        </form>
      </td>
    </tr>
  );
}

export interface NodesAreaProps {
  nodes: NodeItem[];
  /** A node whose edit form came back with errors: shown open in its row. */
  editing?: { id: string; values: NodeFormValues; errors: FieldErrors; error: string | null };
  values?: NodeFormValues;
  errors?: FieldErrors;
  error?: string | null;
  notice?: string | null;
}

export function NodesArea(p: NodesAreaProps) {
  return (
    <div id="nodes-area">
      <Section title="Add a custom endpoint">
        <p class="muted small">Any server that speaks the OpenAI or Anthropic API: vLLM, LM Studio, llama.cpp, a company proxy… Clients reach its models as <code>prefix/model</code>.</p>
        <form method="post" action="/dashboard/providers/nodes" hx-post="/dashboard/providers/nodes" hx-target="#nodes-area" class="form-grid">
          <Field label="Name" name="name" value={p.values?.name} placeholder="e.g. Local vLLM" required error={p.errors?.name} />
          <Field label="Prefix" name="prefix" value={p.values?.prefix} placeholder="e.g. local" required error={p.errors?.prefix} />
          <SelectField label="Speaks" name="type" options={NODE_KINDS} value={p.values?.type} error={p.errors?.type} />
          <Field label="Base URL" name="baseUrl" type="url" value={p.values?.baseUrl} placeholder="http://localhost:8000/v1" required error={p.errors?.baseUrl} />
          <Alert message={p.error} />
          <div class="form-actions">
            <button type="submit" class="btn primary">
              Add endpoint
            </button>
          </div>
        </form>
      </Section>
      <Section title="Custom endpoints">
        <Alert tone="ok" message={p.notice} />
        {p.nodes.length === 0 ? (
          <EmptyState title="No custom endpoints">Add one above, then give it a connection (its API key, if it needs one) on the Connections tab.</EmptyState>
        ) : (
          <div class="table-wrap">
            <table class="table" id="nodes-table">
              <thead>
                <tr>
                  <th>Endpoint</th>
                  <th>Prefix</th>
                  <th class="hide-sm">Base URL</th>
                  <th></th>
                </tr>
              </thead>
              <tbody>
                {p.nodes.map((n) =>
                  p.editing?.id === n.id ? <NodeEditRow n={n} values={p.editing.values} errors={p.editing.errors} error={p.editing.error} /> : <NodeRow n={n} />,
                )}
              </tbody>
            </table>
          </div>
        )}
      </Section>
    </div>
  );
}

export function NodesPage(p: NodesAreaProps) {
  return (
    <>
      <PageHeader title="Providers" subtitle="Upstream credentials, custom endpoints and the models they serve." />
      <ProviderTabs current="nodes" />
      <NodesArea {...p} />
    </>
  );
}
