// `npm run bench:features` (also the second half of `npm run bench`): measures the benchmark
// targets of the feature issues in one run and rewrites the section of docs/BENCHMARKS.md
// between `<!-- bench-features:start -->` and `<!-- bench-features:end -->` (added after
// `<!-- bench:end -->` when missing). run.ts (issue 2, pass-through) owns the other section.
//
//   issue 3  cross-format streaming: time-to-first-token added at p50, throughput vs same-format
//   issue 4  a 3-target combo whose first target is refused, breaker open: extra p50 vs direct
//   issue 5  response cache: hit p50 in process, hit vs pass-through throughput through the server
//   issue 6  usage recording on vs off (throughput), /api/usage/history over 1M rows
//   issue 8  binary cold start, backup of a 100 MB database and what it blocks
//
// Processes, as in run.ts: the fake upstreams (OpenAI: fake-upstream.ts, Anthropic:
// fake-anthropic-upstream.ts), the gateway (dist/omniroute when it is not older than the
// sources, else `bun src/main.ts`; never rebuilt here), configured only through its control
// plane, and one Node load client per run (load-client.mjs: autocannon; ttft-client.mjs:
// time to first token). Issues 5 (in process), 6 (history) and 8 reuse the existing
// measurement scripts as child processes and parse what they print. Targets are reported,
// never asserted.
//
// Options: --quick (short runs, one round: a smoke check), --no-write (print the section),
// --source (measure `bun src/main.ts`), --duration <s> (default 5), --warmup <s> (1),
// --max-wait <s> (60: how long to wait for a quiet machine first), --only 3,4,… (some issues;
// prints the section instead of writing it, so a partial run never replaces the full results).
import { Database } from "bun:sqlite";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
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
  runLoadClient,
  startGateway,
  startUpstream,
  UPSTREAM_KEY,
  waitForQuiet,
  type GatewayCommand,
  type LoadSpec,
  type RunningGateway,
} from "./harness.ts";
import { describeMachine, utcDate, type Machine } from "./machine.ts";
import { cleanup, collect, firstLine, freePort, removeDir, stop, tempDir, track } from "./procs.ts";
import { END_MARKER as BENCH_END, type LoadResult } from "./report.ts";

const REPORT = join(ROOT, "docs", "BENCHMARKS.md");
export const FEATURES_START = "<!-- bench-features:start -->";
export const FEATURES_END = "<!-- bench-features:end -->";
const ANTHROPIC_KEY = "sk-ant-fake";
const JSON_HEADERS = { "content-type": "application/json" };
const MESSAGES = [{ role: "user", content: "Say hi in one short sentence." }];
/** Both fakes' replies start with "Hello " — the first token, in either wire format. */
const FIRST_TOKEN = '"Hello ';

// ---------------------------------------------------------------- options

