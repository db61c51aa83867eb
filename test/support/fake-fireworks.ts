// A fake Fireworks FLUX text-to-image workflow (api.fireworks.ai/inference/v1/workflows/
// accounts/fireworks/models/{model}/text_to_image) in its real wire shape: {prompt,
// aspect_ratio, …} in; with Accept: application/json {id, base64:[…], finishReason, seed}
// out, with an image/* Accept the PNG bytes. A prompt containing "forbidden" comes back
// CONTENT_FILTERED; model "…error-<status>" answers that status.
import { PNG_1PX } from "./fake-openai-media.ts";

const ASPECT_RATIOS = new Set(["1:1", "21:9", "16:9", "3:2", "5:4", "4:5", "2:3", "9:16", "9:21", "4:3", "3:4"]);

export interface FakeFireworks {
  url: string;
  /** Base URL for a connection (`.../inference/v1`). */
  baseUrl: string;
  requests: { path: string; accept: string | null; body: any }[];
  close(): void;
}

export function startFakeFireworks(opts: { apiKey?: string } = {}): FakeFireworks {
  const apiKey = opts.apiKey ?? "fw-fake-key";
  const requests: FakeFireworks["requests"] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const url = new URL(req.url);
      if (req.headers.get("authorization") !== `Bearer ${apiKey}`) return Response.json({ error: { message: "Unauthorized" } }, { status: 401 });
      const m = /^\/inference\/v1\/workflows\/(accounts\/[^/]+\/models\/[^/]+)\/text_to_image$/.exec(url.pathname);
      if (req.method !== "POST" || !m) return Response.json({ error: { message: "Model not found, inaccessible, and/or not deployed" } }, { status: 404 });
      const body = await req.json().catch(() => null);
      requests.push({ path: url.pathname, accept: req.headers.get("accept"), body });
      const status = /error-(\d{3})/.exec(m[1]!);
      if (status) return Response.json({ error: { object: "error", type: "internal_error", message: `Fake failure ${status[1]}` } }, { status: Number(status[1]) });
      if (typeof body?.prompt !== "string" || !body.prompt) return Response.json({ error: { message: "prompt is required" } }, { status: 400 });
      if (body.aspect_ratio !== undefined && !ASPECT_RATIOS.has(body.aspect_ratio)) {
        return Response.json({ error: { message: `invalid aspect_ratio ${body.aspect_ratio}` } }, { status: 400 });
      }
      if (wantsBytes(req.headers.get("accept"))) return new Response(Buffer.from(PNG_1PX, "base64"), { headers: { "content-type": "image/png" } });
      const filtered = body.prompt.includes("forbidden");
      return Response.json({
        id: crypto.randomUUID(),
        base64: filtered ? [] : [`data:image/png;base64,${PNG_1PX}`],
        finishReason: filtered ? "CONTENT_FILTERED" : "SUCCESS",
        seed: body.seed ?? 1234567890,
      });
    },
  });
  const url = `http://127.0.0.1:${server.port}`;
  return { url, baseUrl: `${url}/inference/v1`, requests, close: () => server.stop(true) };
}

const wantsBytes = (accept: string | null) => !!accept && accept.startsWith("image/");
