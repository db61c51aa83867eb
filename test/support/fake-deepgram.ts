// A fake Deepgram (api.deepgram.com/v1) in its real wire shapes: pre-recorded transcription
// POST /v1/listen?model=…  (Authorization: Token <key>, raw audio body, Content-Type audio/*)
// answered as Deepgram does ({metadata, results:{channels:[{alternatives, detected_language}]}}),
// errors as {err_code, err_msg, request_id}; GET /v1/projects for key checks.
//   model "error-<status>"  → that status
//   a body that is not audio → 400 "corrupt or unsupported data", as Deepgram answers
import { sniffAudio } from "../../src/formats/audio/transcription.ts";
import { headersOf } from "./fake-stream.ts";

export interface FakeDeepgram {
  url: string;
  /** Base URL for a connection (`.../v1`). */
  baseUrl: string;
  requests: { path: string; query: Record<string, string>; headers: Record<string, string>; bytes: number }[];
  close(): void;
}

export const DEEPGRAM_TRANSCRIPT = "Hello, this is the transcribed audio content.";

const err = (status: number, code: string, msg: string) =>
  Response.json({ err_code: code, err_msg: msg, request_id: crypto.randomUUID() }, { status });

/** Seconds of a PCM WAV from its header (byte rate at offset 28, data after 44 bytes). */
function wavSeconds(b: Uint8Array): number {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const byteRate = b.length >= 32 ? view.getUint32(28, true) : 0;
  return byteRate > 0 ? Math.round(((b.length - 44) / byteRate) * 1000) / 1000 : 0;
}

export function startFakeDeepgram(opts: { apiKey?: string } = {}): FakeDeepgram {
  const apiKey = opts.apiKey ?? "dg-fake-key";
  const requests: FakeDeepgram["requests"] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const url = new URL(req.url);
      if (req.headers.get("authorization") !== `Token ${apiKey}`) return err(401, "INVALID_AUTH", "Invalid credentials.");
      if (req.method === "GET" && url.pathname === "/v1/projects") {
        return Response.json({ projects: [{ project_id: "3f6a1c6e-0000-4000-8000-000000000000", name: "Fake project" }] });
      }
      if (req.method !== "POST" || url.pathname !== "/v1/listen") return err(404, "NOT_FOUND", "Not found");
      const bytes = new Uint8Array(await req.arrayBuffer());
      const headers = headersOf(req);
      requests.push({ path: url.pathname, query: Object.fromEntries(url.searchParams), headers, bytes: bytes.length });
      const model = url.searchParams.get("model") ?? "base";
      const status = /error-(\d{3})/.exec(model);
      if (status) return err(Number(status[1]), "REQUEST_FAILED", `Fake failure ${status[1]}`);
      if (!sniffAudio(bytes)) return err(400, "Bad Request", "Bad Request: failed to process audio: corrupt or unsupported data");
      const duration = sniffAudio(bytes) === "wav" ? wavSeconds(bytes) : Math.round((bytes.length / 16_000) * 1000) / 1000;
      const detect = url.searchParams.get("detect_language") === "true";
      const words = DEEPGRAM_TRANSCRIPT.split(" ").map((w, i) => ({
        word: w.toLowerCase().replace(/[^a-z]/g, ""),
        start: i * 0.4,
        end: i * 0.4 + 0.35,
        confidence: 0.99,
        punctuated_word: w,
      }));
      return Response.json({
        metadata: {
          transaction_key: "deprecated",
          request_id: crypto.randomUUID(),
          sha256: "0".repeat(64),
          created: new Date().toISOString(),
          duration,
          channels: 1,
          models: ["30089e05-99d1-4376-b32e-c263170674af"],
          model_info: { "30089e05-99d1-4376-b32e-c263170674af": { name: `2-general-${model}`, version: "2025-01-01.0", arch: model } },
        },
        results: {
          channels: [
            {
              alternatives: [{ transcript: DEEPGRAM_TRANSCRIPT, confidence: 0.998, words }],
              ...(detect ? { detected_language: "en", language_confidence: 0.97 } : {}),
            },
          ],
        },
      });
    },
  });
  const url = `http://127.0.0.1:${server.port}`;
  return { url, baseUrl: `${url}/v1`, requests, close: () => server.stop(true) };
}
