// /dashboard/telemetry: /api/telemetry/summary (latency percentiles) and /api/sessions
// (requests in flight, recent clients), refreshed by htmx polling.
import { Elysia } from "elysia";
import { TelemetryLive, TelemetryPage, type TelemetryProps } from "../../../views/telemetry.tsx";
import { html, isHx, renderPage, type Dash, type DashboardPage } from "../http.ts";

const PATH = "/dashboard/telemetry";
const WINDOWS = [5, 15, 60].map((m) => ({ value: String(m), label: `Last ${m} minutes` }));

export function telemetryRoutes(dash: Dash) {
  async function props(window: number): Promise<TelemetryProps> {
    const [summary, sessions] = await Promise.all([dash.api("GET", `/api/telemetry/summary?window=${window}`), dash.api("GET", "/api/sessions")]);
    return {
      windowMinutes: window,
      windows: WINDOWS,
      providers: summary.ok ? summary.data.providers : {},
      sessions: sessions.ok ? sessions.data.sessions : [],
      clients: sessions.ok ? sessions.data.recentClients : [],
      error: summary.ok ? (sessions.ok ? null : sessions.error) : summary.error,
    };
  }

  return new Elysia({ name: "dashboard-telemetry" }).get(PATH, async ({ request, query }) => {
    const window = WINDOWS.some((w) => w.value === query.window) ? Number(query.window) : 15;
    const p = await props(window);
    if (isHx(request)) return html(TelemetryLive(p) as string);
    return renderPage(dash, request, { title: "Telemetry", current: PATH, body: TelemetryPage(p) as string });
  });
}

export const telemetryPage: DashboardPage = { path: PATH, label: "Telemetry", group: "Observe", order: 20, routes: telemetryRoutes };
