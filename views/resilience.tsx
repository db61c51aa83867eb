import { Alert, Badge, EmptyState, Field, PageHeader, Section, Spinner, type FieldErrors, type Tone } from "./components.tsx";
import { timeAgo } from "./format.ts";

export interface ConnState {
  provider: string;
  name: string;
  status: string;
  breaker: { state?: string; failures?: number; trips?: number; lastError?: string; retryAt?: string };
  cooldowns: { model?: string; reason?: string; until?: string }[];
  limits: { requests?: { limit?: number; remaining?: number }; tokens?: { limit?: number; remaining?: number } } | null;
}

const stateTone = (s: string | undefined): Tone => (s === "closed" || s === "available" ? "ok" : s === "half-open" || s === "half_open" || s === "cooling" ? "warn" : s ? "bad" : "muted");

function limitText(w: { limit?: number; remaining?: number } | undefined): string {
  return w && w.limit !== undefined ? `${w.remaining ?? "?"}/${w.limit}` : "—";
}

export function LiveState({ connections, providers, notice, error }: { connections: ConnState[]; providers: { provider: string; breaker: { state?: string; failures?: number } }[]; notice?: string | null; error?: string | null }) {
  return (
    <section class="card" id="live-state">
      <div class="card-head">
        <h2>Connections right now</h2>
        <form method="post" action="/dashboard/resilience/reset" hx-post="/dashboard/resilience/reset" hx-target="#live-state" hx-confirm="Reset every circuit breaker, cooldown and health state?" hx-indicator="find .spinner">
          <button type="submit" class="btn small">
            <Spinner /> Reset breakers &amp; cooldowns
          </button>
        </form>
      </div>
      <Alert tone="ok" message={notice} />
      <Alert message={error} />
      {connections.length === 0 ? (
        <EmptyState title="No connections">Breakers and cooldowns appear here once connections carry traffic.</EmptyState>
      ) : (
        <div class="table-wrap">
          <table class="table">
            <thead>
              <tr>
                <th>Connection</th>
                <th>State</th>
                <th>Breaker</th>
                <th class="hide-sm">Cooldowns</th>
                <th class="num hide-sm">Upstream limit (req · tok)</th>
              </tr>
            </thead>
            <tbody>
              {connections.map((c) => (
                <tr>
                  <td>
                    <strong safe>{c.name}</strong>
                    <div class="muted small" safe>
                      {c.provider}
                    </div>
                  </td>
                  <td>
                    <Badge tone={stateTone(c.status)} text={c.status} />
                  </td>
                  <td>
                    <Badge tone={stateTone(c.breaker.state)} text={c.breaker.state ?? "—"} />
                    <div class="muted small" safe>{`${c.breaker.failures ?? 0} failures · ${c.breaker.trips ?? 0} trips`}</div>
                    {c.breaker.lastError ? (
                      <div class="muted small clip" title={c.breaker.lastError} safe>
                        {c.breaker.lastError}
                      </div>
                    ) : (
                      ""
                    )}
                  </td>
                  <td class="hide-sm small">
                    {c.cooldowns.length
                      ? c.cooldowns.map((d) => (
                          <div safe>{`${d.model ?? "all models"}: ${d.reason ?? ""}${d.until ? ` until ${new Date(d.until).toTimeString().slice(0, 8)}` : ""}`}</div>
                        ))
                      : "—"}
                  </td>
                  <td class="num hide-sm" safe>
                    {`${limitText(c.limits?.requests)} · ${limitText(c.limits?.tokens)}`}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {providers.some((p) => p.breaker.state && p.breaker.state !== "closed") ? (
        <p class="small">
          Provider breakers:{" "}
          {providers
            .filter((p) => p.breaker.state !== "closed")
            .map((p) => (
              <Badge tone={stateTone(p.breaker.state)} text={`${p.provider}: ${p.breaker.state}`} />
            ))}
        </p>
      ) : (
        ""
      )}
    </section>
  );
}

/** A flat object of numbers as a form (the client rate limits). */
export function NumbersForm({ id, title, action, values, errors = {}, error, notice, hint }: { id: string; title: string; action: string; values: Record<string, unknown>; errors?: FieldErrors; error?: string | null; notice?: string | null; hint: string }) {
  const label = (k: string) => k.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/^./, (c) => c.toUpperCase());
  return (
    <section class="card" id={id}>
      <div class="card-head">
        <h2 safe>{title}</h2>
      </div>
      <p class="muted small" safe>
        {hint}
      </p>
      <Alert tone="ok" message={notice} />
      <form method="post" action={action} hx-post={action} hx-target={`#${id}`} class="form-grid">
        {Object.entries(values)
          .filter(([, v]) => typeof v === "number")
          .map(([k, v]) => (
            <Field label={label(k)} name={k} type="number" min="0" value={String(v)} error={errors[k]} id={`${id}-${k}`} />
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

/** Structured configuration edited as JSON (profiles, policies): for operators who read docs/api.md. */
export function JsonForm({ id, title, action, json, error, notice, hint, submit = "Save" }: { id: string; title: string; action: string; json: string; error?: string | null; notice?: string | null; hint: string; submit?: string }) {
  return (
    <section class="card" id={id}>
      <div class="card-head">
        <h2 safe>{title}</h2>
      </div>
      <p class="muted small" safe>
        {hint}
      </p>
      <Alert tone="ok" message={notice} />
      <form method="post" action={action} hx-post={action} hx-target={`#${id}`} class="stack">
        <textarea name="json" rows="12" aria-label={title} safe>
          {json}
        </textarea>
        <Alert message={error} />
        <div>
          <button type="submit" class="btn primary" safe>
            {submit}
          </button>
        </div>
      </form>
    </section>
  );
}

export interface AvailabilityResult {
  model: string;
  available: boolean;
  targets: { model: string; available: boolean; connections: { name: string; status: string; reason?: string }[] }[];
  error?: string | null;
}

export function AvailabilityCheck({ result, model }: { result?: AvailabilityResult | null; model?: string }) {
  return (
    <section class="card" id="availability">
      <div class="card-head">
        <h2>Can this model be served now?</h2>
      </div>
      <form method="post" action="/dashboard/resilience/availability" hx-post="/dashboard/resilience/availability" hx-target="#availability" class="form-grid">
        <Field label="Model" name="model" value={model} placeholder="provider/model, an alias or a combo" required />
        <div class="form-actions">
          <button type="submit" class="btn">
            Check
          </button>
        </div>
      </form>
      {result?.error ? <Alert message={result.error} /> : ""}
      {result && !result.error ? (
        <>
          <p>
            <Badge tone={result.available ? "ok" : "bad"} text={result.available ? "available" : "not available"} />
          </p>
          <ul class="plain">
            {result.targets.map((t) => (
              <li>
                <code safe>{t.model}</code> <Badge tone={t.available ? "ok" : "bad"} text={t.available ? "ok" : "down"} />
                <div class="muted small" safe>
                  {t.connections.map((c) => `${c.name}: ${c.status}${c.reason ? ` (${c.reason})` : ""}`).join(" · ") || "no connection"}
                </div>
              </li>
            ))}
          </ul>
        </>
      ) : (
        ""
      )}
    </section>
  );
}

/** The sections arrive already rendered (each is also answered alone to htmx). */
export function ResiliencePage(p: { live: string; rate: string; availability: string; profiles: string; policies: string; updatedAt?: number }) {
  const { live: safeLive, rate: safeRate, availability: safeAvailability, profiles: safeProfiles, policies: safePolicies } = p;
  return (
    <>
      <PageHeader title="Resilience & limits" subtitle={`Circuit breakers, cooldowns, rate limits and routing rules. State as of ${timeAgo(p.updatedAt ?? Date.now())}.`} />
      {safeLive}
      {safeAvailability}
      {safeRate}
      {safeProfiles}
      {safePolicies}
    </>
  );
}
