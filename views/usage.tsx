import { BarList, Sparkline, type SeriesPoint } from "./charts.tsx";
import { Alert, Badge, EmptyState, PageHeader, Section, Stat, type Option } from "./components.tsx";
import { clock, fmtCompact, fmtInt, fmtMs, fmtPercent, fmtUsd } from "./format.ts";
import { statusTone } from "./overview.tsx";

export interface UsageFilters {
  range: "24h" | "7d" | "30d";
  provider: string;
  status: string;
  keyId: string;
}

export interface LogRow {
  requestId: string;
  timestamp: number;
  endpoint: string;
  requestedModel: string | null;
  provider: string | null;
  model: string | null;
  status: number;
  stream: boolean;
  latencyMs: number;
  totalTokens: number | null;
  costUsd: number | null;
  costEstimated: boolean;
  error: string | null;
  keyName: string | null;
}

export interface UsageProps {
  filters: UsageFilters;
  providers: Option[];
  keys: Option[];
  totals: { requests: number; errors: number; totalTokens: number; costUsd: number; estimatedRequests: number; avgLatencyMs: number | null } | null;
  requests: SeriesPoint[];
  cost: SeriesPoint[];
  byModel: { label: string; value: number }[];
  logs: LogRow[];
  /** Query string of the next (older) page, when there is one. */
  olderQuery: string | null;
  firstPage: boolean;
  error?: string | null;
}

const RANGES: Option[] = [
  { value: "24h", label: "Last 24 hours (hourly)" },
  { value: "7d", label: "Last 7 days (daily)" },
  { value: "30d", label: "Last 30 days (daily)" },
];
const STATUSES: Option[] = [
  { value: "", label: "Any status" },
  { value: "success", label: "Succeeded" },
  { value: "error", label: "Failed" },
];

