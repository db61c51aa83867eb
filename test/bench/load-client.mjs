// Load generator for the benchmark, run under Node (not Bun) as its own process so it never
// shares an event loop with what it measures. It drives autocannon's programmatic API and
// also keeps every 2xx response time itself: autocannon's histogram stores whole
// milliseconds, which reads "p50 = 0 ms" against a local upstream; the per-response times
// it emits are floats from process.hrtime, so percentiles computed from them are precise.
//
//   node test/bench/load-client.mjs '<json spec>'
//   spec: { url, method?, headers?, body?, connections, duration? | amount?, warmup? }
// With `warmup` (seconds) the same process first runs that long unmeasured, then prints the
// line "measuring" — the caller reads the servers' CPU time then — and runs the measured part:
// a fresh process's own start (Node, autocannon's JIT, new connections) stays out of it. It
// cost the first 1–2 s of a 5 s run a third of their rate when the warm-up was a separate,
// earlier process (docs/BENCHMARKS.md).
// Prints one JSON line on stdout, last.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const autocannon = require("autocannon");

const spec = JSON.parse(process.argv[2] ?? "{}");
if (!spec.url) {
  console.error("load-client: spec.url is required");
  process.exit(2);
}

const base = {
  url: spec.url,
  method: spec.method ?? "POST",
  headers: spec.headers ?? {},
  body: spec.body,
  connections: spec.connections ?? 16,
  pipelining: 1,
  timeout: 10,
};
const opts = { ...base, ...(spec.amount ? { amount: spec.amount } : { duration: spec.duration ?? 10 }) };

const warmup = Number(spec.warmup ?? 0);
if (warmup > 0) {
  await autocannon({ ...base, duration: warmup });
  process.stdout.write("measuring\n");
}

let times = new Float64Array(1 << 20);
let n = 0;
const cpuAtStart = process.cpuUsage();
const started = performance.now();
const instance = autocannon(opts);
instance.on("response", (_client, statusCode, _bytes, responseTime) => {
  if (statusCode < 200 || statusCode > 299) return;
  if (n === times.length) {
    const bigger = new Float64Array(times.length * 2);
    bigger.set(times);
    times = bigger;
  }
  times[n++] = responseTime;
});

const result = await instance;
const elapsedSeconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuAtStart);
const sorted = times.subarray(0, n).sort();
const pct = (p) => (n === 0 ? null : sorted[Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))]);
let sum = 0;
for (let i = 0; i < n; i++) sum += sorted[i];

console.log(
  JSON.stringify({
    connections: result.connections,
    durationSeconds: elapsedSeconds,
    // This process's CPU during the measured part only (µs).
    clientCpuUs: cpu.user + cpu.system,
    // Duration runs: answered requests over wall time. Fixed-amount runs (the sequential
    // probe) end on autocannon's next whole-second tick, so their wall time says little; the
    // closed-loop rate connections / mean latency (Little's law) is used for them instead.
    requestsPerSecond: spec.amount && n ? (opts.connections * 1000 * n) / sum : result["2xx"] / elapsedSeconds,
    autocannonRequestsPerSecond: result.requests.average,
    requestsTotal: result.requests.total,
    bytesPerSecond: result.throughput.average,
    "2xx": result["2xx"],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    // autocannon's own (whole-millisecond) view, kept for reference.
    autocannonLatencyMs: { p50: result.latency.p50, p99: result.latency.p99, average: result.latency.average, max: result.latency.max },
    // Precise, from the per-response hrtime durations.
    latencyMs: { samples: n, mean: n ? sum / n : null, p50: pct(50), p90: pct(90), p99: pct(99), max: n ? sorted[n - 1] : null },
  }),
);
