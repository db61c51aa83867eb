// A fake upstream that speaks Ollama's native API as `ollama serve` does (docs/api.md,
// api/types.go): POST /api/chat streams NDJSON (application/x-ndjson) unless the body says
// `stream: false`, the last streamed object has `done: true` with done_reason, durations in
// nanoseconds and prompt_eval_count / eval_count; GET /api/tags lists models; errors are
// {"error":"…"}. Ollama has no auth, but headers are recorded so tests can check what the
// gateway sent. Behaviour is chosen by the requested model name (substring):
//   any model            → "Hello from fake: <last user text>" (+ " [images:<n>]")
//   "...tool-call"       → calls get_weather {"city":"Paris"}; after a tool result:
//                          "The weather is: <result>"
//   "...reasoning"       → thinking "Let me think." first, then the default reply
//   "...error-<status>"  → that status with Ollama's error body
//   "...garbage"         → 200 with an HTML body
//   "...broken-stream"   → two lines, then the connection is cut
//   "...hang"            → never answers until the client aborts
//   "...slow-stream"     → first line, a pause of `slowMs`, the rest

import { fakeEventStream, headersOf, serveFake } from "./fake-stream.ts";

export interface FakeOllamaRequest {
  path: string;
  url: string;
  headers: Record<string, string>;
  body: any;
}

export interface FakeOllama {
  url: string;
  /** Base URL to configure on a connection (Ollama's paths start at /api). */
  baseUrl: string;
  requests: FakeOllamaRequest[];
  aborted: number;
  slowMs: number;
  close(): void;
}


export const FAKE_OLLAMA_MODELS = ["llama3.2:latest", "qwen2.5-coder:latest", "gpt-oss:20b", "deepseek-r1:latest"];

/** The trailing non-assistant messages: what the user (or tools) said since the model last spoke. */
function lastTurn(body: any): any[] {
  const msgs: any[] = Array.isArray(body?.messages) ? body.messages : [];
  const out: any[] = [];
  for (let i = msgs.length - 1; i >= 0 && msgs[i]?.role !== "assistant"; i--) out.unshift(msgs[i]);
  return out;
}

function lastUser(body: any): any {
  const msgs: any[] = Array.isArray(body?.messages) ? body.messages : [];
  return [...msgs].reverse().find((m) => m?.role === "user");
}

/** Deterministic counts so tests can assert that the numbers passed through unchanged. */
export function fakeOllamaCounts(body: any, reply: string) {
  return {
    prompt_eval_count: JSON.stringify(body?.messages ?? []).length >> 2,
    eval_count: Math.max(1, reply.split(/\s+/).filter(Boolean).length),
  };
}

export function ollamaErrorFor(status: number, model: string): string {
  const table: Record<number, string> = {
    400: `registry.ollama.ai/library/${model} does not support tools`,
    401: "unauthorized",
    403: "forbidden",
    404: `model "${model}" not found, try pulling it first`,
    429: "too many requests, please try again later",
    500: "llama runner process has terminated: exit status 2",
    503: "server busy, please try again.  maximum pending requests exceeded",
  };
  return table[status] ?? `unexpected server status: ${status}`;
}

function timestamp(): string {
  const ns = String(Math.floor((performance.now() % 1) * 1e6)).padStart(6, "0");
  return new Date().toISOString().replace(/\.(\d{3})Z$/, (_, ms) => `.${ms}${ns}Z`);
}

export function startFakeOllama(opts: { slowMs?: number } = {}): FakeOllama {
  return serveFake<FakeOllamaRequest>(opts, "", async (req, url, state) => {
    const record = (body: any) => {
      state.requests.push({ path: url.pathname, url: url.pathname + url.search, headers: headersOf(req), body });
    };

    if ((req.method === "GET" || req.method === "HEAD") && url.pathname === "/") return new Response("Ollama is running");
    if (req.method === "GET" && url.pathname === "/api/version") return Response.json({ version: "0.12.6" });
    if (req.method === "GET" && url.pathname === "/api/tags") {
      record(null);
      return Response.json({
        models: FAKE_OLLAMA_MODELS.map((name, i) => ({
          name,
          model: name,
          modified_at: "2025-05-10T18:42:07.355276346+02:00",
          size: 2019393189 + i,
          digest: `a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b7${i}`,
          details: { parent_model: "", format: "gguf", family: "llama", families: ["llama"], parameter_size: "3.2B", quantization_level: "Q4_K_M" },
        })),
      });
    }
    if (req.method !== "POST" || url.pathname !== "/api/chat") return new Response("404 page not found", { status: 404, headers: { "content-type": "text/plain" } });

    const body = await req.json().catch(() => null);
    record(body);
    if (!body || typeof body !== "object") return Response.json({ error: "invalid character 'x' looking for beginning of value" }, { status: 400 });
    const model: string = typeof body.model === "string" ? body.model : "";
    if (!model) return Response.json({ error: "model is required" }, { status: 400 });
    const status = /error-(\d{3})/.exec(model);
    if (status) {
      const code = Number(status[1]);
      return Response.json({ error: ollamaErrorFor(code, model) }, { status: code });
    }
    if (model.includes("garbage")) return new Response("<html><body>502 Bad Gateway</body></html>", { status: 200, headers: { "content-type": "text/html" } });
    if (model.includes("hang")) {
      await new Promise<void>((resolve) => req.signal.addEventListener("abort", () => resolve(), { once: true }));
      state.aborted++;
      return new Response(null, { status: 499 });
    }

    const turn = lastTurn(body);
    const toolResult = turn.find((m) => m?.role === "tool");
    const wantsCall = model.includes("tool-call") && !toolResult;
    const user = lastUser(body);
    const images: number = Array.isArray(user?.images) ? user.images.length : 0;
    const reply = wantsCall
      ? ""
      : model.includes("tool-call")
        ? `The weather is: ${toolResult.content}`
        : `Hello from fake: ${typeof user?.content === "string" ? user.content : ""}${images ? ` [images:${images}]` : ""}`;
    const thinking = model.includes("reasoning") ? "Let me think." : "";
    const toolCalls = [{ function: { index: 0, name: "get_weather", arguments: { city: "Paris" } } }];
    const counts = fakeOllamaCounts(body, reply || "call");
    const final = {
      done_reason: "stop",
      done: true,
      total_duration: 885095291,
      load_duration: 3753500,
      prompt_eval_count: counts.prompt_eval_count,
      prompt_eval_duration: 328493000,
      eval_count: counts.eval_count,
      eval_duration: 552222000,
    };

    if (body.stream === false) {
      const message: Record<string, unknown> = { role: "assistant", content: reply };
      if (thinking) message.thinking = thinking;
      if (wantsCall) message.tool_calls = toolCalls;
      return Response.json({ model, created_at: timestamp(), message, ...final });
    }

    const line = (message: Record<string, unknown>, extra: Record<string, unknown> = { done: false }) =>
      `${JSON.stringify({ model, created_at: timestamp(), message: { role: "assistant", ...message }, ...extra })}\n`;
    const lines: string[] = [];
    if (thinking) for (const piece of ["Let me", " think."]) lines.push(line({ content: "", thinking: piece }));
    if (wantsCall) lines.push(line({ content: "", tool_calls: toolCalls }));
    else for (const word of reply.split(/(?<= )/)) lines.push(line({ content: word }));
    lines.push(line({ content: "" }, final));

    const stream = fakeEventStream(lines, model, state);
    return new Response(stream, { headers: { "content-type": "application/x-ndjson" } });
  });
}
