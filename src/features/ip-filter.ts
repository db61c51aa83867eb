// The IP filter (PUT /api/settings/ip-filter): an allow-list and a block-list of addresses and
// CIDR ranges (IPv4 and IPv6), checked for every request the server receives — the gateway
// (/v1/*, /v1beta/*, the Ollama paths), the dashboard and its /api/* — before any routing.
// The block-list wins; a non-empty allow-list admits only what it names.
//
// The address checked is the TCP peer, except when that peer is a trusted proxy: then
// X-Forwarded-For is read from the right (each proxy appends the address it saw), skipping
// trusted proxies, and the first address that is not one is the client. A client cannot forge
// its way in: entries it wrote itself sit left of what the trusted proxy appended.
import type { IpFilterConfig } from "./config.ts";

interface Ip {
  v6: boolean;
  n: bigint;
}

export interface Cidr extends Ip {
  bits: number;
}

function parseV4(s: string): bigint | null {
  const parts = s.split(".");
  if (parts.length !== 4) return null;
  let n = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return null;
    const v = Number(p);
    if (v > 255) return null;
    n = (n << 8n) | BigInt(v);
  }
  return n;
}

function parseV6(s: string): bigint | null {
  let text = s;
  // An embedded IPv4 tail (::ffff:10.0.0.1) becomes two groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = parseV4(v4[1]!);
    if (n === null) return null;
    text = `${text.slice(0, -v4[1]!.length)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  let n = 0n;
  for (const g of groups) {
    if (!/^[0-9a-f]{1,4}$/i.test(g)) return null;
    n = (n << 16n) | BigInt(parseInt(g, 16));
  }
  return n;
}

const MAPPED_PREFIX = 0xffffn << 32n;

/** An address; IPv4-mapped IPv6 (::ffff:a.b.c.d, as dual-stack sockets report peers) counts as IPv4. */
export function parseIp(text: string): Ip | null {
  let s = text.trim();
  if (s.startsWith("[") && s.endsWith("]")) s = s.slice(1, -1);
  const zone = s.indexOf("%");
  if (zone >= 0) s = s.slice(0, zone);
  if (!s.includes(":")) {
    const n = parseV4(s);
    return n === null ? null : { v6: false, n };
  }
  const n = parseV6(s);
  if (n === null) return null;
  if (n >> 32n === 0xffffn && (n & ~0xffffffffn) === MAPPED_PREFIX) return { v6: false, n: n & 0xffffffffn };
  return { v6: true, n };
}

/** "10.0.0.0/8", "2001:db8::/32" or a single address (a /32 or /128). */
export function parseCidr(text: string): Cidr | null {
  const slash = text.indexOf("/");
  const ip = parseIp(slash >= 0 ? text.slice(0, slash) : text);
  if (!ip) return null;
  const max = ip.v6 ? 128 : 32;
  if (slash < 0) return { ...ip, bits: max };
  const bitsText = text.slice(slash + 1).trim();
  if (!/^\d{1,3}$/.test(bitsText)) return null;
  let bits = Number(bitsText);
  // "::ffff:10.0.0.0/104" names IPv4 space: its bits count from the IPv6 address.
  if (!ip.v6 && text.includes(":")) bits -= 96;
  if (bits < 0 || bits > max) return null;
  return { ...ip, bits };
}

export function inCidr(ip: Ip, c: Cidr): boolean {
  if (ip.v6 !== c.v6) return false;
  const shift = BigInt((c.v6 ? 128 : 32) - c.bits);
  return ip.n >> shift === c.n >> shift;
}

const inAny = (ip: Ip, list: readonly Cidr[]) => list.some((c) => inCidr(ip, c));

/** The entries of a list that are not an address or a CIDR range. */
export function invalidEntries(list: readonly string[]): string[] {
  return list.filter((e) => parseCidr(e) === null);
}

export interface CompiledFilter {
  enabled: boolean;
  allow: Cidr[];
  block: Cidr[];
  trusted: Cidr[];
}

const compiled = new WeakMap<IpFilterConfig, CompiledFilter>();

export function compileFilter(cfg: IpFilterConfig): CompiledFilter {
  let c = compiled.get(cfg);
  if (!c) {
    const list = (entries: string[]) => entries.map(parseCidr).filter((x): x is Cidr => x !== null);
    c = { enabled: cfg.enabled, allow: list(cfg.allowlist), block: list(cfg.blocklist), trusted: list(cfg.trustedProxies) };
    compiled.set(cfg, c);
  }
  return c;
}

/** The client's address: the peer, or what a trusted proxy in front of it says. Null when unreadable. */
export function clientAddress(peer: string, forwardedFor: string | null, trusted: readonly Cidr[]): string | null {
  const peerIp = parseIp(peer);
  if (!peerIp) return null;
  if (!forwardedFor || trusted.length === 0 || !inAny(peerIp, trusted)) return peer;
  const hops = forwardedFor.split(",").map((h) => h.trim()).filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    const ip = parseIp(hops[i]!);
    if (!ip) return null;
    if (!inAny(ip, trusted)) return hops[i]!;
  }
  return hops[0] ?? peer;
}

export type Verdict = { allowed: true } | { allowed: false; address: string | null; reason: string };

export function checkAddress(filter: CompiledFilter, address: string | null): Verdict {
  const ip = address === null ? null : parseIp(address);
  if (ip && inAny(ip, filter.block)) return { allowed: false, address, reason: "blocked" };
  if (filter.allow.length > 0 && !(ip && inAny(ip, filter.allow))) return { allowed: false, address, reason: "not in the allow-list" };
  return { allowed: true };
}

/** Control-plane and dashboard paths answer in their own error shape; the gateway in OpenAI's. */
function refusal(path: string, message: string): Response {
  const gateway = !(path.startsWith("/api/") || path === "/dashboard" || path.startsWith("/dashboard/")) || /^\/api\/(chat|tags|version)$/.test(path);
  const body = gateway ? { error: { message, type: "permission_error", code: "ip_forbidden" } } : { error: message };
  return Response.json(body, { status: 403 });
}

/**
 * The filter's answer for a request that reached the server from `peer`: null to let it
 * through, else a 403. Requests without a peer (in-process app.handle) are not filtered.
 */
export function ipGate(cfg: IpFilterConfig, request: Request, peer: string | undefined): Response | null {
  if (!cfg.enabled || peer === undefined) return null;
  const filter = compileFilter(cfg);
  const address = clientAddress(peer, request.headers.get("x-forwarded-for"), filter.trusted);
  const verdict = checkAddress(filter, address);
  if (verdict.allowed) return null;
  return refusal(new URL(request.url).pathname, `Access denied for ${address ?? "an unreadable forwarded address"}: ${verdict.reason} (IP filter).`);
}
