// A fake of Gemini's embedding methods (generativelanguage v1beta) in their real wire shapes:
//   POST /v1beta/models/{model}:batchEmbedContents  (x-goog-api-key)
//   {requests:[{model:"models/{model}", content:{parts:[{text}]}, outputDimensionality?}]}
//   → {embeddings:[{values:[…]}]}
// At most 100 requests per batch and each request naming the same model, as the API enforces;
// errors in Google's {error:{code, message, status}} shape. Vectors as fakeVector().
import { fakeVector } from "./fake-openai-media.ts";

export interface FakeGeminiEmbeddings {
  url: string;
  /** Base URL for a connection (`.../v1beta`). */
  baseUrl: string;
  requests: { path: string; body: any }[];
  close(): void;
}

const googleError = (code: number, status: string, message: string) => Response.json({ error: { code, message, status } }, { status: code });

export function startFakeGeminiEmbeddings(opts: { apiKey?: string } = {}): FakeGeminiEmbeddings {
  const apiKey = opts.apiKey ?? "gemini-fake-key";
  const requests: FakeGeminiEmbeddings["requests"] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const url = new URL(req.url);
      if (req.headers.get("x-goog-api-key") !== apiKey) return googleError(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.");
      const m = /^\/v1beta\/models\/([^:/]+):batchEmbedContents$/.exec(url.pathname);
      if (req.method !== "POST" || !m) return googleError(404, "NOT_FOUND", `${url.pathname} is not found`);
      const model = decodeURIComponent(m[1]!);
      const body = await req.json().catch(() => null);
      requests.push({ path: url.pathname, body });
      const status = /error-(\d{3})/.exec(model);
      if (status) return googleError(Number(status[1]), "UNAVAILABLE", `Fake failure ${status[1]}`);
      const list: any[] = body?.requests ?? [];
      if (list.length > 100) return googleError(400, "INVALID_ARGUMENT", "* BatchEmbedContentsRequest.requests: at most 100 requests can be in one batch\n");
      for (const r of list) {
        if (r?.model !== `models/${model}`) return googleError(400, "INVALID_ARGUMENT", `Model names should be the same in the batch request (${r?.model})`);
      }
      return Response.json({
        embeddings: list.map((r, i) => ({ values: fakeVector(r.content?.parts?.[0]?.text, i, r.outputDimensionality) })),
      });
    },
  });
  const url = `http://127.0.0.1:${server.port}`;
  return { url, baseUrl: `${url}/v1beta`, requests, close: () => server.stop(true) };
}
