import { Alert, Badge, EmptyState, Field, PageHeader, Section, SelectField, type FieldErrors } from "./components.tsx";

export interface ComboTarget {
  model: string;
  weight?: number;
}

export interface ComboItem {
  id: string;
  name: string;
  strategy: string;
  targets: ComboTarget[];
}

export interface ComboFormValues {
  name?: string;
  strategy?: string;
  targets?: string;
}

const STRATEGY_HINTS: Record<string, string> = {
  priority: "first target, the next one only when it fails",
  "round-robin": "each request to the next target in turn",
  weighted: "random, in proportion to each target's weight",
  random: "any target, at random",
  "least-latency": "the target that has answered fastest lately",
  cheapest: "the lowest-priced target first",
};

/** Targets as the textarea holds them: one per line, "model" or "model weight". */
export const targetsText = (targets: ComboTarget[]) => targets.map((t) => (t.weight !== undefined ? `${t.model} ${t.weight}` : t.model)).join("\n");

function ComboForm({ action, target, values = {}, errors = {}, error, strategies, submit, models }: { action: string; target: string; values?: ComboFormValues; errors?: FieldErrors; error?: string | null; strategies: string[]; submit: string; models: string[] }) {
  const idPrefix = action === "/dashboard/combos" ? "f" : `c-${action.split("/").pop()}`;
  return (
    <form method="post" action={action} hx-post={action} hx-target={target} class="form-grid">
      <Field label="Name" name="name" value={values.name} placeholder="e.g. smart" required error={errors.name} hint="what clients send as the model" id={`${idPrefix}-name`} />
      <SelectField label="Strategy" name="strategy" value={values.strategy ?? "priority"} options={strategies.map((s) => ({ value: s, label: s }))} error={errors.strategy} hint={STRATEGY_HINTS[values.strategy ?? "priority"]} id={`${idPrefix}-strategy`} />
      <label class={`field wide${errors.targets ? " has-error" : ""}`} for={`${idPrefix}-targets`}>
        <span class="field-label">Targets, in order</span>
        <textarea id={`${idPrefix}-targets`} name="targets" rows="4" placeholder={"openai/gpt-4o-mini\nanthropic/claude-haiku-4-5 2"} safe>
          {values.targets ?? ""}
        </textarea>
        {errors.targets ? (
          <span class="field-error" safe>
            {errors.targets}
          </span>
        ) : (
          <span class="field-hint">one per line: provider/model, an alias or another combo; add a number after a space for its weight</span>
        )}
      </label>
      {models.length ? (
        <p class="field-hint wide" safe>
          {`Routable now: ${models.slice(0, 12).join(", ")}${models.length > 12 ? "…" : ""}`}
        </p>
      ) : (
        ""
      )}
      <Alert message={error} />
      <div class="form-actions">
        <button type="submit" class="btn primary" safe>
          {submit}
        </button>
      </div>
    </form>
  );
}

function ComboCard({ c, strategies, models, editing }: { c: ComboItem; strategies: string[]; models: string[]; editing?: { values: ComboFormValues; errors: FieldErrors; error: string | null } }) {
  const base = `/dashboard/combos/${encodeURIComponent(c.id)}`;
  return (
    <section class="card combo" id={`combo-${c.id}`}>
      <div class="card-head">
        <h2>
          <code safe>{c.name}</code>
        </h2>
        <Badge tone="info" text={c.strategy} title={STRATEGY_HINTS[c.strategy]} />
      </div>
      {editing ? (
        <ComboForm action={base} target="#combos-area" values={editing.values} errors={editing.errors} error={editing.error} strategies={strategies} submit="Save combo" models={models} />
      ) : (
        <>
          <ol class="targets">
            {c.targets.map((t, i) => (
              <li>
                <code safe>{t.model}</code>
                {t.weight !== undefined ? <Badge text={`weight ${t.weight}`} /> : ""}
                <span class="row-actions">
                  <form method="post" action={`${base}/move`} hx-post={`${base}/move`} hx-target="#combos-area">
                    <input type="hidden" name="index" value={String(i)} />
                    <input type="hidden" name="dir" value="up" />
                    <button type="submit" class="btn small ghost" disabled={i === 0} aria-label={`Move ${t.model} up`}>
                      ↑
                    </button>
                  </form>
                  <form method="post" action={`${base}/move`} hx-post={`${base}/move`} hx-target="#combos-area">
                    <input type="hidden" name="index" value={String(i)} />
                    <input type="hidden" name="dir" value="down" />
                    <button type="submit" class="btn small ghost" disabled={i === c.targets.length - 1} aria-label={`Move ${t.model} down`}>
                      ↓
                    </button>
                  </form>
                </span>
              </li>
            ))}
          </ol>
          <div class="row-actions">
            <a class="btn small ghost" href={`${base}/edit`} hx-get={`${base}/edit`} hx-target="#combos-area">
              Edit
            </a>
            <form method="post" action={`${base}/delete`} hx-post={`${base}/delete`} hx-target="#combos-area" hx-confirm={`Delete the combo “${c.name}”?`}>
              <button type="submit" class="btn small danger">
                Delete
              </button>
            </form>
          </div>
        </>
      )}
    </section>
  );
}

export interface CombosAreaProps {
  combos: ComboItem[];
  strategies: string[];
  models: string[];
  values?: ComboFormValues;
  errors?: FieldErrors;
  error?: string | null;
  notice?: string | null;
  editing?: { id: string; values: ComboFormValues; errors: FieldErrors; error: string | null };
}

export function CombosArea(p: CombosAreaProps) {
  return (
    <div id="combos-area">
      <Section title="Create a combo">
        <p class="muted small">A combo is a model name that spreads requests over several targets and falls back to the next one when a target fails.</p>
        <ComboForm action="/dashboard/combos" target="#combos-area" values={p.values} errors={p.errors} error={p.error} strategies={p.strategies} submit="Create combo" models={p.models} />
      </Section>
      <Alert tone="ok" message={p.notice} />
      {p.combos.length === 0 ? (
        <EmptyState title="No combos yet">Create one above, then send its name as the model.</EmptyState>
      ) : (
        p.combos.map((c) => <ComboCard c={c} strategies={p.strategies} models={p.models} editing={p.editing?.id === c.id ? p.editing : undefined} />)
      )}
    </div>
  );
}

export function CombosPage(p: CombosAreaProps) {
  return (
    <>
      <PageHeader title="Combos" subtitle="Virtual models over ordered targets, with a routing strategy and fallback." />
      <CombosArea {...p} />
    </>
  );
}
