// The pieces of the benchmark that start and drive processes: the fake upstream, the
// gateway (binary or source), the control-plane setup, and the Node load client. run.ts
// composes them into the full benchmark; profile.ts reuses them to profile the gateway.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { collect, firstLine, freePort, track } from "./procs.ts";
import type { LoadResult } from "./report.ts";

export const ROOT = join(import.meta.dir, "..", "..");
export const BINARY = join(ROOT, "dist", "omniroute");
export const UPSTREAM_KEY = "sk-fake-upstream";

// ---------------------------------------------------------------- small helpers

export const log = (msg: string) => console.error(`[bench] ${msg}`);

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export const CLK_TCK = Number(Bun.spawnSync(["getconf", "CLK_TCK"]).stdout.toString().trim()) || 100;

/** User+system CPU seconds a live process has used so far (/proc/<pid>/stat fields 14 and 15). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name (field 2) may contain spaces; fields are counted after its closing paren.
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(rest[11]) + Number(rest[12])) / CLK_TCK;
}

/** CPU seconds so far of each thread of a process, by "<tid> <thread name>" (/proc/<pid>/task). */
export function threadCpuSeconds(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      out.set(`${tid} ${name}`, (Number(rest[11]) + Number(rest[12])) / CLK_TCK);
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

/** Machine-wide user+nice+system CPU seconds so far (first line of /proc/stat). */
export function machineCpuSeconds(): number {
  const cpu = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!.trim().split(/\s+/);
  return (Number(cpu[1]) + Number(cpu[2]) + Number(cpu[3])) / CLK_TCK;
}

/**
 * Waits (up to `maxWaitMs`) until the machine is quiet: less than `threshold` cores busy over
 * a 2 s window while the benchmark's own processes sit idle. Returns the last busy reading.
 */
export async function waitForQuiet(maxWaitMs: number, threshold = 0.25, windowMs = 2000): Promise<number> {
  const deadline = performance.now() + maxWaitMs;
  let warned = false;
  for (;;) {
    const before = machineCpuSeconds();
    await Bun.sleep(windowMs);
    const busy = (machineCpuSeconds() - before) / (windowMs / 1000);
    if (busy < threshold || performance.now() >= deadline) return busy;
    if (!warned) log(`other processes are using ${busy.toFixed(2)} cores; waiting up to ${Math.round(maxWaitMs / 1000)} s for a quiet machine`);
    warned = true;
  }
}

export function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

// ---------------------------------------------------------------- processes

export interface GatewayCommand {
  kind: "binary" | "source";
  argv: (dataDir: string, port: number) => string[];
  display: string;
  note: string | null;
}

/** The compiled binary when there is one that is not older than the sources (built if needed), else source. */
export async function chooseGateway(forceSource: boolean): Promise<GatewayCommand> {
  const flags = (dataDir: string, port: number) => ["--host", "127.0.0.1", "--port", String(port), "--data-dir", dataDir];
  const source: GatewayCommand = {
    kind: "source",
    argv: (d, p) => [process.execPath, join(ROOT, "src", "main.ts"), ...flags(d, p)],
    display: "bun src/main.ts",
    note: null,
  };
  const binary: GatewayCommand = { kind: "binary", argv: (d, p) => [BINARY, ...flags(d, p)], display: "dist/omniroute", note: null };
  if (forceSource) return source;

  const sourcesChanged = Math.max(...["src", "views", "public", "drizzle", "package.json"].map((p) => newestMtime(join(ROOT, p))));
  const have = existsSync(BINARY);
  if (have && statSync(BINARY).mtimeMs >= sourcesChanged) return binary;

  log(have ? "dist/omniroute is older than the sources: rebuilding (npm run build)" : "dist/omniroute missing: building (npm run build)");
  const started = performance.now();
  const build = Bun.spawnSync(["npm", "run", "build", "--silent"], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  if (build.exitCode === 0 && existsSync(BINARY)) {
    log(`built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return binary;
  }
  const why = `${build.stderr.toString()}${build.stdout.toString()}`.trim().split("\n").slice(-5).join(" / ");
  log(`build failed: ${why}`);
  if (have) return { ...binary, note: "the build failed, so this is an older binary than the current sources" };
  return { ...source, note: "the compiled build failed, so the gateway ran from source" };
}

export async function startUpstream(): Promise<{ proc: Subprocess; port: number }> {
  const proc = track(
    Bun.spawn([process.execPath, join(import.meta.dir, "fake-upstream.ts")], { cwd: ROOT, stdout: "pipe", stderr: "inherit", env: { ...process.env } }),
  );
  const line = await firstLine(proc.stdout as ReadableStream<Uint8Array>, 10_000);
  return { proc, port: (JSON.parse(line) as { port: number }).port };
}

export interface RunningGateway {
  proc: Subprocess;
  base: string;
  readyMs: number;
  measuredTo: string;
  stderr: () => string;
}

/** Spawns the gateway and polls GET /api/monitoring/health every 5 ms until it answers 200. */
export async function startGateway(cmd: GatewayCommand, dataDir: string): Promise<RunningGateway> {
  const port = freePort();
  const base = `http://127.0.0.1:${port}`;
  const health = `${base}/api/monitoring/health`;
  const t0 = performance.now();
  const proc = track(
    Bun.spawn(cmd.argv(dataDir, port), {
      cwd: ROOT,
      // A clean environment: nothing from this shell (PORT, DATA_DIR, …) leaks into the gateway.
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp", LOG_LEVEL: "silent" },
      stdout: "ignore",
      stderr: "pipe",
    }),
  );
  const stderr = collect(proc.stderr as ReadableStream<Uint8Array>);
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`gateway exited (${proc.exitCode ?? proc.signalCode}) before answering: ${stderr()}`);
    if (performance.now() - t0 > 20_000) throw new Error(`gateway did not answer ${health} within 20 s: ${stderr()}`);
    try {
      const res = await fetch(health, { signal: AbortSignal.timeout(2000) });
      const at = performance.now();
      await res.arrayBuffer();
      if (res.status === 200) return { proc, base, readyMs: at - t0, measuredTo: "200 from GET /api/monitoring/health", stderr };
      // No health route in this build: the first routed answer is the closest thing to "ready".
      if (res.status === 404) return { proc, base, readyMs: at - t0, measuredTo: "answer to GET /api/monitoring/health (404: no health route in this build)", stderr };
    } catch {
      // not listening yet
    }
    await Bun.sleep(5);
  }
}

export async function configureGateway(base: string, upstreamPort: number): Promise<void> {
  const body = { provider: "openai", apiKey: UPSTREAM_KEY, name: "bench", providerSpecificData: { baseUrl: `http://127.0.0.1:${upstreamPort}/v1` } };
  const res = await fetch(`${base}/api/providers`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const text = await res.text();
  if (res.status === 404) throw new Error(`POST /api/providers is not available in this build (404: ${text.slice(0, 200)}); the benchmark configures the gateway only through the control plane`);
  if (!res.ok) throw new Error(`POST /api/providers answered ${res.status}: ${text.slice(0, 500)}`);
}

/** One request each way through the gateway, so a broken setup fails loudly before minutes of load. */
export async function sanityCheck(base: string, body: string, streamBody: string): Promise<void> {
  const url = `${base}/v1/chat/completions`;
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
  const text = await res.text();
  if (res.status !== 200 || !Array.isArray(JSON.parse(text).choices)) throw new Error(`gateway answered ${res.status}: ${text.slice(0, 500)}`);
  const sres = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: streamBody });
  const stext = await sres.text();
  if (sres.status !== 200 || !stext.includes("data: [DONE]")) throw new Error(`gateway stream answered ${sres.status}: ${stext.slice(0, 500)}`);
}

// ---------------------------------------------------------------- load

export interface LoadSpec {
  url: string;
  headers: Record<string, string>;
  body: string;
  connections: number;
  duration?: number;
  amount?: number;
}

export const NODE = Bun.which("node") ?? "node";

/**
 * One load-client process. With `warmupSeconds` it first runs that long unmeasured and calls
 * `onMeasuring` when the measured part starts (load-client.mjs prints "measuring").
 */
export async function runLoadClient(
  spec: LoadSpec,
  warmup?: { seconds: number; onMeasuring: () => void },
): Promise<{ result: LoadResult; clientCpuUs: number | null }> {
  const arg = JSON.stringify({ method: "POST", ...spec, ...(warmup ? { warmup: warmup.seconds } : {}) });
  const proc = track(Bun.spawn([NODE, join(import.meta.dir, "load-client.mjs"), arg], { cwd: ROOT, stdout: "pipe", stderr: "pipe" }));
  const stderr = collect(proc.stderr as ReadableStream<Uint8Array>);
  let out = "";
  let told = false;
  const decoder = new TextDecoder();
  const reader = (proc.stdout as ReadableStream<Uint8Array>).getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    out += decoder.decode(r.value, { stream: true });
    if (!told && warmup && out.includes("measuring\n")) {
      told = true;
      warmup.onMeasuring();
    }
  }
  const code = await proc.exited;
  if (code !== 0) throw new Error(`load client exited ${code}: ${stderr()}`);
  const line = out.trim().split("\n").pop() ?? "";
  const result = JSON.parse(line) as LoadResult & { clientCpuUs?: number };
  const usage = proc.resourceUsage();
  return { result, clientCpuUs: result.clientCpuUs ?? (usage ? Number(usage.cpuTime.total) : null) };
}

