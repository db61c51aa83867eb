// Small building blocks every page composes. Every string that came from a user or an upstream
// goes through `safe` (text) or an attribute (escaped by @kitajs/html).
import type { PropsWithChildren } from "@kitajs/html";

export type Tone = "ok" | "warn" | "bad" | "info" | "muted";
/** Field name → message, as the API's validation envelope reports them. */
export type FieldErrors = Record<string, string>;

export function PageHeader({ title, subtitle, children: safeChildren }: PropsWithChildren<{ title: string; subtitle?: string }>) {
  return (
    <header class="page-header">
      <div>
        <h1 safe>{title}</h1>
        {subtitle ? (
          <p class="muted" safe>
            {subtitle}
          </p>
        ) : (
          ""
        )}
      </div>
      {safeChildren ? <div class="actions">{safeChildren}</div> : ""}
    </header>
  );
}

/** A card with an optional title; `actions` is already-rendered HTML for the header (e.g. a Badge). */
export function Section({ title, id, children, actions }: PropsWithChildren<{ title?: string; id?: string; actions?: string }>) {
  const safeActions = actions ?? "";
  return (
    <section class="card" id={id}>
      {title || actions ? (
        <div class="card-head">
          {title ? <h2 safe>{title}</h2> : ""}
          {safeActions}
        </div>
      ) : (
        ""
      )}
      {children}
    </section>
  );
}

export function Stat({ label, value, hint, tone }: { label: string; value: string; hint?: string; tone?: Tone }) {
  return (
    <div class={`stat${tone ? ` tone-${tone}` : ""}`}>
      <div class="stat-label" safe>
        {label}
      </div>
      <div class="stat-value" safe>
        {value}
      </div>
      {hint ? (
        <div class="stat-hint" safe>
          {hint}
        </div>
      ) : (
        ""
      )}
    </div>
  );
}

export function Badge({ tone = "muted", text, title }: { tone?: Tone; text: string; title?: string }) {
  return (
    <span class={`badge tone-${tone}`} title={title} safe>
      {text}
    </span>
  );
}

/** An empty list says what it would hold and what to do next. */
export function EmptyState({ title, children }: PropsWithChildren<{ title: string }>) {
  return (
    <div class="empty">
      <strong safe>{title}</strong>
      <div class="muted">{children}</div>
    </div>
  );
}

export function Alert({ tone = "bad", message, children }: PropsWithChildren<{ tone?: Tone; message?: string | null }>) {
  if (!message && !children) return "";
  return (
    <div class={`alert tone-${tone}`} role={tone === "bad" ? "alert" : "status"}>
      {message ? <span safe>{message}</span> : ""}
      {children ?? ""}
    </div>
  );
}

interface FieldProps {
  label: string;
  name: string;
  type?: string;
  value?: string;
  placeholder?: string;
  required?: boolean;
  hint?: string;
  error?: string | null;
  autocomplete?: string;
  list?: string;
  min?: string;
  max?: string;
  id?: string;
}

export function Field(p: FieldProps) {
  const id = p.id ?? `f-${p.name}`;
  return (
    <label class={`field${p.error ? " has-error" : ""}`} for={id}>
      <span class="field-label" safe>
        {p.label}
      </span>
      <input
        id={id}
        name={p.name}
        type={p.type ?? "text"}
        value={p.value}
        placeholder={p.placeholder}
        required={p.required}
        autocomplete={p.autocomplete}
        list={p.list}
        min={p.min}
        max={p.max}
        aria-invalid={p.error ? "true" : undefined}
      />
      {p.error ? (
        <span class="field-error" safe>
          {p.error}
        </span>
      ) : p.hint ? (
        <span class="field-hint" safe>
          {p.hint}
        </span>
      ) : (
        ""
      )}
    </label>
  );
}

export interface Option {
  value: string;
  label: string;
  group?: string;
}

export function SelectField(p: { label: string; name: string; options: Option[]; value?: string; error?: string | null; hint?: string; id?: string }) {
  const id = p.id ?? `f-${p.name}`;
  const groups = [...new Set(p.options.map((o) => o.group ?? ""))];
  const opt = (o: Option) => (
    <option value={o.value} selected={o.value === p.value} safe>
      {o.label}
    </option>
  );
  return (
    <label class={`field${p.error ? " has-error" : ""}`} for={id}>
      <span class="field-label" safe>
        {p.label}
      </span>
      <select id={id} name={p.name}>
        {groups.map((g) => {
          const items = p.options.filter((o) => (o.group ?? "") === g);
          const safeOptions = items.map(opt).join("");
          return g ? <optgroup label={g}>{safeOptions}</optgroup> : safeOptions;
        })}
      </select>
      {p.error ? <span class="field-error" safe>{p.error}</span> : p.hint ? <span class="field-hint" safe>{p.hint}</span> : ""}
    </label>
  );
}

/** A checkbox that posts `false` when unticked, so a form without JavaScript can turn things off. */
export function Toggle({ label, name, checked, hint, disabled }: { label: string; name: string; checked: boolean; hint?: string; disabled?: boolean }) {
  return (
    <label class="toggle">
      <input type="hidden" name={name} value="false" />
      <input type="checkbox" name={name} value="true" checked={checked} disabled={disabled} />
      <span>
        <span class="field-label" safe>
          {label}
        </span>
        {hint ? (
          <span class="field-hint" safe>
            {hint}
          </span>
        ) : (
          ""
        )}
      </span>
    </label>
  );
}

export function Spinner() {
  return <span class="spinner htmx-indicator" aria-label="working"></span>;
}

/** Copies the text of the element with `target` id (public/app.js; no data goes into the script). */
export function CopyButton({ target, label = "Copy" }: { target: string; label?: string }) {
  return (
    <button type="button" class="btn small ghost" data-copy={`#${target}`} safe>
      {label}
    </button>
  );
}

export function CodeBlock({ id, code, lang }: { id: string; code: string; lang?: string }) {
  return (
    <div class="code">
      <div class="code-head">
        <span class="muted" safe>
          {lang ?? ""}
        </span>
        <CopyButton target={id} />
      </div>
      <pre>
        <code id={id} safe>
          {code}
        </code>
      </pre>
    </div>
  );
}
