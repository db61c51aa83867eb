// Profiles the gateway under the benchmark's load: `bun test/bench/profile.ts [options]`.
// Runs the gateway from source under `bun --cpu-prof --cpu-prof-md` (Bun writes the profile
// when the process exits), drives it with the same load client as the benchmark, stops it
// with SIGTERM and prints where the .cpuprofile (Chrome DevTools) and .md summary went.
//   --seconds <n>      measured load (default 10, after 2 s of warm-up)
//   --connections <n>  default 16
//   --stream           profile streamed requests instead of plain JSON ones
//   --recording-off    with the usageRecording setting off (compare with a default run)
//   --out <dir>        where to write the profile (default test/.artifacts/profile)
//   -- <flags…>        passed on to the gateway, e.g. `-- --usage-flush-ms 60000` to leave
//                      the usage writer out of the picture
import { mkdirSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { configureGateway, measure, ROOT, sanityCheck, startGateway, startUpstream, threadCpuSeconds, type GatewayCommand } from "./harness.ts";
import { cleanup, stop, tempDir } from "./procs.ts";

const all = Bun.argv.slice(2);
const dash = all.indexOf("--");
const argv = dash >= 0 ? all.slice(0, dash) : all;
const gatewayFlags = dash >= 0 ? all.slice(dash + 1) : [];
const arg = (flag: string) => {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
};
const seconds = Number(arg("--seconds") ?? 10);
const connections = Number(arg("--connections") ?? 16);
const stream = argv.includes("--stream");
const recordingOff = argv.includes("--recording-off");
const out = resolve(arg("--out") ?? join(ROOT, "test", ".artifacts", "profile"));

let code = 1;
try {
  mkdirSync(out, { recursive: true });
  const upstream = await startUpstream();
  const cmd: GatewayCommand = {
    kind: "source",
    argv: (d, p) => [process.execPath, "--cpu-prof", "--cpu-prof-md", `--cpu-prof-dir=${out}`, join(ROOT, "src", "main.ts"), "--host", "127.0.0.1", "--port", String(p), "--data-dir", d, ...gatewayFlags],
    display: "bun --cpu-prof src/main.ts",
    note: null,
  };
  const g = await startGateway(cmd, tempDir("omniroute-profile-"));
  await configureGateway(g.base, upstream.port);
  const body = JSON.stringify({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "Say hello in one short sentence." }], ...(stream ? { stream: true } : {}) });
  await sanityCheck(g.base, JSON.stringify({ ...JSON.parse(body), stream: false }), JSON.stringify({ ...JSON.parse(body), stream: true }));
  if (recordingOff) await fetch(`${g.base}/api/settings`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ usageRecording: false }) });
  const before = new Set(readdirSync(out));
  const threadsBefore = threadCpuSeconds(g.proc.pid);
  const result = await measure(`gateway${stream ? " stream" : ""} (profiled)`, { url: `${g.base}/v1/chat/completions`, headers: { "content-type": "application/json" }, body, connections, duration: seconds }, 2, {
    proxy: g.proc.pid,
    upstream: upstream.proc.pid,
  });
  // Where the process's CPU went, thread by thread (event loop, Bun's HTTP client thread, the
  // usage writer, the garbage collector and JIT threads), per answered request. The warm-up is
  // included: the split, not the absolute figure, is the point.
  const answered = Math.max(1, result["2xx"]);
  for (const [thread, seconds] of threadCpuSeconds(g.proc.pid)) {
    const used = seconds - (threadsBefore.get(thread) ?? 0);
    if (used > 0.01) console.log(`[profile] thread ${thread.padEnd(24)} ${((used * 1e6) / answered).toFixed(1).padStart(7)} µs per request`);
  }
  await stop(g.proc, 15_000);
  const written = readdirSync(out).filter((f) => !before.has(f));
  if (written.length === 0) throw new Error(`no profile written to ${out}: ${g.stderr()}`);
  for (const f of written) console.log(join(out, f));
  code = 0;
} catch (err) {
  console.error(`[profile] failed: ${err instanceof Error ? err.message : String(err)}`);
} finally {
  await cleanup();
}
process.exit(code);