function Select({ name, label, options, value }: { name: string; label: string; options: Option[]; value: string }) {
  return (
    <label class="field">
      <span class="field-label" safe>
        {label}
      </span>
      <select name={name}>
        {options.map((o) => (
          <option value={o.value} selected={o.value === value} safe>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}

export function RequestLog({ logs, olderQuery, firstPage }: Pick<UsageProps, "logs" | "olderQuery" | "firstPage">) {
  return (
    <div id="request-log">
      {logs.length === 0 ? (
        <EmptyState title="No requests match">Requests show up here as clients use the gateway; widen the filters to see more.</EmptyState>
      ) : (
        <div class="table-wrap">
          <table class="table">
            <thead>
              <tr>
                <th>Time</th>
                <th>Model</th>
                <th class="hide-sm">Routed to</th>
                <th>Status</th>
                <th class="num">Latency</th>
                <th class="num">Tokens</th>
                <th class="num">Cost</th>
              </tr>
            </thead>
            <tbody>
              {logs.map((r) => (
                <tr>
                  <td class="nowrap" title={new Date(r.timestamp).toISOString()}>
                    <a href={`/dashboard/usage/requests/${encodeURIComponent(r.requestId)}`} safe>
                      {clock(r.timestamp)}
                    </a>
                    <div class="muted small" safe>
                      {new Date(r.timestamp).toISOString().slice(0, 10)}
                    </div>
                  </td>
                  <td>
                    <code safe>{r.requestedModel ?? "—"}</code>
                    <div class="muted small" safe>
                      {`${r.endpoint}${r.stream ? " · stream" : ""}${r.keyName ? ` · ${r.keyName}` : ""}`}
                    </div>
                  </td>
                  <td class="hide-sm" safe>
                    {r.provider ? `${r.provider}/${r.model ?? ""}` : "—"}
                  </td>
                  <td>
                    <Badge tone={statusTone(r.status)} text={String(r.status)} />
                    {r.error ? (
                      <div class="muted small clip" title={r.error} safe>
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
                  <td class="num" safe>
                    {r.costUsd === null ? "—" : `${fmtUsd(r.costUsd)}${r.costEstimated ? "*" : ""}`}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div class="pager">
        {firstPage ? (
          <span></span>
        ) : (
          <a class="btn small ghost" href="/dashboard/usage" hx-get="/dashboard/usage/log" hx-include="#usage-filters" hx-target="#request-log">
            ← Newest
          </a>
        )}
        {olderQuery ? (
          <a class="btn small ghost" href={`/dashboard/usage?${olderQuery}`} hx-get={`/dashboard/usage/log?${olderQuery}`} hx-target="#request-log">
            Older →
          </a>
        ) : (
          ""
        )}
      </div>
    </div>
  );
}

export function UsageArea(p: UsageProps) {
  const t = p.totals;
  return (
    <div id="usage-area">
      <Alert message={p.error} />
      {t ? (
        <div class="stats">
          <Stat label="Requests" value={fmtCompact(t.requests)} />
          <Stat label="Failed" value={fmtCompact(t.errors)} tone={t.errors ? "warn" : "ok"} hint={fmtPercent(t.errors, t.requests)} />
          <Stat label="Tokens" value={fmtCompact(t.totalTokens)} />
          <Stat label="Cost" value={fmtUsd(t.costUsd)} hint={t.estimatedRequests ? `${t.estimatedRequests} estimated` : undefined} />
          <Stat label="Avg latency" value={fmtMs(t.avgLatencyMs)} />
        </div>
      ) : (
        ""
      )}
      <div class="grid-2">
        <Section title="Requests">
          <Sparkline points={p.requests} label="Requests" />
          <div class="muted small">Failed requests in red.</div>
          <h3 class="small muted">Cost (USD)</h3>
          <Sparkline points={p.cost} label="Cost" unit="USD" height={48} />
        </Section>
        <Section title="By model">
          {p.byModel.length ? <BarList items={p.byModel} /> : <EmptyState title="No traffic in this range">Nothing was routed yet.</EmptyState>}
        </Section>
      </div>
      <Section title="Request log">
        <RequestLog logs={p.logs} olderQuery={p.olderQuery} firstPage={p.firstPage} />
        <p class="muted small">* cost estimated: the upstream reported no usage.</p>
      </Section>
    </div>
  );
}

export function UsagePage(p: UsageProps) {
  return (
    <>
      <PageHeader title="Usage" subtitle="Traffic, tokens and cost over time, and every request." />
      <form id="usage-filters" class="filters form-grid" method="get" action="/dashboard/usage" hx-get="/dashboard/usage" hx-trigger="change" hx-target="#usage-area" hx-push-url="true">
        <Select name="range" label="Range" options={RANGES} value={p.filters.range} />
        <Select name="provider" label="Provider" options={[{ value: "", label: "All providers" }, ...p.providers]} value={p.filters.provider} />
        <Select name="status" label="Status" options={STATUSES} value={p.filters.status} />
        <Select name="keyId" label="API key" options={[{ value: "", label: "All keys" }, ...p.keys]} value={p.filters.keyId} />
        <noscript>
          <button type="submit" class="btn">
            Apply
          </button>
        </noscript>
      </form>
      <UsageArea {...p} />
    </>
  );
}

export function RequestDetail({ log }: { log: Record<string, any> }) {
  const attempts: any[] = Array.isArray(log.attempts) ? log.attempts : [];
  return (
    <>
      <PageHeader title="Request" subtitle={String(log.requestId ?? "")} />
      <Section title="Summary">
        <dl class="facts">
          {Object.entries({
            Time: log.timestamp,
            Endpoint: `${log.method ?? ""} ${log.endpoint ?? ""}`,
            "Requested model": log.requestedModel,
            "Routed to": log.provider ? `${log.provider}/${log.model ?? ""}` : null,
            Status: log.status,
            Latency: log.latencyMs !== undefined ? fmtMs(log.latencyMs) : null,
            "First byte": log.ttfbMs !== null && log.ttfbMs !== undefined ? fmtMs(log.ttfbMs) : null,
            Tokens: log.tokens ? `${fmtInt(log.tokens.prompt)} in · ${fmtInt(log.tokens.completion)} out` : null,
            Cost: log.costUsd !== null && log.costUsd !== undefined ? fmtUsd(log.costUsd) : null,
            "Finish reason": log.finishReason,
            Error: log.error ?? log.errorCode,
            Client: log.userAgent,
            "Client IP": log.clientIp,
          })
            .filter(([, v]) => v !== null && v !== undefined && v !== "")
            .map(([k, v]) => (
              <>
                <dt safe>{k}</dt>
                <dd safe>{String(v)}</dd>
              </>
            ))}
        </dl>
      </Section>
      <Section title="Attempts">
        {attempts.length === 0 ? (
          <p class="muted small">One target, answered directly.</p>
        ) : (
          <ol class="plain">
            {attempts.map((a) => (
              <li>
                <code safe>{`${a.provider ?? "?"}/${a.model ?? "?"}`}</code> <Badge tone={statusTone(Number(a.status) || 500)} text={String(a.status ?? "—")} />
                {a.error ? <span class="muted small" safe>{` ${a.error}`}</span> : ""}
              </li>
            ))}
          </ol>
        )}
      </Section>
      {log.requestBody || log.responseBody ? (
        <Section title="Bodies (redacted)">
          <pre class="small">
            <code safe>{String(log.requestBody ?? "")}</code>
          </pre>
          <pre class="small">
            <code safe>{String(log.responseBody ?? "")}</code>
          </pre>
        </Section>
      ) : (
        ""
      )}
      <p>
        <a href="/dashboard/usage">← Usage</a>
      </p>
    </>
  );
}
