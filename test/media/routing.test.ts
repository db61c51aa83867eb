// The media endpoints go through the same routing as chat: combos fall back across targets,
// aliases resolve, API keys are required when the setting says so.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startFakeDeepgram, type FakeDeepgram } from "../support/fake-deepgram.ts";
import { startFakeOpenAi, type FakeOpenAi } from "../support/fake-openai.ts";
import type { TestGateway } from "../support/gateway.ts";
import { createKey, putSettings, requestLogRows } from "../support/setup.ts";
import { gatewayWith, json, makeWav, transcriptionForm } from "./support.ts";

let openai: FakeOpenAi;
let deepgram: FakeDeepgram;
let gw: TestGateway;
let key: string;

beforeAll(async () => {
  openai = startFakeOpenAi();
  deepgram = startFakeDeepgram();
  gw = await gatewayWith([
    { provider: "openai", baseUrl: openai.baseUrl },
    { provider: "mistral", baseUrl: openai.baseUrl },
    { provider: "deepgram", baseUrl: deepgram.baseUrl, apiKey: "dg-fake-key" },
  ]);
  ({ key } = await createKey(gw, "media"));
  await putSettings(gw, { requireApiKey: true });
});
afterAll(async () => {
  await gw.close();
  openai.close();
  deepgram.close();
});

const auth = () => ({ authorization: `Bearer ${key}` });

test("an API key is required when the setting says so (POST and the model lists)", async () => {
  expect((await json(gw, "/v1/embeddings", { model: "openai/text-embedding-3-small", input: "a" })).status).toBe(401);
  expect((await gw.request("/v1/embeddings")).status).toBe(401);
  expect((await gw.request("/v1/images/generations", { headers: auth() })).status).toBe(200);
});

test("a combo of embedding models falls back past a failing target, attempts recorded", async () => {
  const created = await gw.request("/api/combos", {
    method: "POST",
    json: { name: "embed", targets: ["openai/x-error-503", "mistral/mistral-embed"] },
  });
  expect(created.status).toBe(201);
  const res = await json(gw, "/v1/embeddings", { model: "embed", input: "fallback please" }, auth());
  expect(res.status).toBe(200);
  expect(res.headers.get("x-omniroute-provider")).toBe("mistral");
  const attempts = JSON.parse(requestLogRows(gw).at(-1).attempts);
  expect(attempts.map((a: any) => [a.provider, a.status])).toEqual([
    ["openai", 503],
    ["mistral", 200],
  ]);
});

test("an alias names a transcription model", async () => {
  const put = await gw.request("/api/models/alias", { method: "PUT", json: { model: "deepgram/nova-3", alias: "stt" } });
  expect(put.status).toBe(200);
  const form = transcriptionForm({ model: "stt" }, { bytes: makeWav(0.1), name: "a.wav" });
  const res = await gw.request("/v1/audio/transcriptions", { method: "POST", body: form, headers: auth() });
  expect(res.status).toBe(200);
  expect((await res.json()).duration).toBe(0.1);
});
