import { BarList, Sparkline, type SeriesPoint } from "./charts.tsx";
import { Badge, EmptyState, PageHeader, Section, Stat } from "./components.tsx";
import { clock, fmtBytes, fmtCompact, fmtDuration, fmtInt, fmtMs, fmtPercent, fmtUsd } from "./format.ts";

export interface RecentRow {
  requestId: string;
  timestamp: number;
  endpoint: string;
  requestedModel: string | null;
  provider: string | null;
  model: string | null;
  status: number;
  latencyMs: number;
  totalTokens: number | null;
  stream: boolean;
  error: string | null;
}

export interface OverviewProps {
  health: { ok: boolean; version: string; uptimeSec: number; activeRequests: number; queued: number; dropped: number; rssBytes: number };
  counts: { connections: number; activeConnections: number; providersReady: number; keys: number; aliases: number };
  today: { requests: number; errors: number; tokens: number; costUsd: number | null; avgLatencyMs: number | null };
  series: SeriesPoint[];
  byProvider: { provider: string; n: number }[];
  recent: RecentRow[];
  checklist: { connection: boolean; key: boolean; request: boolean; password: boolean };
  /** Link to the full request log once a usage page exists. */
  logHref?: string;
}

function Step({ done, title, href, children: safeText }: { done: boolean; title: string; href: string; children: string }) {
  return (
    <li class={done ? "done" : ""}>
      <span class="step-mark" aria-hidden="true">
        {done ? "✓" : "○"}
      </span>
      <div>
        <a href={href} safe>
          {title}
        </a>
        <div class="muted small">{safeText}</div>
      </div>
    </li>
  );
}

function GettingStarted({ c }: { c: OverviewProps["checklist"] }) {
  if (c.connection && c.key && c.request) return "";
  return (
    <Section title="Getting started">
      <ol class="steps">
        <Step done={c.connection} title="Add a provider connection" href="/dashboard/providers#add-connection">
          Paste an upstream API key (OpenAI, Anthropic, Gemini…) or point at your own OpenAI-compatible server.
        </Step>
        <Step done={c.key} title="Create a gateway API key" href="/dashboard/keys">
          Clients authenticate to OmniRoute with it; the key is shown once.
        </Step>
        <Step done={c.request} title="Connect a client and send a request" href="/dashboard/connect">
          Ready-to-paste settings for Claude Code, Codex CLI, Cursor, Open WebUI and the SDKs.
        </Step>
        <Step done={c.password} title="Protect the dashboard with a password" href="/dashboard/settings#security">
          Until then anyone who can reach this port can change the gateway.
        </Step>
      </ol>
    </Section>
  );
}

export function statusTone(status: number): "ok" | "warn" | "bad" {
  return status < 400 ? "ok" : status === 429 || status < 500 ? "warn" : "bad";
}

export function RecentRequests({ rows, logHref }: { rows: RecentRow[]; logHref?: string }) {
  if (rows.length === 0) {
    return (
      <EmptyState title="No requests yet">
        Send one from a client (see <a href="/dashboard/connect">Connect a client</a>); it appears here within a second.
      </EmptyState>
    );
  }
  return (
    <div class="table-wrap">
      <table class="table" id="recent-requests">
        <thead>
          <tr>
            <th>Time</th>
            <th>Model</th>
            <th>Routed to</th>
            <th>Status</th>
            <th class="num">Latency</th>
            <th class="num">Tokens</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr>
              <td class="nowrap" title={new Date(r.timestamp).toISOString()} safe>
                {clock(r.timestamp)}
              </td>
              <td>
                <code safe>{r.requestedModel ?? "—"}</code>
                <div class="muted small" safe>
                  {`${r.endpoint}${r.stream ? " · stream" : ""}`}
                </div>
              </td>
              <td safe>{r.provider ? `${r.provider}/${r.model ?? ""}` : "—"}</td>
              <td>
                <Badge tone={statusTone(r.status)} text={String(r.status)} title={r.error ?? undefined} />
                {r.error ? (
                  <div class="muted small clip" safe>
                    {r.error}
                  </div>
                ) : (
                  ""
                )}
              </td>
              <td class="num" safe>
                {fmtMs(r.latencyMs)}
              </td>
              <td class="num" safe>
                {fmtInt(r.totalTokens)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {logHref ? (
        <p class="small">
          <a href={logHref}>Full request log →</a>
        </p>
      ) : (
        ""
      )}
    </div>
  );
}

/** The part that refreshes itself every few seconds (hx-trigger="every 5s"). */
export function OverviewLive(p: OverviewProps) {
  const { today, health, counts } = p;
  const errorTone = today.errors === 0 ? "ok" : today.errors / Math.max(today.requests, 1) > 0.1 ? "bad" : "warn";
  return (
    <div id="overview-live" hx-get="/dashboard/overview/live" hx-trigger="every 5s" hx-swap="outerHTML" hx-indicator="none">
      <div class="stats">
        <Stat label="Gateway" value={health.ok ? "Healthy" : "Degraded"} tone={health.ok ? "ok" : "bad"} hint={`up ${fmtDuration(health.uptimeSec)} · v${health.version}`} />
        <Stat label="Requests today" value={fmtCompact(today.requests)} hint={`${health.activeRequests} in flight`} />
        <Stat label="Errors today" value={fmtCompact(today.errors)} tone={errorTone} hint={`${fmtPercent(today.errors, today.requests)} of requests`} />
        <Stat label="Cost today" value={fmtUsd(today.costUsd)} hint={today.costUsd === null ? "not recorded by this build" : `${fmtCompact(today.tokens)} tokens`} />
        <Stat label="Tokens today" value={fmtCompact(today.tokens)} hint={`avg latency ${fmtMs(today.avgLatencyMs)}`} />
        <Stat label="Connections" value={`${counts.activeConnections}/${counts.connections}`} tone={counts.activeConnections > 0 ? "ok" : "warn"} hint={`${counts.providersReady} providers ready`} />
      </div>
      <Section title="Requests, last 60 minutes">
        <Sparkline points={p.series} label="Requests per minute, last hour" />
        <div class="spark-legend muted small">
          <span>60 min ago</span>
          <span safe>{`${p.series.reduce((s, x) => s + x.value, 0)} requests · ${p.series.reduce((s, x) => s + (x.errors ?? 0), 0)} failed`}</span>
          <span>now</span>
        </div>
      </Section>
      <div class="grid-2">
        <Section title="Recent requests">
          <RecentRequests rows={p.recent} logHref={p.logHref} />
        </Section>
        <Section title="Today by provider">
          {p.byProvider.length ? (
            <BarList items={p.byProvider.map((b) => ({ label: b.provider, value: b.n }))} />
          ) : (
            <EmptyState title="Nothing routed today">Requests are counted per provider as they arrive.</EmptyState>
          )}
          <dl class="facts small">
            <dt>Usage queue</dt>
            <dd safe>{`${fmtInt(health.queued)} queued${health.dropped ? ` · ${fmtInt(health.dropped)} dropped` : ""}`}</dd>
            <dt>Memory</dt>
            <dd safe>{fmtBytes(health.rssBytes)}</dd>
            <dt>Keys · aliases</dt>
            <dd safe>{`${counts.keys} · ${counts.aliases}`}</dd>
          </dl>
        </Section>
      </div>
    </div>
  );
}

export function OverviewPage(p: OverviewProps) {
  return (
    <>
      <PageHeader title="Overview" subtitle="Health, traffic and the latest requests. Updates every 5 seconds." />
      <GettingStarted c={p.checklist} />
      <OverviewLive {...p} />
    </>
  );
}
