import { Alert, Badge, EmptyState, PageHeader, Section } from "./components.tsx";

export interface AuditEntry {
  id: number;
  timestamp: string;
  actor: string;
  action: string;
  method: string;
  path: string;
  target: string | null;
  status: number;
  outcome: string;
  ip: string | null;
}

export interface AuditProps {
  entries: AuditEntry[];
  total: number;
  offset: number;
  limit: number;
  actor: string;
  action: string;
  error?: string | null;
}

function pageLink(p: AuditProps, offset: number, label: string) {
  const q = new URLSearchParams({ offset: String(offset), ...(p.actor ? { actor: p.actor } : {}), ...(p.action ? { action: p.action } : {}) });
  return (
    <a class="btn small ghost" href={`/dashboard/audit?${q}`} hx-get={`/dashboard/audit?${q}`} hx-target="#audit-area" hx-push-url="true" safe>
      {label}
    </a>
  );
}

export function AuditArea(p: AuditProps) {
  return (
    <div id="audit-area">
      <Alert message={p.error} />
      <Section title={`${p.total} entries`}>
        {p.entries.length === 0 ? (
          <EmptyState title="Nothing recorded">Every change made through the dashboard or /api/* (and every login) is recorded here.</EmptyState>
        ) : (
          <div class="table-wrap">
            <table class="table">
              <thead>
                <tr>
                  <th>When</th>
                  <th>Who</th>
                  <th>What</th>
                  <th class="hide-sm">From</th>
                  <th>Result</th>
                </tr>
              </thead>
              <tbody>
                {p.entries.map((e) => (
                  <tr>
                    <td class="nowrap small" safe>
                      {e.timestamp.slice(0, 19).replace("T", " ")}
                    </td>
                    <td>
                      <code safe>{e.actor}</code>
                    </td>
                    <td>
                      <strong safe>{e.action}</strong>
                      <div class="muted small" safe>{`${e.method} ${e.path}${e.target ? ` · ${e.target}` : ""}`}</div>
                    </td>
                    <td class="hide-sm small" safe>
                      {e.ip ?? "this machine"}
                    </td>
                    <td>
                      <Badge tone={e.outcome === "success" ? "ok" : "bad"} text={String(e.status)} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <div class="pager">
          {p.offset > 0 ? pageLink(p, Math.max(0, p.offset - p.limit), "← Newer") : <span></span>}
          {p.offset + p.entries.length < p.total ? pageLink(p, p.offset + p.limit, "Older →") : ""}
        </div>
      </Section>
    </div>
  );
}

export function AuditPage(p: AuditProps) {
  return (
    <>
      <PageHeader title="Audit log" subtitle="Who changed what, when and from where. Request bodies and secrets are never recorded." />
      <form method="get" action="/dashboard/audit" class="filters form-grid" hx-get="/dashboard/audit" hx-trigger="change delay:300ms, submit" hx-target="#audit-area" hx-push-url="true">
        <label class="field">
          <span class="field-label">Actor</span>
          <input name="actor" value={p.actor} placeholder="e.g. dashboard, admin-token" />
        </label>
        <label class="field">
          <span class="field-label">Action</span>
          <input name="action" value={p.action} placeholder="e.g. keys.create" />
        </label>
        <noscript>
          <button type="submit" class="btn">
            Filter
          </button>
        </noscript>
      </form>
      <AuditArea {...p} />
    </>
  );
}
