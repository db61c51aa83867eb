// Appliance figures (not a test: nothing here asserts a timing). Run: bun test/appliance/measure.ts
//   1. cold start of the compiled binary to a healthy /api/monitoring/health, on an empty data dir
//      (migrations included) and on an existing one;
//   2. a backup (PUT /api/db-backups), an export and a full archive of a ~100 MB database while
//      chat requests flow: how long each takes, and the slowest gateway request meanwhile.
import { Database } from "bun:sqlite";
import { mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pkg from "../../package.json";
import { startFakeOpenAi } from "../support/fake-openai.ts";

const ROOT = join(import.meta.dir, "..", "..");
const scratch = mkdtempSync(join(tmpdir(), "omniroute-measure-"));
const bin = join(scratch, "omniroute");

function build(): void {
  const words = pkg.scripts.build.trim().split(/\s+/);
  words[words.indexOf("--outfile") + 1] = bin;
  const r = Bun.spawnSync([process.execPath, ...words.slice(1)], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(r.stderr.toString());
}

async function freePort(): Promise<number> {
  const s = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const p = s.port!;
  s.stop(true);
  return p;
}

async function startBinary(dataDir: string): Promise<{ proc: ReturnType<typeof Bun.spawn>; base: string; ms: number }> {
  const port = await freePort();
  const t0 = performance.now();
  const proc = Bun.spawn([bin, "--data-dir", dataDir, "--port", String(port), "--host", "127.0.0.1", "--log-level", "silent", "--backup-interval-hours", "0"], {
    stdout: "ignore",
    stderr: "inherit",
    env: { PATH: "/usr/bin:/bin", HOME: scratch },
  });
  const base = `http://127.0.0.1:${port}`;
  for (;;) {
    const ok = await fetch(`${base}/api/monitoring/health`).then((r) => r.ok, () => false);
    if (ok) return { proc, base, ms: performance.now() - t0 };
    if (performance.now() - t0 > 15_000) throw new Error("not healthy after 15 s");
    await Bun.sleep(2);
  }
}

/**
 * Downloads to /dev/null in another process (curl), so this process — which also runs the fake
 * upstream the gateway calls — is never busy reading it.
 */
async function drain(url: string): Promise<number> {
  const p = Bun.spawn(["curl", "-sf", "-o", "/dev/null", "-w", "%{size_download}", url], { stdout: "pipe" });
  if ((await p.exited) !== 0) throw new Error(`curl ${url} failed`);
  return Number(await new Response(p.stdout).text());
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(s.length * q))]!.toFixed(0);
  return { min: at(0), median: at(0.5), p99: at(0.99), max: s.at(-1)!.toFixed(0) };
};

async function coldStart(): Promise<void> {
  const empty: number[] = [];
  const existing: number[] = [];
  for (let i = 0; i < 8; i++) {
    const dir = join(scratch, `cold-${i}`);
    const a = await startBinary(dir);
    empty.push(a.ms);
    a.proc.kill("SIGTERM");
    await a.proc.exited;
    const b = await startBinary(dir);
    existing.push(b.ms);
    b.proc.kill("SIGTERM");
    await b.proc.exited;
  }
  console.log(`cold start to healthy, empty data dir (migrates): ms ${JSON.stringify(stats(empty))}`);
  console.log(`cold start to healthy, existing data dir:          ms ${JSON.stringify(stats(existing))}`);
}

/** A data dir whose database is ~`mb` MB of request logs (bodies of 2 KB), made with plain SQL. */
async function bigDataDir(mb: number): Promise<string> {
  const dir = join(scratch, "big");
  mkdirSync(dir, { recursive: true });
  const first = await startBinary(dir); // creates and migrates it
  first.proc.kill("SIGTERM");
  await first.proc.exited;
  const db = new Database(join(dir, "omniroute.sqlite"));
  db.exec("PRAGMA journal_mode = WAL");
  // ~4.2 KB of file per row (2 KB of hex text, its overflow page, the index entries).
  const rows = Math.ceil((mb * 1024 * 1024) / 4150);
  const now = Date.now();
  db.transaction(() => {
    db.run("INSERT OR IGNORE INTO usage_texts (text) VALUES ('/v1/chat/completions'), ('openai-chat'), ('POST')");
    const text = (t: string) => `(SELECT id FROM usage_texts WHERE text = '${t}')`;
    const ins = db.prepare(
      `INSERT INTO usage_records (request_id, timestamp, endpoint_ref, client_format_ref, status, latency_ms, method_ref, attempts, request_body)
       VALUES (?, ?, ${text("/v1/chat/completions")}, ${text("openai-chat")}, 200, 12, ${text("POST")}, '[]', hex(randomblob(1024)))`,
    );
    // Recent timestamps: usage retention must not prune them while we measure.
    for (let i = 0; i < rows; i++) ins.run(`req-${i}`, now - i);
  })();
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  db.close(true);
  return dir;
}

