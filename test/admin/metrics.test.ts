// GET /metrics: a valid Prometheus text exposition (format 0.0.4) with the gateway's series.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Counter, PromHistogram, sample } from "../../src/usage/prometheus.ts";
import { startFakeOpenAi, type FakeOpenAi } from "../support/fake-openai.ts";
import { startGateway, type TestGateway } from "../support/gateway.ts";
import { addConnection, chat, createKey } from "../support/setup.ts";

let fake: FakeOpenAi;
let gw: TestGateway;

beforeAll(async () => {
  fake = startFakeOpenAi();
  gw = await startGateway();
  await addConnection(gw, { provider: "openai", baseUrl: fake.baseUrl });
});
afterAll(async () => {
  await gw.close();
  fake.close();
});

/** Parses an exposition: families with their TYPE and samples; throws on a malformed line. */
function parse(text: string) {
  const types = new Map<string, string>();
  const samples: { name: string; labels: Record<string, string>; value: number }[] = [];
  const line = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/;
  const label = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
  for (const l of text.split("\n")) {
    if (!l) continue;
    if (l.startsWith("# TYPE ")) {
      const [, , name, type] = l.split(" ");
      expect(types.has(name!)).toBe(false); // one TYPE per family
      types.set(name!, type!);
      continue;
    }
    if (l.startsWith("# HELP ")) continue;
    const m = line.exec(l);
    if (!m) throw new Error(`bad line: ${l}`);
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[3] ?? "").matchAll(label)) labels[k!] = v!;
    const value = m[4] === "+Inf" ? Infinity : Number(m[4]);
    expect(Number.isNaN(value)).toBe(false);
    // Every sample belongs to a family declared before it.
    const family = m[1]!.replace(/_(bucket|sum|count)$/, "");
    expect(types.has(m[1]!) || types.has(family)).toBe(true);
    samples.push({ name: m[1]!, labels, value });
  }
  return { types, samples };
}

describe("GET /metrics", () => {
  test("requests, errors, latency histogram, tokens, cost, queue and budgets", async () => {
    const key = await createKey(gw, "metered");
    await gw.request("/api/usage/budget", { method: "POST", json: { keyId: key.id, limit: 10, period: "monthly" } });
    for (let i = 0; i < 3; i++) await (await gw.request("/v1/chat/completions", { method: "POST", json: chat("openai/gpt-4o-mini"), headers: { authorization: `Bearer ${key.key}` } })).text();
    await (await gw.request("/v1/chat/completions", { method: "POST", json: chat("openai/gpt-4o-mini", { stream: true }) })).text();
    await (await gw.request("/v1/chat/completions", { method: "POST", json: chat("openai/gpt-4o-mini-error-400") })).text();

    const res = await gw.request("/metrics");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const { types, samples } = parse(await res.text());
    const find = (name: string, labels: Record<string, string> = {}) =>
      samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));

    expect(types.get("omniroute_requests_total")).toBe("counter");
    expect(find("omniroute_requests_total", { provider: "openai", client_format: "openai-chat", status: "200" })[0]!.value).toBe(4);
    expect(find("omniroute_request_errors_total", { provider: "openai" }).reduce((n, s) => n + s.value, 0)).toBe(1);

    expect(types.get("omniroute_request_duration_seconds")).toBe("histogram");
    const buckets = find("omniroute_request_duration_seconds_bucket", { provider: "openai" });
    const values = buckets.map((b) => b.value);
    expect(values).toEqual([...values].sort((a, b) => a - b)); // cumulative
    expect(buckets.at(-1)!.labels.le).toBe("+Inf");
    expect(buckets.at(-1)!.value).toBe(find("omniroute_request_duration_seconds_count", { provider: "openai" })[0]!.value);
    expect(find("omniroute_time_to_first_token_seconds_count", { provider: "openai" })[0]!.value).toBe(1);

    expect(find("omniroute_tokens_total", { provider: "openai", model: "gpt-4o-mini", kind: "prompt" })[0]!.value).toBeGreaterThan(0);
    expect(find("omniroute_cost_usd_total", { provider: "openai", model: "gpt-4o-mini" })[0]!.value).toBeGreaterThan(0);
    expect(types.get("omniroute_usage_queue_depth")).toBe("gauge");
    expect(find("omniroute_usage_rows_written_total").length).toBe(1);
    expect(find("omniroute_requests_in_flight")[0]!.value).toBe(0);
    expect(find("omniroute_budget_limit_usd", { key_id: key.id })[0]!.value).toBe(10);
    expect(find("omniroute_budget_spent_usd", { key_id: key.id })[0]!.value).toBeGreaterThan(0);
  });
});

describe("exposition details", () => {
  test("label values are escaped; histograms count each observation once", () => {
    const c = new Counter("x_total", "a help\nwith a newline", ["model"]);
    c.inc(['we"ird\\model\nname'], 2);
    expect(c.render()).toBe('# HELP x_total a help\\nwith a newline\n# TYPE x_total counter\nx_total{model="we\\"ird\\\\model\\nname"} 2\n');
    const h = new PromHistogram("d_seconds", "d", ["p"], [0.1, 1]);
    h.observe(["a"], 0.05);
    h.observe(["a"], 0.5);
    h.observe(["a"], 5);
    expect(h.render()).toContain('d_seconds_bucket{p="a",le="0.1"} 1\nd_seconds_bucket{p="a",le="1"} 2\nd_seconds_bucket{p="a",le="+Inf"} 3\nd_seconds_sum{p="a"} 5.55\nd_seconds_count{p="a"} 3\n');
    expect(sample("g", {}, Infinity)).toBe("g +Inf\n");
  });
});

describe("access", () => {
  test("while dashboard login is enforced, /metrics needs the admin token (or a session)", async () => {
    const locked = await startGateway({ adminToken: "prom-scrape-token-0123456789" });
    try {
      const set = await locked.request("/api/settings/require-login", { method: "PUT", json: { password: "a long enough password", requireLogin: true } });
      expect(set.status).toBe(200);
      const anonymous = await locked.request("/metrics");
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get("www-authenticate")).toContain("Bearer");
      const scraper = await locked.request("/metrics", { headers: { authorization: "Bearer prom-scrape-token-0123456789" } });
      expect(scraper.status).toBe(200);
      expect(await scraper.text()).toContain("# TYPE omniroute_requests_total counter");
    } finally {
      await locked.close();
    }
  });
});

