// `npm run bench`: measures what the gateway adds on top of an OpenAI-compatible upstream
// and what the gateway process costs, then rewrites the results section of docs/BENCHMARKS.md.
//
// Processes: the fake upstream (Bun), the gateway (compiled binary, or `bun src/main.ts`),
// and one Node load-client process per run. The targets (issue): gateway throughput at least
// 1/3 of direct, added p50 latency under 1 ms at 16 connections, idle RSS under 80 MB, start
// to first answered request under 300 ms. They are reported, never asserted: a slow CI box
// must not fail a build over a benchmark.
import { join } from "node:path";
import {
  chooseGateway,
  configureGateway,
  log,
  DISTURBED_CORES,
  measureQuietly,
  median,
  ROOT,
  sanityCheck,
  startBareProxy,
  startGateway,
  startUpstream,
  UPSTREAM_KEY,
  waitForQuiet,
  type LoadSpec,
} from "./harness.ts";
import { describeMachine, utcDate } from "./machine.ts";
import { cleanup, memoryOf, removeDir, stop, tempDir } from "./procs.ts";
import { renderSection, writeReport, type BenchReport, type LoadResult, type Run, type Side, type Target } from "./report.ts";

const REPORT = join(ROOT, "docs", "BENCHMARKS.md");

const TARGET = { ratio: 1 / 3, addedP50Ms: 1, idleRssMb: 80, startMs: 300 };

// ---------------------------------------------------------------- options

