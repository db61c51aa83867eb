import { expect, test } from "bun:test";
import { MAX_ACTIVE, SessionTracker, type LiveRecord } from "../../src/usage/sessions.ts";
import type { UsageEntry } from "../../src/usage/recorder.ts";

let n = 0;
function finish(t: SessionTracker, client: { ua: string; ip?: string; key?: string }, tokens = 10) {
  const rec: LiveRecord = { requestId: `r${n++}`, timestamp: 0, endpoint: "/v1/chat/completions", clientFormat: "openai-chat", apiKeyId: client.key ?? null, requestedModel: `m${n}`, provider: null, model: null, stream: false, streamChunks: 0 };
  const slot = t.begin(rec, { userAgent: client.ua, clientIp: client.ip ?? "127.0.0.1" });
  const row: UsageEntry = { requestId: rec.requestId, timestamp: 0, endpoint: rec.endpoint, clientFormat: rec.clientFormat, status: 200, latencyMs: 1, apiKeyId: rec.apiKeyId, requestedModel: rec.requestedModel, totalTokens: tokens, costUsd: 0.5 };
  t.end(slot, row);
}
const recent = (t: SessionTracker) => t.snapshot(new Map(), () => false).recentClients;

test("recent clients: one entry per client, most recent first, counts added up", () => {
  const t = new SessionTracker();
  finish(t, { ua: "a" });
  finish(t, { ua: "a" });
  finish(t, { ua: "b" });
  finish(t, { ua: "a", ip: "10.0.0.2" });
  finish(t, { ua: "a", key: "k1" });
  finish(t, { ua: "b" }, 5);
  expect(recent(t).map((c) => [c.userAgent, c.clientIp, c.keyId, c.requests, c.tokens])).toEqual([
    ["b", "127.0.0.1", null, 2, 15],
    ["a", "127.0.0.1", "k1", 1, 10],
    ["a", "10.0.0.2", null, 1, 10],
    ["a", "127.0.0.1", null, 2, 20],
  ]);
  expect(recent(t)[0]).toMatchObject({ lastModel: `m${n}`, costUsd: 1 });
  expect(t.inFlight).toBe(0);
});

test("past 200 clients the least recently seen one goes, however often it was seen before", () => {
  const t = new SessionTracker();
  for (let i = 0; i < 5; i++) finish(t, { ua: "old-but-busy" });
  for (let i = 0; i < 199; i++) finish(t, { ua: `c${i}` });
  finish(t, { ua: "c0" }); // c0 is recent again
  finish(t, { ua: "newcomer" });
  const agents = recent(t).map((c) => c.userAgent);
  expect(agents).toHaveLength(200);
  expect(agents).not.toContain("old-but-busy");
  expect(agents.slice(0, 2)).toEqual(["newcomer", "c0"]);
  finish(t, { ua: "another" });
  expect(recent(t).map((c) => c.userAgent)).not.toContain("c1");
  expect(recent(t).find((c) => c.userAgent === "c0")!.requests).toBe(2);
});

test("requests in flight: listed oldest first until they end; a finished slot given to a newer request stays with it", () => {
  const t = new SessionTracker();
  const live = (id: string, timestamp: number): LiveRecord => ({ requestId: id, timestamp, endpoint: "/v1/messages", clientFormat: "anthropic", apiKeyId: null, requestedModel: "m", provider: "p", model: "m", stream: true, streamChunks: 3 });
  const rowOf = (rec: LiveRecord): UsageEntry => ({ requestId: rec.requestId, timestamp: rec.timestamp, endpoint: rec.endpoint, clientFormat: rec.clientFormat, status: 200, latencyMs: 1 });
  const a = live("a", 3_000);
  const b = live("b", 1_000);
  const c = live("c", 2_000);
  const slotA = t.begin(a, { userAgent: "ua", clientIp: "1.2.3.4" });
  const slotB = t.begin(b, { userAgent: "ua", clientIp: "1.2.3.4" });
  t.begin(c, { userAgent: "ua", clientIp: "1.2.3.4" });
  const inFlight = () => t.snapshot(new Map(), (id) => id === "c").sessions.map((s) => [s.requestId, s.streaming]);
  expect(inFlight()).toEqual([
    ["b", false],
    ["c", true],
    ["a", false],
  ]);
  t.end(slotB, rowOf(b));
  expect(inFlight()).toEqual([
    ["c", true],
    ["a", false],
  ]);
  // b's slot now belongs to d: ending b again (or with b's slot) must not take d off the list.
  const d = live("d", 4_000);
  expect(t.begin(d, { userAgent: "ua", clientIp: "1.2.3.4" })).toBe(slotB);
  t.end(slotB, rowOf(b));
  t.end(slotA, rowOf(a));
  expect(inFlight().map(([id]) => id)).toEqual(["c", "d"]);
  expect(t.inFlight).toBe(2);
  // b was counted once for its client, a once.
  expect(recent(t)[0]!.requests).toBe(2);
});

test("records that never finish cannot grow the list without end: past the cap the oldest tenth goes", () => {
  const t = new SessionTracker();
  const live = (i: number): LiveRecord => ({ requestId: `r${i}`, timestamp: i, endpoint: "/v1/chat/completions", clientFormat: "openai-chat", apiKeyId: null, requestedModel: "m", provider: null, model: null, stream: false, streamChunks: 0 });
  const slots: number[] = [];
  for (let i = 0; i < MAX_ACTIVE + 5; i++) slots.push(t.begin(live(i), { userAgent: "leaky", clientIp: null }));
  expect(t.inFlight).toBe(MAX_ACTIVE + 5 - MAX_ACTIVE / 10);
  const ids = t.snapshot(new Map(), () => false).sessions.map((s) => s.requestId);
  expect(ids[0]).toBe(`r${MAX_ACTIVE / 10}`);
  expect(ids.at(-1)).toBe(`r${MAX_ACTIVE + 4}`);
  // The newest still end normally.
  const last = MAX_ACTIVE + 4;
  t.end(slots[last]!, { requestId: `r${last}`, timestamp: last, endpoint: "/v1/chat/completions", clientFormat: "openai-chat", status: 200, latencyMs: 1 });
  expect(t.inFlight).toBe(MAX_ACTIVE + 4 - MAX_ACTIVE / 10);
});
