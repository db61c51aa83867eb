// The media translators as pure functions, on recorded shapes of each upstream's wire format.
import { describe, expect, test } from "bun:test";
import { assemblyAiState, assemblyAiTranscriptRequest } from "../../src/formats/audio/assemblyai.ts";
import { deepgramErrorBody, deepgramListenPath, deepgramToTranscription } from "../../src/formats/audio/deepgram.ts";
import { audioFormatOf, renderTranscription, sniffAudio } from "../../src/formats/audio/transcription.ts";
import { geminiBatchEmbedRequest, geminiBatchEmbedResponse, geminiEmbeddingsToOpenAi } from "../../src/formats/embeddings/gemini.ts";
import { base64ToEmbedding, embeddingToBase64, encodeEmbeddings, inputsOf } from "../../src/formats/embeddings/openai.ts";
import { aspectRatioFor, fireworksImageRequest, fireworksImageToOpenAi } from "../../src/formats/images/fireworks.ts";
import { imagesUsage, parseSize } from "../../src/formats/images/openai.ts";
import { togetherImagesRequest, togetherImagesToOpenAi } from "../../src/formats/images/together.ts";
import { xaiImagesRequest } from "../../src/formats/images/xai.ts";
import { makeWav } from "./support.ts";

/** A recorded upstream answer (test/media/fixtures). */
const fixture = (name: string) => Bun.file(`${import.meta.dir}/fixtures/${name}.json`).json();

describe("embeddings", () => {
  test("base64 is OpenAI's float32 little-endian encoding", () => {
    // The openai SDK decodes with new Float32Array(Buffer.from(b64, "base64").buffer).
    expect(embeddingToBase64([1, -2.5, 0.5])).toBe(Buffer.from(new Float32Array([1, -2.5, 0.5]).buffer).toString("base64"));
    expect(embeddingToBase64([0.1])).toBe("zczMPQ==");
    expect(base64ToEmbedding(embeddingToBase64([0.25, 3]))).toEqual([0.25, 3]);
  });

  test("encodeEmbeddings leaves strings and other fields alone", () => {
    const list = { object: "list", model: "m", data: [{ object: "embedding", index: 0, embedding: [1] }, { object: "embedding", index: 1, embedding: "AACAPw==" }] };
    expect(encodeEmbeddings(list).data).toEqual([
      { object: "embedding", index: 0, embedding: "AACAPw==" },
      { object: "embedding", index: 1, embedding: "AACAPw==" },
    ]);
  });

  test("inputsOf: every input shape OpenAI accepts", () => {
    expect(inputsOf("a")).toEqual(["a"]);
    expect(inputsOf(["a", "b"])).toEqual(["a", "b"]);
    expect(inputsOf([1, 2])).toEqual([[1, 2]]);
    expect(inputsOf([[1], [2, 3]])).toEqual([[1], [2, 3]]);
  });

  test("Gemini batchEmbedContents request and response", async () => {
    expect(geminiBatchEmbedRequest(["x"], "gemini-embedding-001", { dimensions: 768, taskType: "RETRIEVAL_QUERY" })).toEqual({
      path: "/models/gemini-embedding-001:batchEmbedContents",
      body: { requests: [{ model: "models/gemini-embedding-001", content: { parts: [{ text: "x" }] }, outputDimensionality: 768, taskType: "RETRIEVAL_QUERY" }] },
    });
    const batch = geminiBatchEmbedResponse(await fixture("gemini-batch-embed-contents"), 2);
    expect(geminiEmbeddingsToOpenAi([batch], "gemini/gemini-embedding-001")).toEqual({
      object: "list",
      model: "gemini/gemini-embedding-001",
      data: [
        { object: "embedding", index: 0, embedding: [-0.0024819216, 0.009785302, 0.012893512, -0.061297845] },
        { object: "embedding", index: 1, embedding: [0.0154328, -0.017710555, -0.0026470914, -0.07001485] },
      ],
      usage: { prompt_tokens: 0, total_tokens: 0 },
    });
    expect(geminiBatchEmbedResponse({ embeddings: [{ values: [1] }], usageMetadata: { promptTokenCount: 7 } }, 1).promptTokens).toBe(7);
    expect(() => geminiBatchEmbedResponse({ embeddings: [{ values: [1] }] }, 2)).toThrow("1 embeddings for 2 inputs");
    expect(() => geminiBatchEmbedResponse({ error: {} }, 1)).toThrow();
  });
});

