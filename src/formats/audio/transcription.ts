// The transcription answer of POST /v1/audio/transcriptions as the API reference gives it,
// {text, task, language, duration}, for upstreams that are not OpenAI-compatible (Deepgram,
// AssemblyAI); and the audio formats the endpoint accepts.
import { GatewayError } from "../../errors.ts";

export interface TranscriptionWord {
  word: string;
  start: number;
  end: number;
}

export interface Transcription {
  text: string;
  task: "transcribe";
  /** ISO code as the upstream reports it (or as the client forced it); null when unknown. */
  language: string | null;
  /** Seconds of audio. */
  duration: number | null;
  words?: TranscriptionWord[];
}

/** OpenAI's response_format values a translated transcription can honour. */
export type TranscriptionFormat = "json" | "verbose_json" | "text";

export function transcriptionFormat(value: unknown, providerId: string): TranscriptionFormat {
  if (value === undefined || value === null || value === "") return "json";
  if (value === "json" || value === "verbose_json" || value === "text") return value;
  throw new GatewayError(400, "invalid_request", `response_format "${String(value)}" is not supported for ${providerId}; use json, verbose_json or text.`, {
    param: "response_format",
  });
}

/** The answer body and its content type. Words are kept for verbose_json only, as OpenAI does. */
export function renderTranscription(t: Transcription, format: TranscriptionFormat): { body: string; contentType: string } {
  if (format === "text") return { body: `${t.text}\n`, contentType: "text/plain; charset=utf-8" };
  const { words, ...plain } = t;
  const out = format === "verbose_json" && words ? { ...plain, words } : plain;
  return { body: JSON.stringify(out), contentType: "application/json" };
}

// ---- audio formats -----------------------------------------------------------------------

/** The formats the reference lists, with the MIME type sent upstream. */
export const AUDIO_FORMATS = {
  mp3: "audio/mpeg",
  wav: "audio/wav",
  m4a: "audio/mp4",
  flac: "audio/flac",
  ogg: "audio/ogg",
  webm: "audio/webm",
} as const;

export type AudioFormat = keyof typeof AUDIO_FORMATS;

/** Other names OpenAI's endpoint accepts for the same containers. */
const EXTENSION_ALIASES: Record<string, AudioFormat> = { mpeg: "mp3", mpga: "mp3", mp4: "m4a", oga: "ogg", opus: "ogg" };
const MIME_FORMATS: Record<string, AudioFormat> = {
  "audio/mpeg": "mp3",
  "audio/mp3": "mp3",
  "audio/wav": "wav",
  "audio/x-wav": "wav",
  "audio/wave": "wav",
  "audio/mp4": "m4a",
  "audio/x-m4a": "m4a",
  "audio/m4a": "m4a",
  "audio/flac": "flac",
  "audio/x-flac": "flac",
  "audio/ogg": "ogg",
  "audio/webm": "webm",
  "video/webm": "webm",
};

const ascii = (b: Uint8Array, from: number, to: number) => String.fromCharCode(...b.subarray(from, to));

/** The container by its first bytes: what the file really is, whatever its name says. */
export function sniffAudio(b: Uint8Array): AudioFormat | null {
  if (b.length < 12) return null;
  if (ascii(b, 0, 4) === "RIFF" && ascii(b, 8, 12) === "WAVE") return "wav";
  if (ascii(b, 0, 4) === "fLaC") return "flac";
  if (ascii(b, 0, 4) === "OggS") return "ogg";
  if (b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3) return "webm";
  if (ascii(b, 4, 8) === "ftyp") return "m4a";
  if (ascii(b, 0, 3) === "ID3" || (b[0] === 0xff && (b[1]! & 0xe0) === 0xe0)) return "mp3";
  return null;
}

/** The audio format of an upload: its bytes, else its file name, else its declared type. */
export function audioFormatOf(bytes: Uint8Array, fileName: string, mimeType: string): AudioFormat {
  const sniffed = sniffAudio(bytes);
  if (sniffed) return sniffed;
  const ext = /\.([a-z0-9]+)$/i.exec(fileName)?.[1]?.toLowerCase() ?? "";
  if (ext in AUDIO_FORMATS) return ext as AudioFormat;
  if (EXTENSION_ALIASES[ext]) return EXTENSION_ALIASES[ext];
  const mime = MIME_FORMATS[mimeType.split(";")[0]!.trim().toLowerCase()];
  if (mime) return mime;
  throw new GatewayError(
    400,
    "invalid_request",
    `Unsupported audio format${fileName ? ` for "${fileName}"` : ""}. Supported formats: ${Object.keys(AUDIO_FORMATS).join(", ")}.`,
    { param: "file" },
  );
}
