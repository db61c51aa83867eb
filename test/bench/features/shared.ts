// What the feature benchmark's issues share: options, result shapes, child processes, the context.
import { Database } from "bun:sqlite";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";
import {
  BINARY,
  configureGateway,
  DISTURBED_CORES,
  log,
  measureQuietly,
  median,
  newestMtime,
  NODE,
  ROOT,
  startGateway,
  waitForQuiet,
  type GatewayCommand,
  type LoadSpec,
  type RunningGateway,
} from "../harness.ts";
import { collect, firstLine, removeDir, stop, tempDir, track } from "../procs.ts";
import type { LoadResult } from "../report.ts";

export const REPORT = join(ROOT, "docs", "BENCHMARKS.md");
export const FEATURES_START = "<!-- bench-features:start -->";
export const FEATURES_END = "<!-- bench-features:end -->";
export const ANTHROPIC_KEY = "sk-ant-fake";
export const JSON_HEADERS = { "content-type": "application/json" };
export const MESSAGES = [{ role: "user", content: "Say hi in one short sentence." }];
/** Both fakes' replies start with "Hello " — the first token, in either wire format. */
export const FIRST_TOKEN = '"Hello ';

// ---------------------------------------------------------------- options

export interface Options {
  durationSeconds: number;
  warmupSeconds: number;
  rounds: number;
  ttftRequests: number;
  probeRequests: number;
  source: boolean;
  write: boolean;
  maxWaitSeconds: number;
  only: Set<number> | null;
  quick: boolean;
}

// ---------------------------------------------------------------- results

export interface Target {
  issue: number;
  name: string;
  goal: string;
  measured: string;
  pass: boolean | null; // null: could not be measured
  /** Shown under the table when the target is missed: where the time goes. */
  why?: string;
}

export interface Section {
  issue: number;
  title: string;
  targets: Target[];
  /** Markdown lines: the detail tables of this issue. */
  details: string[];
  method: string[];
}

export const f = (n: number | null | undefined, digits = 2) => (n === null || n === undefined || Number.isNaN(n) ? "–" : n.toFixed(digits));
export const int = (n: number | null | undefined) => (n === null || n === undefined || Number.isNaN(n) ? "–" : Math.round(n).toLocaleString("en-US"));
export const failedOf = (r: LoadResult) => r.non2xx + r.errors + r.timeouts;
export const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export function loadRow(label: string, r: LoadResult): string {
  const cpu = r.cpuUsPerRequest ?? {};
  return `| ${label} | ${int(r.requestsPerSecond)} | ${f(r.latencyMs.p50, 3)} | ${f(r.latencyMs.p99, 3)} | ${failedOf(r)} | ${f(cpu.proxy, 0)} | ${f(cpu.upstream, 0)} | ${f(r.otherCores, 2)} |`;
}
export const LOAD_HEAD = [
  "| run | req/s | p50 ms | p99 ms | failed | gateway CPU µs/req | upstream CPU µs/req | other load (cores) |",
  "|---|---:|---:|---:|---:|---:|---:|---:|",
];

// ---------------------------------------------------------------- processes

/** dist/omniroute when it exists and is not older than the sources; else the sources. Never builds. */
export function chooseGateway(forceSource: boolean): GatewayCommand {
  const flags = (dataDir: string, port: number) => ["--host", "127.0.0.1", "--port", String(port), "--data-dir", dataDir];
  const source: GatewayCommand = { kind: "source", argv: (d, p) => [process.execPath, join(ROOT, "src", "main.ts"), ...flags(d, p)], display: "bun src/main.ts", note: null };
  if (forceSource) return source;
  if (!existsSync(BINARY)) return { ...source, note: "dist/omniroute is missing (`npm run build` makes it)" };
  const sourcesChanged = Math.max(...["src", "views", "public", "drizzle", "package.json"].map((p) => newestMtime(join(ROOT, p))));
  if (statSync(BINARY).mtimeMs >= sourcesChanged) return { kind: "binary", argv: (d, p) => [BINARY, ...flags(d, p)], display: "dist/omniroute", note: null };
  return { ...source, note: "dist/omniroute is older than the sources, so the sources ran (`npm run build` refreshes it)" };
}

export async function startAnthropicUpstream(): Promise<{ proc: Subprocess; port: number }> {
  const proc = track(
    Bun.spawn([process.execPath, join(import.meta.dir, "..", "fake-anthropic-upstream.ts")], { cwd: ROOT, stdout: "pipe", stderr: "inherit" }),
  );
  const line = await firstLine(proc.stdout as ReadableStream<Uint8Array>, 10_000);
  return { proc, port: (JSON.parse(line) as { port: number }).port };
}

