// Request/response bodies in usage_records' request-log columns, only while the `requestLogBodies` setting is on
// (off by default: prompts are the users' data). The request body is taken as the client
// sent it; the response is copied as the client receives it (a streamed answer
// is recorded as its SSE/NDJSON text). Both are redacted and truncated (redact.ts). Nothing
// here runs while the setting is off.
//
// A non-streamed request finishes (its usage row is made) before its Response is returned,
// while a stream finishes after: the row is held until the body it waits for is read, or
// briefly when no body is coming (an error answered before any upstream response).
import { loggableBody } from "./redact.ts";
import type { UsageEntry } from "./recorder.ts";

/** How long a row waits for a response body that may not come. */
const HOLD_MS = 1_000;
/** Characters of a response kept before redaction (the stored text is cut to the setting). */
const READ_FACTOR = 2;
/** A response body not read to its end within this long is logged without it. */
const BODY_WAIT_MS = 15 * 60_000;

interface Held {
  entry?: UsageEntry;
  body?: Promise<string | null>;
  timer?: ReturnType<typeof setTimeout>;
}

export class BodyCapture {
  private readonly held = new Map<string, Held>();

  constructor(
    private readonly settings: () => { requestLogBodies: boolean; requestLogBodyMaxChars: number },
    private readonly write: (entry: UsageEntry) => void,
  ) {}

  get enabled(): boolean {
    return this.settings().requestLogBodies;
  }

  /** The request body as it may be stored, or undefined when bodies are not kept. */
  requestBody(body: unknown): string | undefined {
    if (!this.enabled) return undefined;
    return loggableBody(body, this.settings().requestLogBodyMaxChars);
  }

  /**
   * Returns the response to send, with its body observed on the way to the client: a capped
   * copy is kept and the client's cancel still reaches the upstream (a tee would keep the
   * upstream flowing for the copy after the client left).
   */
  response(requestId: string, res: Response): Response {
    if (!this.enabled || !res.body) return res;
    const max = this.settings().requestLogBodyMaxChars;
    let done!: (text: string) => void;
    const finished = new Promise<string>((resolve) => (done = resolve));
    const h = this.held.get(requestId) ?? {};
    // A body nobody reads (nor cancels) must not hold its row forever.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const giveUp = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(""), BODY_WAIT_MS);
      (timer as { unref?: () => void }).unref?.();
    });
    h.body = Promise.race([finished, giveUp]).then((text) => {
      clearTimeout(timer);
      return text ? loggableBody(text, max) : null;
    });
    this.held.set(requestId, h);
    if (h.entry) this.release(requestId);
    const out = observeBody(res.body, max * READ_FACTOR, done);
    return new Response(out, { status: res.status, statusText: res.statusText, headers: res.headers });
  }

  /** Routes a finished row: written now, or once its response body is in. */
  submit(entry: UsageEntry): void {
    if (!this.enabled && !this.held.has(entry.requestId)) {
      this.write(entry);
      return;
    }
    const id = entry.requestId;
    const h = this.held.get(id) ?? {};
    h.entry = entry;
    this.held.set(id, h);
    if (h.body) this.release(id);
    else h.timer = setTimeout(() => this.release(id), HOLD_MS);
  }

  private release(id: string): void {
    const h = this.held.get(id);
    if (!h?.entry) return;
    if (h.timer) clearTimeout(h.timer);
    this.held.delete(id);
    const entry = h.entry;
    if (!h.body) {
      this.write(entry);
      return;
    }
    h.body.then((text) => {
      if (text !== null) entry.responseBody = text;
      this.write(entry);
    });
  }

  /** Writes whatever is held (shutdown). */
  drain(): void {
    for (const [id, h] of this.held) {
      if (h.timer) clearTimeout(h.timer);
      if (h.entry) this.write(h.entry);
      this.held.delete(id);
    }
  }
}

/** Passes a body through unchanged, keeping its first `limit` characters for the log. */
function observeBody(body: ReadableStream<Uint8Array>, limit: number, done: (text: string) => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    done(text + decoder.decode());
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let result;
      try {
        result = await reader.read();
      } catch (err) {
        end();
        controller.error(err);
        return;
      }
      if (result.done) {
        end();
        controller.close();
        return;
      }
      if (text.length < limit) text += decoder.decode(result.value, { stream: true });
      controller.enqueue(result.value);
    },
    cancel(reason) {
      end();
      return reader.cancel(reason);
    },
  });
}
