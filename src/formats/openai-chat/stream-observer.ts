// Watches an OpenAI Chat Completions SSE stream on its way to the client: records usage,
// finish reason and in-stream errors without re-encoding what it forwards. Pure state
// machine (no I/O) so it can be fed recorded chunks split at any byte.
import { NO_USAGE, usageFromOpenAi, type TokenUsage } from "../../usage/tokens.ts";

export interface StreamObservation {
  usage: TokenUsage;
  finishReason: string | null;
  sawDone: boolean;
  /** An `error` object the upstream sent inside the stream. */
  error: string | null;
  events: number;
}

export interface OpenAiStreamObserver {
  /** Returns the bytes to forward now (possibly empty when holding back a partial event). */
  push(chunk: Uint8Array): Uint8Array;
  /** Returns any bytes still held at end of stream. */
  end(): Uint8Array;
  /** No partial event is held: a keep-alive comment may be inserted here. */
  atBoundary(): boolean;
  readonly observation: StreamObservation;
}

const FINISH_RE = /"finish_reason"\s*:\s*"([A-Za-z_]+)"/;
// With include_usage every chunk carries "usage":null; only an object is worth parsing.
const USAGE_OR_ERROR_RE = /"(?:usage|error)"\s*:\s*[{"]/;

/**
 * @param stripUsageChunk drop the usage-only chunk (`choices: []`) because the gateway asked
 *   for it with stream_options.include_usage and the client did not.
 */
export function createOpenAiStreamObserver(opts: { stripUsageChunk: boolean }): OpenAiStreamObserver {
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  const observation: StreamObservation = { usage: NO_USAGE, finishReason: null, sawDone: false, error: null, events: 0 };
  let buffer = "";

  function inspect(event: string): boolean {
    observation.events++;
    // An event may have several data: lines; the OpenAI wire uses one, so join them.
    let data = "";
    for (const line of event.split(/\r?\n/)) {
      if (line.startsWith("data:")) data += line.slice(line.charAt(5) === " " ? 6 : 5);
    }
    if (!data) return true;
    if (data === "[DONE]") {
      observation.sawDone = true;
      return true;
    }
    const finish = FINISH_RE.exec(data);
    if (finish) observation.finishReason = finish[1]!;
    // Parse only the events that carry something we record.
    if (!USAGE_OR_ERROR_RE.test(data)) return true;
    let parsed: any;
    try {
      parsed = JSON.parse(data);
    } catch {
      return true;
    }
    if (parsed?.error) observation.error = typeof parsed.error.message === "string" ? parsed.error.message : JSON.stringify(parsed.error);
    if (parsed?.usage) {
      observation.usage = usageFromOpenAi(parsed.usage);
      if (opts.stripUsageChunk && Array.isArray(parsed.choices) && parsed.choices.length === 0) return false;
    }
    return true;
  }

  function drain(final: boolean): string {
    let out = "";
    for (;;) {
      const m = /\r?\n\r?\n/.exec(buffer);
      if (!m) break;
      const end = m.index + m[0].length;
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end);
      if (inspect(event)) out += event;
    }
    if (final && buffer.length > 0) {
      if (buffer.trim() && inspect(buffer)) out += buffer;
      buffer = "";
    }
    return out;
  }

  return {
    observation,
    atBoundary: () => buffer.length === 0,
    push(chunk) {
      buffer += decoder.decode(chunk, { stream: true });
      if (!opts.stripUsageChunk) {
        // Pass-through: forward the upstream's bytes untouched, observe on the side.
        drain(false);
        return chunk;
      }
      return encoder.encode(drain(false));
    },
    end() {
      buffer += decoder.decode();
      const rest = drain(true);
      return opts.stripUsageChunk ? encoder.encode(rest) : new Uint8Array(0);
    },
  };
}
