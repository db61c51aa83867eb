import { afterAll, beforeAll, expect, test } from "bun:test";
import { startFakeOpenAi, type FakeOpenAi } from "../support/fake-openai.ts";
import { startGateway, type TestGateway } from "../support/gateway.ts";
import { addConnection, chat, createKey, putSettings, usageRows } from "../support/setup.ts";

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

const call = (headers: Record<string, string> = {}) =>
  gw.request("/v1/chat/completions", { method: "POST", json: chat("openai/gpt-4o-mini"), headers });

test("keys are optional by default; a valid one is attributed in usage", async () => {
  expect((await call()).status).toBe(200);
  const { id, key } = await createKey(gw, "attributed");
  const res = await call({ authorization: `Bearer ${key}` });
  expect(res.status).toBe(200);
  const row = usageRows(gw).find((r) => r.request_id === res.headers.get("x-request-id"));
  expect(row.api_key_id).toBe(id);
});

test("with requireApiKey on: missing → 401, wrong → 401, valid Bearer or x-api-key → 200", async () => {
  await putSettings(gw, { requireApiKey: true });
  try {
    const missing = await call();
    expect(missing.status).toBe(401);
    expect((await missing.json()).error.code).toBe("missing_api_key");
    const wrong = await call({ authorization: "Bearer sk-omni-wrong" });
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).error.type).toBe("authentication_error");
    const { key } = await createKey(gw);
    expect((await call({ authorization: `Bearer ${key}` })).status).toBe(200);
    expect((await call({ "x-api-key": key })).status).toBe(200);
    expect((await gw.request("/v1/models")).status).toBe(401);
    expect((await gw.request("/v1/models", { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
  } finally {
    await putSettings(gw, { requireApiKey: false });
  }
});

test("a revoked key stops working at once", async () => {
  await putSettings(gw, { requireApiKey: true });
  try {
    const { id, key } = await createKey(gw, "short-lived");
    expect((await call({ authorization: `Bearer ${key}` })).status).toBe(200);
    const del = await gw.request(`/api/keys/${id}`, { method: "DELETE" });
    expect(del.status).toBe(200);
    expect((await call({ authorization: `Bearer ${key}` })).status).toBe(401);
  } finally {
    await putSettings(gw, { requireApiKey: false });
  }
});

test("REQUIRE_API_KEY (config) overrides the stored setting", async () => {
  const strict = await startGateway({ requireApiKey: true });
  try {
    const res = await strict.request("/v1/chat/completions", { method: "POST", json: chat("openai/gpt-4o-mini") });
    expect(res.status).toBe(401);
  } finally {
    await strict.close();
  }
});

test("a key's lastUsedAt is set from the usage batch", async () => {
  const { id, key } = await createKey(gw, "tracked");
  const before = await (await gw.request(`/api/keys/${id}`)).json();
  expect(before.lastUsedAt).toBeUndefined();
  const res = await call({ authorization: `Bearer ${key}` });
  expect(res.status).toBe(200);
  usageRows(gw);
  const after = await (await gw.request(`/api/keys/${id}`)).json();
  expect(Date.parse(after.lastUsedAt)).toBeGreaterThan(Date.now() - 60_000);
});
