// The single binary, as a user gets it: built with package.json's own `build` command,
// copied alone into an empty folder, started on a fresh data dir. Nothing beside it, so
// migrations, htmx and the CSS must be embedded, and nothing may depend on the cwd.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { copyFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pkg from "../../package.json";
import journal from "../../drizzle/meta/_journal.json";
import { OPTIONS } from "../../src/config.ts";
import { expandAttempts } from "../../src/usage/attempts-column.ts";
import { startFakeOpenAi, type FakeOpenAi } from "../support/fake-openai.ts";

const ROOT = join(import.meta.dir, "..", "..");
const scratch = mkdtempSync(join(tmpdir(), "omniroute-binary-"));
const builtBinary = join(scratch, "build", "omniroute");

/**
 * package.json's `build` script with its output moved to the scratch folder, so the test
 * checks the very command users run (including the flags that stop the binary from
 * reading .env / bunfig.toml out of whatever folder it is started in).
 */
function buildCommand(): string[] {
  const words = pkg.scripts.build.trim().split(/\s+/);
  if (words[0] !== "bun" || words[1] !== "build") throw new Error(`unexpected build script: ${pkg.scripts.build}`);
  const out = words.indexOf("--outfile");
  if (out < 0) throw new Error("build script has no --outfile");
  words[out + 1] = builtBinary;
  return [process.execPath, ...words.slice(1)];
}

/**
 * The binary alone in a fresh folder (plus any `extra` files). The main server gets a real
 * copy; the short runs get a hard link, which behaves the same and spares ~110 MB each.
 */
function installBinary(extra: Record<string, string> = {}, copy = false): { dir: string; bin: string } {
  const dir = mkdtempSync(join(scratch, "run-"));
  const bin = join(dir, "omniroute");
  if (copy) copyFileSync(builtBinary, bin);
  else {
    try {
      linkSync(builtBinary, bin);
    } catch {
      copyFileSync(builtBinary, bin);
    }
  }
  for (const [name, content] of Object.entries(extra)) writeFileSync(join(dir, name), content);
  return { dir, bin };
}