async function backupUnderLoad(): Promise<void> {
  const dir = await bigDataDir(100);
  const dbMb = statSync(join(dir, "omniroute.sqlite")).size / 1024 / 1024;
  const fake = startFakeOpenAi();
  const gw = await startBinary(dir);
  const add = await fetch(`${gw.base}/api/providers`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ provider: "openai", apiKey: "sk-fake-upstream", name: "fake", providerSpecificData: { baseUrl: fake.baseUrl } }),
  });
  if (add.status !== 201) throw new Error(`add connection: ${add.status}`);

  // The load runs on its own thread, so reading a big download here cannot delay its requests.
  const loadSource = `
    let latencies = [], stop = false;
    self.onmessage = async (e) => {
      if (e.data.cmd === "start") {
        const client = async () => {
          while (!stop) {
            const t0 = performance.now();
            const res = await fetch(e.data.url, { method: "POST", headers: { "content-type": "application/json" },
              body: JSON.stringify({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "hi" }] }) });
            await res.arrayBuffer();
            latencies.push(performance.now() - t0);
          }
        };
        for (let i = 0; i < 2; i++) client();
      } else if (e.data.cmd === "take") {
        postMessage(latencies);
        latencies = [];
      } else if (e.data.cmd === "stop") {
        stop = true;
      }
    };`;
  const load = new Worker(URL.createObjectURL(new Blob([loadSource], { type: "application/javascript" })));
  const take = () =>
    new Promise<number[]>((resolve) => {
      load.onmessage = (e) => resolve(e.data as number[]);
      load.postMessage({ cmd: "take" });
    });
  load.postMessage({ cmd: "start", url: `${gw.base}/v1/chat/completions` });
  await Bun.sleep(1_500);
  await take(); // warm-up
  await Bun.sleep(1_500);
  const idle = await take();
  console.log(`database ${dbMb.toFixed(1)} MB; gateway latency with no backup running: ms ${JSON.stringify(stats(idle))} over ${idle.length} requests`);

  for (const [what, run] of [
    ["PUT /api/db-backups", () => fetch(`${gw.base}/api/db-backups`, { method: "PUT" }).then((r) => r.json())],
    ["GET /api/db-backups/export", () => drain(`${gw.base}/api/db-backups/export`)],
    ["GET /api/db-backups/exportAll", () => drain(`${gw.base}/api/db-backups/exportAll`)],
  ] as const) {
    await take();
    const t0 = performance.now();
    await (run as () => Promise<unknown>)();
    const ms = performance.now() - t0;
    const during = await take();
    console.log(`${what}: ${ms.toFixed(0)} ms; gateway requests meanwhile: ${during.length}, latency ms ${JSON.stringify(stats(during))}`);
    await Bun.sleep(500);
  }
  load.postMessage({ cmd: "stop" });
  await Bun.sleep(200);
  load.terminate();
  gw.proc.kill("SIGTERM");
  await gw.proc.exited;
  fake.close();
}

/**
 * The server's own event loop during the same operations, in process: a 5 ms timer whose
 * lateness is exactly how long the loop was blocked (no client or scheduler noise in it).
 */
async function eventLoopDuringBackup(): Promise<void> {
  const { createServices } = await import("../../src/services.ts");
  const { makeConfig } = await import("../../src/config.ts");
  const { buildFullArchive } = await import("../../src/backup/archive.ts");
  const dir = join(scratch, "big");
  const services = createServices(makeConfig({ dataDir: dir, logLevel: "silent", backupIntervalHours: 0 }));
  let worst = 0;
  let last = performance.now();
  // (the backups below are each ~100 MB: keep only what the retention default keeps)
  const probe = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last - 5);
    last = now;
  }, 5);
  const run = async (what: string, fn: () => Promise<unknown>) => {
    await Bun.sleep(100);
    worst = 0;
    const t0 = performance.now();
    await fn();
    console.log(`in process, ${what}: ${(performance.now() - t0).toFixed(0)} ms, longest event-loop block ${worst.toFixed(1)} ms`);
  };
  let last100 = "";
  for (let i = 0; i < 3; i++) await run(`backup #${i + 1}`, async () => (last100 = (await services.backups.create("manual")).filename));
  await run("restore of that backup (validation on the worker, then the synchronous swap)", () => services.backups.restore(last100));
  await run("snapshot for export", async () => rmSync((await services.backups.snapshotToStaging()).path));
  await run("full archive", async () => rmSync((await buildFullArchive(services.backups, { db: services.db, config: services.config }, { includeSecrets: false })).path));
  clearInterval(probe);
  services.close();
}

try {
  build();
  await coldStart();
  await backupUnderLoad();
  await eventLoopDuringBackup();
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
