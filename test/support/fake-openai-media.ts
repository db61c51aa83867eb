// The non-chat endpoints of the fake OpenAI upstream (fake-openai.ts), in api.openai.com's wire
// shapes: /v1/embeddings, /v1/images/generations, /v1/audio/transcriptions. Chosen by model:
//   "...error-<status>"  → that status with OpenAI's error body
//   "...garbage"         → 200 with an HTML body
//   "...embedqa..."      → NVIDIA NIM's asymmetric models: 400 without `input_type`
//   "grok-..."           → xAI: 400 "Argument not supported: size" for size/quality/style
//   "gpt-image-..."      → always b64_json, with token usage (gpt-image-1)
//   "gpt-4o-..."         → transcription usage in tokens (gpt-4o-transcribe), else in seconds
// Embedding vectors are deterministic: [text length, input index, 0.5] (or `dimensions` long).
import { errorBody, type FakeRequest } from "./fake-openai.ts";
import { headersOf } from "./fake-stream.ts";

/** A 1×1 transparent PNG. */
export const PNG_1PX = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";

export function fakeVector(text: unknown, index: number, dims = 3): number[] {
  const len = typeof text === "string" ? text.length : Array.isArray(text) ? text.length : 0;
  return Array.from({ length: dims }, (_, i) => (i === 0 ? len : i === 1 ? index : 0.5));
}

function floatsToBase64(values: number[]): string {
  return Buffer.from(new Float32Array(values).buffer).toString("base64");
}

const MEDIA_PATHS = new Set(["/v1/embeddings", "/v1/images/generations", "/v1/audio/transcriptions"]);

/** Answers a media request, or null when the path is not one (the chat fake carries on). */
export async function fakeOpenAiMedia(req: Request, url: URL, requests: FakeRequest[]): Promise<Response | null> {
  if (req.method !== "POST" || !MEDIA_PATHS.has(url.pathname)) return null;
  const headers = headersOf(req);
  if (url.pathname === "/v1/audio/transcriptions") {
    let form: FormData;
    try {
      form = await req.formData();
    } catch {
      return Response.json({ error: { message: "Could not parse multipart form", type: "invalid_request_error", param: null, code: null } }, { status: 400 });
    }
    const file = form.get("file");
    const fields: Record<string, unknown> = {};
    form.forEach((v, k) => {
      if (k !== "file") fields[k] = v;
    });
    const body = { ...fields, file: file instanceof File ? { name: file.name, type: file.type, size: file.size } : null };
    requests.push({ path: url.pathname, headers, body });
    return transcription(body, file instanceof File ? file : null);
  }
  const body = await req.json().catch(() => null);
  requests.push({ path: url.pathname, headers, body });
  const model: string = body?.model ?? "";
  const status = /error-(\d{3})/.exec(model);
  if (status) return Response.json(errorBody(Number(status[1])), { status: Number(status[1]) });
  if (model.includes("garbage")) return new Response("<html><body>502 Bad Gateway</body></html>", { status: 200, headers: { "content-type": "text/html" } });
  return url.pathname === "/v1/embeddings" ? embeddings(body) : images(body);
}

function embeddings(body: any): Response {
  if (String(body.model).includes("embedqa") && !body.input_type) {
    // NVIDIA NIM's answer for an asymmetric model called without input_type.
    return Response.json(
      { object: "error", message: "'input_type' parameter is required for asymmetric models", detail: "'input_type' parameter is required for asymmetric models", type: "invalid_request_error" },
      { status: 400 },
    );
  }
  const inputs: unknown[] = typeof body.input === "string" || (Array.isArray(body.input) && typeof body.input[0] === "number") ? [body.input] : body.input;
  const base64 = body.encoding_format === "base64";
  const data = inputs.map((text, index) => {
    const v = fakeVector(text, index, body.dimensions);
    return { object: "embedding", index, embedding: base64 ? floatsToBase64(v) : v };
  });
  const tokens = inputs.reduce<number>((n, t) => n + Math.ceil((typeof t === "string" ? t.length : (t as unknown[]).length * 4) / 4), 0);
  return Response.json({ object: "list", data, model: body.model, usage: { prompt_tokens: tokens, total_tokens: tokens } });
}

function images(body: any): Response {
  const model = String(body.model);
  if (model.startsWith("grok")) {
    for (const key of ["size", "quality", "style"]) {
      if (body[key] !== undefined) return Response.json({ code: "Client specified an invalid argument", error: `Argument not supported: ${key}` }, { status: 400 });
    }
  }
  const n = body.n ?? 1;
  const b64 = model.startsWith("gpt-image") || body.response_format === "b64_json";
  const data = Array.from({ length: n }, (_, i) => ({
    ...(b64 ? { b64_json: PNG_1PX } : { url: `https://fake-images.example/${model}/${i}.png` }),
    ...(model === "dall-e-3" ? { revised_prompt: `A vivid rendering of: ${body.prompt}` } : {}),
  }));
  const usage = model.startsWith("gpt-image")
    ? { total_tokens: 4170, input_tokens: 10, output_tokens: 4160, input_tokens_details: { text_tokens: 10, image_tokens: 0 } }
    : undefined;
  return Response.json({ created: Math.floor(Date.now() / 1000), data, ...(usage ? { usage } : {}) });
}

function transcription(body: Record<string, any>, file: File | null): Response {
  const model = String(body.model ?? "");
  const status = /error-(\d{3})/.exec(model);
  if (status) return Response.json(errorBody(Number(status[1])), { status: Number(status[1]) });
  if (!file) return Response.json({ error: { message: "Missing file", type: "invalid_request_error", param: "file", code: null } }, { status: 400 });
  const text = `Fake transcript of ${file.name} (${file.size} bytes).`;
  const seconds = Math.round((file.size / 32_000) * 100) / 100;
  switch (body.response_format ?? "json") {
    case "text":
      return new Response(`${text}\n`, { headers: { "content-type": "text/plain; charset=utf-8" } });
    case "verbose_json":
      return Response.json({
        task: "transcribe",
        language: "english",
        duration: seconds,
        text,
        segments: [{ id: 0, seek: 0, start: 0, end: seconds, text, tokens: [1, 2], temperature: 0, avg_logprob: -0.2, compression_ratio: 1, no_speech_prob: 0 }],
        usage: { type: "duration", seconds: Math.ceil(seconds) },
      });
    default:
      // gpt-4o-transcribe bills tokens; whisper-1 seconds of audio.
      if (model.startsWith("gpt-4o")) {
        return Response.json({ text, usage: { type: "tokens", input_tokens: 14, output_tokens: 9, total_tokens: 23, input_token_details: { text_tokens: 0, audio_tokens: 14 } } });
      }
      return Response.json({ text, usage: { type: "duration", seconds: Math.ceil(seconds) } });
  }
}
