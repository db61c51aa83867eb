// A fake AssemblyAI (api.assemblyai.com/v2) in its real wire shapes: raw upload, asynchronous
// transcript, polling (Authorization: <key>, no scheme).
//   POST /v2/upload          → {upload_url}
//   POST /v2/transcript      → {id, status:"queued", audio_url, speech_model, …}
//   GET  /v2/transcript/{id} → "processing" for `pendingPolls` polls, then "completed" with
//                              text, language_code, audio_duration, words (ms); "error" when
//                              the upload was not audio
//   GET  /v2/transcript?limit=1 → a transcript list (key checks)
// speech_model "error-<status>" on POST /v2/transcript → that status, {error: "..."}.
import { sniffAudio } from "../../src/formats/audio/transcription.ts";
import { headersOf } from "./fake-stream.ts";

export interface FakeAssemblyAi {
  url: string;
  /** Base URL for a connection (`.../v2`). */
  baseUrl: string;
  requests: { method: string; path: string; headers: Record<string, string>; body: unknown }[];
  polls: number;
  close(): void;
}

export const ASSEMBLYAI_TEXT = "Hello from AssemblyAI.";

interface Upload {
  bytes: number;
  audio: boolean;
}

export function startFakeAssemblyAi(opts: { apiKey?: string; pendingPolls?: number } = {}): FakeAssemblyAi {
  const apiKey = opts.apiKey ?? "aai-fake-key";
  const pendingPolls = opts.pendingPolls ?? 2;
  const uploads = new Map<string, Upload>();
  const transcripts = new Map<string, { body: Record<string, any>; upload: Upload; polls: number }>();
  const state = { requests: [] as FakeAssemblyAi["requests"], polls: 0 };

  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const url = new URL(req.url);
      const headers = headersOf(req);
      if (req.headers.get("authorization") !== apiKey) {
        return Response.json({ error: "Authentication error, API token missing/invalid" }, { status: 401 });
      }
      if (req.method === "POST" && url.pathname === "/v2/upload") {
        const bytes = new Uint8Array(await req.arrayBuffer());
        state.requests.push({ method: req.method, path: url.pathname, headers, body: { bytes: bytes.length } });
        const id = crypto.randomUUID();
        uploads.set(`https://cdn.assemblyai.com/upload/${id}`, { bytes: bytes.length, audio: sniffAudio(bytes) !== null });
        return Response.json({ upload_url: `https://cdn.assemblyai.com/upload/${id}` });
      }
      if (req.method === "POST" && url.pathname === "/v2/transcript") {
        const body = (await req.json().catch(() => null)) as Record<string, any> | null;
        state.requests.push({ method: req.method, path: url.pathname, headers, body });
        const status = /error-(\d{3})/.exec(String(body?.speech_model ?? ""));
        if (status) return Response.json({ error: `Fake failure ${status[1]}` }, { status: Number(status[1]) });
        const upload = uploads.get(String(body?.audio_url));
        if (!body || !upload) return Response.json({ error: "Invalid audio_url" }, { status: 400 });
        const id = crypto.randomUUID();
        transcripts.set(id, { body, upload, polls: 0 });
        return Response.json(transcriptBody(id, body, "queued"));
      }
      if (req.method === "GET" && url.pathname === "/v2/transcript") {
        return Response.json({ page_details: { limit: 1, result_count: 0, current_url: url.href, prev_url: null, next_url: null }, transcripts: [] });
      }
      const m = /^\/v2\/transcript\/([^/]+)$/.exec(url.pathname);
      if (req.method === "GET" && m) {
        state.requests.push({ method: req.method, path: url.pathname, headers, body: null });
        state.polls++;
        const t = transcripts.get(m[1]!);
        if (!t) return Response.json({ error: "Transcript not found" }, { status: 404 });
        t.polls++;
        if (t.polls <= pendingPolls) return Response.json(transcriptBody(m[1]!, t.body, "processing"));
        if (!t.upload.audio) {
          return Response.json({
            ...transcriptBody(m[1]!, t.body, "error"),
            error: "Transcoding failed. File does not appear to contain audio. File type is text/plain (ASCII text).",
          });
        }
        const duration = Math.max(1, Math.round(t.upload.bytes / 32_000));
        return Response.json({
          ...transcriptBody(m[1]!, t.body, "completed"),
          text: ASSEMBLYAI_TEXT,
          language_code: t.body.language_code ?? "en_us",
          audio_duration: duration,
          confidence: 0.93,
          words: ASSEMBLYAI_TEXT.split(" ").map((w, i) => ({ text: w, start: i * 400, end: i * 400 + 350, confidence: 0.9, speaker: null })),
        });
      }
      return Response.json({ error: "Not found" }, { status: 404 });
    },
  });
  const url = `http://127.0.0.1:${server.port}`;
  return {
    url,
    baseUrl: `${url}/v2`,
    get requests() {
      return state.requests;
    },
    get polls() {
      return state.polls;
    },
    close: () => server.stop(true),
  };
}

function transcriptBody(id: string, body: Record<string, any>, status: string) {
  return {
    id,
    status,
    audio_url: body.audio_url,
    speech_model: body.speech_model ?? null,
    language_code: body.language_code ?? null,
    language_detection: body.language_detection ?? false,
    text: null,
    words: null,
    audio_duration: null,
    error: null,
  };
}
