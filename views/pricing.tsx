import { Alert, Badge, EmptyState, Field, PageHeader, Section, SelectField, type FieldErrors, type Option } from "./components.tsx";

export interface PriceRow {
  provider: string;
  model: string;
  source: string;
  input?: number;
  output?: number;
  cached?: number;
}

export interface PricingProps {
  prices: PriceRow[];
  unpriced: { provider: string; model: string }[];
  providers: Option[];
  q: string;
  values?: { provider?: string; model?: string; input?: string; output?: string; cached?: string };
  errors?: FieldErrors;
  error?: string | null;
  notice?: string | null;
}

const usd = (n: number | undefined) => (n === undefined || n === null ? "—" : `$${n}`);

export function PricingArea(p: PricingProps) {
  const needle = p.q.toLowerCase();
  const shown = p.prices.filter((r) => !needle || `${r.provider}/${r.model}`.toLowerCase().includes(needle));
  return (
    <div id="pricing-area">
      <Section title="Set a price">
        <form method="post" action="/dashboard/pricing" hx-post="/dashboard/pricing" hx-target="#pricing-area" class="form-grid">
          <SelectField label="Provider" name="provider" options={p.providers} value={p.values?.provider} error={p.errors?.provider} />
          <Field label="Model" name="model" value={p.values?.model} required error={p.errors?.model} placeholder="as the provider names it" />
          <Field label="Input $/1M" name="input" type="number" value={p.values?.input} error={p.errors?.input} />
          <Field label="Output $/1M" name="output" type="number" value={p.values?.output} error={p.errors?.output} />
          <Field label="Cached input $/1M" name="cached" type="number" value={p.values?.cached} error={p.errors?.cached} hint="optional" />
          <Alert message={p.error} />
          <div class="form-actions">
            <button type="submit" class="btn primary">
              Save price
            </button>
            <span class="muted small">Overrides the built-in price, or prices a model nothing else does. Applies to the next request.</span>
          </div>
        </form>
      </Section>
      <Alert tone="ok" message={p.notice} />
      {p.unpriced.length ? (
        <Alert tone="warn">
          <span safe>{`No price for ${p.unpriced.length} model${p.unpriced.length > 1 ? "s" : ""} (their cost shows as “—”): ${p.unpriced.slice(0, 8).map((u) => `${u.provider}/${u.model}`).join(", ")}${p.unpriced.length > 8 ? "…" : ""}`}</span>
        </Alert>
      ) : (
        ""
      )}
      <Section title="Prices (USD per 1M tokens)">
        {shown.length === 0 ? (
          <EmptyState title="No prices match">Clear the filter to see every model.</EmptyState>
        ) : (
          <div class="table-wrap">
            <table class="table">
              <thead>
                <tr>
                  <th>Model</th>
                  <th class="num">Input</th>
                  <th class="num">Output</th>
                  <th class="num hide-sm">Cached</th>
                  <th>Source</th>
                  <th></th>
                </tr>
              </thead>
              <tbody>
                {shown.map((r) => (
                  <tr>
                    <td>
                      <code safe>{`${r.provider}/${r.model}`}</code>
                    </td>
                    <td class="num" safe>
                      {usd(r.input)}
                    </td>
                    <td class="num" safe>
                      {usd(r.output)}
                    </td>
                    <td class="num hide-sm" safe>
                      {usd(r.cached)}
                    </td>
                    <td>
                      <Badge tone={r.source === "override" ? "info" : "muted"} text={r.source} />
                    </td>
                    <td class="row-actions">
                      {r.source === "override" ? (
                        <form method="post" action="/dashboard/pricing/reset" hx-post="/dashboard/pricing/reset" hx-target="#pricing-area">
                          <input type="hidden" name="provider" value={r.provider} />
                          <input type="hidden" name="model" value={r.model} />
                          <button type="submit" class="btn small ghost">
                            Reset
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

export function PricingPage(p: PricingProps) {
  return (
    <>
      <PageHeader title="Pricing" subtitle="What each model costs, used for the cost in usage, budgets and the cheapest-first strategy." />
      <form method="get" action="/dashboard/pricing" class="search" hx-get="/dashboard/pricing" hx-trigger="input changed delay:250ms from:find input, submit" hx-target="#pricing-area" hx-push-url="true">
        <input type="search" name="q" value={p.q} placeholder="Filter, e.g. gpt-4o, claude" aria-label="Filter prices" />
      </form>
      <PricingArea {...p} />
    </>
  );
}