interface Options {
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

function parseArgs(argv: string[]): Options {
  const o: Options = {
    durationSeconds: 5,
    warmupSeconds: 1,
    rounds: 2,
    ttftRequests: 2000,
    probeRequests: 2000,
    source: false,
    write: true,
    maxWaitSeconds: 60,
    only: null,
    quick: false,
  };
  const num = (flag: string, v: string | undefined) => {
    const n = Number(v);
    if (!v || !Number.isFinite(n) || n <= 0) throw new Error(`${flag} needs a positive number`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--source") o.source = true;
    else if (a === "--no-write") o.write = false;
    else if (a === "--quick") Object.assign(o, { quick: true, durationSeconds: 2, warmupSeconds: 0.5, rounds: 1, ttftRequests: 300, probeRequests: 300 });
    else if (a === "--duration") o.durationSeconds = num(a, argv[++i]);
    else if (a === "--warmup") o.warmupSeconds = num(a, argv[++i]);
    else if (a === "--max-wait") o.maxWaitSeconds = Number(argv[++i] ?? "0") || 0;
    else if (a === "--only") Object.assign(o, { only: new Set((argv[++i] ?? "").split(",").map(Number)), write: false });
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

// ---------------------------------------------------------------- results

interface Target {
  issue: number;
  name: string;
  goal: string;
  measured: string;
  pass: boolean | null; // null: could not be measured
  /** Shown under the table when the target is missed: where the time goes. */
  why?: string;
}

interface Section {
  issue: number;
  title: string;
  targets: Target[];
  /** Markdown lines: the detail tables of this issue. */
  details: string[];
  method: string[];
}

const f = (n: number | null | undefined, digits = 2) => (n === null || n === undefined || Number.isNaN(n) ? "–" : n.toFixed(digits));
const int = (n: number | null | undefined) => (n === null || n === undefined || Number.isNaN(n) ? "–" : Math.round(n).toLocaleString("en-US"));
const failedOf = (r: LoadResult) => r.non2xx + r.errors + r.timeouts;
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

function loadRow(label: string, r: LoadResult): string {
  const cpu = r.cpuUsPerRequest ?? {};
  return `| ${label} | ${int(r.requestsPerSecond)} | ${f(r.latencyMs.p50, 3)} | ${f(r.latencyMs.p99, 3)} | ${failedOf(r)} | ${f(cpu.proxy, 0)} | ${f(cpu.upstream, 0)} | ${f(r.otherCores, 2)} |`;
}
const LOAD_HEAD = [
  "| run | req/s | p50 ms | p99 ms | failed | gateway CPU µs/req | upstream CPU µs/req | other load (cores) |",
  "|---|---:|---:|---:|---:|---:|---:|---:|",
];

// ---------------------------------------------------------------- processes

/** dist/omniroute when it exists and is not older than the sources; else the sources. Never builds. */
function chooseGateway(forceSource: boolean): GatewayCommand {
  const flags = (dataDir: string, port: number) => ["--host", "127.0.0.1", "--port", String(port), "--data-dir", dataDir];
  const source: GatewayCommand = { kind: "source", argv: (d, p) => [process.execPath, join(ROOT, "src", "main.ts"), ...flags(d, p)], display: "bun src/main.ts", note: null };
  if (forceSource) return source;
  if (!existsSync(BINARY)) return { ...source, note: "dist/omniroute is missing (`npm run build` makes it)" };
  const sourcesChanged = Math.max(...["src", "views", "public", "drizzle", "package.json"].map((p) => newestMtime(join(ROOT, p))));
  if (statSync(BINARY).mtimeMs >= sourcesChanged) return { kind: "binary", argv: (d, p) => [BINARY, ...flags(d, p)], display: "dist/omniroute", note: null };
  return { ...source, note: "dist/omniroute is older than the sources, so the sources ran (`npm run build` refreshes it)" };
}

async function startAnthropicUpstream(): Promise<{ proc: Subprocess; port: number }> {
  const proc = track(
    Bun.spawn([process.execPath, join(import.meta.dir, "fake-anthropic-upstream.ts")], { cwd: ROOT, stdout: "pipe", stderr: "inherit" }),
  );
  const line = await firstLine(proc.stdout as ReadableStream<Uint8Array>, 10_000);
  return { proc, port: (JSON.parse(line) as { port: number }).port };
}

async function api(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; text: string; json: any; headers: Headers }> {
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

async function addProvider(base: string, provider: string, apiKey: string, baseUrl: string): Promise<void> {
  const r = await api(base, "POST", "/api/providers", { provider, apiKey, name: `bench-${provider}`, providerSpecificData: { baseUrl } });
  if (r.status !== 200 && r.status !== 201) throw new Error(`POST /api/providers (${provider}) answered ${r.status}: ${r.text.slice(0, 300)}`);
}

interface TtftResult {
  connections: number;
  requests: number;
  failed: number;
  firstFailure: string | null;
  requestsPerSecond: number;
  ttftMs: { p50: number | null; p90: number | null; p99: number | null; max: number | null };
  totalMs: { p50: number | null; p99: number | null };
}

async function runTtft(label: string, spec: { url: string; headers: Record<string, string>; body: string; connections: number; amount: number; warmup: number }, maxWaitMs: number): Promise<TtftResult> {
  await waitForQuiet(maxWaitMs, DISTURBED_CORES - 0.1, 1000);
  const proc = track(Bun.spawn([NODE, join(import.meta.dir, "ttft-client.mjs"), JSON.stringify({ ...spec, marker: FIRST_TOKEN })], { cwd: ROOT, stdout: "pipe", stderr: "pipe" }));
  const stderr = collect(proc.stderr as ReadableStream<Uint8Array>);
  const out = await new Response(proc.stdout as ReadableStream<Uint8Array>).text();
  if ((await proc.exited) !== 0) throw new Error(`ttft client exited ${proc.exitCode}: ${stderr()}`);
  const r = JSON.parse(out.trim().split("\n").pop() ?? "") as TtftResult;
  log(`${label.padEnd(40)} TTFT p50 ${f(r.ttftMs.p50, 3)} ms  p99 ${f(r.ttftMs.p99, 3)} ms  end of stream p50 ${f(r.totalMs.p50, 3)} ms${r.failed ? `  FAILED ${r.failed} (${r.firstFailure})` : ""}`);
  return r;
}

/** Runs one of the repository's measurement scripts in its own process; returns its stdout. */
async function runScript(rel: string, args: string[], timeoutMs: number): Promise<string> {
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
function indexCounts(path: string): Record<string, number> {
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

interface Ctx {
  opts: Options;
  gw: GatewayCommand;
  openai: { proc: Subprocess; port: number };
  anthropic: { proc: Subprocess; port: number };
}

const openaiBase = (c: Ctx) => `http://127.0.0.1:${c.openai.port}/v1`;

/** A fresh gateway on its own empty data dir, with the OpenAI fake configured as `openai`. */
async function freshGateway(c: Ctx): Promise<{ g: RunningGateway; dir: string; done: () => Promise<void> }> {
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

function quiet(c: Ctx, label: string, spec: LoadSpec, pids: { proxy?: number; upstream: number }): Promise<LoadResult> {
  return measureQuietly(label, spec, c.opts.warmupSeconds, pids, { maxWaitMs: 15_000, retries: 1 });
}

/** `rounds` rounds over `sides`, the order alternating each round; returns each side's runs. */
async function alternate<S extends string>(
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

const medOf = (rs: LoadResult[], pick: (r: LoadResult) => number | null | undefined) => median(rs.map((r) => pick(r) ?? NaN));

// ---------------------------------------------------------------- issue 3: cross-format streaming

async function issue3(c: Ctx): Promise<Section> {
  const { g, done } = await freshGateway(c);
  try {
    await addProvider(g.base, "anthropic", ANTHROPIC_KEY, `http://127.0.0.1:${c.anthropic.port}/v1`);
    const sides = {
      "direct OpenAI fake": {
        url: `http://127.0.0.1:${c.openai.port}/v1/chat/completions`,
        headers: { ...JSON_HEADERS, authorization: `Bearer ${UPSTREAM_KEY}` },
        body: JSON.stringify({ model: "gpt-4o-mini", messages: MESSAGES, stream: true }),
        pids: { upstream: c.openai.proc.pid },
      },
      "direct Anthropic fake": {
        url: `http://127.0.0.1:${c.anthropic.port}/v1/messages`,
        headers: { ...JSON_HEADERS, "x-api-key": ANTHROPIC_KEY, "anthropic-version": "2023-06-01" },
        body: JSON.stringify({ model: "claude-sonnet-4-5-20250929", max_tokens: 1024, messages: MESSAGES, stream: true }),
        pids: { upstream: c.anthropic.proc.pid },
      },
      "gateway, same format (OpenAI → OpenAI)": {
        url: `${g.base}/v1/chat/completions`,
        headers: JSON_HEADERS,
        body: JSON.stringify({ model: "openai/gpt-4o-mini", messages: MESSAGES, stream: true }),
        pids: { proxy: g.proc.pid, upstream: c.openai.proc.pid },
      },
      "gateway, cross format (OpenAI → Anthropic)": {
        url: `${g.base}/v1/chat/completions`,
        headers: JSON_HEADERS,
        body: JSON.stringify({ model: "anthropic/claude-sonnet-4-5-20250929", messages: MESSAGES, stream: true }),
        pids: { proxy: g.proc.pid, upstream: c.anthropic.proc.pid },
      },
    } as const;
    type Side = keyof typeof sides;
    const names = Object.keys(sides) as Side[];
    const [dOa, dAn, same, cross] = names as [Side, Side, Side, Side];

    // Every side answers a streamed first token before minutes of load.
    for (const side of names) {
      const s = sides[side];
      const res = await fetch(s.url, { method: "POST", headers: s.headers, body: s.body });
      const text = await res.text();
      if (res.status !== 200 || !text.includes(FIRST_TOKEN)) throw new Error(`${side}: ${res.status} ${text.slice(0, 300)}`);
    }

    // Time to first token, 1 connection (requests one after another), each side in turn.
    const ttft1 = {} as Record<Side, TtftResult[]>;
    for (const side of names) ttft1[side] = [];
    for (let round = 1; round <= c.opts.rounds; round++) {
      for (const side of round % 2 ? names : [...names].reverse()) {
        const s = sides[side];
        ttft1[side].push(await runTtft(`${side} TTFT 1 conn #${round}`, { url: s.url, headers: s.headers, body: s.body, connections: 1, amount: c.opts.ttftRequests, warmup: 200 }, 15_000));
      }
    }
    // … and under 16 connections (for information, one run each).
    const ttft16 = {} as Record<Side, TtftResult>;
    for (const side of names) {
      const s = sides[side];
      ttft16[side] = await runTtft(`${side} TTFT 16 conns`, { url: s.url, headers: s.headers, body: s.body, connections: 16, amount: c.opts.ttftRequests * 2, warmup: 320 }, 15_000);
    }
    const ttftMed = (side: Side) => median(ttft1[side].map((r) => r.ttftMs.p50 ?? NaN));

    // Streaming throughput, 16 connections (autocannon; latency = to the end of the stream).
    // The direct sides are context (what each fake serves alone): one run each. The two
    // gateway sides, which the target compares, alternate over the rounds.
    const streamRun = (side: Side, round: number) => {
      const s = sides[side];
      return quiet(c, `${side} stream #${round}`, { url: s.url, headers: s.headers, body: s.body, connections: 16, duration: c.opts.durationSeconds }, s.pids);
    };
    const runs = { [dOa]: [await streamRun(dOa, 1)], [dAn]: [await streamRun(dAn, 1)], ...(await alternate(c, [same, cross], streamRun)) } as Record<Side, LoadResult[]>;
    const rps = (side: Side) => medOf(runs[side], (r) => r.requestsPerSecond);
    const cpu = (side: Side) => medOf(runs[side], (r) => r.cpuUsPerRequest?.proxy);

    const addedCross = ttftMed(cross) - ttftMed(dAn);
    const addedSame = ttftMed(same) - ttftMed(dOa);
    const added16Cross = (ttft16[cross].ttftMs.p50 ?? NaN) - (ttft16[dAn].ttftMs.p50 ?? NaN);
    const added16Same = (ttft16[same].ttftMs.p50 ?? NaN) - (ttft16[dOa].ttftMs.p50 ?? NaN);
    const ratio = rps(cross) / rps(same);
    const failures = [...runs[cross], ...runs[same]].reduce((n, r) => n + failedOf(r), 0) + [...ttft1[cross], ...ttft1[same]].reduce((n, r) => n + r.failed, 0);

    const details: string[] = [
      "Time to first token (TTFT): from writing the request to the first token's text (`\"Hello `) arriving in the body.",
      "",
      "| side | TTFT p50, 1 conn (ms) | TTFT p99, 1 conn (ms) | end of stream p50, 1 conn (ms) | TTFT p50, 16 conns (ms) | stream req/s, 16 conns | gateway CPU µs/req |",
      "|---|---:|---:|---:|---:|---:|---:|",
      ...names.map(
        (side) =>
          `| ${side} | ${ttft1[side].map((r) => f(r.ttftMs.p50, 3)).join(" / ")} | ${ttft1[side].map((r) => f(r.ttftMs.p99, 3)).join(" / ")} | ${ttft1[side].map((r) => f(r.totalMs.p50, 3)).join(" / ")} | ${f(ttft16[side].ttftMs.p50, 3)} | ${int(rps(side))} | ${f(cpu(side), 0)} |`,
      ),
      "",
      `Added TTFT at p50, 1 connection: cross format ${f(addedCross, 3)} ms (vs direct to the Anthropic fake), same format ${f(addedSame, 3)} ms (vs direct to the OpenAI fake); translation's own share: ${f(addedCross - addedSame, 3)} ms. At 16 connections: cross ${f(added16Cross, 3)} ms, same ${f(added16Same, 3)} ms (there the machine is saturated and TTFT includes queueing behind other streams; the verdict uses the 1-connection figure, the gateway's own added latency).`,
      "",
      "Streaming load runs (16 connections):",
      "",
      ...LOAD_HEAD,
      ...names.flatMap((side) => runs[side].map((r, i) => loadRow(`${side} #${i + 1}`, r))),
    ];
    const cpuNote = `gateway CPU per streamed request: cross ${f(cpu(cross), 0)} µs, same ${f(cpu(same), 0)} µs`;
    return {
      issue: 3,
      title: "Issue 3 — cross-format streaming",
      targets: [
        {
          issue: 3,
          name: "Cross-format streaming: TTFT added at p50 (OpenAI client → gateway → Anthropic fake, vs direct to the fake; 1 connection)",
          goal: "< 1 ms",
          measured: `${f(addedCross, 3)} ms (${f(ttftMed(cross), 3)} − ${f(ttftMed(dAn), 3)}); same-format adds ${f(addedSame, 3)} ms; at 16 connections (machine saturated, queueing included): cross ${f(added16Cross, 3)} ms, same ${f(added16Same, 3)} ms`,
          pass: addedCross < 1,
          why: `Of the ${f(addedCross, 3)} ms, same-format pass-through through the gateway already costs ${f(addedSame, 3)} ms; translation (Anthropic events → canonical → OpenAI chunks) adds ${f(addedCross - addedSame, 3)} ms on top.`,
        },
        {
          issue: 3,
          name: "Cross-format streaming throughput / same-format pass-through (16 connections)",
          goal: "≥ 0.50",
          measured: `${f(ratio, 3)} (${int(rps(cross))} / ${int(rps(same))} streamed req/s)${failures ? `, ${failures} failed requests` : ""}`,
          pass: ratio >= 0.5 && failures === 0,
          why: `${cpuNote}; direct, the Anthropic fake serves ${int(rps(dAn))} req/s against the OpenAI fake's ${int(rps(dOa))}.`,
        },
      ],
      details,
      method: [
        `Issue 3: one gateway with the OpenAI fake as \`openai\` and the Anthropic fake as \`anthropic\` (\`POST /api/providers\`, \`providerSpecificData.baseUrl\`). Requests: OpenAI chat completions, \`"stream": true\`, body \`${sides[same].body}\` (cross format: model \`anthropic/claude-sonnet-4-5-20250929\`); direct to the Anthropic fake: \`/v1/messages\` with \`max_tokens\` 1024. TTFT by \`test/bench/ttft-client.mjs\` (Node, keep-alive): ${c.opts.ttftRequests} requests on 1 connection per run after 200 unrecorded, ${c.opts.rounds} run${c.opts.rounds === 1 ? "" : "s"} per side in alternating order (verdict on the median of the runs' p50s), then ${c.opts.ttftRequests * 2} requests on 16 connections once per side. Throughput: autocannon, 16 connections, ${c.opts.warmupSeconds} s warm-up + ${c.opts.durationSeconds} s; one run direct to each fake, then ${c.opts.rounds} run${c.opts.rounds === 1 ? "" : "s"} per gateway side in alternating order, median.`,
      ],
    };
  } finally {
    await done();
  }
}

// ---------------------------------------------------------------- issue 4: combo with a dead first target

async function issue4(c: Ctx): Promise<Section> {
  const { g, done } = await freshGateway(c);
  try {
    const deadPort = freePort(); // nothing listens there: connection refused
    await addProvider(g.base, "groq", "sk-dead", `http://127.0.0.1:${deadPort}/v1`);
    await addProvider(g.base, "deepseek", UPSTREAM_KEY, openaiBase(c));
    const targets = ["groq/llama-3.3-70b-versatile", "openai/gpt-4o-mini", "deepseek/deepseek-chat"];
    const combo = await api(g.base, "POST", "/api/combos", { name: "bench-combo", strategy: "priority", targets });
    if (combo.status !== 201) throw new Error(`POST /api/combos answered ${combo.status}: ${combo.text.slice(0, 300)}`);

    // Open the breaker: requests through the combo until the refused target's breaker is open.
    const comboBody = JSON.stringify({ model: "bench-combo", messages: MESSAGES });
    const directBody = JSON.stringify({ model: "openai/gpt-4o-mini", messages: MESSAGES });
    let opened = 0;
    let state = "closed";
    for (let i = 1; i <= 50 && state !== "open"; i++) {
      const r = await api(g.base, "POST", "/v1/chat/completions", JSON.parse(comboBody));
      if (r.status !== 200) throw new Error(`combo request answered ${r.status}: ${r.text.slice(0, 300)}`);
      state = (await api(g.base, "GET", "/api/monitoring/health")).json?.providerHealth?.groq?.state ?? "unknown";
      opened = i;
    }
    if (state !== "open") throw new Error(`the dead target's breaker did not open after ${opened} requests (state ${state})`);
    log(`breaker of the refused target open after ${opened} request${opened === 1 ? "" : "s"}`);

    const pids = { proxy: g.proc.pid, upstream: c.openai.proc.pid };
    const url = `${g.base}/v1/chat/completions`;
    const sides = { "direct route (openai/gpt-4o-mini)": directBody, "combo, first target refused": comboBody } as const;
    type Side = keyof typeof sides;
    const names = Object.keys(sides) as Side[];
    const [direct, viaCombo] = names as [Side, Side];
    const runs = await alternate(c, names, (side, round) => quiet(c, `${side} #${round}`, { url, headers: JSON_HEADERS, body: sides[side], connections: 16, duration: c.opts.durationSeconds }, pids));
    const probe = {} as Record<Side, LoadResult>;
    for (const side of names) probe[side] = await quiet(c, `${side} 1-conn probe`, { url, headers: JSON_HEADERS, body: sides[side], connections: 1, amount: c.opts.probeRequests }, pids);
    const health = (await api(g.base, "GET", "/api/monitoring/health")).json;

    const p50 = (side: Side) => medOf(runs[side], (r) => r.latencyMs.p50);
    const added16 = p50(viaCombo) - p50(direct);
    const added1 = (probe[viaCombo].latencyMs.p50 ?? NaN) - (probe[direct].latencyMs.p50 ?? NaN);
    const failures = [...runs[viaCombo], probe[viaCombo]].reduce((n, r) => n + failedOf(r), 0);
    const cpu = (side: Side) => medOf(runs[side], (r) => r.cpuUsPerRequest?.proxy);
    return {
      issue: 4,
      title: "Issue 4 — combo with a refused first target",
      targets: [
        {
          issue: 4,
          name: "3-target combo, first target refused, breaker open: extra p50 vs the healthy direct route (16 connections and 1 connection; both must pass)",
          goal: "< 2 ms",
          measured: `${f(added16, 3)} ms (${f(p50(viaCombo), 3)} − ${f(p50(direct), 3)}); at 1 connection: ${f(added1, 3)} ms${failures ? `; ${failures} failed requests` : ""}`,
          pass: added16 < 2 && added1 < 2 && failures === 0,
          why: `gateway CPU per request: combo ${f(cpu(viaCombo), 0)} µs, direct ${f(cpu(direct), 0)} µs.`,
        },
      ],
      details: [
        `Combo \`bench-combo\` (priority): ${targets.map((t) => `\`${t}\``).join(" → ")}; \`groq\` points at 127.0.0.1:${deadPort}, where nothing listens. Its breaker was open after ${opened} request${opened === 1 ? "" : "s"}; at the end of the runs: \`${health?.providerHealth?.groq?.state ?? "?"}\` (health: ${health?.circuitBreakers?.open ?? "?"} breakers open).`,
        "",
        ...LOAD_HEAD,
        ...names.flatMap((side) => runs[side].map((r, i) => loadRow(`${side} #${i + 1}`, r))),
        ...names.map((side) => loadRow(`${side}, 1 connection sequential`, probe[side])),
      ],
      method: [
        `Issue 4: one gateway; \`openai\` and \`deepseek\` point at the OpenAI fake, \`groq\` at a closed port; the combo is created with \`POST /api/combos\`. Non-streaming requests, default resilience profile (breaker: 5 failures in 60 s, open 30 s, then one half-open probe — which a refused port fails at once). Autocannon, 16 connections, ${c.opts.warmupSeconds} s warm-up + ${c.opts.durationSeconds} s, ${c.opts.rounds} run${c.opts.rounds === 1 ? "" : "s"} per side alternating, median p50; then ${c.opts.probeRequests} sequential requests on 1 connection per side.`,
      ],
    };
  } finally {
    await done();
  }
}

// ---------------------------------------------------------------- issue 5: response cache

async function issue5(c: Ctx): Promise<Section> {
  // In process: test/features/bench-cache-hit.ts (the hot route handler, no socket).
  const inProc = await runScript("test/features/bench-cache-hit.ts", [c.opts.quick ? "1000" : "5000"], 120_000);
  const line = (label: string) => inProc.split("\n").find((l) => l.startsWith(label)) ?? "";
  const num = (l: string, re: RegExp) => Number(re.exec(l)?.[1] ?? NaN);
  const hitLine = line("cache hit (temperature 0)");
  const missLine = line("pass-through (not cached)");
  const hitP50 = num(hitLine, /p50 ([\d.]+) ms/);
  const hitP99 = num(hitLine, /p99 ([\d.]+) ms/);
  const inProcRatio = num(line("hit / pass-through throughput"), /throughput: ([\d.]+)×/);
  const inProcStreamRatio = num(line("hit / pass-through throughput"), /streamed hit ([\d.]+)×/);

  // Through the real server.
  const { g, done } = await freshGateway(c);
  try {
    const url = `${g.base}/v1/chat/completions`;
    const hitBody = JSON.stringify({ model: "openai/gpt-4o-mini", temperature: 0, messages: MESSAGES });
    const passBody = JSON.stringify({ model: "openai/gpt-4o-mini", messages: MESSAGES });
    await api(g.base, "POST", "/v1/chat/completions", JSON.parse(hitBody));
    const check = await api(g.base, "POST", "/v1/chat/completions", JSON.parse(hitBody));
    const passCheck = await api(g.base, "POST", "/v1/chat/completions", JSON.parse(passBody));
    if (check.headers.get("x-omniroute-cache") !== "HIT") throw new Error(`the second temperature-0 request was not a cache hit (X-OmniRoute-Cache: ${check.headers.get("x-omniroute-cache")})`);
    if (passCheck.headers.get("x-omniroute-cache") === "HIT") throw new Error("a request without temperature was served from the cache");

    const pids = { proxy: g.proc.pid, upstream: c.openai.proc.pid };
    const sides = { "cache hit (temperature 0)": hitBody, "pass-through (temperature unset: not cached)": passBody } as const;
    type Side = keyof typeof sides;
    const names = Object.keys(sides) as Side[];
    const [hit, pass] = names as [Side, Side];
    const runs = await alternate(c, names, (side, round) => quiet(c, `${side} #${round}`, { url, headers: JSON_HEADERS, body: sides[side], connections: 16, duration: c.opts.durationSeconds }, pids));
    const probe = {} as Record<Side, LoadResult>;
    for (const side of names) probe[side] = await quiet(c, `${side} 1-conn probe`, { url, headers: JSON_HEADERS, body: sides[side], connections: 1, amount: c.opts.probeRequests }, pids);
    const stats = (await api(g.base, "GET", "/api/cache")).json;

    const rps = (side: Side) => medOf(runs[side], (r) => r.requestsPerSecond);
    const cpu = (side: Side) => medOf(runs[side], (r) => r.cpuUsPerRequest?.proxy);
    const ratio = rps(hit) / rps(pass);
    const failures = runs[hit].reduce((n, r) => n + failedOf(r), 0);
    const clientCpu = (side: Side) => medOf(runs[side], (r) => r.cpuUsPerRequest?.loadClient);
    const upstreamCpu = (side: Side) => medOf(runs[side], (r) => r.cpuUsPerRequest?.upstream);
    const machineCpu = (side: Side) => cpu(side) + upstreamCpu(side) + clientCpu(side);
    return {
      issue: 5,
      title: "Issue 5 — response cache",
      targets: [
        {
          issue: 5,
          name: "Cache hit p50, in process (`test/features/bench-cache-hit.ts`)",
          goal: "< 0.5 ms",
          measured: `${f(hitP50, 3)} ms (p99 ${f(hitP99, 3)} ms); through the server, 1 connection: ${f(probe[hit].latencyMs.p50, 3)} ms`,
          pass: Number.isFinite(hitP50) ? hitP50 < 0.5 : null,
        },
        {
          issue: 5,
          name: "Cache hit throughput / pass-through throughput, in process (same script, sequential)",
          goal: "≥ 5×",
          measured: `${f(inProcRatio, 1)}× (streamed hits ${f(inProcStreamRatio, 1)}×); through the HTTP server at 16 connections, for information: ${f(ratio, 2)}× (${int(rps(hit))} / ${int(rps(pass))} req/s)${failures ? `; ${failures} failed requests` : ""}`,
          pass: Number.isFinite(inProcRatio) ? inProcRatio >= 5 && failures === 0 : null,
        },
      ],
      details: [
        "How the target is read: the issue asks for a hit \"in under 0.5 ms at p50 in process and at least 5× the pass-through throughput\"; both figures are taken in process, where the gateway's own work is what is measured. Through the HTTP server on this machine 5× cannot be reached by any gateway, and the figures below show why:",
        "",
        `- every process shares the machine's ${describeMachine().cores} cores, so throughput follows the CPU all processes spend per request. A hit costs the gateway ${f(cpu(hit), 0)} µs of CPU and the load client ${f(clientCpu(hit), 0)} µs (${f(machineCpu(hit), 0)} µs in all); a pass-through costs the gateway ${f(cpu(pass), 0)} µs, the fake upstream ${f(upstreamCpu(pass), 0)} µs and the client ${f(clientCpu(pass), 0)} µs (${f(machineCpu(pass), 0)} µs): ${f(machineCpu(pass) / machineCpu(hit), 2)}× is the ceiling here;`,
        `- the gateway's CPU alone gives ${f(cpu(pass) / cpu(hit), 2)}×: 5× would need a hit to cost it at most ${f(cpu(pass) / 5, 0)} µs, less than the ${f(upstreamCpu(pass), 0)} µs the fake upstream — a bare \`Bun.serve\` that parses the JSON and answers — spends per request. Most of a hit's ${f(cpu(hit), 0)} µs is the HTTP server's own work (socket reads and writes, the Request, the Response) and the request's usage row;`,
        `- against a real provider, whose answers take hundreds of milliseconds, a hit (${f(probe[hit].latencyMs.p50, 3)} ms through the server, 1 connection) is thousands of times faster than the call it saves.`,
        "",
        "In process (hot route handler, no socket, sequential):",
        "",
        "```",
        ...inProc.trim().split("\n"),
        "```",
        "",
        `Through the server (cache stats afterwards: ${JSON.stringify(stats)}):`,
        "",
        ...LOAD_HEAD,
        ...names.flatMap((side) => runs[side].map((r, i) => loadRow(`${side} #${i + 1}`, r))),
        ...names.map((side) => loadRow(`${side}, 1 connection sequential`, probe[side])),
      ],
      method: [
        `Issue 5: in process, \`bun test/features/bench-cache-hit.ts ${c.opts.quick ? 1000 : 5000}\` (the server's hot route handler called directly, sequentially). Through the server: a fresh gateway; the same temperature-0 request every time (a HIT after the first: checked on \`X-OmniRoute-Cache\`) vs the same request without temperature (never cached); autocannon, 16 connections, ${c.opts.warmupSeconds} s warm-up + ${c.opts.durationSeconds} s, ${c.opts.rounds} run${c.opts.rounds === 1 ? "" : "s"} per side alternating, median; then ${c.opts.probeRequests} sequential requests on 1 connection.`,
      ],
    };
  } finally {
    await done();
  }
}

// ---------------------------------------------------------------- issue 6: usage recording, history

/**
 * Issue 6's on/off runs per side (each side's median is compared), and the unmeasured load
 * before them. One 5 s run moves by ±5% on this machine: with five rounds the verdict on a ~4%
 * loss swung between 1.6% and 5.6% from one benchmark to the next, and with nine, three runs on
 * the same code gave −0.9%, 3.4% and 9.9% (docs/BENCHMARKS.md, fifth pass).
 */
const ISSUE6_ROUNDS = 15;
const ISSUE6_WARM_S = 10;

async function issue6(c: Ctx): Promise<Section> {
  const { g, dir, done } = await freshGateway(c);
  let indexes: Record<string, number> = {};
  let runsOut: Record<"recording on" | "recording off", LoadResult[]>;
  let onOffRows: string[];
  let loss: number;
  let cpuOn: number;
  let cpuOff: number;
  let rowsWritten: number | null = null;
  try {
    const url = `${g.base}/v1/chat/completions`;
    const body = JSON.stringify({ model: "openai/gpt-4o-mini", messages: MESSAGES });
    const pids = { proxy: g.proc.pid, upstream: c.openai.proc.pid };
    const names = ["recording on", "recording off"] as const;
    // Steady state first: a fresh gateway's recording path (and the writer thread's) is still
    // being compiled during its first seconds, which would charge start-up to whichever side
    // runs first. Both sides are run, unmeasured, before the measured rounds.
    for (const [on, seconds] of [[true, c.opts.quick ? 2 : ISSUE6_WARM_S], [false, c.opts.quick ? 1 : 3]] as const) {
      await api(g.base, "PUT", "/api/settings", { usageRecording: on });
      await runLoadClient({ url, headers: JSON_HEADERS, body, connections: 16, duration: seconds });
    }
    runsOut = await alternate(
      c,
      names,
      async (side, round) => {
        const r = await api(g.base, "PUT", "/api/settings", { usageRecording: side === "recording on" });
        if (r.status !== 200 || r.json?.usageRecording !== (side === "recording on")) throw new Error(`PUT /api/settings answered ${r.status}: ${r.text.slice(0, 300)}`);
        return quiet(c, `usage ${side} #${round}`, { url, headers: JSON_HEADERS, body, connections: 16, duration: c.opts.durationSeconds }, pids);
      },
      c.opts.quick ? 1 : ISSUE6_ROUNDS,
    );
    rowsWritten = (await api(g.base, "GET", "/api/monitoring/health")).json?.usageQueue?.written ?? null;
    indexes = indexCounts(join(dir, "omniroute.sqlite"));
    const rps = (side: (typeof names)[number]) => medOf(runsOut[side], (r) => r.requestsPerSecond);
    loss = 1 - rps("recording on") / rps("recording off");
    cpuOn = medOf(runsOut["recording on"], (r) => r.cpuUsPerRequest?.proxy);
    cpuOff = medOf(runsOut["recording off"], (r) => r.cpuUsPerRequest?.proxy);
    // Each round's own on/off pair, for information: how much the verdict's figure moves with the machine's noise.
    const perRound = runsOut["recording on"].map((on, i) => 1 - on.requestsPerSecond / runsOut["recording off"][i]!.requestsPerSecond);
    onOffRows = [
      `Median req/s: on ${int(rps("recording on"))}, off ${int(rps("recording off"))}; gateway CPU per request: on ${f(cpuOn, 0)} µs, off ${f(cpuOff, 0)} µs (${pct(cpuOn / cpuOff - 1)} more with recording). Usage rows written during the run: ${int(rowsWritten)}.`,
      "",
      `Loss within each round (its on run against its off run): ${perRound.map((l) => pct(l)).join(", ")} — the spread is this machine's run-to-run noise.`,
      "",
      ...LOAD_HEAD,
      ...names.flatMap((side) => runsOut[side].map((r, i) => loadRow(`${side} #${i + 1}`, r))),
    ];
  } finally {
    await done();
  }

  // 1M usage rows: test/bench/usage-history.ts (seeds, then times the reads in process).
  let history: { label: string; first: number; median: number }[] = [];
  let historyOut = "";
  let historyError: string | null = null;
  try {
    historyOut = await runScript("test/bench/usage-history.ts", c.opts.quick ? ["100000"] : [], 240_000);
    history = historyOut
      .split("\n")
      .map((l) => /^(GET \S+.*?)\s+first\s+([\d.]+) ms\s+median\s+([\d.]+) ms/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ label: m[1]!.trim(), first: Number(m[2]), median: Number(m[3]) }));
  } catch (err) {
    historyError = err instanceof Error ? err.message : String(err);
  }
  const month = history.find((h) => h.label.startsWith("GET /api/usage/history (30 days by day)"));
  const historyRows = history.filter((h) => h.label.startsWith("GET /api/usage/history"));
  const slowest = historyRows.reduce<(typeof history)[number] | null>((a, b) => (!a || b.median > a.median ? b : a), null);
  const rowsLabel = /seeded ([\d,]+) usage rows/.exec(historyOut)?.[1] ?? "?";

  return {
    issue: 6,
    title: "Issue 6 — usage recording and history",
    targets: [
      {
        issue: 6,
        name: "Usage recording: throughput lost with `usageRecording` on vs off (same run, 16 connections)",
        goal: "< 5%",
        measured: `${pct(loss)} (${int(medOf(runsOut["recording on"], (r) => r.requestsPerSecond))} vs ${int(medOf(runsOut["recording off"], (r) => r.requestsPerSecond))} req/s); gateway CPU/request +${pct(cpuOn / cpuOff - 1)}`,
        pass: loss < 0.05,
        why: `recording costs the gateway ${f(cpuOn - cpuOff, 0)} µs of CPU per request (${f(cpuOn, 0)} vs ${f(cpuOff, 0)} µs; the gateway's CPU is what limits throughput here, so its extra CPU shows up as lost throughput). Each recorded request is priced, counted in budgets, telemetry, Prometheus metrics and sessions, and written as one SQLite row in \`usage_records\` (${indexes.usage_records ?? "?"} indexes) plus its share of the hourly rollup, in batched transactions on the usage writer thread (its CPU counts in the gateway's figure).`,
      },
      {
        issue: 6,
        name: `\`/api/usage/history\` for a month over ${rowsLabel} usage rows (median of 15)`,
        goal: "< 100 ms",
        measured: historyError
          ? `not measured: ${historyError}`
          : `${f(month?.median, 1)} ms by day (first call ${f(month?.first, 1)} ms); slowest variant: ${slowest?.label.replace(/^GET \/api\/usage\/history\s*/, "") ?? "–"} ${f(slowest?.median, 1)} ms`,
        pass: historyError || !month ? null : historyRows.every((h) => h.median < 100) && month.first < 100,
      },
    ],
    details: [
      "Recording on vs off (`PUT /api/settings {\"usageRecording\": …}` between runs, same gateway):",
      "",
      ...onOffRows,
      "",
      `\`bun test/bench/usage-history.ts${c.opts.quick ? " 100000" : ""}\`:`,
      "",
      "```",
      ...(historyError ? [historyError] : historyOut.trim().split("\n")),
      "```",
    ],
    method: [
      `Issue 6: one fresh gateway, non-streaming pass-through to the OpenAI fake, recording switched with \`PUT /api/settings\` before each run; first ${c.opts.quick ? 2 : ISSUE6_WARM_S} s with recording on and ${c.opts.quick ? 1 : 3} s with it off, not measured (a fresh gateway is still compiling its recording path: steady state is what is measured); then ${c.opts.quick ? "1 run" : `${ISSUE6_ROUNDS} runs`} per setting in alternating order (on, off, off, on, …), autocannon, 16 connections, ${c.opts.warmupSeconds} s warm-up + ${c.opts.durationSeconds} s, medians. History: \`test/bench/usage-history.ts\` as a child process (seeds a temporary database with the rows over 30 days, builds the hourly rollup, times the reads in process through the app, 15 calls each); the verdict needs every \`/api/usage/history\` variant's median and the month-by-day first call under 100 ms.`,
    ],
  };
}

// ---------------------------------------------------------------- issue 8: appliance

async function issue8(c: Ctx): Promise<Section> {
  const out = await runScript("test/appliance/measure.ts", [], 300_000);
  const lines = out.trim().split("\n");
  const find = (prefix: string) => lines.find((l) => l.startsWith(prefix)) ?? "";
  const statsOf = (l: string) => {
    const m = /ms (\{[^}]*\})/.exec(l) ?? /latency ms (\{[^}]*\})/.exec(l);
    return m ? (JSON.parse(m[1]!) as Record<string, string>) : null;
  };
  const coldEmpty = statsOf(find("cold start to healthy, empty data dir"));
  const coldExisting = statsOf(find("cold start to healthy, existing data dir"));
  const idleLine = find("database ");
  const dbMb = Number(/database ([\d.]+) MB/.exec(idleLine)?.[1] ?? NaN);
  const idle = statsOf(idleLine);
  const putLine = find("PUT /api/db-backups:");
  const putMs = Number(/PUT \/api\/db-backups: (\d+) ms/.exec(putLine)?.[1] ?? NaN);
  const during = statsOf(putLine);
  const duringCount = /meanwhile: (\d+)/.exec(putLine)?.[1] ?? "?";
  const inProc = lines
    .map((l) => /^in process, backup #(\d+): (\d+) ms, longest event-loop block ([\d.]+) ms/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ n: Number(m[1]), ms: Number(m[2]), block: Number(m[3]) }));
  const worstBlock = inProc.length ? Math.max(...inProc.map((b) => b.block)) : NaN;
  const slowestBackup = inProc.length ? Math.max(...inProc.map((b) => b.ms)) : NaN;
  const maxDuring = Number(during?.max ?? NaN);
  const coldMedian = Number(coldEmpty?.median ?? NaN);
  const known = (x: number, ok: boolean) => (Number.isFinite(x) ? ok : null);
  return {
    issue: 8,
    title: "Issue 8 — appliance",
    targets: [
      {
        issue: 8,
        name: "Binary cold start to healthy, empty data dir (median of 8; migrations included)",
        goal: "< 300 ms",
        measured: `${f(coldMedian, 0)} ms (max ${coldEmpty?.max ?? "–"}; existing data dir: median ${coldExisting?.median ?? "–"}, max ${coldExisting?.max ?? "–"} ms)`,
        pass: known(coldMedian, coldMedian < 300),
      },
      {
        issue: 8,
        name: `Backup of a ${f(dbMb, 0)} MB database (\`PUT /api/db-backups\` while chat requests flow)`,
        goal: "< 2 s",
        measured: `${f(putMs, 0)} ms; in process: ${inProc.map((b) => `${b.ms}`).join(", ")} ms`,
        pass: known(putMs, putMs < 2000 && slowestBackup < 2000),
      },
      {
        issue: 8,
        name: "Longest event-loop block during a backup (in process, 5 ms timer; worst of 3 backups)",
        goal: "< 50 ms",
        measured: `${f(worstBlock, 1)} ms (${inProc.map((b) => `#${b.n}: ${f(b.block, 1)}`).join(", ")})`,
        pass: known(worstBlock, worstBlock < 50),
        why: inProc.length
          ? `the longest block came in backup #${inProc.reduce((a, b) => (b.block > a.block ? b : a)).n} of ${inProc.length} (${inProc.map((b) => `${f(b.block, 1)} ms`).join(", ")}); see the appliance output below.`
          : undefined,
      },
      {
        issue: 8,
        name: "Slowest gateway request while the backup runs (2 clients in a loop)",
        goal: "< 50 ms",
        measured: `${f(maxDuring, 0)} ms max over ${duringCount} requests (p99 ${during?.p99 ?? "–"} ms); with no backup running: max ${idle?.max ?? "–"} ms, p99 ${idle?.p99 ?? "–"} ms`,
        pass: known(maxDuring, maxDuring < 50),
        why: `with no backup running the slowest request already took ${idle?.max ?? "?"} ms, so part of this is the machine (the gateway, its fake upstream and the clients share ${describeMachine().cores} cores), not the backup.`,
      },
    ],
    details: ["`bun test/appliance/measure.ts` (builds its own binary from the current sources first):", "", "```", ...lines, "```"],
    method: [
      "Issue 8: `test/appliance/measure.ts` as a child process: it builds the binary from the current sources, times 8 cold starts on empty and on existing data dirs (spawn → first 200 from `/api/monitoring/health`, polling every 2 ms), fills a data dir with ~100 MB of request logs, then times `PUT /api/db-backups` (and the export and full archive, for information) through the running binary while two clients send chat requests in a loop, and finally the same operations in process with a 5 ms timer measuring how late the event loop runs.",
    ],
  };
}

// ---------------------------------------------------------------- report

function renderSection(r: { date: string; machine: Machine; gw: GatewayCommand; opts: Options; sections: Section[]; errors: { issue: number; message: string }[]; seconds: number; otherCores: number }): string {
  const m = r.machine;
  const lines: string[] = [];
  const out = (...l: string[]) => lines.push(...l);
  out(FEATURES_START, "<!-- Generated by `npm run bench:features` (test/bench/features.ts); edits between these markers are overwritten. -->", "");
  out(`## Feature targets — ${r.date}`, "");
  out(
    "The benchmark targets of issues 3, 4, 5, 6 and 8, measured in one run by `npm run bench:features` (`npm run bench` runs it after the pass-through benchmark above). Options: `--quick` (short runs: a smoke check), `--no-write`, `--source`, `--duration <s>` (5), `--warmup <s>` (1), `--max-wait <s>` (60), `--only 3,4,…` (prints instead of writing). Reported, never asserted. A full run takes about four minutes on an idle machine.",
    "",
  );
  out("### Machine", "");
  out(`- CPU: ${m.cpu}, ${m.cores} cores; RAM ${m.ramGb} GB`);
  out(`- OS: ${m.os} (kernel ${m.kernel})`);
  out(`- Bun ${m.bun}, Node ${m.node}, autocannon ${m.autocannon}`);
  out(`- Gateway under test: ${r.gw.kind === "binary" ? "compiled binary" : "source"} \`${r.gw.display}\`${r.gw.note ? ` — ${r.gw.note}` : ""}, revision ${m.revision}`);
  out(`- Whole run: ${f(r.seconds / 60, 1)} min${r.opts.quick ? " (`--quick`: smoke-check durations, not figures to publish)" : ""}`, "");
  if (r.otherCores > 0.2) out(`> **Noisy run:** other processes used a median ${f(r.otherCores, 2)} cores during the load runs (see *other load* in the tables), so throughput is lower and latency higher than on an idle machine.`, "");
  out("### Targets", "");
  out("| issue | target | goal | measured | result |", "|---|---|---|---|---|");
  const all = r.sections.flatMap((s) => s.targets);
  for (const t of all) out(`| ${t.issue} | ${t.name} | ${t.goal} | ${t.measured} | ${t.pass === null ? "not measured" : t.pass ? "PASS" : "**MISS**"} |`);
  for (const e of r.errors) out(`| ${e.issue} | (the issue's measurement failed) | – | ${e.message.replaceAll("|", "\\|").slice(0, 300)} | not measured |`);
  out("");
  const missed = all.filter((t) => t.pass === false);
  if (missed.length) {
    out("### Missed", "");
    for (const t of missed) out(`- **Issue ${t.issue}, ${t.name}: ${t.measured} against ${t.goal}.**${t.why ? ` Where the time goes: ${t.why}` : ""}`);
    out("");
  }
  for (const s of r.sections) out(`### ${s.title}`, "", ...s.details, "");
  out("### Method", "");
  out(
    "Separate processes on this one machine, sharing its cores: the fake OpenAI upstream (`test/bench/fake-upstream.ts`), the fake Anthropic upstream (`test/bench/fake-anthropic-upstream.ts`), a fresh gateway per issue on an empty temp data dir (`--host 127.0.0.1 --port <free> --data-dir <tmp>`, `LOG_LEVEL=silent`, configured only through its control plane), and one Node load client per run (`test/bench/load-client.mjs`: autocannon, latency from every response's `process.hrtime`; `test/bench/ttft-client.mjs`: time to first token). *gateway CPU µs/req*: user+system CPU of the gateway process during the measured run over the requests answered; *other load*: machine-wide CPU used by no benchmark process during the run, in cores (before each run the benchmark waits up to 15 s for the machine to go quiet, and reruns once a run disturbed by more than 0.3 cores).",
    "",
  );
  for (const s of r.sections) for (const l of s.method) out(`- ${l}`);
  out("", FEATURES_END);
  return lines.join("\n");
}

/** Replaces the features section of `path`; adds the markers after `<!-- bench:end -->` (or at the end) when missing. */
export function writeFeaturesSection(path: string, section: string): void {
  let doc = existsSync(path) ? readFileSync(path, "utf8") : "# Benchmarks\n";
  let start = doc.indexOf(FEATURES_START);
  let end = doc.indexOf(FEATURES_END);
  if (start < 0 || end < start) {
    const benchEnd = doc.indexOf(BENCH_END);
    const at = benchEnd >= 0 ? benchEnd + BENCH_END.length : doc.trimEnd().length;
    const rest = doc.slice(at);
    doc = `${doc.slice(0, at).trimEnd()}\n\n${FEATURES_START}\n${FEATURES_END}\n${rest.trim() ? rest.replace(/^\s*\n/, "\n") : ""}`;
    start = doc.indexOf(FEATURES_START);
    end = doc.indexOf(FEATURES_END);
  }
  writeFileSync(path, doc.slice(0, start) + section + doc.slice(end + FEATURES_END.length));
}

// ---------------------------------------------------------------- main

async function main(): Promise<number> {
  const t0 = performance.now();
  const opts = parseArgs(Bun.argv.slice(2));
  const machine = describeMachine();
  const date = utcDate();
  log(`${machine.cpu}, ${machine.cores} cores, ${machine.ramGb} GB; Bun ${machine.bun}, Node ${machine.node}`);
  const gw = chooseGateway(opts.source);
  log(`gateway: ${gw.display}${gw.note ? ` (${gw.note})` : ""}`);

  const openai = await startUpstream();
  const anthropic = await startAnthropicUpstream();
  log(`fake upstreams: OpenAI on ${openai.port}, Anthropic on ${anthropic.port}`);
  const busy = await waitForQuiet(opts.maxWaitSeconds * 1000);
  log(`machine load before the runs: ${busy.toFixed(2)} cores busy`);

  const ctx: Ctx = { opts, gw, openai, anthropic };
  const plan: [number, (c: Ctx) => Promise<Section>][] = [
    [3, issue3],
    [4, issue4],
    [5, issue5],
    [6, issue6],
    [8, issue8],
  ];
  const sections: Section[] = [];
  const errors: { issue: number; message: string }[] = [];
  for (const [issue, run] of plan) {
    if (opts.only && !opts.only.has(issue)) continue;
    log(`---- issue ${issue}`);
    const started = performance.now();
    try {
      sections.push(await run(ctx));
      log(`issue ${issue} measured in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      log(`issue ${issue} failed: ${message}`);
      errors.push({ issue, message });
    }
  }

  // Median foreign load over every load run, from the tables (other load column).
  const others = sections.flatMap((s) => s.details).flatMap((l) => {
    const cells = l.split("|").map((x) => x.trim());
    return l.startsWith("| ") && cells.length === 10 && /^[\d.]+$/.test(cells[8]!) ? [Number(cells[8])] : [];
  });
  const section = renderSection({ date, machine, gw, opts, sections, errors, seconds: (performance.now() - t0) / 1000, otherCores: others.length ? median(others) : 0 });
  if (opts.write) {
    writeFeaturesSection(REPORT, section);
    log(`wrote ${REPORT}`);
  } else {
    console.log(section);
  }
  console.error("");
  for (const t of sections.flatMap((s) => s.targets)) console.error(`${t.pass === null ? "N/A " : t.pass ? "PASS" : "MISS"}  issue ${t.issue}: ${t.name}: ${t.measured} (goal ${t.goal})`);
  for (const e of errors) console.error(`ERR   issue ${e.issue}: ${e.message}`);
  log(`features benchmark took ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  return errors.length ? 1 : 0;
}

if (import.meta.main) {
  let cleaning: Promise<void> | null = null;
  const cleanOnce = () => (cleaning ??= cleanup());
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      log(`${signal}: stopping child processes`);
      void cleanOnce().then(() => process.exit(130));
    });
  }
  let code = 1;
  try {
    code = await main();
  } catch (err) {
    console.error(`[bench] failed: ${err instanceof Error ? err.message : String(err)}`);
    code = 1;
  } finally {
    await cleanOnce();
  }
  process.exit(code);
}
