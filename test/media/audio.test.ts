// POST /v1/audio/transcriptions (multipart) against fakes of each upstream's real wire format.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { MAX_AUDIO_BYTES } from "../../src/gateway/media/audio.ts";
import { ASSEMBLYAI_TEXT, startFakeAssemblyAi, type FakeAssemblyAi } from "../support/fake-assemblyai.ts";
import { DEEPGRAM_TRANSCRIPT, startFakeDeepgram, type FakeDeepgram } from "../support/fake-deepgram.ts";
import { startFakeOpenAi, type FakeOpenAi } from "../support/fake-openai.ts";
import type { TestGateway } from "../support/gateway.ts";
import { requestLogRows, usageRows } from "../support/setup.ts";
import { gatewayWith, makeWav, transcriptionForm } from "./support.ts";

let openai: FakeOpenAi;
let deepgram: FakeDeepgram;
let assemblyai: FakeAssemblyAi;
let gw: TestGateway;
const wav = makeWav(0.5);

beforeAll(async () => {
  openai = startFakeOpenAi();
  deepgram = startFakeDeepgram();
  assemblyai = startFakeAssemblyAi({ pendingPolls: 2 });
  gw = await gatewayWith([
    { provider: "openai", baseUrl: openai.baseUrl },
    { provider: "groq", baseUrl: openai.baseUrl },
    { provider: "deepgram", baseUrl: deepgram.baseUrl, apiKey: "dg-fake-key" },
    { provider: "assemblyai", baseUrl: assemblyai.baseUrl, apiKey: "aai-fake-key" },
  ]);
});
afterAll(async () => {
  await gw.close();
  openai.close();
  deepgram.close();
  assemblyai.close();
});

const WAV_FILE = { bytes: wav, name: "recording.wav", type: "audio/wav" };
const transcribe = (fields: Record<string, string>, file: Parameters<typeof transcriptionForm>[1] | null = WAV_FILE) =>
  gw.request("/v1/audio/transcriptions", { method: "POST", body: transcriptionForm(fields, file ?? undefined) });
const lastAttempt = () => JSON.parse(requestLogRows(gw).at(-1).attempts).at(-1);

test("Deepgram nova-3: raw audio with Token auth, answer in the reference's shape", async () => {
  const res = await transcribe({ model: "deepgram/nova-3" });
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ text: DEEPGRAM_TRANSCRIPT, task: "transcribe", language: "en", duration: 0.5 });
  const sent = deepgram.requests.at(-1)!;
  expect(sent.query).toEqual({ model: "nova-3", smart_format: "true", detect_language: "true" });
  expect(sent.headers.authorization).toBe("Token dg-fake-key");
  expect(sent.headers["content-type"]).toBe("audio/wav");
  expect(sent.bytes).toBe(wav.length);
  expect(lastAttempt()).toMatchObject({ provider: "deepgram", model: "nova-3", status: 200, units: { audioSeconds: 0.5 } });
  expect(usageRows(gw).at(-1)).toMatchObject({ endpoint: "/v1/audio/transcriptions", provider: "deepgram", status: 200 });
});

test("Deepgram: a given language is sent instead of detection; text and verbose_json formats", async () => {
  const text = await transcribe({ model: "deepgram/nova-3", language: "en", response_format: "text" });
  expect(text.headers.get("content-type")).toContain("text/plain");
  expect(await text.text()).toBe(`${DEEPGRAM_TRANSCRIPT}\n`);
  expect(deepgram.requests.at(-1)!.query).toEqual({ model: "nova-3", smart_format: "true", language: "en" });
  const verbose = await (await transcribe({ model: "deepgram/nova-3", response_format: "verbose_json" })).json();
  expect(verbose.words[0]).toEqual({ word: "Hello,", start: 0, end: 0.35 });
  expect(verbose.language).toBe("en");
  const srt = await transcribe({ model: "deepgram/nova-3", response_format: "srt" });
  expect(srt.status).toBe(400);
  expect((await srt.json()).error.param).toBe("response_format");
});

test("Deepgram errors ({err_code, err_msg}) keep their status and message", async () => {
  const res = await transcribe({ model: "deepgram/x-error-422" });
  expect(res.status).toBe(422);
  expect((await res.json()).error.message).toBe("[deepgram] Fake failure 422");
  // A file named .mp3 that is not audio: Deepgram's own refusal comes back.
  const junk = new TextEncoder().encode("definitely not audio, just text in a file");
  const bad = await transcribe({ model: "deepgram/nova-3" }, { bytes: junk, name: "song.mp3" });
  expect(bad.status).toBe(400);
  expect((await bad.json()).error.message).toBe("[deepgram] Bad Request: failed to process audio: corrupt or unsupported data");
});

