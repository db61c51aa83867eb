// The official `openai` SDK as the client of the media endpoints, against a listening gateway.
import { afterAll, beforeAll, expect, test } from "bun:test";
import OpenAI, { toFile } from "openai";
import { ASSEMBLYAI_TEXT, startFakeAssemblyAi, type FakeAssemblyAi } from "../support/fake-assemblyai.ts";
import { DEEPGRAM_TRANSCRIPT, startFakeDeepgram, type FakeDeepgram } from "../support/fake-deepgram.ts";
import { startFakeGeminiEmbeddings, type FakeGeminiEmbeddings } from "../support/fake-gemini-embeddings.ts";
import { PNG_1PX } from "../support/fake-openai-media.ts";
import { startFakeOpenAi, type FakeOpenAi } from "../support/fake-openai.ts";
import { startFakeTogether, type FakeTogether } from "../support/fake-together.ts";
import type { TestGateway } from "../support/gateway.ts";
import { createKey, putSettings } from "../support/setup.ts";
import { gatewayWith, makeWav } from "./support.ts";

let openai: FakeOpenAi;
let gemini: FakeGeminiEmbeddings;
let together: FakeTogether;
let deepgram: FakeDeepgram;
let assemblyai: FakeAssemblyAi;
let gw: TestGateway;
let client: OpenAI;

beforeAll(async () => {
  openai = startFakeOpenAi();
  gemini = startFakeGeminiEmbeddings();
  together = startFakeTogether();
  deepgram = startFakeDeepgram();
  assemblyai = startFakeAssemblyAi({ pendingPolls: 1 });
  gw = await gatewayWith([
    { provider: "openai", baseUrl: openai.baseUrl },
    { provider: "gemini", baseUrl: gemini.baseUrl, apiKey: "gemini-fake-key" },
    { provider: "together", baseUrl: together.baseUrl, apiKey: "together-fake-key" },
    { provider: "deepgram", baseUrl: deepgram.baseUrl, apiKey: "dg-fake-key" },
    { provider: "assemblyai", baseUrl: assemblyai.baseUrl, apiKey: "aai-fake-key" },
  ]);
  const { key } = await createKey(gw, "sdk");
  await putSettings(gw, { requireApiKey: true });
  client = new OpenAI({ baseURL: `${await gw.listen()}/v1`, apiKey: key, maxRetries: 0 });
});
afterAll(async () => {
  await gw.close();
  for (const f of [openai, gemini, together, deepgram, assemblyai]) f.close();
});

test("embeddings.create: the SDK's default base64 is decoded back to the upstream's floats", async () => {
  const res = await client.embeddings.create({ model: "openai/text-embedding-3-small", input: ["hello", "world!"] });
  expect(res.data.map((d) => d.embedding)).toEqual([
    [5, 0, 0.5],
    [6, 1, 0.5],
  ]);
  expect(res.usage.prompt_tokens).toBe(4);
});

test("embeddings.create with explicit float, translated from Gemini", async () => {
  const res = await client.embeddings.create({ model: "gemini/gemini-embedding-001", input: "abcd", encoding_format: "float", dimensions: 4 });
  expect(res.data[0]!.embedding).toEqual([4, 0, 0.5, 0.5]);
});

test("images.generate: url and b64_json", async () => {
  const url = await client.images.generate({ model: "openai/dall-e-3", prompt: "a sunset", size: "1024x1024" });
  expect(url.data![0]!.url).toBe("https://fake-images.example/dall-e-3/0.png");
  const b64 = await client.images.generate({ model: "together/black-forest-labs/FLUX.1-schnell", prompt: "a sunset", response_format: "b64_json" });
  expect(b64.data![0]!.b64_json).toBe(PNG_1PX);
});

test("audio.transcriptions.create with a generated WAV: OpenAI, Deepgram, AssemblyAI", async () => {
  const file = () => toFile(makeWav(0.25), "speech.wav", { type: "audio/wav" });
  const whisper = await client.audio.transcriptions.create({ model: "openai/whisper-1", file: await file() });
  expect(whisper.text).toStartWith("Fake transcript of speech.wav");
  const dg = await client.audio.transcriptions.create({ model: "deepgram/nova-3", file: await file() });
  expect(dg).toEqual({ text: DEEPGRAM_TRANSCRIPT, task: "transcribe", language: "en", duration: 0.25 } as any);
  const aai = await client.audio.transcriptions.create({ model: "assemblyai/best", file: await file(), language: "en" });
  expect(aai).toMatchObject({ text: ASSEMBLYAI_TEXT, task: "transcribe", language: "en" });
  const text = await client.audio.transcriptions.create({ model: "deepgram/nova-3", file: await file(), response_format: "text" });
  expect(String(text).trim()).toBe(DEEPGRAM_TRANSCRIPT);
});

/** The SDK's APIPromise is lazy; await it and hand back what it threw. */
async function thrown(p: PromiseLike<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error("expected the call to fail");
}

test("errors map to the SDK's exception classes", async () => {
  expect(await thrown(client.embeddings.create({ model: "nope/x", input: "a" }))).toBeInstanceOf(OpenAI.NotFoundError);
  expect(await thrown(client.images.generate({ model: "together/x-error-500", prompt: "a" }))).toBeInstanceOf(OpenAI.InternalServerError);
  const tooBig = await thrown(
    client.audio.transcriptions.create({ model: "deepgram/nova-3", file: await toFile(new Uint8Array(26 * 1024 * 1024), "big.wav") }),
  );
  expect(tooBig).toBeInstanceOf(OpenAI.APIError);
  expect((tooBig as InstanceType<typeof OpenAI.APIError>).status).toBe(413);
  const noKey = new OpenAI({ baseURL: client.baseURL, apiKey: "sk-wrong", maxRetries: 0 });
  expect(await thrown(noKey.embeddings.create({ model: "openai/text-embedding-3-small", input: "a" }))).toBeInstanceOf(OpenAI.AuthenticationError);
});
