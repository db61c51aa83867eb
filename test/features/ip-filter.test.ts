// The IP filter: address and CIDR matching (IPv4, IPv6, IPv4-mapped), the client address behind
// trusted proxies, and a real listening gateway refusing and admitting by the TCP peer and by
// X-Forwarded-For — the latter only when the peer is a trusted proxy.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { clientAddress, inCidr, invalidEntries, parseCidr, parseIp } from "../../src/features/ip-filter.ts";
import { startFakeOpenAi, type FakeOpenAi } from "../support/fake-openai.ts";
import { startGateway, type TestGateway } from "../support/gateway.ts";
import { addConnection } from "../support/setup.ts";

describe("matching", () => {
  const inside = (ip: string, cidr: string) => inCidr(parseIp(ip)!, parseCidr(cidr)!);

  test("IPv4 and IPv6 ranges, single addresses, mapped addresses", () => {
    expect(inside("10.1.2.3", "10.0.0.0/8")).toBe(true);
    expect(inside("11.1.2.3", "10.0.0.0/8")).toBe(false);
    expect(inside("192.168.1.77", "192.168.1.64/26")).toBe(true);
    expect(inside("192.168.1.128", "192.168.1.64/26")).toBe(false);
    expect(inside("8.8.8.8", "0.0.0.0/0")).toBe(true);
    expect(inside("127.0.0.1", "127.0.0.1")).toBe(true);
    expect(inside("::ffff:127.0.0.1", "127.0.0.0/8")).toBe(true);
    expect(inside("127.0.0.1", "::ffff:127.0.0.0/104")).toBe(true);
    expect(inside("2001:db8::1", "2001:db8::/32")).toBe(true);
    expect(inside("2001:db9::1", "2001:db8::/32")).toBe(false);
    expect(inside("::1", "::1/128")).toBe(true);
    expect(inside("fe80::1%eth0", "fe80::/10")).toBe(true);
    expect(inside("10.0.0.1", "::/0")).toBe(false);
  });

  test("what is not an address or a range", () => {
    expect(invalidEntries(["10.0.0.0/8", "::1", "2001:db8::/32", "1.2.3.4"])).toEqual([]);
    expect(invalidEntries(["10.0.0.0/33", "256.1.1.1", "1.2.3", "host.example", "1::2::3", "10.0.0.0/x"])).toHaveLength(6);
  });

  test("the client behind trusted proxies is the rightmost untrusted hop", () => {
    const trusted = ["127.0.0.1", "10.0.0.0/8"].map((c) => parseCidr(c)!);
    expect(clientAddress("127.0.0.1", "203.0.113.9", trusted)).toBe("203.0.113.9");
    expect(clientAddress("127.0.0.1", "198.51.100.1, 203.0.113.9, 10.0.0.5", trusted)).toBe("203.0.113.9");
    expect(clientAddress("192.0.2.1", "203.0.113.9", trusted)).toBe("192.0.2.1");
    expect(clientAddress("127.0.0.1", null, trusted)).toBe("127.0.0.1");
    expect(clientAddress("127.0.0.1", "10.0.0.1, 10.0.0.2", trusted)).toBe("10.0.0.1");
    expect(clientAddress("127.0.0.1", "garbage", trusted)).toBeNull();
    expect(clientAddress("127.0.0.1", "203.0.113.9", [])).toBe("127.0.0.1");
  });
});

