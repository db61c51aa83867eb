// Failed dashboard logins are counted per client IP: after MAX_FAILURES inside WINDOW_MS that
// IP gets 429 until the window has passed. A success clears its count. In memory on purpose:
// a restart forgets the counts, which costs an attacker a restart they cannot trigger.
import { clientOf, peerOf } from "../../server.ts";

export const MAX_FAILURES = 5;
export const WINDOW_MS = 15 * 60 * 1000;
/** Bound on tracked IPs, so a spray from many addresses cannot grow the map without limit. */
const MAX_TRACKED = 10_000;

export class LoginLimiter {
  private failures = new Map<string, { count: number; since: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Seconds to wait before this IP may try again, or 0 when it may try now. */
  retryAfter(ip: string): number {
    const entry = this.failures.get(ip);
    if (!entry) return 0;
    const left = entry.since + WINDOW_MS - this.now();
    if (left <= 0) {
      this.failures.delete(ip);
      return 0;
    }
    return entry.count >= MAX_FAILURES ? Math.ceil(left / 1000) : 0;
  }

  fail(ip: string): void {
    const now = this.now();
    const entry = this.failures.get(ip);
    if (entry && entry.since + WINDOW_MS > now) entry.count++;
    else this.failures.set(ip, { count: 1, since: now });
    if (this.failures.size > MAX_TRACKED) this.prune(now);
  }

  succeed(ip: string): void {
    this.failures.delete(ip);
  }

  private prune(now: number): void {
    for (const [ip, e] of this.failures) if (e.since + WINDOW_MS <= now) this.failures.delete(ip);
    // Still full of live entries: drop the oldest (Map keeps insertion order).
    while (this.failures.size > MAX_TRACKED) this.failures.delete(this.failures.keys().next().value!);
  }
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

/**
 * The client's IP. Behind the IP filter's trusted proxies, the client they forwarded for
 * (src/server.ts clientOf). Otherwise X-Forwarded-For is believed only from a loopback peer
 * (a reverse proxy on the same host), and then only its last entry, the one that proxy
 * appended: anything before it is whatever the client chose to send.
 */
export function clientIp(request: Request): string {
  const peer = peerOf(request);
  const forwardedFor = clientOf(request);
  if (forwardedFor !== undefined && forwardedFor !== peer) return forwardedFor;
  const forwarded = request.headers.get("x-forwarded-for");
  if (peer && forwarded && LOOPBACK.has(peer)) {
    const last = forwarded.split(",").pop()?.trim();
    if (last) return last;
  }
  // In-process calls (tests, the dashboard's own API calls) have no peer.
  return peer ?? "local";
}
