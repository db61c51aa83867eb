import { Alert, Badge, Field, PageHeader, Section, Toggle, type FieldErrors } from "./components.tsx";

export interface SecurityProps {
  hasPassword: boolean;
  requireLogin: boolean;
  loginEnforced: boolean;
  adminToken: boolean;
  minLength: number;
  errors?: FieldErrors;
  error?: string | null;
  notice?: string | null;
}

export function SecuritySection(p: SecurityProps) {
  const state = p.loginEnforced
    ? <Badge tone="ok" text="login required" />
    : p.hasPassword
      ? <Badge tone="warn" text="password set, login off" />
      : <Badge tone="bad" text="no password" />;
  return (
    <section class="card" id="security">
      <div class="card-head">
        <h2>Dashboard login</h2>
        {state}
      </div>
      <p class="muted small">
        The password protects this dashboard and the <code>/api/*</code> control plane. Scripts can use <code>Authorization: Bearer</code> with
        the <code>ADMIN_TOKEN</code> instead ({p.adminToken ? "configured" : "not configured"}).
      </p>
      <Alert tone="ok" message={p.notice} />
      <form method="post" action="/dashboard/settings/security" hx-post="/dashboard/settings/security" hx-target="#security" class="form-grid">
        <input type="text" name="username" value="omniroute" autocomplete="username" hidden />
        {p.hasPassword ? <Field label="Current password" name="currentPassword" type="password" autocomplete="current-password" error={p.errors?.currentPassword} hint="needed to change the password or turn login off" /> : ""}
        <Field label={p.hasPassword ? "New password" : "Password"} name="password" type="password" autocomplete="new-password" error={p.errors?.password} hint={`at least ${p.minLength} characters; empty = keep`} />
        <Field label="Repeat it" name="confirm" type="password" autocomplete="new-password" error={p.errors?.confirm} />
        <Toggle label="Require login" name="requireLogin" checked={p.requireLogin} hint={p.hasPassword ? "off: anyone who reaches the port can use the dashboard" : "takes effect once a password is set"} />
        <Alert message={p.error} />
        <div class="form-actions">
          <button type="submit" class="btn primary">
            Save
          </button>
        </div>
      </form>
    </section>
  );
}

/** One runtime setting from SettingsSchema, described well enough to render an input for it. */
export interface SettingField {
  key: string;
  label: string;
  hint?: string;
  kind: "boolean" | "number" | "string" | "json";
  value: unknown;
  min?: number;
  max?: number;
  /** Overridden by an env var / flag: shown, not editable. */
  lockedBy?: string;
}

function SettingInput({ f, error }: { f: SettingField; error?: string }) {
  if (f.kind === "boolean") {
    return <Toggle label={f.label} name={f.key} checked={f.value === true} hint={f.lockedBy ? `set by ${f.lockedBy}` : f.hint} disabled={!!f.lockedBy} />;
  }
  if (f.kind === "json") {
    return (
      <label class={`field${error ? " has-error" : ""}`} for={`s-${f.key}`}>
        <span class="field-label" safe>
          {f.label}
        </span>
        <textarea id={`s-${f.key}`} name={f.key} rows="4" safe>
          {JSON.stringify(f.value, null, 2)}
        </textarea>
        {error ? <span class="field-error" safe>{error}</span> : f.hint ? <span class="field-hint" safe>{f.hint}</span> : ""}
      </label>
    );
  }
  return (
    <Field
      label={f.label}
      name={f.key}
      type={f.kind === "number" ? "number" : "text"}
      value={f.value === undefined || f.value === null ? "" : String(f.value)}
      min={f.min !== undefined ? String(f.min) : undefined}
      max={f.max !== undefined ? String(f.max) : undefined}
      hint={f.hint}
      error={error}
      id={`s-${f.key}`}
    />
  );
}

export function GatewaySection({ fields, errors = {}, error, notice }: { fields: SettingField[]; errors?: FieldErrors; error?: string | null; notice?: string | null }) {
  return (
    <section class="card" id="gateway">
      <div class="card-head">
        <h2>Gateway</h2>
      </div>
      <Alert tone="ok" message={notice} />
      <form method="post" action="/dashboard/settings/gateway" hx-post="/dashboard/settings/gateway" hx-target="#gateway" class="form-grid">
        {fields.map((f) => (
          <SettingInput f={f} error={errors[f.key]} />
        ))}
        <Alert message={error} />
        <div class="form-actions">
          <button type="submit" class="btn primary">
            Save
          </button>
        </div>
      </form>
    </section>
  );
}

export interface GatewayState {
  errors?: FieldErrors;
  error?: string | null;
  notice?: string | null;
}

export function SettingsPage(p: { security: SecurityProps; gateway: SettingField[]; gatewayState?: GatewayState }) {
  return (
    <>
      <PageHeader title="Settings" subtitle="Dashboard access and the gateway's runtime settings. Changes apply at once." />
      <SecuritySection {...p.security} />
      <GatewaySection fields={p.gateway} {...p.gatewayState} />
      <Section title="Where things are">
        <p class="muted small">
          Settings are stored in the database in the data directory and survive restarts. Command-line flags and environment variables (see the README) win over what is set here.
        </p>
      </Section>
    </>
  );
}
