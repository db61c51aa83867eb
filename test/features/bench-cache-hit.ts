// `bun test/features/bench-cache-hit.ts`: in-process latency of a response-cache hit against a
// same-format pass-through miss (fake OpenAI upstream on loopback), through the hot route
// handler the server uses (no socket). Prints the figures; asserts nothing (a slow machine must
// not fail anything). Issue target: a hit under 0.5 ms at p50, ≥ 5× pass-through throughput.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp } from "../../src/app.ts";
import { makeConfig } from "../../src/config.ts";
import { hotRoutes } from "../../src/gateway/routes.ts";
import { createServices } from "../../src/services.ts";
import { startFakeOpenAi } from "../support/fake-openai.ts";

const N = Number(process.argv[2] ?? 5000);
const fake = startFakeOpenAi();
const dataDir = mkdtempSync(join(tmpdir(), "omniroute-bench-cache-"));
const services = createServices(makeConfig({ dataDir, logLevel: "silent", usageFlushMs: 200 }));
const app = createApp(services);
await app.handle(
  new Request("http://localhost/api/providers", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ provider: "openai", apiKey: "sk-fake-upstream", name: "bench", providerSpecificData: { baseUrl: fake.baseUrl } }),
  }),
);
const chat = hotRoutes(services)["/v1/chat/completions"]!;
const messages = [{ role: "user", content: "Say hello in one short sentence." }];
const request = (body: object) =>
  new Request("http://localhost/v1/chat/completions", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

async function measure(label: string, body: object, n: number) {
  const probe = await chat(request(body), undefined);
  if (probe.status !== 200) throw new Error(`${label}: ${probe.status} ${await probe.text()}`);
  await probe.arrayBuffer();
  for (let i = 0; i < Math.min(200, n); i++) await (await chat(request(body), undefined)).arrayBuffer();
  const times: number[] = [];
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const res = await chat(request(body), undefined);
    await res.arrayBuffer();
    times.push(performance.now() - t);
  }
  const total = performance.now() - started;
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!.toFixed(3);
  const rps = n / (total / 1000);
  console.log(`${label.padEnd(28)} p50 ${q(0.5)} ms  p95 ${q(0.95)} ms  p99 ${q(0.99)} ms  ${rps.toFixed(0)} req/s (sequential, in process)`);
  return rps;
}

const hitRps = await measure("cache hit (temperature 0)", { model: "openai/gpt-4o-mini", temperature: 0, messages }, N);
const hitStreamRps = await measure("cache hit, streamed", { model: "openai/gpt-4o-mini", temperature: 0, stream: true, messages }, N);
const missRps = await measure("pass-through (not cached)", { model: "openai/gpt-4o-mini", messages }, Math.min(N, 2000));
// What the cache's checks cost a request it does not apply to: the same pass-through with the cache off.
services.store.settings = { ...services.store.settings, cacheEnabled: false };
await measure("pass-through, cache off", { model: "openai/gpt-4o-mini", messages }, Math.min(N, 2000));
services.store.settings = { ...services.store.settings, cacheEnabled: true };
await measure("pass-through (not cached)", { model: "openai/gpt-4o-mini", messages }, Math.min(N, 2000));
console.log(`hit / pass-through throughput: ${(hitRps / missRps).toFixed(1)}× (streamed hit ${(hitStreamRps / missRps).toFixed(1)}×)`);
console.log(`cache stats: ${JSON.stringify(services.features.cache.stats())}`);

services.close();
fake.close();
rmSync(dataDir, { recursive: true, force: true });