export async function api(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; text: string; json: any; headers: Headers }> {
  const res = await fetch(`${base}${path}`, { method, headers: JSON_HEADERS, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON (a stream): the text is there
  }
  return { status: res.status, text, json, headers: res.headers };
}

export async function addProvider(base: string, provider: string, apiKey: string, baseUrl: string): Promise<void> {
  const r = await api(base, "POST", "/api/providers", { provider, apiKey, name: `bench-${provider}`, providerSpecificData: { baseUrl } });
  if (r.status !== 200 && r.status !== 201) throw new Error(`POST /api/providers (${provider}) answered ${r.status}: ${r.text.slice(0, 300)}`);
}

export interface TtftResult {
  connections: number;
  requests: number;
  failed: number;
  firstFailure: string | null;
  requestsPerSecond: number;
  ttftMs: { p50: number | null; p90: number | null; p99: number | null; max: number | null };
  totalMs: { p50: number | null; p99: number | null };
}

export async function runTtft(label: string, spec: { url: string; headers: Record<string, string>; body: string; connections: number; amount: number; warmup: number }, maxWaitMs: number): Promise<TtftResult> {
  await waitForQuiet(maxWaitMs, DISTURBED_CORES - 0.1, 1000);
  const proc = track(Bun.spawn([NODE, join(import.meta.dir, "..", "ttft-client.mjs"), JSON.stringify({ ...spec, marker: FIRST_TOKEN })], { cwd: ROOT, stdout: "pipe", stderr: "pipe" }));
  const stderr = collect(proc.stderr as ReadableStream<Uint8Array>);
  const out = await new Response(proc.stdout as ReadableStream<Uint8Array>).text();
  if ((await proc.exited) !== 0) throw new Error(`ttft client exited ${proc.exitCode}: ${stderr()}`);
  const r = JSON.parse(out.trim().split("\n").pop() ?? "") as TtftResult;
  log(`${label.padEnd(40)} TTFT p50 ${f(r.ttftMs.p50, 3)} ms  p99 ${f(r.ttftMs.p99, 3)} ms  end of stream p50 ${f(r.totalMs.p50, 3)} ms${r.failed ? `  FAILED ${r.failed} (${r.firstFailure})` : ""}`);
  return r;
}

/** Runs one of the repository's measurement scripts in its own process; returns its stdout. */
export async function runScript(rel: string, args: string[], timeoutMs: number): Promise<string> {
  log(`running ${rel} ${args.join(" ")}`.trim());
  const t0 = performance.now();
  const proc = track(Bun.spawn([process.execPath, join(ROOT, rel), ...args], { cwd: ROOT, stdout: "pipe", stderr: "pipe", env: { ...process.env } }));
  const stdout = collect(proc.stdout as ReadableStream<Uint8Array>, 64 * 1024);
  const stderr = collect(proc.stderr as ReadableStream<Uint8Array>);
  const timer = setTimeout(() => proc.kill("SIGKILL"), timeoutMs);
  const code = await proc.exited;
  clearTimeout(timer);
  await Bun.sleep(50); // let the pipe readers take the last bytes
  if (code !== 0) throw new Error(`${rel} exited ${code ?? proc.signalCode}${proc.signalCode === "SIGKILL" ? ` (killed after ${timeoutMs / 1000} s)` : ""}: ${stderr().trim().split("\n").slice(-5).join(" / ")}`);
  log(`${rel} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return stdout();
}

/** Indexes per table in a gateway's database (read-only; WAL lets it run beside the gateway). */
export function indexCounts(path: string): Record<string, number> {
  try {
    const db = new Database(path, { readonly: true });
    try {
      const rows = db.query("SELECT tbl_name AS t, count(*) AS n FROM sqlite_master WHERE type = 'index' GROUP BY tbl_name").all() as { t: string; n: number }[];
      return Object.fromEntries(rows.map((r) => [r.t, r.n]));
    } finally {
      db.close();
    }
  } catch {
    return {};
  }
}

// ---------------------------------------------------------------- context shared by the issues

export interface Ctx {
  opts: Options;
  gw: GatewayCommand;
  openai: { proc: Subprocess; port: number };
  anthropic: { proc: Subprocess; port: number };
}

export const openaiBase = (c: Ctx) => `http://127.0.0.1:${c.openai.port}/v1`;

/** A fresh gateway on its own empty data dir, with the OpenAI fake configured as `openai`. */
export async function freshGateway(c: Ctx): Promise<{ g: RunningGateway; dir: string; done: () => Promise<void> }> {
  const dir = tempDir("omniroute-bench-features-");
  const g = await startGateway(c.gw, dir);
  await configureGateway(g.base, c.openai.port);
  return {
    g,
    dir,
    done: async () => {
      await stop(g.proc);
      removeDir(dir);
    },
  };
}

export function quiet(c: Ctx, label: string, spec: LoadSpec, pids: { proxy?: number; upstream: number }): Promise<LoadResult> {
  return measureQuietly(label, spec, c.opts.warmupSeconds, pids, { maxWaitMs: 15_000, retries: 1 });
}

/** `rounds` rounds over `sides`, the order alternating each round; returns each side's runs. */
export async function alternate<S extends string>(
  c: Ctx,
  sides: readonly S[],
  run: (side: S, round: number) => Promise<LoadResult>,
  rounds = c.opts.rounds,
): Promise<Record<S, LoadResult[]>> {
  const out = Object.fromEntries(sides.map((s) => [s, [] as LoadResult[]])) as Record<S, LoadResult[]>;
  for (let round = 1; round <= rounds; round++) {
    const order = round % 2 ? sides : [...sides].reverse();
    for (const side of order) out[side].push(await run(side, round));
  }
  return out;
}

export const medOf = (rs: LoadResult[], pick: (r: LoadResult) => number | null | undefined) => median(rs.map((r) => pick(r) ?? NaN));
