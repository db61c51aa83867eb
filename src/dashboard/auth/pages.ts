// /login (log in, or on a fresh install set the first password), /login/skip and /logout:
// plain HTML forms, no JavaScript needed. The guard lets these through without a session but
// still applies its Origin check to the posts.
import { Elysia } from "elysia";
import { LoginPage, SetupPage } from "../../../views/login.tsx";
import type { Services } from "../../services.ts";
import { html } from "../http.ts";
import { attemptLogin, updateLoginSettings } from "./actions.ts";
import { safeNext } from "./guard.ts";
import { clearedSessionCookie, sessionCookie } from "./session.ts";
import { authOf, MIN_PASSWORD_LENGTH } from "./state.ts";

const str = (body: unknown, key: string) => {
  const v = (body as Record<string, unknown> | null)?.[key];
  return typeof v === "string" ? v : "";
};

const redirect = (location: string, cookie?: string) =>
  new Response(null, { status: 303, headers: cookie ? { location, "set-cookie": cookie } : { location } });

export function loginPages(services: Services) {
  const auth = authOf(services);

  return new Elysia({ name: "dashboard-login" })
    .get("/login", ({ request, query }) => {
      const next = safeNext(typeof query.next === "string" ? query.next : null);
      if (!auth.hasPassword) return html(SetupPage({ minLength: MIN_PASSWORD_LENGTH }) as string);
      // Already logged in (or login is off): nothing to do here.
      if (!auth.loginEnforced || auth.sessionOf(request)) return redirect(next);
      return html(LoginPage({ next }) as string);
    })

    .post("/login", async ({ request, body }) => {
      const next = safeNext(str(body, "next"));
      const outcome = await attemptLogin(auth, request, str(body, "password"));
      if (outcome.ok) return redirect(next, sessionCookie(request, outcome.token));
      if (outcome.needsSetup) return redirect("/login");
      const headers: Record<string, string> = outcome.retryAfter ? { "retry-after": String(outcome.retryAfter) } : {};
      return html(LoginPage({ next, error: outcome.error, retryAfter: outcome.retryAfter }) as string, outcome.status, headers);
    })

    .post("/login/setup", async ({ request, body }) => {
      // Only the very first password can be set here; changing it is in Settings (needs the current one).
      if (auth.hasPassword) return redirect("/login");
      const password = str(body, "password");
      if (password !== str(body, "confirm")) return html(SetupPage({ minLength: MIN_PASSWORD_LENGTH, error: "The two passwords differ" }) as string, 400);
      const outcome = await updateLoginSettings(auth, request, { password, requireLogin: true });
      if (!outcome.ok) return html(SetupPage({ minLength: MIN_PASSWORD_LENGTH, error: outcome.error }) as string, outcome.status);
      return redirect("/dashboard", sessionCookie(request, outcome.token!));
    })

    .post("/login/skip", () => {
      if (!auth.hasPassword) auth.setRequireLogin(false);
      return redirect("/dashboard");
    })

    .post("/logout", ({ request }) => {
      const session = auth.sessionOf(request);
      if (session) auth.revoke(session);
      return redirect("/login", clearedSessionCookie(request));
    });
}
