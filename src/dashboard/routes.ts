// /dashboard/*: the server-rendered control room. Registers the auth guard (which also covers
// /api/*), the login pages and every page in pages/index.ts; the navigation is built from
// that list, so a page that is registered is reachable.
import { Elysia } from "elysia";
import type { Services } from "../services.ts";
import type { NavLink } from "../../views/layout.tsx";
import { authGuard } from "./auth/guard.ts";
import { loginPages } from "./auth/pages.ts";
import { authOf } from "./auth/state.ts";
import { makeApiClient, makeForwarder, renderPage, type Dash, type Dispatch } from "./http.ts";
import { PAGES } from "./pages/index.ts";
import { EmptyState, PageHeader } from "../../views/components.tsx";

const GROUP_ORDER: NavLink["group"][] = ["Overview", "Routing", "Access", "Observe", "System"];

export function navOf(pages: DashboardPageLike[]): NavLink[] {
  return [...pages]
    .sort((a, b) => GROUP_ORDER.indexOf(a.group) - GROUP_ORDER.indexOf(b.group) || a.order - b.order)
    .map((p) => ({ href: p.path, label: p.label, group: p.group }));
}

type DashboardPageLike = { path: string; label: string; group: NavLink["group"]; order: number };

/** `dispatch` is the app's own handle(): the dashboard's writes go through /api/* in process. */
export function dashboardRoutes(services: Services, dispatch: Dispatch) {
  const auth = authOf(services);
  const dash: Dash = { services, auth, nav: navOf(PAGES), api: makeApiClient(auth, dispatch), forward: makeForwarder(auth, dispatch) };

  let app = new Elysia({ name: "dashboard" }).use(authGuard(services)).use(loginPages(services));
  for (const page of PAGES) app = app.use(page.routes(dash));

  // Unknown dashboard paths get a page with the navigation, not the gateway's JSON 404.
  return app.get("/dashboard/*", ({ request }) => {
    const body = (PageHeader({ title: "Not found" }) as string) + (EmptyState({ title: "There is no such page.", children: 'Pick one in the menu, or go back to the <a href="/dashboard">overview</a>.' }) as string);
    return renderPage(dash, request, { title: "Not found", current: "", body, status: 404 });
  });
}
