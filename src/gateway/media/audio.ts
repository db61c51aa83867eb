// POST /v1/audio/transcriptions (multipart/form-data, as OpenAI's). Whisper-compatible
// upstreams (OpenAI, Groq, nodes…) get the form re-sent with their model id and answer as they
// do; Deepgram (one call with the raw audio) and AssemblyAI (upload, create, poll) are
// translated to the reference's {text, task, language, duration}.
import { GatewayError } from "../../errors.ts";
import { assemblyAiState, assemblyAiTranscriptRequest, transcriptIdOf, uploadUrlOf, type AssemblyAiState } from "../../formats/audio/assemblyai.ts";
import { deepgramErrorBody, deepgramListenPath, deepgramToTranscription } from "../../formats/audio/deepgram.ts";
import {
  AUDIO_FORMATS,
  audioFormatOf,
  renderTranscription,
  transcriptionFormat,
  type AudioFormat,
  type Transcription,
} from "../../formats/audio/transcription.ts";
import { NO_USAGE, type TokenUsage } from "../../usage/tokens.ts";
import type { MediaAnswer, MediaEndpoint } from "./media-request.ts";
import type { MediaUpstream } from "./upstream.ts";

/** OpenAI's own limit for this endpoint, which its clients expect; the file is held in memory. */
export const MAX_AUDIO_BYTES = 25 * 1024 * 1024;
/** Room for the multipart framing and the other fields around the file. */
const MULTIPART_SLACK = 256 * 1024;
/** AssemblyAI polling: a short first wait (short clips finish in seconds), then up to 3 s apart. */
const POLL_FIRST_MS = 100;
const POLL_MAX_MS = 3_000;

interface AudioPayload {
  bytes: Uint8Array<ArrayBuffer>;
  fileName: string;
  format: AudioFormat;
  /** The form's other fields (model, language, prompt, response_format, …). */
  fields: Record<string, string | string[]>;
}

const megabytes = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

function tooLarge(size: number): GatewayError {
  return new GatewayError(413, "invalid_request", `Audio file is too large (${megabytes(size)}); the limit is ${megabytes(MAX_AUDIO_BYTES)}.`, { param: "file" });
}

const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v) || undefined;

export const transcriptionsEndpoint: MediaEndpoint<AudioPayload> = {
  endpoint: "/v1/audio/transcriptions",
  path: "audio/transcriptions",
  async read(request) {
    const type = request.headers.get("content-type") ?? "";
    if (!/^multipart\/form-data/i.test(type)) {
      throw new GatewayError(400, "invalid_request", "Expected a multipart/form-data body with a `file` and a `model` field.");
    }
    // Refused before reading when the client says how big it is; checked again on the file.
    const length = Number(request.headers.get("content-length") ?? 0);
    if (length > MAX_AUDIO_BYTES + MULTIPART_SLACK) throw tooLarge(length);
    let form: FormData;
    try {
      form = await request.formData();
    } catch (err) {
      throw new GatewayError(400, "invalid_request", `Malformed multipart body: ${(err as Error).message}`);
    }
    const file = form.get("file");
    if (!(file instanceof Blob)) throw new GatewayError(400, "invalid_request", "Missing `file`: the audio must be sent as a file field named `file`.", { param: "file" });
    if (file.size > MAX_AUDIO_BYTES) throw tooLarge(file.size);
    if (file.size === 0) throw new GatewayError(400, "invalid_request", "The audio file is empty.", { param: "file" });
    const fields: Record<string, string | string[]> = {};
    for (const [key, value] of form.entries()) {
      if (key === "file" || typeof value !== "string") continue;
      const prev = fields[key];
      fields[key] = prev === undefined ? value : [...[prev].flat(), value];
    }
    const model = one(fields.model)?.trim();
    if (!model) throw new GatewayError(400, "invalid_request", "Invalid 'model': model is required", { param: "model" });
    const bytes = new Uint8Array(await file.arrayBuffer());
    const fileName = file instanceof File ? file.name : "";
    const format = audioFormatOf(bytes, fileName, file.type);
    return { model, payload: { bytes, fileName, format, fields }, fields: { ...fields, file: { name: fileName, bytes: file.size, format } } };
  },
  async send(up, { payload }) {
    const dialect = up.target.provider.media?.transcription ?? (up.target.provider.format.startsWith("openai") ? "openai" : null);
    if (dialect === "openai") return sendWhisperCompatible(up, payload);
    if (dialect !== "deepgram" && dialect !== "assemblyai") {
      throw new GatewayError(400, "invalid_request", `Provider "${up.providerId}" does not offer audio transcription.`, { param: "model" });
    }
    const responseFormat = transcriptionFormat(one(payload.fields.response_format), up.providerId);
    const language = one(payload.fields.language);
    const t = dialect === "deepgram" ? await transcribeDeepgram(up, payload, language) : await transcribeAssemblyAi(up, payload, language);
    if (t.duration !== null) up.setUnits({ audioSeconds: t.duration });
    const { body, contentType } = renderTranscription(t, responseFormat);
    return { body, contentType };
  },
};

