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
// never asserted. Each issue's runs are in features/issueN.ts; what they share in
// features/shared.ts, the report section in features/section.ts.
//
// Options: --quick (short runs, one round: a smoke check), --no-write (print the section),
// --source (measure `bun src/main.ts`), --duration <s> (default 5), --warmup <s> (1),
// --max-wait <s> (60: how long to wait for a quiet machine first), --only 3,4,… (some issues;
// prints the section instead of writing it, so a partial run never replaces the full results).
import { log, median, startUpstream, waitForQuiet } from "./harness.ts";
import { describeMachine, utcDate } from "./machine.ts";
import { cleanup } from "./procs.ts";
import { REPORT, type Options, type Section, chooseGateway, startAnthropicUpstream, type Ctx } from "./features/shared.ts";
import { issue3 } from "./features/issue3.ts";
import { issue4 } from "./features/issue4.ts";
import { issue5 } from "./features/issue5.ts";
import { issue6 } from "./features/issue6.ts";
import { issue8 } from "./features/issue8.ts";
import { renderSection, writeFeaturesSection } from "./features/section.ts";

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