describe("images", () => {
  test("sizes and aspect ratios", () => {
    expect(parseSize("1024x1792")).toEqual([1024, 1792]);
    expect(parseSize("auto")).toBeNull();
    expect(aspectRatioFor(1024, 1024)).toBe("1:1");
    expect(aspectRatioFor(1792, 1024)).toBe("16:9");
    expect(aspectRatioFor(1024, 1792)).toBe("9:16");
    expect(aspectRatioFor(1536, 1024)).toBe("3:2");
  });

  test("xAI drops the fields it refuses", () => {
    expect(xaiImagesRequest({ model: "xai/grok-2-image", prompt: "p", size: "1024x1024", quality: "hd", style: "vivid", n: 2 }, "grok-2-image")).toEqual({
      model: "grok-2-image",
      prompt: "p",
      n: 2,
    });
  });

  test("Together request and answer", async () => {
    expect(togetherImagesRequest({ model: "x", prompt: "p", size: "512x512", quality: "hd", steps: 4 }, "black-forest-labs/FLUX.1-schnell", "url")).toEqual({
      model: "black-forest-labs/FLUX.1-schnell",
      prompt: "p",
      steps: 4,
      width: 512,
      height: 512,
      response_format: "url",
    });
    // An explicit width wins over size.
    expect(togetherImagesRequest({ prompt: "p", size: "512x512", width: 640 }, "m", "b64_json")).toMatchObject({ width: 640, height: 512, response_format: "base64" });
    expect(togetherImagesToOpenAi(await fixture("together-images-b64"), 1_700_000_000_000)).toEqual({
      created: 1_700_000_000,
      data: [{ b64_json: "iVBORw0KGgoFIRST" }, { b64_json: "iVBORw0KGgoSECOND" }],
    });
  });

  test("Fireworks workflow request and answer", async () => {
    expect(fireworksImageRequest({ prompt: "p", size: "1024x1024", n: 2, quality: "hd", guidance_scale: 3 }, "accounts/fireworks/models/flux-1-schnell-fp8")).toEqual({
      path: "/workflows/accounts/fireworks/models/flux-1-schnell-fp8/text_to_image",
      body: { prompt: "p", guidance_scale: 3, aspect_ratio: "1:1" },
    });
    const recorded = await fixture("fireworks-text-to-image");
    expect(fireworksImageToOpenAi(recorded, "url")).toEqual({ ok: true, images: [{ url: "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAA" }] });
    expect(fireworksImageToOpenAi(recorded, "b64_json")).toEqual({ ok: true, images: [{ b64_json: "iVBORw0KGgoAAAANSUhEUgAA" }] });
    expect(fireworksImageToOpenAi({ base64: ["data:image/jpeg;base64,QUJD"], finishReason: "SUCCESS", seed: 1 }, "url")).toEqual({ ok: true, images: [{ url: "data:image/jpeg;base64,QUJD" }] });
    expect(fireworksImageToOpenAi({ base64: ["QUJD"], finishReason: "SUCCESS" }, "b64_json")).toEqual({ ok: true, images: [{ b64_json: "QUJD" }] });
    expect(fireworksImageToOpenAi({ base64: [], finishReason: "CONTENT_FILTERED" }, "url").ok).toBe(false);
  });

  test("gpt-image-1 usage; none for DALL·E", () => {
    expect(imagesUsage({ usage: { input_tokens: 50, output_tokens: 4160, total_tokens: 4210 } })).toMatchObject({ promptTokens: 50, completionTokens: 4160, totalTokens: 4210 });
    expect(imagesUsage({ data: [] }).totalTokens).toBeNull();
  });
});

