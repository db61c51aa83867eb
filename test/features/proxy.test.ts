// The upstream proxy against a tiny HTTP proxy written here (absolute-form forwarding for
// http:// targets, CONNECT tunnels for https://, optional Basic proxy auth): the test endpoint,
// gateway calls going through it globally or per provider, "direct" bypass, secrets kept.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import net from "node:net";
import { startFakeOpenAi, type FakeOpenAi } from "../support/fake-openai.ts";
import { startGateway, type TestGateway } from "../support/gateway.ts";
import { addConnection } from "../support/setup.ts";

interface ProxyLogEntry {
  method: string;
  target: string;
  auth: string | null;
}

function startProxy(credentials?: { user: string; pass: string }) {
  const log: ProxyLogEntry[] = [];
  const expected = credentials ? `Basic ${btoa(`${credentials.user}:${credentials.pass}`)}` : null;
  const server = net.createServer((client) => {
    let buf = Buffer.alloc(0);
    client.on("error", () => {});
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf("\r\n\r\n");
      if (end < 0) return;
      client.off("data", onData);
      const [line, ...headerLines] = buf.subarray(0, end).toString("latin1").split("\r\n");
      const rest = buf.subarray(end + 4);
      const [method = "", target = ""] = line!.split(" ");
      const authLine = headerLines.find((h) => /^proxy-authorization:/i.test(h));
      const auth = authLine ? authLine.slice(authLine.indexOf(":") + 1).trim() : null;
      log.push({ method, target, auth });
      if (expected && auth !== expected) {
        client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
        return;
      }
      if (method === "CONNECT") {
        const [host, port] = target.split(":");
        const up = net.connect(Number(port), host!, () => {
          client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
          if (rest.length) up.write(rest);
          up.pipe(client);
          client.pipe(up);
        });
        up.on("error", () => client.destroy());
        return;
      }
      // Absolute-form request: forward it in origin form, one request per connection.
      const u = new URL(target);
      const headers = headerLines.filter((h) => !/^(proxy-authorization|proxy-connection|connection|keep-alive):/i.test(h));
      const up = net.connect(Number(u.port || 80), u.hostname, () => {
        up.write(`${method} ${u.pathname}${u.search} HTTP/1.1\r\n${headers.join("\r\n")}\r\nConnection: close\r\n\r\n`);
        if (rest.length) up.write(rest);
        client.pipe(up);
        // Tell the client this connection ends with the answer, so it never reuses a closed socket.
        up.once("data", (first: Buffer) => {
          const text = first.toString("latin1");
          const eol = text.indexOf("\r\n");
          const head = text.slice(eol + 2).replace(/^connection:.*\r\n/im, "");
          client.write(Buffer.from(`${text.slice(0, eol + 2)}Connection: close\r\n${head}`, "latin1"));
          up.pipe(client);
        });
      });
      up.on("error", () => client.destroy());
    };
    client.on("data", onData);
  });
  return new Promise<{ url: string; port: number; log: ProxyLogEntry[]; close(): void }>((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port;
      resolve({ url: `http://127.0.0.1:${port}`, port, log, close: () => server.close() });
    });
  });
}

/** Stands in for api.ipify.org. */
const ipEcho = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => Response.json({ ip: "203.0.113.77" }) });
const ipEchoUrl = `http://127.0.0.1:${ipEcho.port}/?format=json`;

let gw: TestGateway;
let fake: FakeOpenAi;
let open: Awaited<ReturnType<typeof startProxy>>;
let locked: Awaited<ReturnType<typeof startProxy>>;

const put = (body: unknown) => gw.request("/api/settings/proxy", { method: "PUT", json: body });
const testProxy = async (body: unknown) => {
  const res = await gw.request("/api/settings/proxy/test", { method: "POST", json: body });
  return { status: res.status, body: (await res.json()) as any };
};
const chat = async () => {
  const res = await gw.request("/v1/chat/completions", { method: "POST", json: { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "via proxy" }] } });
  expect(res.status).toBe(200);
  return res.json();
};
const upstreamCalls = (p: { log: ProxyLogEntry[] }) => p.log.filter((e) => e.target.startsWith(fake.baseUrl)).length;

beforeAll(async () => {
  open = await startProxy();
  locked = await startProxy({ user: "alice", pass: "s3cr:et" });
  fake = startFakeOpenAi();
  gw = await startGateway();
  await addConnection(gw, { provider: "openai", baseUrl: fake.baseUrl });
});
afterAll(async () => {
  await gw.close();
  fake.close();
  open.close();
  locked.close();
  ipEcho.stop(true);
});
beforeEach(async () => {
  await gw.request("/api/settings/proxy", { method: "DELETE" });
});

