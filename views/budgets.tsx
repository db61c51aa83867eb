import { Alert, Badge, EmptyState, Field, PageHeader, Section, SelectField, type FieldErrors, type Option } from "./components.tsx";
import { fmtUsd } from "./format.ts";

export interface BudgetItem {
  keyId: string;
  keyName: string | null;
  limit: number;
  period: string;
  spent: number;
  remaining: number;
  percentUsed: number;
  status: string;
  resetsAt: string;
}

export interface BudgetsProps {
  budgets: BudgetItem[];
  keys: Option[];
  values?: { keyId?: string; limit?: string; period?: string; warningThreshold?: string };
  errors?: FieldErrors;
  error?: string | null;
  notice?: string | null;
}

const PERIODS: Option[] = ["daily", "weekly", "monthly"].map((p) => ({ value: p, label: p }));

function Meter({ percent, status }: { percent: number; status: string }) {
  const w = Math.max(0, Math.min(100, percent));
  return (
    <svg class={`meter meter-${status}`} viewBox="0 0 100 8" preserveAspectRatio="none" role="img" aria-label={`${percent}% used`}>
      <rect class="meter-track" x="0" y="0" width="100" height="8" />
      <rect class="meter-fill" x="0" y="0" width={w.toFixed(1)} height="8" />
    </svg>
  );
}

export function BudgetsArea(p: BudgetsProps) {
  return (
    <div id="budgets-area">
      <Section title="Set a budget">
        {p.keys.length === 0 ? (
          <EmptyState title="No API keys">
            Budgets cap what one gateway key may spend. <a href="/dashboard/keys">Create a key</a> first.
          </EmptyState>
        ) : (
          <form method="post" action="/dashboard/budgets" hx-post="/dashboard/budgets" hx-target="#budgets-area" class="form-grid">
            <SelectField label="API key" name="keyId" options={p.keys} value={p.values?.keyId} error={p.errors?.keyId} />
            <Field label="Limit (USD)" name="limit" type="number" value={p.values?.limit} placeholder="e.g. 50" required error={p.errors?.limit} />
            <SelectField label="Period" name="period" options={PERIODS} value={p.values?.period ?? "monthly"} error={p.errors?.period} />
            <Field label="Warn at (%)" name="warningThreshold" type="number" min="0" max="100" value={p.values?.warningThreshold ?? "80"} error={p.errors?.warningThreshold} />
            <Alert message={p.error} />
            <div class="form-actions">
              <button type="submit" class="btn primary">
                Save budget
              </button>
              <span class="muted small">Over the limit, the key's requests are refused until the period resets.</span>
            </div>
          </form>
        )}
      </Section>
      <Section title="Budgets">
        <Alert tone="ok" message={p.notice} />
        {p.budgets.length === 0 ? (
          <EmptyState title="No budgets">Keys without a budget can spend without limit.</EmptyState>
        ) : (
          <div class="table-wrap">
            <table class="table">
              <thead>
                <tr>
                  <th>Key</th>
                  <th>Spent</th>
                  <th class="hide-sm">Resets</th>
                  <th></th>
                </tr>
              </thead>
              <tbody>
                {p.budgets.map((b) => (
                  <tr>
                    <td>
                      <strong safe>{b.keyName ?? b.keyId}</strong>
                      <div class="muted small" safe>{`${fmtUsd(b.limit)} ${b.period}`}</div>
                    </td>
                    <td class="meter-cell">
                      <Meter percent={b.percentUsed} status={b.status} />
                      <div class="small">
                        <span safe>{`${fmtUsd(b.spent)} · ${b.percentUsed}%`}</span> <Badge tone={b.status === "ok" ? "ok" : b.status === "warning" ? "warn" : "bad"} text={b.status} />
                      </div>
                    </td>
                    <td class="hide-sm small" safe>
                      {new Date(b.resetsAt).toISOString().slice(0, 16).replace("T", " ")}
                    </td>
                    <td class="row-actions">
                      <form method="post" action="/dashboard/budgets/delete" hx-post="/dashboard/budgets/delete" hx-target="#budgets-area" hx-confirm="Remove this budget?">
                        <input type="hidden" name="keyId" value={b.keyId} />
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
        )}
      </Section>
    </div>
  );
}

export function BudgetsPage(p: BudgetsProps) {
  return (
    <>
      <PageHeader title="Budgets" subtitle="Spending caps per API key, in US dollars, per day, week or month." />
      <BudgetsArea {...p} />
    </>
  );
}
