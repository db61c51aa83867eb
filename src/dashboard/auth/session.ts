// Dashboard sessions are stateless signed tokens: `<payload>.<HMAC-SHA256>` in the auth_token
// cookie. Nothing is stored per session, so a restart or an upgrade of the binary keeps people
// logged in, and a second instance on the same data dir (same secret key) accepts the same
// cookies. The signing key is derived from the data dir's secret key *and* the current
// password hash, so changing the password logs every other session out at once. Logout of a
// single session is an in-memory deny-list entry kept until that token would expire anyway.
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export const SESSION_COOKIE = "auth_token";
/** A week: long enough not to nag an operator, short enough that a leaked cookie dies on its own. */
export const SESSION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export interface SessionClaims {
  /** Random id, so one session can be revoked without touching the others. */
  sid: string;
  iat: number;
  exp: number;
}

const b64url = (buf: Buffer) => buf.toString("base64url");

/** The key that signs sessions for one password: rotating the password rotates the key. */
export function sessionKey(master: Buffer, passwordHash: string | null): Buffer {
  return createHmac("sha256", master).update(`omniroute/dashboard-session/v1\n${passwordHash ?? ""}`).digest();
}

export function signSession(key: Buffer, now = Date.now(), ttlMs = SESSION_TTL_MS): { token: string; claims: SessionClaims } {
  const claims: SessionClaims = { sid: b64url(randomBytes(16)), iat: now, exp: now + ttlMs };
  const payload = b64url(Buffer.from(JSON.stringify(claims)));
  const mac = b64url(createHmac("sha256", key).update(payload).digest());
  return { token: `${payload}.${mac}`, claims };
}

/** The claims of a well-signed, unexpired token; null for anything else (never throws). */
export function verifySession(key: Buffer, token: string | undefined | null, now = Date.now()): SessionClaims | null {
  if (!token || token.length > 512) return null;
  const dot = token.indexOf(".");
  if (dot <= 0) return null;
  const payload = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), "base64url");
  const expected = createHmac("sha256", key).update(payload).digest();
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as SessionClaims;
    if (typeof claims.sid !== "string" || typeof claims.exp !== "number" || claims.exp <= now) return null;
    return claims;
  } catch {
    return null;
  }
}

/** Compares two secrets in constant time whatever their lengths (both are hashed first). */
export function sameSecret(a: string, b: string): boolean {
  const ha = createHash("sha256").update(a).digest();
  const hb = createHash("sha256").update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** The value of one cookie from a Cookie header. */
export function readCookie(request: Request, name: string): string | null {
  const header = request.headers.get("cookie");
  if (!header) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return null; // a malformed %-escape is no cookie of ours
    }
  }
  return null;
}

/** Whether the browser reached us over https, directly or through a TLS-terminating proxy. */
export function cameOverHttps(request: Request): boolean {
  const forwarded = request.headers.get("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase();
  return forwarded === "https" || new URL(request.url).protocol === "https:";
}

/**
 * HttpOnly (no script can read it), SameSite=Strict (no other site can make the browser send
 * it), Secure whenever the request came over https so it never leaks onto plain http.
 */
export function sessionCookie(request: Request, token: string, maxAgeMs = SESSION_TTL_MS): string {
  const parts = [`${SESSION_COOKIE}=${token}`, "Path=/", "HttpOnly", "SameSite=Strict", `Max-Age=${Math.floor(maxAgeMs / 1000)}`];
  if (cameOverHttps(request)) parts.push("Secure");
  return parts.join("; ");
}

export function clearedSessionCookie(request: Request): string {
  return sessionCookie(request, "", 0);
}
