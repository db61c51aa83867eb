// Time-to-first-token client for the features benchmark (features.ts), run under Node as its
// own process (like load-client.mjs, which cannot see inside a response: autocannon times
// whole responses only). For each streamed request it records, from the moment the request
// is written, the time until the first token's text arrives in the body (the first
// occurrence of `spec.marker`, e.g. `"Hello ` — the fakes' replies start with that word, in
// an OpenAI `delta.content` and in an Anthropic `text_delta` alike) and the time to the end
// of the stream. Keep-alive connections, `connections` request loops in parallel.
//
//   node test/bench/ttft-client.mjs '<json spec>'
//   spec: { url, headers?, body, marker, connections?, amount?, warmup? }
//   warmup: requests per connection sent first and not recorded.
// Prints one JSON line on stdout.
import http from "node:http";

const spec = JSON.parse(process.argv[2] ?? "{}");
if (!spec.url || !spec.body || !spec.marker) {
  console.error("ttft-client: spec.url, spec.body and spec.marker are required");
  process.exit(2);
}
const url = new URL(spec.url);
const connections = spec.connections ?? 1;
const amount = spec.amount ?? 1000;
const warmup = spec.warmup ?? 100;
const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
const body = Buffer.from(spec.body);
const headers = { ...(spec.headers ?? {}), "content-length": String(body.length) };

/** One request: resolves { ok, ttft, total } in ms. */
function once() {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    let ttft = null;
    let seen = "";
    const req = http.request({ agent, host: url.hostname, port: url.port, path: url.pathname + url.search, method: "POST", headers }, (res) => {
      res.setEncoding("utf8");
      res.on("data", (chunk) => {
        if (ttft !== null) return;
        // Keep only a tail long enough to catch a marker split across two chunks.
        seen = seen.slice(-spec.marker.length) + chunk;
        if (seen.includes(spec.marker)) ttft = Number(process.hrtime.bigint() - t0) / 1e6;
      });
      res.on("end", () => resolve({ ok: res.statusCode === 200 && ttft !== null, status: res.statusCode, ttft, total: Number(process.hrtime.bigint() - t0) / 1e6 }));
      res.on("error", () => resolve({ ok: false, status: res.statusCode, ttft: null, total: null }));
    });
    req.on("error", () => resolve({ ok: false, status: 0, ttft: null, total: null }));
    req.end(body);
  });
}

// Warm-up, not recorded: opens the keep-alive sockets and warms every process's JIT.
await Promise.all(
  Array.from({ length: connections }, async () => {
    for (let i = 0; i < Math.ceil(warmup / connections); i++) await once();
  }),
);

const ttfts = [];
const totals = [];
let failed = 0;
let firstFailure = null;
let next = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: connections }, async () => {
    while (next < amount) {
      next++;
      const r = await once();
      if (r.ok) {
        ttfts.push(r.ttft);
        totals.push(r.total);
      } else {
        failed++;
        firstFailure ??= `status ${r.status}`;
      }
    }
  }),
);
const elapsed = (performance.now() - started) / 1000;
agent.destroy();

const pcts = (xs) => {
  const s = Float64Array.from(xs).sort();
  const n = s.length;
  const at = (p) => (n === 0 ? null : s[Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))]);
  let sum = 0;
  for (const x of s) sum += x;
  return { samples: n, mean: n ? sum / n : null, p50: at(50), p90: at(90), p99: at(99), max: n ? s[n - 1] : null };
};

console.log(JSON.stringify({ connections, requests: ttfts.length, failed, firstFailure, seconds: elapsed, requestsPerSecond: ttfts.length / elapsed, ttftMs: pcts(ttfts), totalMs: pcts(totals) }));
