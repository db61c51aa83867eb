import { Alert, Badge, CopyButton, EmptyState, Field, PageHeader, Section, type FieldErrors } from "./components.tsx";
import { timeAgo } from "./format.ts";

export interface KeyItem {
  id: string;
  name: string;
  keyPrefix: string;
  createdAt: number;
  lastUsedAt: number | null;
  active: boolean;
}

/** A freshly created key: the only time it is ever shown. */
export function NewKey({ name, secret }: { name: string; secret: string }) {
  return (
    <div class="alert tone-ok" id="new-key">
      <strong safe>{`Key “${name}” created.`}</strong> Copy it now: it is shown only this once (OmniRoute keeps just a hash).
      <div class="secret">
        <code id="new-key-value" safe>
          {secret}
        </code>
        <CopyButton target="new-key-value" />
      </div>
    </div>
  );
}

export function KeyForm({ value, errors = {} }: { value?: string; errors?: FieldErrors }) {
  return (
    <form method="post" action="/dashboard/keys" hx-post="/dashboard/keys" hx-target="#keys-area" class="form-grid">
      <Field label="Name" name="name" value={value} placeholder="e.g. laptop, ci, open-webui" required error={errors.name} hint="what uses this key" />
      <div class="form-actions">
        <button type="submit" class="btn primary">
          Create key
        </button>
      </div>
    </form>
  );
}

function KeyRow({ k }: { k: KeyItem }) {
  const base = `/dashboard/keys/${encodeURIComponent(k.id)}`;
  return (
    <tr class={k.active ? "" : "inactive"}>
      <td>
        <strong safe>{k.name}</strong>
        <div>
          <code class="small" safe>{`${k.keyPrefix}…`}</code>
        </div>
      </td>
      <td class="hide-sm small" safe>
        {timeAgo(k.createdAt)}
      </td>
      <td class="small" safe>
        {timeAgo(k.lastUsedAt)}
      </td>
      <td>{k.active ? <Badge tone="ok" text="active" /> : <Badge tone="bad" text="revoked" />}</td>
      <td class="row-actions">
        <form method="post" action={`${base}/${k.active ? "revoke" : "restore"}`} hx-post={`${base}/${k.active ? "revoke" : "restore"}`} hx-target="#keys-area">
          <button type="submit" class="btn small ghost">
            {k.active ? "Revoke" : "Restore"}
          </button>
        </form>
        <form method="post" action={`${base}/delete`} hx-post={`${base}/delete`} hx-target="#keys-area" hx-confirm={`Delete the key “${k.name}” for good?`}>
          <button type="submit" class="btn small danger">
            Delete
          </button>
        </form>
      </td>
    </tr>
  );
}

export interface KeysAreaProps {
  keys: KeyItem[];
  created?: { name: string; secret: string } | null;
  value?: string;
  errors?: FieldErrors;
  error?: string | null;
  notice?: string | null;
  requireApiKey: boolean;
}

export function KeysArea(p: KeysAreaProps) {
  return (
    <div id="keys-area">
      <Section title="Create a key">
        {p.created ? <NewKey name={p.created.name} secret={p.created.secret} /> : ""}
        <KeyForm value={p.value} errors={p.errors} />
        <Alert message={p.error} />
      </Section>
      <Section title="Keys">
        <Alert tone="ok" message={p.notice} />
        {p.keys.length === 0 ? (
          <EmptyState title="No keys yet">Create one above and give it to a client (see Connect a client).</EmptyState>
        ) : (
          <div class="table-wrap">
            <table class="table" id="keys-table">
              <thead>
                <tr>
                  <th>Key</th>
                  <th class="hide-sm">Created</th>
                  <th>Last used</th>
                  <th>State</th>
                  <th></th>
                </tr>
              </thead>
              <tbody>
                {p.keys.map((k) => (
                  <KeyRow k={k} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
    </div>
  );
}

export function KeysPage(p: KeysAreaProps) {
  return (
    <>
      <PageHeader title="API keys" subtitle="Keys your clients send to the gateway. Only a hash is stored." />
      {p.requireApiKey ? (
        ""
      ) : (
        <Alert tone="warn">
          Keys are not required yet: the gateway accepts requests without one. Turn on <a href="/dashboard/settings#gateway">Require an API key</a> once your clients have theirs.
        </Alert>
      )}
      <KeysArea {...p} />
    </>
  );
}
