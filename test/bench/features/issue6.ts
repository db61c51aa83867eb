// The feature benchmark's Issue 6: usage recording on vs off, history over 1M rows.
import { join } from "node:path";
import { runLoadClient } from "../harness.ts";
import type { LoadResult } from "../report.ts";
import {
  JSON_HEADERS,
  MESSAGES,
  type Section,
  f,
  int,
  pct,
  loadRow,
  LOAD_HEAD,
  api,
  runScript,
  indexCounts,
  type Ctx,
  freshGateway,
  quiet,
  alternate,
  medOf,
} from "./shared.ts";

// ---------------------------------------------------------------- issue 6: usage recording, history

/**
 * Issue 6's on/off runs per side (each side's median is compared), and the unmeasured load
 * before them. One 5 s run moves by ±5% on this machine: with five rounds the verdict on a ~4%
 * loss swung between 1.6% and 5.6% from one benchmark to the next, and with nine, three runs on
 * the same code gave −0.9%, 3.4% and 9.9% (docs/BENCHMARKS.md, fifth pass).
 */
export const ISSUE6_ROUNDS = 15;
export const ISSUE6_WARM_S = 10;

export async function issue6(c: Ctx): Promise<Section> {
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