describe("audio", () => {
  test("formats by their first bytes", () => {
    expect(sniffAudio(makeWav(0.01))).toBe("wav");
    const pad = (head: number[] | string) => {
      const b = new Uint8Array(16);
      b.set(typeof head === "string" ? [...head].map((c) => c.charCodeAt(0)) : head);
      return b;
    };
    expect(sniffAudio(pad("ID3"))).toBe("mp3");
    expect(sniffAudio(pad([0xff, 0xfb, 0x90]))).toBe("mp3");
    expect(sniffAudio(pad("fLaC"))).toBe("flac");
    expect(sniffAudio(pad("OggS"))).toBe("ogg");
    expect(sniffAudio(pad([0x1a, 0x45, 0xdf, 0xa3]))).toBe("webm");
    expect(sniffAudio(pad("\0\0\0\x20ftypM4A "))).toBe("m4a");
    expect(sniffAudio(pad("hello world!"))).toBeNull();
  });

  test("bytes win over the name; the name and type are fallbacks", () => {
    expect(audioFormatOf(makeWav(0.01), "voice.mp3", "audio/mpeg")).toBe("wav");
    const unknown = new Uint8Array(32);
    expect(audioFormatOf(unknown, "clip.mpga", "")).toBe("mp3");
    expect(audioFormatOf(unknown, "blob", "audio/webm;codecs=opus")).toBe("webm");
    expect(() => audioFormatOf(unknown, "notes.txt", "text/plain")).toThrow("Unsupported audio format");
  });

  test("Deepgram: path, recorded answer, errors", async () => {
    expect(deepgramListenPath("nova-3")).toBe("/listen?model=nova-3&smart_format=true&detect_language=true");
    expect(deepgramListenPath("nova-3", "de")).toBe("/listen?model=nova-3&smart_format=true&language=de");
    const t = deepgramToTranscription(await fixture("deepgram-listen-nova-3"));
    expect({ ...t, words: t.words!.slice(0, 1) }).toEqual({
      text: "Hello, this is the transcribed audio content.",
      task: "transcribe",
      language: "en",
      duration: 12.5,
      words: [{ word: "Hello,", start: 0.08, end: 0.39999998 }],
    });
    expect(t.words!.at(-1)!.word).toBe("content.");
    // A language the client set is what the answer says, whatever was detected.
    expect(deepgramToTranscription(await fixture("deepgram-listen-nova-3"), "en-GB").language).toBe("en-GB");
    expect(() => deepgramToTranscription({ metadata: {} })).toThrow();
    expect(JSON.parse(deepgramErrorBody('{"err_code":"INVALID_AUTH","err_msg":"Invalid credentials.","request_id":"r"}'))).toEqual({
      error: { message: "Invalid credentials.", code: "INVALID_AUTH" },
    });
    expect(deepgramErrorBody("<html>")).toBe("<html>");
  });

  test("AssemblyAI: transcript request and every status", async () => {
    expect(assemblyAiTranscriptRequest("https://cdn/u", "best")).toEqual({ audio_url: "https://cdn/u", speech_model: "best", language_detection: true });
    expect(assemblyAiTranscriptRequest("https://cdn/u", "nano", "es")).toEqual({ audio_url: "https://cdn/u", speech_model: "nano", language_code: "es" });
    expect(assemblyAiState({ id: "1", status: "queued" })).toEqual({ state: "pending" });
    expect(assemblyAiState({ id: "1", status: "processing" })).toEqual({ state: "pending" });
    expect(assemblyAiState(await fixture("assemblyai-transcript-error"))).toEqual({
      state: "error",
      message: "Transcoding failed. File does not appear to contain audio. File type is text/plain (ASCII text).",
    });
    const done = assemblyAiState(await fixture("assemblyai-transcript-completed"));
    expect(done.state === "completed" && { ...done.transcription, words: done.transcription.words!.slice(0, 2) }).toEqual({
      text: "Smoke from hundreds of wildfires in Canada is triggering air quality alerts.",
      task: "transcribe",
      language: "en_us",
      duration: 281,
      words: [
        { word: "Smoke", start: 0.25, end: 0.65 },
        { word: "from", start: 0.73, end: 1.022 },
      ],
    });
    expect(assemblyAiState({ id: "1", status: "completed", text: "Hi.", language_code: "en", audio_duration: 3, words: [{ text: "Hi.", start: 250, end: 900 }] })).toEqual({
      state: "completed",
      transcription: { text: "Hi.", task: "transcribe", language: "en", duration: 3, words: [{ word: "Hi.", start: 0.25, end: 0.9 }] },
    });
    expect(() => assemblyAiState({ status: "weird" })).toThrow();
  });

  test("rendering: json is the reference's shape, words only in verbose_json", () => {
    const t = { text: "Hi", task: "transcribe" as const, language: "en", duration: 1.5, words: [{ word: "Hi", start: 0, end: 1 }] };
    expect(JSON.parse(renderTranscription(t, "json").body)).toEqual({ text: "Hi", task: "transcribe", language: "en", duration: 1.5 });
    expect(JSON.parse(renderTranscription(t, "verbose_json").body).words).toHaveLength(1);
    expect(renderTranscription(t, "text")).toEqual({ body: "Hi\n", contentType: "text/plain; charset=utf-8" });
  });
});
