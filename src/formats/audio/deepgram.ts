// Deepgram pre-recorded transcription (developers.deepgram.com, /v1/listen):
//   POST /v1/listen?model=nova-3&smart_format=true&detect_language=true
//   Authorization: Token <key>, Content-Type: audio/*, body: the audio bytes
//   → {metadata:{request_id, duration, channels, models, …},
//      results:{channels:[{alternatives:[{transcript, confidence, words:[…]}], detected_language?}]}}
// Errors: {err_code, err_msg, request_id}.
import type { Transcription } from "./transcription.ts";

export function deepgramListenPath(model: string, language?: string): string {
  const q = new URLSearchParams({ model, smart_format: "true" });
  // Without a language Deepgram assumes English; detection makes it report what it heard.
  if (language) q.set("language", language);
  else q.set("detect_language", "true");
  return `/listen?${q}`;
}

export function deepgramToTranscription(body: unknown, language?: string): Transcription {
  const o = (body ?? {}) as Record<string, any>;
  const channel = o.results?.channels?.[0];
  const alt = channel?.alternatives?.[0];
  if (!alt || typeof alt.transcript !== "string") throw new Error("no transcript in the answer");
  const words = Array.isArray(alt.words)
    ? alt.words.map((w: any) => ({ word: String(w.punctuated_word ?? w.word ?? ""), start: Number(w.start), end: Number(w.end) }))
    : undefined;
  const duration = o.metadata?.duration;
  return {
    text: alt.transcript,
    task: "transcribe",
    language: language ?? (typeof channel.detected_language === "string" ? channel.detected_language : null),
    duration: typeof duration === "number" ? duration : null,
    ...(words ? { words } : {}),
  };
}

/** Deepgram's error body in the {error:{message}} shape the gateway's error reader knows. */
export function deepgramErrorBody(text: string): string {
  try {
    const o = JSON.parse(text);
    if (o && typeof o.err_msg === "string") return JSON.stringify({ error: { message: o.err_msg, code: o.err_code ?? null } });
  } catch {
    // not JSON: kept as it is
  }
  return text;
}
