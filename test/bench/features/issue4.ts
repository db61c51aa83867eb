// The feature benchmark's Issue 4: a combo whose first target is refused.
import { log, UPSTREAM_KEY } from "../harness.ts";
import { freePort } from "../procs.ts";
import type { LoadResult } from "../report.ts";
import {
  JSON_HEADERS,
  MESSAGES,
  type Section,
  f,
  failedOf,
  loadRow,
  LOAD_HEAD,
  api,
  addProvider,
  type Ctx,
  openaiBase,
  freshGateway,
  quiet,
  alternate,
  medOf,
} from "./shared.ts";

// ---------------------------------------------------------------- issue 4: combo with a dead first target

export async function issue4(c: Ctx): Promise<Section> {
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