describe("a listening gateway", () => {
  let gw: TestGateway;
  let fake: FakeOpenAi;
  let base: string;

  /** Configured in process (no peer, so never filtered itself). */
  const configure = async (cfg: Record<string, unknown>) => {
    const res = await gw.request("/api/settings/ip-filter", { method: "PUT", json: cfg });
    expect(res.status).toBe(200);
    return res.json();
  };
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { headers, redirect: "manual" });
  const chat = (headers: Record<string, string> = {}) =>
    fetch(`${base}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "hi" }] }),
    });

  beforeAll(async () => {
    fake = startFakeOpenAi();
    gw = await startGateway();
    await addConnection(gw, { provider: "openai", baseUrl: fake.baseUrl });
    base = await gw.listen();
  });
  afterAll(async () => {
    await gw.close();
    fake.close();
  });
  beforeEach(() => configure({ enabled: false, allowlist: [], blocklist: [], trustedProxies: [] }));

  test("GET shows the configuration; invalid entries are a 400 naming them", async () => {
    expect(await (await gw.request("/api/settings/ip-filter")).json()).toEqual({ enabled: false, allowlist: [], blocklist: [], trustedProxies: [] });
    const res = await gw.request("/api/settings/ip-filter", { method: "PUT", json: { blocklist: ["10.0.0.0/8", "nope"] } });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain("nope");
    // OmniRoute's names for the lists are accepted.
    expect(await configure({ whitelist: ["10.0.0.0/8"], blacklist: ["10.9.9.9"] })).toMatchObject({ allowlist: ["10.0.0.0/8"], blocklist: ["10.9.9.9"] });
  });

  test("a blocked peer is refused everywhere: gateway (hot and framework routes), dashboard, control plane", async () => {
    expect((await chat()).status).toBe(200);
    await configure({ enabled: true, blocklist: ["127.0.0.0/8"] });
    const hot = await chat();
    expect(hot.status).toBe(403);
    expect((await hot.json()).error).toMatchObject({ type: "permission_error", code: "ip_forbidden" });
    expect(fake.requests.length).toBe(1);
    expect((await get("/v1/models")).status).toBe(403);
    expect((await get("/dashboard")).status).toBe(403);
    const api = await get("/api/settings");
    expect(api.status).toBe(403);
    expect(typeof (await api.json()).error).toBe("string");
  });

  test("an allow-list admits only what it names; the block-list wins inside it", async () => {
    await configure({ enabled: true, allowlist: ["10.0.0.0/8"] });
    expect((await get("/v1/models")).status).toBe(403);
    await configure({ allowlist: ["10.0.0.0/8", "127.0.0.1/32"] });
    expect((await get("/v1/models")).status).toBe(200);
    await configure({ allowlist: ["127.0.0.0/8"], blocklist: ["127.0.0.1"] });
    expect((await get("/v1/models")).status).toBe(403);
  });

  test("X-Forwarded-For counts only from a trusted proxy", async () => {
    await configure({ enabled: true, blocklist: ["203.0.113.0/24"] });
    // The peer is not a trusted proxy: the header is the client's word, ignored.
    expect((await get("/v1/models", { "x-forwarded-for": "203.0.113.9" })).status).toBe(200);

    await configure({ trustedProxies: ["127.0.0.1"] });
    expect((await get("/v1/models", { "x-forwarded-for": "203.0.113.9" })).status).toBe(403);
    expect((await chat({ "x-forwarded-for": "203.0.113.9" })).status).toBe(403);
    expect((await get("/v1/models", { "x-forwarded-for": "198.51.100.1" })).status).toBe(200);
    // A client cannot hide behind an address it writes itself: the proxy appended the real one.
    expect((await get("/v1/models", { "x-forwarded-for": "198.51.100.1, 203.0.113.9" })).status).toBe(403);
    expect((await get("/v1/models", { "x-forwarded-for": "203.0.113.9, 198.51.100.1" })).status).toBe(200);

    await configure({ blocklist: [], allowlist: ["198.51.100.0/24"] });
    expect((await get("/v1/models", { "x-forwarded-for": "198.51.100.7" })).status).toBe(200);
    expect((await get("/v1/models")).status).toBe(403);
  });

  test("behind a trusted proxy, usage rows and the audit log name the client it forwarded for", async () => {
    const lastLog = async () => (await (await gw.request("/api/usage/request-logs?limit=1")).json()).logs[0];
    const lastAudit = async () => (await (await gw.request("/api/compliance/audit-log?limit=1")).json()).entries[0];
    const touch = (headers: Record<string, string>) =>
      fetch(`${base}/api/settings`, { method: "PUT", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ streamKeepAliveSeconds: 15 }) });

    // Not trusted: the header is the client's own claim, the peer is recorded.
    expect((await chat({ "x-forwarded-for": "203.0.113.9" })).status).toBe(200);
    expect((await lastLog()).clientIp).toBe("127.0.0.1");
    expect((await touch({ "x-forwarded-for": "203.0.113.9" })).status).toBe(200);
    expect((await lastAudit()).ip).toBe("127.0.0.1");

    // Trusted (the filter itself may stay off): the forwarded client is recorded.
    await configure({ trustedProxies: ["127.0.0.1"] });
    expect((await chat({ "x-forwarded-for": "198.51.100.1, 203.0.113.9" })).status).toBe(200);
    expect((await lastLog()).clientIp).toBe("203.0.113.9");
    expect((await touch({ "x-forwarded-for": "203.0.113.10" })).status).toBe(200);
    const audit = await lastAudit();
    expect(audit.ip).toBe("203.0.113.10");
    expect(audit.path).toBe("/api/settings");
    // No header: the peer, as before.
    expect((await chat()).status).toBe(200);
    expect((await lastLog()).clientIp).toBe("127.0.0.1");
  });

  test("a change that would refuse the address making it is refused, unless forced", async () => {
    const put = (body: unknown) => fetch(`${base}/api/settings/ip-filter`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const refused = await put({ enabled: true, allowlist: ["10.0.0.0/8"] });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(await refused.json())).toContain("127.0.0.1");
    expect((await get("/v1/models")).status).toBe(200);
    expect((await put({ enabled: true, allowlist: ["127.0.0.1", "10.0.0.0/8"] })).status).toBe(200);
    expect((await put({ allowlist: ["10.0.0.0/8"], force: true })).status).toBe(200);
    expect((await get("/v1/models")).status).toBe(403);
  });
});
