import { Alert, Badge, EmptyState } from "./components.tsx";

export interface PolicyItem {
  id: string;
  name: string;
  enabled: boolean;
  priority: number;
  match?: Record<string, unknown>;
  [k: string]: unknown;
}

/** Routing policies (evaluated before model resolution): the list, and a JSON box to add one. */
export function PolicyList({ policies, template, error, notice }: { policies: PolicyItem[]; template: string; error?: string | null; notice?: string | null }) {
  return (
    <section class="card" id="policies">
      <div class="card-head">
        <h2>Routing policies</h2>
      </div>
      <p class="muted small">Rules applied before a model is resolved, lowest priority first: match by key, model glob or time window, then force a model or block (see docs/api.md).</p>
      <Alert tone="ok" message={notice} />
      {policies.length === 0 ? (
        <EmptyState title="No policies">Add one below; without policies every request goes to the model it names.</EmptyState>
      ) : (
        <div class="table-wrap">
          <table class="table">
            <thead>
              <tr>
                <th>Policy</th>
                <th>Rule</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              {policies.map((p) => {
                const { id, name, enabled, priority, createdAt: _c, ...rule } = p;
                return (
                  <tr>
                    <td>
                      <strong safe>{name}</strong>
                      <div>
                        <Badge tone={enabled ? "ok" : "muted"} text={enabled ? "on" : "off"} />
                        <span class="muted small" safe>{`priority ${priority}`}</span>
                      </div>
                    </td>
                    <td>
                      <code class="small wrap" safe>{JSON.stringify(rule)}</code>
                    </td>
                    <td class="row-actions">
                      <form method="post" action={`/dashboard/resilience/policies/${encodeURIComponent(id)}/delete`} hx-post={`/dashboard/resilience/policies/${encodeURIComponent(id)}/delete`} hx-target="#policies" hx-confirm={`Delete the policy “${name}”?`}>
                        <button type="submit" class="btn small danger">
                          Delete
                        </button>
                      </form>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <form method="post" action="/dashboard/resilience/policies" hx-post="/dashboard/resilience/policies" hx-target="#policies" class="stack">
        <label class="field" for="policy-json">
          <span class="field-label">Add a policy (JSON)</span>
          <textarea id="policy-json" name="json" rows="7" safe>
            {template}
          </textarea>
        </label>
        <Alert message={error} />
        <div>
          <button type="submit" class="btn primary">
            Add policy
          </button>
        </div>
      </form>
    </section>
  );
}
