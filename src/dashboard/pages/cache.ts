// /dashboard/cache: what GET /api/cache reports (the response cache and the idempotency layer)
// and a button for DELETE /api/cache. The cache's knobs are runtime settings (Settings page).
import { Elysia } from "elysia";
import { CacheArea, CachePage, type CacheAreaProps, type CacheStats } from "../../../views/cache.tsx";
import { renderPage, type Dash, type DashboardPage } from "../http.ts";

const PATH = "/dashboard/cache";

export function cacheRoutes(dash: Dash) {
  async function page(request: Request, opts: Omit<CacheAreaProps, "stats"> & { status?: number } = {}) {
    const res = await dash.api<CacheStats>("GET", "/api/cache");
    const props: CacheAreaProps = { stats: res.ok ? res.data : null, ...opts, error: opts.error ?? (res.ok ? null : res.error) };
    return renderPage(dash, request, { title: "Cache", current: PATH, body: CachePage(props) as string, fragment: CacheArea(props) as string, status: opts.status });
  }

  return new Elysia({ name: "dashboard-cache" })
    .get(PATH, ({ request }) => page(request))
    .post(`${PATH}/clear`, async ({ request }) => {
      const res = await dash.api("DELETE", "/api/cache");
      if (!res.ok) return page(request, { error: res.error, status: res.status });
      const keys = res.data.idempotencyKeysCleared ?? 0;
      const notice = `Cleared ${res.data.invalidated} cached answer${res.data.invalidated === 1 ? "" : "s"} and ${keys} idempotency key${keys === 1 ? "" : "s"}.`;
      return page(request, { notice });
    });
}

export const cachePage: DashboardPage = { path: PATH, label: "Cache", group: "System", order: 10, routes: cacheRoutes };
