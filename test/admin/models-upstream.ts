// A tiny OpenAI-shaped upstream for the probe tests: GET /v1/models answers OpenAI's real list
// shape for the right Bearer key and OpenAI's real 401 body otherwise.
export const GOOD_KEY = "sk-test-good-key-0123456789abcdef";

export const OPENAI_MODEL_LIST = {
  object: "list",
  data: [{ id: "gpt-4o-mini", object: "model", created: 1721172741, owned_by: "system" }],
};

export const OPENAI_BAD_KEY = {
  error: {
    message: "Incorrect API key provided: sk-bad. You can find your API key at https://platform.openai.com/account/api-keys.",
    type: "invalid_request_error",
    param: null,
    code: "invalid_api_key",
  },
};

export interface ModelsUpstream {
  /** e.g. http://127.0.0.1:PORT/v1 */
  baseUrl: string;
  /** Every request seen: method, path, authorization header. */
  seen: { method: string; path: string; authorization: string | null }[];
  stop(): void;
}

export function startModelsUpstream(): ModelsUpstream {
  const seen: ModelsUpstream["seen"] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch(req) {
      const url = new URL(req.url);
      seen.push({ method: req.method, path: url.pathname, authorization: req.headers.get("authorization") });
      if (req.method !== "GET" || url.pathname !== "/v1/models") return Response.json({ error: { message: "not found" } }, { status: 404 });
      if (req.headers.get("authorization") !== `Bearer ${GOOD_KEY}`) return Response.json(OPENAI_BAD_KEY, { status: 401 });
      return Response.json(OPENAI_MODEL_LIST);
    },
  });
  return { baseUrl: `http://127.0.0.1:${server.port}/v1`, seen, stop: () => server.stop(true) };
}

/** A base URL on a port nothing listens on (a server was bound there, then closed). */
export async function closedPortBaseUrl(): Promise<string> {
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("") });
  const port = server.port;
  await server.stop(true);
  return `http://127.0.0.1:${port}/v1`;
}
