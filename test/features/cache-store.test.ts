// The cache's parts on their own: the key, the canonical answer ↔ stream events round trip,
// the memory LRU, and the SQLite tier's TTL, persistence and row limit (with a fake clock).
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../../src/db/client.ts";
import type { CanonicalResponse } from "../../src/formats/canonical.ts";
import type { ClientFormatId } from "../../src/formats/types.ts";
import { cacheableShape, cacheKey, isDeterministic, stableStringify } from "../../src/features/cache/key.ts";
import { eventsOf, ResponseAccumulator } from "../../src/features/cache/replay.ts";
import { ResponseCache } from "../../src/features/cache/response-cache.ts";
import { MemoryLru } from "../../src/features/cache/store.ts";
import { SettingsSchema } from "../../src/settings.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDb = () => {
  const dir = mkdtempSync(join(tmpdir(), "omniroute-cache-"));
  dirs.push(dir);
  return { path: join(dir, "db.sqlite") };
};

const answer = (text: string): CanonicalResponse => ({
  id: "chatcmpl-1",
  model: "gpt-4o-mini",
  content: [
    { type: "thinking", text: "hmm", signature: "sig" },
    { type: "text", text },
    { type: "tool_call", id: "call_1", name: "f", arguments: '{"a":1}' },
  ],
  finishReason: "tool_calls",
  usage: { promptTokens: 3, completionTokens: 4, totalTokens: 7, cachedTokens: null, reasoningTokens: 1 },
});

test("the key: stable under key order, blind to transport fields and the model as written, sensitive to the rest", () => {
  const base: { client: ClientFormatId; targets: string[]; apiKeyId: string; controls: string } = { client: "openai-chat", targets: ["openai/gpt-4o-mini"], apiKeyId: "k1", controls: "[null,null]" };
  const k = (body: Record<string, unknown>, extra: Partial<typeof base> = {}) => cacheKey({ ...base, ...extra, body });
  const body = { model: "a", messages: [{ role: "user", content: "x" }], temperature: 0 };
  expect(k(body)).toBe(k({ temperature: 0, messages: [{ content: "x", role: "user" }], model: "b", stream: true, stream_options: { include_usage: true } }));
  expect(k(body)).not.toBe(k({ ...body, seed: 1 }));
  expect(k(body)).not.toBe(k(body, { apiKeyId: "k2" }));
  expect(k(body)).not.toBe(k(body, { targets: ["openai/gpt-4.1"] }));
  expect(k(body)).not.toBe(k(body, { controls: "[{},null]" }));
  expect(k(body)).not.toBe(k(body, { client: "ollama" }));
  expect(k(body, { targets: ["b/y", "a/x"] })).toBe(k(body, { targets: ["a/x", "b/y"] }));
  expect(stableStringify({ b: [1, { d: 1, c: undefined }], a: null })).toBe('{"a":null,"b":[1,{"d":1}]}');
});

test("deterministic means temperature 0 in each format's own place (or what the settings allow)", () => {
  const s = SettingsSchema.parse({});
  expect(isDeterministic("openai-chat", { temperature: 0 }, s)).toBe(true);
  expect(isDeterministic("openai-chat", {}, s)).toBe(false);
  expect(isDeterministic("anthropic", { temperature: 0.2 }, s)).toBe(false);
  expect(isDeterministic("gemini", { generationConfig: { temperature: 0 } }, s)).toBe(true);
  expect(isDeterministic("ollama", { options: { temperature: 0 } }, s)).toBe(true);
  expect(isDeterministic("ollama", { temperature: 0 }, s)).toBe(false);
  expect(isDeterministic("openai-chat", {}, { ...s, cacheUnsetTemperature: true })).toBe(true);
  expect(isDeterministic("openai-chat", { temperature: 1 }, { ...s, cacheNonDeterministic: true })).toBe(true);
  expect(cacheableShape("openai-chat", { n: 2 })).toBe(false);
  expect(cacheableShape("openai-chat", { logprobs: true })).toBe(false);
  expect(cacheableShape("openai-responses", { previous_response_id: "resp_1" })).toBe(false);
  expect(cacheableShape("gemini", { generationConfig: { candidateCount: 2 } })).toBe(false);
  expect(cacheableShape("anthropic", {})).toBe(true);
});

test("an answer → stream events → the same answer", () => {
  const res = answer("hello");
  const acc = new ResponseAccumulator();
  for (const ev of eventsOf(res)) acc.push(ev);
  expect(acc.result()).toEqual(res);
});

test("an unfinished or failed stream is not an answer", () => {
  const acc = new ResponseAccumulator();
  acc.push({ type: "start", id: "x", model: "m" });
  acc.push({ type: "text_delta", text: "half" });
  expect(acc.result()).toBeNull();
  acc.push({ type: "error", message: "boom" });
  acc.push({ type: "finish", reason: "stop" });
  expect(acc.result()).toBeNull();
});

test("the memory LRU evicts the least recently used, by entries and by bytes", () => {
  let limits = { maxEntries: 2, maxBytes: 1_000_000 };
  const lru = new MemoryLru(() => limits);
  const e = (t: string) => ({ response: answer(t), model: null, createdAt: 0, expiresAt: 1000 });
  lru.set("a", e("a"), "x");
  lru.set("b", e("b"), "x");
  expect(lru.get("a", 1)).toBeTruthy(); // a is now the most recent
  lru.set("c", e("c"), "x");
  expect(lru.get("b", 1)).toBeUndefined();
  expect(lru.get("a", 1)).toBeTruthy();
  expect(lru.get("a", 1000)).toBeUndefined(); // expired
  limits = { maxEntries: 100, maxBytes: 100 };
  lru.set("big", e("big"), "y".repeat(60));
  expect(lru.get("big", 1)).toBeUndefined();
});

test("the SQLite tier keeps answers across instances, honours the TTL, and holds its row limit", () => {
  const { path } = tempDb();
  const db = openDatabase(path);
  let now = 1_000_000;
  let settings = SettingsSchema.parse({ cacheTtlSeconds: 10, cacheDbMaxEntries: 2 });
  const cache = new ResponseCache(db, () => settings, () => now);
  cache.store("k1", answer("one"), "openai/gpt-4o-mini");
  cache.flush();

  // Another instance on the same file (a restart): memory empty, the row is there.
  const again = new ResponseCache(db, () => settings, () => now);
  expect(again.stats().dbSize).toBe(1);
  expect(again.stats().memorySize).toBe(0);
  return (async () => {
    expect((await again.lookup("k1"))?.response).toEqual(answer("one"));
    expect(again.stats().memorySize).toBe(1);
    now += 10_001;
    expect(await again.lookup("k1")).toBeUndefined();
    expect(again.stats()).toEqual({ memorySize: 0, memoryMaxSize: 500, dbSize: 0, hitRate: 0.5 });
    expect(again.durable.prune(now)).toBe(1);

    again.store("a", answer("a"), null);
    now += 1;
    again.store("b", answer("b"), null);
    now += 1;
    again.store("c", answer("c"), null);
    again.flush();
    expect(db.$client.query("SELECT key FROM response_cache ORDER BY created_at").all()).toEqual([{ key: "b" }, { key: "c" }]);
    settings = { ...settings, cacheDbMaxEntries: 0 };
    again.store("memory only", answer("m"), null);
    again.flush();
    expect(db.$client.query("SELECT count(*) AS n FROM response_cache").get()).toEqual({ n: 2 });
    again.close();
    cache.close();
    db.$client.close();
  })();
});
