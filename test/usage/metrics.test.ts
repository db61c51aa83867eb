import { expect, test } from "bun:test";
import { GatewayMetrics, type ScrapeState } from "../../src/usage/metrics.ts";
import type { UsageEntry } from "../../src/usage/recorder.ts";

const state: ScrapeState = { usageQueue: { queued: 0, written: 0, dropped: 0 }, inFlight: 0, streams: 0, budgets: [], startedAt: 0 };
const row = (o: Partial<UsageEntry>): UsageEntry => ({ requestId: "r", timestamp: 0, endpoint: "/v1/chat/completions", clientFormat: "openai-chat", status: 200, latencyMs: 100, provider: "openai", model: "a", ...o });
/** Every sample line as name{labels} → value. */
const samples = (text: string) => new Map(text.split("\n").filter((l) => l && !l.startsWith("#")).map((l) => [l.slice(0, l.lastIndexOf(" ")), Number(l.slice(l.lastIndexOf(" ") + 1))]));

test("each request adds to its own series of every family; series appear only once something was added", () => {
  const m = new GatewayMetrics();
  m.observe(row({ model: "a", promptTokens: 10, completionTokens: 5, costUsd: 0.5 }));
  m.observe(row({ model: "a", promptTokens: 1, latencyMs: 3000 }));
  m.observe(row({ model: "b", status: 429, errorCode: "rate_limited", stream: true, ttfbMs: 200, cachedTokens: 4, reasoningTokens: 2, costEstimated: true }));
  m.observe(row({ model: "b", clientFormat: "claude", promptTokens: 7 }));
  m.observe(row({ provider: null, model: null, status: 404 }));
  m.observe(row({ model: "a", status: 500 }));
  m.observe(row({ model: "a", clientFormat: "claude" }));
  const s = samples(m.render(state));
  expect(s.get('omniroute_requests_total{provider="openai",client_format="openai-chat",status="200"}')).toBe(2);
  expect(s.get('omniroute_requests_total{provider="openai",client_format="openai-chat",status="429"}')).toBe(1);
  expect(s.get('omniroute_requests_total{provider="openai",client_format="claude",status="200"}')).toBe(2);
  expect(s.get('omniroute_requests_total{provider="openai",client_format="openai-chat",status="500"}')).toBe(1);
  expect(s.get('omniroute_requests_total{provider="none",client_format="openai-chat",status="404"}')).toBe(1);
  expect(s.get('omniroute_request_errors_total{provider="openai",code="rate_limited"}')).toBe(1);
  expect(s.get('omniroute_request_errors_total{provider="none",code="error"}')).toBe(1);
  expect(s.get('omniroute_request_errors_total{provider="openai",code="error"}')).toBe(1);
  // One latency histogram per provider, whatever the model or status.
  expect(s.get('omniroute_request_duration_seconds_count{provider="openai"}')).toBe(6);
  expect(s.get('omniroute_request_duration_seconds_bucket{provider="openai",le="0.1"}')).toBe(5);
  expect(s.get('omniroute_request_duration_seconds_sum{provider="openai"}')).toBeCloseTo(3.5, 9);
  expect(s.get('omniroute_time_to_first_token_seconds_count{provider="openai"}')).toBe(1);
  expect(s.get('omniroute_tokens_total{provider="openai",model="a",kind="prompt"}')).toBe(11);
  expect(s.get('omniroute_tokens_total{provider="openai",model="a",kind="completion"}')).toBe(5);
  expect(s.get('omniroute_tokens_total{provider="openai",model="b",kind="prompt"}')).toBe(7);
  expect(s.get('omniroute_tokens_total{provider="openai",model="b",kind="cached"}')).toBe(4);
  expect(s.get('omniroute_tokens_total{provider="openai",model="b",kind="reasoning"}')).toBe(2);
  expect(s.get('omniroute_cost_usd_total{provider="openai",model="a"}')).toBe(0.5);
  expect(s.get('omniroute_cost_estimated_requests_total{provider="openai"}')).toBe(1);
  // Nothing was added to these: no series (no zero lines).
  expect(s.has('omniroute_tokens_total{provider="openai",model="a",kind="cached"}')).toBe(false);
  expect(s.has('omniroute_cost_usd_total{provider="openai",model="b"}')).toBe(false);
  expect(s.has('omniroute_time_to_first_token_seconds_count{provider="none"}')).toBe(false);
});
