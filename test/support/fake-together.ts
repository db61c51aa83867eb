// A fake Together AI image endpoint (api.together.xyz/v1/images/generations) in its real wire
// shape: width/height rather than size, response_format "base64" | "url" (anything else is a
// 400, as OpenAI's "b64_json" would be), answers {id, model, object:"list", data:[{index, …}]}.
import { PNG_1PX } from "./fake-openai-media.ts";

export interface FakeTogether {
  url: string;
  baseUrl: string;
  requests: { path: string; body: any }[];
  close(): void;
}

export function startFakeTogether(opts: { apiKey?: string } = {}): FakeTogether {
  const apiKey = opts.apiKey ?? "together-fake-key";
  const requests: FakeTogether["requests"] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const url = new URL(req.url);
      if (req.headers.get("authorization") !== `Bearer ${apiKey}`) {
        return Response.json({ error: { message: "Invalid API key provided", type: "invalid_request_error", code: "invalid_api_key" } }, { status: 401 });
      }
      if (req.method !== "POST" || url.pathname !== "/v1/images/generations") return Response.json({ error: { message: "Not found" } }, { status: 404 });
      const body = await req.json().catch(() => null);
      requests.push({ path: url.pathname, body });
      const status = /error-(\d{3})/.exec(String(body?.model));
      if (status) return Response.json({ error: { message: `Fake failure ${status[1]}`, type: "server_error" } }, { status: Number(status[1]) });
      const format = body?.response_format ?? "url";
      if (format !== "base64" && format !== "url") {
        return Response.json({ error: { message: `response_format must be one of: base64, url (got ${format})`, type: "invalid_request_error" } }, { status: 400 });
      }
      const n = body.n ?? 1;
      return Response.json({
        id: `img-${crypto.randomUUID()}`,
        model: body.model,
        object: "list",
        // Out of order on purpose: the translator orders by index.
        data: Array.from({ length: n }, (_, i) => n - 1 - i).map((index) => ({
          index,
          type: format === "base64" ? "b64_json" : "url",
          ...(format === "base64" ? { b64_json: PNG_1PX } : { url: `https://api.together.ai/imgproxy/${index}-${body.width ?? 1024}x${body.height ?? 768}.jpeg` }),
          timings: { inference: 0.5 },
        })),
      });
    },
  });
  const url = `http://127.0.0.1:${server.port}`;
  return { url, baseUrl: `${url}/v1`, requests, close: () => server.stop(true) };
}