/** Warm-up (discarded, in the same client process), then the measured run, with the CPU each server process spent on it. */
export async function measure(label: string, spec: LoadSpec, warmupSeconds: number, pids: { proxy?: number; upstream: number }): Promise<LoadResult> {
  const snapshot = () => ({ proxy: pids.proxy ? cpuSeconds(pids.proxy) : 0, upstream: cpuSeconds(pids.upstream), machine: machineCpuSeconds(), at: performance.now() });
  let before = snapshot();
  const { result, clientCpuUs } = await runLoadClient(spec, warmupSeconds > 0 ? { seconds: warmupSeconds, onMeasuring: () => (before = snapshot()) } : undefined);
  const used = {
    proxy: pids.proxy ? cpuSeconds(pids.proxy) - before.proxy : 0,
    upstream: cpuSeconds(pids.upstream) - before.upstream,
    client: (clientCpuUs ?? 0) / 1e6,
    machine: machineCpuSeconds() - before.machine,
    wall: (performance.now() - before.at) / 1000,
  };
  const answered = Math.max(1, result["2xx"]);
  result.cpuUsPerRequest = {
    upstream: (used.upstream * 1e6) / answered,
    ...(pids.proxy ? { proxy: (used.proxy * 1e6) / answered } : {}),
    ...(clientCpuUs !== null ? { loadClient: (used.client * 1e6) / answered } : {}),
  };
  // CPU that neither the benchmark's processes used: other work on the machine competing
  // with the run (a build, a test suite). Shown next to each run so noise is visible.
  result.otherCores = Math.max(0, (used.machine - used.proxy - used.upstream - used.client) / used.wall);
  const failed = result.non2xx + result.errors + result.timeouts;
  log(
    `${label.padEnd(28)} ${Math.round(result.requestsPerSecond).toString().padStart(7)} req/s  p50 ${result.latencyMs.p50?.toFixed(3)} ms  p99 ${result.latencyMs.p99?.toFixed(3)} ms  proxy ${result.cpuUsPerRequest.proxy?.toFixed(0) ?? "–"} µs/req  other load ${result.otherCores.toFixed(2)} cores${failed ? `  FAILED ${failed}` : ""}`,
  );
  return result;
}

