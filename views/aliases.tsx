import { Alert, EmptyState, Field, PageHeader, Section, type FieldErrors } from "./components.tsx";

export interface AliasesAreaProps {
  aliases: { alias: string; target: string }[];
  /** Suggestions for the target field (`prefix/model`). */
  models: string[];
  values?: { alias?: string; model?: string };
  errors?: FieldErrors;
  error?: string | null;
  notice?: string | null;
}

export function AliasesArea(p: AliasesAreaProps) {
  return (
    <div id="aliases-area">
      <Section title="Add or change an alias">
        <form method="post" action="/dashboard/aliases" hx-post="/dashboard/aliases" hx-target="#aliases-area" class="form-grid">
          <Field label="Alias" name="alias" value={p.values?.alias} placeholder="e.g. fast" required error={p.errors?.alias} hint="what clients send as the model" />
          <Field label="Model" name="model" value={p.values?.model} placeholder="provider/model" required list="model-ids" error={p.errors?.model} hint="where it goes" />
          <datalist id="model-ids">
            {p.models.map((m) => (
              <option value={m} />
            ))}
          </datalist>
          <Alert message={p.error} />
          <div class="form-actions">
            <button type="submit" class="btn primary">
              Save alias
            </button>
          </div>
        </form>
      </Section>
      <Section title="Aliases">
        <Alert tone="ok" message={p.notice} />
        {p.aliases.length === 0 ? (
          <EmptyState title="No aliases yet">
            An alias is a short model name (say <code>fast</code>) that routes to a <code>provider/model</code>. Change the target later without touching clients.
          </EmptyState>
        ) : (
          <div class="table-wrap">
            <table class="table" id="aliases-table">
              <thead>
                <tr>
                  <th>Alias</th>
                  <th>Routes to</th>
                  <th></th>
                </tr>
              </thead>
              <tbody>
                {p.aliases.map((a) => (
                  <tr>
                    <td>
                      <code safe>{a.alias}</code>
                    </td>
                    <td>
                      <code safe>{a.target}</code>
                    </td>
                    <td class="row-actions">
                      <form method="post" action="/dashboard/aliases/delete" hx-post="/dashboard/aliases/delete" hx-target="#aliases-area" hx-confirm={`Delete the alias “${a.alias}”?`}>
                        <input type="hidden" name="alias" value={a.alias} />
                        <button type="submit" class="btn small danger">
                          Delete
                        </button>
                      </form>
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

export function AliasesPage(p: AliasesAreaProps) {
  return (
    <>
      <PageHeader title="Aliases" subtitle="Short model names that route to a provider's model." />
      <AliasesArea {...p} />
    </>
  );
}
