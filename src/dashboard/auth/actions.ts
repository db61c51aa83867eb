// Logging in and changing the login settings: shared by the JSON endpoints (src/admin/auth.ts)
// and the HTML forms (/login, the settings page), so both follow exactly the same rules.
import { clientIp } from "./login-limiter.ts";
import { MIN_PASSWORD_LENGTH, type AuthState } from "./state.ts";

export type LoginOutcome =
  | { ok: true; token: string }
  | { ok: false; status: 400 | 401 | 403 | 429; error: string; retryAfter?: number; needsSetup?: boolean };

/** Checks a password, counting failures per client IP (see LoginLimiter). */
export async function attemptLogin(auth: AuthState, request: Request, password: unknown): Promise<LoginOutcome> {
  if (typeof password !== "string" || !password) return { ok: false, status: 400, error: "Password is required" };
  if (!auth.hasPassword) {
    return { ok: false, status: 403, error: "No password configured. Set one first.", needsSetup: true };
  }
  const ip = clientIp(request);
  const wait = auth.limiter.retryAfter(ip);
  if (wait > 0) return { ok: false, status: 429, error: "Too many failed attempts. Try again later.", retryAfter: wait };
  if (!(await auth.verifyPassword(password))) {
    auth.limiter.fail(ip);
    const locked = auth.limiter.retryAfter(ip);
    if (locked > 0) return { ok: false, status: 429, error: "Too many failed attempts. Try again later.", retryAfter: locked };
    return { ok: false, status: 401, error: "Invalid password" };
  }
  auth.limiter.succeed(ip);
  return { ok: true, token: auth.issueSession() };
}

export interface LoginSettingsInput {
  requireLogin?: boolean;
  password?: string;
  currentPassword?: string;
}

export type LoginSettingsOutcome =
  | { ok: true; token: string | null }
  | { ok: false; status: 400 | 401 | 429; field: string; error: string; retryAfter?: number };

/**
 * Sets or changes the password and/or flips requireLogin. Replacing an existing password or
 * turning login off needs the current one (a stolen session cookie must not be enough),
 * unless the caller holds the admin token — that is the recovery path for a lost password.
 * Returns a fresh session token when the password changed (the old sessions just ended).
 */
export async function updateLoginSettings(auth: AuthState, request: Request, input: LoginSettingsInput): Promise<LoginSettingsOutcome> {
  const { password, requireLogin } = input;
  if (password !== undefined && password.length < MIN_PASSWORD_LENGTH) {
    return { ok: false, status: 400, field: "password", error: `Password must be at least ${MIN_PASSWORD_LENGTH} characters` };
  }
  // Replacing the password, or turning login off (which opens the whole control plane), both
  // need the current password: a stolen session cookie must be enough for neither.
  const sensitive = password !== undefined || (requireLogin === false && auth.requireLogin);
  if (sensitive && auth.hasPassword && !auth.hasAdminToken(request)) {
    const ip = clientIp(request);
    const wait = auth.limiter.retryAfter(ip);
    if (wait > 0) return { ok: false, status: 429, field: "currentPassword", error: "Too many failed attempts. Try again later.", retryAfter: wait };
    if (!input.currentPassword || !(await auth.verifyPassword(input.currentPassword))) {
      if (input.currentPassword) auth.limiter.fail(ip);
      return { ok: false, status: 401, field: "currentPassword", error: "Current password is incorrect" };
    }
  }
  if (password !== undefined) await auth.setPassword(password);
  if (requireLogin !== undefined) auth.setRequireLogin(requireLogin);
  return { ok: true, token: password !== undefined ? auth.issueSession() : null };
}

/** What GET /api/settings/require-login answers (and the settings page shows). */
export function loginSettingsView(auth: AuthState) {
  return { requireLogin: auth.requireLogin, hasPassword: auth.hasPassword, loginEnforced: auth.loginEnforced };
}
