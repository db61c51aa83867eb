// Progress events: a streamed request sent with `X-OmniRoute-Progress: true` is answered at
// once (200, the client format's stream content type, `X-OmniRoute-Progress: enabled`) and
// told what the gateway is doing while it waits — routing decided, a fallback taken, the
// upstream connected, the first token — before the answer's own events follow.
//
// Each event takes a form the client's parser skips:
//  - SSE formats (OpenAI Chat, Responses, Anthropic, Gemini alt=sse): a comment line,
//    `: omniroute-progress {"stage":"routing",…}` (SSE parsers ignore lines starting with ":");
//  - Gemini SSE: Google's SDKs read every line as a response (python-genai fails on comment
//    lines, see the Gemini stream writer's keep-alive), so a `data:` event that is a valid
//    GenerateContentResponse with an empty text part, carrying `omnirouteProgress` (a field the
//    SDKs' response converters drop);
//  - Ollama NDJSON: an empty assistant chunk (`done:false`, content "") carrying an
//    `omniroute_progress` object, which Ollama clients concatenate as nothing;
//  - Gemini's streamed JSON array has no place for one: no progress there (header not set).
// Since the status is sent before routing ends, a failure is reported as the format's
// in-stream error event (the same as an upstream dying mid-stream).
import { GatewayError, type ErrorCode } from "../errors.ts";
import type { ClientFormat, ClientStreamContext } from "../formats/types.ts";

export const PROGRESS_HEADER = "x-omniroute-progress";

export type ProgressStage = "routing" | "fallback" | "cache_hit" | "connected" | "first_token";

const encoder = new TextEncoder();

export function progressRequested(request: Request): boolean {
  const v = request.headers.get(PROGRESS_HEADER);
  return v !== null && v.trim().toLowerCase() === "true";
}

/** The error an answer that arrived as an HTTP error (status, JSON body) says, for an in-stream error event. */
async function errorOf(res: Response): Promise<GatewayError> {
  let message = `upstream answered ${res.status}`;
  try {
    const body = (await res.json()) as any;
    const e = body?.error ?? body;
    if (typeof e === "string") message = e;
    else if (typeof e?.message === "string") message = e.message;
  } catch {
    // not JSON: the status says enough
  }
  return new GatewayError(res.status, codeOf(res.status), message);
}

/** The writers pick the format's error type from the status and code. */
function codeOf(status: number): ErrorCode {
  if (status === 400) return "invalid_request";
  if (status === 401) return "invalid_api_key";
  if (status === 403) return "policy_denied";
  if (status === 404) return "model_not_found";
  if (status === 429) return "rate_limited";
  if (status === 503) return "service_unavailable";
  return "upstream_error";
}

export class ProgressStream {
  private readonly started = performance.now();
  private queue: Uint8Array[] = [];
  private inner: ReadableStreamDefaultReader<Uint8Array> | null = null;
  private ended = false;
  private cancelled = false;
  private wake: (() => void) | null = null;
  private sawFirstByte = false;
  readonly response: Response;

  private constructor(
    private readonly client: ClientFormat,
    private readonly ctx: ClientStreamContext,
    headers: Record<string, string>,
  ) {
    const body = new ReadableStream<Uint8Array>({
      pull: (c) => this.pull(c),
      cancel: () => {
        this.cancelled = true;
        this.inner?.cancel().catch(() => {});
      },
    });
    this.response = new Response(body, {
      status: 200,
      headers: {
        ...headers,
        "content-type": client.streamContentType(ctx),
        "cache-control": "no-cache",
        "x-accel-buffering": "no",
        [PROGRESS_HEADER]: "enabled",
      },
    });
  }

  /** A progress stream for this client, or null when its stream format has no room for progress. */
  static open(client: ClientFormat, ctx: ClientStreamContext, headers: Record<string, string>): ProgressStream | null {
    if (client.id === "gemini" && !ctx.sse) return null;
    return new ProgressStream(client, ctx, headers);
  }

  emit(stage: ProgressStage, data: Record<string, unknown> = {}): void {
    if (this.ended || this.cancelled) return;
    const event = { stage, elapsedMs: Math.round(performance.now() - this.started), ...data };
    let text: string;
    if (this.client.id === "ollama") {
      text = `${JSON.stringify({ model: this.ctx.requestedModel, created_at: new Date().toISOString(), message: { role: "assistant", content: "" }, done: false, omniroute_progress: event })}\n`;
    } else if (this.client.id === "gemini") {
      const chunk = { candidates: [{ content: { role: "model", parts: [{ text: "" }] }, index: 0 }], modelVersion: this.ctx.requestedModel, omnirouteProgress: event };
      text = `data: ${JSON.stringify(chunk)}\r\n\r\n`;
    } else {
      text = `: omniroute-progress ${JSON.stringify(event)}\n\n`;
    }
    this.push(encoder.encode(text));
  }

  private push(bytes: Uint8Array): void {
    this.queue.push(bytes);
    this.wake?.();
  }

  /** Runs the request; its answer's body follows the progress so far, its failure becomes an in-stream error. */
  follow(answer: () => Promise<Response>): Response {
    answer()
      .then(async (res) => {
        if (this.cancelled) {
          await res.body?.cancel().catch(() => {});
          return;
        }
        if (res.status >= 400 || !res.body) {
          const err = res.status >= 400 ? await errorOf(res) : new GatewayError(502, "upstream_bad_response", "empty answer");
          this.fail(err);
          return;
        }
        // An answer from an upstream names it; one from the cache does not (and was announced as a cache hit).
        const provider = res.headers.get("x-omniroute-provider");
        if (provider) this.emit("connected", { provider });
        this.inner = res.body.getReader();
        this.wake?.();
      })
      .catch((err: unknown) => this.fail(err instanceof GatewayError ? err : new GatewayError(500, "internal_error", String(err))));
    return this.response;
  }

  private fail(err: GatewayError): void {
    if (this.cancelled) return;
    this.push(encoder.encode(this.client.createStreamWriter(this.ctx).error(err)));
    this.ended = true;
    this.wake?.();
  }

  private async pull(c: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
    for (;;) {
      const next = this.queue.shift();
      if (next) {
        c.enqueue(next);
        return;
      }
      if (this.inner) {
        const { done, value } = await this.inner.read();
        if (done) {
          c.close();
          return;
        }
        if (!this.sawFirstByte) {
          this.sawFirstByte = true;
          this.emit("first_token");
          const progress = this.queue.shift();
          if (progress) c.enqueue(progress);
        }
        c.enqueue(value);
        return;
      }
      if (this.ended) {
        c.close();
        return;
      }
      await new Promise<void>((r) => (this.wake = r));
      this.wake = null;
    }
  }
}