describe("POST /api/settings/proxy/test", () => {
  test("through an open proxy: success, the public IP the target saw, the request went through the proxy", async () => {
    const before = open.log.length;
    const { status, body } = await testProxy({ proxy: open.url, testUrl: ipEchoUrl });
    expect(status).toBe(200);
    expect(body).toMatchObject({ success: true, status: 200, publicIp: "203.0.113.77", proxyUrl: open.url, testUrl: ipEchoUrl });
    expect(body.latencyMs).toBeGreaterThanOrEqual(0);
    expect(open.log.slice(before)).toEqual([{ method: "GET", target: ipEchoUrl.replace("/?", "/?"), auth: null }]);
  });

  test("proxy credentials: refused without, accepted with (as Proxy-Authorization), never echoed", async () => {
    const without = await testProxy({ proxy: { host: "127.0.0.1", port: locked.port }, testUrl: ipEchoUrl });
    expect(without.body).toMatchObject({ success: false, status: 407 });
    const withCreds = await testProxy({ proxy: { type: "http", host: "127.0.0.1", port: locked.port, username: "alice", password: "s3cr:et" }, testUrl: ipEchoUrl });
    expect(withCreds.body).toMatchObject({ success: true, publicIp: "203.0.113.77" });
    expect(withCreds.body.proxyUrl).toBe(`http://alice:****@127.0.0.1:${locked.port}`);
    expect(locked.log.at(-1)!.auth).toBe(`Basic ${btoa("alice:s3cr:et")}`);
  });

  test("an https target is tunnelled with CONNECT", async () => {
    const before = open.log.length;
    // A plain-HTTP port behind https://: the tunnel opens, the TLS handshake then fails.
    const { body } = await testProxy({ proxy: open.url, testUrl: `https://127.0.0.1:${ipEcho.port}/` });
    expect(body.success).toBe(false);
    expect(open.log.slice(before)[0]).toMatchObject({ method: "CONNECT", target: `127.0.0.1:${ipEcho.port}` });
  });

  test("an unreachable proxy, no proxy at all, and bad input", async () => {
    const dead = await testProxy({ proxy: "http://127.0.0.1:9", testUrl: ipEchoUrl });
    expect(dead.body.success).toBe(false);
    expect(dead.body.error).toBeTruthy();
    expect((await testProxy({ testUrl: ipEchoUrl })).status).toBe(400);
    expect((await testProxy({ proxy: "socks5://127.0.0.1:1080" })).status).toBe(400);
    expect((await testProxy({ proxy: open.url, testUrl: "ftp://x" })).status).toBe(400);
  });
});

describe("upstream calls through the proxy", () => {
  test("a global proxy carries gateway calls; GET shows it without the password; the test uses it by default", async () => {
    const res = await put({ global: `http://alice:${encodeURIComponent("s3cr:et")}@127.0.0.1:${locked.port}` });
    expect(res.status).toBe(200);
    const shown = await res.json();
    expect(shown).toEqual({
      global: { type: "http", host: "127.0.0.1", port: locked.port, username: "alice", hasPassword: true, url: `http://alice:****@127.0.0.1:${locked.port}` },
      providers: {},
    });
    expect(JSON.stringify(await (await gw.request("/api/settings/proxy")).json())).not.toContain("s3cr");
    // Stored encrypted, not in clear, in the settings table.
    const row = gw.services.db.$client.query("SELECT value FROM settings WHERE key = 'upstreamProxy'").get() as { value: string };
    expect(row.value).not.toContain("s3cr");

    const before = upstreamCalls(locked);
    expect((await chat()).choices[0].message.content).toBe("Hello from fake: via proxy");
    expect(upstreamCalls(locked) - before).toBe(1);
    expect((await testProxy({ testUrl: ipEchoUrl })).body.success).toBe(true);
  });

  test("leaving the password out of an unchanged proxy keeps it", async () => {
    await put({ global: { host: "127.0.0.1", port: locked.port, username: "alice", password: "s3cr:et" } });
    await put({ global: { host: "127.0.0.1", port: locked.port, username: "alice" } });
    const before = upstreamCalls(locked);
    await chat();
    expect(upstreamCalls(locked) - before).toBe(1);
  });

  test("per provider: its own proxy, or direct past the global one; null falls back to the global one", async () => {
    await put({ global: open.url, providers: { openai: { host: "127.0.0.1", port: locked.port, username: "alice", password: "s3cr:et" } } });
    let o = upstreamCalls(open);
    let l = upstreamCalls(locked);
    await chat();
    expect([upstreamCalls(open) - o, upstreamCalls(locked) - l]).toEqual([0, 1]);

    const shown = await (await put({ providers: { openai: "direct" } })).json();
    expect(shown.providers).toEqual({ openai: "direct" });
    o = upstreamCalls(open);
    const served = fake.requests.length;
    await chat();
    expect(upstreamCalls(open) - o).toBe(0);
    expect(fake.requests.length - served).toBe(1);

    await put({ providers: { openai: null } });
    o = upstreamCalls(open);
    await chat();
    expect(upstreamCalls(open) - o).toBe(1);

    const del = await (await gw.request("/api/settings/proxy", { method: "DELETE" })).json();
    expect(del).toEqual({ global: null, providers: {} });
  });

  test("connection tests go the way requests go", async () => {
    await put({ global: open.url });
    const id = (await (await gw.request("/api/providers")).json()).connections[0].id;
    const before = open.log.length;
    const res = await gw.request(`/api/providers/${id}/test`, { method: "POST" });
    expect((await res.json()).valid).toBe(true);
    expect(open.log.slice(before).map((e) => e.target)).toEqual([`${fake.baseUrl}/models`]);
  });

  test("validation: unknown provider, bad URL, bad port", async () => {
    expect((await put({ providers: { "no-such-provider": open.url } })).status).toBe(400);
    expect((await put({ global: "not a url" })).status).toBe(400);
    expect((await put({ global: { host: "127.0.0.1", port: 70000 } })).status).toBe(400);
    expect((await put({})).status).toBe(400);
  });
});
