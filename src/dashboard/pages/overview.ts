// /dashboard: health, today's traffic, a live sparkline and the latest requests.
import { Elysia } from "elysia";
import { VERSION } from "../../config.ts";
import { OverviewLive, OverviewPage, type OverviewProps } from "../../../views/overview.tsx";
import { html, renderPage, type Dash, type DashboardPage } from "../http.ts";
import { recentRequests, requestsByProvider, requestsPerMinute, todayTotals } from "../stats.ts";

function overviewProps(dash: Dash): OverviewProps {
  const { services } = dash;
  const { store } = services;
  let ok = true;
  try {
    services.db.$client.query("SELECT 1").get();
  } catch {
    ok = false;
  }
  const queue = services.usage.stats();
  let providersReady = 0;
  let activeConnections = 0;
  for (const [providerId, conns] of store.connectionsByProvider) {
    const active = conns.filter((c) => c.isActive).length;
    activeConnections += active;
    if (active > 0 && store.providers.has(providerId)) providersReady++;
  }
  const today = todayTotals(services);
  const recent = recentRequests(services, 12);
  const hasRequest = recent.length > 0;
  return {
    health: {
      ok,
      version: VERSION,
      uptimeSec: Math.floor((Date.now() - services.startedAt) / 1000),
      activeRequests: services.live.size,
      queued: queue.queued,
      dropped: queue.dropped,
      rssBytes: process.memoryUsage().rss,
    },
    counts: {
      connections: store.connections.size,
      activeConnections,
      providersReady,
      keys: store.keysByHash.size,
      aliases: store.aliases.size,
    },
    today,
    series: requestsPerMinute(services, 60),
    byProvider: requestsByProvider(services),
    recent,
    checklist: {
      connection: store.connections.size > 0,
      key: store.keysByHash.size > 0,
      request: hasRequest,
      password: dash.auth.hasPassword,
    },
    logHref: dash.nav.some((n) => n.href === "/dashboard/usage") ? "/dashboard/usage" : undefined,
  };
}

export const overviewPage: DashboardPage = {
  path: "/dashboard",
  label: "Overview",
  group: "Overview",
  order: 0,
  routes: (dash) =>
    new Elysia({ name: "dashboard-overview" })
      .get("/dashboard", ({ request }) =>
        renderPage(dash, request, { title: "Overview", current: "/dashboard", body: OverviewPage(overviewProps(dash)) as string }),
      )
      .get("/dashboard/overview/live", () => html(OverviewLive(overviewProps(dash)) as string)),
};
