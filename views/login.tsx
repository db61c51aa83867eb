import type { PropsWithChildren } from "@kitajs/html";
import { Alert, Field } from "./components.tsx";
import { Layout } from "./layout.tsx";

function Card({ title, subtitle, children }: PropsWithChildren<{ title: string; subtitle: string }>) {
  return (
    <div class="login-card card">
      <div class="brand-lg">OmniRoute</div>
      <h1 safe>{title}</h1>
      <p class="muted" safe>
        {subtitle}
      </p>
      {children}
    </div>
  );
}

export function LoginPage({ next, error, retryAfter }: { next: string; error?: string | null; retryAfter?: number }) {
  return (
    <Layout title="Log in">
      <Card title="Log in" subtitle="Enter the dashboard password.">
        <form method="post" action="/login" class="stack">
          <input type="hidden" name="next" value={next} />
          <input type="text" name="username" value="omniroute" autocomplete="username" hidden />
          <Field label="Password" name="password" type="password" autocomplete="current-password" required />
          <Alert message={error}>{retryAfter ? <span safe>{` Try again in ${Math.ceil(retryAfter / 60)} min.`}</span> : ""}</Alert>
          <button type="submit" class="btn primary block">
            Log in
          </button>
        </form>
        <p class="muted small">
          Forgot it? Restart with <code>ADMIN_TOKEN</code> set and reset it with <code>PUT /api/settings/require-login</code> (see the README).
        </p>
      </Card>
    </Layout>
  );
}

export function SetupPage({ error, minLength }: { error?: string | null; minLength: number }) {
  return (
    <Layout title="Welcome">
      <Card title="Welcome to OmniRoute" subtitle="Choose a password for this dashboard. It also protects the /api control plane.">
        <form method="post" action="/login/setup" class="stack">
          <input type="text" name="username" value="omniroute" autocomplete="username" hidden />
          <Field label="Password" name="password" type="password" autocomplete="new-password" required hint={`at least ${minLength} characters`} />
          <Field label="Repeat it" name="confirm" type="password" autocomplete="new-password" required />
          <Alert message={error} />
          <button type="submit" class="btn primary block">
            Set password and continue
          </button>
        </form>
        <form method="post" action="/login/skip" class="skip">
          <button type="submit" class="btn ghost small">
            Continue without a password
          </button>
          <p class="muted small">
            Only on a machine nobody else can reach: without a password anyone who can open this port can change the gateway. You can set one later in Settings.
          </p>
        </form>
      </Card>
    </Layout>
  );
}
