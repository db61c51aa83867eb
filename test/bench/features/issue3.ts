// The feature benchmark's Issue 3: cross-format streaming.
import { median, UPSTREAM_KEY } from "../harness.ts";
import type { LoadResult } from "../report.ts";
import {
  ANTHROPIC_KEY,
  JSON_HEADERS,
  MESSAGES,
  FIRST_TOKEN,
  type Section,
  f,
  int,
  failedOf,
  loadRow,
  LOAD_HEAD,
  addProvider,
  type TtftResult,
  runTtft,
  type Ctx,
  freshGateway,
  quiet,
  alternate,
  medOf,
} from "./shared.ts";

// ---------------------------------------------------------------- issue 3: cross-format streaming

export async function issue3(c: Ctx): Promise<Section> {
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