/** The reference proxy (bare-proxy.ts) in its own process, forwarding to the fake upstream. */
export async function startBareProxy(upstreamPort: number): Promise<{ proc: Subprocess; port: number }> {
  const proc = track(
    Bun.spawn([process.execPath, join(import.meta.dir, "bare-proxy.ts"), `http://127.0.0.1:${upstreamPort}/v1`, UPSTREAM_KEY], {
      cwd: ROOT,
      stdout: "pipe",
      stderr: "inherit",
    }),
  );
  const line = await firstLine(proc.stdout as ReadableStream<Uint8Array>, 10_000);
  return { proc, port: (JSON.parse(line) as { port: number }).port };
}

/** Runs above this much foreign CPU (in cores) are considered disturbed and retried. */
export const DISTURBED_CORES = 0.3;

/**
 * measure(), on a quiet machine as far as possible: waits (bounded) for other processes to go
 * quiet first, and reruns a run that other processes disturbed anyway, keeping the least
 * disturbed attempt.
 */
export async function measureQuietly(
  label: string,
  spec: LoadSpec,
  warmupSeconds: number,
  pids: { proxy?: number; upstream: number },
  opts: { maxWaitMs: number; retries: number },
): Promise<LoadResult> {
  let best: LoadResult | null = null;
  for (let attempt = 0; attempt <= opts.retries; attempt++) {
    await waitForQuiet(opts.maxWaitMs, DISTURBED_CORES - 0.1, 1000);
    const r = await measure(attempt ? `${label} (retry ${attempt})` : label, spec, warmupSeconds, pids);
    if (!best || (r.otherCores ?? 0) < (best.otherCores ?? 0)) best = r;
    if ((r.otherCores ?? 0) < DISTURBED_CORES) break;
  }
  return best!;
}
