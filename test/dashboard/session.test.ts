// The pieces under the login: signed session tokens, the failure counter, the client IP.
import { describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { clientIp, LoginLimiter, MAX_FAILURES, WINDOW_MS } from "../../src/dashboard/auth/login-limiter.ts";
import { readCookie, sessionKey, signSession, verifySession } from "../../src/dashboard/auth/session.ts";

describe("session tokens", () => {
  const master = randomBytes(32);
  const key = sessionKey(master, "$argon2id$hash-one");

  test("a token verifies with its key until it expires", () => {
    const { token, claims } = signSession(key, 1_000, 60_000);
    expect(verifySession(key, token, 2_000)).toEqual(claims);
    expect(verifySession(key, token, 61_000)).toBeNull();
  });

  test("another password (or another data dir) means another key", () => {
    const { token } = signSession(key);
    expect(verifySession(sessionKey(master, "$argon2id$hash-two"), token)).toBeNull();
    expect(verifySession(sessionKey(randomBytes(32), "$argon2id$hash-one"), token)).toBeNull();
  });

  test("tampering with the payload or the signature, or garbage, is refused without throwing", () => {
    const { token } = signSession(key);
    const [payload, mac] = token.split(".") as [string, string];
    const forged = Buffer.from(JSON.stringify({ sid: "x", iat: 0, exp: Date.now() + 1e9 })).toString("base64url");
    for (const bad of [`${forged}.${mac}`, `${payload}.${mac.slice(1)}`, `${payload}`, "", ".", "a.b", "x".repeat(600), null, undefined]) {
      expect(verifySession(key, bad as string)).toBeNull();
    }
  });

  test("readCookie finds one cookie among several", () => {
    const req = new Request("http://localhost/", { headers: { cookie: "a=1; auth_token=abc.def ; b=2" } });
    expect(readCookie(req, "auth_token")).toBe("abc.def");
    expect(readCookie(req, "missing")).toBeNull();
    const malformed = new Request("http://localhost/", { headers: { cookie: "auth_token=%E0%A4%A" } });
    expect(readCookie(malformed, "auth_token")).toBeNull();
  });
});

describe("LoginLimiter", () => {
  test(`locks an IP after ${MAX_FAILURES} failures for the rest of the window; success clears`, () => {
    let now = 0;
    const limiter = new LoginLimiter(() => now);
    for (let i = 0; i < MAX_FAILURES - 1; i++) limiter.fail("a");
    expect(limiter.retryAfter("a")).toBe(0);
    limiter.fail("a");
    expect(limiter.retryAfter("a")).toBe(WINDOW_MS / 1000);
    expect(limiter.retryAfter("b")).toBe(0);
    now = WINDOW_MS - 1000;
    expect(limiter.retryAfter("a")).toBe(1);
    now = WINDOW_MS;
    expect(limiter.retryAfter("a")).toBe(0);
    limiter.fail("c");
    limiter.succeed("c");
    for (let i = 0; i < MAX_FAILURES - 1; i++) limiter.fail("c");
    expect(limiter.retryAfter("c")).toBe(0);
  });

  test("in-process requests have no peer: X-Forwarded-For is not believed", () => {
    const req = new Request("http://localhost/", { headers: { "x-forwarded-for": "9.9.9.9" } });
    expect(clientIp(req)).toBe("local");
  });
});
