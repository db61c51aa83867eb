// The serving process's lifecycle, from the outside: POST /api/restart re-executes in place
// (same PID, same options, the port back within a moment), SIGHUP re-reads the database,
// POST /api/shutdown drains and exits 0, and both endpoints are admin-only.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const MAIN = join(import.meta.dir, "../../src/main.ts");

async function freePort(): Promise<number> {
  const s = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const p = s.port!;
  s.stop(true);
  return p;
}

interface Proc {
  proc: ReturnType<typeof Bun.spawn>;
  base: string;
  dataDir: string;
  output: () => string;
}

async function waitHealthy(base: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const ok = await fetch(`${base}/api/monitoring/health`).then((r) => r.ok, () => false);
    if (ok) return;
    await Bun.sleep(25);
  }
  throw new Error(`${base} did not become healthy`);
}

async function start(extra: string[] = []): Promise<Proc> {
  const dataDir = mkdtempSync(join(tmpdir(), "omniroute-lifecycle-"));
  const port = await freePort();
  const proc = Bun.spawn([process.execPath, MAIN, "--port", String(port), "--host", "127.0.0.1", "--data-dir", dataDir, ...extra], {
    stdout: "pipe",
    stderr: "pipe",
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dataDir },
  });
  let out = "";
  const decoder = new TextDecoder();
  void (async () => {
    const reader = (proc.stdout as ReadableStream<Uint8Array>).getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) out += decoder.decode(r.value);
  })();
  const base = `http://127.0.0.1:${port}`;
  await waitHealthy(base);
  return { proc, base, dataDir, output: () => out };
}

const post = (url: string, headers: Record<string, string> = {}) => fetch(url, { method: "POST", headers });

describe("a served process", () => {
  let p: Proc;
  beforeAll(async () => {
    p = await start(["--admin-token", "tok-lifecycle"]);
  });
  afterAll(() => {
    p.proc.kill("SIGKILL");
    rmSync(p.dataDir, { recursive: true, force: true });
  });

  test("restart and shutdown refuse a request relayed by a proxy unless it carries the admin token", async () => {
    for (const path of ["/api/restart", "/api/shutdown"]) {
      const res = await post(`${p.base}${path}`, { "x-forwarded-for": "198.51.100.7" });
      expect(res.status).toBe(403);
      expect((await res.json()).error).toContain("Admin only");
    }
    expect(p.proc.exitCode).toBeNull();
  });

  test("SIGHUP re-reads the configuration from the database", async () => {
    // An operator edits the database by hand; the running gateway serves from memory until told.
    const db = new Database(join(p.dataDir, "omniroute.sqlite"));
    db.run(`INSERT INTO settings (key, value, updated_at) VALUES ('streamKeepAliveSeconds', '77', 0)
            ON CONFLICT (key) DO UPDATE SET value = '77'`);
    // Prices are held in memory as well.
    db.run(`INSERT INTO model_prices (provider, model, input, output, updated_at) VALUES ('openai', 'hand-priced', 1.25, 2.5, 0)`);
    db.close(true);
    const handPriced = async () => (await (await fetch(`${p.base}/api/pricing`)).json()).openai?.["hand-priced"];
    expect(await handPriced()).toBeUndefined();
    const keepAlive = async () => (await (await fetch(`${p.base}/api/settings`)).json()).streamKeepAliveSeconds;
    expect(await keepAlive()).toBe(15);
    p.proc.kill("SIGHUP");
    const deadline = Date.now() + 5_000;
    while (Date.now() < deadline && (await keepAlive()) !== 77) await Bun.sleep(50);
    expect(await keepAlive()).toBe(77);
    expect(await handPriced()).toMatchObject({ input: 1.25, output: 2.5 });
    expect(p.output()).toContain("configuration reloaded");
    expect(p.proc.exitCode).toBeNull();
  });

  test("POST /api/restart drains and re-executes in place: same PID, same options, serving again", async () => {
    const uptimeBefore = (await (await fetch(`${p.base}/api/monitoring/health`)).json()).uptime;
    await Bun.sleep(1_100);
    const res = await post(`${p.base}/api/restart`, { "x-forwarded-for": "198.51.100.7", authorization: "Bearer tok-lifecycle" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "restarting", mode: "re-exec" });
    // It goes away, then comes back on the same port with the same data.
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && (p.output().match(/ready:/g) ?? []).length < 2) await Bun.sleep(25);
    await waitHealthy(p.base);
    expect(p.output()).toContain("restarting");
    expect((p.output().match(/ready:/g) ?? []).length).toBe(2);
    expect(p.proc.exitCode).toBeNull(); // the same process: execve kept its PID
    const health = await (await fetch(`${p.base}/api/monitoring/health`)).json();
    expect(health.uptime).toBeLessThanOrEqual(uptimeBefore + 1);
    expect((await (await fetch(`${p.base}/api/settings`)).json()).streamKeepAliveSeconds).toBe(77);
  });

  test("POST /api/shutdown answers, drains and exits 0", async () => {
    const res = await post(`${p.base}/api/shutdown`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ success: true, message: "Shutting down..." });
    const code = await Promise.race([p.proc.exited, Bun.sleep(10_000).then(() => "timeout")]);
    expect(code).toBe(0);
    expect(p.output()).toContain("shutdown requested");
  });
});
