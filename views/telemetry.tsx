import { Alert, Badge, EmptyState, PageHeader, Section, type Option } from "./components.tsx";
import { fmtInt, fmtMs, fmtUsd, timeAgo } from "./format.ts";

interface Percentiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
  count: number;
}

export interface TelemetryProps {
  windowMinutes: number;
  windows: Option[];
  providers: Record<string, Percentiles & { mean: number | null; max: number | null; errors: number; ttft: Percentiles }>;
  sessions: { requestId: string; keyName: string | null; endpoint: string; requestedModel: string | null; provider: string | null; streaming: boolean; elapsedMs: number; tokensSoFar: number; userAgent: string | null }[];
  clients: { keyName: string | null; clientFormat: string; userAgent: string | null; lastModel: string | null; lastSeen: string; requests: number; costUsd: number }[];
  error?: string | null;
}

/** p50 → p99 as a bar: where most requests land and how long the tail is. */
function Spread({ p }: { p: Percentiles & { max?: number | null } }) {
  const max = Math.max(1, p.p99 ?? 0, p.max ?? 0);
  const x = (v: number | null) => (((v ?? 0) / max) * 100).toFixed(1);
  return (
    <svg class="spread" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
      <rect class="spread-tail" x={x(p.p50)} y="3" width={(Number(x(p.p99)) - Number(x(p.p50))).toFixed(1)} height="4" />
      <rect class="spread-mid" x="0" y="2" width={x(p.p50)} height="6" />
    </svg>
  );
}

export function TelemetryLive(p: TelemetryProps) {
  const rows = Object.entries(p.providers);
  return (
    <div id="telemetry-live" hx-get={`/dashboard/telemetry?window=${p.windowMinutes}`} hx-trigger="every 10s" hx-swap="outerHTML" hx-indicator="none">
      <Alert message={p.error} />
      <Section title={`Latency by provider, last ${p.windowMinutes} min`}>
        {rows.length === 0 ? (
          <EmptyState title="No traffic in this window">Latency percentiles appear as requests are routed.</EmptyState>
        ) : (
          <div class="table-wrap">
            <table class="table">
              <thead>
                <tr>
                  <th>Provider</th>
                  <th class="num">Requests</th>
                  <th class="num">p50</th>
                  <th class="num">p95</th>
                  <th class="num">p99</th>
                  <th class="hide-sm">Spread</th>
                  <th class="num hide-sm">First token p50</th>
                  <th class="num">Errors</th>
                </tr>
              </thead>
              <tbody>
                {rows.map(([provider, t]) => (
                  <tr>
                    <td safe>{provider}</td>
                    <td class="num" safe>
                      {fmtInt(t.count)}
                    </td>
                    <td class="num" safe>
                      {fmtMs(t.p50)}
                    </td>
                    <td class="num" safe>
                      {fmtMs(t.p95)}
                    </td>
                    <td class="num" safe>
                      {fmtMs(t.p99)}
                    </td>
                    <td class="hide-sm">
                      <Spread p={t} />
                    </td>
                    <td class="num hide-sm" safe>
                      {t.ttft.count ? fmtMs(t.ttft.p50) : "—"}
                    </td>
                    <td class="num">{t.errors ? <Badge tone="bad" text={String(t.errors)} /> : "0"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
      <Section title="In flight">
        {p.sessions.length === 0 ? (
          <EmptyState title="Nothing in flight">Requests being answered (streams especially) show here while they run.</EmptyState>
        ) : (
          <ul class="plain">
            {p.sessions.map((s) => (
              <li>
                <code safe>{s.requestedModel ?? "?"}</code> {s.streaming ? <Badge tone="info" text="streaming" /> : ""}
                <span class="muted small" safe>{` ${s.keyName ?? "no key"} · ${s.endpoint} · ${Math.round(s.elapsedMs / 1000)} s · ~${s.tokensSoFar} tokens`}</span>
              </li>
            ))}
          </ul>
        )}
      </Section>
      <Section title="Clients seen recently">
        {p.clients.length === 0 ? (
          <EmptyState title="No clients yet">Each key and user agent that calls the gateway is listed here.</EmptyState>
        ) : (
          <div class="table-wrap">
            <table class="table">
              <thead>
                <tr>
                  <th>Client</th>
                  <th class="hide-sm">Last model</th>
                  <th class="num">Requests</th>
                  <th class="num">Cost</th>
                  <th>Seen</th>
                </tr>
              </thead>
              <tbody>
                {p.clients.map((c) => (
                  <tr>
                    <td>
                      <strong safe>{c.keyName ?? "no key"}</strong>
                      <div class="muted small clip" title={c.userAgent ?? undefined} safe>{`${c.clientFormat} · ${c.userAgent ?? "unknown agent"}`}</div>
                    </td>
                    <td class="hide-sm">
                      <code safe>{c.lastModel ?? "—"}</code>
                    </td>
                    <td class="num" safe>
                      {fmtInt(c.requests)}
                    </td>
                    <td class="num" safe>
                      {fmtUsd(c.costUsd)}
                    </td>
                    <td class="small" safe>
                      {timeAgo(Date.parse(c.lastSeen))}
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

export function TelemetryPage(p: TelemetryProps) {
  return (
    <>
      <PageHeader title="Telemetry" subtitle="Latency percentiles per provider, requests in flight and the clients using the gateway. Refreshes every 10 seconds." />
      <form method="get" action="/dashboard/telemetry" class="filters form-grid" hx-get="/dashboard/telemetry" hx-trigger="change" hx-target="#telemetry-live" hx-push-url="true">
        <label class="field">
          <span class="field-label">Window</span>
          <select name="window">
            {p.windows.map((w) => (
              <option value={w.value} selected={w.value === String(p.windowMinutes)} safe>
                {w.label}
              </option>
            ))}
          </select>
        </label>
      </form>
      <TelemetryLive {...p} />
    </>
  );
}
