// Who may use the control plane. The rule, in one place:
//   login is enforced  ⇔  a dashboard password exists  and  the requireLogin setting is not false.
// With no password the control plane stays open as before (a fresh install, and the test
// gateways), and the dashboard's first visit offers to set one; INITIAL_PASSWORD sets it on the
// first start instead. requireLogin defaults to true, so setting a password turns login on.
//
// Both values live in the settings table as their own rows ("dashboardPasswordHash",
// "requireLogin"), outside SettingsSchema so /api/settings neither shows nor writes them; the
// hash is Bun.password's (argon2id). They are cached here and re-read whenever the config
// store reloads (a backup restore replaces the rows underneath us).
import { createHmac, randomBytes } from "node:crypto";
import * as t from "../../db/schema.ts";
import { loadOrCreateKey } from "../../security/cipher.ts";
import type { Services } from "../../services.ts";
import { LoginLimiter } from "./login-limiter.ts";
import { readCookie, sameSecret, SESSION_COOKIE, sessionKey, signSession, verifySession, type SessionClaims } from "./session.ts";

const PASSWORD_ROW = "dashboardPasswordHash";
const REQUIRE_LOGIN_ROW = "requireLogin";
export const MIN_PASSWORD_LENGTH = 8;

export class AuthState {
  /** Root of the session keys: derived from the secret key that also encrypts credentials. */
  private readonly master: Buffer;
  private passwordHash: string | null = null;
  private requireLoginRow: boolean | null = null;
  private seenSettings: unknown = null;
  private key!: Buffer;
  /** Logged-out sessions (sid → expiry), forgotten once they would have expired anyway. */
  private revoked = new Map<string, number>();
  /** Lets the dashboard call /api/* in process; never leaves this process. */
  readonly internalToken = randomBytes(32).toString("base64url");
  readonly limiter = new LoginLimiter();

  constructor(private readonly services: Services) {
    // Domain-separated from the encryption key it comes from: the same bytes never serve two purposes.
    const secret = loadOrCreateKey(services.config.dataDir, services.config.secretKey);
    this.master = createHmac("sha256", secret).update("omniroute/dashboard-session-root/v1").digest();
    this.refresh(true);
    const initial = services.config.initialPassword;
    if (initial && !this.passwordHash) this.storePasswordHash(Bun.password.hashSync(initial));
  }

  /** Re-reads the rows when the store has reloaded since the last look (cheap identity check). */
  private refresh(force = false): void {
    const settings = this.services.store.settings;
    if (!force && settings === this.seenSettings) return;
    this.seenSettings = settings;
    const rows = this.services.db.select().from(t.settings).all();
    const hash = rows.find((r) => r.key === PASSWORD_ROW)?.value;
    const require = rows.find((r) => r.key === REQUIRE_LOGIN_ROW)?.value;
    this.passwordHash = typeof hash === "string" && hash ? hash : null;
    this.requireLoginRow = typeof require === "boolean" ? require : null;
    this.key = sessionKey(this.master, this.passwordHash);
  }

  get hasPassword(): boolean {
    this.refresh();
    return this.passwordHash !== null;
  }

  /** The stored setting (default on). */
  get requireLogin(): boolean {
    this.refresh();
    return this.requireLoginRow !== false;
  }

  /** Whether /dashboard and /api/* demand a session or an admin token right now. */
  get loginEnforced(): boolean {
    return this.hasPassword && this.requireLogin;
  }

  /** No password yet and the operator has not chosen to run without one: offer to set it. */
  get setupPending(): boolean {
    return !this.hasPassword && this.requireLoginRow !== false;
  }

  async verifyPassword(password: string): Promise<boolean> {
    this.refresh();
    if (!this.passwordHash) return false;
    try {
      return await Bun.password.verify(password, this.passwordHash);
    } catch {
      return false;
    }
  }

  async setPassword(password: string): Promise<void> {
    this.storePasswordHash(await Bun.password.hash(password));
  }

  setRequireLogin(value: boolean): void {
    this.writeRow(REQUIRE_LOGIN_ROW, value);
    this.requireLoginRow = value;
  }

  private storePasswordHash(hash: string): void {
    this.writeRow(PASSWORD_ROW, hash);
    this.passwordHash = hash;
    // A new password means a new signing key: every existing session ends here.
    this.key = sessionKey(this.master, hash);
  }

  private writeRow(key: string, value: unknown): void {
    const now = Date.now();
    this.services.db
      .insert(t.settings)
      .values({ key, value, updatedAt: now })
      .onConflictDoUpdate({ target: t.settings.key, set: { value, updatedAt: now } })
      .run();
  }

  /** Starts a session; the caller puts the token in the cookie. */
  issueSession(): string {
    this.refresh();
    return signSession(this.key).token;
  }

  /** The request's session, if its cookie carries a valid one. */
  sessionOf(request: Request): SessionClaims | null {
    this.refresh();
    const claims = verifySession(this.key, readCookie(request, SESSION_COOKIE));
    if (!claims || this.revoked.has(claims.sid)) return null;
    return claims;
  }

  revoke(claims: SessionClaims): void {
    const now = Date.now();
    for (const [sid, exp] of this.revoked) if (exp <= now) this.revoked.delete(sid);
    this.revoked.set(claims.sid, claims.exp);
  }

  /** `Authorization: Bearer <ADMIN_TOKEN>` (or the dashboard's internal token). */
  hasAdminToken(request: Request): boolean {
    const m = /^Bearer\s+(.+)$/i.exec(request.headers.get("authorization")?.trim() ?? "");
    if (!m) return false;
    const presented = m[1]!.trim();
    const admin = this.services.config.adminToken;
    return sameSecret(presented, this.internalToken) || (!!admin && sameSecret(presented, admin));
  }

  /** Authenticated by a session or an admin token. */
  isAuthenticated(request: Request): boolean {
    return this.hasAdminToken(request) || this.sessionOf(request) !== null;
  }
}

const states = new WeakMap<Services, AuthState>();

/** One AuthState per Services (a process has one; each test gateway has its own). */
export function authOf(services: Services): AuthState {
  let state = states.get(services);
  if (!state) {
    state = new AuthState(services);
    states.set(services, state);
  }
  return state;
}
