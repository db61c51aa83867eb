// AssemblyAI asynchronous transcription (assemblyai.com/docs, openapi v1.3):
//   POST /v2/upload  (Authorization: <key>, application/octet-stream, the bytes) → {upload_url}
//   POST /v2/transcript {audio_url, speech_model, language_code | language_detection}
//        → {id, status:"queued", …}
//   GET  /v2/transcript/{id} until status is "completed" (text, language_code, audio_duration
//        in seconds, words with times in ms) or "error" (error: the reason).
import type { Transcription } from "./transcription.ts";

export function assemblyAiTranscriptRequest(uploadUrl: string, model: string, language?: string): Record<string, unknown> {
  return {
    audio_url: uploadUrl,
    speech_model: model,
    ...(language ? { language_code: language } : { language_detection: true }),
  };
}

export function uploadUrlOf(body: unknown): string {
  const url = (body as { upload_url?: unknown } | null)?.upload_url;
  if (typeof url !== "string" || !url) throw new Error("no upload_url in the answer");
  return url;
}

export function transcriptIdOf(body: unknown): string {
  const id = (body as { id?: unknown } | null)?.id;
  if (typeof id !== "string" || !id) throw new Error("no transcript id in the answer");
  return id;
}

export type AssemblyAiState = { state: "pending" } | { state: "completed"; transcription: Transcription } | { state: "error"; message: string };

export function assemblyAiState(body: unknown): AssemblyAiState {
  const o = (body ?? {}) as Record<string, any>;
  if (o.status === "queued" || o.status === "processing") return { state: "pending" };
  if (o.status === "error") return { state: "error", message: typeof o.error === "string" ? o.error : "transcription failed" };
  if (o.status !== "completed") throw new Error(`unknown transcript status ${JSON.stringify(o.status)}`);
  const words = Array.isArray(o.words)
    ? o.words.map((w: any) => ({ word: String(w.text ?? ""), start: Number(w.start) / 1000, end: Number(w.end) / 1000 }))
    : undefined;
  return {
    state: "completed",
    transcription: {
      text: typeof o.text === "string" ? o.text : "",
      task: "transcribe",
      language: typeof o.language_code === "string" ? o.language_code : null,
      duration: typeof o.audio_duration === "number" ? o.audio_duration : null,
      ...(words ? { words } : {}),
    },
  };
}