/** The form again, with the upstream's model id; the answer goes back as the upstream wrote it. */
async function sendWhisperCompatible(up: MediaUpstream, p: AudioPayload): Promise<MediaAnswer> {
  const form = new FormData();
  for (const [key, value] of Object.entries(p.fields)) {
    if (key !== "model") for (const v of [value].flat()) form.append(key, v);
  }
  form.append("model", up.target.model);
  form.append("file", new Blob([p.bytes], { type: AUDIO_FORMATS[p.format] }), p.fileName || `audio.${p.format}`);
  // Serialised here to send bytes like any other call. The content type (with its boundary)
  // must be read before the body: Bun drops it from the headers once the body is consumed.
  const encoded = new Response(form);
  const formType = encoded.headers.get("content-type")!;
  const bytes = new Uint8Array(await encoded.arrayBuffer());
  const { text, contentType } = await up.text({
    path: "/audio/transcriptions",
    bytes,
    contentType: formType,
    accept: "application/json, text/plain, */*",
  });
  let usage: TokenUsage = NO_USAGE;
  if (contentType.includes("json")) {
    const parsed = up.parse(() => JSON.parse(text) as Record<string, any>);
    usage = whisperUsage(parsed?.usage);
    // whisper-1 bills by the second ({type:"duration", seconds}); verbose_json carries the length too.
    const seconds = parsed?.usage?.seconds ?? parsed?.duration;
    if (typeof seconds === "number") up.setUnits({ audioSeconds: seconds });
  }
  return { body: text, contentType, usage };
}

/** gpt-4o-transcribe reports {type:"tokens", input_tokens, output_tokens, total_tokens}. */
function whisperUsage(u: Record<string, unknown> | undefined): TokenUsage {
  if (!u || u.type !== "tokens") return NO_USAGE;
  const n = (v: unknown) => (typeof v === "number" ? v : null);
  return { promptTokens: n(u.input_tokens), completionTokens: n(u.output_tokens), totalTokens: n(u.total_tokens), cachedTokens: null, reasoningTokens: null };
}

async function transcribeDeepgram(up: MediaUpstream, p: AudioPayload, language?: string): Promise<Transcription> {
  const res = await up.json({
    path: deepgramListenPath(up.target.model, language),
    bytes: p.bytes,
    contentType: AUDIO_FORMATS[p.format],
    errorBody: deepgramErrorBody,
  });
  return up.parse(() => deepgramToTranscription(res, language));
}

async function transcribeAssemblyAi(up: MediaUpstream, p: AudioPayload, language?: string): Promise<Transcription> {
  const uploaded = await up.json({ path: "/upload", bytes: p.bytes, contentType: "application/octet-stream" });
  const audioUrl = up.parse(() => uploadUrlOf(uploaded));
  const created = await up.json({ path: "/transcript", json: assemblyAiTranscriptRequest(audioUrl, up.target.model, language) });
  const id = up.parse(() => transcriptIdOf(created));
  let state: AssemblyAiState = up.parse(() => assemblyAiState(created));
  const profile = up.services.routing.profile(up.providerId);
  const limitMs = profile.requestTimeoutMs ?? up.services.config.upstreamTimeoutMs;
  const deadline = Date.now() + limitMs;
  for (let wait = POLL_FIRST_MS; state.state === "pending"; wait = Math.min(wait * 2, POLL_MAX_MS)) {
    if (Date.now() + wait > deadline) {
      throw new GatewayError(504, "upstream_timeout", `[${up.providerId}] transcript ${id} was not ready within ${limitMs} ms`);
    }
    await sleepUnlessAborted(wait, up.request.signal);
    const res = await up.json({ path: `/transcript/${encodeURIComponent(id)}`, method: "GET" });
    state = up.parse(() => assemblyAiState(res));
  }
  // A transcript that failed is about the audio (undecodable, no speech), not the upstream's health.
  if (state.state === "error") throw new GatewayError(400, "upstream_error", `[${up.providerId}] ${state.message}`, { param: "file" });
  return state.transcription;
}

function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const abort = () => {
      clearTimeout(timer);
      reject(new GatewayError(499, "upstream_error", "client closed the request"));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", abort);
      resolve();
    }, ms);
    if (signal.aborted) abort();
    else signal.addEventListener("abort", abort, { once: true });
  });
}