test("AssemblyAI best: upload, create, poll until completed; reference shape", async () => {
  const polls = assemblyai.polls;
  const res = await transcribe({ model: "assemblyai/best" });
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ text: ASSEMBLYAI_TEXT, task: "transcribe", language: "en_us", duration: 1 });
  expect(assemblyai.polls - polls).toBe(3);
  const [upload, create] = assemblyai.requests.slice(-5);
  expect(upload).toMatchObject({ method: "POST", path: "/v2/upload", body: { bytes: wav.length } });
  expect(upload!.headers.authorization).toBe("aai-fake-key");
  expect(upload!.headers["content-type"]).toBe("application/octet-stream");
  expect(create!.body).toEqual({ audio_url: expect.stringMatching(/^https:\/\/cdn\.assemblyai\.com\/upload\//), speech_model: "best", language_detection: true });
  // The whole upload-create-poll sequence is one attempt.
  const attempts = JSON.parse(requestLogRows(gw).at(-1).attempts);
  expect(attempts).toHaveLength(1);
  expect(attempts[0]).toMatchObject({ provider: "assemblyai", model: "best", status: 200, units: { audioSeconds: 1 } });
});

test("AssemblyAI: language_code when given; a failed transcript is a 400 with its reason", async () => {
  const res = await transcribe({ model: "assemblyai/best", language: "fr", response_format: "verbose_json" });
  const body = await res.json();
  expect(body.language).toBe("fr");
  expect(body.words[1]).toEqual({ word: "from", start: 0.4, end: 0.75 });
  expect(assemblyai.requests.filter((r) => r.path === "/v2/transcript").at(-1)!.body).toMatchObject({ language_code: "fr" });
  const junk = new TextEncoder().encode("this is a text file, not audio");
  const bad = await transcribe({ model: "assemblyai/best" }, { bytes: junk, name: "notes.ogg" });
  expect(bad.status).toBe(400);
  expect((await bad.json()).error.message).toContain("[assemblyai] Transcoding failed");
});

test("AssemblyAI: an error creating the transcript keeps its status", async () => {
  const res = await transcribe({ model: "assemblyai/x-error-503" });
  expect(res.status).toBe(503);
  expect((await res.json()).error.message).toBe("[assemblyai] Fake failure 503");
});

test("OpenAI whisper-1: the form is re-sent with the upstream model; json answer passed through", async () => {
  const res = await transcribe({ model: "openai/whisper-1", language: "en", prompt: "names: Ada" });
  expect(res.status).toBe(200);
  const body = await res.json();
  expect(body.text).toBe(`Fake transcript of recording.wav (${wav.length} bytes).`);
  const sent = openai.requests.at(-1)!;
  expect(sent.path).toBe("/v1/audio/transcriptions");
  expect(sent.body).toMatchObject({ model: "whisper-1", language: "en", prompt: "names: Ada", file: { name: "recording.wav", size: wav.length } });
  expect(sent.headers["content-type"]).toStartWith("multipart/form-data; boundary=");
  expect(lastAttempt().units).toEqual({ audioSeconds: 1 });
});

test("gpt-4o-transcribe's token usage is recorded", async () => {
  const res = await transcribe({ model: "openai/gpt-4o-transcribe" });
  expect(res.status).toBe(200);
  expect(usageRows(gw).at(-1)).toMatchObject({ model: "gpt-4o-transcribe", prompt_tokens: 14, completion_tokens: 9, total_tokens: 23 });
});

test("Whisper-compatible text and verbose_json answers come back as the upstream wrote them", async () => {
  const text = await transcribe({ model: "groq/whisper-large-v3", response_format: "text" });
  expect(text.headers.get("content-type")).toContain("text/plain");
  expect(await text.text()).toBe(`Fake transcript of recording.wav (${wav.length} bytes).\n`);
  const verbose = await (await transcribe({ model: "openai/whisper-1", response_format: "verbose_json" })).json();
  expect(verbose).toMatchObject({ task: "transcribe", language: "english", segments: [expect.any(Object)] });
});

test("every listed format is recognised by its bytes or its name", async () => {
  for (const name of ["a.mp3", "a.m4a", "a.flac", "a.ogg", "a.webm", "a.wav"]) {
    const res = await transcribe({ model: "openai/whisper-1" }, { bytes: new Uint8Array(new ArrayBuffer(64)), name });
    expect(res.status).toBe(200);
  }
  // A nameless blob is identified by its header.
  const blob = await transcribe({ model: "deepgram/nova-3" }, { bytes: wav, name: "blob" });
  expect(blob.status).toBe(200);
  expect(deepgram.requests.at(-1)!.headers["content-type"]).toBe("audio/wav");
});

test("an unsupported format is a 400 naming the supported ones", async () => {
  const res = await transcribe({ model: "deepgram/nova-3" }, { bytes: new TextEncoder().encode("hello"), name: "notes.txt", type: "text/plain" });
  expect(res.status).toBe(400);
  expect((await res.json()).error).toMatchObject({ param: "file", message: expect.stringContaining("mp3, wav, m4a, flac, ogg, webm") });
});

test("oversize: a file over the limit is a 413 with a clear message", async () => {
  const big = new Uint8Array(new ArrayBuffer(MAX_AUDIO_BYTES + 1));
  big.set(wav.subarray(0, 44));
  const res = await transcribe({ model: "deepgram/nova-3" }, { bytes: big, name: "long.wav" });
  expect(res.status).toBe(413);
  expect((await res.json()).error.message).toMatch(/Audio file is too large \(25\.0 MB\); the limit is 25\.0 MB/);
  // Announced by content-length: refused before the body is read.
  const announced = await gw.request("/v1/audio/transcriptions", {
    method: "POST",
    headers: { "content-type": "multipart/form-data; boundary=x", "content-length": String(100 * 1024 * 1024) },
    body: "--x--",
  });
  expect(announced.status).toBe(413);
});

test("malformed multipart, missing file, missing model, JSON body", async () => {
  const malformed = await gw.request("/v1/audio/transcriptions", {
    method: "POST",
    headers: { "content-type": "multipart/form-data; boundary=abc" },
    body: "--abc\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\ndeepgram/nova-3\r\n--abc\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n\r\nRIFF",
  });
  expect(malformed.status).toBe(400);
  expect((await malformed.json()).error.message).toStartWith("Malformed multipart body");
  const noFile = await transcribe({ model: "deepgram/nova-3" }, null);
  expect(noFile.status).toBe(400);
  expect((await noFile.json()).error.param).toBe("file");
  const noModel = await transcribe({});
  expect(noModel.status).toBe(400);
  expect((await noModel.json()).error.param).toBe("model");
  const asJson = await gw.request("/v1/audio/transcriptions", { method: "POST", json: { model: "deepgram/nova-3" } });
  expect(asJson.status).toBe(400);
  expect((await asJson.json()).error.message).toContain("multipart/form-data");
  const empty = await transcribe({ model: "deepgram/nova-3" }, { bytes: new Uint8Array(new ArrayBuffer(0)), name: "a.wav" });
  expect(empty.status).toBe(400);
});

test("unknown model and a provider without transcription", async () => {
  const res = await transcribe({ model: "nope/whisper" });
  expect(res.status).toBe(404);
  expect((await res.json()).error.code).toBe("model_not_found");
  expect(usageRows(gw).at(-1)).toMatchObject({ endpoint: "/v1/audio/transcriptions", status: 404 });
});

test("GET /v1/audio/transcriptions lists the callable audio models", async () => {
  const ids = (await (await gw.request("/v1/audio/transcriptions")).json()).data.map((m: any) => m.id);
  expect(ids).toEqual(expect.arrayContaining(["deepgram/nova-3", "assemblyai/best", "openai/whisper-1", "groq/whisper-large-v3"]));
  expect(ids).not.toContain("openai/dall-e-3");
});

test("the key checks of Deepgram and AssemblyAI call an endpoint each really has", async () => {
  for (const provider of ["deepgram", "assemblyai"]) {
    const list = await (await gw.request("/api/providers")).json();
    const conn = (list.connections ?? list).find((c: any) => c.provider === provider);
    const res = await gw.request(`/api/providers/${conn.id}/test`, { method: "POST" });
    expect(await res.json()).toMatchObject({ valid: true, statusCode: 200 });
  }
});
