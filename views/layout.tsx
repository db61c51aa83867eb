/// <reference types="@kitajs/html/htmx.d.ts" />
import type { PropsWithChildren } from "@kitajs/html";

export interface NavLink {
  href: string;
  label: string;
  group: "Overview" | "Routing" | "Access" | "Observe" | "System";
}

const GROUPS: NavLink["group"][] = ["Overview", "Routing", "Access", "Observe", "System"];

/**
 * htmx swaps 4xx/5xx answers too: the dashboard answers a rejected form with the form and its
 * inline errors, so they must be shown, not dropped. 204 means "nothing to change".
 */
const HTMX_CONFIG = JSON.stringify({
  responseHandling: [
    { code: "204", swap: false },
    { code: "[2345]..", swap: true },
  ],
  defaultSwapStyle: "outerHTML",
});

/** The logo as an inline icon: no extra request, nothing to embed. */
const FAVICON =
  "data:image/svg+xml," +
  encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><g fill="#3b5bdb"><circle cx="5" cy="12" r="3"/><circle cx="19" cy="5" r="3"/><circle cx="19" cy="19" r="3"/></g><path d="M7.5 12h4l5-6M11.5 12l5 6" fill="none" stroke="#3b5bdb" stroke-width="2"/></svg>',
  );

function Head({ title }: { title: string }) {
  return (
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="color-scheme" content="light dark" />
      <meta name="htmx-config" content={HTMX_CONFIG} />
      <title safe>{title}</title>
      <link rel="icon" href={FAVICON} />
      <link rel="stylesheet" href="/public/app.css" />
      <script src="/public/htmx.min.js" defer></script>
      <script src="/public/app.js" defer></script>
    </head>
  );
}

function Logo() {
  return (
    <svg class="logo" viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
      <circle cx="5" cy="12" r="2.5" />
      <circle cx="19" cy="5" r="2.5" />
      <circle cx="19" cy="19" r="2.5" />
      <path d="M7.5 12h4l5-6M11.5 12l5 6" fill="none" stroke="currentColor" stroke-width="1.8" />
    </svg>
  );
}

function Sidebar({ nav, current, loginEnforced }: { nav: NavLink[]; current: string; loginEnforced: boolean }) {
  return (
    <nav class="sidebar" aria-label="Dashboard">
      <a class="brand" href="/dashboard">
        <Logo /> OmniRoute
      </a>
      <div class="nav-groups">
        {GROUPS.map((group) => {
          const links = nav.filter((l) => l.group === group);
          if (links.length === 0) return "";
          return (
            <div class="nav-group">
              <div class="nav-title">{group}</div>
              {links.map((l) => (
                <a href={l.href} aria-current={l.href === current ? "page" : undefined} safe>
                  {l.label}
                </a>
              ))}
            </div>
          );
        })}
      </div>
      {loginEnforced ? (
        <form method="post" action="/logout" class="logout">
          <button type="submit" class="btn ghost small">
            Log out
          </button>
        </form>
      ) : (
        <a class="nav-warning" href="/dashboard/settings#security">
          No login: anyone who reaches this port can change it
        </a>
      )}
    </nav>
  );
}

export interface LayoutProps {
  title: string;
  /** Without nav: a bare page (login, setup). */
  nav?: NavLink[];
  current?: string;
  loginEnforced?: boolean;
}

export function Layout({ title, nav, current = "", loginEnforced = false, children }: PropsWithChildren<LayoutProps>) {
  return (
    <>
      {"<!doctype html>"}
      <html lang="en">
        <Head title={`${title} · OmniRoute`} />
        <body hx-indicator="#busy">
          {nav ? (
            <div class="shell">
              <Sidebar nav={nav} current={current} loginEnforced={loginEnforced} />
              <main id="main">{children}</main>
            </div>
          ) : (
            <main class="bare">{children}</main>
          )}
          <div id="busy" class="busy htmx-indicator" aria-hidden="true"></div>
        </body>
      </html>
    </>
  );
}
