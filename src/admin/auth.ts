// /api/auth/login, /api/auth/logout and /api/settings/require-login, as in OmniRoute's API
// reference ("Autenticazione"). The rules (when login is enforced, sessions, CSRF) live in
// src/dashboard/auth/; see state.ts there for the why.
import { Elysia } from "elysia";
import { z } from "zod";
import type { Services } from "../services.ts";
import { attemptLogin, loginSettingsView, updateLoginSettings } from "../dashboard/auth/actions.ts";
import { clearedSessionCookie, sessionCookie } from "../dashboard/auth/session.ts";
import { authOf } from "../dashboard/auth/state.ts";
import { parseWith, readJson } from "./http.ts";

const Login = z.object({ password: z.string().max(1024).optional() });

const LoginSettings = z.object({
  requireLogin: z.boolean().optional(),
  password: z.string().max(1024).optional(),
  currentPassword: z.string().max(1024).optional(),
});

export function authRoutes(services: Services) {
  const auth = authOf(services);

  async function putLoginSettings({ request }: { request: Request }) {
    const body = parseWith(LoginSettings, await readJson(request));
    const outcome = await updateLoginSettings(auth, request, body);
    if (!outcome.ok) {
      const headers: Record<string, string> = outcome.retryAfter ? { "retry-after": String(outcome.retryAfter) } : {};
      return Response.json({ error: { message: outcome.error, details: [{ field: outcome.field, message: outcome.error }] } }, { status: outcome.status, headers });
    }
    const headers = new Headers();
    // The password changed, so every session (this one too) ended: hand this caller a new one.
    if (outcome.token) headers.set("set-cookie", sessionCookie(request, outcome.token));
    return Response.json({ success: true, ...loginSettingsView(auth) }, { headers });
  }

  return new Elysia({ name: "admin-auth" })
    .post("/api/auth/login", async ({ request }) => {
      const { password } = parseWith(Login, await readJson(request));
      const outcome = await attemptLogin(auth, request, password);
      if (!outcome.ok) {
        const headers: Record<string, string> = outcome.retryAfter ? { "retry-after": String(outcome.retryAfter) } : {};
        const body = outcome.needsSetup ? { error: outcome.error, needsSetup: true } : { error: outcome.error };
        return Response.json(body, { status: outcome.status, headers });
      }
      return Response.json({ success: true }, { headers: { "set-cookie": sessionCookie(request, outcome.token) } });
    })

    .post("/api/auth/logout", ({ request }) => {
      const session = auth.sessionOf(request);
      if (session) auth.revoke(session);
      return Response.json({ success: true }, { headers: { "set-cookie": clearedSessionCookie(request) } });
    })

    .get("/api/settings/require-login", () => loginSettingsView(auth))
    .put("/api/settings/require-login", putLoginSettings)
    // OmniRoute's onboarding wizard posts here; PUT is what the reference lists.
    .post("/api/settings/require-login", putLoginSettings);
}