/** Only what the binary needs: no PORT/DATA_DIR/… leaking in from the developer's shell. */
function cleanEnv(home: string): Record<string, string> {
  return { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

interface Run {
  proc: ReturnType<typeof Bun.spawn>;
  stdout: Promise<string>;
  stderr: Promise<string>;
}

function spawnBinary(bin: string, cwd: string, args: string[]): Run {
  const proc = Bun.spawn([bin, ...args], { cwd, env: cleanEnv(cwd), stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  return {
    proc,
    stdout: new Response(proc.stdout as ReadableStream).text(),
    stderr: new Response(proc.stderr as ReadableStream).text(),
  };
}

/** Runs the binary to completion (for --help, --version, bad flags). */
async function runToExit(args: string[], extra: Record<string, string> = {}) {
  const { dir, bin } = installBinary(extra);
  const run = spawnBinary(bin, dir, args);
  const code = await Promise.race([run.proc.exited, Bun.sleep(15_000).then(() => "timeout" as const)]);
  if (code === "timeout") run.proc.kill("SIGKILL");
  return { code, stdout: await run.stdout, stderr: await run.stderr };
}

interface Server extends Run {
  base: string;
  port: number;
  dataDir: string;
}

async function startServer(extra: Record<string, string> = {}, opts: { copy?: boolean } = {}): Promise<Server> {
  const { dir, bin } = installBinary(extra, opts.copy);
  const port = await freePort();
  const dataDir = join(dir, "data");
  // A long flush interval: the usage rows checked after exit can only come from the
  // shutdown flush.
  const run = spawnBinary(bin, dir, ["--data-dir", dataDir, "--port", String(port), "--host", "127.0.0.1", "--usage-flush-ms", "60000"]);
  const base = `http://127.0.0.1:${port}`;
  let exited: number | null = null;
  void run.proc.exited.then((c) => (exited = c));
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (exited !== null) throw new Error(`binary exited with ${exited} before becoming healthy: ${await run.stderr}`);
    const res = await fetch(`${base}/api/monitoring/health`).catch(() => null);
    if (res?.status === 200) {
      return { ...run, base, port, dataDir };
    }
    await Bun.sleep(25);
  }
  run.proc.kill("SIGKILL");
  throw new Error(`binary did not become healthy within 15 s; stderr: ${await run.stderr}`);
}

async function stopServer(server: Server, signal: NodeJS.Signals = "SIGTERM"): Promise<number | "timeout"> {
  server.proc.kill(signal);
  const code = await Promise.race([server.proc.exited, Bun.sleep(5_000).then(() => "timeout" as const)]);
  if (code === "timeout") server.proc.kill("SIGKILL");
  return code;
}

beforeAll(async () => {
  mkdirSync(join(scratch, "build"), { recursive: true });
  const build = Bun.spawn(buildCommand(), { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  const [code, out, err] = await Promise.all([build.exited, new Response(build.stdout).text(), new Response(build.stderr).text()]);
  if (code !== 0 || !existsSync(builtBinary)) throw new Error(`build failed (exit ${code}):\n${out}\n${err}`);
}, 120_000);

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe("command line", () => {
  test("--version prints package.json's version", async () => {
    const { code, stdout } = await runToExit(["--version"]);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(pkg.version);
  });

  test("--help lists every option, flag and env var", async () => {
    const { code, stdout } = await runToExit(["--help"]);
    expect(code).toBe(0);
    for (const opt of OPTIONS) {
      expect(stdout).toContain(opt.flag);
      expect(stdout).toContain(opt.env);
    }
  });

  test("an unknown flag exits with code 2 and says so on stderr", async () => {
    const { code, stdout, stderr } = await runToExit(["--bogus-flag"]);
    expect(code).toBe(2);
    expect(stderr).toContain("unknown option --bogus-flag");
    expect(stdout).toBe("");
  });

  test("an invalid flag value exits with code 2 naming the flag", async () => {
    const { code, stderr } = await runToExit(["--port=http"]);
    expect(code).toBe(2);
    expect(stderr).toContain("--port");
  });
});

/**
 * An OpenAI-compatible upstream that takes `delayMs` before it answers at all (no headers),
 * like a model that thinks before replying. `arrived` resolves when a request reaches it.
 */
function startSlowUpstream(delayMs: number) {
  let arrive!: () => void;
  const arrived = new Promise<void>((r) => (arrive = r));
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    idleTimeout: 0,
    async fetch(req) {
      const body = await req.json();
      arrive();
      await Bun.sleep(delayMs);
      return Response.json({
        id: "chatcmpl-slow",
        object: "chat.completion",
        created: Math.floor(Date.now() / 1000),
        model: body.model,
        choices: [{ index: 0, message: { role: "assistant", content: "slow but here" }, finish_reason: "stop" }],
        usage: { prompt_tokens: 3, completion_tokens: 3, total_tokens: 6 },
      });
    },
  });
  return { baseUrl: `http://127.0.0.1:${server.port}/v1`, arrived, close: () => server.stop(true) };
}

const postJson = (url: string, body: unknown) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

describe("a running binary", () => {
  let server: Server;
  let fake: FakeOpenAi;
  let slow: ReturnType<typeof startSlowUpstream>;

  beforeAll(async () => {
    fake = startFakeOpenAi();
    slow = startSlowUpstream(1_000);
    server = await startServer({}, { copy: true });
  }, 30_000);

  afterAll(async () => {
    fake?.close();
    slow?.close();
    if (server && server.proc.exitCode === null) server.proc.kill("SIGKILL");
  });

  test("answers health", async () => {
    const res = await fetch(`${server.base}/api/monitoring/health`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.status).toBe("healthy");
    expect(body.version).toBe(pkg.version);
  });

  test("serves the embedded htmx", async () => {
    const res = await fetch(`${server.base}/public/htmx.min.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("javascript");
    const js = await res.text();
    expect(js.length).toBeGreaterThan(10_000);
    expect(js).toContain("htmx");
  });

  test("serves the embedded stylesheet and the landing page", async () => {
    const css = await fetch(`${server.base}/public/app.css`);
    expect(css.status).toBe(200);
    expect((await css.text()).length).toBeGreaterThan(0);
    const home = await fetch(`${server.base}/`);
    expect(home.status).toBe(200);
    expect(home.headers.get("content-type")).toContain("text/html");
    expect(await home.text()).toContain("/public/htmx.min.js");
  });

  test("a second instance on the same port exits non-zero with a clear message", async () => {
    const { code, stderr } = await runToExit(["--data-dir", join(scratch, "second-data"), "--port", String(server.port), "--host", "127.0.0.1"]);
    expect(code).not.toBe(0);
    expect(code).not.toBe("timeout");
    expect(stderr).toContain(`cannot listen on 127.0.0.1:${server.port}`);
    expect(stderr).toContain("in use");
  });

  test("routes a chat completion to an OpenAI upstream", async () => {
    const add = await fetch(`${server.base}/api/providers`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ provider: "openai", apiKey: "sk-fake-upstream", name: "fake", providerSpecificData: { baseUrl: fake.baseUrl } }),
    });
    expect(add.status).toBe(201);

    const res = await fetch(`${server.base}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "hi there" }] }),
    });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.object).toBe("chat.completion");
    expect(body.choices[0].message.content).toBe("Hello from fake: hi there");
    expect(body.usage.total_tokens).toBeGreaterThan(0);
    // The upstream saw the model without its prefix and the connection's key.
    const seen = fake.requests.at(-1)!;
    expect(seen.body.model).toBe("gpt-4o-mini");
    expect(seen.headers.authorization).toBe("Bearer sk-fake-upstream");
  });

  test("streams a chat completion", async () => {
    const res = await fetch(`${server.base}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "openai/gpt-4o-mini", stream: true, messages: [{ role: "user", content: "stream me" }] }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const data = (await res.text())
      .split("\n")
      .filter((l) => l.startsWith("data: "))
      .map((l) => l.slice(6));
    expect(data.at(-1)).toBe("[DONE]");
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
    const text = chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("");
    expect(text).toBe("Hello from fake: stream me");
    expect(chunks.at(-1).choices[0].finish_reason).toBe("stop");
  });

  test("routes to a custom OpenAI-compatible node by its prefix", async () => {
    const node = await postJson(`${server.base}/api/provider-nodes`, { name: "Slow box", prefix: "slow", type: "openai-compatible", apiType: "chat", baseUrl: slow.baseUrl });
    expect(node.status).toBe(201);
    const conn = await postJson(`${server.base}/api/providers`, { provider: "slow", name: "slow-conn", apiKey: "sk-any" });
    expect(conn.status).toBe(201);
  });

  test("backs up and exports from inside the binary (the minified worker thread), into its data dir only", async () => {
    const made = await fetch(`${server.base}/api/db-backups`, { method: "PUT" });
    expect(made.status).toBe(200);
    const { filename, size } = await made.json();
    expect(statSync(join(server.dataDir, "db_backups", filename)).size).toBe(size);
    const exported = await fetch(`${server.base}/api/db-backups/export`);
    expect(exported.status).toBe(200);
    expect(Buffer.from(await exported.arrayBuffer()).subarray(0, 15).toString()).toBe("SQLite format 3");
    const archive = await fetch(`${server.base}/api/db-backups/exportAll`);
    expect(archive.status).toBe(200);
    const files = await new Bun.Archive(await archive.blob()).files();
    expect([...files.keys()].map((k) => k.split("/")[1]).sort()).toEqual(["SHA256SUMS", "manifest.json", "omniroute.sqlite", "settings.json"]);
    // Nothing but the data dir and the binary itself in the folder it runs from.
    expect(readdirSync(join(server.dataDir, "..")).sort()).toEqual(["data", "omniroute"]);
  });

  test("SIGTERM lets a request still waiting for its upstream finish, exits 0 and flushes usage", async () => {
    const inFlight = postJson(`${server.base}/v1/chat/completions`, { model: "slow/thinker", messages: [{ role: "user", content: "take your time" }] });
    await slow.arrived;
    const t0 = performance.now();
    const code = await stopServer(server);
    expect(code).toBe(0);
    expect(performance.now() - t0).toBeLessThan(4_000);
    expect(await server.stdout).toContain("SIGTERM");
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect((await res.json()).choices[0].message.content).toBe("slow but here");

    const dbFile = join(server.dataDir, "omniroute.sqlite");
    expect(existsSync(dbFile)).toBe(true);
    const db = new Database(dbFile, { readonly: true });
    try {
      const rows = db.query("SELECT status, stream, total_tokens FROM usage_records ORDER BY id").all() as {
        status: number;
        stream: number;
        total_tokens: number | null;
      }[];
      // The plain and streamed fake requests, then the slow one cut short by nothing.
      expect(rows.map((r) => [r.status, r.stream])).toEqual([
        [200, 0],
        [200, 1],
        [200, 0],
      ]);
      for (const r of rows) expect(r.total_tokens).toBeGreaterThan(0);
      // The request-log detail is in the same rows.
      const detail = db.query("SELECT method, attempts, provider, model, connection_id, status FROM usage_log ORDER BY id").all() as any[];
      expect(detail.map((r) => ({ method: r.method, tried: expandAttempts(r.attempts, r).length }))).toEqual([
        { method: "POST", tried: 1 },
        { method: "POST", tried: 1 },
        { method: "POST", tried: 1 },
      ]);
    } finally {
      db.close();
    }
  });

  test("migrated the empty data dir from the embedded migrations", () => {
    const db = new Database(join(server.dataDir, "omniroute.sqlite"), { readonly: true });
    try {
      const tables = (db.query("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name);
      for (const table of ["provider_connections", "provider_nodes", "provider_models", "api_keys", "model_aliases", "combos", "settings", "usage_records"]) {
        expect(tables).toContain(table);
      }
      const applied = db.query("SELECT count(*) AS n FROM __drizzle_migrations").get() as { n: number };
      expect(applied.n).toBe(journal.entries.length);
    } finally {
      db.close();
    }
    // The secret that encrypts provider credentials, readable by the owner only.
    expect(statSync(join(server.dataDir, "secret.key")).mode & 0o777).toBe(0o600);
  });
});

test("ignores .env and bunfig.toml in the folder it is started from", async () => {
  const server = await startServer({
    // Were .env read, this would make the binary exit 2 before serving.
    ".env": "LOG_LEVEL=nonsense\n",
    // Were bunfig.toml read, this would run code from the working directory.
    "bunfig.toml": 'preload = ["./preload.js"]\n',
    "preload.js": 'console.error("PRELOADED FROM CWD");\n',
  });
  expect(await stopServer(server)).toBe(0);
  expect(await server.stderr).not.toContain("PRELOADED");
});

test("POST /api/restart re-executes the compiled binary in place with the same options", async () => {
  const server = await startServer();
  const res = await fetch(`${server.base}/api/restart`, { method: "POST" });
  expect(await res.json()).toEqual({ status: "restarting", mode: "re-exec" });
  // Down (draining, re-exec) and up again on the same port, same data dir, same process.
  const deadline = Date.now() + 15_000;
  let back = false;
  await Bun.sleep(100);
  while (Date.now() < deadline && !back) {
    const health = await fetch(`${server.base}/api/monitoring/health`).then((r) => (r.ok ? r.json() : null), () => null);
    back = health?.database?.path === join(server.dataDir, "omniroute.sqlite") && health.uptime === 0;
    if (!back) await Bun.sleep(25);
  }
  expect(back).toBe(true);
  expect(server.proc.exitCode).toBeNull();
  expect(await stopServer(server)).toBe(0);
  const out = await server.stdout;
  expect(out).toContain("restarting (");
  expect(out.match(/ready:/g)?.length).toBe(2);
});