interface Options {
  durationSeconds: number;
  warmupSeconds: number;
  rounds: number;
  connections: number;
  starts: number;
  probeRequests: number;
  source: boolean;
  write: boolean;
  maxWaitSeconds: number;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { durationSeconds: 10, warmupSeconds: 2, rounds: 3, connections: 16, starts: 5, probeRequests: 2000, source: false, write: true, maxWaitSeconds: 300 };
  const num = (flag: string, v: string | undefined) => {
    const n = Number(v);
    if (!v || !Number.isFinite(n) || n <= 0) throw new Error(`${flag} needs a positive number`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--source") o.source = true;
    else if (a === "--no-write") o.write = false;
    else if (a === "--quick") Object.assign(o, { durationSeconds: 3, warmupSeconds: 1, rounds: 1, starts: 3, probeRequests: 500 });
    else if (a === "--duration") o.durationSeconds = num(a, argv[++i]);
    else if (a === "--warmup") o.warmupSeconds = num(a, argv[++i]);
    else if (a === "--rounds") o.rounds = Math.round(num(a, argv[++i]));
    else if (a === "--connections") o.connections = Math.round(num(a, argv[++i]));
    else if (a === "--starts") o.starts = Math.round(num(a, argv[++i]));
    else if (a === "--probe") o.probeRequests = Math.round(num(a, argv[++i]));
    else if (a === "--max-wait") o.maxWaitSeconds = Number(argv[++i] ?? "0") || 0;
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}


// ---------------------------------------------------------------- main

async function main(): Promise<number> {
  const opts = parseArgs(Bun.argv.slice(2));
  const machine = describeMachine();
  const date = utcDate();
  log(`${machine.cpu}, ${machine.cores} cores, ${machine.ramGb} GB; Bun ${machine.bun}, Node ${machine.node}`);

  const gw = await chooseGateway(opts.source);
  log(`gateway: ${gw.display}${gw.note ? ` (${gw.note})` : ""}`);

  const upstream = await startUpstream();
  log(`fake upstream on 127.0.0.1:${upstream.port} (pid ${upstream.proc.pid})`);

  await waitForQuiet(opts.maxWaitSeconds * 1000);

  // Cold starts: a new process on a fresh, empty data dir each time.
  const startRuns: number[] = [];
  const rssAtReady: number[] = [];
  let measuredTo = "";
  for (let i = 0; i < opts.starts; i++) {
    const dir = tempDir("omniroute-bench-start-");
    const g = await startGateway(gw, dir);
    startRuns.push(g.readyMs);
    rssAtReady.push(memoryOf(g.proc.pid).rssMb);
    measuredTo = g.measuredTo;
    await stop(g.proc);
    removeDir(dir);
    log(`cold start ${i + 1}/${opts.starts}: ${g.readyMs.toFixed(1)} ms to first answer`);
  }

  // The instance under load, and the reference proxy beside it.
  const dataDir = tempDir("omniroute-bench-");
  const g = await startGateway(gw, dataDir);
  await configureGateway(g.base, upstream.port);
  const bare = await startBareProxy(upstream.port);

  const message = { role: "user", content: "Say hello in one short sentence." };
  const directBody = JSON.stringify({ model: "gpt-4o-mini", messages: [message] });
  const gatewayBody = JSON.stringify({ model: "openai/gpt-4o-mini", messages: [message] });
  const directStreamBody = JSON.stringify({ model: "gpt-4o-mini", messages: [message], stream: true });
  const gatewayStreamBody = JSON.stringify({ model: "openai/gpt-4o-mini", messages: [message], stream: true });
  await sanityCheck(g.base, gatewayBody, gatewayStreamBody);

  await Bun.sleep(2000);
  const idleAfterStart = memoryOf(g.proc.pid).rssMb;
  log(`gateway idle RSS after start: ${idleAfterStart.toFixed(1)} MB`);

  const json = { "content-type": "application/json" };
  const targets: Record<Side, { url: string; headers: Record<string, string>; body: string; streamBody: string; pids: { proxy?: number; upstream: number } }> = {
    direct: {
      url: `http://127.0.0.1:${upstream.port}/v1/chat/completions`,
      headers: { ...json, authorization: `Bearer ${UPSTREAM_KEY}` },
      body: directBody,
      streamBody: directStreamBody,
      pids: { upstream: upstream.proc.pid },
    },
    gateway: { url: `${g.base}/v1/chat/completions`, headers: json, body: gatewayBody, streamBody: gatewayStreamBody, pids: { proxy: g.proc.pid, upstream: upstream.proc.pid } },
    bare: { url: `http://127.0.0.1:${bare.port}/v1/chat/completions`, headers: json, body: gatewayBody, streamBody: gatewayStreamBody, pids: { proxy: bare.proc.pid, upstream: upstream.proc.pid } },
  };
  const spec = (side: Side, opt: { stream?: boolean; connections?: number; amount?: number } = {}): LoadSpec => ({
    url: targets[side].url,
    headers: targets[side].headers,
    body: opt.stream ? targets[side].streamBody : targets[side].body,
    connections: opt.connections ?? opts.connections,
    ...(opt.amount ? { amount: opt.amount } : { duration: opts.durationSeconds }),
  });

  const quiet = (label: string, spec: LoadSpec, warmupSeconds: number, pids: { proxy?: number; upstream: number }) =>
    measureQuietly(label, spec, warmupSeconds, pids, { maxWaitMs: Math.min(60, opts.maxWaitSeconds) * 1000, retries: 2 });
  const busyBefore = await waitForQuiet(opts.maxWaitSeconds * 1000);
  log(`machine load before the runs: ${busyBefore.toFixed(2)} cores busy`);

  // Each round runs every side once; the order rotates so no side always follows the same one.
  const SIDES: Side[] = ["direct", "gateway", "bare"];
  const runs: Run[] = [];
  for (let round = 1; round <= opts.rounds; round++) {
    for (let k = 0; k < SIDES.length; k++) {
      const side = SIDES[(k + round - 1) % SIDES.length]!;
      const result = await quiet(`${side} #${round}`, spec(side), opts.warmupSeconds, targets[side].pids);
      runs.push({ side, round, result });
    }
  }

  const stream = {
    direct: await quiet("direct stream", spec("direct", { stream: true }), opts.warmupSeconds, targets.direct.pids),
    gateway: await quiet("gateway stream", spec("gateway", { stream: true }), opts.warmupSeconds, targets.gateway.pids),
  };

  const probe = {} as Record<Side, LoadResult>;
  for (const side of SIDES) probe[side] = await quiet(`${side} 1-conn probe`, spec(side, { connections: 1, amount: opts.probeRequests }), 1, targets[side].pids);

  // Right after a burst the heap has not been handed back yet (JavaScriptCore's scavenger
  // returns freed pages over the next seconds), so RSS is read twice: soon, and settled.
  await Bun.sleep(3000);
  const soon = memoryOf(g.proc.pid);
  await Bun.sleep(12_000);
  const after = memoryOf(g.proc.pid);
  log(`gateway idle RSS after load: ${soon.rssMb.toFixed(1)} MB at +3 s, ${after.rssMb.toFixed(1)} MB at +15 s (peak ${after.peakMb.toFixed(1)} MB)`);

  // ---- summary: the median run of each side
  // Runs that other processes disturbed (after the retries) stay in the raw table but are
  // left out of a side's median whenever that side has at least one undisturbed run.
  const disturbed = (r: LoadResult) => (r.otherCores ?? 0) >= DISTURBED_CORES;
  const counted = (side: Side) => {
    const all = runs.filter((r) => r.side === side);
    const clean = all.filter((r) => !disturbed(r.result));
    return clean.length > 0 ? clean : all;
  };
  const med = (side: Side, pick: (r: LoadResult) => number | null) => median(counted(side).map((r) => pick(r.result) ?? NaN));
  for (const r of runs) r.counted = counted(r.side).includes(r);
  const summary = Object.fromEntries(
    SIDES.map((side) => [side, { rps: med(side, (r) => r.requestsPerSecond), p50: med(side, (r) => r.latencyMs.p50), p99: med(side, (r) => r.latencyMs.p99), proxyCpuUs: med(side, (r) => r.cpuUsPerRequest?.proxy ?? null) }]),
  ) as BenchReport["summary"];
  const ratio = summary.gateway.rps / summary.direct.rps;
  const addedP50At16 = summary.gateway.p50 - summary.direct.p50;
  const addedP50At1 = (probe.gateway.latencyMs.p50 ?? NaN) - (probe.direct.latencyMs.p50 ?? NaN);
  const gatewayFailures = [...runs.filter((r) => r.side === "gateway").map((r) => r.result), stream.gateway, probe.gateway].reduce((n, r) => n + r.non2xx + r.errors + r.timeouts, 0);
  const startMedian = median(startRuns);
  const rps = (n: number) => Math.round(n).toLocaleString("en-US");

  const targetRows: Target[] = [
    {
      name: "Non-streaming throughput, gateway / direct",
      goal: "≥ 0.333",
      measured: `${ratio.toFixed(3)} (${rps(summary.gateway.rps)} / ${rps(summary.direct.rps)} req/s)${gatewayFailures ? `, ${gatewayFailures} failed requests` : ""}`,
      pass: ratio >= TARGET.ratio && gatewayFailures === 0,
    },
    {
      name: `Added p50 latency at ${opts.connections} connections`,
      goal: "< 1 ms",
      measured: `${addedP50At16.toFixed(3)} ms (${summary.gateway.p50.toFixed(3)} − ${summary.direct.p50.toFixed(3)}); at 1 connection: ${addedP50At1.toFixed(3)} ms`,
      pass: addedP50At16 < TARGET.addedP50Ms,
    },
    { name: "Idle RSS after start", goal: "< 80 MB", measured: `${idleAfterStart.toFixed(1)} MB`, pass: idleAfterStart < TARGET.idleRssMb },
    {
      name: "Idle RSS after the load runs (15 s idle)",
      goal: "< 80 MB",
      measured: `${after.rssMb.toFixed(1)} MB (${soon.rssMb.toFixed(1)} MB after 3 s; peak under load ${after.peakMb.toFixed(1)} MB)`,
      pass: after.rssMb < TARGET.idleRssMb,
    },
    { name: "Start → first answered request (median)", goal: "< 300 ms", measured: `${startMedian.toFixed(1)} ms`, pass: startMedian < TARGET.startMs },
  ];

  const report: BenchReport = {
    date,
    machine,
    gateway: { kind: gw.kind, command: gw.display, note: gw.note },
    settings: {
      connections: opts.connections,
      durationSeconds: opts.durationSeconds,
      warmupSeconds: opts.warmupSeconds,
      rounds: opts.rounds,
      starts: opts.starts,
      probeRequests: opts.probeRequests,
      body: gatewayBody,
      quietWaitSeconds: Math.min(60, opts.maxWaitSeconds),
    },
    startup: { runsMs: startRuns, medianMs: startMedian, measuredTo, rssAtReadyMb: rssAtReady },
    memory: { idleAfterStartMb: idleAfterStart, afterLoad3sMb: soon.rssMb, afterLoad15sMb: after.rssMb, peakMb: after.peakMb },
    runs,
    stream,
    probe,
    summary,
    derived: { ratio, addedP50At16, addedP50At1, otherCoresMedian: median(runs.filter((r) => r.counted).map((r) => r.result.otherCores ?? 0)) },
    targets: targetRows,
  };

  const section = renderSection(report);
  if (opts.write) {
    writeReport(REPORT, section);
    log(`wrote ${REPORT}`);
  } else {
    console.log(section);
  }
  console.error("");
  for (const t of targetRows) console.error(`${t.pass ? "PASS" : "MISS"}  ${t.name}: ${t.measured} (goal ${t.goal})`);
  return 0;
}

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
